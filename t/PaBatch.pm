package t::PaBatch;

# What the group-commit suites (t/034, t/043) share: requests on
# connections of their own while the test Redis is stopped, so that the
# submissions sent behind one in flight leave as one call of submit.lua
# (pa_submit_batch, ngx_pa_batch.c).  One worker; the suite's config has
# "location = /ping { return 204; }" and /metrics (pa_metrics).
#
#   use t::PaBatch;
#   my @a = main::batch([['POST', '/api/v1/reports', $json, $ctype], ...]);
#   my ($status, $headers, $body) = @{ $a[0] };

use strict;
use warnings;
use IO::Socket::INET;
use Test::More ();
use Test::Nginx::Util ();
use t::PaTest ();

# a request as it goes on the wire
sub main::raw {
    my ($method, $path, $body, @headers) = @_;
    $body //= '';
    return "$method $path HTTP/1.1\r\nHost: localhost\r\n"
           . "Connection: close\r\n"
           . join('', map { "$_\r\n" } @headers)
           . ($method eq 'POST'
              ? "Content-Length: " . length($body) . "\r\n" : '')
           . "\r\n$body";
}

sub main::connect_nginx {
    return IO::Socket::INET->new(
        PeerAddr => '127.0.0.1',
        PeerPort => $Test::Nginx::Util::ServerPortForClient,
        Timeout => 60) || die "cannot connect: $!";
}

# an answer read to its end: (status, {header => value}, body)
sub main::answer {
    my $s = shift;
    local $/;
    my $res = <$s> // '';
    close $s;
    my ($head, $rest) = split /\r\n\r\n/, $res, 2;
    my ($status) = ($head // '') =~ m{^HTTP/1\.\d (\d{3})};
    my %h;
    for (split /\r\n/, $head // '') {
        $h{lc $1} = $2 if /^([^:]+):\s*(.*)$/;
    }
    return ($status // 0, \%h, $rest // '');
}

# one request, its answer
sub main::http {
    my $s = main::connect_nginx();
    print $s main::raw(@_);
    return main::answer($s);
}

# nginx has read every request sent before this one (one worker: it
# answers this only in a later turn of its event loop than their reads)
sub main::barrier {
    my ($what) = @_;
    my ($st) = main::http('GET', '/ping');
    Test::More::is($st, 204, $what // 'nginx answers while Redis is stopped');
}

sub main::metric {
    my ($name) = @_;
    my (undef, undef, $body) = main::http('GET', '/metrics');
    return $body =~ /^\Q$name\E (\d+)$/m ? $1 : -1;
}

# Redis stopped (its command stats reset first): the requests sent, each
# on its connection; with first => 1 the first is read (so in flight)
# before the others are sent; gone => sub { my $socks = shift; ... } runs
# once nginx has read them all (a client closing some); Redis goes on,
# the answers read: [status, headers, body] (undef where gone closed it)
sub main::batch {
    my ($reqs, %opt) = @_;
    t::PaTest::redis('CONFIG', 'RESETSTAT');
    kill 'STOP', $t::PaTest::RedisPid;
    my @s;
    my $ok = eval {
        for my $r (@$reqs) {
            my $s = main::connect_nginx();
            print $s main::raw(@$r);
            push @s, $s;
            main::barrier('the first one read') if $opt{first} && @s == 1;
        }
        main::barrier();
        $opt{gone}->(\@s) if $opt{gone};
        1;
    };
    kill 'CONT', $t::PaTest::RedisPid;
    die $@ unless $ok;
    return map { defined $_ ? [main::answer($_)] : undef } @s;
}

sub main::id_of { my ($b) = @_; return $b =~ /"id":"([^"]+)"/ ? $1 : '' }

1;
