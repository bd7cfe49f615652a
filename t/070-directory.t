# pa_directory: the example directories load, GET /api/v1/directory
# serves the public part (no areas), and a bad file stops nginx with the
# file and the reason.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

my $http_config = <<'_EOC_';
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_directory;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_directory $TEST_NGINX_ROOT/conf-examples/directory/laichau.json;
_EOC_

setting(http_config => $http_config, prepare => sub {
    my $block = shift;
    my $hc = $block->http_config;
    # "# directory <file>": the common lines with another directory
    if (defined $hc && $hc =~ s/^\s*#\s*directory\s+(\S+)\s*\n//) {
        my $file = $1;
        ($hc = $http_config) =~ s/pa_directory \S+;/pa_directory $file;/;
        $block->set_value("http_config", $hc);
    }
});

run_tests();

__DATA__

=== TEST 1: the directory is public and cacheable
--- request
GET /api/v1/directory
--- error_code: 200
--- response_headers
Content-Type: application/json; charset=utf-8
Cache-Control: public, max-age=300
--- response_body_like: ^\{"agencies":\[\{"id":"ubnd-tinh","name":"Ủy ban nhân dân tỉnh Lai Châu","parent":null,"kind":"province"\},.*\{"id":"so-xd","name":"Sở Xây dựng tỉnh Lai Châu","parent":"ubnd-tinh","kind":"department"\}.*\],"categories":\[\{"id":"traffic","name":"Giao thông[^"]*","urgent":false\}.*\{"id":"fire","name":"Cháy nổ","urgent":true\}.*\]\}$



=== TEST 2: areas and default agencies stay inside
--- request
GET /api/v1/directory
--- error_code: 200
--- response_body_unlike: "area"|"agency"|\[\[



=== TEST 3: the 38 commune-level units in force since 1/7/2025, no district level
--- request
GET /api/v1/directory
--- error_code: 200
--- response_body_like: "id":"phuong-tan-phong","name":"UBND phường Tân Phong","parent":"ubnd-tinh","kind":"ward".*"id":"xa-ta-tong","name":"UBND xã Tà Tổng","parent":"ubnd-tinh","kind":"commune"
--- response_body_unlike: "kind":"district"



=== TEST 4: HEAD has the headers only
--- request
HEAD /api/v1/directory
--- error_code: 200
--- response_headers
Cache-Control: public, max-age=300
--- response_body



=== TEST 5: without pa_directory the lists are empty
--- http_config
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_directory;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
--- request
GET /api/v1/directory
--- error_code: 200
--- response_body
{"agencies":[],"categories":[]}



=== TEST 6: Vĩnh Long has its coordinator
--- http_config
# directory $TEST_NGINX_ROOT/conf-examples/directory/vinhlong.json
--- request
GET /api/v1/directory
--- error_code: 200
--- response_body_like: "id":"to-dieu-phoi","name":"Tổ điều phối[^"]*","parent":"van-phong","kind":"coordinator"



=== TEST 7: Thái Nguyên loads: merged with Bắc Kạn, merged departments, no district level
--- http_config
# directory $TEST_NGINX_ROOT/conf-examples/directory/thainguyen.json
--- request
GET /api/v1/directory
--- error_code: 200
--- response_body_like: "id":"so-nnmt","name":"Sở Nông nghiệp và Môi trường tỉnh Thái Nguyên".*"id":"phuong-duc-xuan","name":"UBND phường Đức Xuân","parent":"ubnd-tinh","kind":"ward"
--- response_body_unlike: "kind":"district"|so-gtvt|so-tnmt



=== TEST 8: Điện Biên loads: wards and communes, no district level
--- http_config
# directory $TEST_NGINX_ROOT/conf-examples/directory/dienbien.json
--- request
GET /api/v1/directory
--- error_code: 200
--- response_body_like: "id":"phuong-dien-bien-phu","name":"UBND phường Điện Biên Phủ","parent":"ubnd-tinh","kind":"ward"
--- response_body_unlike: "kind":"district"|so-gtvt|so-tnmt



=== TEST 9: only GET and HEAD
--- request
POST /api/v1/directory
--- error_code: 405
--- response_body_like: "code":"method_not_allowed"



=== TEST 10: a file that is not JSON stops nginx, naming file and place
--- http_config
# directory ../html/bad.json
--- user_files
>>> bad.json
{"agencies": [
--- must_die
--- error_log eval
qr{pa_directory ".*/html/bad\.json": line \d+ column \d+: }



=== TEST 11: a duplicate agency id
--- http_config
# directory ../html/dup.json
--- user_files
>>> dup.json
{"agencies": [{"id": "a", "name": "A", "kind": "commune"},
              {"id": "a", "name": "B", "kind": "commune"}]}
--- must_die
--- error_log eval
qr{pa_directory ".*dup\.json": agencies\[1\]\.id is a duplicate}



=== TEST 12: a parent that is not an agency
--- http_config
# directory ../html/parent.json
--- user_files
>>> parent.json
{"agencies": [{"id": "a", "name": "A", "kind": "commune", "parent": "b"}]}
--- must_die
--- error_log eval
qr{agencies\[0\]\.parent is not an agency id}



=== TEST 13: an area point given as [lng, lat] out of range
--- http_config
# directory ../html/area.json
--- user_files
>>> area.json
{"agencies": [{"id": "a", "name": "A", "kind": "commune",
               "area": [[103.4, 22.3], [103.5, 22.3], [103.5, 22.4]]}]}
--- must_die
--- error_log eval
qr{agencies\[0\]\.area a point is out of range}



=== TEST 14: an id with a key separator
--- http_config
# directory ../html/id.json
--- user_files
>>> id.json
{"agencies": [{"id": "a,b", "name": "A", "kind": "commune"}]}
--- must_die
--- error_log eval
qr{agencies\[0\]\.id must be 1\.\.63 of \[A-Za-z0-9_\.-\]}



=== TEST 15: a category's agency must exist, urgent must be a boolean
--- http_config
# directory ../html/cat.json
--- user_files
>>> cat.json
{"agencies": [{"id": "a", "name": "A", "kind": "commune"}],
 "categories": [{"id": "fire", "name": "Cháy", "urgent": true, "agency": "x"}]}
--- must_die
--- error_log eval
qr{categories\[0\]\.agency is not an agency id}



=== TEST 16: urgent must be a boolean
--- http_config
# directory ../html/urgent.json
--- user_files
>>> urgent.json
{"agencies": [{"id": "a", "name": "A", "kind": "commune"}],
 "categories": [{"id": "fire", "name": "Cháy", "urgent": "yes"}]}
--- must_die
--- error_log eval
qr{categories\[0\]\.urgent must be true or false}



=== TEST 17: a missing file
--- http_config
# directory ../html/none.json
--- must_die
--- error_log eval
qr{pa_directory ".*none\.json": line -?\d+ column -?\d+: unable to open}



=== TEST 18: geographic dispatch: the most local area holding the point
--- http_config
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_directory;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_directory $TEST_NGINX_ROOT/conf-examples/directory/laichau.json;
    pa_auto_dispatch on;
    pa_sla verify 1d;
    pa_test_clock on;
--- more_headers eval
["Content-Type: application/json\nX-PA-Test-Id: G-1\nX-PA-Test-Token: token-of-the-reporter-g-1",
 "Content-Type: application/json\nX-PA-Test-Id: G-2\nX-PA-Test-Token: token-of-the-reporter-g-2",
 "Content-Type: application/json\nX-PA-Test-Id: G-3\nX-PA-Test-Token: token-of-the-reporter-g-3",
 "Content-Type: application/json\nX-PA-Test-Id: G-4\nX-PA-Test-Token: token-of-the-reporter-g-4"]
--- pipelined_requests eval
["POST /api/v1/reports\n{\"content\":\"x\",\"lat\":22.396,\"lng\":103.458,\"reporter_name\":\"A\",\"reporter_phone\":\"0912345678\"}",
 "POST /api/v1/reports\n{\"content\":\"x\",\"lat\":22.25,\"lng\":103.20,\"reporter_name\":\"A\",\"reporter_phone\":\"0912345679\"}",
 "POST /api/v1/reports\n{\"content\":\"x\",\"lat\":22.38,\"lng\":103.65,\"reporter_name\":\"A\",\"reporter_phone\":\"0912345670\"}",
 "POST /api/v1/reports\n{\"content\":\"x\",\"lat\":21.03,\"lng\":105.85,\"reporter_name\":\"A\",\"reporter_phone\":\"0912345671\"}"]
--- error_code eval
[201, 201, 201, 201]



=== TEST 19: ... the ward in the capital, none where no area is drawn, a commune, none outside
--- init
for my $id (qw(G-1 G-2 G-3 G-4)) {
    $main::auto{$id} = main::redis('HGET', "pa:{t_directory}:r:$id",
                                   'auto_agency');
}
Test::More::is($main::auto{'G-1'}, 'phuong-tan-phong', 'a ward wins over its district');
Test::More::is($main::auto{'G-2'}, '', 'no area drawn there: the IOC dispatches by hand');
Test::More::is($main::auto{'G-3'}, 'xa-binh-lu', 'a commune with its area');
Test::More::is($main::auto{'G-4'}, '', 'Hà Nội is outside the province');
--- request
GET /api/v1/directory
--- error_code: 200



=== TEST 20: a shipped profile included as it is: its ../ files are found beside it
--- http_config
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_archive_dir $TEST_NGINX_PA_DATA/archive;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    include $TEST_NGINX_ROOT/conf-examples/profiles/dienbien-2023.conf;
--- request
GET /api/v1/directory
--- error_code: 200
--- response_body_like: "name":"[^"]*Điện Biên
