# Thumbnails after the answer (issue 11.3): a photo's thumbnail is made
# by a background job once the photo is in the store, so the 201 never
# waits for a decode.  Until it is there, ?size=thumb says so (404 with a
# clear message and Retry-After), the original stays readable, and the
# thumbnail is served as soon as it exists.  Without pa_thread_pool the
# same job runs on the event loop after the events at hand.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

use Digest::SHA qw(sha256_hex);
use Time::HiRes ();

fresh('t_thumb_later');

our $Photo = slurp("$Fix/large.jpg");          # 800x600, EXIF, GPS
our $Sha = sha256_hex($Photo);
our $Store = "$Data/media/" . substr($Sha, 0, 2) . "/$Sha";
our $Png = slurp("$Fix/image.png");
our $PngStore = do { my $s = sha256_hex($Png);
                     "$Data/media/" . substr($s, 0, 2) . "/$s" };

# the background job's file, waited for (a loaded machine is slow)
sub wait_for {
    my $f = shift;
    for (1 .. 200) {
        return 1 if -f $f;
        Time::HiRes::sleep(0.05);
    }
    return 0;
}

sub thumb { "GET /api/v1/reports/$_[0]/media/$Sha?size=thumb" }

our $Conf = <<'_EOC_';
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_thumb_later;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_test_clock on;
_EOC_

setting(main_config => $Threads, http_config => $Pool . $Conf,
        config => api() . <<'_EOC_');
    location /pa-media-original/ {
        internal;
        alias $TEST_NGINX_PA_DATA/media/;
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: a report with a camera photo: 201
--- more_headers eval
"$::Multipart\nX-PA-Now: 2026-01-22T09:00:00+07:00\nX-PA-Test-Id: TL-1\nX-PA-Test-Token: token-of-the-reporter-tl-1"
--- request eval
"POST /api/v1/reports\n" . ::multipart(
    ['content', 'Đèn đường hỏng cả dãy phố'],
    ['reporter_name', 'Lò Thị H'], ['reporter_phone', '0987000444'],
    ['media', 'IMG_0002.jpg', 'image/jpeg', $::Photo])
--- error_code: 201
--- response_body_like: "id":"TL-1"



=== TEST 2: its thumbnail not made yet: 404 saying so, with Retry-After; the original is there
--- init
# the job's thumbnail, taken away: the state between the 201 and the job
die "no thumbnail was made of $main::Store\n"
    unless main::wait_for("$main::Store.thumb.jpg");
rename "$main::Store.thumb.jpg", "$main::Store.aside" or die "rename: $!";
--- more_headers eval
"Authorization: Bearer $::T{ioc}"
--- pipelined_requests eval
[::thumb('TL-1'), "GET /api/v1/reports/TL-1/media/$::Sha"]
--- error_code eval
[404, 200]
--- response_headers eval
["Retry-After: 1\nContent-Type: application/json; charset=utf-8",
 "Content-Type: image/jpeg"]
--- response_body_like eval
['^\{"error":\{"code":"not_found","message":"the thumbnail is being made: retry in a moment, or load the original"\}\}$',
 qr/\A\xFF\xD8/]



=== TEST 3: once the thumbnail is there it is served: a small JPEG
--- init
rename "$main::Store.aside", "$main::Store.thumb.jpg" or die "rename: $!";
--- more_headers eval
"X-Report-Token: token-of-the-reporter-tl-1"
--- request eval
::thumb('TL-1')
--- error_code: 200
--- response_headers
Content-Type: image/jpeg
Cache-Control: private, no-store
--- response_body_like eval
qr/\A\xFF\xD8.{1000,40000}\z/s



=== TEST 4: a video never gets one: 404 "no thumbnail", no Retry-After
--- more_headers eval
["$::Multipart\nX-PA-Now: 2026-01-22T09:05:00+07:00\nX-PA-Test-Id: TL-2\nX-PA-Test-Token: token-of-the-reporter-tl-2",
 "X-Report-Token: token-of-the-reporter-tl-2"]
--- pipelined_requests eval
["POST /api/v1/reports\n" . ::multipart(
    ['content', 'Rác thải đổ trộm bên bờ suối'],
    ['reporter_name', 'Lò Thị H'], ['reporter_phone', '0987000445'],
    ['media', 'clip.mp4', 'video/mp4', ::slurp("$::Fix/video.mp4")]),
 "GET /api/v1/reports/TL-2/media/" . Digest::SHA::sha256_hex(::slurp("$::Fix/video.mp4")) . "?size=thumb"]
--- error_code eval
[201, 404]
--- response_headers eval
["", "!Retry-After"]
--- response_body_like eval
['"id":"TL-2"', '"message":"no thumbnail of this media"']



=== TEST 5: without pa_thread_pool the thumbnail is made on the event loop, after the 201
--- main_config
--- http_config eval
$::Conf
--- more_headers eval
"$::Multipart\nX-PA-Now: 2026-01-22T09:10:00+07:00\nX-PA-Test-Id: TL-3\nX-PA-Test-Token: token-of-the-reporter-tl-3"
--- request eval
"POST /api/v1/reports\n" . ::multipart(
    ['content', 'Biển báo giao thông bị đổ'],
    ['reporter_name', 'Lò Thị H'], ['reporter_phone', '0987000446'],
    ['lat', '22.396'], ['lng', '103.458'],
    ['media', 'map.png', 'image/png', $::Png])
--- error_code: 201
--- response_body_like: "id":"TL-3"



=== TEST 6: ... and served
--- main_config
--- http_config eval
$::Conf
--- init
die "no thumbnail was made of $main::PngStore\n"
    unless main::wait_for("$main::PngStore.thumb.jpg");
--- more_headers eval
"X-Report-Token: token-of-the-reporter-tl-3"
--- request eval
"GET /api/v1/reports/TL-3/media/" . Digest::SHA::sha256_hex($::Png) . "?size=thumb"
--- error_code: 200
--- response_headers
Content-Type: image/jpeg
