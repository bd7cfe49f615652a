# An IOC behind one NAT: every screen's live stream (GET /api/v1/events)
# comes from one address.  With the shipped conf-examples/slow-clients.conf
# and event-streams.conf (dev.conf and production.conf include both), 150
# staff streams from 127.0.0.1 all open and all get a report's event;
# counted in pa_conn (100 per address) before, the 101st and later got
# 429.  A flood of slow uploads from the same address, meanwhile, is still
# held to pa_conn: past it they are refused with 429 at once, and the
# streams go on.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Test::More;
use IO::Select;
use IO::Socket::INET;
use Time::HiRes qw(sleep time);
use PaServer;

my $ROOT = $ENV{TEST_NGINX_ROOT} || "$FindBin::Bin/../..";
my $conf = "$ROOT/conf-examples";
my $STREAMS = 150;
my $SLOW = 150;

my $slow = do { local (@ARGV, $/) = "$conf/slow-clients.conf"; <> };
my ($limit) = $slow =~ /^\s*limit_conn\s+pa_conn\s+(\d+)\s*;/m
    or BAIL_OUT("no limit_conn pa_conn in slow-clients.conf");
cmp_ok($limit, '<', $STREAMS, "pa_conn ($limit) is below $STREAMS streams");

my $srv = PaServer->new(http_config => "include $conf/slow-clients.conf;",
                        server_config => "include $conf/event-streams.conf;");
my $ioc = PaServer::sign({sub => 'ioc-screen', role => 'ioc',
                          exp => 4102444800});

# a connection that sent $what; its answer is read as it comes
sub conn {
    my $what = shift;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $srv->{port}) or die $!;
    $s->blocking(0);
    syswrite($s, $what);
    return {fh => $s, got => '', eof => 0};
}

# reads what came on any of them within $t seconds
sub poll {
    my ($conns, $t) = @_;
    my %by = map { fileno($_->{fh}) => $_ } grep { !$_->{eof} } @$conns;
    return unless %by;
    my $sel = IO::Select->new(map { $_->{fh} } values %by);
    for my $fh ($sel->can_read($t)) {
        my $c = $by{fileno $fh};
        my $n = sysread($fh, my $buf, 65536);
        if ($n) {
            $c->{got} .= $buf;
        } elsif (defined $n || !$!{EAGAIN}) {
            $c->{eof} = 1;
        }
    }
}

# waits (up to 30 s: a loaded machine is slow, never wrong) until
# $cond holds for every one
sub wait_all {
    my ($conns, $cond) = @_;
    my $end = time + 30;
    while (time < $end && grep { !$cond->($_) } @$conns) {
        poll($conns, 0.2);
    }
    return scalar grep { $cond->($_) } @$conns;
}

my @streams = map {
    conn("GET /api/v1/events HTTP/1.0\r\nHost: localhost\r\n"
         . "Authorization: Bearer $ioc\r\n\r\n")
} 1 .. $STREAMS;

is(wait_all(\@streams, sub { $_[0]{got} =~ /^: live$/m }), $STREAMS,
   "$STREAMS staff streams from one address are all live");
is(scalar(grep { $_->{got} =~ m{^HTTP/1\.\d 429} } @streams), 0,
   'none refused with 429');

my ($st, undef, $body) = $srv->submit_json('Đèn đường hỏng trước trụ sở');
is($st, 201, 'a report is submitted');
my ($id) = $body =~ /"id":"([^"]+)"/;

is(wait_all(\@streams, sub { index($_[0]{got}, $id) >= 0 }), $STREAMS,
   "every one of the $STREAMS streams gets its event");

# the flood: heads of 100 kB submissions, a few bytes of body, no more
my @slow = map {
    conn("POST /api/v1/reports HTTP/1.1\r\nHost: localhost\r\n"
         . "Content-Type: application/json\r\n"
         . "Content-Length: 100000\r\n\r\n{\"content\":\"")
} 1 .. $SLOW;

my $refused = sub { $_[0]{got} =~ m{^HTTP/1\.1 429 } };
my $end = time + 30;
while (time < $end && grep({ $refused->($_) } @slow) < $SLOW - $limit) {
    poll(\@slow, 0.2);
}
is(scalar(grep { $refused->($_) } @slow), $SLOW - $limit,
   "slow uploads past pa_conn ($limit) are refused with 429");

# a citizen elsewhere (127.0.0.2: the flood holds 127.0.0.1's pa_conn)
my $json = '{"content":"Cống thoát nước tắc sau mưa","lat":22.39,'
         . '"lng":103.45,"reporter_name":"Lò Văn N",'
         . '"reporter_phone":"0912345055"}';
my $other = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $srv->{port},
                                  LocalAddr => '127.0.0.2') or die $!;
print $other "POST /api/v1/reports HTTP/1.0
Host: localhost
"
             . "Content-Type: application/json
"
             . "Content-Length: " . length($json) . "

$json";
my $answer = do { local $/; <$other> } // '';
like($answer, qr{^HTTP/1\.\d 201}, 'a report from another address is taken');
my ($id2) = $answer =~ /"id":"([^"]+)"/;
is(wait_all(\@streams, sub { defined $id2 && index($_[0]{got}, $id2) >= 0 }),
   $STREAMS, 'the streams still get events during the flood');

close $_->{fh} for @streams, @slow;

unlike(do { local (@ARGV, $/) = "$srv->{dir}/logs/error.log"; <> } // '',
       qr/\[(?:alert|crit|emerg)\]/, 'nothing worse than a warning logged');

done_testing();
