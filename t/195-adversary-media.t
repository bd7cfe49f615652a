# The adversary's findings on media and report fields: what a province's
# first month met, each block failing before its fix.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

use Digest::SHA qw(sha256_hex);
use File::Path qw(remove_tree);
use JSON::PP;

fresh('t_adv_media');
remove_tree("$Data/media/public/AM-1");

our $Photo = slurp("$Fix/large.jpg");
our $Sha = sha256_hex($Photo);

sub staff {
    return "Authorization: Bearer $T{$_[0]}\nX-PA-Now: $_[1]\n"
           . "Content-Type: application/json";
}
sub act { "POST /api/v1/reports/AM-1/actions\n$_[0]" }
sub auth { "Authorization: Bearer $T{$_[0]}\nX-PA-Now: $_[1]" }

setting(main_config => $Threads, config => api(), http_config => <<'_EOC_');
    pa_thread_pool pa;
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_adv_media;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_directory $TEST_NGINX_ROOT/conf-examples/directory/laichau.json;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_sla verify 1d;
    pa_sla receive 1d;
    pa_sla dispatch 1d;
    pa_sla accept 1d;
    pa_sla resolve 5d;
    pa_sla publish 1d;
    pa_test_clock on;
_EOC_

run_tests();

# nginx as a daemon runs with umask 0: a file's mode is what the module
# asked for, and nothing of the store may be writable by others
my $dir = "$Data/media/" . substr($Sha, 0, 2);
for my $f ("$dir/$Sha", "$dir/$Sha.thumb.jpg",
           "$Data/media/public/AM-1/$Sha.thumb.jpg")
{
    ok(-f $f, "$f exists");
    my $mode = (stat $f)[2] & 07777;
    is($mode & 022, 0, sprintf("... and is not writable by others (%04o)",
                               $mode));
}

__DATA__

=== TEST 1: a report with a camera photo: stored, a thumbnail made
--- more_headers eval
"$::Multipart\nX-PA-Now: 2026-01-22T09:00:00+07:00\nX-PA-Test-Id: AM-1"
--- request eval
"POST /api/v1/reports\n" . ::multipart(
    ['content', 'Sạt lở taluy dương trên quốc lộ'],
    ['reporter_name', 'Lò Văn T'], ['reporter_phone', '0987000195'],
    ['media', 'IMG_0001.jpg', 'image/jpeg', $::Photo])
--- error_code: 201
--- response_body_like: "id":"AM-1"



=== TEST 2: handled and published: the thumbnail is linked into the public store
--- more_headers eval
[::staff('ioc', '2026-01-22T10:00:00+07:00'), ::staff('ioc', '2026-01-22T10:10:00+07:00'),
 ::staff('ioc', '2026-01-22T10:20:00+07:00'), ::staff('xd', '2026-01-22T11:00:00+07:00'),
 ::staff('xd', '2026-01-23T11:00:00+07:00'), ::staff('ioc', '2026-01-23T14:00:00+07:00')]
--- pipelined_requests eval
[::act('{"action":"verify"}'), ::act('{"action":"receive"}'),
 ::act('{"action":"dispatch","agencies":["so-xd"]}'), ::act('{"action":"accept"}'),
 ::act('{"action":"resolve","summary":"Đã dọn xong.","salutation":"Ông"}'),
 ::act('{"action":"publish"}')]
--- error_code eval
[200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"status":"verified"', '"status":"received"', '"status":"dispatched"',
 '"status":"in_progress"', '"status":"under_review"', '"status":"resolved"']



=== TEST 3: occurred_at before 1970: refused, not stored to vanish from every view
--- more_headers
X-PA-Now: 2026-01-22T09:00:00+07:00
Content-Type: application/json
--- request eval
"POST /api/v1/reports\n" . JSON::PP->new->encode({
    content => 'Cây đổ chắn đường từ hôm qua', occurred_at => '1900-01-01T00:00:00Z',
    reporter_name => 'Lò Văn T', reporter_phone => '0987000196',
    lat => 22.396, lng => 103.458 })
--- error_code: 400
--- response_body_like: "code":"invalid_field".*"field":"occurred_at"



=== TEST 4: the same report with its real time: taken, and the time is in the view
--- more_headers
X-PA-Now: 2026-01-22T09:00:00+07:00
Content-Type: application/json
X-PA-Test-Id: AM-2
--- request eval
"POST /api/v1/reports\n" . JSON::PP->new->encode({
    content => 'Cây đổ chắn đường từ hôm qua', occurred_at => '2026-01-21T17:00:00+07:00',
    reporter_name => 'Lò Văn T', reporter_phone => '0987000196',
    lat => 22.396, lng => 103.458 })
--- error_code: 201
--- response_body_like: "id":"AM-2"



=== TEST 5: staff see when it occurred
--- more_headers eval
::staff('ioc', '2026-01-22T09:10:00+07:00')
--- request
GET /api/v1/reports/AM-2
--- error_code: 200
--- response_body_like: "occurred_at":"2026-01-21T17:00:00\+07:00"



=== TEST 6: the same report resent from a keyboard that writes decomposed letters (NFD): 409 duplicate, naming the first
--- more_headers
X-PA-Now: 2026-01-22T09:30:00+07:00
Content-Type: application/json
--- request eval
use Encode ();
use Unicode::Normalize ();
"POST /api/v1/reports\n" . JSON::PP->new->utf8->encode({
    content => Unicode::Normalize::NFD(
                   Encode::decode_utf8('Cây đổ chắn đường từ hôm qua')),
    reporter_name => 'Lò Văn T', reporter_phone => '0987000196',
    lat => 22.396, lng => 103.458 })
--- error_code: 409
--- response_body_like: "code":"duplicate".*"report_id":"AM-2"



=== TEST 7: a form with a field given twice (two positions): 400 on that field, not the second taken silently
--- more_headers eval
"$::Multipart\nX-PA-Now: 2026-01-22T09:40:00+07:00"
--- request eval
"POST /api/v1/reports\n" . ::multipart(
    ['content', 'Đèn đường tắt cả dãy'], ['reporter_name', 'Lò Văn T'],
    ['reporter_phone', '0987000197'], ['lat', '22.396'], ['lng', '103.458'],
    ['lat', '10.5'])
--- error_code: 400
--- response_body_like: ^\{"error":\{"code":"invalid_field","message":"the field is given twice","field":"lat"\}\}$



=== TEST 8: an action's form with two payload parts (verify, then reject): 400, neither taken
--- more_headers eval
"$::Multipart\n" . ::auth('ioc', '2026-01-22T09:50:00+07:00')
--- request eval
"POST /api/v1/reports/AM-2/actions\n" . ::multipart(
    ['payload', '{"action":"verify"}'],
    ['payload', '{"action":"reject","reason":"other","message":"x"}'])
--- error_code: 400
--- response_body_like: "code":"invalid_field","message":"the payload part is given twice","field":"payload"



=== TEST 9: ... and the report is as it was
--- more_headers eval
::auth('ioc', '2026-01-22T09:55:00+07:00')
--- request
GET /api/v1/reports/AM-2
--- error_code: 200
--- response_body_like: "status":"submitted"
