# Lai Châu 2025 (QĐ 510/QĐ-UBND), the shipped profile: no separate
# verification, the submission goes to the district / commune / ward whose
# area holds its position (auto dispatch, Điều 6), 1 working
# day to take it or send it on, 5 working days of handling, the status
# notice after 6 days (sent by the sweeper), no reply deadline; an agency
# sending on a report that is not its own, a position outside every area,
# no supplement deadline (so no automatic rejection), urgent reports (by
# category and by the IOC, 1 hour wall-clock), a hidden report still going
# overdue, every action refused for a wrong role (403) or state (409),
# what the public sees, statistics, deadlines across the April holidays;
# then (June) reopen after an unsatisfied rating, escalation by the lead
# agency (Điều 7.6) and the direction back as a dispatch, a sensitive
# report never published.
# Blocks run in order; every sweep sees the whole tenant, so the reports
# follow one another in time and every count is exact.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;

life('laichau-2025', 't_lc25',
     ioc        => ['ioc'],
     supervisor => ['supervisor'],
     city       => ['handler', 'xa-binh-lu'],
     ward       => ['handler', 'phuong-tan-phong'],
     doanket    => ['handler', 'phuong-doan-ket'],
     xd         => ['handler', 'so-xd'],
     leader     => ['leader', 'xa-binh-lu'],
     coord      => ['coordinator', 'xa-binh-lu']);

run_tests();

__DATA__

=== TEST 1: submitted Monday 09:00 inside the city (Điều 6): dispatched at once to the area's People's Committee: accept Tuesday 09:00, handling Monday 9/3, notice Tuesday 10/3
--- more_headers eval
main::h('', '2026-03-02T09:00:00+07:00') . "\nX-PA-Test-Id: LA-1\nX-PA-Test-Token: token-lc25-report-1"
--- request
POST /api/v1/reports
{"content":"Đèn tín hiệu giao thông hỏng","lat":22.38,"lng":103.65,"reporter_name":"Lù Văn X","reporter_phone":"0912348001"}
--- error_code: 201
--- response_body_like: ^\{"id":"LA-1","status":"dispatched","access_token":"token-lc25-report-1","urgent":false,"media":\[\],"deadlines":\[\{"step":"accept","due":"2026-03-03T09:00:00\+07:00","agency":"xa-binh-lu"\},\{"step":"resolve","due":"2026-03-09T09:00:00\+07:00","agency":"xa-binh-lu"\},\{"step":"notify","due":"2026-03-10T09:00:00\+07:00"\}\],"agencies":\["xa-binh-lu"\],



=== TEST 2: the staff see it dispatched by the system; the city takes it Tuesday 08:00; the IOC has nothing to receive (409)
--- more_headers eval
[main::h('ioc', '2026-03-02T09:10:00+07:00'), main::h('ioc', '2026-03-02T09:10:00+07:00'), main::h('city', '2026-03-03T08:00:00+07:00')]
--- pipelined_requests eval
["GET /api/v1/reports/LA-1", main::act('LA-1', action => 'receive'), main::act('LA-1', action => 'accept')]
--- error_code eval
[200, 409, 200]
--- response_body_like eval
['"status":"dispatched".*"agencies":\["xa-binh-lu"\],"lead":"xa-binh-lu","dispatched_at":"2026-03-02T09:00:00\+07:00".*' . main::dls(0,
  ['accept@xa-binh-lu', '2026-03-03T09:00', 'open'], ['resolve@xa-binh-lu', '2026-03-09T09:00', 'open'],
  ['notify', '2026-03-10T09:00', 'open']),
 '"code":"invalid_transition"',
 '"status":"in_progress".*' . main::dls(0,
  ['accept@xa-binh-lu', '2026-03-03T09:00', 'met'], ['resolve@xa-binh-lu', '2026-03-09T09:00', 'open'],
  ['notify', '2026-03-10T09:00', 'open'])]



=== TEST 3: no result after 5 days: overdue; after 6, the sweeper sends the reporter the status notice (once)
--- more_headers eval
[main::h('', '2026-03-10T09:00:00+07:00'), main::h('', '2026-03-10T09:00:01+07:00'),
 main::h('', '2026-03-11T09:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/admin/sweep", "POST /api/v1/admin/sweep", "POST /api/v1/admin/sweep"]
--- error_code eval
[200, 200, 200]
--- response_body eval
['{"overdue":1,"rejected":0,"notices":0,"unlocked":0,"archived":0}
', '{"overdue":0,"rejected":0,"notices":1,"unlocked":0,"archived":0}
', '{"overdue":0,"rejected":0,"notices":0,"unlocked":0,"archived":0}
']



=== TEST 4: ... the reporter reads it among their messages; the notify step is met, the handling overdue
--- more_headers eval
main::h('r:token-lc25-report-1', '2026-03-11T09:00:00+07:00')
--- request
GET /api/v1/reports/LA-1
--- error_code: 200
--- response_body_like eval
'"status":"in_progress".*' . main::dls(1,
  ['accept@xa-binh-lu', '2026-03-03T09:00', 'met'], ['resolve@xa-binh-lu', '2026-03-09T09:00', 'over'],
  ['notify', '2026-03-10T09:00', 'met'])
. ',"messages":\[\{"at":"2026-03-10T09:00:01\+07:00","action":"notify","status":"in_progress","note":"Phản ánh của Ông/Bà vẫn đang được cơ quan chức năng xem xét, xử lý. Kết quả sẽ được thông báo đến Ông/Bà ngay khi có."\}\]\}$'



=== TEST 5: ... and the notifiers got a notice event for the agency
--- init
Test::More::like(main::redis('XRANGE', 'pa:{t_lc25}:events', '-', '+'),
    qr/^type\nnotice\nid\nLA-1\nstatus\nin_progress\nagency\nxa-binh-lu\nagencies\n,xa-binh-lu,\nurgent\n0\nat\n1773108001$/m,
    'notice event');
--- more_headers eval
main::h('ioc', '2026-03-11T09:00:00+07:00')
--- request
GET /api/v1/reports/LA-1/history
--- error_code: 200
--- response_body_like: \{"at":"2026-03-10T09:00:01\+07:00","role":"system","actor":"sweeper","action":"notify","from":"in_progress","to":"in_progress","note":"Phản ánh của Ông/Bà[^"]+"\}\]$



=== TEST 6: handled late, published, rated; a comment opens no deadline here (QĐ 510 sets none), the city replies the next morning
--- more_headers eval
[main::h('city', '2026-03-11T10:00:00+07:00'), main::h('ioc', '2026-03-11T14:00:00+07:00'),
 main::h('r:token-lc25-report-1', '2026-03-11T15:00:00+07:00'),
 main::h('r:token-lc25-report-1', '2026-03-11T15:30:00+07:00'),
 main::h('city', '2026-03-12T08:00:00+07:00')]
--- pipelined_requests eval
[main::act('LA-1', action => 'resolve', summary => 'Đã thay bộ điều khiển đèn tín hiệu.'),
 main::act('LA-1', action => 'publish'),
 main::act('LA-1', action => 'rate', rating => 'satisfied'),
 main::act('LA-1', action => 'comment', text => 'Đèn đã chạy lại, cảm ơn. Xin lắp thêm đèn cho người đi bộ.'),
 main::act('LA-1', action => 'reply', comment_id => 1, text => 'Chúng tôi sẽ đề xuất lắp đèn cho người đi bộ trong năm nay.')]
--- error_code eval
[200, 200, 200, 200, 200]
--- response_body_like eval
['"status":"under_review".*\{"step":"resolve","due":"2026-03-09T09:00:00\+07:00","agency":"xa-binh-lu","met":false,"overdue":true\}',
 '"status":"resolved".*"published":true.*"published_at":"2026-03-11T14:00:00\+07:00"',
 '"status":"resolved".*"rating":"satisfied"',
 '"status":"resolved".*' . main::dls(0,
  ['accept@xa-binh-lu', '2026-03-03T09:00', 'met'], ['resolve@xa-binh-lu', '2026-03-09T09:00', 'late'],
  ['notify', '2026-03-10T09:00', 'met']),
 '"status":"resolved".*"comments":\[\{' . CORE::join('', map { "(?=[^{}]*$_)" } '"id":1[,}]',
  '"text":"Đèn đã chạy lại[^"]*"', '"at":"2026-03-11T15:30:00\+07:00"', '"reply":"Chúng tôi sẽ đề xuất[^"]*"',
  '"reply_at":"2026-03-12T08:00:00\+07:00"', '"agency":"xa-binh-lu"') . '[^{}]*\}\]']



=== TEST 7: the history holds the whole life in order, the sweeper's notice included
--- more_headers eval
main::h('ioc', '2026-03-12T09:00:00+07:00')
--- request
GET /api/v1/reports/LA-1/history
--- error_code: 200
--- response_body_like: ^\[\{[^{}]*"action":"submit","from":null,"to":"submitted"[^{}]*\},\{[^{}]*"role":"system","actor":"auto_dispatch","action":"dispatch","from":"submitted","to":"dispatched"[^{}]*\},\{[^{}]*"action":"accept","from":"dispatched","to":"in_progress"[^{}]*\},\{[^{}]*"role":"system","actor":"sweeper","action":"notify","from":"in_progress","to":"in_progress"[^{}]*\},\{[^{}]*"action":"resolve","from":"in_progress","to":"under_review"[^{}]*\},\{[^{}]*"action":"publish","from":"under_review","to":"resolved"[^{}]*\},\{[^{}]*"action":"rate","from":"resolved","to":"resolved"[^{}]*\},\{[^{}]*"action":"comment","from":"resolved","to":"resolved"[^{}]*\},\{[^{}]*"action":"reply","from":"resolved","to":"resolved"[^{}]*\}\]$







=== TEST 8: inside a ward: routed to the ward at submission, which sends it on (not competent) to the department; the IOC, who has a working day to dispatch it, does so at once
--- more_headers eval
[main::h('', '2026-03-11T08:30:00+07:00') . "\nX-PA-Test-Id: LA-2\nX-PA-Test-Token: token-lc25-report-2",
 main::h('ioc', '2026-03-11T08:30:00+07:00'), main::h('ward', '2026-03-11T09:00:00+07:00'),
 main::h('ioc', '2026-03-11T09:30:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Công trình xây dựng không che chắn","category":"construction","lat":22.396,"lng":103.458,"reporter_name":"Tẩn Thị Y","reporter_phone":"0912348002"}',
 "GET /api/v1/reports/LA-2",
 main::act('LA-2', action => 'return', kind => 'not_competent', suggested_agency => 'so-xd', message => 'Công trình do Sở Xây dựng cấp phép'),
 main::act('LA-2', action => 'dispatch', agencies => ['so-xd'])]
--- error_code eval
[201, 200, 200, 200]
--- response_body_like eval
['"id":"LA-2"',
 '"status":"dispatched".*"lead":"phuong-tan-phong".*' . main::dls(0,
  ['accept@phuong-tan-phong', '2026-03-12T08:30', 'open'], ['resolve@phuong-tan-phong', '2026-03-18T08:30', 'open'],
  ['notify', '2026-03-19T08:30', 'open']),
 '"status":"received".*"suggested_agencies":\["so-xd"\],"returned_by":"phuong-tan-phong","return_kind":"not_competent".*' . main::dls(0,
  ['accept@phuong-tan-phong', '2026-03-12T08:30', 'met'], ['dispatch', '2026-03-12T09:00', 'open'],
  ['resolve@phuong-tan-phong', '2026-03-18T08:30', 'met'], ['notify', '2026-03-19T08:30', 'met']),
 '"status":"dispatched".*"lead":"so-xd".*' . main::dls(0,
  ['accept@phuong-tan-phong', '2026-03-12T08:30', 'met'], ['dispatch', '2026-03-12T09:00', 'met'], ['accept@so-xd', '2026-03-12T09:30', 'open'],
  ['resolve@phuong-tan-phong', '2026-03-18T08:30', 'met'], ['resolve@so-xd', '2026-03-18T09:30', 'open'],
  ['notify', '2026-03-19T09:30', 'open'])]



=== TEST 9: the department handles it in a day; publishing closes the notice step
--- more_headers eval
[main::h('xd', '2026-03-11T10:00:00+07:00'), main::h('xd', '2026-03-12T10:00:00+07:00'),
 main::h('ioc', '2026-03-12T11:00:00+07:00')]
--- pipelined_requests eval
[main::act('LA-2', action => 'accept'),
 main::act('LA-2', action => 'resolve', summary => 'Đã yêu cầu chủ đầu tư che chắn công trình.'),
 main::act('LA-2', action => 'publish')]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"status":"in_progress"', '"status":"under_review"',
 '"status":"resolved".*\{"step":"notify","due":"2026-03-19T09:30:00\+07:00","met":true,"overdue":false\}\],"overdue":false']



=== TEST 10: a position outside every area waits for the IOC: a dispatch deadline of 1 working day from the submission; the IOC receives it and dispatches by hand
--- more_headers eval
[main::h('', '2026-03-12T08:00:00+07:00') . "\nX-PA-Test-Id: LA-3\nX-PA-Test-Token: token-lc25-report-3",
 main::h('ioc', '2026-03-12T08:30:00+07:00'), main::h('ioc', '2026-03-12T08:40:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Sạt lở đường liên tỉnh ngoài địa bàn","lat":22.20,"lng":103.20,"reporter_name":"Hoàng Văn Z","reporter_phone":"0912348003"}',
 main::act('LA-3', action => 'receive'),
 main::act('LA-3', action => 'dispatch', agencies => ['so-xd'])]
--- error_code eval
[201, 200, 200]
--- response_body_like eval
['"id":"LA-3","status":"submitted".*"deadlines":\[\{"step":"dispatch","due":"2026-03-13T08:00:00\+07:00"\}\]',
 '"status":"received".*' . main::dls(0, ['dispatch', '2026-03-13T08:00', 'open']),
 '"status":"dispatched".*"lead":"so-xd".*' . main::dls(0,
  ['dispatch', '2026-03-13T08:00', 'met'], ['accept@so-xd', '2026-03-13T08:40', 'open'], ['resolve@so-xd', '2026-03-19T08:40', 'open'],
  ['notify', '2026-03-20T08:40', 'open'])]



=== TEST 11: ... the department takes it and handles it the next day; the reporter finds it acceptable
--- more_headers eval
[main::h('xd', '2026-03-12T09:00:00+07:00'), main::h('xd', '2026-03-13T10:00:00+07:00'),
 main::h('ioc', '2026-03-13T11:00:00+07:00'), main::h('r:token-lc25-report-3', '2026-03-13T12:00:00+07:00')]
--- pipelined_requests eval
[main::act('LA-3', action => 'accept'),
 main::act('LA-3', action => 'resolve', summary => 'Đã phối hợp dọn đất đá, thông tuyến.'),
 main::act('LA-3', action => 'publish'),
 main::act('LA-3', action => 'rate', rating => 'acceptable')]
--- error_code eval
[200, 200, 200, 200]
--- response_body_like eval
['"status":"in_progress"', '"status":"under_review"',
 '"status":"resolved".*' . main::dls(0,
  ['dispatch', '2026-03-13T08:00', 'met'], ['accept@so-xd', '2026-03-13T08:40', 'met'], ['resolve@so-xd', '2026-03-19T08:40', 'met'],
  ['notify', '2026-03-20T08:40', 'met']),
 '"rating":"acceptable"']



=== TEST 12: a report asking for a private result, Friday 13/3, routed to Đoàn Kết, which returns it as unclear (Điều 7.2); the IOC asks the reporter (request_info from received); no supplement deadline opens (QĐ 510 sets none)
--- more_headers eval
[main::h('', '2026-03-13T08:00:00+07:00') . "\nX-PA-Test-Id: LA-4\nX-PA-Test-Token: token-lc25-report-4",
 main::h('doanket', '2026-03-13T08:20:00+07:00'), main::h('ioc', '2026-03-13T08:30:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Cống thoát nước bị tắc, nước tràn mặt đường","category":"water","lat":22.36,"lng":103.48,"reporter_name":"Lò Thị T","reporter_phone":"0912348004","private_result":true}',
 main::act('LA-4', action => 'return', kind => 'needs_info', message => 'Không xác định được vị trí cống.'),
 main::act('LA-4', action => 'request_info', message => 'Đề nghị cho biết số nhà hoặc ngõ gần nhất.')]
--- error_code eval
[201, 200, 200]
--- response_body_like eval
['^\{"id":"LA-4","status":"dispatched",.*"agencies":\["phuong-doan-ket"\]',
 '"status":"received".*"return_kind":"needs_info".*' . main::dls(0,
  ['accept@phuong-doan-ket', '2026-03-16T08:00', 'met'], ['dispatch', '2026-03-16T08:20', 'open'],
  ['resolve@phuong-doan-ket', '2026-03-20T08:00', 'met'], ['notify', '2026-03-23T08:00', 'met']),
 '"status":"needs_info".*' . main::dls(0,
  ['accept@phuong-doan-ket', '2026-03-16T08:00', 'met'], ['dispatch', '2026-03-16T08:20', 'met'],
  ['resolve@phuong-doan-ket', '2026-03-20T08:00', 'met'], ['notify', '2026-03-23T08:00', 'met'])]



=== TEST 13: urgent by its category (fire), Saturday 14/3 21:15: routed to the ward at submission, which must take it and handle it within one wall-clock hour
--- more_headers eval
[main::h('', '2026-03-14T21:15:00+07:00') . "\nX-PA-Test-Id: LA-5\nX-PA-Test-Token: token-lc25-report-5",
 main::h('ioc', '2026-03-14T21:15:00+07:00'), main::h('ward', '2026-03-14T21:30:00+07:00'),
 main::h('ward', '2026-03-14T22:00:00+07:00'), main::h('ioc', '2026-03-14T22:10:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Cháy kho chứa củi sau nhà dân","category":"fire","lat":22.40,"lng":103.46,"reporter_name":"Vàng Thị U","reporter_phone":"0912348005"}',
 "GET /api/v1/reports/LA-5", main::act('LA-5', action => 'accept'),
 main::act('LA-5', action => 'resolve', summary => 'Đã phối hợp dập tắt đám cháy, không có thiệt hại về người.'),
 main::act('LA-5', action => 'publish')]
--- error_code eval
[201, 200, 200, 200, 200]
--- response_body_like eval
['"status":"dispatched","access_token":"token-lc25-report-5","urgent":true,',
 '"status":"dispatched".*"urgent":true.*"lead":"phuong-tan-phong".*' . main::dls(0,
  ['accept@phuong-tan-phong', '2026-03-14T22:15', 'open'], ['resolve@phuong-tan-phong', '2026-03-14T22:15', 'open'],
  ['notify', '2026-03-23T17:00', 'open']),
 '"status":"in_progress"', '"status":"under_review"',
 '"status":"resolved".*' . main::dls(0,
  ['accept@phuong-tan-phong', '2026-03-14T22:15', 'met'], ['resolve@phuong-tan-phong', '2026-03-14T22:15', 'met'],
  ['notify', '2026-03-23T17:00', 'met'])]



=== TEST 14: an ordinary report no area holds, made urgent by the IOC at receipt, Monday 16:45, and dispatched to the city: it has until 17:45, not the next day
--- more_headers eval
[main::h('', '2026-03-16T16:30:00+07:00') . "\nX-PA-Test-Id: LA-6\nX-PA-Test-Token: token-lc25-report-6",
 main::h('ioc', '2026-03-16T16:45:00+07:00'), main::h('ioc', '2026-03-16T16:45:00+07:00'),
 main::h('city', '2026-03-16T17:00:00+07:00'),
 main::h('city', '2026-03-16T17:40:00+07:00'), main::h('ioc', '2026-03-16T17:50:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Cột đèn đổ chắn ngang đường","category":"lighting","lat":22.20,"lng":103.20,"reporter_name":"Sùng A V","reporter_phone":"0912348006"}',
 main::act('LA-6', action => 'receive', urgent => JSON::PP::true),
 main::act('LA-6', action => 'dispatch', agencies => ['xa-binh-lu']),
 main::act('LA-6', action => 'accept'),
 main::act('LA-6', action => 'resolve', summary => 'Đã cẩu cột đèn, thông đường.'),
 main::act('LA-6', action => 'publish')]
--- error_code eval
[201, 200, 200, 200, 200, 200]
--- response_body_like eval
['"status":"submitted","access_token":"token-lc25-report-6","urgent":false,"media":\[\],"deadlines":\[\{"step":"dispatch","due":"2026-03-17T16:30:00\+07:00"\}\]',
 '"status":"received".*"urgent":true',
 '"status":"dispatched".*"urgent":true.*"lead":"xa-binh-lu".*' . main::dls(0,
  ['accept@xa-binh-lu', '2026-03-16T17:45', 'open'], ['resolve@xa-binh-lu', '2026-03-16T17:45', 'open'],
  ['dispatch', '2026-03-17T16:30', 'met'], ['notify', '2026-03-24T16:45', 'open']),
 '"status":"in_progress"', '"status":"under_review"', '"status":"resolved"']



=== TEST 15: two working days after the request (the LC26 / VL timeout) the sweeper rejects nothing; the reporter supplements: back with the IOC (received), who has a working day to dispatch; it goes to Đoàn Kết again
--- more_headers eval
[main::h('', '2026-03-17T08:30:01+07:00'), main::h('r:token-lc25-report-4', '2026-03-17T08:45:00+07:00'),
 main::h('r:token-lc25-report-4', '2026-03-17T09:00:00+07:00'), main::h('ioc', '2026-03-17T09:30:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/admin/sweep", "GET /api/v1/reports/LA-4",
 main::act('LA-4', action => 'supplement', content => 'Cống ở đầu ngõ 12 đường Trần Phú.'),
 main::act('LA-4', action => 'dispatch', agencies => ['phuong-doan-ket'])]
--- error_code eval
[200, 200, 200, 200]
--- response_body_like eval
['^\{"overdue":0,"rejected":0,"notices":0,"unlocked":0,"archived":0\}$',
 '"status":"needs_info".*"overdue":false,"messages":\[.*\{"at":"2026-03-13T08:30:00\+07:00","action":"request_info","status":"needs_info","note":"Đề nghị cho biết số nhà hoặc ngõ gần nhất."\}\]\}$',
 '"status":"received".*"dispatch","due":"2026-03-18T09:00:00\+07:00","overdue":false\}',
 '"status":"dispatched".*"lead":"phuong-doan-ket".*' . main::dls(0,
  ['dispatch', '2026-03-18T09:00', 'met'], ['accept@phuong-doan-ket', '2026-03-18T09:30', 'open'], ['resolve@phuong-doan-ket', '2026-03-24T09:30', 'open'],
  ['notify', '2026-03-25T09:30', 'open'])]



=== TEST 16: handled the same day; the result goes to the reporter only (private): never published
--- more_headers eval
[main::h('doanket', '2026-03-17T10:00:00+07:00'), main::h('doanket', '2026-03-17T15:00:00+07:00'),
 main::h('ioc', '2026-03-17T16:00:00+07:00'), main::h('r:token-lc25-report-4', '2026-03-17T16:30:00+07:00')]
--- pipelined_requests eval
[main::act('LA-4', action => 'accept'),
 main::act('LA-4', action => 'resolve', summary => 'Đã nạo vét cống đầu ngõ 12.', salutation => 'Bà'),
 main::act('LA-4', action => 'publish'),
 "GET /api/v1/reports/LA-4"]
--- error_code eval
[200, 200, 200, 200]
--- response_body_like eval
['"status":"in_progress"', '"status":"under_review"',
 '"status":"resolved",.*"published":false,.*"private_result":true',
 '"status":"resolved".*"rendered":"UBND phường Đoàn Kết\\\\nKính chào: Bà\\\\n.*Đã nạo vét cống đầu ngõ 12\.\\\\n']



=== TEST 17: a hidden report keeps its clock: submitted Tuesday 10:40, hidden by Đoàn Kết itself (Điều 9: the agency may hide), its accept step goes overdue Wednesday 10:40:01
--- more_headers eval
[main::h('', '2026-03-17T10:40:00+07:00') . "\nX-PA-Test-Id: LA-7\nX-PA-Test-Token: token-lc25-report-7",
 main::h('ioc', '2026-03-17T10:40:00+07:00'), main::h('doanket', '2026-03-17T11:00:00+07:00'),
 main::h('', '2026-03-18T10:40:00+07:00'), main::h('', '2026-03-18T10:40:01+07:00'),
 main::h('ioc', '2026-03-18T11:00:00+07:00'), main::h('doanket', '2026-03-18T11:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Lời lẽ xúc phạm kèm ảnh quán lấn chiếm vỉa hè","category":"urban-order","lat":22.36,"lng":103.475,"reporter_name":"Giàng A W","reporter_phone":"0912348007"}',
 "GET /api/v1/reports/LA-7",
 main::act('LA-7', action => 'hide', reason => 'Ngôn từ xúc phạm (Điều 5.6, Điều 9)'),
 "POST /api/v1/admin/sweep", "POST /api/v1/admin/sweep",
 "GET /api/v1/reports/LA-7", "GET /api/v1/queue?overdue=1"]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"id":"LA-7"',
 '"status":"dispatched".*"lead":"phuong-doan-ket"',
 '"status":"dispatched".*"hidden":true',
 '^\{"overdue":0,"rejected":0,"notices":0,"unlocked":0,"archived":0\}$',
 '^\{"overdue":1,"rejected":0,"notices":0,"unlocked":0,"archived":0\}$',
 '"status":"dispatched".*"hidden":true.*' . main::dls(1,
  ['accept@phuong-doan-ket', '2026-03-18T10:40', 'over'], ['resolve@phuong-doan-ket', '2026-03-24T10:40', 'open'],
  ['notify', '2026-03-25T10:40', 'open']),
 '"id":"LA-7"']



=== TEST 18: the public sees published reports only: no personal data, the agency's result on the template, the rating
--- more_headers eval
[main::h('', '2026-03-18T12:00:00+07:00'), main::h('', '2026-03-18T12:00:00+07:00')]
--- pipelined_requests eval
["GET /api/v1/public/reports/LA-1", "GET /api/v1/public/reports"]
--- error_code eval
[200, 200]
--- response_body_like eval
['^\{"id":"LA-1","status":"resolved",.*"published":true,.*"rendered":"UBND xã Bình Lư\\\\nKính chào: Ông/Bà\\\\nSau khi nhận được phản ánh của Ông/Bà, UBND xã Bình Lư đã tiến hành kiểm tra, xử lý và thông báo kết quả như sau:\\\\nĐã thay bộ điều khiển đèn tín hiệu\.\\\\n.*"rating":"satisfied"',
 '^\{"items":\[\{"id":"LA-6",[^\n]*\},\{"id":"LA-5",[^\n]*\},\{"id":"LA-3",[^\n]*\},\{"id":"LA-2",[^\n]*\},\{"id":"LA-1",[^\n]*\}\],"total":5\}$']
--- response_body_unlike eval
['Lù Văn|912348001|reporter_name|reporter_phone|phone_hash|token_hash|content_original|deadlines|"agencies"|auto_agency|"hidden"|"messages"',
 'Lù Văn|Tẩn Thị|Hoàng Văn|Vàng Thị|Sùng A|9123480|phone_hash|token_hash|content_original|deadlines|auto_agency|LA-4|LA-7']



=== TEST 19: ... the private result, the hidden report and an unknown id are all 404
--- more_headers eval
[main::h('', '2026-03-18T12:00:00+07:00'), main::h('', '2026-03-18T12:00:00+07:00'),
 main::h('', '2026-03-18T12:00:00+07:00')]
--- pipelined_requests eval
["GET /api/v1/public/reports/LA-4", "GET /api/v1/public/reports/LA-7", "GET /api/v1/public/reports/LA-99"]
--- error_code eval
[404, 404, 404]
--- response_body_like eval
[('^\{"error":\{"code":"not_found","message":"[^"]+"\}\}$') x 3]



=== TEST 20: every action by a role that may not take it: 403 forbidden (a supervisor only reads)
--- more_headers eval
my @a = qw(verify request_info supplement reject cancel receive dispatch
           coordinate identify accept return extend resolve approve send_back
           confirm publish review_return hide unhide forward_monitoring
           escalate rate comment reply flag_comment);
[map { main::h('supervisor', '2026-03-18T13:30:00+07:00') } @a]
--- pipelined_requests eval
my @a = qw(verify request_info supplement reject cancel receive dispatch
           coordinate identify accept return extend resolve approve send_back
           confirm publish review_return hide unhide forward_monitoring
           escalate rate comment reply flag_comment);
[map { main::act('LA-1', action => $_) } @a]
--- error_code eval
[(403) x 26]
--- response_body eval
[("{\"error\":{\"code\":\"forbidden\",\"message\":\"your role may not take this action\"}}\n") x 26]



=== TEST 21: ... the IOC may not take the reporter's or the agencies' actions; a handler not the IOC's (but hide, Điều 9, and escalate, Điều 7.6: see the end), a leader not the handler's, a reporter none of the staff's
--- more_headers eval
[(map { main::h('ioc', '2026-03-18T13:30:00+07:00') } 1 .. 13),
 (map { main::h('city', '2026-03-18T13:30:00+07:00') } 1 .. 12),
 (map { main::h('leader', '2026-03-18T13:30:00+07:00') } 1 .. 3),
 (map { main::h('r:token-lc25-report-1', '2026-03-18T13:30:00+07:00') } 1 .. 8)]
--- pipelined_requests eval
[(map { main::act('LA-1', action => $_) } qw(supplement cancel rate comment
     accept return extend resolve reply approve send_back identify confirm)),
 (map { main::act('LA-1', action => $_) } qw(verify request_info reject receive
     dispatch coordinate publish review_return forward_monitoring
     flag_comment approve send_back)),
 (map { main::act('LA-1', action => $_) } qw(accept resolve reply)),
 (map { main::act('LA-1', action => $_) } qw(verify receive dispatch accept
     resolve publish reply hide))]
--- error_code eval
[(403) x 36]
--- response_body_like eval
[('^\{"error":\{"code":"forbidden","message":"[^"]+"\}\}$') x 36]



=== TEST 22: a new report, dispatched at submission: what needs another state is 409 invalid_transition; the dispatched LA-7 cannot be received, dispatched, sent for information or rejected
--- more_headers eval
[main::h('', '2026-03-18T14:00:00+07:00') . "\nX-PA-Test-Id: LA-8\nX-PA-Test-Token: token-lc25-report-8",
 (map { main::h('ioc', '2026-03-18T14:10:00+07:00') } 1 .. 5),
 (map { main::h('r:token-lc25-report-8', '2026-03-18T14:10:00+07:00') } 1 .. 3),
 (map { main::h('ioc', '2026-03-18T14:10:00+07:00') } 1 .. 5)]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Biển báo giao thông bị đổ","category":"traffic","lat":22.38,"lng":103.64,"reporter_name":"Lò Văn K","reporter_phone":"0912348008"}',
 main::act('LA-8', action => 'dispatch', agencies => ['so-xd']),
 main::act('LA-8', action => 'coordinate', coordinator => 'so-xd'),
 main::act('LA-8', action => 'publish'),
 main::act('LA-8', action => 'review_return', message => 'Thiếu ảnh'),
 main::act('LA-8', action => 'forward_monitoring', message => 'Theo dõi'),
 main::act('LA-8', action => 'supplement', content => 'Bổ sung'),
 main::act('LA-8', action => 'rate', rating => 'satisfied'),
 main::act('LA-8', action => 'comment', text => 'Cảm ơn'),
 main::act('LA-7', action => 'receive'),
 main::act('LA-7', action => 'dispatch', agencies => ['so-xd']),
 main::act('LA-7', action => 'request_info', message => 'Thêm ảnh'),
 main::act('LA-7', action => 'reject', reason => 'other'),
 main::act('LA-7', action => 'publish')]
--- error_code eval
[201, (409) x 13]
--- response_body_like eval
['"status":"dispatched"', ('^\{"error":\{"code":"invalid_transition","message":"[^"]+"\}\}$') x 13]



=== TEST 23: ... and on the resolved LA-1: 409 for every role's action that does not fit any more
--- more_headers eval
[(map { main::h('city', '2026-03-18T14:30:00+07:00') } 1 .. 4),
 (map { main::h('leader', '2026-03-18T14:30:00+07:00') } 1 .. 2),
 (map { main::h('coord', '2026-03-18T14:30:00+07:00') } 1 .. 2),
 (map { main::h('ioc', '2026-03-18T14:30:00+07:00') } 1 .. 9),
 (map { main::h('r:token-lc25-report-1', '2026-03-18T14:30:00+07:00') } 1 .. 3)]
--- pipelined_requests eval
[main::act('LA-1', action => 'accept'),
 main::act('LA-1', action => 'return', kind => 'not_competent', message => 'Không thuộc thẩm quyền'),
 main::act('LA-1', action => 'extend', reason => 'Chờ vật tư', days => 2),
 main::act('LA-1', action => 'resolve', summary => 'Lại xong'),
 main::act('LA-1', action => 'approve'),
 main::act('LA-1', action => 'send_back', message => 'Làm lại'),
 main::act('LA-1', action => 'identify', agencies => ['so-xd']),
 main::act('LA-1', action => 'confirm', agree => JSON::PP::true),
 main::act('LA-1', action => 'verify'),
 main::act('LA-1', action => 'request_info', message => 'Thêm ảnh'),
 main::act('LA-1', action => 'reject', reason => 'other'),
 main::act('LA-1', action => 'receive'),
 main::act('LA-1', action => 'dispatch', agencies => ['so-xd']),
 main::act('LA-1', action => 'coordinate', coordinator => 'so-xd'),
 main::act('LA-1', action => 'publish'),
 main::act('LA-1', action => 'forward_monitoring', message => 'Theo dõi'),
 main::act('LA-1', action => 'escalate', message => 'Báo cáo UBND tỉnh'),
 main::act('LA-1', action => 'cancel'),
 main::act('LA-1', action => 'supplement', content => 'Bổ sung'),
 main::act('LA-1', action => 'rate', rating => 'acceptable')]
--- error_code eval
[(409) x 20]
--- response_body_like eval
[('^\{"error":\{"code":"invalid_transition","message":"[^"]+"\}\}$') x 20]



=== TEST 24: an agency sees only what was dispatched to it (404 otherwise); none of the refusals changed LA-1
--- more_headers eval
[main::h('ward', '2026-03-18T15:00:00+07:00'), main::h('ward', '2026-03-18T15:00:00+07:00'),
 main::h('doanket', '2026-03-18T15:00:00+07:00'), main::h('ioc', '2026-03-18T15:00:00+07:00')]
--- pipelined_requests eval
[main::act('LA-7', action => 'accept'), "GET /api/v1/reports/LA-7",
 "GET /api/v1/reports/LA-1", "GET /api/v1/reports/LA-1"]
--- error_code eval
[404, 404, 404, 200]
--- response_body_like eval
['"code":"not_found"', '"code":"not_found"', '"code":"not_found"',
 '"status":"resolved",.*"updated_at":"2026-03-12T08:00:00\+07:00",.*"rating":"satisfied"']



=== TEST 25: statistics of March, from the deadlines' records: reports per agency, once
phuong-doan-ket: LA-4 dispatched twice (returned as unclear: neither way,
then handled on time), the hidden LA-7 still in hand and overdue (the sweep
saw its accept deadline pass); phuong-tan-phong: the urgent LA-5 on time,
LA-2 sent on (not handling: neither way); so-xd: LA-2 and LA-3,
"acceptable" (0.0, under the 10 ratings of pa_stats_min_ratings: no flag);
xa-binh-lu: LA-1 handled late ("overdue"), "satisfied", LA-6, and LA-8,
dispatched at its submission, in hand.
--- more_headers eval
main::h('supervisor', '2026-03-18T15:00:00+07:00')
--- request
GET /api/v1/stats?from=2026-03-01&to=2026-03-31
--- error_code: 200
--- response_body
{"from":"2026-03-01","to":"2026-03-31","min_ratings":10,"agencies":[{"agency":"phuong-doan-ket","name":"UBND phường Đoàn Kết","dispatched":3,"resolved":1,"on_time":1,"overdue":1,"extension_missed":0,"in_progress":1,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":["overdue"],"overdue_reports":["LA-7"]},{"agency":"phuong-tan-phong","name":"UBND phường Tân Phong","dispatched":2,"resolved":1,"on_time":1,"overdue":0,"extension_missed":0,"in_progress":0,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":[],"overdue_reports":[]},{"agency":"so-xd","name":"Sở Xây dựng tỉnh Lai Châu","dispatched":2,"resolved":2,"on_time":2,"overdue":0,"extension_missed":0,"in_progress":0,"ratings":{"satisfied":0,"acceptable":1,"unsatisfied":0},"satisfaction_rate":0.0,"flags":[],"overdue_reports":[]},{"agency":"xa-binh-lu","name":"UBND xã Bình Lư","dispatched":3,"resolved":2,"on_time":1,"overdue":1,"extension_missed":0,"in_progress":1,"ratings":{"satisfied":1,"acceptable":0,"unsatisfied":0},"satisfaction_rate":1.0,"flags":["overdue"],"overdue_reports":["LA-1"]}]}



=== TEST 26: the working calendar: submitted (and dispatched) Friday 24/4 15:00, before Giỗ Tổ (Monday 27/4 off): taken by Tuesday 28/4 15:00, handled by Wednesday 6/5 (30/4 and 1/5 off too); submitted Wednesday 29/4 10:00, before 30/4 and 1/5: by Monday 4/5 10:00, handled by Friday 8/5, notice Monday 11/5; submitted Friday 8/5 20:00, after hours: by Monday 11/5 17:00
--- more_headers eval
[main::h('', '2026-04-24T15:00:00+07:00') . "\nX-PA-Test-Id: LA-9\nX-PA-Test-Token: token-lc25-report-9",
 main::h('ioc', '2026-04-24T15:00:00+07:00'),
 main::h('', '2026-04-29T10:00:00+07:00') . "\nX-PA-Test-Id: LA-10\nX-PA-Test-Token: token-lc25-report-10",
 main::h('ioc', '2026-04-29T10:00:00+07:00'),
 main::h('', '2026-05-08T20:00:00+07:00') . "\nX-PA-Test-Id: LA-11\nX-PA-Test-Token: token-lc25-report-11",
 main::h('ioc', '2026-05-08T20:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Rãnh thoát nước bị lấp","category":"water","lat":22.40,"lng":103.45,"reporter_name":"Tao Văn M","reporter_phone":"0912348009"}',
 "GET /api/v1/reports/LA-9",
 "POST /api/v1/reports\n" . '{"content":"Mặt đường bong tróc","category":"traffic","lat":22.38,"lng":103.65,"reporter_name":"Lường Thị N","reporter_phone":"0912348010"}',
 "GET /api/v1/reports/LA-10",
 "POST /api/v1/reports\n" . '{"content":"Rác thải ven suối","category":"environment","lat":22.36,"lng":103.48,"reporter_name":"Chẻo Văn P","reporter_phone":"0912348011"}',
 "GET /api/v1/reports/LA-11"]
--- error_code eval
[201, 200, 201, 200, 201, 200]
--- response_body_like eval
['"id":"LA-9"',
 '"status":"dispatched".*' . main::dls(0,
  ['accept@phuong-tan-phong', '2026-04-28T15:00', 'open'], ['resolve@phuong-tan-phong', '2026-05-06T15:00', 'open'],
  ['notify', '2026-05-07T15:00', 'open']),
 '"id":"LA-10"',
 '"status":"dispatched".*' . main::dls(0,
  ['accept@xa-binh-lu', '2026-05-04T10:00', 'open'], ['resolve@xa-binh-lu', '2026-05-08T10:00', 'open'],
  ['notify', '2026-05-11T10:00', 'open']),
 '"id":"LA-11"',
 '"status":"dispatched".*' . main::dls(0,
  ['accept@phuong-doan-ket', '2026-05-11T17:00', 'open'], ['resolve@phuong-doan-ket', '2026-05-15T17:00', 'open'],
  ['notify', '2026-05-18T17:00', 'open'])]



=== TEST 27: reopen after an unsatisfied rating: submitted Monday 1/6 09:00 in Tân Phong, handled Wednesday, published; rated "unsatisfied" Thursday 09:00: the IOC has a working day (Friday 09:00) and reopens it at 15:00 to the same ward, with 5 working days from then (Thursday 11/6 15:00)
--- more_headers eval
[main::h('', '2026-06-01T09:00:00+07:00') . "\nX-PA-Test-Id: LA-20\nX-PA-Test-Token: token-lc25-report-20",
 main::h('ward', '2026-06-01T10:00:00+07:00'), main::h('ward', '2026-06-03T10:00:00+07:00'),
 main::h('ioc', '2026-06-03T14:00:00+07:00'), main::h('r:token-lc25-report-20', '2026-06-04T09:00:00+07:00'),
 main::h('ioc', '2026-06-04T15:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Hố ga mất nắp trước cổng chợ","lat":22.40,"lng":103.46,"reporter_name":"Lò Văn Đ","reporter_phone":"0912348220"}',
 main::act('LA-20', action => 'accept'),
 main::act('LA-20', action => 'resolve', summary => 'Đã lắp nắp hố ga mới.'),
 main::act('LA-20', action => 'publish'),
 main::act('LA-20', action => 'rate', rating => 'unsatisfied'),
 main::act('LA-20', action => 'reopen', message => 'Nắp mới bị lún, đề nghị kiểm tra lại.')]
--- error_code eval
[201, 200, 200, 200, 200, 200]
--- response_body_like eval
['^\{"id":"LA-20","status":"dispatched",.*"agencies":\["phuong-tan-phong"\]',
 '"status":"in_progress"', '"status":"under_review"',
 '"status":"resolved".*"published":true',
 '"status":"resolved".*"rating":"unsatisfied".*' . main::dls(0,
  ['accept@phuong-tan-phong', '2026-06-02T09:00', 'met'], ['review_rating', '2026-06-05T09:00', 'open'],
  ['resolve@phuong-tan-phong', '2026-06-08T09:00', 'met'], ['notify', '2026-06-09T09:00', 'met']),
 '"status":"in_progress".*"published":false.*' . main::dls(0,
  ['accept@phuong-tan-phong', '2026-06-02T09:00', 'met'], ['review_rating', '2026-06-05T09:00', 'met'],
  ['notify', '2026-06-09T09:00', 'met'], ['resolve@phuong-tan-phong', '2026-06-11T15:00', 'open'])]



=== TEST 28: ... the ward handles it again Monday 8/6, within its new time; published again; the reporter rates the new result
--- more_headers eval
[main::h('ward', '2026-06-08T10:00:00+07:00'), main::h('ioc', '2026-06-08T11:00:00+07:00'),
 main::h('r:token-lc25-report-20', '2026-06-09T09:00:00+07:00'), main::h('', '2026-06-09T09:10:00+07:00')]
--- pipelined_requests eval
[main::act('LA-20', action => 'resolve', summary => 'Đã thay nắp hố ga bằng nắp gang chịu lực.'),
 main::act('LA-20', action => 'publish'),
 main::act('LA-20', action => 'rate', rating => 'satisfied'),
 "GET /api/v1/public/reports/LA-20"]
--- error_code eval
[200, 200, 200, 200]
--- response_body_like eval
['"status":"under_review".*' . main::dls(0,
  ['accept@phuong-tan-phong', '2026-06-02T09:00', 'met'], ['review_rating', '2026-06-05T09:00', 'met'],
  ['notify', '2026-06-09T09:00', 'met'], ['resolve@phuong-tan-phong', '2026-06-11T15:00', 'met']),
 '"status":"resolved".*"published":true',
 '"status":"resolved".*"rating":"satisfied"',
 '^\{"id":"LA-20",.*nắp gang chịu lực']



=== TEST 29: Điều 7.6, the lead agency escalates: a report no area holds (Tuesday 2/6 09:00), dispatched by the IOC at 10:00 to the department (lead) and Bình Lư; Bình Lư, not the lead, may not escalate it, nor may a leader (403); the department takes it and escalates it Wednesday 09:00 to the People's Committee: every open step closes
--- more_headers eval
[main::h('', '2026-06-02T09:00:00+07:00') . "\nX-PA-Test-Id: LA-21\nX-PA-Test-Token: token-lc25-report-21",
 main::h('ioc', '2026-06-02T09:30:00+07:00'), main::h('ioc', '2026-06-02T10:00:00+07:00'),
 main::h('city', '2026-06-02T10:30:00+07:00'), main::h('leader', '2026-06-02T10:30:00+07:00'),
 main::h('xd', '2026-06-02T11:00:00+07:00'), main::h('xd', '2026-06-03T09:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Sạt lở taluy đường liên xã, hai đơn vị chưa thống nhất phương án","lat":22.20,"lng":103.20,"reporter_name":"Giàng A Tủa","reporter_phone":"0912348221"}',
 main::act('LA-21', action => 'receive'),
 main::act('LA-21', action => 'dispatch', agencies => ['so-xd', 'xa-binh-lu']),
 main::act('LA-21', action => 'escalate', message => 'Đề nghị UBND tỉnh chỉ đạo.'),
 main::act('LA-21', action => 'escalate', message => 'Đề nghị UBND tỉnh chỉ đạo.'),
 main::act('LA-21', action => 'accept'),
 main::act('LA-21', action => 'escalate', message => 'Sở Xây dựng và UBND xã Bình Lư chưa thống nhất phương án xử lý; báo cáo UBND tỉnh xem xét, phân công.')]
--- error_code eval
[201, 200, 200, 403, 403, 200, 200]
--- response_body_like eval
['^\{"id":"LA-21","status":"submitted",.*"deadlines":\[\{"step":"dispatch","due":"2026-06-03T09:00:00\+07:00"\}\]',
 '"status":"received".*' . main::dls(0, ['dispatch', '2026-06-03T09:00', 'open']),
 '"status":"dispatched".*"agencies":\["so-xd","xa-binh-lu"\],"lead":"so-xd".*' . main::dls(0,
  ['dispatch', '2026-06-03T09:00', 'met'],
  ['accept@so-xd', '2026-06-03T10:00', 'open'], ['accept@xa-binh-lu', '2026-06-03T10:00', 'open'],
  ['resolve@so-xd', '2026-06-09T10:00', 'open'], ['resolve@xa-binh-lu', '2026-06-09T10:00', 'open'],
  ['notify', '2026-06-10T10:00', 'open']),
 '^\{"error":\{"code":"forbidden","message":"your agency may not take this action"\}\}$',
 '^\{"error":\{"code":"forbidden","message":"your role may not take this action"\}\}$',
 '"status":"in_progress"',
 '"status":"escalated".*' . main::dls(0,
  ['dispatch', '2026-06-03T09:00', 'met'],
  ['accept@so-xd', '2026-06-03T10:00', 'met'], ['accept@xa-binh-lu', '2026-06-03T10:00', 'met'],
  ['resolve@so-xd', '2026-06-09T10:00', 'met'], ['resolve@xa-binh-lu', '2026-06-09T10:00', 'met'],
  ['notify', '2026-06-10T10:00', 'met'])]



=== TEST 30: ... the People's Committee's direction comes back Thursday 4/6 09:00 as a dispatch to the department alone: accept by Friday 09:00, handling by Thursday 11/6 09:00, the notice Friday 12/6; Bình Lư reads where it went, and acts on it no more
--- more_headers eval
[main::h('ioc', '2026-06-04T09:00:00+07:00'), main::h('city', '2026-06-04T09:30:00+07:00'),
 main::h('city', '2026-06-04T09:30:00+07:00'), main::h('xd', '2026-06-04T10:00:00+07:00')]
--- pipelined_requests eval
[main::act('LA-21', action => 'dispatch', agencies => ['so-xd'], message => 'Theo chỉ đạo của UBND tỉnh: Sở Xây dựng chủ trì.'),
 "GET /api/v1/reports/LA-21", main::act('LA-21', action => 'accept'), main::act('LA-21', action => 'accept')]
--- error_code eval
[200, 200, 403, 200]
--- response_body_like eval
['"status":"dispatched".*"agencies":\["so-xd"\],"lead":"so-xd".*' . main::dls(0,
  ['dispatch', '2026-06-03T09:00', 'met'], ['accept@xa-binh-lu', '2026-06-03T10:00', 'met'],
  ['accept@so-xd', '2026-06-05T09:00', 'open'], ['resolve@xa-binh-lu', '2026-06-09T10:00', 'met'],
  ['resolve@so-xd', '2026-06-11T09:00', 'open'], ['notify', '2026-06-12T09:00', 'open']),
 '^\{"id":"LA-21","status":"dispatched","former_agency":true,"with":"agency","returns":\[\],"agencies":\["so-xd"\],"updated_at":"2026-06-04T09:00:00\+07:00"\}$',
 '"code":"forbidden"',
 '"status":"in_progress"']



=== TEST 31: a sensitive report is never published: no area holds it (Wednesday 3/6 09:00); the IOC receives it as sensitive and dispatches it to the department, which handles it; publishing it closes it for the reporter alone
--- more_headers eval
[main::h('', '2026-06-03T09:00:00+07:00') . "\nX-PA-Test-Id: LA-22\nX-PA-Test-Token: token-lc25-report-22",
 main::h('ioc', '2026-06-03T09:30:00+07:00'), main::h('ioc', '2026-06-03T10:00:00+07:00'),
 main::h('xd', '2026-06-03T11:00:00+07:00'), main::h('xd', '2026-06-04T09:00:00+07:00'),
 main::h('ioc', '2026-06-04T10:00:00+07:00'), main::h('', '2026-06-04T10:10:00+07:00'),
 main::h('', '2026-06-04T10:10:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Nghi có cán bộ nhận tiền để bỏ qua công trình xây trái phép","lat":22.20,"lng":103.20,"reporter_name":"Lò Thị K","reporter_phone":"0912348222"}',
 main::act('LA-22', action => 'receive', sensitive => JSON::PP::true),
 main::act('LA-22', action => 'dispatch', agencies => ['so-xd']),
 main::act('LA-22', action => 'accept'),
 main::act('LA-22', action => 'resolve', summary => 'Đã kiểm tra, lập biên bản công trình.'),
 main::act('LA-22', action => 'publish'),
 "GET /api/v1/public/reports/LA-22", "GET /api/v1/public/reports"]
--- error_code eval
[201, 200, 200, 200, 200, 200, 404, 200]
--- response_body_like eval
['"id":"LA-22"', '"status":"received".*"sensitive":true',
 '"status":"dispatched".*' . main::dls(0,
  ['dispatch', '2026-06-04T09:00', 'met'], ['accept@so-xd', '2026-06-04T10:00', 'open'],
  ['resolve@so-xd', '2026-06-10T10:00', 'open'], ['notify', '2026-06-11T10:00', 'open']),
 '"status":"in_progress"', '"status":"under_review"',
 '"status":"resolved".*"published":false.*"sensitive":true|"status":"resolved".*"sensitive":true.*"published":false',
 '"code":"not_found"', '^(?!.*LA-22)\{"items":\[\{']
