# An nginx worker killed (SIGKILL: the kernel's OOM killer, an operator)
# while a submission's call is in Redis's socket: the citizen's app gets
# no answer at all, neither 201 nor 503, and cannot know whether its
# report was kept.  Its retry with the same Idempotency-Key must settle
# it: the original report when Redis ran the call (its id, stored once),
# a new one when it did not; never two.  The master starts a new worker,
# which serves at once.  Lai Châu's profile as shipped; this file's
# Redis, stopped (SIGSTOP) to hold the call, on a port of its own.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use t::PaIdem;
use t::PaWorker;
use t::PaAofRedis;
use JSON::PP;
use Time::HiRes ();

# (the master respawns the worker)
master_on();

our $P = 'pa:{laichau}:';

our $Http = idem_http("    pa_record_compat off;\n");

# a worker killed is said at [alert] by the master: expected in every
# block, checked by only_kill_alerts()
main::kill_blocks(qr/killed/);
idem_blocks(sub { $Http });

run_tests();

sub decode { JSON::PP->new->decode($_[0]) }

# a submission sent, Redis holding its call unread, the worker killed:
# what the client got (nothing: the connection closed) and the new worker
sub killed_in_flight {
    my ($req) = @_;
    my $old = (main::nginx_workers())[0];
    kill 'STOP', $t::PaTest::RedisPid;
    my $sock = main::send_http(@$req);
    main::until('the call waits in Redis\'s socket', \&main::redis_unread);
    kill 'KILL', $old;
    my $ans = main::answer($sock);
    return ($ans, main::new_worker($old));
}

__DATA__

=== TEST 1: the worker killed while Redis holds the call, Redis going on before the call's deadline (it runs it): the client got no answer; the retry gets the report stored, once, with its id
--- init
main::fresh('laichau');
main::healthy();
my $n = main::reports();
my $req = ['POST', '/api/v1/reports',
           main::hd('Idempotency-Key' => 'killed-0001'),
           main::json_report('Cột đèn đổ chắn ngang đường Trần Phú')];
my ($ans, $new) = main::killed_in_flight($req);
Test::More::is($ans->{status}, 0, 'the client got no answer (the worker died)');
main::redis_cont();
Test::More::is(main::reports(), $n + 1, 'Redis ran the call: the report is stored');
my ($s1, $b1) = main::call(@$req);
Test::More::is($s1, 201, 'the retry: 201');
my ($s2, $b2) = main::call(@$req);
Test::More::is($b2, $b1, '... a retry again: the same answer');
Test::More::is(main::reports(), $n + 1, 'one report, not two');
Test::More::is(main::redis('EXISTS', "${main::P}r:" . main::decode($b1)->{id}),
               1, '... the one Redis stored is the one answered');
Test::More::is((main::nginx_workers())[0], $new, 'the new worker served it');
main::only_kill_alerts(1);



=== TEST 2: the worker killed while Redis holds the call past its deadline: Redis refuses it when it goes on; the retry stores the report, once
--- init
main::fresh('laichau');
main::healthy();
my $n = main::reports();
my $late0 = main::late_calls();
my $req = ['POST', '/api/v1/reports',
           main::hd('Idempotency-Key' => 'killed-0002'),
           main::json_report('Rác thải ùn ứ cạnh trường tiểu học')];
my $t0 = Time::HiRes::time();
my ($ans) = main::killed_in_flight($req);
Test::More::is($ans->{status}, 0, 'the client got no answer (the worker died)');
# past the deadline (half the 2 s timeout after the call was sent)
Time::HiRes::sleep(1.5 - (Time::HiRes::time() - $t0))
    if Time::HiRes::time() - $t0 < 1.5;
main::redis_cont();
Test::More::is(main::late_calls() - $late0, 1, 'Redis refused the call as late');
Test::More::is(main::reports(), $n, 'nothing stored');
my ($s1, $b1) = main::call(@$req);
my ($s2, $b2) = main::call(@$req);
Test::More::is("$s1 $s2", '201 201', 'the retry stored, then replayed');
Test::More::is($b2, $b1, '... the same answer');
Test::More::is(main::reports(), $n + 1, 'one report');
main::only_kill_alerts(1);
