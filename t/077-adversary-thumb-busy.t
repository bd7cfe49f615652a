# A worker that never becomes quiet (adversary of ngx_pa_thumb_lane.c):
# the lane makes a thumbnail only once no upload has been worked on for
# 100 ms, so a steady stream of uploads -- here one slow client whose
# photo arrives a buffer every 20 ms -- held every thumbnail back for as
# long as it lasted (and past 4096 waiting, dropped them).  A photo's
# thumbnail must come while the worker stays busy, one at a time still:
# the reporter's list shows it within seconds, not after the rush.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

use Digest::SHA qw(sha256_hex);
use HTTP::Tiny;
use IO::Socket::INET;
use Time::HiRes ();

fresh('t_adv_busy');

our $Photo = slurp("$Fix/large.jpg");
our $Sha = sha256_hex($Photo);
our $Thumb = "/api/v1/reports/TB-1/media/$Sha?size=thumb";
our $Url = "http://127.0.0.1:$Test::Nginx::Util::ServerPortForClient";
our $Slow;

# a client sending a big photo a buffer (8 KB) every 20 ms for $secs
# seconds, then going away: the worker's uploads never pause meanwhile
sub slow_client {
    my $secs = shift;
    my $pid = fork() // die "fork: $!";
    return $pid if $pid;
    my $n = int($secs / 0.02);
    my $body = multipart(['content', 'Sạt lở taluy dương trên quốc lộ 12'],
                         ['reporter_name', 'Lò Văn M'],
                         ['reporter_phone', '0987000772'],
                         ['lat', '22.396'], ['lng', '103.458'],
                         ['media', 'big.jpg', 'image/jpeg',
                          $Photo . ("\0" x (8192 * ($n + 10))) ]);
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
        PeerPort => $Test::Nginx::Util::ServerPortForClient) or POSIX::_exit(1);
    print $s "POST /api/v1/reports HTTP/1.1\r\nHost: localhost\r\n"
        . "$Multipart\r\nContent-Length: " . length($body) . "\r\n\r\n";
    for my $i (0 .. $n - 1) {
        print $s substr($body, $i * 8192, 8192) or last;
        Time::HiRes::sleep(0.02);
    }
    close $s;
    POSIX::_exit(0);
}

setting(main_config => $Threads, config => api(408, 413) . originals(),
        http_config => media_http('t_adv_busy', 'client_body_buffer_size 8k;',
                                  'client_body_timeout 5s;'));

run_tests();

__DATA__

=== TEST 1: a slow client keeps the worker's uploads going; a photo report meanwhile gets its thumbnail within 6 s
--- init
$main::Slow = main::slow_client(10);
Time::HiRes::sleep(0.3);
my $body = main::multipart(['content', 'Cây đổ chắn ngang đường bản Na Cà'],
                           ['reporter_name', 'Lò Thị K'],
                           ['reporter_phone', '0987000771'],
                           ['lat', '22.396'], ['lng', '103.458'],
                           ['media', 'IMG_0001.jpg', 'image/jpeg', $main::Photo]);
(my $ct = $main::Multipart) =~ s/^Content-Type: //;
my $res = HTTP::Tiny->new(timeout => 30)->post("$main::Url/api/v1/reports", {
    headers => {'Content-Type' => $ct,
                'X-PA-Now' => '2026-01-22T09:00:00+07:00',
                'X-PA-Test-Id' => 'TB-1',
                'X-PA-Test-Token' => 'token-of-the-reporter-tb-1'},
    content => $body});
Test::More::is($res->{status}, 201, 'the photo report stored');
my ($t0, $status) = (Time::HiRes::time(), 0);
while (Time::HiRes::time() - $t0 < 6) {
    $status = HTTP::Tiny->new(timeout => 5)->get("$main::Url$main::Thumb", {
        headers => {'X-Report-Token' => 'token-of-the-reporter-tb-1'}})->{status};
    last if $status == 200;
    Time::HiRes::sleep(0.1);
}
Test::More::ok(kill(0, $main::Slow) && waitpid($main::Slow, 1) == 0,
               'the slow client was still sending');
Test::More::is($status, 200, 'the thumbnail served meanwhile');
kill 'TERM', $main::Slow;
waitpid $main::Slow, 0;
--- more_headers
X-Report-Token: token-of-the-reporter-tb-1
--- request eval
"GET $::Thumb"
--- error_code: 200
--- response_headers
Content-Type: image/jpeg
