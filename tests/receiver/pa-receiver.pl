#!/usr/bin/env perl
# pa-receiver.pl: a reference receiver of ngx_pa's webhooks (pa_notify),
# for the tests and for operators trying a target out.
#
#   tests/receiver/pa-receiver.pl --port 9080 --secret-file /etc/pa/hook.key \
#       --log /tmp/deliveries.jsonl [--fail N] [--status 500] [--delay MS]
#       [--addr 127.0.0.1] [--lf]
#
# For every POST it checks X-PA-Signature (sha256=<hex HMAC-SHA256 of the
# body with the key in --secret-file, its last newline not included, as
# nginx reads it) and appends one JSON line to --log:
#   {"at_ms", "path", "event", "delivery", "attempt", "signature_ok",
#    "status", "body"}
# then answers 401 for a bad signature, --status (default 500) to the
# first --fail N deliveries (to --path only, when given), else 200 --
# after --delay MS if given.  GET /_control?fail=N&delay=MS&status=S&path=P
# changes those while it runs (the counter starts again); GET /_health
# answers 200.  HTTP/1.1 keep-alive.  --lf: the answer's lines end with
# a bare LF, as lenient HTTP/1.1 servers write them.
# One process, one connection at a time served fully (select loop), no
# module beyond Perl's own.

use strict;
use warnings;

use Digest::SHA qw(hmac_sha256_hex);
use Getopt::Long;
use IO::Select;
use IO::Socket::INET;
use JSON::PP;
use Time::HiRes qw(time sleep);

my %o = (port => 9080, fail => 0, status => 500, delay => 0, path => '',
         addr => '127.0.0.1', lf => 0);
GetOptions(\%o, 'port=i', 'secret-file=s', 'log=s', 'fail=i', 'status=i',
           'delay=i', 'path=s', 'pid-file=s', 'addr=s', 'lf')
    or die "usage: see the head of $0\n";

my $secret = '';
if ($o{'secret-file'}) {
    open my $f, '<', $o{'secret-file'} or die "$o{'secret-file'}: $!\n";
    local $/;
    $secret = <$f>;
    $secret =~ s/[\r\n]+\z//;
}

my $srv = IO::Socket::INET->new(LocalAddr => $o{addr},
                                LocalPort => $o{port}, Listen => 64,
                                ReuseAddr => 1)
    or die "listen on $o{port}: $!\n";

if ($o{'pid-file'}) {
    open my $p, '>', $o{'pid-file'} or die "$o{'pid-file'}: $!\n";
    print $p "$$\n";
    close $p;
}

$SIG{TERM} = $SIG{INT} = sub { exit 0 };
$| = 1;

my $json = JSON::PP->new->canonical;
my $failed = 0;
my $sel = IO::Select->new($srv);
my %buf;

while (1) {
    for my $s ($sel->can_read(1)) {
        if ($s == $srv) {
            my $c = $srv->accept or next;
            $c->blocking(0);
            $sel->add($c);
            $buf{$c} = '';
            next;
        }

        my $n = sysread($s, my $chunk, 65536);
        if (!$n) {
            $sel->remove($s);
            delete $buf{$s};
            close $s;
            next;
        }
        $buf{$s} .= $chunk;

        # every complete request in the buffer, in order
        while ($buf{$s} =~ /\r\n\r\n/) {
            my $end = $+[0];
            my $head = substr($buf{$s}, 0, $end);
            my ($len) = $head =~ /^Content-Length:\s*(\d+)/mi;
            $len //= 0;
            last if length($buf{$s}) < $end + $len;
            my $body = substr($buf{$s}, $end, $len);
            substr($buf{$s}, 0, $end + $len) = '';
            my $close = $head =~ /^Connection:\s*close/mi;
            answer($s, $head, $body);
            if ($close) {
                $sel->remove($s);
                delete $buf{$s};
                close $s;
                last;
            }
        }
    }
}

sub reply {
    my ($s, $status, $text) = @_;
    $s->blocking(1);
    my $nl = $o{lf} ? "\n" : "\r\n";
    print $s "HTTP/1.1 $status X${nl}Content-Type: text/plain$nl"
             . "Content-Length: " . length($text) . "$nl$nl$text";
    $s->blocking(0);
}

sub answer {
    my ($s, $head, $body) = @_;
    my ($method, $uri) = $head =~ /^(\S+) (\S+)/;

    if ($method eq 'GET' && $uri =~ m{^/_control\?(.*)$}) {
        for my $kv (split /&/, $1) {
            my ($k, $v) = split /=/, $kv, 2;
            $o{$k} = $v if exists $o{$k} && ($v =~ /^\d+$/ || $k eq 'path');
        }
        $failed = 0;
        return reply($s, 200, "ok\n");
    }
    if ($method eq 'GET') {
        return reply($s, 200, "ok\n");
    }

    my %h;
    $h{lc $1} = $2 while $head =~ /^([\w-]+):\s*(.*?)\r$/mg;
    my $want = 'sha256=' . hmac_sha256_hex($body, $secret);
    my $ok = ($h{'x-pa-signature'} // '') eq $want ? JSON::PP::true
                                                   : JSON::PP::false;

    my $failing = $o{path} eq '' || $o{path} eq $uri;
    my $status = !$ok ? 401
               : $failing && $failed < $o{fail} ? $o{status} : 200;
    $failed++ if $ok && $status != 200;

    sleep($o{delay} / 1000) if $o{delay};

    if ($o{log}) {
        open my $l, '>>', $o{log} or die "$o{log}: $!\n";
        print $l $json->encode({
            at_ms => int(time * 1000), path => $uri,
            event => $h{'x-pa-event'},
            delivery => $h{'x-pa-delivery'}, attempt => $h{'x-pa-attempt'},
            signature_ok => $ok, status => $status, body => $body}), "\n";
        close $l;
    }

    reply($s, $status, $status == 200 ? "ok\n" : "no\n");
}
