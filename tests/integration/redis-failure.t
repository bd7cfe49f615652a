# Redis going away and coming back under one running nginx: 503 with
# Retry-After and nothing kept while it is down, the next request after it
# returns succeeds without restarting nginx, and no acknowledged report is
# lost across a restart under load.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Test::More;
use POSIX ();
use Time::HiRes qw(sleep);
use PaServer;

my $srv = PaServer->new;

my ($st, $head, $body) = $srv->submit_json('trước khi Redis dừng');
is($st, 201, 'a report is stored while Redis is up');
my ($id) = $body =~ /"id":"([^"]+)"/;
my ($token) = $body =~ /"access_token":"([^"]+)"/;
ok($id && $token, 'with an id and a token');

$srv->stop_redis;

($st, $head, $body) = $srv->submit_json('trong khi Redis dừng');
is($st, 503, 'Redis down: 503');
like($body, qr/"code":"unavailable"/, '... code unavailable');
like($head, qr/^Retry-After: \d+/mi, '... with Retry-After');

# a multipart upload while down: its temp file must not survive
my $b = 'XbOuNdArY';
my $photo = "\xff\xd8\xff\xe0" . ("\0" x 600) . "\xff\xd9";
my $form = join '', map { "--$b\r\nContent-Disposition: form-data; "
                        . "name=\"$_->[0]\"\r\n\r\n$_->[1]\r\n" }
    (['content', 'x'], ['lat', '22.3'], ['lng', '103.4'],
     ['reporter_name', 'A'], ['reporter_phone', '0912345678']);
$form .= "--$b\r\nContent-Disposition: form-data; name=\"media\"; "
       . "filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n$photo\r\n"
       . "--$b--\r\n";
($st) = $srv->http('POST', '/api/v1/reports', body => $form,
    headers => ["Content-Type: multipart/form-data; boundary=$b"]);
ok($st == 503 || $st == 415, "multipart while down is refused ($st)");
is(scalar(my @t = $srv->media_tmp_files), 0, 'no temp file left behind');

($st) = $srv->http('GET', '/api/v1/health');
is($st, 503, 'health says 503 while Redis is down');

$srv->start_redis;
sleep 0.3;

($st, $head, $body) = $srv->submit_json('sau khi Redis trở lại');
is($st, 201, 'the next request after Redis returns succeeds');

($st, $head, $body) = $srv->http('GET', "/api/v1/reports/$id",
                                 headers => ["X-Report-Token: $token"]);
is($st, 200, 'the report acknowledged before the restart is still there');

# restart under load: every acknowledged report survives
my $pid = open(my $kid, '-|') // die "fork: $!";
if ($pid == 0) {
    for my $n (1 .. 150) {
        my ($s, undef, $bd) = $srv->submit_json("tải $n");
        print "$1 $2\n" if $s == 201
            && $bd =~ /"id":"([^"]+)".*"access_token":"([^"]+)"/;
        sleep 0.005;
    }
    # the child must not tear the servers down on its way out
    POSIX::_exit(0);
}

sleep 0.2;
$srv->stop_redis;
sleep 0.3;
$srv->start_redis;

my @acked = map { [split / /] } grep { /\S/ } <$kid>;
close $kid;
ok(@acked > 10, scalar(@acked) . ' reports acknowledged during the restart');

my $lost = 0;
for my $a (@acked) {
    my ($s) = $srv->http('GET', "/api/v1/reports/$a->[0]",
                         headers => ["X-Report-Token: $a->[1]"]);
    $lost++ unless $s == 200;
}
is($lost, 0, 'no acknowledged report was lost');

done_testing();
