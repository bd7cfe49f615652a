# A 503 keeps nothing, even when Redis runs the call later (api.md: 503
# unavailable, "nothing of the request is kept").  A worker answers 503
# when Redis's reply does not come within pa_redis timeout= (2 s as
# shipped) and closes the connection; the call may still sit in Redis's
# socket (Redis stopped, swapping, a long fork) and run when Redis goes
# on.  Each writing call carries a deadline in Redis's own clock (half
# the timeout after it was sent; the worker reads Redis's TIME and keeps
# the offset to its own monotonic clock, so the two hosts' clocks need
# not agree: here they differ by 56 years, boot time against the epoch)
# and the script writes nothing once it has passed
# (redis-scripts/lib/late.lua).  SIGSTOP of this file's Redis, Lai
# Châu's profile as shipped:
# - stopped past the timeout: a JSON submission, one with a photo, an
#   action and a token revocation are each answered 503; Redis goes on
#   and runs all four (its errorstats count them), and none wrote
#   anything; each retry then succeeds once;
# - stopped past the deadline but not the timeout: Redis's refusal comes
#   back in time and is answered 503 at once, counted and logged;
# - stopped for less than the deadline: the slow call is stored, 201.
# On the code before the deadline, the first two stored what they were
# refused for.  No worker dies.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use t::PaIdem;
use t::PaWorker;
# this file's Redis, on a port of its own: stopped and continued here
use t::PaAofRedis;
use IO::Select;
use IO::Socket::INET;
use JSON::PP;
use Time::HiRes ();

our $P = 'pa:{laichau}:';

our $Http = idem_http("    pa_record_compat off;\n");

idem_blocks(sub { $Http }, originals() . <<'_EOC_');
    location = /metrics {
        pa_metrics;
    }
_EOC_

run_tests();

sub decode { JSON::PP->new->decode($_[0]) }

sub sleep_until {
    my $d = $_[0] - Time::HiRes::time();
    Time::HiRes::sleep($d) if $d > 0;
}

__DATA__

=== TEST 1: Redis stopped past the reply timeout: a JSON submission, a submission with a photo, an action and a revocation are answered 503; Redis then runs all four, and none wrote anything; each retry succeeds once; the same workers
--- init
main::fresh('laichau');
my $workers = join ' ', sort { $a <=> $b } main::nginx_workers();
my ($s, $bd) = main::call('POST', '/api/v1/reports',
                         main::hd('Idempotency-Key' => 'late-base-0001'),
                         main::json_report('Đèn tín hiệu giao lộ tắt'));
Test::More::is($s, 201, 'a report to act on: 201');
my $base = main::decode($bd);
my $n = main::reports();
my $late0 = main::late_calls();

my %req = main::four_writes('late', $base->{id});

kill 'STOP', $t::PaTest::RedisPid;
my %sock = map { $_ => main::send_http(@{$req{$_}}) } sort keys %req;
main::until('a call waits in Redis\'s socket', \&main::redis_unread);
my %ans = map { $_ => main::answer($sock{$_}) } sort keys %sock;
for my $k (sort keys %ans) {
    Test::More::is("$ans{$k}{status} $ans{$k}{code}", '503 unavailable',
                   "$k: 503 unavailable after the reply timeout");
}
main::redis_cont();

Test::More::ok(main::late_calls() - $late0 >= 3,
               'Redis ran the calls that waited, each past its deadline ('
               . (main::late_calls() - $late0) . ' refused)');
Test::More::is(main::reports(), $n, 'no report of the two submissions');
Test::More::is(main::redis('HGET', "${main::P}r:$base->{id}", 'status'),
               'submitted', 'the action did not happen');
Test::More::is(main::redis('ZSCORE', "${main::P}revoked", 'jti:late-jti-0001'),
               '', 'the token is not revoked');

# the retries: each is done once, as if the first had never come
main::stored_once(\%req);
my ($sa, $ba) = main::call(@{$req{action}});
Test::More::is($sa, 200, 'the action\'s retry: 200');
Test::More::is(main::decode($ba)->{status}, 'rejected', '... rejected now');
my ($sv) = main::call(@{$req{revoke}});
Test::More::is($sv, 200, 'the revocation\'s retry: 200');
Test::More::ok(main::redis('ZSCORE', "${main::P}revoked", 'jti:late-jti-0001') ne '',
               '... revoked now');
Test::More::is(join(' ', sort { $a <=> $b } main::nginx_workers()),
               $workers, 'the same workers: none died');



=== TEST 2: Redis stopped past a call's deadline but not its timeout: the script's refusal comes back in time, answered 503 at once (before the timeout), counted as late in the metrics and logged; nothing stored; the retry 201
--- init
main::fresh('laichau');
my $n = main::reports();
my $late0 = main::late_calls();
my $json = main::json_report('Cây gãy đè lên dây điện đường Lê Lợi');
my $h = main::hd('Idempotency-Key' => 'late-json-0002');
# the worker has read Redis's clock (its TIME goes before a health PING)
main::healthy();

kill 'STOP', $t::PaTest::RedisPid;
my $t0 = Time::HiRes::time();
my $sock = main::send_http('POST', '/api/v1/reports', $h, $json);
main::until('the submission waits in Redis\'s socket', \&main::redis_unread);
# the deadline is 1 s after the call was sent, the timeout 2 s
main::sleep_until($t0 + 1.5);
main::redis_cont();
my $ans = main::answer($sock);
my $took = Time::HiRes::time() - $t0;
Test::More::is("$ans->{status} $ans->{code}", '503 unavailable',
               'the late submission: 503 unavailable');
Test::More::ok(defined $ans->{retry}, '... with Retry-After');
Test::More::ok($took < 1.9, sprintf('... answered by Redis\'s refusal, '
               . 'before the 2 s timeout (%.2f s)', $took));
Test::More::is(main::late_calls() - $late0, 1, 'Redis refused one call');
Test::More::is(main::reports(), $n, 'nothing stored');
my ($sm, $bm) = main::call('GET', '/metrics');
Test::More::like($bm, qr/^pa_redis_call_errors_total\{kind="late"\} [1-9]/m,
                 'the metrics count it as late');
my ($s1) = main::call('POST', '/api/v1/reports', $h, $json);
Test::More::is($s1, 201, 'the retry: 201');
Test::More::is(main::reports(), $n + 1, 'one report');
--- error_log
ran after its deadline



=== TEST 3: a call only slowed (Redis stopped 0.3 s, under the 1 s deadline) is stored: 201, none refused
--- init
main::fresh('laichau');
my $n = main::reports();
my $late0 = main::late_calls();
my $h = main::hd('Idempotency-Key' => 'late-json-0003');
main::healthy();

kill 'STOP', $t::PaTest::RedisPid;
my $sock = main::send_http('POST', '/api/v1/reports', $h,
                           main::json_report('Rác thải đổ trộm bờ suối'));
main::until('the submission waits in Redis\'s socket', \&main::redis_unread);
Time::HiRes::sleep(0.3);
main::redis_cont();
my $ans = main::answer($sock);
Test::More::is($ans->{status}, 201, 'the slowed submission: 201');
Test::More::is(main::late_calls() - $late0, 0, 'none refused');
Test::More::is(main::reports(), $n + 1, 'stored');
--- no_error_log
ran after its deadline



=== TEST 4: a call sent on the same connection while an older one waits: the older's timeout answers both 503 at once, so the later one's deadline counts from the older's sending; Redis goes on after both 503s but before the later call's own half-timeout: neither action happened
--- init
main::fresh('laichau');
my $late0 = main::late_calls();
my @r = map {
    my ($s, $bd) = main::call('POST', '/api/v1/reports',
                              main::hd('Idempotency-Key' => "late-two-$_"),
                              main::json_report("Biển báo đổ số $_"));
    Test::More::is($s, 201, "report $_: 201");
    main::decode($bd);
} 1, 2;
my $ioc = main::hd('Authorization' => "Bearer $t::PaTest::T{ioc}");
my $reject = '{"action":"reject","reason":"duplicate","message":"Trùng"}';

kill 'STOP', $t::PaTest::RedisPid;
my $t0 = Time::HiRes::time();
my $a = main::send_http('POST', "/api/v1/reports/$r[0]{id}/actions", $ioc,
                        $reject);
main::until('the first action waits in Redis\'s socket', \&main::redis_unread);
main::sleep_until($t0 + 1.5);
my $b = main::send_http('POST', "/api/v1/reports/$r[1]{id}/actions", $ioc,
                        $reject);
my ($aa, $ab) = (main::answer($a), main::answer($b));
my $took = Time::HiRes::time() - $t0;
Test::More::is("$aa->{status} $ab->{status}", '503 503',
               'both answered 503 by the first one\'s timeout');
Test::More::ok($took < 2.4, sprintf('... at once (%.2f s after the first)',
                                    $took));
# past the first's timeout, before the second's own 1.5 + 1 s
main::sleep_until($t0 + 2.2);
main::redis_cont();
Test::More::is(main::late_calls() - $late0, 2, 'Redis refused both as late');
for my $i (0, 1) {
    Test::More::is(main::redis('HGET', "${main::P}r:$r[$i]{id}", 'status'),
                   'submitted', "report " . ($i + 1) . ": the action did not happen");
}



=== TEST 5: the host's clock outlives a connection: Redis stopped, the worker's call times out and it connects again (the kernel completes the handshake of a stopped Redis), the new connection's TIME cannot answer, and a write sent on it carries a deadline all the same: its 503 keeps nothing
--- init
main::fresh('laichau');
main::healthy();
my $n = main::reports();
# (each connection made so far; a stopped Redis still takes more)
my $conns = sub { scalar(() = main::errlog() =~ /pa redis: connected to/g) };
my $c0 = $conns->();

kill 'STOP', $t::PaTest::RedisPid;
# a call of the worker's own (the revocations, read each second) times
# out after 2 s and closes the connection; the worker connects again
main::until('a new connection to the stopped Redis', sub {
    main::errlog() =~ /reply timed out/ && $conns->() > $c0 });
my $mark = length main::errlog();
my $ans = main::answer(main::send_http('POST', '/api/v1/reports',
    main::hd('Idempotency-Key' => 'late-re-0001'),
    main::json_report('Nắp cống vỡ trước trường tiểu học')));
Test::More::is($ans->{status}, 503, 'the submission on it: 503');
my ($dl) = substr(main::errlog(), $mark) =~ /pa redis: deadline "([^"]*)"/;
Test::More::like($dl // '(none)', qr/^\d{13}$/,
                 '... sent with a deadline in Redis\'s ms (no TIME of this '
                 . 'connection came back)');
main::redis_cont();
Test::More::is(main::reports(), $n, 'nothing stored');
