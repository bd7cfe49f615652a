# A multipart upload is walked as it arrives (unbuffered, one
# client_body_buffer_size piece at a time, each piece in the thread pool):
# slow and chunked clients are served, a refused part is answered before
# the rest is read, a client that goes away or stalls leaves nothing behind.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use Digest::SHA qw(sha256_hex);

our @Fields = (['content', 'Đèn tín hiệu giao thông hỏng'],
               ['reporter_name', 'Hoàng Văn E'],
               ['lat', '22.396'], ['lng', '103.458']);

# the raw request of a form: headers (Content-Length or chunked), body
sub raw {
    my ($phone, $chunked, @parts) = @_;
    my $body = multipart(['reporter_phone', $phone], @Fields, @parts);
    my $head = "POST /api/v1/reports HTTP/1.1\r\nHost: localhost\r\n"
               . "$Multipart\r\nConnection: close\r\n";
    return $head . "Content-Length: " . length($body) . "\r\n\r\n" . $body
        unless $chunked;
    my $out = $head . "Transfer-Encoding: chunked\r\n\r\n";
    for (my $i = 0; $i < length $body; $i += 5000) {
        my $c = substr($body, $i, 5000);
        $out .= sprintf("%x\r\n", length $c) . "$c\r\n";
    }
    return $out . "0\r\n\r\n";
}

# the request cut in n pieces, for raw_request with a delay between them
sub pieces {
    my ($req, $n) = @_;
    my $size = int(length($req) / $n) + 1;
    return [map { substr($req, $_ * $size, $size) } 0 .. $n - 1];
}

setting(config => api(408, 413, 415), main_config => $Threads,
        http_config => <<'_EOC_');
    pa_thread_pool pa;
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_upload_stream;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    # small pieces: a photo is walked in many of them
    client_body_buffer_size 8k;
    client_body_timeout 1s;
_EOC_

run_tests();

# after every block: nothing half-written, nothing refused stored
my @tmp = glob("$Data/media/tmp/*");
is(scalar @tmp, 0, "no temp file left in media/tmp") or diag("left: @tmp");

for my $f (qw(text.jpg)) {
    my $sha = sha256_hex(slurp("$Fix/$f"));
    ok(!-e "$Data/media/" . substr($sha, 0, 2) . "/$sha",
       "$f never reached the store");
}
my $sha = sha256_hex(slurp("$Fix/large.jpg"));
ok(-f "$Data/media/" . substr($sha, 0, 2) . "/$sha",
   "the slow client's photo is in the store");

__DATA__

=== TEST 1: a client that sends its photo slowly, in pieces: each piece walked in the pool, the report stored
--- raw_request eval
::pieces(::raw('0977100001', 0, ['media', 'large.jpg', 'image/jpeg']), 8)
--- raw_request_middle_delay: 0.05
--- error_code: 201
--- response_body_like: "media":\[\{"id":"[0-9a-f]{64}","type":"image/jpeg","size":\d{6},"flags":\[\],"taken_at":"2026-01-22T08:00:00\+07:00"
--- error_log eval
[qr/run task #\d+ in thread pool "pa"/, 'pa: thread job done']



=== TEST 2: a chunked upload (no Content-Length) is walked the same way
--- raw_request eval
::raw('0977100002', 1, ['media', 'large.jpg', 'image/jpeg'])
--- error_code: 201
--- response_body_like: "media":\[\{"id":"[0-9a-f]{64}","type":"image/jpeg","size":\d{6},



=== TEST 3: a file that is not what it claims, first: 415 at once, the photo after it never walked
--- raw_request eval
::raw('0977100003', 0, ['media', 'text.jpg', 'image/jpeg'],
      ['media', 'large.jpg', 'image/jpeg'])
--- error_code: 415
--- response_body_like: "code":"unsupported_media"



=== TEST 4: a client that goes away in the middle of its photo: no report, no temp file (checked at the end)
--- raw_request eval
substr(::raw('0977100004', 0, ['media', 'large.jpg', 'image/jpeg']), 0, 100000)
--- shutdown: 1
--- ignore_response
--- error_log
client prematurely closed connection
pa: upload not completed (400), its media dropped



=== TEST 5: a client that stalls in the middle of its photo: client_body_timeout ends it, nothing is kept
--- raw_request eval
substr(::raw('0977100005', 0, ['media', 'large.jpg', 'image/jpeg']), 0, 100000)
--- timeout: 3
--- ignore_response
--- error_log
pa: upload not completed (408), its media dropped
