# The adversary's findings on media pre-upload (POST /api/v1/media,
# PATCH/HEAD/DELETE of a handle, media_handles at submit).
#
# A phone in the mountains loses its signal mid-upload and is back with
# another address (4G after Wi-Fi, a carrier's NAT): an upload made
# without a token is its handle's, so it resumes, is read, bound or given
# up from the new address.  An account's upload stays that account's.
# X-Real-IP (realip) plays the phone's address.
#
# A PATCH whose body is larger than the room its Upload-Length leaves is
# refused before its body is read: by the Content-Length it announces (no
# "100 Continue", so a client that asks first sends nothing), or, sent
# chunked, as soon as the bytes pass the room.  It used to be read whole
# into a temp file first (up to pa_media_max_size) and refused after.
# Each refused PATCH below sends only its head and a few bytes of its
# body: answered, it was refused unread; read in full first, it would
# wait for the rest and time out.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use Digest::SHA qw(sha256_hex);
use IO::Socket::INET;

our $Now = '2026-01-22T09:00:00+07:00';

our $A = sign({sub => 'citizen-a', role => 'reporter', exp => 4102444800});
our $B = sign({sub => 'citizen-b', role => 'reporter', exp => 4102444800});

sub H { sprintf '%032x', shift }
sub bytes { slurp("$Fix/$_[0]") }
sub sha { sha256_hex(bytes($_[0])) }

# headers: the phone's address, a handle to name, more lines
sub at {
    my ($addr, $h, @more) = @_;
    return join "\n", "X-PA-Now: $Now", "X-Real-IP: $addr",
                      ($h ? "X-PA-Test-Handle: $h" : ()), @more;
}

sub report {
    my ($n, @handles) = @_;
    return "POST /api/v1/reports\n" . JSON::PP->new->canonical->encode({
        content => "Cống thoát nước bị tắc #$n",
        reporter_name => 'Lò Văn K',
        reporter_phone => '0977300' . sprintf('%03d', $n),
        lat => 22.396, lng => 103.458, media_handles => \@handles });
}

our $Patch = 'Content-Type: application/offset+octet-stream';

# a raw PATCH's head to handle n at an offset, with more header lines
sub patch {
    my ($n, $offset, @more) = @_;
    return CORE::join("\r\n", "PATCH /api/v1/media/" . H($n) . " HTTP/1.1",
                      'Host: localhost', 'Connection: close',
                      "X-PA-Now: $Now", $Patch, "Upload-Offset: $offset",
                      @more) . "\r\n\r\n";
}
our $Len = length(bytes('fresh-ii.jpg'));

setting(config => api(400, 404, 405, 413, 415), main_config => $Threads,
        http_config => <<'_EOC_');
    include $TEST_NGINX_ROOT/conf-examples/log-format.conf;
    access_log $TEST_NGINX_PA_DATA/pa-access.log pa;
    set_real_ip_from 127.0.0.1;
    real_ip_header X-Real-IP;
    pa_thread_pool pa;
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_adv_upload;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_test_clock on;
    pa_media_max_size 5m;
    pa_upload ttl=1h handles=5 bytes=20m;
_EOC_

fresh('t_adv_upload');
run_tests();

my $media = "$Data/media";
my $s = sha('fresh-ii.jpg');
ok(-f "$media/" . substr($s, 0, 2) . "/$s",
   "the photo resumed from another address is in the store");
ok(!-e "$media/tmp/up-" . H(3), "the upload given up from there is gone");

# a handle is a secret as a token is: never in the access log
my $log = -e "$Data/pa-access.log" ? slurp("$Data/pa-access.log") : '';
like($log, qr{"PATCH /api/v1/media/\*\*\* HTTP/1\.1" 200},
     'the access log has the uploads, handle masked');
unlike($log, qr/0{20}/, '... and no handle at all');

__DATA__

=== TEST 1: a photo sent whole, and a resumable one half sent, from the phone on Wi-Fi
--- more_headers eval
[::at('10.1.0.1', ::H(1), 'Content-Type: image/jpeg'),
 ::at('10.1.0.1', ::H(2), "Upload-Length: $::Len"),
 ::at('10.1.0.1', '', $::Patch, 'Upload-Offset: 0'),
 ::at('10.1.0.1', ::H(3), 'Upload-Length: 4000')]
--- pipelined_requests eval
["POST /api/v1/media\n" . ::bytes('fresh-mm.jpg'), "POST /api/v1/media\n",
 "PATCH /api/v1/media/" . ::H(2) . "\n" . substr(::bytes('fresh-ii.jpg'), 0, 1000),
 "POST /api/v1/media\n"]
--- error_code eval
[201, 201, 200, 201]
--- response_body_like eval
['"state":"complete"', '"state":"partial","offset":0', '"state":"partial","offset":1000',
 '"state":"partial","offset":0']



=== TEST 2: the signal is back on 4G with another address: it asks where the upload stands and sends the rest
--- more_headers eval
[::at('10.2.0.7', ''), ::at('10.2.0.7', '', $::Patch, 'Upload-Offset: 1000')]
--- pipelined_requests eval
["GET /api/v1/media/" . ::H(2),
 "PATCH /api/v1/media/" . ::H(2) . "\n" . substr(::bytes('fresh-ii.jpg'), 1000)]
--- error_code eval
[200, 200]
--- response_body_like eval
['"state":"partial","offset":1000',
 '^\{"id":"' . ::sha('fresh-ii.jpg') . '",.*"state":"complete","offset":' . $::Len]



=== TEST 3: from there it gives up a photo removed from the form
--- more_headers eval
::at('10.2.0.7', '')
--- request eval
"DELETE /api/v1/media/" . ::H(3)
--- error_code: 200
--- response_body_like: "state":"deleted"



=== TEST 4: and sends the report with both photos
--- more_headers eval
::at('10.2.0.7', '', 'Content-Type: application/json', 'X-PA-Test-Id: AU-1')
--- request eval
::report(1, ::H(1), ::H(2))
--- error_code: 201
--- response_body_like eval
'"id":"AU-1".*"media":\[\{"id":"' . ::sha('fresh-mm.jpg') . '".*\},\{"id":"' . ::sha('fresh-ii.jpg') . '"'



=== TEST 5: an account's upload stays the account's: another account, or a caller without a token at the same address, is told it does not exist
--- more_headers eval
[::at('10.3.0.1', ::H(4), 'Content-Type: image/jpeg', "Authorization: Bearer $::A"),
 ::at('10.3.0.1', '', "Authorization: Bearer $::B"),
 ::at('10.3.0.1', ''),
 ::at('10.3.0.1', '', 'Content-Type: application/json'),
 ::at('10.3.0.1', ''),
 ::at('10.4.0.1', '', "Authorization: Bearer $::A")]
--- pipelined_requests eval
["POST /api/v1/media\n" . ::bytes('fresh-offset.jpg'), "GET /api/v1/media/" . ::H(4),
 "GET /api/v1/media/" . ::H(4), ::report(2, ::H(4)), "DELETE /api/v1/media/" . ::H(4),
 "GET /api/v1/media/" . ::H(4)]
--- error_code eval
[201, 404, 404, 400, 404, 200]
--- response_body_like eval
['"state":"complete"', '"code":"not_found"', '"code":"not_found"',
 '"message":"no such media upload', '"code":"not_found"', '"state":"complete"']



=== TEST 6: nor may an account take over an upload made without a token
--- more_headers eval
[::at('10.5.0.1', ::H(5), 'Content-Type: image/jpeg'),
 ::at('10.5.0.1', '', "Authorization: Bearer $::B"),
 ::at('10.5.0.1', '', "Authorization: Bearer $::B")]
--- pipelined_requests eval
["POST /api/v1/media\n" . ::bytes('fresh-offset.jpg'), "GET /api/v1/media/" . ::H(5),
 "DELETE /api/v1/media/" . ::H(5)]
--- error_code eval
[201, 404, 404]
--- response_body_like eval
['"state":"complete"', '"code":"not_found"', '"code":"not_found"']



=== TEST 7: a resumable upload of 1000 bytes is opened
--- more_headers eval
::at('127.0.0.1', ::H(55), 'Upload-Length: 1000')
--- request
POST /api/v1/media
--- error_code: 201



=== TEST 8: 100000 bytes announced at offset 0 (room 1000), 10 sent: 413 at once
--- raw_request eval
::patch(55, 0, 'Content-Length: 100000') . ('x' x 10)
--- timeout: 10
--- error_code: 413
--- response_body_like: ^\{"error":\{"code":"too_large","message":"more bytes than the Upload-Length announced"\}\}$



=== TEST 9: the same, asking first (Expect: 100-continue), nothing sent: 413, never "go on"
--- raw_request eval
::patch(55, 0, 'Content-Length: 100000', 'Expect: 100-continue')
--- timeout: 10
--- error_code: 413
--- response_body_like: "code":"too_large"



=== TEST 10: chunked, a first chunk of 2000 bytes (room 1000) and no end: 413 as the bytes pass the room
--- raw_request eval
::patch(55, 0, 'Transfer-Encoding: chunked') . sprintf("%x\r\n", 2000) . ('x' x 2000) . "\r\n"
--- timeout: 10
--- error_code: 413
--- response_body_like: "code":"too_large"
--- error_log
a PATCH sent more bytes than its upload has room for



=== TEST 11: nothing of the refused bytes was kept: the upload is still at 0
--- more_headers eval
::at('127.0.0.1')
--- request eval
"HEAD /api/v1/media/" . ::H(55)
--- error_code: 200
--- response_headers
Upload-Offset: 0
Upload-Length: 1000



=== TEST 12: within the room, chunked: taken (600 bytes)
--- raw_request eval
::patch(55, 0, 'Transfer-Encoding: chunked') . sprintf("%x\r\n", 600) . ('x' x 600) . "\r\n0\r\n\r\n"
--- error_code: 200
--- response_body_like: "state":"partial","offset":600,"length":1000



=== TEST 13: at 600 the room is 400: 401 bytes announced, 1 sent: 413 at once
--- raw_request eval
::patch(55, 600, 'Content-Length: 401') . 'x'
--- timeout: 10
--- error_code: 413
--- response_body_like: "code":"too_large"



=== TEST 13b: chunked on a kept-alive connection, refused mid-body: the connection ends with the 413; what the client sends after it is never read as a request of its own
--- init
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                              PeerPort => $Test::Nginx::Util::ServerPortForClient,
                              Timeout => 10) or die "connect: $!";
my $head = ::patch(55, 600, 'Transfer-Encoding: chunked');
$head =~ s/Connection: close/Connection: keep-alive/;
print $s $head . sprintf("%x\r\n", 1000) . ('x' x 500);
my $first = '';
while ($first !~ /\r\n\r\n\{.*\}\}/s) {
    my $n = sysread($s, $first, 4096, length $first);
    last unless $n;
}
Test::More::like($first, qr{^HTTP/1\.1 413 }, "413 as the bytes pass the room");
Test::More::like($first, qr/^Connection: close\r$/mi,
                 "... saying the connection ends");
# the rest of the chunk, to a proxy in front still the PATCH's body
print $s "GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n"
         . "Connection: close\r\n\r\n";
my $rest = '';
while (1) {
    my $n = sysread($s, $rest, 4096, length $rest);
    last unless $n;
}
Test::More::unlike($rest, qr{HTTP/1\.1 \d{3}},
                   "nothing answered after the 413");
--- request eval
"HEAD /api/v1/media/" . ::H(55)
--- more_headers eval
::at('127.0.0.1')
--- error_code: 200
--- response_headers
Upload-Offset: 600



=== TEST 14: ... and still at 600
--- more_headers eval
::at('127.0.0.1')
--- request eval
"HEAD /api/v1/media/" . ::H(55)
--- error_code: 200
--- response_headers
Upload-Offset: 600
