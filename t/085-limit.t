# Edge rate limits: pa_limit_zone and pa_limit (shared memory and Redis),
# per client address before the body and per phone at submission.
#
# Every block restarts nginx (an empty zone) unless its name says "same
# nginx".  Redis keys are per block tenant and deleted in --- init, so a
# second run within the buckets' lifetime starts clean too.
#
# Not tested here:
# - two client addresses: Test::Nginx always connects from 127.0.0.1;
# - the zone surviving "nginx -s reload" (octx): this runner does not HUP.
#   By hand: pa_limit_zone 1m; pa_limit addr rate=1r/m; POST once (passes),
#   POST again (429, Retry-After: 60), "nginx -s reload", POST again: still
#   429 with a smaller Retry-After.  Changing the zone's size starts empty.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

our $Common = <<'_EOC_';
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_profile test-limit;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_sla verify 1d;
_EOC_

our $Json = "Content-Type: application/json";
our $Ioc = pa_token('--role ioc');
our $IocBad = substr($Ioc, 0, -2) . "xx";

# a lost phone's token, revoked before any nginx of this file starts
our $IocLost = pa_token('--role ioc --sub ioc-lost');
main::redis('ZADD', 'pa:{t_limit}:revoked', time, 'sub:ioc-lost');
our $Limited = '{"error":{"code":"rate_limited","message":"too many requests, try again later"}}
';

# the default: a tiny local limit (1 + 2 requests, then one a minute)
setting(config => api() . "    location /static/ { root html; }\n",
        except => qr/same nginx/, http_config => <<"_EOC_");
    pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;
    pa_tenant t_limit;
$Common
    pa_limit_zone 1m;
    pa_limit addr rate=1r/m burst=2;
_EOC_

run_tests();

__DATA__

=== TEST 1: 1 + burst POSTs pass, then 429 with Retry-After and JSON
--- more_headers eval
$::Json
--- pipelined_requests eval
["POST /api/v1/reports\n{}", "POST /api/v1/reports\n{}",
 "POST /api/v1/reports\n{}", "POST /api/v1/reports\n{}",
 "POST /api/v1/reports\n{\"content\":\"x\"}", "GET /api/v1/nowhere"]
--- error_code eval
[400, 400, 400, 429, 429, 404]
--- response_headers eval
["", "", "", "Retry-After: 60\nContent-Type: application/json; charset=utf-8",
 "Retry-After: 60", "Retry-After:"]
--- response_body eval
[qr/"code":"missing_field"/, qr/"code":"missing_field"/,
 qr/"code":"missing_field"/, $::Limited, $::Limited, qr/"code":"not_found"/]
--- no_error_log
[warn]



=== TEST 2: the refusal is logged at info with the rule
--- http_config eval
"pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;\npa_tenant t_limit;\n$::Common
pa_limit_zone 1m;\npa_limit addr rate=1r/m;"
--- more_headers eval
$::Json
--- request
POST /api/v1/reports
{}
--- error_code: 400



=== TEST 2b: ... (same nginx)
--- more_headers eval
$::Json
--- request
POST /api/v1/reports
{}
--- error_code: 429
--- error_log eval
qr/\[info\].*pa limit: refused by "addr rate=1r\/m" \(zone\), allowed again in 5\d{4} ms/



=== TEST 3: reads are not limited
--- pipelined_requests eval
["GET /api/v1/nowhere", "GET /api/v1/nowhere", "GET /api/v1/nowhere",
 "GET /api/v1/nowhere", "GET /api/v1/nowhere", "GET /api/v1/nowhere"]
--- error_code eval
[404, 404, 404, 404, 404, 404]



=== TEST 4: a location without pa_api is not limited
--- user_files
>>> static/a.txt
hello
--- pipelined_requests eval
["POST /static/a.txt\nx", "POST /static/a.txt\nx", "POST /static/a.txt\nx",
 "POST /static/a.txt\nx", "POST /static/a.txt\nx"]
--- error_code eval
[405, 405, 405, 405, 405]



=== TEST 5: Retry-After is the seconds until one request passes, rounded up
--- http_config eval
"pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;\npa_tenant t_limit;\n$::Common
pa_limit_zone 1m;\npa_limit addr rate=30r/m;\npa_limit addr rate=10r/s burst=5;"
--- more_headers eval
$::Json
--- pipelined_requests eval
["POST /api/v1/reports\n{}", "POST /api/v1/reports\n{}"]
--- error_code eval
[400, 429]
--- response_headers eval
["", "Retry-After: 2"]



=== TEST 6: a client that asked for 100-continue is refused without it
--- http_config eval
"pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;\npa_tenant t_limit;\n$::Common
pa_limit_zone 1m;\npa_limit addr rate=1r/m;"
--- more_headers eval
[$::Json, "Expect: 100-continue\nContent-Length: 100000"]
--- request eval
["POST /api/v1/reports\n{}", "POST /api/v1/reports"]
--- error_code eval
[400, 429]
--- raw_response_headers_unlike eval
["100 Continue", "100 Continue"]
--- response_headers eval
["", "Retry-After: 60"]
--- timeout: 2



=== TEST 7: the Redis limiter refuses after its burst (the zone is generous)
--- init
main::redis('DEL', 'pa:{t_limit_r1}:rl:addr:127.0.0.1');
--- http_config eval
"pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;\npa_tenant t_limit_r1;\n$::Common
pa_limit_zone 1m;\npa_limit addr rate=100r/s burst=100;
pa_limit addr rate=1r/m burst=1 redis;"
--- more_headers eval
$::Json
--- pipelined_requests eval
["POST /api/v1/reports\n{}", "POST /api/v1/reports\n{}",
 "POST /api/v1/reports\n{}", "GET /api/v1/nowhere"]
--- error_code eval
[400, 400, 429, 404]
--- response_headers eval
["", "", "Retry-After: 60\nContent-Type: application/json; charset=utf-8",
 ""]
--- response_body eval
[qr/missing_field/, qr/missing_field/, $::Limited, qr/not_found/]



=== TEST 8: ... one key per address, a TAT per rule, expiring
--- init
my $h = main::redis('HGETALL', 'pa:{t_limit_r1}:rl:addr:127.0.0.1');
Test::More::like($h, qr/\A60000000:60000000\n\d{16}\z/, "one field per rule");
my $ttl = main::redis('PTTL', 'pa:{t_limit_r1}:rl:addr:127.0.0.1');
Test::More::ok($ttl > 100000 && $ttl <= 120000, "expires with the bucket ($ttl)");
--- request
GET /api/v1/nowhere
--- error_code: 404



=== TEST 9: Redis only (no pa_limit_zone needed)
--- init
main::redis('DEL', 'pa:{t_limit_r2}:rl:addr:127.0.0.1');
--- http_config eval
"pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;\npa_tenant t_limit_r2;\n$::Common
pa_limit addr rate=30r/m redis;\npa_limit addr rate=1r/m burst=50 redis;"
--- more_headers eval
$::Json
--- request
POST /api/v1/reports
{}
--- error_code: 400



=== TEST 9b: ... the most demanding rule says when (same nginx)
--- more_headers eval
$::Json
--- request
POST /api/v1/reports
{}
--- error_code: 429
--- response_headers
Retry-After: 2
--- error_log eval
qr/\[info\].*pa limit: refused by the redis limit, allowed again in 1\d{3} ms/



=== TEST 10: the zone refuses first: refused requests never reach Redis
--- init
main::redis('DEL', 'pa:{t_limit_r3}:rl:addr:127.0.0.1');
--- http_config eval
"pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;\npa_tenant t_limit_r3;\n$::Common
pa_limit_zone 1m;\npa_limit addr rate=1r/m;\npa_limit addr rate=1r/m burst=10 redis;"
--- more_headers eval
$::Json
--- pipelined_requests eval
["POST /api/v1/reports\n{}", "POST /api/v1/reports\n{}",
 "POST /api/v1/reports\n{}", "POST /api/v1/reports\n{}"]
--- error_code eval
[400, 429, 429, 429]



=== TEST 11: ... Redis counted one request (one interval in its bucket)
--- init
my $ttl = main::redis('PTTL', 'pa:{t_limit_r3}:rl:addr:127.0.0.1');
Test::More::ok($ttl > 50000 && $ttl <= 60000, "one request counted ($ttl)");
--- request
GET /api/v1/nowhere
--- error_code: 404



=== TEST 12: Redis down: the Redis limiter lets requests through (warn)
--- http_config eval
"pa_redis 127.0.0.1:\$TEST_NGINX_RAND_PORT_1 timeout=300ms;
pa_tenant t_limit_down;\n$::Common
pa_limit_zone 1m;\npa_limit addr rate=100r/s burst=100;
pa_limit addr rate=1r/m redis;"
--- more_headers eval
$::Json
--- request
POST /api/v1/reports
{}
--- error_code: 400
--- error_log eval
qr/\[warn\].*pa limit: redis (not connected|no answer), the cluster limit let the request through/



=== TEST 12b: ... every one of them (same nginx)
--- more_headers eval
$::Json
--- pipelined_requests eval
["POST /api/v1/reports\n{}", "POST /api/v1/reports\n{}",
 "POST /api/v1/reports\n{}"]
--- error_code eval
[400, 400, 400]



=== TEST 13: a client that goes away while Redis is busy: its reply is dropped
--- init
main::redis('DEL', 'pa:{t_limit_r4}:rl:addr:127.0.0.1');
main::redis('CLIENT', 'PAUSE', '800', 'ALL');
--- http_config eval
"pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;\npa_tenant t_limit_r4;\n$::Common
pa_limit addr rate=100r/s burst=100 redis;"
--- more_headers eval
$::Json
--- request
POST /api/v1/reports
{}
--- timeout: 0.3
--- abort
--- ignore_response
--- wait: 1.2
--- error_log
client prematurely closed connection
--- no_error_log
[alert]
[crit]



=== TEST 14: ... and the worker goes on (same nginx)
--- more_headers eval
$::Json
--- request
POST /api/v1/reports
{}
--- error_code: 400
--- no_error_log
[alert]
[crit]



=== TEST 15: pa_limit without redis needs pa_limit_zone
--- http_config eval
"pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;\npa_tenant t_limit;\n$::Common
pa_limit addr rate=1r/m;"
--- must_die
--- error_log
"pa_limit" without "redis" needs "pa_limit_zone"



=== TEST 16: pa_limit ... redis needs pa_redis
--- http_config
    pa_limit addr rate=1r/m redis;
--- config
    location /api/v1/ { return 204; }
--- must_die
--- error_log
"pa_limit ... redis" and "pa_limit phone" need "pa_redis"



=== TEST 16b: signed-in staff are not limited; a bad token is
--- http_config eval
"pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;\npa_tenant t_limit;\n$::Common
pa_limit_zone 1m;\npa_limit addr rate=1r/m;"
--- more_headers eval
"$::Json\nAuthorization: Bearer $::Ioc"
--- pipelined_requests eval
["POST /api/v1/reports/261124-AAAAAAAA/actions\n{\"action\":\"verify\"}",
 "POST /api/v1/reports/261124-AAAAAAAA/actions\n{\"action\":\"verify\"}",
 "POST /api/v1/reports/261124-AAAAAAAA/actions\n{\"action\":\"verify\"}"]
--- error_code eval
[404, 404, 404]



=== TEST 16c: ... a token that does not verify counts as anyone
--- http_config eval
"pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;\npa_tenant t_limit;\n$::Common
pa_limit_zone 1m;\npa_limit addr rate=1r/m;"
--- more_headers eval
"$::Json\nAuthorization: Bearer $::IocBad"
--- pipelined_requests eval
["POST /api/v1/reports/261124-AAAAAAAA/actions\n{\"action\":\"verify\"}",
 "POST /api/v1/reports/261124-AAAAAAAA/actions\n{\"action\":\"verify\"}"]
--- error_code eval
[401, 429]



=== TEST 16d: ... nor does a revoked token (a lost phone gets no bigger share than anyone)
(A fresh worker knows the revoked tokens once its first read is back: a
staff request waits for it, ngx_pa_revoke_wait.c, but the limiter, before
it, cannot tell a revoked token from a good one until then.  The valid
token's request first, which waits for that read, so that the revoked
ones meet a worker that knows them, however slow the machine.)
--- http_config eval
"pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;\npa_tenant t_limit;\n$::Common
pa_limit_zone 1m;\npa_limit addr rate=1r/m;"
--- more_headers eval
["$::Json\nAuthorization: Bearer $::Ioc",
 "$::Json\nAuthorization: Bearer $::IocLost",
 "$::Json\nAuthorization: Bearer $::IocLost"]
--- pipelined_requests eval
["POST /api/v1/reports/261124-AAAAAAAA/actions\n{\"action\":\"verify\"}",
 "POST /api/v1/reports/261124-AAAAAAAA/actions\n{\"action\":\"verify\"}",
 "POST /api/v1/reports/261124-AAAAAAAA/actions\n{\"action\":\"verify\"}"]
--- error_code eval
[404, 401, 429]



=== TEST 17: a phone's limit: valid reports of one phone count, across nodes
--- init
main::fresh('t_limit_p');
--- http_config eval
"pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;\npa_tenant t_limit_p;\n$::Common
pa_limit phone rate=1r/h burst=1;"
--- more_headers eval
$::Json
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Cây đổ số 1","lat":22.4,"lng":103.4,"reporter_name":"A","reporter_phone":"0912 000 111"}',
 "POST /api/v1/reports\n" . '{"content":"Cây đổ số 2","lat":22.4,"lng":103.4,"reporter_name":"A","reporter_phone":"+84912000111"}',
 "POST /api/v1/reports\n" . '{"content":"x","lat":95,"lng":103.4,"reporter_name":"A","reporter_phone":"0912000111"}',
 "POST /api/v1/reports\n" . '{"content":"Cây đổ số 3","lat":22.4,"lng":103.4,"reporter_name":"A","reporter_phone":"0912000111"}',
 "POST /api/v1/reports\n" . '{"content":"Cây đổ số 3","lat":22.4,"lng":103.4,"reporter_name":"B","reporter_phone":"0988000222"}']
--- error_code eval
[201, 201, 400, 429, 201]
--- response_headers eval
["", "", "", "Retry-After: 3600", ""]
--- response_body eval
[qr/"status":"submitted"/, qr/"status":"submitted"/, qr/"field":"lat"/,
 qr/\A\{"error":\{"code":"rate_limited","message":"too many reports from this phone number, try again later","field":"phone"\}\}\n?\z/,
 qr/"status":"submitted"/]
--- no_error_log
[alert]
[crit]



=== TEST 17b: ... the refused report was not stored; the bucket names no phone
--- init
my $n = main::redis('EVAL', "return #redis.call('KEYS', ARGV[1])", '0',
                    'pa:{t_limit_p}:r:*');
Test::More::is($n, 3, "three reports stored");
my $keys = main::redis('KEYS', 'pa:{t_limit_p}:rl:*');
my @k = grep { !/:s$/ } split /\n/, $keys;
Test::More::is(scalar @k, 2, "a bucket per phone");
Test::More::is(scalar(grep { /:s$/ } split /\n/, $keys), 2,
               "... and the submissions it counted");
Test::More::unlike($keys, qr/0912|84912|0988/, "no plaintext phone in keys");
--- request
GET /api/v1/nowhere
--- error_code: 404



=== TEST 17e: a submission's retries (the same Idempotency-Key) spend nothing: past the burst each gets the first 201, while another submission of the phone is refused; a retry of the stored one is still answered with it (a retry after a 503 or a lost answer was a 429 for a report that was kept)
--- init
main::fresh('t_limit_r');
--- http_config eval
"pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;\npa_tenant t_limit_r;\n$::Common
pa_limit phone rate=1r/h burst=1;"
--- more_headers eval
my $one = "$::Json\nIdempotency-Key: retry-one";
my $two = "$::Json\nIdempotency-Key: retry-two";
my $three = "$::Json\nIdempotency-Key: retry-three";
[$one, $one, $one, $one, $two, $three, $one, $two]
--- pipelined_requests eval
my $b = sub { "POST /api/v1/reports\n" . '{"content":"Cống vỡ số ' . $_[0] . '","lat":22.4,"lng":103.4,"reporter_name":"A","reporter_phone":"0912000333"}' };
[$b->(1), $b->(1), $b->(1), $b->(1), $b->(2), $b->(3), $b->(1), $b->(2)]
--- error_code eval
[201, 201, 201, 201, 201, 429, 201, 201]
--- response_body eval
my $first = qr/"status":"submitted"/;
[$first, $first, $first, $first, $first,
 qr/"code":"rate_limited".*"field":"phone"/, $first, $first]
--- no_error_log
[alert]
[crit]



=== TEST 17f: ... the four answers of the first are one report, and so are the second's two; the refused third was not stored
--- init
my $n = main::redis('EVAL', "return #redis.call('KEYS', ARGV[1])", '0',
                    'pa:{t_limit_r}:r:*');
Test::More::is($n, 2, "two reports stored");
my $s = main::redis('ZCARD', (grep { /:s$/ } split /\n/,
                    main::redis('KEYS', 'pa:{t_limit_r}:rl:*'))[0]);
Test::More::is($s, 2, "two submissions counted");
--- request
GET /api/v1/nowhere
--- error_code: 404



=== TEST 17d: a third party cannot lock a citizen out: reports with the citizen's number from another network spend that network's budget, not the citizen's
--- init
main::fresh('t_limit_v');
--- http_config eval
"pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;\npa_tenant t_limit_v;\n$::Common
pa_limit phone rate=1r/h burst=1;
set_real_ip_from 127.0.0.1;
real_ip_header X-Forwarded-For;"
--- more_headers eval
["$::Json\nX-Forwarded-For: 203.0.113.7", "$::Json\nX-Forwarded-For: 203.0.113.7",
 "$::Json\nX-Forwarded-For: 203.0.113.7", "$::Json\nX-Forwarded-For: 198.51.100.20",
 "$::Json\nX-Forwarded-For: 198.51.100.20"]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Giả mạo số 1","lat":22.4,"lng":103.4,"reporter_name":"X","reporter_phone":"0912777888"}',
 "POST /api/v1/reports\n" . '{"content":"Giả mạo số 2","lat":22.4,"lng":103.4,"reporter_name":"X","reporter_phone":"0912777888"}',
 "POST /api/v1/reports\n" . '{"content":"Giả mạo số 3","lat":22.4,"lng":103.4,"reporter_name":"X","reporter_phone":"0912777888"}',
 "POST /api/v1/reports\n" . '{"content":"Đèn đường hỏng trước nhà","lat":22.4,"lng":103.4,"reporter_name":"Chủ số","reporter_phone":"0912777888"}',
 "POST /api/v1/reports\n" . '{"content":"Cống tắc trước nhà","lat":22.4,"lng":103.4,"reporter_name":"Chủ số","reporter_phone":"0912777888"}']
--- error_code eval
[201, 201, 429, 201, 201]



=== TEST 17c: pa_limit phone needs pa_redis
--- http_config
    pa_limit phone rate=5r/h;
--- config
    location /api/v1/ { return 204; }
--- must_die
--- error_log
"pa_limit phone" need "pa_redis"



=== TEST 18: a rate needs r/s, r/m or r/h
--- http_config eval
"pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;\npa_tenant t_limit;\n$::Common
pa_limit_zone 1m;\npa_limit addr rate=5;"
--- must_die
--- error_log
invalid rate "rate=5"



=== TEST 19: one zone per http block
--- http_config eval
"pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;\npa_tenant t_limit;\n$::Common
pa_limit_zone 1m;\npa_limit_zone 2m;\npa_limit addr rate=1r/m;"
--- must_die
--- error_log
"pa_limit_zone" directive is duplicate



=== TEST 20: the same rule twice
--- http_config eval
"pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;\npa_tenant t_limit;\n$::Common
pa_limit_zone 1m;\npa_limit addr rate=1r/m burst=3;\npa_limit addr burst=3 rate=1r/m;"
--- must_die
--- error_log
"pa_limit" directive is duplicate
