# The thainguyen-2021 profile as shipped, with real media.  Its act names photos
# and videos (Điều 5.2: "hình ảnh, video ... phải rõ ràng, chính xác"):
# recordings are refused; it sets no age for a photo and no GPS rule (an
# old or timeless photo is accepted, a typed position will do), but the
# report concerns the province (Điều 3): outside it, 422 outside_area.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaAccept;

shipped('thainguyen-2021', 'thainguyen');
run_tests();

__DATA__

=== TEST 1: TN Điều 5.2: a phone's JPEG with its EXIF GPS in Thái Nguyên: accepted, placed by the photo
--- request eval
::report(['media', 'thainguyen.jpg', 'image/jpeg'])
--- error_code: 201
--- response_body_like: "type":"image/jpeg",.*"flags":\[\].*"taken_at":"2026-01-22T08:00:00\+07:00","gps":\{"lat":21.59



=== TEST 2: TN Điều 5.2: HEIC, PNG, an H.264 MP4 (moov at the end), one with faststart and a MOV, the device's position typed: accepted
--- request eval
::report(['lat', '21.59'], ['lng', '105.84'], ['media', 'photo.heic', 'image/heic'],
         ['media', 'image.png', 'image/png'], ['media', 'video-h264.mp4', 'video/mp4'],
         ['media', 'video-faststart.mp4', 'video/mp4'], ['media', 'video.mov', 'video/quicktime'])
--- error_code: 201
--- response_body_like: "type":"image/heic".*"type":"image/png",[^\]]*"flags":\[\].*"type":"video/mp4".*"type":"video/mp4".*"type":"video/quicktime"



=== TEST 3: TN Điều 5.2: an M4A recording is not a photo or video of the act: 415 unsupported_media
--- request eval
::report(['lat', '21.59'], ['lng', '105.84'], ['media', 'audio.m4a', 'audio/mp4'])
--- error_code: 415
--- response_body_like: ^\{"error":\{"code":"unsupported_media","message":"[^"]+","field":"media"\}\}$



=== TEST 4: TN Điều 5.2: ... nor an MP3: 415 unsupported_media
--- request eval
::report(['lat', '21.59'], ['lng', '105.84'], ['media', 'audio.mp3', 'audio/mpeg'])
--- error_code: 415
--- response_body_like: "code":"unsupported_media"



=== TEST 5: TN: no age rule in the act: a photo taken on 1 December is accepted (the time is shown to the staff)
--- request eval
::report(['lat', '21.59'], ['lng', '105.84'], ['media', 'old.jpg', 'image/jpeg'])
--- error_code: 201
--- response_body_like: "taken_at":"2025-12-01T08:00:00\+07:00"



=== TEST 6: TN: a video recorded on 1 December and one without any time: accepted, no no_time flag without an age rule
--- request eval
::report(['lat', '21.59'], ['lng', '105.84'], ['media', 'video-old.mp4', 'video/mp4'],
         ['media', 'video-notime.mp4', 'video/mp4'])
--- error_code: 201
--- response_body_like: "type":"video/mp4",[^\]]*"flags":\[\].*"type":"video/mp4",[^\]]*"flags":\[\]



=== TEST 7: TN Điều 3: a photo taken in Hà Nội: 422 outside_area
--- request eval
::report(['media', 'hanoi.jpg', 'image/jpeg'])
--- error_code: 422
--- response_body_like: ^\{"error":\{"code":"outside_area","message":"[^"]+","field":"lat"\}\}$



=== TEST 8: TN Điều 3: a photo taken in Lai Châu: 422 outside_area
--- request eval
::report(['media', 'fresh-mm.jpg', 'image/jpeg'])
--- error_code: 422
--- response_body_like: "code":"outside_area"



=== TEST 9: TN Điều 3: a typed position in Hà Nội: 422 outside_area
--- request eval
::report(['lat', '21.03'], ['lng', '105.85'], ['media', 'image.png', 'image/png'])
--- error_code: 422
--- response_body_like: "code":"outside_area"



=== TEST 10: TN: no GPS rule: a photo without GPS and no position at all is 400 missing_field (the place is required), not no_gps
--- request eval
::report(['media', 'nogps.jpg', 'image/jpeg'])
--- error_code: 400
--- response_body_like: ^\{"error":\{"code":"missing_field","message":"[^"]+","field":"lat"\}\}$



=== TEST 11: TN: no rule on editing: a Photoshop-saved photo is accepted, flagged edited_software for the staff
--- request eval
::report(['lat', '21.59'], ['lng', '105.84'], ['media', 'photoshop.jpg', 'image/jpeg'])
--- error_code: 201
--- response_body_like: "flags":\["edited_software"\]



=== TEST 12: TN Điều 5.2: a text file named .jpg: 415 unsupported_media
--- request eval
::report(['lat', '21.59'], ['lng', '105.84'], ['media', 'text.jpg', 'image/jpeg'])
--- error_code: 415
--- response_body_like: "code":"unsupported_media"
