# Lai Châu, QĐ 135/QĐ-UBND (2026), the profile as shipped: what a citizen's
# phone really sends (JPEG with and without EXIF, PNG, HEIC, H.264 MP4 with
# the moov at the end or first, MOV, M4A and MP3 recordings) is accepted
# or refused article by article: Điều 6.3 (photos, videos, recordings),
# Điều 7.1b (taken within 24 hours), 7.1c (a GPS position, in the
# province), 7.2 (signs of editing).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaAccept;

shipped('laichau-2026', 'laichau');
run_tests();

__DATA__

=== TEST 1: LC26 Đ7.1b-c: a phone's JPEG taken 2 hours ago, its EXIF GPS in Lai Châu and no typed position: accepted, placed by the photo
--- request eval
::report(['media', 'fresh-mm.jpg', 'image/jpeg'])
--- error_code: 201
--- response_body_like: "status":"submitted".*"media":\[\{"id":"[0-9a-f]{64}","type":"image/jpeg",.*"flags":\[\].*"taken_at":"2026-01-22T08:00:00\+07:00","gps":\{"lat":22.39



=== TEST 2: LC26 Đ6.3: a HEIC photo as phones write it (EXIF item with time and GPS): accepted
--- request eval
::report(['media', 'photo.heic', 'image/heic'])
--- error_code: 201
--- response_body_like: "type":"image/heic",.*"flags":\[\].*"taken_at":"2026-01-22T08:00:00\+07:00","gps":\{"lat":22.39



=== TEST 3: LC26 Đ6.3: an H.264 MP4 with its moov at the end (as recorded), time and place from the video: accepted
--- request eval
::report(['media', 'video-h264.mp4', 'video/mp4'])
--- error_code: 201
--- response_body_like: "type":"video/mp4",.*"flags":\[\].*"taken_at":"2026-01-22T08:00:00\+07:00","gps":\{"lat":22.39



=== TEST 4: LC26 Đ6.3: the same MP4 with faststart (moov first), as apps re-encode it: accepted
--- request eval
::report(['media', 'video-faststart.mp4', 'video/mp4'])
--- error_code: 201
--- response_body_like: "type":"video/mp4",.*"flags":\[\].*"taken_at":"2026-01-22T08:00:00\+07:00","gps":\{"lat":22.39



=== TEST 5: LC26 Đ6.3: an iPhone-style MOV: accepted
--- request eval
::report(['media', 'video.mov', 'video/quicktime'])
--- error_code: 201
--- response_body_like: "type":"video/quicktime",.*"taken_at":"2026-01-22T08:00:00\+07:00","gps":\{"lat":22.39



=== TEST 6: LC26 Đ6.3 "bản ghi âm": a photo with an M4A and an MP3 recording, typed GPS position: accepted, all three kept
--- request eval
::report(['lat', '22.396'], ['lng', '103.458'], ['media', 'fresh-ii.jpg', 'image/jpeg'],
         ['media', 'audio.m4a', 'audio/mp4'], ['media', 'audio.mp3', 'audio/mpeg'])
--- error_code: 201
--- response_body_like: "media":\[\{[^\]]*"type":"image/jpeg".*\{[^\]]*"type":"audio/x-m4a".*\{[^\]]*"type":"audio/mpeg"



=== TEST 7: LC26 Đ6.3: a PNG (a screenshot, no capture time) with the device's GPS: accepted but flagged no_time for the IOC's verification (Đ8), never taken as fresh
--- request eval
::report(['lat', '22.39'], ['lng', '103.45'], ['media', 'image.png', 'image/png'])
--- error_code: 201
--- response_body_like: "type":"image/png",[^\]]*"flags":\["no_time"\]



=== TEST 8: LC26 Đ7.1b: a JPEG stripped of its EXIF, with the device's GPS: flagged no_exif and no_time, not taken as fresh
--- request eval
::report(['lat', '22.39'], ['lng', '103.45'], ['media', 'noexif.jpg', 'image/jpeg'])
--- error_code: 201
--- response_body_like: "type":"image/jpeg",[^\]]*"flags":\["no_exif","no_time"\]



=== TEST 9: LC26 Đ7.1b: a video without any recording time: flagged no_time
--- request eval
::report(['media', 'video-notime.mp4', 'video/mp4'])
--- error_code: 201
--- response_body_like: "type":"video/mp4",[^\]]*"flags":\["no_time"\]



=== TEST 10: LC26 Đ7.1b: a photo taken on 1 December: 422 photo_too_old
--- request eval
::report(['media', 'old.jpg', 'image/jpeg'])
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"photo_too_old","message":"[^"]+","field":"media"\}\}$



=== TEST 11: LC26 Đ7.1b: the fresh photo sent 30 hours after it was taken: 422 photo_too_old
--- more_headers eval
"$::Multipart\nX-PA-Now: 2026-01-23T14:00:00+07:00"
--- request eval
::report(['media', 'fresh-mm.jpg', 'image/jpeg'])
--- error_code: 422
--- response_body_like: "code":"photo_too_old"



=== TEST 12: LC26 Đ7.1b: ... 23 hours after: still within the 24 hours, accepted
--- more_headers eval
"$::Multipart\nX-PA-Now: 2026-01-23T07:00:00+07:00"
--- request eval
::report(['media', 'fresh-mm.jpg', 'image/jpeg'])
--- error_code: 201



=== TEST 13: LC26 Đ7.1b: a video recorded on 1 December: 422 photo_too_old, videos are age-checked too
--- request eval
::report(['media', 'video-old.mp4', 'video/mp4'])
--- error_code: 422
--- response_body_like: "code":"photo_too_old","message":"[^"]+","field":"media"



=== TEST 14: LC26 Đ7.1b: one old photo among fresh ones refuses the report
--- request eval
::report(['media', 'fresh-mm.jpg', 'image/jpeg'], ['media', 'old.jpg', 'image/jpeg'])
--- error_code: 422
--- response_body_like: "code":"photo_too_old"



=== TEST 15: LC26 Đ7.1c: a photo whose GPS says Hà Nội: 422 outside_area
--- request eval
::report(['media', 'hanoi.jpg', 'image/jpeg'])
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"outside_area","message":"[^"]+","field":"lat"\}\}$



=== TEST 16: LC26 Đ7.1c: a video filmed in Hà Nội: 422 outside_area
--- request eval
::report(['media', 'video-hanoi.mp4', 'video/mp4'])
--- error_code: 422
--- response_body_like: "code":"outside_area"



=== TEST 17: LC26 Đ7.1c: a photo of Điện Biên (the neighbouring province): 422 outside_area
--- request eval
::report(['media', 'dienbien.jpg', 'image/jpeg'])
--- error_code: 422
--- response_body_like: "code":"outside_area"



=== TEST 18: LC26 Đ7.1c: a fresh photo without GPS and no typed position: 422 no_gps
--- request eval
::report(['media', 'nogps.jpg', 'image/jpeg'])
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"no_gps","message":"[^"]+","field":"lat"\}\}$



=== TEST 19: LC26 Đ7.1c: the same photo with the device's GPS position: accepted
--- request eval
::report(['lat', '22.40'], ['lng', '103.46'], ['media', 'nogps.jpg', 'image/jpeg'])
--- error_code: 201
--- response_body_like: "type":"image/jpeg",.*"flags":\[\].*"taken_at":"2026-01-22T08:00:00\+07:00"



=== TEST 20: LC26 Đ7.1c: a JSON report with no position anywhere: 422 no_gps
--- more_headers eval
"Content-Type: application/json\n$::Now"
--- request
POST /api/v1/reports
{"content":"Đèn đường không sáng","reporter_name":"Lò Văn Minh","reporter_phone":"0912399001"}
--- error_code: 422
--- response_body_like: "code":"no_gps"



=== TEST 21: LC26 Đ7.1c: a typed position in Hà Nội: 422 outside_area
--- more_headers eval
"Content-Type: application/json\n$::Now"
--- request
POST /api/v1/reports
{"content":"Đèn đường không sáng","lat":21.03,"lng":105.85,"reporter_name":"Lò Văn Minh","reporter_phone":"0912399002"}
--- error_code: 422
--- response_body_like: "code":"outside_area"



=== TEST 22: LC26 Đ6.3: media are optional ("nếu có"): a JSON report with the device's GPS in Lai Châu is accepted
--- more_headers eval
"Content-Type: application/json\n$::Now"
--- request
POST /api/v1/reports
{"content":"Đèn đường không sáng","lat":22.396,"lng":103.458,"reporter_name":"Lò Văn Minh","reporter_phone":"0912399003"}
--- error_code: 201
--- response_body_like: "status":"submitted","access_token":"[^"]+","urgent":false,"media":\[\]



=== TEST 23: LC26 Đ7.2 (dấu hiệu bị chỉnh sửa): a photo saved by Photoshop: 422 edited_media
--- request eval
::report(['media', 'photoshop.jpg', 'image/jpeg'])
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"edited_media","message":"[^"]+","field":"media"\}\}$



=== TEST 24: LC26 Đ7.2: a photo re-saved by GIMP: 422 edited_media
--- request eval
::report(['media', 'edited.jpg', 'image/jpeg'])
--- error_code: 422
--- response_body_like: "code":"edited_media"



=== TEST 25: LC26 Đ6.3: a text file named .jpg: 415 unsupported_media, whatever the client claimed
--- request eval
::report(['lat', '22.39'], ['lng', '103.45'], ['media', 'text.jpg', 'image/jpeg'])
--- error_code: 415
--- response_body_like: "code":"unsupported_media"



=== TEST 26: LC26 Đ6.3: everything a phone sends in one report (JPEG, HEIC, MP4, MOV, M4A): one report, five media
--- request eval
::report(['media', 'fresh-mm.jpg', 'image/jpeg'], ['media', 'photo.heic', 'image/heic'],
         ['media', 'video-h264.mp4', 'video/mp4'], ['media', 'video.mov', 'video/quicktime'],
         ['media', 'audio.m4a', 'audio/mp4'])
--- error_code: 201
--- response_body_like: "type":"image/jpeg".*"type":"image/heic".*"type":"video/mp4".*"type":"video/quicktime".*"type":"audio/x-m4a"
