# A revoked holder's live stream (GET /api/v1/events) gets no event after
# the revocation reached its worker: it ends at the next event, not only
# at the next heartbeat (15 s later: time enough for a lost phone to read
# a few more reports' ids, states and agencies).
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Test::More;
use IO::Socket::INET;
use IO::Select;
use JSON::PP;
use Time::HiRes qw(sleep time);
use PaServer;

my $json = JSON::PP->new->canonical;
# one worker: the one whose copy of the revoked list the test sees change
my $srv = PaServer->new(workers => 1);

# a token signed with t/keys/auth.key
sub sign { return PaServer::sign(@_) }

my $lost = sign({sub => 'ioc-lost-phone', role => 'ioc', jti => 'lost-1',
                 iat => int(time) - 60, exp => 4102444800});
my $admin = sign({sub => 'admin-1', role => 'admin', exp => 4102444800});

my $n = 0;
sub submit {
    my $body = $json->encode({content => 'Cột điện nghiêng #' . ++$n,
                              lat => 22.39, lng => 103.45,
                              reporter_name => 'Lò Văn R',
                              reporter_phone => sprintf('091235%04d', $n)});
    my ($st, undef, $b) = $srv->http('POST', '/api/v1/reports', body => $body,
        headers => ['Content-Type: application/json']);
    die "submit: $st $b" unless $st == 201;
    return $json->decode($b)->{id};
}

# the stream: what came, and whether it ended
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                              PeerPort => $srv->{port}) or die $!;
print $s "GET /api/v1/events HTTP/1.0\r\nHost: localhost\r\n"
         . "Authorization: Bearer $lost\r\n\r\n";
my $sel = IO::Select->new($s);
my ($buf, $eof) = ('', 0);

sub fill_until {
    my ($t, $done) = @_;
    my $end = time + $t;
    until ($done->() || $eof || time > $end) {
        next unless $sel->can_read(0.1);
        my $got = sysread($s, my $chunk, 65536);
        if (!$got) {
            $eof = 1;
            last;
        }
        $buf .= $chunk;
    }
    return $done->();
}

ok(fill_until(5, sub { $buf =~ /^: live$/m }), 'the stream is live');

my $first = submit();
ok(fill_until(10, sub { index($buf, $first) >= 0 }),
   'it gets a report submitted');

my ($st) = $srv->http('POST', '/api/v1/admin/tokens/revoke',
    body => '{"sub":"ioc-lost-phone"}',
    headers => ['Content-Type: application/json',
                "Authorization: Bearer $admin"]);
is($st, 200, 'the admin revokes the holder of the lost phone');

# the worker reads the revoked list every second: wait until it has it
my $refused;
for (1 .. 300) {
    ($refused) = $srv->http('GET', '/api/v1/queue',
                            headers => ["Authorization: Bearer $lost"]);
    last if $refused == 401;
    sleep 0.1;
}
is($refused, 401, "the worker refuses the holder's requests");

my $second = submit();
fill_until(8, sub { $eof });
ok($eof, 'the stream ended at the next event');
is(index($buf, $second), -1, '... which it did not get');

done_testing();
