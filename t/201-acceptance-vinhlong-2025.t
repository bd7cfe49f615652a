# Vĩnh Long, regulation of 12/2025, the profile as shipped, with real
# media: Điều 7.3 (photos, videos, recordings), Điều 8.1b (taken within 24
# hours), 8.1c (a GPS position, in the province as merged on 1/7/2025),
# 8.2a (no photo or video: not accepted), 8.2 (signs of editing).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaAccept;

shipped('vinhlong-2025', 'vinhlong');
run_tests();

__DATA__

=== TEST 1: VL Đ8.1b-c: a phone's JPEG taken 2 hours ago in Vĩnh Long, placed by its EXIF GPS: accepted
--- request eval
::report(['media', 'vinhlong.jpg', 'image/jpeg'])
--- error_code: 201
--- response_body_like: "type":"image/jpeg",.*"flags":\[\].*"taken_at":"2026-01-22T08:00:00\+07:00","gps":\{"lat":10.25



=== TEST 2: VL Đ7.3: a HEIC photo with the device's position in Bến Tre (merged into Vĩnh Long): accepted
--- request eval
::report(['lat', '10.24'], ['lng', '106.37'], ['media', 'photo.heic', 'image/heic'])
--- error_code: 201
--- response_body_like: "type":"image/heic",.*"flags":\[\]



=== TEST 3: VL Đ7.3: an H.264 MP4 (moov at the end) and one with faststart, and a MOV, with the device's position in Trà Vinh: accepted
--- request eval
::report(['lat', '9.94'], ['lng', '106.34'], ['media', 'video-h264.mp4', 'video/mp4'],
         ['media', 'video-faststart.mp4', 'video/mp4'], ['media', 'video.mov', 'video/quicktime'])
--- error_code: 201
--- response_body_like: "type":"video/mp4".*"type":"video/mp4".*"type":"video/quicktime"



=== TEST 4: VL Đ7.3 "bản ghi âm": a photo with an M4A and an MP3: accepted
--- request eval
::report(['media', 'vinhlong.jpg', 'image/jpeg'], ['media', 'audio.m4a', 'audio/mp4'],
         ['media', 'audio.mp3', 'audio/mpeg'])
--- error_code: 201
--- response_body_like: "type":"audio/x-m4a".*"type":"audio/mpeg"



=== TEST 5: VL Đ8.2a: a recording alone is no photo or video: 422 media_required
--- request eval
::report(['lat', '10.25'], ['lng', '105.97'], ['media', 'audio.mp3', 'audio/mpeg'])
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"media_required","message":"[^"]+","field":"media"\}\}$



=== TEST 6: VL Đ8.2a: a JSON report without any photo or video: 422 media_required
--- more_headers eval
"Content-Type: application/json\n$::Now"
--- request
POST /api/v1/reports
{"content":"Cây xanh ngã đè lên vỉa hè","lat":10.25,"lng":105.97,"reporter_name":"Huỳnh Văn Q","reporter_phone":"0912377001"}
--- error_code: 422
--- response_body_like: "code":"media_required"



=== TEST 7: VL Đ7.3: a PNG with the device's position: accepted, flagged no_time for the IOC
--- request eval
::report(['lat', '10.25'], ['lng', '105.97'], ['media', 'image.png', 'image/png'])
--- error_code: 201
--- response_body_like: "type":"image/png",[^\]]*"flags":\["no_time"\]



=== TEST 8: VL Đ8.1b: a photo taken on 1 December: 422 photo_too_old
--- request eval
::report(['lat', '10.25'], ['lng', '105.97'], ['media', 'old.jpg', 'image/jpeg'])
--- error_code: 422
--- response_body_like: "code":"photo_too_old","message":"[^"]+","field":"media"



=== TEST 9: VL Đ8.1b: the fresh photo 25 hours later: 422 photo_too_old
--- more_headers eval
"$::Multipart\nX-PA-Now: 2026-01-23T09:00:01+07:00"
--- request eval
::report(['media', 'vinhlong.jpg', 'image/jpeg'])
--- error_code: 422
--- response_body_like: "code":"photo_too_old"



=== TEST 10: VL Đ8.1b: a video recorded on 1 December: 422 photo_too_old
--- request eval
::report(['lat', '10.25'], ['lng', '105.97'], ['media', 'video-old.mp4', 'video/mp4'])
--- error_code: 422
--- response_body_like: "code":"photo_too_old"



=== TEST 11: VL Đ8.1c: a photo taken in Lai Châu: 422 outside_area
--- request eval
::report(['media', 'fresh-mm.jpg', 'image/jpeg'])
--- error_code: 422
--- response_body_like: "code":"outside_area","message":"[^"]+","field":"lat"



=== TEST 12: VL Đ8.1c: a photo with GPS in Hà Nội: 422 outside_area
--- request eval
::report(['media', 'hanoi.jpg', 'image/jpeg'])
--- error_code: 422
--- response_body_like: "code":"outside_area"



=== TEST 13: VL Đ8.1c: a photo without GPS and no position typed: 422 no_gps
--- request eval
::report(['media', 'nogps.jpg', 'image/jpeg'])
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"no_gps","message":"[^"]+","field":"lat"\}\}$



=== TEST 14: VL Đ8.2: a photo saved by Photoshop: 422 edited_media
--- request eval
::report(['lat', '10.25'], ['lng', '105.97'], ['media', 'photoshop.jpg', 'image/jpeg'])
--- error_code: 422
--- response_body_like: "code":"edited_media","message":"[^"]+","field":"media"



=== TEST 15: VL Đ7.3: a text file named .jpg: 415 unsupported_media
--- request eval
::report(['lat', '10.25'], ['lng', '105.97'], ['media', 'text.jpg', 'image/jpeg'])
--- error_code: 415
--- response_body_like: "code":"unsupported_media"
