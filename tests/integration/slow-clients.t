# Issue 15: ~2000 slow connections from one address took the API down
# (health probes failed for 10 s on slow heads, 25 s on slow bodies;
# "worker_connections are not enough").  With the shipped settings
# (conf-examples/connections.conf, conf-examples/slow-clients.conf,
# included as dev.conf and production.conf include them), 3000 slow
# connections from 127.0.0.1 are timed out or refused while a client on
# 127.0.0.2 keeps getting GET /api/v1/health and a submission answered
# promptly, and nginx logs nothing worse than a warning.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Test::More;
use IO::Select;
use IO::Socket::INET;
use POSIX ();
use Socket qw(PF_INET SOCK_STREAM inet_aton pack_sockaddr_in);
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK);
use Time::HiRes qw(sleep time);
use PaServer;

my $N = 3000;         # slow connections: the ~2000 measured, and then
                      # some (2 workers of 1024, as before, held ~2040)
my $PROMPT = 3;       # seconds: an answer later than this is a failure;
                      # an unloaded probe takes milliseconds, the outage
                      # measured lasted 10 to 25 s

# one file descriptor per slow connection, and some to spare
my $max = POSIX::sysconf(POSIX::_SC_OPEN_MAX()) // 0;
if ($max < $N + 500 && !$ENV{PA_SLOW_REEXEC}) {
    $ENV{PA_SLOW_REEXEC} = 1;
    exec 'sh', '-c', 'ulimit -n 8192 && exec "$0" "$@"', $^X, $0, @ARGV;
}
plan skip_all => "open files limit $max, below " . ($N + 500)
    if $max < $N + 500;

my $ROOT = $ENV{TEST_NGINX_ROOT} || "$FindBin::Bin/../..";
my $conf = "$ROOT/conf-examples";

# what the shipped snippet allows, to know what to expect of it
my $slow = do { local (@ARGV, $/) = "$conf/slow-clients.conf"; <> };
my ($limit) = $slow =~ /^\s*limit_conn\s+pa_conn\s+(\d+)\s*;/m
    or BAIL_OUT("no limit_conn pa_conn in slow-clients.conf");
my ($head_to) = $slow =~ /^\s*client_header_timeout\s+(\d+)s\s*;/m
    or BAIL_OUT("no client_header_timeout in slow-clients.conf");
my ($body_to) = $slow =~ /^\s*client_body_timeout\s+(\d+)s\s*;/m
    or BAIL_OUT("no client_body_timeout in slow-clients.conf");

my $srv = PaServer->new(main_config => "include $conf/connections.conf;",
                        http_config => "include $conf/slow-clients.conf;");
my $port = $srv->{port};

# ------------------------------------------------------------ helpers

# a connection from 127.0.0.1 without waiting for it to be accepted
sub open_raw {
    socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
    my $fl = fcntl($s, F_GETFL, 0) or die "fcntl: $!";
    fcntl($s, F_SETFL, $fl | O_NONBLOCK) or die "fcntl: $!";
    connect($s, pack_sockaddr_in($port, inet_aton('127.0.0.1')))
        or $!{EINPROGRESS} or die "connect: $!";
    return $s;
}

# n connections that each send $first (maybe nothing) as soon as they
# are connected, as an attacker's tool does, and then nothing; in batches
# so that a connection waits for its bytes no longer than a batch takes
sub open_slow {
    my ($n, $first) = @_;
    my @all;
    while (@all < $n) {
        my @batch = map { { fh => open_raw(), sent => 0, closed => 0,
                            got => '' } } 1 .. ($n - @all > 50 ? 50
                                                                : $n - @all);
        push @all, @batch;
        next unless length $first;
        my $end = time + 2;
        while (time < $end) {
            my @todo = grep { !$_->{sent} } @batch;
            last unless @todo;
            my $sel = IO::Select->new(map { $_->{fh} } @todo);
            my %ready = map { fileno($_) => 1 } $sel->can_write(0.2);
            for my $c (@todo) {
                next unless $ready{fileno $c->{fh}};
                my $w = syswrite($c->{fh}, $first);
                $c->{sent} = 1 if defined $w && $w == length $first;
            }
        }
    }
    return \@all;
}

# reads what came; marks the connections nginx closed or reset
sub poll_closed {
    my ($conns, $wait) = @_;
    my @open = grep { !$_->{closed} } @$conns;
    return unless @open;
    my %by = map { fileno($_->{fh}) => $_ } @open;
    my $sel = IO::Select->new(map { $_->{fh} } @open);
    for my $fh ($sel->can_read($wait)) {
        my $c = $by{fileno $fh};
        my $n = sysread($fh, my $buf, 4096);
        if (defined $n && $n > 0) {
            $c->{got} .= $buf;
        } elsif (defined $n || !$!{EAGAIN}) {
            $c->{closed} = 1;
            close $fh;
        }
    }
}

# one request from the other client, 127.0.0.2: (status, seconds)
sub other {
    my ($method, $uri, $body) = @_;
    my $t0 = time;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  LocalAddr => '127.0.0.2',
                                  Timeout => $PROMPT)
        or return (0, time - $t0);
    my $req = "$method $uri HTTP/1.0\r\nHost: localhost\r\n";
    if (defined $body) {
        $req .= "Content-Type: application/json\r\n"
              . "Content-Length: " . length($body) . "\r\n";
    }
    print $s "$req\r\n" . ($body // '');
    my ($resp, $sel) = ('', IO::Select->new($s));
    while (time - $t0 < $PROMPT && $sel->can_read($PROMPT - (time - $t0))) {
        last unless sysread($s, $resp, 65536, length $resp);
    }
    close $s;
    my ($st) = $resp =~ m{^HTTP/1\.\d (\d+)};
    return ($st // 0, time - $t0);
}

my $phone = 0;

# the other client is served at once, several times over a second or two
sub other_client_served {
    my $what = shift;
    my $ok = 1;
    for my $i (1 .. 5) {
        my ($st, $t) = other('GET', '/api/v1/health');
        $ok &&= is($st, 200, "$what: health probe $i from 127.0.0.2 answers")
            && cmp_ok($t, '<', $PROMPT, "... promptly");
        sleep 0.3;
    }
    my $json = sprintf '{"content":"Đèn tín hiệu hỏng giữa lúc có %d kết '
                       . 'nối chậm","lat":22.39,"lng":103.45,'
                       . '"reporter_name":"Lò Văn K",'
                       . '"reporter_phone":"09123%05d"}', $N, ++$phone;
    my ($st, $t) = other('POST', '/api/v1/reports', $json);
    is($st, 201, "$what: a submission from 127.0.0.2 is stored");
    cmp_ok($t, '<', $PROMPT, "... promptly");
}

sub error_log {
    open my $fh, '<', "$srv->{dir}/logs/error.log" or return '';
    local $/;
    return <$fh>;
}

# ------------------------------------------------------------ slow heads
# a head that never ends (slowloris); a connection that sends nothing at
# all is one nginx drops by itself when short of connections
{
    my @conns = @{ open_slow($N, "GET /api/v1/health HTTP/1.1\r\n"
                                 . "Host: localhost\r\nX-Slow: 1") };
    sleep 1;
    poll_closed(\@conns, 0);
    is(scalar(grep { $_->{closed} } @conns), 0,
       "$N slow heads connected, none refused yet");

    other_client_served("$N slow heads");

    # nginx times them out (client_header_timeout), all of them
    my $end = time + $head_to + 20;
    while (time < $end && grep { !$_->{closed} } @conns) {
        poll_closed(\@conns, 1);
    }
    is(scalar(grep { !$_->{closed} } @conns), 0,
       "every slow head is closed by nginx within ${head_to}s + 20s");
    close $_->{fh} for grep { !$_->{closed} } @conns;
}

# ------------------------------------------------------------ slow bodies
# a whole head of a submission, then a few bytes of its 100 kB body
{
    my $head = "POST /api/v1/reports HTTP/1.1\r\nHost: localhost\r\n"
             . "Content-Type: application/json\r\n"
             . "Content-Length: 100000\r\n\r\n{\"content\":\"";
    my $conns = open_slow($N, $head);

    other_client_served("$N slow bodies");

    # beyond the limit they are refused at once with 429 ...
    my $refused = sub { scalar grep { $_->{got} =~ m{^HTTP/1\.1 429 } }
                        @$conns };
    my $end = time + 15;
    while (time < $end && $refused->() < $N - $limit) {
        poll_closed($conns, 0.5);
    }
    is($refused->(), $N - $limit,
       "all but $limit slow bodies refused with 429 (limit_conn)");
    my @held = grep { $_->{got} eq '' && !$_->{closed} } @$conns;
    is(scalar @held, $limit, "$limit are being read, slowly");

    # ... and those read are timed out (client_body_timeout)
    $end = time + $body_to + 20;
    while (time < $end && grep { !$_->{closed} } @held) {
        poll_closed(\@held, 1);
    }
    is(scalar(grep { !$_->{closed} } @held), 0,
       "the slow bodies being read are closed within ${body_to}s + 20s");
    close $_->{fh} for grep { !$_->{closed} } @$conns;

    other_client_served('after the slow bodies');
}

# ------------------------------------------------------------ the log
my $log = error_log();
unlike($log, qr/worker_connections are not enough/,
       'no "worker_connections are not enough"');
unlike($log, qr/\[(?:alert|crit|emerg)\]/, 'no [alert], [crit] or [emerg]')
    or diag(join "\n", grep { /\[(?:alert|crit|emerg)\]/ }
                       split /\n/, $log);
like($log, qr/\[warn\].*limiting connections by zone "pa_conn"/,
     'the refusals are logged at [warn]');
is(scalar $srv->crashes, 0, 'no worker crashed');

done_testing();
