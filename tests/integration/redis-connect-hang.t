# Regression test for issue 11 item 1: a worker crashed (SIGSEGV) when the
# connect to Redis hung (dropped SYNs: a failover, a firewall, a dead host)
# with "pa_limit ... redis" configured.  The connect timeout freed the
# context, the limiter's callback resumed its request, the request
# reconnected from inside redisAsyncFree, and the old context's cleanup
# freed the new connection: the next command dereferenced NULL.
#
# The hang, without root: a listening socket whose accept queue is full
# (backlog 0, filled by connections nobody accepts) drops every further
# SYN on Linux, so nginx's connect stays in SYN_SENT until its timeout.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Test::More;
use POSIX ();
use Socket;
use IO::Socket::INET;
use Time::HiRes qw(sleep time);
use PaServer;

socket(my $hole, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
bind($hole, pack_sockaddr_in(0, inet_aton('127.0.0.1'))) or die "bind: $!";
listen($hole, 0) or die "listen: $!";
my ($port) = unpack_sockaddr_in(getsockname($hole));

# fill the accept queue; these connections are never accepted
my @fill;
for (1 .. 3) {
    my $c = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Blocking => 0);
    push @fill, $c if $c;
}
sleep 0.2;

my $t0 = time;
my $probe = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Timeout => 1);
if ($probe || time - $t0 < 0.9) {
    plan skip_all => 'a full accept queue does not hang connects here';
}

my $srv = PaServer->new(
    no_redis    => 1,
    redis_port  => $port,
    http_config => "pa_limit_zone 1m;\n"
                 . "    pa_limit addr rate=6000r/m burst=1000 redis;",
);

# requests arrive while the worker's connect hangs: the limiter's call
# waits on the connecting context, the connect timeout frees it
my @kids;
for my $n (1 .. 8) {
    my $pid = open(my $kid, '-|') // die "fork: $!";
    if ($pid == 0) {
        my ($st, $head, $body) = $srv->submit_json("kết nối treo $n");
        print "$st\n";
        POSIX::_exit(0);
    }
    push @kids, $kid;
    sleep 0.1;
}

my @st = map { my $s = <$_>; close $_; chomp($s //= 0); $s } @kids;
is(scalar(grep { $_ == 503 } @st), 8,
   'every submission is answered 503 once (' . join(',', @st) . ')');

# and again, after the reconnect timer ran a few times
sleep 0.5;
my ($st, $head, $body) = $srv->submit_json('kết nối treo, lần nữa');
is($st, 503, 'still 503 while the connect hangs');
like($head, qr/^Retry-After: \d+/mi, '... with Retry-After');

($st) = $srv->http('GET', '/api/v1/health');
is($st, 503, 'health says 503');

my $log = do {
    local $/;
    open my $fh, '<', "$srv->{dir}/logs/error.log" or die $!;
    <$fh>;
};
like($log, qr/connect to "127\.0\.0\.1:\d+" timed out/,
     'the connect did hang (the log says so)');

my @crashes = $srv->crashes;
is(scalar @crashes, 0, 'no worker exited on a signal') or diag(@crashes);

close $_ for @fill;
close $hole;

done_testing();
