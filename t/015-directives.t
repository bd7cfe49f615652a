# Directives take what they say: every value of a list-valued directive
# counts (ngx_conf_set_str_array_slot would keep the first one only), and
# a line nginx cannot honour stops it with a clear [emerg] instead of
# being half-applied.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

our $Http = <<'_EOC_';
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_directives;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_test_clock on;
_EOC_

our @Who = (['content', 'Ổ gà giữa đường'], ['reporter_name', 'Lò Văn C'],
            ['reporter_phone', '0977000222'], ['lat', '22.39'],
            ['lng', '103.45']);

our $Json = "Content-Type: application/json";

setting(http_config => "$Http    pa_media_types image/jpeg video/mp4 audio/mpeg;\n",
        more_headers => "$Multipart\nX-PA-Now: 2026-01-22T10:00:00+07:00");

run_tests();

__DATA__

=== TEST 1: pa_media_types image/jpeg video/mp4 audio/mpeg: the JPEG, the first type, is taken
--- request eval
::form(@::Who, ['media', 'fresh-mm.jpg', 'image/jpeg'])
--- error_code: 201
--- response_body_like: "type":"image/jpeg"



=== TEST 2: ... the MP4, the second, too
--- request eval
::form(@::Who, ['media', 'video-h264.mp4', 'video/mp4'])
--- error_code: 201
--- response_body_like: "type":"video/mp4"



=== TEST 3: ... and the MP3, the last
--- request eval
::form(@::Who, ['media', 'audio.mp3', 'audio/mpeg'])
--- error_code: 201
--- response_body_like: "type":"audio/mpeg"



=== TEST 4: ... while a PNG, not on the line, is 415
--- request eval
::form(@::Who, ['media', 'image.png', 'image/png'])
--- error_code: 415
--- response_body_like: "code":"unsupported_media"



=== TEST 5: pa_calendar_hours with two periods: 2 working hours from 11:00 are 30 minutes of the morning and 90 of the afternoon
--- http_config eval
"$::Http    pa_calendar_hours 07:30-11:30 13:30-17:00;\n    pa_sla verify 2h;\n"
--- more_headers eval
"$::Json\nX-PA-Now: 2026-01-22T11:00:00+07:00"
--- request
POST /api/v1/reports
{"content":"Đèn đường hỏng","lat":22.39,"lng":103.45,"reporter_name":"A","reporter_phone":"0912000001"}
--- error_code: 201
--- response_body_like: "deadlines":\[\{"step":"verify","due":"2026-01-22T15:00:00\+07:00"\}\]



=== TEST 6: pa_calendar_file with two files on one line: the holidays of both count (Friday 23 and Monday 26 off)
--- http_config eval
"$::Http    pa_calendar_file ../html/a.txt ../html/b.txt;\n    pa_sla verify 1d;\n"
--- user_files
>>> a.txt
2026-01-23 off   một ngày nghỉ
>>> b.txt
2026-01-26 off   một ngày nghỉ khác
--- more_headers eval
"$::Json\nX-PA-Now: 2026-01-22T16:00:00+07:00"
--- request
POST /api/v1/reports
{"content":"Đèn đường hỏng","lat":22.39,"lng":103.45,"reporter_name":"A","reporter_phone":"0912000002"}
--- error_code: 201
--- response_body_like: "deadlines":\[\{"step":"verify","due":"2026-01-27T16:00:00\+07:00"\}\]



=== TEST 7: pa_area with its points on the line: a position inside is taken
--- http_config eval
"$::Http    pa_area 21.7,102.3 21.7,104.0 22.85,104.0 22.85,102.3;\n"
--- more_headers eval
"$::Json\nX-PA-Now: 2026-01-22T10:00:00+07:00"
--- request
POST /api/v1/reports
{"content":"Đèn đường hỏng","lat":22.39,"lng":103.45,"reporter_name":"A","reporter_phone":"0912000003"}
--- error_code: 201



=== TEST 8: ... and one beyond its last point's edge is 422 outside_area
--- http_config eval
"$::Http    pa_area 21.7,102.3 21.7,104.0 22.85,104.0 22.85,102.3;\n"
--- more_headers eval
"$::Json\nX-PA-Now: 2026-01-22T10:00:00+07:00"
--- request
POST /api/v1/reports
{"content":"Đèn đường hỏng","lat":22.39,"lng":102.2,"reporter_name":"A","reporter_phone":"0912000004"}
--- error_code: 422
--- response_body_like: "code":"outside_area"



=== TEST 9: pa_area from a .poly file (comment, blank line, CRLF): every point is read, inside is taken
--- http_config eval
"$::Http    pa_area ../html/p.poly;\n"
--- user_files eval
[['p.poly' => "# a triangle, lat,lng\r\n21.0,103.0\r\n\r\n23.0,103.0\r\n22.0,105.0\r\n"]]
--- more_headers eval
"$::Json\nX-PA-Now: 2026-01-22T10:00:00+07:00"
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Trong","lat":22.0,"lng":103.5,"reporter_name":"A","reporter_phone":"0912000005"}',
 "POST /api/v1/reports\n" . '{"content":"Ngoài","lat":22.5,"lng":104.9,"reporter_name":"A","reporter_phone":"0912000006"}']
--- error_code eval
[201, 422]



=== TEST 10: a media type the module does not know (a typo) stops nginx
--- http_config eval
"$::Http    pa_media_types image/jpeg image/jpg;\n"
--- must_die
--- error_log
unknown media type "image/jpg" in "pa_media_types"



=== TEST 11: a media type named twice stops nginx
--- http_config eval
"$::Http    pa_media_types image/jpeg video/mp4 image/JPEG;\n"
--- must_die
--- error_log
media type "image/JPEG" is named twice in "pa_media_types"



=== TEST 12: a second pa_media_types line stops nginx (it would replace the first)
--- http_config eval
"$::Http    pa_media_types image/jpeg;\n    pa_media_types video/mp4;\n"
--- must_die
--- error_log
"pa_media_types" directive is duplicate



=== TEST 13: pa_content_max is a count of characters: "5k" stops nginx
--- http_config eval
"$::Http    pa_content_max 5k;\n"
--- must_die
--- error_log
"pa_content_max" directive invalid number



=== TEST 14: ... and 0 too
--- http_config eval
"$::Http    pa_content_max 0;\n"
--- must_die
--- error_log
value must be between 1 and 100000



=== TEST 15: a deadline for a step that does not exist (a typo) stops nginx
--- http_config eval
"$::Http    pa_sla recieve 1d;\n"
--- must_die
--- error_log
unknown step "recieve" in "pa_sla"



=== TEST 16: two deadlines for one step stop nginx
--- http_config eval
"$::Http    pa_sla verify 1d;\n    pa_sla verify 2d;\n"
--- must_die
--- error_log
"pa_sla" for step "verify" is duplicate



=== TEST 17: a second pa_calendar_hours line stops nginx
--- http_config eval
"$::Http    pa_calendar_hours 07:30-11:30;\n    pa_calendar_hours 13:30-17:00;\n"
--- must_die
--- error_log
"pa_calendar_hours" directive is duplicate



=== TEST 18: the same calendar file twice stops nginx
--- http_config eval
"$::Http    pa_calendar_file ../html/a.txt ../html/a.txt;\n"
--- user_files
>>> a.txt
2026-01-23 off   một ngày nghỉ
--- must_die
--- error_log
calendar file "../html/a.txt" is named twice



=== TEST 19: a .poly file with a bad line names the file and the line
--- http_config eval
"$::Http    pa_area ../html/bad.poly;\n"
--- user_files
>>> bad.poly
# outline
21.0,103.0
23.0;103.0
22.0,105.0
--- must_die
--- error_log
line 3: invalid point "23.0;103.0" (want "lat,lng")



=== TEST 20: pa_media_no_time takes flag or reject only
--- http_config eval
"$::Http    pa_media_no_time maybe;\n"
--- must_die
--- error_log
invalid value "maybe"



=== TEST 21: pa_media_no_time reject: under an age rule, a video without a recording time is 422
--- http_config eval
"$::Http    pa_photo_max_age 24h;\n    pa_media_no_time reject;\n    pa_media_types image/jpeg video/mp4;\n"
--- request eval
::form(@::Who, ['media', 'video-notime.mp4', 'video/mp4'])
--- error_code: 422
--- response_body_like: "code":"photo_too_old","message":"[^"]*no capture time



=== TEST 22: pa_escalate_by takes ioc and handler only, and once
--- http_config eval
"$::Http    pa_escalate_by ioc leader;\n"
--- must_die
--- error_log
invalid role "leader" in "pa_escalate_by": "ioc" or "handler"



=== TEST 23: ... a second pa_escalate_by line stops nginx
--- http_config eval
"$::Http    pa_escalate_by ioc;\n    pa_escalate_by ioc handler;\n"
--- must_die
--- error_log
"pa_escalate_by" directive is duplicate



=== TEST 24: pa_thread_pool naming a pool no thread_pool defines stops nginx
--- http_config eval
"$::Http    pa_thread_pool nosuch;\n"
--- must_die
--- error_log
unknown thread pool "nosuch"



=== TEST 24b: a pa_duplicate_window past 30 days stops nginx: each day of it is one more geo search on every read of a report
--- http_config eval
"$::Http    pa_duplicate_window 31d;\n"
--- must_die
--- error_log
pa_duplicate_window must be 1s..30d



=== TEST 24c: ... 30 days is taken
--- http_config eval
"$::Http    pa_duplicate_window 30d;\n"
--- config
    location = /t { return 204; }
--- request
GET /t
--- error_code: 204



=== TEST 24d: pa_coordinator on without a confirm deadline stops nginx: the coordinator's confirmation, which holds publication back, would never open
--- http_config eval
"$::Http    pa_coordinator on;\n"
--- must_die
--- error_log
"pa_coordinator on" needs "pa_sla confirm"



=== TEST 24e: ... with one, it starts
--- http_config eval
"$::Http    pa_coordinator on;\n    pa_sla confirm 1d;\n"
--- config
    location = /t { return 204; }
--- request
GET /t
--- error_code: 204



=== TEST 25: without pa_thread_pool the media work runs inline, as before: the photo is taken, no task is posted
--- request eval
::form(['content', 'Cống thoát nước bị tắc'], ['reporter_name', 'Lò Văn D'],
       ['reporter_phone', '0977000333'], ['lat', '22.39'], ['lng', '103.45'],
       ['media', 'fresh-mm.jpg', 'image/jpeg'])
--- error_code: 201
--- response_body_like: "type":"image/jpeg","size":\d+,"flags":\[\],"taken_at":"2026-01-22T08:00:00\+07:00"
--- no_error_log
in thread pool
pa: thread job done
