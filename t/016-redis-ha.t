# pa_redis for a replicated Redis (issue 15 item 1): wait=N answers a
# write once N replicas hold it, and 503 with Retry-After when they do
# not in time; reads never wait; a replica answering READONLY is dropped
# (503); sentinel= without a sentinel that names
# the primary is 503, never a hang; a pa_redis line that cannot work
# stops nginx with a clear [emerg].  The failover itself runs for real in
# tests/integration/sentinel-failover.t.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use POSIX ();

# a replica of the file's Redis, stopped when the file ends
our $ReplicaPort = t::PaTest::free_port();
our $ReplicaPid = fork // die "fork: $!";
if ($ReplicaPid == 0) {
    open STDOUT, '>', '/dev/null';
    { exec 'redis-server', '--bind', '127.0.0.1', '--port', $ReplicaPort,
           '--save', '', '--appendonly', 'no', '--dir', $t::PaTest::Data,
           '--replicaof', '127.0.0.1', $ENV{TEST_NGINX_REDIS_PORT}; }
    POSIX::_exit(127);
}
END { if ($ReplicaPid) { kill 'TERM', $ReplicaPid; waitpid $ReplicaPid, 0 } }

# in sync before the first block
for (1 .. 100) {
    last if `redis-cli -p $ENV{TEST_NGINX_REDIS_PORT} INFO replication`
            =~ /^slave0:.*state=online/m;
    select undef, undef, undef, 0.1;
}

our $Rest = <<'_EOC_';
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_ha;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
_EOC_

our $Primary = "    pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT";

our $Json = "Content-Type: application/json";

sub report {
    my $n = shift;
    return qq({"content":"Cây đổ chắn đường số $n","lat":22.39,)
         . qq("lng":103.45,"reporter_name":"Lò Thị H",)
         . qq("reporter_phone":"097100000$n"});
}

# WAIT returns at the replica's ack: the generous timeout only bounds a
# failure, and keeps a slow ack on a loaded machine from being one
setting(http_config => "$Primary wait=1 wait_timeout=3s timeout=5s;\n$Rest");

run_tests();

__DATA__

=== TEST 1: wait=1 with a replica in sync: the report is answered 201, acknowledged by the replica
--- init
main::fresh('t_ha');
--- more_headers eval
"$::Json\nIdempotency-Key: ha-1"
--- request eval
"POST /api/v1/reports\n" . ::report(1)
--- error_code: 201
--- response_body_like: "access_token":"
--- no_error_log
replicas after



=== TEST 2: wait=2 with one replica: the write is not held by two, 503 with Retry-After
--- init
Test::More::is(`redis-cli -p $::ReplicaPort EVAL "return #redis.call('KEYS', ARGV[1])" 0 'pa:{t_ha}:r:*'`, "1\n",
               'the replica holds the report answered 201');
--- http_config eval
"$::Primary wait=2 wait_timeout=100ms;\n$::Rest"
--- more_headers eval
"$::Json\nIdempotency-Key: ha-3"
--- request eval
"POST /api/v1/reports\n" . ::report(3)
--- error_code: 503
--- response_headers_like
Retry-After: \d+
--- response_body_like: "code":"unavailable"
--- error_log
"submit" held by 1 of 2 replicas after 100 ms, answered 503



=== TEST 3: ... its retry with the same key once one replica is asked for: 201
--- more_headers eval
"$::Json\nIdempotency-Key: ha-3"
--- request eval
"POST /api/v1/reports\n" . ::report(3)
--- error_code: 201
--- response_body_like: "access_token":"



=== TEST 4: reads never wait: health is 200 with wait=2
--- init
Test::More::is(main::redis('EVAL', "return #redis.call('KEYS', ARGV[1])", '0',
                           'pa:{t_ha}:r:*'), '2',
               'the refused write and its retry are one report, not two');
--- http_config eval
"$::Primary wait=2 wait_timeout=100ms;\n$::Rest"
--- request
GET /api/v1/health
--- error_code: 200
--- no_error_log
replicas after



=== TEST 5: pa_redis naming a replica (a failover nobody told it of): a submission is 503 with Retry-After, and the worker drops the node
--- http_config eval
"    pa_redis 127.0.0.1:$::ReplicaPort;\n$::Rest"
--- more_headers: Content-Type: application/json
--- request eval
"POST /api/v1/reports\n" . ::report(5)
--- error_code: 503
--- response_headers_like
Retry-After: \d+
--- response_body_like: "code":"unavailable"
--- error_log eval
qr/pa redis: "READONLY [^"]*" from "127\.0\.0\.1:\d+", asking again/



=== TEST 6: sentinel= naming a node that is no sentinel: the primary is unknown, a submission is 503 with Retry-After, at once
--- http_config eval
"    pa_redis sentinel=127.0.0.1:\$TEST_NGINX_REDIS_PORT master=pa"
. " connect_timeout=200ms timeout=500ms;\n$::Rest"
--- more_headers: Content-Type: application/json
--- request eval
"POST /api/v1/reports\n" . ::report(6)
--- error_code: 503
--- response_headers_like
Retry-After: \d+
--- response_body_like: "code":"unavailable"
--- wait: 0.5
--- error_log eval
[qr/sentinel "127\.0\.0\.1:\d+" refused: ERR unknown command/,
 qr/no sentinel named the primary/]



=== TEST 7: sentinel= without master= stops nginx
--- http_config eval
"    pa_redis sentinel=127.0.0.1:26379;\n$::Rest"
--- must_die
--- error_log
"sentinel=" and "master=" go together



=== TEST 8: master= without sentinel= stops nginx
--- http_config eval
"$::Primary master=pa;\n$::Rest"
--- must_die
--- error_log
"sentinel=" and "master=" go together



=== TEST 9: an address and sentinel= stops nginx: the sentinels name the primary
--- http_config eval
"$::Primary sentinel=127.0.0.1:26379 master=pa;\n$::Rest"
--- must_die
--- error_log
an address and "sentinel=": the sentinels name the primary



=== TEST 10: a sentinel address that is none stops nginx
--- http_config eval
"    pa_redis sentinel=127.0.0.1:26379,127.0.0.1:99999 master=pa;\n$::Rest"
--- must_die
--- error_log
invalid sentinel address "127.0.0.1:99999"



=== TEST 11: wait=17 stops nginx
--- http_config eval
"$::Primary wait=17;\n$::Rest"
--- must_die
--- error_log
the number of replicas to wait for is 0 to 16



=== TEST 12: a wait_timeout= the reply timeout would cut off stops nginx
--- http_config eval
"$::Primary wait=1 wait_timeout=2s;\n$::Rest"
--- must_die
--- error_log
"pa_redis": wait_timeout=2000 is not shorter than timeout=2000



=== TEST 13: wait_timeout= without wait= stops nginx
--- http_config eval
"$::Primary wait_timeout=50ms;\n$::Rest"
--- must_die
--- error_log
"wait_timeout=" needs "wait="
