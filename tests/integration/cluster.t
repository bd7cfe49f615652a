# Redis Cluster for real (issue 15 item 3): 3 primaries and 3 replicas
# on this machine (`redis-cli --cluster create --cluster-replicas 1`),
# two provinces (tenants) whose {tag} slots live on different primaries,
# each served by its own nginx pointed at seeds of the cluster only.
#
# - Each province's reports land on the primary that owns its slot
#   (CLUSTER KEYSLOT, CLUSTER NODES, COUNTKEYSINSLOT) and are read back.
# - MOVED: one province's slot is moved to a third primary with
#   CLUSTER SETSLOT and MIGRATE, as `redis-cli --cluster reshard` does;
#   the workers follow without a reload.
# - Failover: under submit load on both provinces, the first one's
#   primary is killed with SIGKILL; the cluster promotes its replica; the
#   workers follow.  With wait=1 every report answered 201 is readable
#   afterwards with its token (0 lost); the writes during the election
#   got 503 with Retry-After and their retry with the same
#   Idempotency-Key ends 201, each submission stored once; the other
#   province, on another primary, was answered throughout.  The IOC's
#   live stream and the sweeper follow the promoted replica too.
# - Planned: CLUSTER FAILOVER on the second province's replica under
#   load: the old primary lives on as the replica; nothing is lost.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Test::More;
use IO::Select;
use IO::Socket::INET;
use MIME::Base64 qw(encode_base64);
use Digest::SHA qw(hmac_sha256);
use Time::HiRes qw(sleep time);
use PaServer;
use PaCluster;
use PaLoad qw(submit readable retry wait_serving start_load collect
              failovers election_ok);

for my $bin (qw(redis-server redis-cli)) {
    plan skip_all => "no $bin" if system("command -v $bin >/dev/null") != 0;
}

# every node wants a password: each worker logs in to each primary it
# uses (password_file=, as production.conf has it)
my $c = PaCluster->new(password => 'cl-secret-7');
# load clients per province: client k's n-th phone 09<base + k*100000 + n>
my %load = (loaders => 2, step => 100000);

# ------------------------------------------------------------ tenants
# two provinces whose slots two different primaries own
my @names = qw(laichau vinhlong dienbien thainguyen hagiang sonla
               laocai yenbai caobang bacninh);
my ($ta, $tb);
my %slot = map { $_ => $c->keyslot("pa:{$_}:all") } @names;
my %owner = map { $_ => $c->owner($slot{$_}) } @names;
$ta = $names[0];
($tb) = grep { $owner{$_} != $owner{$ta} } @names;
ok($tb, "two tenants on different primaries: $ta (slot $slot{$ta}, "
   . "127.0.0.1:$owner{$ta}) and " . ($tb // 'none')
   . ($tb ? " (slot $slot{$tb}, 127.0.0.1:$owner{$tb})" : ''));
is($c->keyslot($ta), $slot{$ta}, "... every key of $ta is in the slot "
   . "of its tag");

# a key's count, asked of the node that owns it (redis-cli -c follows)
sub zcard {
    my ($key) = @_;
    my ($n) = PaCluster::cli($c->{ports}[0], '-c', 'ZCARD', "'$key'")
              =~ /(\d+)/;
    return $n // 0;
}

sub here {
    my ($port, $slot) = @_;
    my ($n) = PaCluster::cli($port, 'CLUSTER', 'COUNTKEYSINSLOT', $slot)
              =~ /(\d+)/;
    return $n // 0;
}

sub log_of {
    my $srv = shift;
    local $/;
    open my $fh, '<', "$srv->{dir}/logs/error.log" or die $!;
    return <$fh>;
}

# an IOC token (t/keys/auth.key) for the staff's live stream
sub ioc_token {
    my $b64u = sub {
        my $x = encode_base64(shift, '');
        $x =~ tr{+/}{-_};
        $x =~ s/=+\z//;
        return $x;
    };
    open my $fh, '<', "$ENV{TEST_NGINX_ROOT}/t/keys/auth.key" or die $!;
    my $key = do { local $/; <$fh> };
    $key =~ s/[\r\n]+\z//;
    my $h = $b64u->('{"alg":"HS256","typ":"JWT"}');
    my $p = $b64u->('{"exp":4102444800,"role":"ioc","sub":"ioc-1"}');
    return "$h.$p." . $b64u->(hmac_sha256("$h.$p", $key));
}

# GET /api/v1/events as the IOC until an event names $id (or $t s pass)
sub sse_sees {
    my ($srv, $t, $after) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $srv->{port}) or return;
    print $s "GET /api/v1/events HTTP/1.0\r\nHost: localhost\r\n"
             . 'Authorization: Bearer ' . ioc_token() . "\r\n\r\n";
    my ($buf, $sel, $id) = ('', IO::Select->new($s));
    my $end = time + $t;
    while (time < $end) {
        next unless $sel->can_read(0.1);
        sysread($s, my $chunk, 65536) or last;
        $buf .= $chunk;
        # live: the stream reads Redis now; then submit, once
        if (!defined $id && $buf =~ /^: live$/m) {
            my @r = $after->();
            $id = $r[1];
        }
        return 1 if defined $id && $buf =~ /"id":"\Q$id\E"/;
    }
    return 0;
}

# generous: a loaded machine's slow replica ack or reply must not make a
# 503 of the province that is not failing over (a dead node is refused at
# once, whatever the timeouts)
my $pw_file = "$c->{dir}/redis.pw";
{
    open my $fh, '>', $pw_file or die $!;
    print $fh "cl-secret-7\n";
    close $fh;
}
my $opt = $c->option . " password_file=$pw_file wait=1 wait_timeout=1s";
my $tmo = 'connect_timeout=300ms timeout=3s';
# the sweeper runs often: it must follow its province's primary too
my $sweep = "pa_sweep_interval 500ms;\n";
my $A = PaServer->new(no_redis => 1, tenant => $ta, redis => $opt,
                      redis_timeouts => $tmo, http_config => $sweep);
# ... but not the second's: a sweep during a slot's move gets TRYAGAIN,
# reads the map again, and the workers never see the -MOVED asserted
my $B = PaServer->new(no_redis => 1, tenant => $tb, redis => $opt,
                      redis_timeouts => $tmo,
                      http_config => "pa_sweep_interval 300s;\n");
my %master = (A => $A->nginx_pid, B => $B->nginx_pid);

ok(wait_serving($A, 'a', 20), "$ta: the workers read the slot map, 201");
ok(wait_serving($B, 'b', 20), "$tb: 201");

# ------------------------------------------------------------ placement
{
    my (@ra, @rb);
    for my $i (1 .. 5) {
        push @ra, [submit($A, "pa-$i", 10000 + $i)];
        push @rb, [submit($B, "pb-$i", 20000 + $i)];
    }
    is(scalar(grep { $_->[0] == 201 } @ra, @rb), 10,
       'five reports to each province: 201');
    is(scalar(grep { readable($A, $_->[1], $_->[2]) } @ra), 5,
       "... ${ta}'s are read back with their tokens");
    is(scalar(grep { readable($B, $_->[1], $_->[2]) } @rb), 5,
       "... and ${tb}'s");
    ok(!readable($A, $rb[0][1], $rb[0][2]),
       "... a report of $tb is not one of $ta");

    ok(here($owner{$ta}, $slot{$ta}) > 0,
       "${ta}'s keys are on 127.0.0.1:$owner{$ta} (COUNTKEYSINSLOT "
       . here($owner{$ta}, $slot{$ta}) . ')');
    ok(here($owner{$tb}, $slot{$tb}) > 0,
       "${tb}'s keys are on 127.0.0.1:$owner{$tb}");
    like(PaCluster::cli($owner{$tb}, 'ZCARD', "'pa:{$ta}:all'"), qr/MOVED/,
         "... and ${ta}'s are not there (MOVED)");
}

# ------------------------------------------------------------ MOVED
# $tb's slot to the third primary, while nginx runs: the workers' map
# still names the old owner, which answers -MOVED
my ($third) = grep { $_ != $owner{$ta} && $_ != $owner{$tb} }
              map { $c->owner($_) } 0, 5461, 10923, 16383;
{
    my $before = zcard("pa:{$tb}:q:submitted");
    my $first = [submit($B, 'before-move', 29999)];
    $c->move_slot($slot{$tb}, $owner{$tb}, $third);
    is($c->owner($slot{$tb}), $third, "the slot of $tb moved to "
       . "127.0.0.1:$third (CLUSTER SETSLOT, MIGRATE)");

    my @r = map { [submit($B, "moved-$_", 30000 + $_)] } 1 .. 4;
    is(scalar(grep { $_->[0] == 201 } @r), 4,
       "$tb: submissions after the move: 201");
    is(scalar(grep { readable($B, $_->[1], $_->[2]) } @r), 4,
       '... read back');
    ok(readable($B, $first->[1], $first->[2]), '... a report from before '
       . 'the move too');
    is(zcard("pa:{$tb}:q:submitted"), $before + 5, '... stored once each');
    is(here($owner{$tb}, $slot{$tb}), 0, '... nothing left on the old '
       . 'owner');
    ok(here($third, $slot{$tb}) > 0, '... all on the new one');
    like(log_of($B), qr/moved slot $slot{$tb} to "127\.0\.0\.1:$third"/,
         '... the workers followed -MOVED');
    is($B->nginx_pid, $master{B}, '... without a restart');
    unlike(log_of($B), qr/reconfiguring/, '... nor a reload');
}

# ------------------------------------------------------------ ASK
# and back, with submissions while the keys are moved and the slot not
# yet: the old owner answers -ASK; the importing node runs a call whose
# keys are all there and answers TRYAGAIN to the others (a submission's
# script has new keys): 503 with Retry-After, as Redis asks to retry
{
    my @asked;
    $c->move_slot($slot{$tb}, $third, $owner{$tb}, sub {
        @asked = map { [submit($B, "asked-$_", 31000 + $_)] } 1 .. 3;
    });
    like(log_of($B), qr/asked slot $slot{$tb} to "127\.0\.0\.1:$owner{$tb}"/,
         "$tb, while its slot migrates back: the workers follow -ASK "
         . '(ASKING and the call to the importing node)');
    is(scalar(grep { $_->[0] == 201 || ($_->[0] == 503 && $_->[3]) }
              @asked), 3,
       '... submissions answer 201, or 503 with Retry-After (TRYAGAIN): '
       . join(' ', map { $_->[0] } @asked));
    @asked = map { [retry($B, [ "asked-$_", 31000 + $_ ])] } 1 .. 3;
    is(scalar(grep { $_->[0] == 201 && readable($B, $_->[1], $_->[2]) }
              @asked), 3,
       '... their retries with the same Idempotency-Key, once the slot '
       . 'moved: 201, readable');
    is(here($third, $slot{$tb}), 0, '... nothing left on the node it left');
    is($B->nginx_pid, $master{B}, '... without a restart');
}

# ------------------------------------------------------------ failover
my $old = $owner{$ta};
ok($c->wait_replicated($old, 30), "${ta}'s primary has its replica in sync");
# the reports stored: all "submitted" here (there is no index of every
# report since issue 12; the state indexes partition them)
my %before = (A => zcard("pa:{$ta}:q:submitted"),
              B => zcard("pa:{$tb}:q:submitted"));
my $stop = "$A->{dir}/stop";
my $ka = start_load($A, 'fa', $stop, %load, base => 40000000);
my $kb = start_load($B, 'fb', $stop, %load, base => 50000000);

sleep 1.5;
$c->kill_node($old);
my $t0 = time;
my $new = $c->wait_owner_not($slot{$ta}, $old, 40);
ok($new, "the cluster promoted the replica ($old -> " . ($new // 'none')
   . sprintf(') in %.1f s', time - $t0));

# the operators bring the dead node back: the new primary's replica
$c->restart_node($old);
ok($c->wait_replicated($new, 30), '... the old primary is its replica now')
    if $new;
sleep 2;
open my $fh, '>', $stop or die $!;
close $fh;
my @ra = collect($ka);
my @rb = collect($kb);

election_ok($A, "$ta, wait=1, its primary killed", \@ra);
is(zcard("pa:{$ta}:q:submitted") - $before{A}, scalar @ra,
   '... one report per submission: none refused and kept twice, none lost');

my @bok = grep { $_->[2] == 201 } @rb;
is(scalar @bok, scalar @rb, "$tb, on another primary: all "
   . scalar(@rb) . ' submissions during the failover answered 201')
    or diag(join ' ', map { "$_->[0]:$_->[2]" } grep { $_->[2] != 201 } @rb);
is(scalar(grep { !readable($B, $_->[3], $_->[4]) } @bok), 0,
   '... and readable');

like(log_of($A), qr/slot $slot{$ta} of tenant "$ta" is on "127\.0\.0\.1:$new"/,
     "${ta}'s workers follow the promoted replica") if $new;
is($A->nginx_pid, $master{A}, '... without a restart');
unlike(log_of($A), qr/reconfiguring/, '... nor a reload');
ok(failovers($A) >= 1, '/metrics: pa_redis_failovers_total '
   . failovers($A) . ' (a move per worker that saw it)');
is((submit($A, "after-$$", 88000001))[0], 201,
   "$ta: a submission after the failover: 201");

# the long-lived readers follow too: the sweeper's last run (a key of the
# province, written by sweep.lua) is later than the kill, and the
# gauges /metrics reads from Redis count what the new primary holds
{
    my ($last, $body, $end) = (0, '', time + 10);
    while (time < $end) {
        (undef, undef, $body) = $A->http('GET', '/metrics');
        ($last) = $body =~ /^pa_sweep_last_run_timestamp_seconds (\d+)/m;
        last if ($last // 0) > $t0;
        sleep 0.2;
    }
    ok(($last // 0) > $t0, "$ta: the sweeper ran on the new primary after "
       . 'the failover');
    my ($sub) = $body =~ /^pa_reports\{state="submitted"\} (\d+)/m;
    is($sub, zcard("pa:{$ta}:q:submitted"), '... /metrics: pa_reports{state='
       . '"submitted"} is what the new primary holds');
}

ok(sse_sees($A, 10, sub { submit($A, "sse-$$", 88000002) }),
   "$ta: the IOC's live stream, opened after the failover, shows a new "
   . 'report (the stream reader follows the new primary)');

# ------------------------------------------------------------ planned
# CLUSTER FAILOVER on the second province's replica, under load: the old
# primary lives on as the replica and answers -MOVED to what is still
# sent to it; the workers follow, nothing is lost
{
    my $old = $owner{$tb};
    my $rep = $c->replica_of($old);
    ok($c->wait_replicated($old, 30), "${tb}'s primary has its replica in "
       . 'sync');
    my $before = zcard("pa:{$tb}:q:submitted");
    my $stop = "$B->{dir}/stop-planned";
    my $kids = start_load($B, 'pb', $stop, %load, base => 60000000);
    sleep 1;
    my $out = '';
    my $end = time + 20;
    while (time < $end) {
        $out = PaCluster::cli($rep, 'CLUSTER', 'FAILOVER');
        last if $out =~ /OK/;
        sleep 0.5;
    }
    like($out, qr/OK/, "$tb: CLUSTER FAILOVER on 127.0.0.1:$rep");
    my $new = $c->wait_owner_not($slot{$tb}, $old, 30);
    is($new, $rep, '... the replica is the primary of the slot');
    ok($c->wait_replicated($rep, 30), '... the old primary its replica');
    sleep 2;
    open my $fh, '>', $stop or die $!;
    close $fh;
    my @res = collect($kids);
    election_ok($B, "$tb, CLUSTER FAILOVER", \@res, 1);
    is(zcard("pa:{$tb}:q:submitted") - $before, scalar @res,
       '... one report per submission');
    like(log_of($B), qr/(?:moved slot $slot{$tb} to|slot $slot{$tb} of tenant "$tb" is on) "127\.0\.0\.1:$rep"/,
         '... the workers followed (-MOVED from the old primary, or the '
         . 'map read again)');
    is($B->nginx_pid, $master{B}, '... without a restart');
}

for my $n ([$A, $ta], [$B, $tb]) {
    my ($srv, $t) = @$n;
    my @cr = $srv->crashes;
    is(scalar @cr, 0, "$t: no worker exited on a signal") or diag(@cr);
    $srv->signal('QUIT');
    ok($srv->wait_gone(10), '... nginx quits');
    unlike(log_of($srv), qr/refused AUTH|NOAUTH/, '... every node took '
           . 'the password (password_file=)');
    my @bad = log_of($srv) =~ /^(.*\[(?:alert|crit|emerg)\].*)$/mg;
    is(scalar @bad, 0, '... no [alert], [crit] or [emerg] in its log')
        or diag(join "\n", @bad);
}

undef $A;
undef $B;
undef $c;

done_testing();
