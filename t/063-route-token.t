# Whether a route's answer hangs on a staff token is a property the route
# declares in the router's table (ngx_pa_routes[] in ngx_pa_api.c), not a
# list of handlers: a fresh worker holds a request with a staff token until
# it has read the revoked tokens once (t/052), and never holds one to a
# route that does not read that token, even when the caller sends one (the
# IOC's browser sends its token to the public pages and the directory too).
#
# One worker, so "the new worker" is the one that answers.  Redis is
# stopped (SIGSTOP) while the worker starts: the waits are for conditions
# (a new worker pid, a line in error.log, an answer), never fixed sleeps,
# and pa_redis timeout= is long, so a loaded machine does not turn the
# parked request into a 503.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use t::PaWorker;
use IO::Select;

$Test::Nginx::Util::ForceRestartOnTest = 0;
master_on();
workers(1);

fresh('t_route_tok');

our $Now = time;
our $Good = sign({ role => 'ioc', sub => 'ioc-an', jti => 'j-an',
                   iat => $Now - 60, exp => $Now + 3600 });

sub main::ask { return main::answer(main::send_req(@_)) }

setting(config => <<'_EOC_', http_config => <<'_EOC_');
    location /api/v1/ { pa_api; }
_EOC_
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT timeout=60s;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_route_tok;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_auth_max_ttl 12h;
_EOC_

run_tests();

__DATA__

=== TEST 1: Redis answers: the staff token is taken on the queue, the directory and the public list
--- init
for my $path (qw(/api/v1/queue /api/v1/directory /api/v1/public/reports)) {
    Test::More::is(main::ask('GET', $path, $::Good)->{status}, 200,
                   "$path: 200");
}
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 2: a fresh worker while Redis is stopped: the directory answers a staff token at once, the queue's request waits for the first read, the public list's never waits; all three 200 once Redis goes on
--- init
my $old = (main::nginx_workers())[0];
kill 'STOP', $t::PaTest::RedisPid;
kill 'HUP', main::master();
main::new_worker($old);
my $before = main::parked();
my $queue = main::send_req('GET', '/api/v1/queue', $::Good);
main::until('the queue waits for the first read',
            sub { main::parked() > $before });
my $public = main::send_req('GET', '/api/v1/public/reports', $::Good);
my $dir = main::ask('GET', '/api/v1/directory', $::Good);
Test::More::is($dir->{status}, 200, 'the directory: 200 while Redis is stopped');
Test::More::like($dir->{body}, qr/"agencies"/, '... the directory itself');
Test::More::ok(!IO::Select->new($queue)->can_read(0),
               'the queue is still waiting meanwhile');
kill 'CONT', $t::PaTest::RedisPid;
my $a = main::answer($queue);
Test::More::is($a->{status}, 200, 'the queue: 200 once the set is read');
$a = main::answer($public);
Test::More::is($a->{status}, 200, 'the public list: 200');
Test::More::is(main::parked(), $before + 1,
               'only the queue waited: not the public list, nor the directory');
--- request
GET /api/v1/health
--- error_code: 200
