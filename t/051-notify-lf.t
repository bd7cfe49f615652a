# A webhook receiver on a lenient HTTP/1.1 server answers with bare LF
# line endings ("HTTP/1.1 200 OK\nContent-Length: 3\n\nok\n").  nginx's
# own parser takes them (ngx_http_parse_status_line, _header_line); the
# deliverer looked for CRLF CRLF only, never saw the answer's end, timed
# out and sent the event again until it died in the dead letters.  With
# the reference receiver in --lf mode each event is acknowledged by its
# first delivery, also the second one on the kept-alive connection.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use t::PaHook;
use Time::HiRes ();

$Test::Nginx::Util::ForceRestartOnTest = 0;

our $Hook = t::PaTest::free_port();
our $Key = hook_key('test-hook-secret-0123456789abcdef');
our $Log = "$t::PaTest::Data/hook.jsonl";

receiver($Hook, $Key, $Log, '--lf');

fresh('t_lf');

setting(config => api(), http_config => <<"_EOC_");
    pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts \$TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_lf;
    pa_auth_secret_file \$TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file \$TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir \$TEST_NGINX_PA_DATA/media;
    pa_test_clock on;
    pa_notify lf http://127.0.0.1:$Hook/lf secret_file=$Key
              events=submitted timeout=2s retry_for=1h;
_EOC_

run_tests();

__DATA__

=== TEST 1: a first report: one event for the LF receiver
--- more_headers
X-PA-Now: 2026-01-22T09:00:00+07:00
Content-Type: application/json
--- request eval
"POST /api/v1/reports\n" . JSON::PP->new->encode({
    content => 'Cống thoát nước bị tắc', reporter_name => 'Lò Văn A',
    reporter_phone => '0987000051', lat => 22.396, lng => 103.458 })
--- error_code: 201



=== TEST 2: acknowledged by its first delivery (the receiver's LF answer read)
--- init
main::wait_for('the first delivery',
               sub { main::deliveries($::Log) >= 1 });
# a delivery taken for failed is tried again after about 1 s (+-25%), a
# timed-out one after the 2 s timeout: 4 s leaves room for both
Time::HiRes::sleep(4);
my @d = main::deliveries($::Log);
Test::More::is(scalar @d, 1, 'delivered once, not again');
Test::More::is($d[0]{status}, 200, 'the receiver said 200');
Test::More::is(main::redis('XPENDING', 'pa:{t_lf}:events', 'notify:lf'),
               "0\n\n\n", 'nothing left pending');
Test::More::is(main::redis('ZCARD', 'pa:{t_lf}:notify:lf:retry'), '0',
               'nothing to retry');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 3: a second report: its event goes on the kept-alive connection
--- more_headers
X-PA-Now: 2026-01-22T09:05:00+07:00
Content-Type: application/json
--- request eval
"POST /api/v1/reports\n" . JSON::PP->new->encode({
    content => 'Đèn đường không sáng', reporter_name => 'Lò Văn B',
    reporter_phone => '0987000052', lat => 22.396, lng => 103.458 })
--- error_code: 201



=== TEST 4: also acknowledged by its first delivery: two in all
--- init
main::wait_for('the second delivery',
               sub { main::deliveries($::Log) >= 2 });
Time::HiRes::sleep(4);
my @d = main::deliveries($::Log);
Test::More::is(scalar @d, 2, 'two events, each delivered once');
Test::More::is(CORE::join(',', map { $_->{attempt} // 1 } @d), '1,1',
               'each at its first attempt');
Test::More::is(main::redis('XPENDING', 'pa:{t_lf}:events', 'notify:lf'),
               "0\n\n\n", 'nothing left pending');
--- request
GET /api/v1/health
--- error_code: 200
