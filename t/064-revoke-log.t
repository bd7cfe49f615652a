# A fresh worker reads the revoked tokens every 50 ms until its first read
# comes back (t/052): 20 attempts a second, so that its parked staff
# requests go on as soon as Redis answers.  While Redis answers each with
# an error (LOADING as it starts, a NOPERM of its ACL, here), the error
# log had one "revoked tokens not read" line per attempt; now it has the
# first, then at most one every 5 s saying how many attempts failed since,
# and the worker still serves staff requests once Redis answers.  Redis
# stopped outright (SIGSTOP) answers nothing: the read in flight waits for
# pa_redis timeout= and no such line is written (the adapter logs its own
# timeouts and failed connects, with its own back-off).
#
# One worker, so "the new worker" is the one that answers.  The waits are
# for conditions, never fixed sleeps but for the span the lines are
# counted over, and pa_redis timeout= is long, so a loaded machine does
# not turn the parked request into a 503.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use t::PaWorker;
use Time::HiRes ();

$Test::Nginx::Util::ForceRestartOnTest = 0;
master_on();
workers(1);

fresh('t_revoke_log');

our $Now = time;
our $Good = sign({ role => 'ioc', sub => 'ioc-an', jti => 'j-an',
                   iat => $Now - 60, exp => $Now + 3600 });

# the "not read" lines of one worker
sub main::not_read {
    my $pid = shift;
    return grep { /\[error\] $pid#\d+: .*revoked tokens not read/ }
           split /\n/, main::errlog();
}

setting(config => <<'_EOC_', http_config => <<'_EOC_');
    location /api/v1/ { pa_api; }
_EOC_
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT timeout=60s;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_revoke_log;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
_EOC_

run_tests();

__DATA__

=== TEST 1: Redis answers: the staff token is taken
--- init
Test::More::is(main::answer(main::send_req('GET', '/api/v1/queue', $::Good))
               ->{status}, 200, 'the queue: 200');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 2: a fresh worker whose reads Redis refuses: the first "not read" logged, then one line per 5 s with the attempts failed since; once Redis answers, the parked staff request is served
--- init
main::redis('ACL', 'SETUSER', 'default', '-zrange');
my $old = (main::nginx_workers())[0];
kill 'HUP', main::master();
my $pid = main::new_worker($old);
main::until('the first line', sub { main::not_read($pid) >= 1 });
my $t0 = Time::HiRes::time();
my $before = main::parked();
my $queue = main::send_req('GET', '/api/v1/queue', $::Good);
main::until('the queue waits', sub { main::parked() > $before });
# the lines over 6 s and more: at 20 attempts a second, 120 before
Time::HiRes::sleep(0.2) while Time::HiRes::time() - $t0 < 6.5;
my @lines = main::not_read($pid);
my $span = Time::HiRes::time() - $t0;
Test::More::cmp_ok(scalar @lines, '>=', 2, 'a second line after 5 s');
Test::More::cmp_ok(scalar @lines, '<=', 2 + int($span / 5),
                   "at most one line per 5 s over ${span}s")
    or Test::More::diag(join "\n", @lines);
Test::More::like($lines[0], qr/not read: NOPERM[^(]*$/,
                 "the first: Redis's word, no count");
my ($n) = $lines[1] =~ /\((\d+) attempts failed since the last line\)$/;
Test::More::cmp_ok($n // 0, '>=', 2,
                   'the second: how many attempts failed since');
main::redis('ACL', 'SETUSER', 'default', '+zrange');
my $a = main::answer($queue);
Test::More::is($a->{status}, 200, 'the parked queue: 200 once Redis answers');
Test::More::is(main::answer(main::send_req('GET', '/api/v1/queue', $::Good))
               ->{status}, 200, 'the next one too');
Test::More::like(main::errlog(), qr/\Q$pid\E#\d+: .*revoked tokens read again \(after \d+ more failed attempts\)/,
                 'the worker says it reads again');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 3: a fresh worker while Redis is stopped (SIGSTOP): no reply comes, so nothing is retried behind the read in flight and no "not read" line is written; once Redis goes on the parked staff request is served
--- init
my $old = (main::nginx_workers())[0];
kill 'STOP', $t::PaTest::RedisPid;
kill 'HUP', main::master();
my $pid = main::new_worker($old);
my $before = main::parked();
my $queue = main::send_req('GET', '/api/v1/queue', $::Good);
main::until('the queue waits', sub { main::parked() > $before });
my $t0 = Time::HiRes::time();
Time::HiRes::sleep(0.2) while Time::HiRes::time() - $t0 < 3;
my @lines = main::not_read($pid);
kill 'CONT', $t::PaTest::RedisPid;
Test::More::is(scalar @lines, 0, 'no "not read" line over 3 s')
    or Test::More::diag(join "\n", @lines);
my $a = main::answer($queue);
Test::More::is($a->{status}, 200, 'the parked queue: 200 once Redis goes on');
--- request
GET /api/v1/health
--- error_code: 200
