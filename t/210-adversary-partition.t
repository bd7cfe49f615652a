# The network drops every packet between nginx and Redis (a firewall, a
# cut link: no RST, nothing answers), then heals.  Redis runs in a
# network namespace of its own behind a veth pair, and iptables inside it
# drops what crosses; Lai Châu's profile as shipped.
# - Packets to Redis dropped: a submission is answered 503 after the
#   reply timeout; the worker closed its connection, but the kernel
#   still holds the call and sends it again once the path heals, and
#   Redis runs it then, seconds later: it writes nothing (its deadline
#   passed, redis-scripts/lib/late.lua); the node reconnects by itself
#   and the retry is stored once.
# - Redis's replies dropped: the call ran in time and stored the report,
#   the client got 503 all the same (what README calls what is left);
#   its retry gets the original 201, the same id, and one report.
# No worker dies.  Needs root, `ip netns` and iptables (Debian's
# iptables package): skipped where the machine allows no namespace.
use Test::Nginx::Socket;
use lib '.';
use t::PaTest;
use t::PaIdem;
use t::PaWorker;
use IO::Select;
use IO::Socket::INET;
use JSON::PP;
use POSIX ();
use Time::HiRes ();

our $P = 'pa:{laichau}:';

# a namespace, a veth pair and a /30 of their own (two suites of this
# file never run at once; the pid keeps a killed run's leftovers apart)
our $Ns = "pa$$";
our $Net = '10.251.' . ($$ % 250) . '.';
our ($Host, $Peer) = ($Net . '1', $Net . '2');

sub sh { system(@_) == 0 }
sub in_ns { sh('ip', 'netns', 'exec', $Ns, @_) }

# what a run killed before its END left: its namespace and veth
sub sweep_leftovers {
    for (`ip netns list 2>/dev/null`) {
        my ($pid) = /^pa(\d+)\b/ or next;
        next if kill 0, $pid;
        system("ip netns pids pa$pid 2>/dev/null | xargs -r kill -9; "
               . "ip netns del pa$pid 2>/dev/null; "
               . "ip link del h$pid 2>/dev/null");
    }
}

sub netns_up {
    return 0 unless $> == 0;
    sweep_leftovers();
    return 0 unless sh("ip netns add $Ns 2>/dev/null");
    return sh("ip link add h$$ type veth peer name n$$ 2>/dev/null")
        && sh('ip', 'link', 'set', "n$$", 'netns', $Ns)
        && sh('ip', 'addr', 'add', "$Host/30", 'dev', "h$$")
        && sh('ip', 'link', 'set', "h$$", 'up')
        && in_ns('ip', 'addr', 'add', "$Peer/30", 'dev', "n$$")
        && in_ns('ip', 'link', 'set', "n$$", 'up')
        && in_ns('ip', 'link', 'set', 'lo', 'up')
        && sh("ip netns exec $Ns iptables -L INPUT -n >/dev/null 2>&1");
}

END { system("ip netns del $Ns 2>/dev/null; ip link del h$$ 2>/dev/null") }

if (!netns_up()) {
    plan(skip_all => 'no network namespace with iptables here (root, '
                     . 'ip netns, iptables)');
}

# the suite's Redis gives way to one inside the namespace
kill 'TERM', $t::PaTest::RedisPid;
waitpid $t::PaTest::RedisPid, 0;
our $Port = $ENV{TEST_NGINX_REDIS_PORT} = 6379;
$t::PaTest::RedisHost = $Peer;
$t::PaTest::RedisPid = fork // die "fork: $!";
if ($t::PaTest::RedisPid == 0) {
    open STDOUT, '>', '/dev/null';
    { exec 'ip', 'netns', 'exec', $Ns, 'redis-server', '--bind', $Peer,
           '--port', $Port, '--save', '', '--appendonly', 'no',
           '--protected-mode', 'no'; }
    POSIX::_exit(127);
}
main::until('Redis answers in its namespace', sub {
    IO::Socket::INET->new(PeerAddr => $Peer, PeerPort => $Port,
                          Timeout => 1) });

# what crosses to Redis's port (dport) or from it (sport) is dropped
sub drop {
    in_ns('iptables', '-I', $_[0], '-p', 'tcp', "--$_[1]", $Port, '-j',
          'DROP') or die "iptables -I $_[0] failed\n";
}
sub heal {
    in_ns('iptables', '-D', $_[0], '-p', 'tcp', "--$_[1]", $Port, '-j',
          'DROP') or die "iptables -D $_[0] failed\n";
}

our $Http = idem_http("    pa_record_compat off;\n");
$Http =~ s/pa_redis 127\.0\.0\.1:/pa_redis $Peer:/ or die 'no pa_redis';

idem_blocks(sub { $Http });

plan('no_plan');

run_tests();

# the scripts Redis ran (EVALSHA and EVAL, the NOSCRIPT path's)
sub script_calls {
    my $n = 0;
    my $stats = main::redis('INFO', 'commandstats');
    $n += $1 while $stats =~ /^cmdstat_eval(?:sha)?:calls=(\d+)/mg;
    return $n;
}

__DATA__

=== TEST 1: packets to Redis dropped: the submission gets 503 after the timeout; the path heals, the kernel sends the call again and Redis runs it seconds late: nothing written; the node reconnects by itself; the retry is stored once; the same workers
--- init
main::fresh('laichau');
main::healthy();
my $workers = join ' ', sort { $a <=> $b } main::nginx_workers();
my $n = main::reports();
my $late0 = main::late_calls();
my $calls0 = main::script_calls();
my $body = main::json_report('Cống thoát nước tắc, nước tràn mặt đường');

main::drop('INPUT', 'dport');
my $t0 = Time::HiRes::time();
my $ans = main::answer(main::send_http('POST', '/api/v1/reports',
    main::hd('Idempotency-Key' => 'part-in-0001'), $body));
Test::More::is("$ans->{status} $ans->{code}", '503 unavailable',
               'partitioned: 503 unavailable');
Test::More::ok(Time::HiRes::time() - $t0 >= 1.9,
               '... after the reply timeout');
Test::More::ok(defined $ans->{retry}, '... with Retry-After');
my ($s2) = main::call('POST', '/api/v1/reports',
                      main::hd('Idempotency-Key' => 'part-in-0002'),
                      main::json_report('Đường ngập sâu 40 cm'));
Test::More::is($s2, 503, 'another submission while partitioned: 503');
Time::HiRes::sleep(1);
main::heal('INPUT', 'dport');

main::until('the dropped call reached Redis (sent again by the kernel)',
            sub { main::script_calls() > $calls0 });
Test::More::is(main::late_calls() - $late0, 1, '... and was refused as late');
Test::More::is(main::reports(), $n, 'nothing of the 503s was stored');
main::healthy();
my $h = main::hd('Idempotency-Key' => 'part-in-0001');
my ($r1, $b1) = main::call('POST', '/api/v1/reports', $h, $body);
my ($r2, $b2) = main::call('POST', '/api/v1/reports', $h, $body);
Test::More::is("$r1 $r2", '201 201', 'the retry: stored, then replayed');
Test::More::is($b2, $b1, '... the same answer');
Test::More::is(main::reports(), $n + 1, 'exactly one report more');
Test::More::is(join(' ', sort { $a <=> $b } main::nginx_workers()),
               $workers, 'the same workers: none died');
--- error_log
pa redis: reply timed out



=== TEST 2: Redis's replies dropped: the submission ran in time and was stored, the client got 503 all the same; its retry after the heal gets the original 201 (the same id), one report
--- init
main::fresh('laichau');
main::healthy();
my $n = main::reports();
my $late0 = main::late_calls();
my $body = main::json_report('Mất điện cả khu phố từ sáng');

main::drop('OUTPUT', 'sport');
my $ans = main::answer(main::send_http('POST', '/api/v1/reports',
    main::hd('Idempotency-Key' => 'part-out-0001'), $body));
Test::More::is("$ans->{status} $ans->{code}", '503 unavailable',
               'replies dropped: 503 unavailable');
main::heal('OUTPUT', 'sport');
Test::More::is(main::reports(), $n + 1,
               'the call ran in time: its report is there');
main::healthy();
my $h = main::hd('Idempotency-Key' => 'part-out-0001');
my ($r1, $b1) = main::call('POST', '/api/v1/reports', $h, $body);
my ($r2, $b2) = main::call('POST', '/api/v1/reports', $h, $body);
Test::More::is("$r1 $r2", '201 201', 'the retry gets 201, twice');
Test::More::is($b2, $b1, '... the same answer');
my $id = JSON::PP->new->decode($b1)->{id};
Test::More::is(main::redis('EXISTS', "${main::P}r:$id"), 1,
               '... naming the report stored by the first call');
Test::More::is(main::reports(), $n + 1, 'one report');
Test::More::is(main::late_calls(), $late0, 'nothing was late');
--- error_log
pa redis: reply timed out
