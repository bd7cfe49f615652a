#!/usr/bin/perl
# A tiny DNS server for the webhook tests (and an operator trying a target
# out): answers A queries over UDP from a zone file it reads again at
# each query, so a test changes an answer by rewriting the file.
#
#   pa-dns.pl --port 5353 --zone zone.txt [--log queries.log]
#
# zone.txt, one name a line:
#   gw.pa.test 127.0.0.1 5     an A record, TTL 5 s (default 1)
#   gw.pa.test nxdomain        no such name (rcode 3)
#   gw.pa.test servfail        the server failed (rcode 2)
#   gw.pa.test drop            no answer at all: the client times out
# A name not in the file is NXDOMAIN; any other type than A gets an empty
# answer.  Each query is logged as "<unix time ms> <name> <type number>".
use strict;
use warnings;
use Getopt::Long;
use IO::Socket::INET;
use Time::HiRes ();

my ($port, $zone, $log) = (5353, undef, undef);
GetOptions('port=i' => \$port, 'zone=s' => \$zone, 'log=s' => \$log)
    && $zone or die "usage: $0 --port N --zone FILE [--log FILE]\n";

my $sock = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                 LocalPort => $port, Proto => 'udp')
    or die "$0: cannot listen on udp $port: $!\n";

$SIG{TERM} = sub { exit 0 };

sub zone {
    my %z;
    open my $f, '<', $zone or return \%z;
    while (<$f>) {
        my ($name, $what, $ttl) = split;
        next unless defined $what;
        $z{lc $name} = [$what, $ttl // 1];
    }
    return \%z;
}

while (1) {
    my $from = $sock->recv(my $q, 512) // next;
    next if length $q < 17;

    my ($id, $flags, $qd) = unpack 'n n n', $q;
    next unless $qd == 1;

    # the question: labels, then type and class
    my ($pos, @labels) = (12);
    while ($pos < length $q) {
        my $len = ord substr $q, $pos, 1;
        $pos++;
        last if $len == 0;
        push @labels, substr $q, $pos, $len;
        $pos += $len;
    }
    next if $pos + 4 > length $q;
    my ($type, $class) = unpack 'n n', substr $q, $pos, 4;
    my $question = substr $q, 12, $pos + 4 - 12;
    my $name = lc join '.', @labels;

    if ($log && open my $l, '>>', $log) {
        printf $l "%d %s %d\n", Time::HiRes::time() * 1000, $name, $type;
        close $l;
    }

    my $z = zone()->{$name} // ['nxdomain'];
    my ($what, $ttl) = @$z;
    next if $what eq 'drop';

    my ($rcode, $answer) = (0, '');
    if ($what eq 'nxdomain') {
        $rcode = 3;
    } elsif ($what eq 'servfail') {
        $rcode = 2;
    } elsif ($type == 1) {
        my @ip = split /\./, $what;
        $answer = pack('n n n N n C4', 0xc00c, 1, 1, $ttl, 4, @ip);
    }

    # QR, the query's RD, RA, the rcode
    my $rflags = 0x8000 | ($flags & 0x0100) | 0x0080 | $rcode;
    my $reply = pack('n n n n n n', $id, $rflags, 1, $answer ? 1 : 0, 0, 0)
                . $question . $answer;
    $sock->send($reply, 0, $from);
}
