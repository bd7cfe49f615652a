# A worker that has just started ("nginx -s reload", or respawned by the
# master after a crash) knows no revoked token until its first read of
# the tenant's set comes back from Redis.  It used to take a revoked
# staff token meanwhile: one Redis round trip after a start, as long as
# Redis stalls or is down.  Now a request with a staff token waits for
# that read (parked, up to pa_redis timeout=) and is answered 503
# "unavailable" with Retry-After if it does not come; requests without a
# staff token (a citizen's submission, the public pages) never wait.
#
# One worker, so "the new worker" is the one that answers.  The waits
# are for conditions (a new worker pid, a line in error.log, an answer),
# never fixed sleeps: the machine may be loaded.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use t::PaWorker;
use Time::HiRes ();

$Test::Nginx::Util::ForceRestartOnTest = 0;
master_on();
workers(1);

fresh('t_revoke_s');

our $Now = time;

sub token {
    my ($sub, $jti, $role) = @_;
    return sign({ role => $role // 'ioc', sub => $sub, jti => $jti,
                  iat => $Now - 60, exp => $Now + 3600 });
}

our %K = (
    phone => token('ioc-binh', 'j-phone'),      # lost, revoked in TEST 1
    good  => token('ioc-an', 'j-good'),
);

our $Set = 'pa:{t_revoke_s}:revoked';

sub main::ask { return main::answer(main::send_req(@_)) }

our $R = 0;

sub main::report {
    $R++;
    return '{"content":"Đèn đường hỏng trước số ' . $R . ' Lê Lợi",'
           . '"lat":22.396,"lng":103.458,"reporter_name":"Lò Thị B",'
           . '"reporter_phone":"0912 345 67' . ($R % 10) . '",'
           . '"channel":"app"}';
}

# the blocks that kill a worker (only_kill_alerts() checks the [alert]s)
main::kill_blocks(qr/kill -9|the log/);

setting(config => <<'_EOC_', http_config => <<'_EOC_');
    location /api/v1/ { pa_api; }
_EOC_
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT timeout=4s;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_revoke_s;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_auth_max_ttl 12h;
_EOC_

run_tests();

__DATA__

=== TEST 1: the phone's token revoked (on another node: only in Redis, not in this node's ring): refused; another token taken
--- init
Test::More::is(main::ask('GET', '/api/v1/queue', $::K{phone})->{status},
               200, 'the phone is taken before');
main::redis('ZADD', $::Set, $::Now, 'jti:j-phone');
main::until('the revoked token refused', sub {
    main::ask('GET', '/api/v1/queue', $::K{phone})->{status} == 401 });
Test::More::is(main::ask('GET', '/api/v1/queue', $::K{good})->{status},
               200, 'the good token is taken');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 2: reload while Redis is stopped: the new worker cannot read the set: a staff token gets 503 (never 200), after a bounded wait
--- init
my $old = (main::nginx_workers())[0];
kill 'STOP', $t::PaTest::RedisPid;
kill 'HUP', main::master();
main::new_worker($old);
for my $who (qw(phone good)) {
    my $a = main::ask('GET', '/api/v1/queue', $::K{$who});
    Test::More::is($a->{status}, 503, "$who: 503, not taken");
    Test::More::is($a->{code}, 'unavailable', "$who: unavailable");
    Test::More::ok($a->{retry}, "$who: Retry-After $a->{retry}");
}
# an action too (a route that reads its body): refused before the body
my $a = main::ask('POST', '/api/v1/reports/X-1/actions', $::K{phone},
                  '{"action":"verify"}');
Test::More::is($a->{status}, 503, 'an action of the phone: 503');
# the citizen's submission does not wait for the set, but needs Redis to
# be kept: the contract's 503, nothing kept
$a = main::ask('POST', '/api/v1/reports', undef, main::report());
Test::More::is($a->{status}, 503, "a citizen's submission: 503");
Test::More::is($a->{code}, 'unavailable', '... unavailable');
--- request
GET /api/v1/directory
--- error_code: 200
--- error_log
the revoked tokens were not read in 4000 ms



=== TEST 3: Redis goes on: the new worker reads the set: the revoked token gets 401, the other one 200
--- init
kill 'CONT', $t::PaTest::RedisPid;
my %seen;
main::until('the revoked token refused', sub {
    my $st = main::ask('GET', '/api/v1/queue', $::K{phone})->{status};
    $seen{$st}++;
    return $st == 401;
});
Test::More::is(join(',', grep { $_ != 401 && $_ != 503 } keys %seen), '',
               'meanwhile only 503 (never taken)');
Test::More::is(main::ask('GET', '/api/v1/queue', $::K{good})->{status},
               200, 'the good token is taken');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 4: the set cannot be read (not a set): staff wait and get 503, citizens and the public pages do not wait
--- init
main::redis('RENAME', $::Set, "$::Set.kept");
main::redis('SET', $::Set, 'not a set');
my $old = (main::nginx_workers())[0];
kill 'HUP', main::master();
my $worker = main::new_worker($old);
my $before = main::parked();
my $staff = main::send_req('GET', '/api/v1/queue', $::K{good});
main::until('the staff request waits', sub { main::parked() > $before });
# a client that gives up while its request waits: it leaves the queue
my $gone = main::send_req('GET', '/api/v1/stats', $::K{good});
main::until('the second one waits', sub { main::parked() > $before + 1 });
my $closed = () = main::errlog() =~ /client prematurely closed/g;
close $gone;
main::until('the worker sees it gone', sub {
    my $n = () = main::errlog() =~ /client prematurely closed/g;
    return $n > $closed;
});
my $a = main::ask('POST', '/api/v1/reports', undef, main::report());
Test::More::is($a->{status}, 201, "a citizen's submission: 201, meanwhile");
$a = main::ask('GET', '/api/v1/public/reports', undef);
Test::More::is($a->{status}, 200, 'the public list: 200, meanwhile');
$a = main::answer($staff);
Test::More::is($a->{status}, 503, 'the staff token: 503 in the end');
Test::More::is($a->{code}, 'unavailable', '... unavailable');
main::redis('DEL', $::Set);
main::redis('RENAME', "$::Set.kept", $::Set);
main::until('the revoked token refused', sub {
    main::ask('GET', '/api/v1/queue', $::K{phone})->{status} == 401 });
Test::More::is(main::ask('GET', '/api/v1/queue', $::K{good})->{status},
               200, 'the good token is taken once the set is read');
Test::More::is((main::nginx_workers())[0], $worker, 'the same worker');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 5: kill -9 the worker, Redis fine: the respawned worker refuses the revoked token from its first request
--- init
my $old = (main::nginx_workers())[0];
kill 'KILL', $old;
main::new_worker($old);
Test::More::is(main::ask('GET', '/api/v1/queue', $::K{phone})->{status},
               401, 'the first request: the revoked token refused');
Test::More::is(main::ask('GET', '/api/v1/queue', $::K{good})->{status},
               200, 'the good token is taken');
main::only_kill_alerts(1);
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 6: kill -9 the worker while Redis is stopped: the revoked token waits for the first read, then gets 401
--- init
my $old = (main::nginx_workers())[0];
my $before = main::parked();
kill 'STOP', $t::PaTest::RedisPid;
kill 'KILL', $old;
main::new_worker($old);
my $s = main::send_req('GET', '/api/v1/queue', $::K{phone});
main::until('the request waits', sub { main::parked() > $before });
kill 'CONT', $t::PaTest::RedisPid;
my $a = main::answer($s);
Test::More::is($a->{status}, 401, 'refused once the set is read');
Test::More::is(main::ask('GET', '/api/v1/queue', $::K{good})->{status},
               200, 'the good token is taken');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 7: the log: the two kills are its only alerts
--- init
main::only_kill_alerts(2);
--- request
GET /api/v1/health
--- error_code: 200
