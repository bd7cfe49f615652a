# Reading a report: the staff and reporter views, visibility (404 for an
# agency that is not assigned), the history, the reporter's personal data
# with its audit entry, and the rendered result.  One report goes through
# its life with X-PA-Now, so every answer is static.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

setting(http_config => workflow_http('t_read', 'test-read',
                                     'pa_sla reply 1d;'));

run_tests();

__DATA__

=== TEST 1: a report is submitted (name, phone and e-mail sealed)
--- more_headers
Content-Type: application/json
X-PA-Now: 2026-02-02T09:00:00+07:00
X-PA-Test-Id: RD-1
X-PA-Test-Token: token-of-the-reporter-rd-1
--- request
POST /api/v1/reports
{"content":"Ổ gà lớn","title":"Ổ gà","category":"traffic","lat":22.396,"lng":103.458,"reporter_name":"Nguyễn Văn A","reporter_phone":"0912345678","reporter_email":"a@example.vn"}
--- error_code: 201



=== TEST 2: the reporter's view: no messages yet, no personal data
--- more_headers
X-Report-Token: token-of-the-reporter-rd-1
X-PA-Now: 2026-02-02T09:30:00+07:00
--- request
GET /api/v1/reports/RD-1
--- error_code: 200
--- response_headers
Cache-Control: private, no-store
--- response_body_like: ^\{"id":"RD-1","status":"submitted",.*"deadlines":\[\{"step":"verify","due":"2026-02-03T09:00:00\+07:00","overdue":false\}\],"overdue":false,"messages":\[\]\}$



=== TEST 3: ... never the reporter's name, phone, e-mail or hashes
--- more_headers
X-Report-Token: token-of-the-reporter-rd-1
--- request
GET /api/v1/reports/RD-1
--- error_code: 200
--- response_body_unlike: Nguy|912345678|example\.vn|pii_|phone_hash|token_hash



=== TEST 4: the IOC's view has the history and the original text
--- more_headers eval
"Authorization: Bearer $::T{ioc}\nX-PA-Now: 2026-02-02T09:30:00+07:00"
--- request
GET /api/v1/reports/RD-1
--- error_code: 200
--- response_body_like: ^\{"id":"RD-1","status":"submitted","title":"Ổ gà","content":"Ổ gà lớn","content_original":"Ổ gà lớn","category":"traffic",.*"history":\[\{"at":"2026-02-02T09:00:00\+07:00","role":"reporter","actor":"reporter","action":"submit","from":null,"to":"submitted","note":null\}\]\}$



=== TEST 5: staff views never carry personal data either
--- more_headers eval
"Authorization: Bearer $::T{ioc}"
--- request
GET /api/v1/reports/RD-1
--- error_code: 200
--- response_body_unlike: Nguy|912345678|example\.vn|pii_|phone_hash|token_hash



=== TEST 6: the IOC verifies, receives (editing the text), dispatches
--- more_headers eval
["Authorization: Bearer $::T{ioc}\nContent-Type: application/json\nX-PA-Now: 2026-02-02T10:00:00+07:00",
 "Authorization: Bearer $::T{ioc}\nContent-Type: application/json\nX-PA-Now: 2026-02-02T10:10:00+07:00",
 "Authorization: Bearer $::T{ioc}\nContent-Type: application/json\nX-PA-Now: 2026-02-02T10:20:00+07:00"]
--- pipelined_requests eval
["POST /api/v1/reports/RD-1/actions\n{\"action\":\"verify\"}",
 "POST /api/v1/reports/RD-1/actions\n{\"action\":\"receive\",\"content\":\"Ổ gà lớn trên đường Trần Phú\"}",
 "POST /api/v1/reports/RD-1/actions\n{\"action\":\"dispatch\",\"agencies\":[\"so-xd\",\"phuong-tan-phong\"]}"]
--- error_code eval
[200, 200, 200]



=== TEST 7: a handler of an assigned agency sees the report
--- more_headers eval
"Authorization: Bearer $::T{xd}\nX-PA-Now: 2026-02-02T10:30:00+07:00"
--- request
GET /api/v1/reports/RD-1
--- error_code: 200
--- response_body_like: "status":"dispatched".*"content":"Ổ gà lớn trên đường Trần Phú","content_original":"Ổ gà lớn".*"agencies":\["so-xd","phuong-tan-phong"\],"lead":"so-xd","dispatched_at":"2026-02-02T10:20:00\+07:00".*"deadlines":\[.*\{"step":"accept","due":"2026-02-03T10:20:00\+07:00","agency":"so-xd","overdue":false\}.*"action":"dispatch","from":"received","to":"dispatched","note":null,"agencies":\["so-xd","phuong-tan-phong"\]\}



=== TEST 8: another agency's handler, leader or coordinator gets 404
--- more_headers eval
["Authorization: Bearer $::T{nnmt}", "Authorization: Bearer $::T{nnmt}",
 "Authorization: Bearer $::T{coord}", "Authorization: Bearer $::T{nnmt}"]
--- pipelined_requests eval
["GET /api/v1/reports/RD-1", "GET /api/v1/reports/RD-1/history",
 "GET /api/v1/reports/RD-1", "GET /api/v1/reports/RD-404"]
--- error_code eval
[404, 404, 404, 404]
--- response_body eval
['{"error":{"code":"not_found","message":"no such report"}}
', '{"error":{"code":"not_found","message":"no such report"}}
', '{"error":{"code":"not_found","message":"no such report"}}
', '{"error":{"code":"not_found","message":"no such report"}}
']



=== TEST 9: the lead agency accepts and resolves on the template, the IOC publishes
--- more_headers eval
["Authorization: Bearer $::T{xd}\nContent-Type: application/json\nX-PA-Now: 2026-02-02T11:00:00+07:00",
 "Authorization: Bearer $::T{xd}\nContent-Type: application/json\nX-PA-Now: 2026-02-03T11:00:00+07:00",
 "Authorization: Bearer $::T{ioc}\nContent-Type: application/json\nX-PA-Now: 2026-02-03T14:00:00+07:00"]
--- pipelined_requests eval
["POST /api/v1/reports/RD-1/actions\n{\"action\":\"accept\"}",
 "POST /api/v1/reports/RD-1/actions\n{\"action\":\"resolve\",\"summary\":\"Đã vá ổ gà.\",\"salutation\":\"Ông\"}",
 "POST /api/v1/reports/RD-1/actions\n{\"action\":\"publish\"}"]
--- error_code eval
[200, 200, 200]



=== TEST 10: the staff view renders the result template, without the name
--- more_headers eval
"Authorization: Bearer $::T{ioc}\nX-PA-Now: 2026-02-03T15:00:00+07:00"
--- request
GET /api/v1/reports/RD-1
--- error_code: 200
--- response_body_like: "result":\{"agency":"so-xd","salutation":"Ông","summary":"Đã vá ổ gà.","media":\[\],"at":"2026-02-03T11:00:00\+07:00","agency_name":"Sở Xây dựng tỉnh Lai Châu","rendered":"Sở Xây dựng tỉnh Lai Châu\\nKính chào: Ông\\nSau khi nhận được phản ánh của Ông, Sở Xây dựng tỉnh Lai Châu đã tiến hành kiểm tra, xử lý và thông báo kết quả như sau:\\nĐã vá ổ gà.\\nChúng tôi chân thành cảm ơn Ông đã kịp thời phản ánh và mong tiếp tục nhận được phản ánh trong thời gian tới.\\nTrân trọng./."\},"resolved_at":"2026-02-03T11:00:00\+07:00","published_at":"2026-02-03T14:00:00\+07:00"



=== TEST 11: the reporter sees the result and the publication message
--- more_headers
X-Report-Token: token-of-the-reporter-rd-1
X-PA-Now: 2026-02-03T15:00:00+07:00
--- request
GET /api/v1/reports/RD-1
--- error_code: 200
--- response_body_like: "status":"resolved".*"rendered":"Sở Xây dựng tỉnh Lai Châu\\nKính chào: Ông\\n.*"messages":\[\{"at":"2026-02-03T14:00:00\+07:00","action":"publish","status":"resolved","note":null\}\]\}$



=== TEST 12: the reporter's history names roles, not staff accounts
--- more_headers
X-Report-Token: token-of-the-reporter-rd-1
--- request
GET /api/v1/reports/RD-1/history
--- error_code: 200
--- response_body_like: ^\[\{"at":"2026-02-02T09:00:00\+07:00","role":"reporter","actor":"reporter","action":"submit","from":null,"to":"submitted","note":null\},\{"at":"2026-02-02T10:00:00\+07:00","role":"ioc","actor":"ioc","action":"verify","from":"submitted","to":"verified","note":null\},.*\{"at":"2026-02-03T14:00:00\+07:00","role":"ioc","actor":"ioc","action":"publish","from":"under_review","to":"resolved","note":null\}\]$



=== TEST 13: ... staff see the accounts
--- more_headers eval
"Authorization: Bearer $::T{supervisor}"
--- request
GET /api/v1/reports/RD-1/history
--- error_code: 200
--- response_body_like: \{"at":"2026-02-02T11:00:00\+07:00","role":"handler","actor":"handler-so-xd","action":"accept","from":"dispatched","to":"in_progress","note":null,"agency":"so-xd"\}



=== TEST 14: the IOC reads the reporter's personal data
--- more_headers eval
"Authorization: Bearer $::T{ioc}\nX-PA-Now: 2026-02-03T16:00:00+07:00"
--- request
GET /api/v1/reports/RD-1/reporter
--- error_code: 200
--- response_headers
Cache-Control: private, no-store
--- response_body
{"name":"Nguyễn Văn A","phone":"+84912345678","email":"a@example.vn"}



=== TEST 15: ... and the read is in the audit trail
--- init
my $out = main::redis('XRANGE', 'pa:{t_read}:audit', '-', '+');
Test::More::like($out, qr/^id\nRD-1\nactor\nioc-user\nrole\nioc\nat\n1770109200$/m,
                 "audit entry of the IOC's read");
--- request
GET /api/v1/directory
--- error_code: 200



=== TEST 16: an assigned handler without the reporter's consent: 403
--- more_headers eval
"Authorization: Bearer $::T{xd}"
--- request
GET /api/v1/reports/RD-1/reporter
--- error_code: 403
--- response_body_like: "code":"forbidden"



=== TEST 17: with consent (share_identity) the assigned handler may read it
--- init
main::redis('HSET', 'pa:{t_read}:r:RD-1', 'share_identity', '1');
--- more_headers eval
"Authorization: Bearer $::T{xd}\nX-PA-Now: 2026-02-03T16:30:00+07:00"
--- request
GET /api/v1/reports/RD-1/reporter
--- error_code: 200
--- response_body
{"name":"Nguyễn Văn A","phone":"+84912345678","email":"a@example.vn"}



=== TEST 18: ... audited as well; nothing was audited for the refusals
--- init
my $out = main::redis('XRANGE', 'pa:{t_read}:audit', '-', '+');
my $n = () = $out =~ /^id$/mg;
Test::More::is($n, 2, "two audited reads");
Test::More::like($out, qr/actor\nhandler-so-xd\nrole\nhandler\nat\n1770111000$/m,
                 "audit entry of the handler's read");
--- request
GET /api/v1/directory
--- error_code: 200



=== TEST 19: others may never read it: 403, or 404 when not assigned
--- more_headers eval
["Authorization: Bearer $::T{supervisor}", "Authorization: Bearer $::T{admin}",
 "X-Report-Token: token-of-the-reporter-rd-1", "Authorization: Bearer $::T{coord}",
 "Authorization: Bearer $::T{nnmt}", "Authorization: Bearer $::T{ioc}"]
--- pipelined_requests eval
["GET /api/v1/reports/RD-1/reporter", "GET /api/v1/reports/RD-1/reporter",
 "GET /api/v1/reports/RD-1/reporter", "GET /api/v1/reports/RD-1/reporter",
 "GET /api/v1/reports/RD-1/reporter", "GET /api/v1/reports/RD-404/reporter"]
--- error_code eval
[403, 403, 403, 403, 404, 404]



=== TEST 20: a hidden report: still seen by staff (supervisor too), flagged
--- more_headers eval
["Authorization: Bearer $::T{ioc}\nContent-Type: application/json\nX-PA-Now: 2026-02-03T17:00:00+07:00",
 "Authorization: Bearer $::T{supervisor}", "Authorization: Bearer $::T{ward}"]
--- pipelined_requests eval
["POST /api/v1/reports/RD-1/actions\n{\"action\":\"hide\",\"reason\":\"vi phạm\"}",
 "GET /api/v1/reports/RD-1", "GET /api/v1/reports/RD-1"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"hidden":true', '"hidden":true', '"hidden":true']



=== TEST 21: no credentials: 401; a bad staff token: 401
--- more_headers eval
["", "Authorization: Bearer not.a.token"]
--- pipelined_requests eval
["GET /api/v1/reports/RD-1", "GET /api/v1/reports/RD-1/history"]
--- error_code eval
[401, 401]
--- response_body_like eval
['"code":"unauthorized"', '"code":"unauthorized"']



=== TEST 22: a request for information is a message to the reporter
--- more_headers eval
["Content-Type: application/json\nX-PA-Now: 2026-02-04T09:00:00+07:00\nX-PA-Test-Id: RD-2\nX-PA-Test-Token: token-of-the-reporter-rd-2",
 "Authorization: Bearer $::T{ioc}\nContent-Type: application/json\nX-PA-Now: 2026-02-04T09:30:00+07:00",
 "X-Report-Token: token-of-the-reporter-rd-2\nX-PA-Now: 2026-02-04T10:00:00+07:00"]
--- pipelined_requests eval
["POST /api/v1/reports\n{\"content\":\"Rác\",\"lat\":22.39,\"lng\":103.45,\"reporter_name\":\"B\",\"reporter_phone\":\"0912000111\"}",
 "POST /api/v1/reports/RD-2/actions\n{\"action\":\"request_info\",\"message\":\"Xin gửi thêm ảnh chụp rõ vị trí.\"}",
 "GET /api/v1/reports/RD-2"]
--- error_code eval
[201, 200, 200]
--- response_body_like eval
['"id":"RD-2"', '"status":"needs_info"',
 '"messages":\[\{"at":"2026-02-04T09:30:00\+07:00","action":"request_info","status":"needs_info","note":"Xin gửi thêm ảnh chụp rõ vị trí."\}\]\}$']



=== TEST 23: the reporter's history keeps staff notes of internal steps inside
--- more_headers
X-Report-Token: token-of-the-reporter-rd-1
--- request
GET /api/v1/reports/RD-1/history
--- error_code: 200
--- response_body_like: "role":"ioc","actor":"ioc","action":"hide","from":"resolved","to":"resolved","note":null\}\]$



=== TEST 24: ... the note itself is not there
--- more_headers
X-Report-Token: token-of-the-reporter-rd-1
--- request
GET /api/v1/reports/RD-1/history
--- error_code: 200
--- response_body_unlike: vi phạm
