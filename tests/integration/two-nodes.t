# Two nginx nodes on one Redis (issue 15 item 4), as a province runs
# them behind a load balancer.  The SLA sweeper runs in both, and a Redis
# lock (sweep:lock, taken inside sweep.lua) lets one sweep at a time:
# Redis' MONITOR shows both nodes calling the script and only one taking
# the lock, the other only after the lock expired; when the holder stops,
# the other carries on.  A "redis" rate-limit rule holds across both
# nodes (N allowed in total), where the same rule kept in each node's
# shared memory allows N per node.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Test::More;
use POSIX ();
use Time::HiRes qw(sleep time);
use PaServer;

my $sweep = "pa_sweep_interval 500ms;\n";
my $a = PaServer->new(http_config => $sweep);
my $b = PaServer->new(no_redis => 1, redis_port => $a->{redis_port},
                      http_config => $sweep);
my $lock = 'pa:{it}:sweep:lock';

# MONITOR into a file: every command, those run by scripts included
my $mon_file = "$a->{dir}/monitor";
my $mon = fork // die "fork: $!";
if ($mon == 0) {
    open STDOUT, '>', $mon_file or POSIX::_exit(1);
    { exec 'redis-cli', '-p', $a->{redis_port}, 'MONITOR'; }
    POSIX::_exit(127);
}

sleep 4.5;
my $t_quit = time;
$a->signal('QUIT');
ok($a->wait_gone(10), 'node A stopped');
my $t_gone = time;
{
    my $log = do { local $/; open my $fh, '<', "$a->{dir}/logs/error.log"
                   or die $!; <$fh> };
    my @bad = $log =~ /^(.*\[(?:alert|crit|emerg)\].*)$/mg;
    is(scalar @bad, 0, '... no [alert], [crit] or [emerg] in its log')
        or diag(join "\n", @bad);
}
sleep 3;
kill 'TERM', $mon;
waitpid $mon, 0;

# (time, client, args) of each command
my @cmds;
{
    open my $fh, '<', $mon_file or die $!;
    while (<$fh>) {
        next unless /^(\d+\.\d+) \[\d+ ([^\]]+)\] (.*)$/;
        my ($t, $who, $rest) = ($1, $2, $3);
        push @cmds, [$t, $who, [$rest =~ /"((?:[^"\\]|\\.)*)"/g]];
    }
}

# both nodes' sweepers call the script: EVALSHA sha numkeys <lock> ...,
# the node id is ARGV[4] (sweep.lua)
my %callers;
for my $c (@cmds) {
    my $a = $c->[2];
    next unless uc($a->[0]) eq 'EVALSHA' && ($a->[3] // '') eq $lock;
    $callers{$a->[3 + $a->[2] + 3]}++ if $c->[0] < $t_quit;
}
is(scalar keys %callers, 2, 'both nodes run the sweeper ('
   . join(', ', map { "$_: $callers{$_}" } sort keys %callers) . ')');

# the sweeps done: the lock taken or renewed by the script
my @sweeps = map { [$_->[0], $_->[2][2], $_->[2][4]] }
             grep { $_->[1] eq 'lua' && uc($_->[2][0]) eq 'SET'
                    && $_->[2][1] eq $lock } @cmds;
my @both = grep { $_->[0] < $t_quit } @sweeps;
my %by;
$by{$_->[1]}++ for @both;

# one node at a time: at most one sweep per interval, not one per node
my $span = $t_quit - $cmds[0][0];
ok(@both >= 3 && @both <= $span / 0.5 + 2,
   scalar(@both) . sprintf(' sweeps in %.1f s of 500 ms intervals with two '
                           . 'nodes (', $span)
   . join(', ', map { "$by{$_}" } sort keys %by) . ' by node)');

# a node takes the lock only once the other's has expired
my @early;
for my $i (1 .. $#sweeps) {
    my ($p, $c) = @sweeps[$i - 1, $i];
    next if $p->[1] eq $c->[1];
    push @early, sprintf('%.3f s after the other node, ttl %d ms',
                         $c->[0] - $p->[0], $p->[2])
        if ($c->[0] - $p->[0]) * 1000 < $p->[2] - 1;
}
is(scalar @early, 0, 'no sweep while the other node held the lock')
    or diag(join "\n", @early);

# node A gone: B sweeps
my @after = grep { $_->[0] > $t_gone } @sweeps;
my %left = map { $_->[1] => 1 } @after;
ok(@after >= 3 && keys %left == 1,
   scalar(@after) . ' sweeps after node A stopped, by '
   . scalar(keys %left) . ' node');
ok(!grep({ $_->[0] > $t_gone && !exists $callers{$_->[1]} } @sweeps),
   '... a node of the two');

# ------------------------------------------------------------ rate limits
# a rule allowing 1 + 4 at once: 5 in total with "redis", 5 per node
# without; the requests alternate between the two nodes
sub alternate {
    my ($x, $y, $tag) = @_;
    my (%st, $ra);
    for my $n (1 .. 10) {
        my $srv = $n % 2 ? $x : $y;
        my $json = qq({"content":"Giới hạn $tag số $n","lat":22.39,)
                 . qq("lng":103.45,"reporter_name":"Lò Văn K",)
                 . qq("reporter_phone":"09720000) . sprintf('%02d', $n)
                 . '"}';
        my ($st, $head) = $srv->http('POST', '/api/v1/reports',
            body => $json, headers => ['Content-Type: application/json']);
        $st{$st}++;
        $ra++ if $st == 429 && $head =~ /^Retry-After: *\d+/mi;
    }
    return (\%st, $ra // 0);
}

my $rule = "pa_limit_zone 1m;\n    pa_limit addr rate=1r/m burst=4";
my $c = PaServer->new(http_config => "$rule redis;");
my $d = PaServer->new(no_redis => 1, redis_port => $c->{redis_port},
                      http_config => "$rule redis;");
my ($st, $ra) = alternate($c, $d, 'redis');
is_deeply($st, { 201 => 5, 429 => 5 },
          '"redis" rule on two nodes: 5 allowed in total, 5 refused');
is($ra, 5, '... each refusal with Retry-After');

my $e = PaServer->new(http_config => "$rule;");
my $f = PaServer->new(no_redis => 1, redis_port => $e->{redis_port},
                      http_config => "$rule;");
($st) = alternate($e, $f, 'local');
is_deeply($st, { 201 => 10 },
          'the same rule in shared memory: 5 per node, 10 in all');

for my $srv ($b, $c, $d, $e, $f) {
    my @crash = $srv->crashes;
    is(scalar @crash, 0, 'no worker exited on a signal') or diag(@crash);
}

# the second node of each pair first: the first one's Redis goes with it
undef $_ for $f, $e, $d, $c, $b, $a;

done_testing();
