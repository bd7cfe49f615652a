# Redis Sentinel for real (issue 15 items 1 and 2): a primary, its
# replica and three sentinels on this machine; nginx is pointed at the
# sentinels only.  Under a steady submit load the primary is killed with
# SIGKILL; the sentinels promote the replica; the workers follow without
# a reload.  With wait=1 every report answered 201 is readable afterwards
# with its token (0 lost); the writes during the election got 503 with
# Retry-After and their retry with the same Idempotency-Key ends 201,
# each submission stored once.  The same failover without wait measures
# what is lost then (printed; README, "Redis high availability").
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Test::More;
use Time::HiRes qw(sleep time);
use PaServer;
use PaSentinel;
use PaLoad qw(submit readable wait_serving start_load collect failovers
              election_ok);

for my $bin (qw(redis-server redis-sentinel redis-cli)) {
    plan skip_all => "no $bin" if system("command -v $bin >/dev/null") != 0;
}

my $ha = PaSentinel->new;
my $LOADERS = 3;

# one failover under load; returns the answers
# $planned: SENTINEL FAILOVER (the primary stays up and is demoted, as
# for maintenance) instead of SIGKILL
sub failover_under_load {
    my ($srv, $tag, $planned) = @_;
    my $stop = "$srv->{dir}/stop-$tag";

    # a replica still in its first sync (Redis waits 5 s before a
    # diskless one) holds nothing yet: promoted, it would lose all
    ok($ha->wait_replicated(30), "$tag: the replica is in sync");
    my $kids = start_load($srv, $tag, $stop, loaders => $LOADERS);

    sleep 1.5;
    my $old = $ha->primary;
    if ($planned) {
        # NOGOODSLAVE until a sentinel's view of the replica is fresh
        my ($out, $end) = ('', time + 20);
        while (time < $end) {
            $out = PaSentinel::cli($ha->{sentinels}[0], 'SENTINEL',
                                   'FAILOVER', 'pa');
            last if $out =~ /OK/;
            sleep 0.5;
        }
        like($out, qr/OK/, "$tag: SENTINEL FAILOVER");
    } else {
        $ha->kill_primary;
    }
    my $t0 = time;
    my $new = $ha->wait_primary_not($old, 30);
    ok($new, "$tag: the sentinels promoted the replica ($old -> "
             . ($new // 'none') . sprintf(') in %.1f s', time - $t0));

    # the operators bring the dead node back; it becomes the replica
    $ha->restart_node($old) unless $planned;
    ok($ha->wait_replicated(30), "$tag: the old primary is the replica now");

    sleep 2;
    open my $fh, '>', $stop or die $!;
    close $fh;
    return collect($kids);
}

# no index of every report (issue 12): their hashes counted
sub reports {
    my ($n) = $ha->redis("EVAL \"return #redis.call('KEYS', ARGV[1])\" 0 "
                         . "'pa:{it}:r:*'") =~ /(\d+)/;
    return $n // 0;
}

# ------------------------------------------------------------ wait=1
my $srv = PaServer->new(no_redis => 1,
    redis => $ha->option . ' wait=1 wait_timeout=200ms');
my $master = $srv->nginx_pid;

ok(wait_serving($srv, 'w'), 'wait=1: the workers found the primary');
my $before = reports();
my $t_first = time;

my @res = failover_under_load($srv, 'wait');
my (undef, $refused) = election_ok($srv, 'wait=1, the primary killed',
                                   \@res);

my @retried = map { [ $_->[0], $_->[1], submit($srv, $_->[0], $_->[1]) ] }
              @$refused;
is(scalar(grep { $_->[2] != 201 || !readable($srv, $_->[3], $_->[4]) }
          @retried), 0, '... and its token reads the report');

is(reports() - $before, scalar @res,
   'one report per submission: none refused and kept twice, none lost');

my $log = do { local $/; open my $fh, '<', "$srv->{dir}/logs/error.log"
               or die $!; <$fh> };
like($log, qr/failover of "pa": the primary moves/,
     'the workers followed +switch-master');
is($srv->nginx_pid, $master, '... without a restart');
unlike($log, qr/reconfiguring/, '... nor a reload');
is(failovers($srv), 2, '/metrics: pa_redis_failovers_total 2 (a move '
   . 'for each of the 2 workers)');
my ($st) = submit($srv, "after-$$", 88000001);
is($st, 201, 'a submission after the failover: 201');
my @c = $srv->crashes;
is(scalar @c, 0, 'no worker exited on a signal') or diag(@c);

# ------------------------------------------------------------ planned
# a switch while the old primary lives on as the replica: the workers
# move on "+switch-master" (and the sentinels' CLIENT KILL, or READONLY)
{
    my $before = reports();
    my @res = failover_under_load($srv, 'planned', 1);
    election_ok($srv, 'planned', \@res, 1);
    is(reports() - $before, scalar @res, '... one report per submission');
    my $log = do { local $/; open my $fh, '<', "$srv->{dir}/logs/error.log"
                   or die $!; <$fh> };
    my @moves = $log =~ /failover of "pa": the primary moves/g;
    ok(@moves >= 4, scalar(@moves) . ' moves logged by the 2 workers over '
       . 'the 2 failovers');
    is(failovers($srv), scalar @moves, '... and counted in /metrics');
}

# ------------------------------------------------------------ no wait
# the sentinels fail the same master over again only after twice
# failover-timeout
my $t_planned = time;
sleep(($t_planned + 2 * 3 + 1) - time);

my $nw = PaServer->new(no_redis => 1, redis => $ha->option);
ok(wait_serving($nw, 'n'), 'without wait: the workers found the primary');

@res = failover_under_load($nw, 'nowait');
my @ok = grep { $_->[2] == 201 } @res;
my @lost = grep { !readable($nw, $_->[3], $_->[4]) } @ok;
ok(@ok > 0, 'without wait: ' . scalar(@ok) . ' answered 201');
diag(sprintf('without wait: %d of %d reports answered 201 were lost in '
             . 'the failover', scalar @lost, scalar @ok));
@c = $nw->crashes;
is(scalar @c, 0, 'no worker exited on a signal') or diag(@c);

# a worker that quits closes what it opened, the sentinels' sockets too
# (nginx says "open socket ... left" at [alert] otherwise)
for my $n ($srv, $nw) {
    $n->signal('QUIT');
    ok($n->wait_gone(10), 'nginx quits');
    my $log = do { local $/; open my $fh, '<', "$n->{dir}/logs/error.log"
                   or die $!; <$fh> };
    my @bad = $log =~ /^(.*\[(?:alert|crit|emerg)\].*)$/mg;
    is(scalar @bad, 0, '... no [alert], [crit] or [emerg] in its log')
        or diag(join "\n", @bad);
}

undef $srv;
undef $nw;
undef $ha;

done_testing();
