# Webhooks across nodes: two nginx nodes on one Redis deliver each event
# once (one consumer group per target, shared by the nodes); a node whose
# delivering worker is killed (kill -9) mid-delivery loses nothing: the
# entry it left pending is claimed (XAUTOCLAIM, pa_notify_claim_idle) and
# delivered again, with the same X-PA-Delivery, and the dead worker's
# consumer name leaves the group.  The receiver is
# tests/receiver/pa-receiver.pl on a local port.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Test::More;
use IO::Socket::INET;
use JSON::PP;
use POSIX ();
use Time::HiRes qw(sleep time);
use PaServer;
use File::Temp ();

my $root = $ENV{TEST_NGINX_ROOT} || "$FindBin::Bin/../..";
my $dir = File::Temp::tempdir('pa-notify-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $key = "$dir/hook.key";
my $log = "$dir/hook.jsonl";
my $port = PaServer::free_port();

open my $k, '>', $key or die $!;
print $k "integration-hook-secret-0123456789\n";
close $k;

my $rpid = fork // die "fork: $!";
if ($rpid == 0) {
    { exec $^X, "$root/tests/receiver/pa-receiver.pl", '--port', $port,
           '--secret-file', $key, '--log', $log; }
    POSIX::_exit(127);
}
END { if ($rpid) { kill 'TERM', $rpid; waitpid $rpid, 0; } }

for (1 .. 200) {
    last if IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port);
    sleep 0.025;
}

my $conf = <<"EOC";
pa_notify hook http://127.0.0.1:$port/hook secret_file=$key events=*
              timeout=2s retry_for=1h;
    pa_notify_claim_idle 7s;
EOC

my $a = PaServer->new(http_config => $conf);
my $b = PaServer->new(http_config => $conf, redis_port => $a->{redis_port},
                      no_redis => 1);

sub got {
    open my $f, '<', $log or return ();
    return map { my $d = decode_json($_); $d->{json} = decode_json($d->{body}); $d } <$f>;
}

sub wait_for {
    my ($what, $cond) = @_;
    for (1 .. 900) {
        return 1 if $cond->();
        sleep 0.1;
    }
    fail("waited 90 s for $what");
    return 0;
}

sub control {
    my $q = shift;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port)
        or die "receiver: $!";
    print $s "GET /_control?$q HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    local $/;
    my $r = <$s>;
    return $r =~ /^HTTP\/1\.1 200/;
}

# ------------------------------------------------- two nodes, each event once
my @ids;
for my $n (1 .. 20) {
    my $srv = $n % 2 ? $a : $b;
    my ($st, undef, $body) = $srv->submit_json("hai nút $n");
    my ($id) = $body =~ /"id":"([^"]+)"/;
    push @ids, $id if $st == 201;
}
is(scalar @ids, 20, '20 reports submitted through both nodes');

wait_for('20 deliveries', sub { my @g = got(); @g >= 20 });
sleep 2;    # a second delivery of any of them would have come by now
my @d = got();
my %per;
$per{$_->{json}{event_id}}++ for @d;
is(scalar @d, 20, 'exactly 20 deliveries');
is(scalar(grep { $per{$_} == 1 } keys %per), 20, 'each event once');
is_deeply([sort map { $_->{json}{id} } @d], [sort @ids], 'every report');
ok(!(grep { !$_->{signature_ok} } @d), 'every signature verifies');
like($a->redis('XPENDING', 'pa:{it}:events', 'notify:hook'), qr/^0\n/,
     'nothing pending');

# ------------------------------------------------- kill -9 mid-delivery
ok(control('delay=4000'), 'the receiver answers after 4 s');
my $before = time;
my ($st, undef, $body) = $a->submit_json('nút bị tắt giữa chừng');
my ($victim) = $body =~ /"id":"([^"]+)"/;
is($st, 201, 'one more report');

# the node that read it holds it pending under its worker's consumer name
my $consumer;
wait_for('the entry pending', sub {
    my $p = $a->redis('XPENDING', 'pa:{it}:events', 'notify:hook', '-', '+', 10);
    ($consumer) = $p =~ /^(\S+:\d+:[0-9a-f]+)$/m;
    return $consumer });
my ($wpid) = $consumer =~ /:(\d+):[0-9a-f]+$/;
ok(kill('KILL', $wpid), "kill -9 of the delivering worker ($wpid)");
my $killed = time;
control('delay=0');

wait_for('the entry acknowledged after the kill', sub {
    $a->redis('XPENDING', 'pa:{it}:events', 'notify:hook') =~ /^0\n/ });
my @v = grep { $_->{json}{id} eq $victim } got();
my @after = grep { $_->{at_ms} / 1000 > $killed + 1 && $_->{status} == 200 } @v;
ok(@after >= 1, 'delivered again after the kill (at least once)')
    or diag(explain(\@v));
is(scalar(keys %{{ map { $_->{delivery} => 1 } @v }}), 1,
   'one X-PA-Delivery for every copy');
cmp_ok($after[0]{attempt}, '>=', 1, 'an attempt number') if @after;

my @logs = map { "$_->{dir}/logs/error.log" } $a, $b;
my $claimed = grep { /claimed \d+ entries stopped nodes left pending/ }
              map { open my $f, '<', $_; <$f> } @logs;
ok($claimed, 'a node says it claimed the entry');

# the killed worker's consumer name, nothing pending any more, is removed
# (notify_prune.lua).  A live node's may go too when it has had nothing
# to deliver for claim_idle (Redis 7.0 counts idle from the last entry
# delivered): its next read makes it again, so at most the two live ones
# are left.
wait_for('the dead consumer removed', sub {
    $a->redis('XINFO', 'CONSUMERS', 'pa:{it}:events', 'notify:hook')
        !~ /^\Q$consumer\E$/m });
my @names = $a->redis('XINFO', 'CONSUMERS', 'pa:{it}:events', 'notify:hook')
            =~ /^name\n(.+)$/mg;
cmp_ok(scalar @names, '<=', 2, 'no more than the live nodes: @names');

done_testing();
