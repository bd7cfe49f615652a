# Issue 15: a hidden report stayed in the public cache for up to 30 s.
# The public reads go through nginx's proxy_cache as dev.conf has it (a
# front location proxying to a server that runs the module), configured
# by the shipped conf-examples/public-cache.conf, whose key carries
# $pa_public_version: hide (and unhide, publish...) changes it, so the
# next read of the report, and of any list page, misses the old entry;
# another node's hide (act.lua raises pa:{t}:pubver) reaches this node's
# cache within seconds, well before the entries' 30 s.
use Test::Nginx::Socket 'no_plan';
use IO::Socket::INET;
use Time::HiRes ();
use lib '.';
use t::PaLife;

$ENV{TEST_NGINX_ORIGIN_PORT} = t::PaTest::free_port();

%T = ();
tokens(ioc => ['ioc'], xd => ['handler', 'so-xd']);

setting(http_config => shipped_http('laichau-2026', 't_pcache') . <<'_EOC_',
    proxy_cache_path $TEST_NGINX_PA_DATA/cache levels=1:2
                     keys_zone=pa_public:1m inactive=10m use_temp_path=off;

    # the origin: the module answers the public reads
    server {
        listen 127.0.0.1:$TEST_NGINX_ORIGIN_PORT;
        location /api/v1/public/ {
            pa_api;
        }
    }
_EOC_
        config => api() . <<'_EOC_');
    location /api/v1/public/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_ORIGIN_PORT;
        include $TEST_NGINX_ROOT/conf-examples/public-cache.conf;
    }
_EOC_

our $Get = main::h('', '2026-03-18T09:00:00+07:00');

# a public read through the cache from a block's init: (status, cache)
sub public_read {
    my $s = IO::Socket::INET->new(
        PeerAddr => '127.0.0.1',
        PeerPort => Test::Nginx::Util::server_port_for_client(),
        Timeout => 5) or die "connect: $!";
    print $s "GET /api/v1/public/reports/PC-1 HTTP/1.0\r\nHost: localhost\r\n\r\n";
    local $/;
    my $resp = <$s> // '';
    my ($st) = $resp =~ m{^HTTP/1\.\d (\d+)};
    my ($cache) = $resp =~ m{^X-Cache-Status: (\S+)}mi;
    return ($st // 0, $cache // '');
}

run_tests();

__DATA__

=== TEST 1: a report published
--- more_headers eval
[main::h('', '2026-03-17T08:00:00+07:00') . "\nX-PA-Test-Id: PC-1\nX-PA-Test-Token: token-of-the-reporter-pc-1",
 (map { main::h('ioc', '2026-03-17T08:30:00+07:00') } 1 .. 3),
 main::h('xd', '2026-03-17T09:00:00+07:00'), main::h('xd', '2026-03-17T10:00:00+07:00'),
 main::h('ioc', '2026-03-17T11:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Cây đổ chắn ngang đường","lat":22.39,"lng":103.45,"reporter_name":"Lò Văn P","reporter_phone":"0912345201"}',
 main::act('PC-1', action => 'verify'), main::act('PC-1', action => 'receive'),
 main::act('PC-1', action => 'dispatch', agencies => ['so-xd']),
 main::act('PC-1', action => 'accept'),
 main::act('PC-1', action => 'resolve', summary => 'Đã dọn cây.', salutation => 'Ông'),
 main::act('PC-1', action => 'publish')]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"id":"PC-1"', '"status":"verified"', '"status":"received"',
 '"status":"dispatched"', '"status":"in_progress"', '"status":"under_review"',
 '"status":"resolved".*"published":true']



=== TEST 2: read twice, the report and the list come from the cache; hidden, the next reads of both no longer show it; unhidden, they do again
--- more_headers eval
[($main::Get) x 4, main::h('ioc', '2026-03-18T09:01:00+07:00'), ($main::Get) x 3,
 main::h('ioc', '2026-03-18T09:02:00+07:00'), ($main::Get) x 2]
--- pipelined_requests eval
["GET /api/v1/public/reports/PC-1", "GET /api/v1/public/reports/PC-1",
 "GET /api/v1/public/reports", "GET /api/v1/public/reports",
 main::act('PC-1', action => 'hide', reason => 'Lộ thông tin cá nhân trong ảnh'),
 "GET /api/v1/public/reports/PC-1", "GET /api/v1/public/reports",
 "GET /api/v1/public/reports/PC-1",
 main::act('PC-1', action => 'unhide', reason => 'Đã xử lý ảnh'),
 "GET /api/v1/public/reports/PC-1", "GET /api/v1/public/reports"]
--- error_code eval
[200, 200, 200, 200, 200, 404, 200, 404, 200, 200, 200]
--- response_headers eval
['X-Cache-Status: MISS', 'X-Cache-Status: HIT', 'X-Cache-Status: MISS',
 'X-Cache-Status: HIT', '', '', 'X-Cache-Status: MISS', '', '',
 'X-Cache-Status: MISS', 'X-Cache-Status: MISS']
--- response_body_like eval
['"id":"PC-1"', '"id":"PC-1"', '"id":"PC-1"', '"id":"PC-1"',
 '"hidden":true', '"code":"not_found"', '^\{.*\}$', '"code":"not_found"',
 '"hidden":false', '"id":"PC-1"', '"id":"PC-1"']
--- response_body_unlike eval
['', '', '', '', '', '', 'PC-1', '', '', '', '']



=== TEST 3: another node hides it: its act.lua raises pa:{t}:pubver and this node's cache misses within seconds (entries live 30 s)
--- init
# this node's workers read the tenant's number every second
Time::HiRes::sleep(1.5);
main::public_read();
my ($st, $cache) = main::public_read();
Test::More::is("$st $cache", '200 HIT', 'PC-1 is in the cache');
# what the other node's hide wrote, but the number: still served cached
main::redis('HSET', 'pa:{t_pcache}:r:PC-1', 'hidden', '1');
main::redis('ZREM', 'pa:{t_pcache}:pub', 'PC-1');
main::redis('ZREM', 'pa:{t_pcache}:geo', 'PC-1');
($st, $cache) = main::public_read();
Test::More::is("$st $cache", '200 HIT', '(without the number, the cache would show it)');
main::redis('INCR', 'pa:{t_pcache}:pubver');
my $t0 = Time::HiRes::time();
while (Time::HiRes::time() - $t0 < 10) {
    ($st) = main::public_read();
    last if $st == 404;
    Time::HiRes::sleep(0.2);
}
Test::More::is($st, 404, 'the other node\'s hide is seen here within 10 s');
--- more_headers eval
$main::Get
--- request
GET /api/v1/public/reports/PC-1
--- error_code: 404
--- response_body_like: "code":"not_found"
