# Redis Sentinel with credentials, for real (issue 15): the primary and
# its replica want a password and the module logs in as its own ACL user
# (pa-app); the three sentinels want a password and the module logs in
# to them as pa-watch.  nginx names only the sentinels and the password
# files.  Under a steady submit load the primary is killed with SIGKILL;
# the workers ask the sentinels (AUTH first), follow +switch-master, and
# log in to the new primary.  With wait=1 every report answered 201 is
# readable afterwards (0 lost), the writes of the election got 503 with
# Retry-After and their retry with the same Idempotency-Key ends 201.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Test::More;
use Time::HiRes qw(sleep time);
use PaServer;
use PaSentinel;
use PaLoad qw(wait_serving start_load collect election_ok);

for my $bin (qw(redis-server redis-sentinel redis-cli)) {
    plan skip_all => "no $bin" if system("command -v $bin >/dev/null") != 0;
}

my $ha = PaSentinel->new(auth => 1);
# the stored reports, by their hashes (no index of them all, issue 12)
my $all = "EVAL \"return #redis.call('KEYS', ARGV[1])\" 0 'pa:{it}:r:*'";
my $LOADERS = 3;

# the set wants its passwords: without one, nothing is answered
like(PaSentinel::cli($ha->{sentinels}[0], 'PING'), qr/PONG/,
     'redis-cli with the sentinel password: PONG');
like(`redis-cli -p $ha->{sentinels}[0] PING 2>&1`, qr/NOAUTH/,
     '... without it: NOAUTH');
like(`redis-cli -p $ha->{nodes}[0] PING 2>&1`, qr/NOAUTH/,
     'the primary without its password: NOAUTH');

# the clients of the node on $port logged in as pa-app (the workers')
sub app_clients {
    my $port = shift;
    my @c = grep { /\buser=pa-app\b/ }
            split /\n/, PaSentinel::cli($port, 'CLIENT', 'LIST');
    return scalar @c;
}

my $srv = PaServer->new(no_redis => 1,
    redis => $ha->option . ' wait=1 wait_timeout=200ms');
my $master = $srv->nginx_pid;

# the workers found the primary through the sentinels
ok(wait_serving($srv, 'w'),
   'the workers logged in to a sentinel, then to the primary: 201');
my $old = $ha->primary;
ok(app_clients($old) >= 1, 'the primary sees the workers as pa-app');

ok($ha->wait_replicated(30), 'the replica is in sync');
my $before = ($ha->redis($all) =~ /(\d+)/)[0];

my $stop = "$srv->{dir}/stop";
my $kids = start_load($srv, 'a', $stop, loaders => $LOADERS);

sleep 1.5;
$ha->kill_primary;
my $t0 = time;
my $new = $ha->wait_primary_not($old, 30);
ok($new, "the sentinels promoted the replica ($old -> " . ($new // 'none')
         . sprintf(') in %.1f s', time - $t0));
$ha->restart_node($old);
ok($ha->wait_replicated(30), 'the old primary is the replica now');
sleep 2;
open my $sf, '>', $stop or die $!;
close $sf;

my @res = collect($kids);

election_ok($srv, 'wait=1, the primary killed', \@res);

is(($ha->redis($all) =~ /(\d+)/)[0] - $before, scalar @res,
   'one report per submission: none refused and kept twice, none lost');

ok(app_clients($new) >= 1, 'the new primary sees the workers as pa-app');

my $log = do { local $/; open my $fh, '<', "$srv->{dir}/logs/error.log"
               or die $!; <$fh> };
like($log, qr/failover of "pa": the primary moves/,
     'the workers followed +switch-master on a sentinel they logged in to');
unlike($log, qr/refused AUTH|NOAUTH|WRONGPASS/,
       'no credentials refused, before or after the failover');
is($srv->nginx_pid, $master, '... without a restart');
my @c = $srv->crashes;
is(scalar @c, 0, 'no worker exited on a signal') or diag(@c);

$srv->signal('QUIT');
ok($srv->wait_gone(10), 'nginx quits');
$log = do { local $/; open my $fh, '<', "$srv->{dir}/logs/error.log"
            or die $!; <$fh> };
my @bad = $log =~ /^(.*\[(?:alert|crit|emerg)\].*)$/mg;
is(scalar @bad, 0, '... no [alert], [crit] or [emerg] in its log')
    or diag(join "\n", @bad);

undef $srv;
undef $ha;

done_testing();
