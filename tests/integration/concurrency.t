# 50 concurrent submissions are all stored, each exactly once; a client
# that aborts mid-upload leaves no temp file and no damage; "nginx -s
# reload" with requests in flight and "nginx -s quit" both complete.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Test::More;
use IO::Socket::INET;
use POSIX ();
use Time::HiRes qw(sleep time);
use PaServer;

my $srv = PaServer->new;

# ---------------------------------------------------------------- 50 at once
my @kids;
for my $n (1 .. 50) {
    pipe(my $r, my $w) or die $!;
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        close $r;
        my ($st, undef, $body) = $srv->submit_json("đồng thời $n");
        my ($id) = $body =~ /"id":"([^"]+)"/;
        print $w "$st " . ($id // '-') . "\n";
        close $w;
        POSIX::_exit(0);
    }
    close $w;
    push @kids, [$pid, $r];
}

my (%ids, $created);
for my $k (@kids) {
    my $line = readline($k->[1]) // '';
    waitpid($k->[0], 0);
    my ($st, $id) = split ' ', $line;
    $created++ if ($st // 0) == 201;
    $ids{$id}++ if $id && $id ne '-';
}

is($created, 50, 'all 50 concurrent submissions answered 201');
is(scalar(keys %ids), 50, '50 distinct ids');
# the reports: no index of them all (issue 12), their hashes counted
(my $count = $srv->redis('EVAL', "'return #redis.call(\"KEYS\",\"pa:{it}:r:*\")'", 0)) =~ s/\D//g;
is($count, 50, 'exactly 50 reports stored');
(my $hist = $srv->redis('EVAL', "'local n=0 for _,k in ipairs(redis.call(\"KEYS\",\"pa:{it}:h:*\")) do n=n+redis.call(\"LLEN\",k) end return n'", 0)) =~ s/\D//g;
is($hist, 0, 'no history list yet: each record implies its submission');
(my $docs = $srv->redis('EVAL', "'local n=0 for _,k in ipairs(redis.call(\"KEYS\",\"pa:{it}:r:*\")) do n=n+redis.call(\"HEXISTS\",k,\"doc\") end return n'", 0)) =~ s/\D//g;
is($docs, 50, 'each stored lean, its cold fields in one doc');

# ---------------------------------------------------------------- abort
my $b = 'AbOrTbOuNdArY';
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                              PeerPort => $srv->{port}) or die $!;
print $s "POST /api/v1/reports HTTP/1.1\r\nHost: localhost\r\n"
       . "Content-Type: multipart/form-data; boundary=$b\r\n"
       . "Content-Length: 5000000\r\n\r\n"
       . "--$b\r\nContent-Disposition: form-data; name=\"media\"; "
       . "filename=\"v.mp4\"\r\nContent-Type: video/mp4\r\n\r\n"
       . ("\0" x 300000);
sleep 0.2;
close $s;
sleep 0.5;

is(scalar(my @t = $srv->media_tmp_files), 0,
   'an aborted upload leaves no media temp file');
my @body = glob("$srv->{dir}/body/*/*"), glob("$srv->{dir}/body/*");
is(scalar(grep { -f } @body), 0, '... and no body temp file');
my ($st) = $srv->http('GET', '/api/v1/health');
is($st, 200, 'the server is fine after the abort');

# ---------------------------------------------------------------- reload
my @slow;
for my $n (1 .. 5) {
    my $c = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $srv->{port}) or die $!;
    my $json = qq({"content":"reload $n","lat":22.39,"lng":103.45,)
             . qq("reporter_name":"A","reporter_phone":"0912345678"});
    # headers now, body after the reload: the request is in flight
    print $c "POST /api/v1/reports HTTP/1.0\r\nHost: localhost\r\n"
           . "Content-Type: application/json\r\n"
           . "Content-Length: " . length($json) . "\r\n\r\n";
    push @slow, [$c, $json];
}
sleep 0.1;
$srv->signal('HUP');
sleep 0.5;
for my $x (@slow) {
    my ($c, $json) = @$x;
    print $c $json;
}
my $ok = 0;
for my $x (@slow) {
    local $/;
    my $resp = readline($x->[0]) // '';
    $ok++ if $resp =~ m{^HTTP/1\.\d 201};

    # a real client closes: otherwise nginx lingers (lingering_timeout)
    close $x->[0];
}
is($ok, 5, 'requests in flight during a reload complete with 201');
($st) = $srv->http('GET', '/api/v1/health');
is($st, 200, 'new workers answer after the reload');

# ---------------------------------------------------------------- quit
my $t0 = time;
$srv->signal('QUIT');
ok($srv->wait_gone(10), 'nginx -s quit exits');
cmp_ok(time - $t0, '<', 5, '... promptly (background timers cancelable)')
    or diag(`tail -25 $srv->{dir}/logs/error.log`);

done_testing();
