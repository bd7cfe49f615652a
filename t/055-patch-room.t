# A PATCH of a resumable upload whose body is larger than the room its
# Upload-Length leaves is refused before its body is read: by the
# Content-Length it announces (no "100 Continue", so a client that asks
# first sends nothing), or, sent chunked, as soon as the bytes pass the
# room.  It used to be read whole into a temp file first (up to
# pa_media_max_size) and refused after.  Each refused PATCH below sends
# only its head and a few bytes of its body: answered, it was refused
# unread; read in full first, it would wait for the rest and time out.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

our $Now = '2026-01-22T09:00:00+07:00';
our $H = sprintf '%032x', 55;

# a PATCH's head (raw), at an offset, with more header lines
sub patch {
    my ($offset, @more) = @_;
    return CORE::join("\r\n", "PATCH /api/v1/media/$H HTTP/1.1",
                      'Host: localhost', 'Connection: close',
                      "X-PA-Now: $Now",
                      'Content-Type: application/offset+octet-stream',
                      "Upload-Offset: $offset", @more) . "\r\n\r\n";
}

setting(config => api(400, 404, 405, 413, 415), main_config => $Threads,
        http_config => <<'_EOC_');
    pa_thread_pool pa;
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_patch_room;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_test_clock on;
    pa_media_max_size 5m;
    client_body_timeout 60s;
_EOC_

fresh('t_patch_room');
run_tests();

__DATA__

=== TEST 1: a resumable upload of 1000 bytes is opened
--- more_headers eval
"X-PA-Now: $::Now\nX-PA-Test-Handle: $::H\nUpload-Length: 1000"
--- request
POST /api/v1/media
--- error_code: 201



=== TEST 2: 100000 bytes announced at offset 0 (room 1000), 10 sent: 413 at once
--- raw_request eval
::patch(0, 'Content-Length: 100000') . ('x' x 10)
--- timeout: 10
--- error_code: 413
--- response_body_like: ^\{"error":\{"code":"too_large","message":"more bytes than the Upload-Length announced"\}\}$



=== TEST 3: the same, asking first (Expect: 100-continue), nothing sent: 413, never "go on"
--- raw_request eval
::patch(0, 'Content-Length: 100000', 'Expect: 100-continue')
--- timeout: 10
--- error_code: 413
--- response_body_like: "code":"too_large"



=== TEST 4: chunked, a first chunk of 2000 bytes (room 1000) and no end: 413 as the bytes pass the room
--- raw_request eval
::patch(0, 'Transfer-Encoding: chunked') . sprintf("%x\r\n", 2000) . ('x' x 2000) . "\r\n"
--- timeout: 10
--- error_code: 413
--- response_body_like: "code":"too_large"
--- error_log
a PATCH sent more bytes than its upload has room for



=== TEST 5: nothing of the refused bytes was kept: the upload is still at 0
--- more_headers eval
"X-PA-Now: $::Now"
--- request eval
"HEAD /api/v1/media/$::H"
--- error_code: 200
--- response_headers
Upload-Offset: 0
Upload-Length: 1000



=== TEST 6: within the room, chunked: taken (600 bytes)
--- raw_request eval
::patch(0, 'Transfer-Encoding: chunked') . sprintf("%x\r\n", 600) . ('x' x 600) . "\r\n0\r\n\r\n"
--- error_code: 200
--- response_body_like: "state":"partial","offset":600,"length":1000



=== TEST 7: at 600 the room is 400: 401 bytes announced, 1 sent: 413 at once
--- raw_request eval
::patch(600, 'Content-Length: 401') . 'x'
--- timeout: 10
--- error_code: 413
--- response_body_like: "code":"too_large"



=== TEST 8: ... and still at 600
--- more_headers eval
"X-PA-Now: $::Now"
--- request eval
"HEAD /api/v1/media/$::H"
--- error_code: 200
--- response_headers
Upload-Offset: 600
