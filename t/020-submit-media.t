# POST /api/v1/reports as multipart/form-data with real media: the bytes
# decide the type (libmagic), never the client; refused files never reach
# the store and no temp file survives a request.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use Digest::SHA qw(sha256_hex);

our @Fields = (['content', 'Cây đổ chắn ngang đường'],
               ['reporter_name', 'Trần Thị B'],
               ['reporter_phone', '0987654321']);
our @Where = (['lat', '22.396'], ['lng', '103.458']);

# the media work in a thread pool, as the shipped configs have it
setting(config => api(413), more_headers => $Multipart,
        main_config => $Threads, http_config => <<'_EOC_');
    pa_thread_pool pa;
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_submit_media;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_max_size 5m;
    pa_media_max_count 3;
_EOC_

run_tests();

# after every block: nothing half-written, nothing refused stored
my $servroot = $Data;
my @tmp = glob("$servroot/media/tmp/*");
is(scalar @tmp, 0, "no temp file left in media/tmp")
    or diag("left: @tmp");

my %accepted = map { sha256_hex(slurp("$Fix/$_")) => $_ }
    qw(fresh-mm.jpg video.mp4 image.png fresh-ii.jpg);
my %refused = map { sha256_hex(slurp("$Fix/$_")) => $_ }
    qw(text.jpg polyglot.jpg truncated-exif.jpg);
for my $sha (keys %accepted) {
    ok(-f "$servroot/media/" . substr($sha, 0, 2) . "/$sha",
       "$accepted{$sha} is in the store");
}
for my $sha (keys %refused) {
    ok(!-e "$servroot/media/" . substr($sha, 0, 2) . "/$sha",
       "$refused{$sha} never reached the store");
}

__DATA__

=== TEST 1: a real JPEG with EXIF: stored, typed, time and GPS read (in the thread pool)
--- request eval
::form(@::Fields, @::Where, ['media', 'fresh-mm.jpg', 'image/jpeg'])
--- error_code: 201
--- response_body_like: "media":\[\{"id":"[0-9a-f]{64}","type":"image/jpeg","size":\d+,"flags":\[\],"taken_at":"2026-01-22T08:00:00\+07:00","gps":\{"lat":22.396\d*,"lng":103.458\d*\}
--- error_log eval
[qr/run task #\d+ in thread pool "pa"/, 'pa: thread job done']



=== TEST 2: the position may come from the photo's EXIF alone
--- request eval
::form(@::Fields, ['media', 'fresh-ii.jpg', 'image/jpeg'])
--- error_code: 201
--- response_body_like: "status":"submitted"



=== TEST 3: a real MP4 video
--- request eval
::form(@::Fields, @::Where, ['media', 'video.mp4', 'video/mp4'])
--- error_code: 201
--- response_body_like: "type":"video/mp4"



=== TEST 4: a PNG claiming to be a JPEG is recorded as what it is
--- request eval
::form(@::Fields, @::Where, ['media', 'image.png', 'image/jpeg'])
--- error_code: 201
--- response_body_like: "type":"image/png"



=== TEST 5: ... and refused where the profile allows JPEG only
--- http_config
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_submit_media;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_types image/jpeg;
--- request eval
::form(@::Fields, @::Where, ['media', 'image.png', 'image/jpeg'])
--- error_code: 415
--- response_body_like: \{"error":\{"code":"unsupported_media","message":"[^"]+","field":"media"\}\}



=== TEST 6: a text file named .jpg is refused
--- request eval
::form(@::Fields, @::Where, ['media', 'text.jpg', 'image/jpeg'])
--- error_code: 415
--- response_body_like: "code":"unsupported_media"



=== TEST 7: a JPEG header followed by HTML is refused
--- request eval
::form(@::Fields, @::Where, ['media', 'polyglot.jpg', 'image/jpeg'])
--- error_code: 415
--- response_body_like: "code":"unsupported_media"



=== TEST 8: a JPEG cut inside its EXIF is refused
--- request eval
::form(@::Fields, @::Where, ['media', 'truncated-exif.jpg', 'image/jpeg'])
--- error_code: 415
--- response_body_like: "code":"unsupported_media"



=== TEST 9: a file over pa_media_max_size is 413
--- http_config
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_submit_media;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_max_size 2k;
--- request eval
::form(@::Fields, @::Where, ['media', 'video.mp4', 'video/mp4'])
--- error_code: 413
--- response_body_like: \{"error":\{"code":"too_large","message":"[^"]+","field":"media"\}\}



=== TEST 10: more files than pa_media_max_count is 413
--- request eval
::form(@::Fields, @::Where, map { ['media', 'fresh-mm.jpg', 'image/jpeg'] } 1 .. 4)
--- error_code: 413
--- response_body_like: "code":"too_large","message":"too many media files","field":"media"



=== TEST 11: a refused file among good ones refuses the whole report
--- request eval
::form(@::Fields, @::Where, ['media', 'fresh-mm.jpg', 'image/jpeg'],
       ['media', 'text.jpg', 'image/jpeg'])
--- error_code: 415
--- response_body_like: "code":"unsupported_media"



=== TEST 12: a body that is not multipart as announced is 400
--- request
POST /api/v1/reports
this is not a multipart body
--- error_code: 400
--- response_body_like: "code":"bad_request"



=== TEST 13: a form field that is not UTF-8 is invalid_utf8 with its field
--- request eval
::form(['content', "\xc3\x28 bad"], ['reporter_name', 'A'],
       ['reporter_phone', '0987654321'], @::Where)
--- error_code: 400
--- response_body_like: "code":"invalid_utf8","message":"[^"]+","field":"content"



=== TEST 14: an empty file input (filename="", no bytes) is not media
--- request eval
my $b = $::Boundary;
"POST /api/v1/reports\n"
. CORE::join('', map { "--$b\r\nContent-Disposition: form-data; name=\"$_->[0]\"\r\n\r\n$_->[1]\r\n" }
      ['content', 'Không chọn ảnh'], ['lat', '22.39'], ['lng', '103.45'],
      ['reporter_name', 'D'], ['reporter_phone', '0933111222'])
. "--$b\r\nContent-Disposition: form-data; name=\"media\"; filename=\"\"\r\n"
. "Content-Type: application/octet-stream\r\n\r\n\r\n--$b--"
--- error_code: 201
--- response_body_like: "media":\[\]



=== TEST 15: a form field whose NAME is not UTF-8 is 400 invalid_utf8, never a 500
--- request eval
::form(['content', 'Tên trường hỏng'], ['reporter_name', 'A'],
       ['reporter_phone', '0987654322'], @::Where, ["bad\xff\xfename", 'x'])
--- error_code: 400
--- response_body_like: ^\{"error":\{"code":"invalid_utf8","message":"[^"]+"
--- error_log
a form field's name is not UTF-8
