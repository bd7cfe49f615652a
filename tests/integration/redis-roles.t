# What the module does with a Redis node or a sentinel that answers what
# a real one only answers by accident (issue 15 item 1), played by
# FakeRedis: a node LOADING its data answers 503 with Retry-After and is
# dropped, never 500; a sentinel naming the primary by host name (which
# hiredis would resolve with a blocking getaddrinfo() in the worker) is
# refused, the request 503.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Test::More;
use Time::HiRes qw(sleep);
use PaServer;
use FakeRedis;

# submissions until the log says $re (5 s at most, a loaded machine
# connects late): every answer 503 with Retry-After in the API's JSON
sub until_logged {
    my ($srv, $re, $what) = @_;
    my ($n, @bad, $seen) = (0);
    for (1 .. 25) {
        my ($st, $head, $body) = $srv->submit_json("$what " . ++$n);
        push @bad, $st unless $st == 503 && $head =~ /^Retry-After: \d+/mi
                              && $body =~ /"code":"unavailable"/;
        last if $seen = log_of($srv) =~ $re;
        sleep 0.2;
    }
    return ($n, \@bad, $seen);
}

sub log_of {
    my $srv = shift;
    local $/;
    open my $fh, '<', "$srv->{dir}/logs/error.log" or die $!;
    return <$fh>;
}

# ------------------------------------------------------------ LOADING
{
    my $fake = FakeRedis->new(sub {
        my $cmd = uc shift;
        return "+OK\r\n" if $cmd eq 'PING';
        return FakeRedis::bulk('0' x 40) if $cmd eq 'SCRIPT';
        return "-LOADING Redis is loading the dataset in memory\r\n";
    });
    my $srv = PaServer->new(no_redis => 1,
                            redis => "127.0.0.1:$fake->{port}");
    my ($n, $bad, $seen) = until_logged($srv,
        qr/pa redis: "LOADING [^"]*" from "127\.0\.0\.1:\d+", asking again/,
        'Đang nạp dữ liệu');
    ok($seen, 'a node LOADING its data is dropped by the worker');
    is(scalar @$bad, 0, "... each of the $n submissions meanwhile: 503 "
       . 'with Retry-After, in the API\'s JSON') or diag("@$bad");
    my @c = $srv->crashes;
    is(scalar @c, 0, 'no worker exited on a signal') or diag(@c);
}

# ------------------------------------------------------------ host name
{
    my $sentinel = FakeRedis->new(sub {
        my ($cmd, @a) = @_;
        if (uc $cmd eq 'SENTINEL') {
            return "*2\r\n" . FakeRedis::bulk('redis.example.vn')
                 . FakeRedis::bulk('6379');
        }
        if (uc $cmd eq 'SUBSCRIBE') {
            return "*3\r\n" . FakeRedis::bulk('subscribe')
                 . FakeRedis::bulk($a[0]) . ":1\r\n";
        }
        return "-ERR unknown\r\n";
    });
    my $srv = PaServer->new(no_redis => 1,
        redis => "sentinel=127.0.0.1:$sentinel->{port} master=pa");
    my ($n, $bad, $seen) = until_logged($srv,
        qr/the sentinels name the primary "redis\.example\.vn", not an IP/,
        'Tên máy thay vì địa chỉ');
    ok($seen, 'a sentinel naming the primary by host name is refused');
    is(scalar @$bad, 0, "... each of the $n submissions: 503 with "
       . 'Retry-After') or diag("@$bad");
    my $log = '';
    for (1 .. 50) {
        $log = log_of($srv);
        last if $log =~ /following "\+switch-master"/;
        sleep 0.1;
    }
    like($log, qr/following "\+switch-master" on sentinel "127\.0\.0\.1:\d+"/,
         '... the worker follows the sentinel all the same');
    my @c = $srv->crashes;
    is(scalar @c, 0, 'no worker exited on a signal') or diag(@c);
}

done_testing();
