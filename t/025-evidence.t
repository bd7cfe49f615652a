# Conditions for acceptance at the edge (LC26 Điều 7, VL Điều 8): photo
# age, GPS, the province's area, media required, editing traces,
# duplicates from the same phone, sanctions, hostile files.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

our @Who = (['content', 'Rác thải đổ trộm bên suối'],
            ['reporter_name', 'Lò Văn C'],
            ['reporter_phone', '0977000111']);

# the fixtures' photos were taken 2026-01-22 08:00 (+07:00)
my $Now = "X-PA-Now: 2026-01-22T10:00:00+07:00";

setting(config => api(413), more_headers => "$Multipart\n$Now",
        main_config => $Threads, http_config => <<'_EOC_');
    pa_thread_pool pa;
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_evidence;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_test_clock on;
    pa_photo_max_age 24h;
    pa_require_gps on;
    pa_area 21.7,102.3 21.7,104.0 22.85,104.0 22.85,102.3;
_EOC_

run_tests();

__DATA__

=== TEST 1: a fresh photo with GPS inside the province is accepted
--- request eval
::form(@::Who, ['media', 'fresh-mm.jpg', 'image/jpeg'])
--- error_code: 201
--- response_body_like: "taken_at":"2026-01-22T08:00:00\+07:00"



=== TEST 2: a photo older than pa_photo_max_age is 422 photo_too_old
--- request eval
::form(@::Who, ['media', 'old.jpg', 'image/jpeg'])
--- error_code: 422
--- response_body_like: \{"error":\{"code":"photo_too_old","message":"[^"]+","field":"media"\}\}



=== TEST 3: the same photo a day and more later is too old as well
--- more_headers eval
"$::Multipart\nX-PA-Now: 2026-01-23T08:00:01+07:00"
--- request eval
::form(@::Who, ['media', 'fresh-ii.jpg', 'image/jpeg'])
--- error_code: 422
--- response_body_like: "code":"photo_too_old"



=== TEST 4: a photo whose EXIF says Hà Nội is 422 outside_area
--- request eval
::form(@::Who, ['media', 'hanoi.jpg', 'image/jpeg'])
--- error_code: 422
--- response_body_like: "code":"outside_area","message":"[^"]+","field":"lat"



=== TEST 5: a position typed outside the province is 422 outside_area
--- request eval
::form(@::Who, ['lat', '21.03'], ['lng', '105.85'])
--- error_code: 422
--- response_body_like: "code":"outside_area"



=== TEST 6: no position and a photo without GPS: 422 no_gps
--- request eval
::form(@::Who, ['media', 'noexif.jpg', 'image/jpeg'])
--- error_code: 422
--- response_body_like: "code":"no_gps"



=== TEST 7: a photo without EXIF is flagged (no_exif, and no_time under the age rule), not refused
--- request eval
::form(@::Who, ['lat', '22.39'], ['lng', '103.45'],
       ['media', 'noexif.jpg', 'image/jpeg'])
--- error_code: 201
--- response_body_like: "flags":\["no_exif","no_time"\]



=== TEST 8: a Photoshop-saved photo is flagged by default
--- request eval
::form(@::Who, ['media', 'photoshop.jpg', 'image/jpeg'])
--- error_code: 201
--- response_body_like: "flags":\["edited_software"\]



=== TEST 9: ... and refused where the profile says reject
--- http_config
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_evidence;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_test_clock on;
    pa_edited_media reject;
--- request eval
::form(@::Who, ['media', 'photoshop.jpg', 'image/jpeg'])
--- error_code: 422
--- response_body_like: "code":"edited_media","message":"[^"]+","field":"media"



=== TEST 10: a profile that requires media refuses a report without
--- http_config
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_evidence;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_require_media on;
--- more_headers
Content-Type: application/json
--- request
POST /api/v1/reports
{"content":"Không có ảnh","lat":22.39,"lng":103.45,"reporter_name":"A","reporter_phone":"0912000111"}
--- error_code: 422
--- response_body_like: "code":"media_required","message":"[^"]+","field":"media"



=== TEST 11: a video's time and place count as evidence too
--- request eval
::form(@::Who, ['media', 'video.mp4', 'video/mp4'])
--- error_code: 201
--- response_body_like: "type":"video/mp4".*"gps":\{"lat":22.39



=== TEST 12: the same text again from the same phone while open: 409, naming the report being handled
--- more_headers
Content-Type: application/json
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Cống  thoát nước bị TẮC","lat":22.39,"lng":103.45,"reporter_name":"A","reporter_phone":"0966000222"}',
 "POST /api/v1/reports\n" . '{"content":"cống thoát nước bị tắc","lat":22.39,"lng":103.45,"reporter_name":"A","reporter_phone":"0966000222"}',
 "POST /api/v1/reports\n" . '{"content":"Cống thoát nước bị TẮC","lat":22.39,"lng":103.45,"reporter_name":"A","reporter_phone":"+84966000222"}',
 "POST /api/v1/reports\n" . '{"content":"Cống thoát nước bị TẮC","lat":22.39,"lng":103.45,"reporter_name":"B","reporter_phone":"0966000333"}']
--- error_code eval
[201, 201, 409, 201]
--- response_body_like eval
['"status":"submitted"', '"status":"submitted"',
 '^\{"error":\{"code":"duplicate","message":"[^"]+","report_id":"[0-9]{6}-[A-Z0-9]{8}"\}\}$',
 '"status":"submitted"']



=== TEST 13: a JPEG claiming 65535 EXIF entries is refused quickly
--- request eval
::form(@::Who, ['lat', '22.39'], ['lng', '103.45'],
       ['media', 'bomb.jpg', 'image/jpeg'])
--- error_code: 415
--- response_body_like: "code":"unsupported_media"



=== TEST 14: 1000 tiny parts are refused with 413, nothing kept
--- request eval
"POST /api/v1/reports\n" . CORE::join('', map { "--$::Boundary\r\nContent-Disposition: form-data; name=\"f$_\"\r\n\r\nx\r\n" } 1 .. 1000) . "--$::Boundary--"
--- error_code: 413
--- response_body_like: "code":"too_large"



=== TEST 15: offensive report 1 of the same phone is submitted
--- more_headers
Content-Type: application/json
X-PA-Now: 2026-01-22T10:00:00+07:00
X-PA-Test-Id: V-1
--- request
POST /api/v1/reports
{"content":"Lời lẽ xúc phạm số 1","lat":22.39,"lng":103.45,"reporter_name":"X","reporter_phone":"0955000444"}
--- error_code: 201
--- response_body_like: "id":"V-1"



=== TEST 16: ... and rejected by the IOC as a violation
--- more_headers eval
"Content-Type: application/json\nX-PA-Now: 2026-01-22T11:00:00+07:00\nAuthorization: Bearer " . ::pa_token('--role ioc --sub ioc-test --ttl 315360000')
--- request
POST /api/v1/reports/V-1/actions
{"action":"reject","reason":"other","violation":true,"message":"ngôn từ xúc phạm"}
--- error_code: 200
--- response_body_like: "status":"rejected"



=== TEST 17: offensive report 2 of the same phone is submitted
--- more_headers
Content-Type: application/json
X-PA-Now: 2026-01-22T10:00:00+07:00
X-PA-Test-Id: V-2
--- request
POST /api/v1/reports
{"content":"Lời lẽ xúc phạm số 2","lat":22.39,"lng":103.45,"reporter_name":"X","reporter_phone":"0955000444"}
--- error_code: 201
--- response_body_like: "id":"V-2"



=== TEST 18: ... and rejected by the IOC as a violation
--- more_headers eval
"Content-Type: application/json\nX-PA-Now: 2026-01-22T11:00:00+07:00\nAuthorization: Bearer " . ::pa_token('--role ioc --sub ioc-test --ttl 315360000')
--- request
POST /api/v1/reports/V-2/actions
{"action":"reject","reason":"other","violation":true,"message":"ngôn từ xúc phạm"}
--- error_code: 200
--- response_body_like: "status":"rejected"



=== TEST 19: offensive report 3 of the same phone is submitted
--- more_headers
Content-Type: application/json
X-PA-Now: 2026-01-22T10:00:00+07:00
X-PA-Test-Id: V-3
--- request
POST /api/v1/reports
{"content":"Lời lẽ xúc phạm số 3","lat":22.39,"lng":103.45,"reporter_name":"X","reporter_phone":"0955000444"}
--- error_code: 201
--- response_body_like: "id":"V-3"



=== TEST 20: ... and rejected by the IOC as a violation
--- more_headers eval
"Content-Type: application/json\nX-PA-Now: 2026-01-22T11:00:00+07:00\nAuthorization: Bearer " . ::pa_token('--role ioc --sub ioc-test --ttl 315360000')
--- request
POST /api/v1/reports/V-3/actions
{"action":"reject","reason":"other","violation":true,"message":"ngôn từ xúc phạm"}
--- error_code: 200
--- response_body_like: "status":"rejected"



=== TEST 21: offensive report 4 of the same phone is submitted
--- more_headers
Content-Type: application/json
X-PA-Now: 2026-01-22T10:00:00+07:00
X-PA-Test-Id: V-4
--- request
POST /api/v1/reports
{"content":"Lời lẽ xúc phạm số 4","lat":22.39,"lng":103.45,"reporter_name":"X","reporter_phone":"0955000444"}
--- error_code: 201
--- response_body_like: "id":"V-4"



=== TEST 22: ... and rejected by the IOC as a violation
--- more_headers eval
"Content-Type: application/json\nX-PA-Now: 2026-01-22T11:00:00+07:00\nAuthorization: Bearer " . ::pa_token('--role ioc --sub ioc-test --ttl 315360000')
--- request
POST /api/v1/reports/V-4/actions
{"action":"reject","reason":"other","violation":true,"message":"ngôn từ xúc phạm"}
--- error_code: 200
--- response_body_like: "status":"rejected"



=== TEST 23: more than 3 violations lock the phone: 403 account_locked
--- more_headers
Content-Type: application/json
X-PA-Now: 2026-01-22T12:00:00+07:00
--- request
POST /api/v1/reports
{"content":"Lần thứ năm","lat":22.39,"lng":103.45,"reporter_name":"X","reporter_phone":"+84955000444"}
--- error_code: 403
--- response_body_like: \{"error":\{"code":"account_locked","message":"[^"]+"\}\}



=== TEST 24: another phone is not affected
--- more_headers
Content-Type: application/json
X-PA-Now: 2026-01-22T12:00:00+07:00
--- request
POST /api/v1/reports
{"content":"Người khác","lat":22.39,"lng":103.45,"reporter_name":"Y","reporter_phone":"0955000555"}
--- error_code: 201
--- response_body_like: "status":"submitted"



=== TEST 25: Điện Biên: without signing in a report is 401
--- http_config
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_evidence;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_login_required on;
--- more_headers
Content-Type: application/json
--- request
POST /api/v1/reports
{"content":"Đăng nhập","lat":21.38,"lng":103.02,"reporter_name":"A","reporter_phone":"0912000999"}
--- error_code: 401
--- response_body_like: "code":"unauthorized"



=== TEST 26: ... a staff token is not a reporter: 403
--- http_config
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_evidence;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_login_required on;
--- more_headers eval
"Content-Type: application/json\nAuthorization: Bearer " . ::pa_token('--role ioc')
--- request
POST /api/v1/reports
{"content":"Đăng nhập","lat":21.38,"lng":103.02,"reporter_name":"A","reporter_phone":"0912000999"}
--- error_code: 403
--- response_body_like: "code":"forbidden"



=== TEST 27: ... a signed-in reporter may report
--- http_config
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_evidence;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_login_required on;
--- more_headers eval
"Content-Type: application/json\nAuthorization: Bearer " . ::pa_token('--role reporter --sub citizen-0912000999')
--- request
POST /api/v1/reports
{"content":"Đăng nhập","lat":21.38,"lng":103.02,"reporter_name":"A","reporter_phone":"0912000999"}
--- error_code: 201
--- response_body_like: "status":"submitted"
