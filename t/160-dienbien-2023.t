# Điện Biên 2023 (QĐ 663/QĐ-UBND), the shipped profile: only a signed-in
# reporter may report; no separate verification; the IOC's receipt hands
# the report to the commune / ward / district whose area holds its
# position (auto dispatch), 1 working day to take it or return it, 6
# working days of handling and the status notice at the same instant; a
# report's whole life up to the answer to a comment, an overdue path with
# the notice, a commune sending a report on, an agency returning an
# unclear one that the IOC rejects, a position outside every area, no
# supplement deadline (so no automatic rejection), an urgent report (1 hour
# wall-clock), a hidden report still going overdue, every action refused
# for a wrong role (403) or state (409), what the public sees (a name only
# with consent), statistics, deadlines across a make-up working day and
# National Day; then (October) request_info after a return, reopen after
# an unsatisfied rating, escalation by the IOC alone and the direction
# back as a dispatch, a sensitive report never published.  Blocks run in
# order; every sweep sees the whole tenant, so
# the reports follow one another in time and every count is exact.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;

life('dienbien-2023', 't_db23',
     citizen    => ['reporter'],
     ioc        => ['ioc'],
     supervisor => ['supervisor'],
     mthanh     => ['handler', 'phuong-muong-thanh'],
     himlam     => ['handler', 'phuong-dien-bien-phu'],
     commune    => ['handler', 'xa-thanh-yen'],
     city       => ['handler', 'phuong-muong-lay'],
     gtvt       => ['handler', 'so-xd'],
     xd         => ['handler', 'so-nnmt'],
     leader     => ['leader', 'phuong-muong-thanh'],
     coord      => ['coordinator', 'phuong-muong-thanh']);

run_tests();

__DATA__

=== TEST 1: mục 1, only a registered reporter may report: 401 without signing in, 403 with a staff token
--- more_headers eval
[main::h('', '2026-03-02T07:50:00+07:00'), main::h('ioc', '2026-03-02T07:50:00+07:00'),
 main::h('r:token-not-a-login-token-000', '2026-03-02T07:50:00+07:00')]
--- pipelined_requests eval
[("POST /api/v1/reports\n" . '{"content":"Vỉa hè bị vỡ","lat":21.387,"lng":103.017,"reporter_name":"Quàng Văn A","reporter_phone":"0912349001"}') x 3]
--- error_code eval
[401, 403, 401]
--- response_body_like eval
['^\{"error":\{"code":"unauthorized","message":"[^"]+"\}\}$',
 '^\{"error":\{"code":"forbidden","message":"[^"]+"\}\}$',
 '^\{"error":\{"code":"unauthorized","message":"[^"]+"\}\}$']



=== TEST 2: ... signed in, Monday 2/3 09:00 in Mường Thanh ward (mục 3): dispatched at once to the ward
--- more_headers eval
main::h('citizen', '2026-03-02T09:00:00+07:00') . "\nX-PA-Test-Id: DB-1\nX-PA-Test-Token: token-db23-report-1"
--- request
POST /api/v1/reports
{"content":"Vỉa hè bị vỡ trước chợ Mường Thanh","title":"Vỉa hè vỡ","category":"urban-order","lat":21.387,"lng":103.017,"reporter_name":"Quàng Văn A","reporter_phone":"0912349001","publish_identity":true}
--- error_code: 201
--- response_body_like: ^\{"id":"DB-1","status":"dispatched","access_token":"token-db23-report-1","urgent":false,"media":\[\],"deadlines":\[\{"step":"accept","due":"2026-03-03T09:00:00\+07:00","agency":"phuong-muong-thanh"\},



=== TEST 3: dispatched Monday 09:00 by the system: the ward takes it by Tuesday 09:00; handling and the status notice both Tuesday 10/3 09:00 (6 working days)
--- more_headers eval
[main::h('ioc', '2026-03-02T09:00:00+07:00'), main::h('mthanh', '2026-03-02T14:00:00+07:00')]
--- pipelined_requests eval
["GET /api/v1/reports/DB-1", main::act('DB-1', action => 'accept')]
--- error_code eval
[200, 200]
--- response_body_like eval
['"status":"dispatched".*"agencies":\["phuong-muong-thanh"\],"lead":"phuong-muong-thanh","dispatched_at":"2026-03-02T09:00:00\+07:00".*' . main::dls(0,
  ['accept@phuong-muong-thanh', '2026-03-03T09:00', 'open'],
  ['notify', '2026-03-10T09:00', 'open'], ['resolve@phuong-muong-thanh', '2026-03-10T09:00', 'open']),
 '"status":"in_progress".*' . main::dls(0,
  ['accept@phuong-muong-thanh', '2026-03-03T09:00', 'met'],
  ['notify', '2026-03-10T09:00', 'open'], ['resolve@phuong-muong-thanh', '2026-03-10T09:00', 'open'])]



=== TEST 4: a second report, Tuesday 3/3 08:30 in Điện Biên Phủ ward; the ward does not take it by Wednesday 08:30: swept overdue one second later
--- more_headers eval
[main::h('citizen', '2026-03-03T08:30:00+07:00') . "\nX-PA-Test-Id: DB-2\nX-PA-Test-Token: token-db23-report-2",
 main::h('ioc', '2026-03-03T08:30:00+07:00'),
 main::h('', '2026-03-04T08:30:00+07:00'), main::h('', '2026-03-04T08:30:01+07:00'),
 main::h('himlam', '2026-03-04T14:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Đường ống nước vỡ, nước chảy tràn","category":"water","lat":21.405,"lng":103.035,"reporter_name":"Lò Thị B","reporter_phone":"0912349002"}',
 "GET /api/v1/reports/DB-2",
 "POST /api/v1/admin/sweep", "POST /api/v1/admin/sweep",
 main::act('DB-2', action => 'accept')]
--- error_code eval
[201, 200, 200, 200, 200]
--- response_body_like eval
['"id":"DB-2"',
 '"status":"dispatched".*"lead":"phuong-dien-bien-phu".*' . main::dls(0,
  ['accept@phuong-dien-bien-phu', '2026-03-04T08:30', 'open'],
  ['notify', '2026-03-11T08:30', 'open'], ['resolve@phuong-dien-bien-phu', '2026-03-11T08:30', 'open']),
 '^\{"overdue":0,"rejected":0,"notices":0,"unlocked":0,"archived":0\}$',
 '^\{"overdue":1,"rejected":0,"notices":0,"unlocked":0,"archived":0\}$',
 '"status":"in_progress".*' . main::dls(0,
  ['accept@phuong-dien-bien-phu', '2026-03-04T08:30', 'late'],
  ['notify', '2026-03-11T08:30', 'open'], ['resolve@phuong-dien-bien-phu', '2026-03-11T08:30', 'open'])]



=== TEST 5: DB-1 handled Thursday, published (the status notice step closes), rated; a comment opens no deadline here; the ward answers Monday
--- more_headers eval
[main::h('mthanh', '2026-03-05T10:00:00+07:00'), main::h('ioc', '2026-03-05T14:00:00+07:00'),
 main::h('r:token-db23-report-1', '2026-03-06T08:00:00+07:00'),
 main::h('r:token-db23-report-1', '2026-03-06T08:10:00+07:00'),
 main::h('mthanh', '2026-03-09T08:00:00+07:00')]
--- pipelined_requests eval
[main::act('DB-1', action => 'resolve', summary => 'Đã lát lại vỉa hè trước chợ.', salutation => 'Ông'),
 main::act('DB-1', action => 'publish'),
 main::act('DB-1', action => 'rate', rating => 'satisfied'),
 main::act('DB-1', action => 'comment', text => 'Cảm ơn phường, đề nghị kiểm tra cả đoạn phía sau chợ.'),
 main::act('DB-1', action => 'reply', comment_id => 1, text => 'Phường đã giao cán bộ địa chính kiểm tra trong tuần.')]
--- error_code eval
[200, 200, 200, 200, 200]
--- response_body_like eval
['"status":"under_review".*' . main::dls(0,
  ['accept@phuong-muong-thanh', '2026-03-03T09:00', 'met'],
  ['notify', '2026-03-10T09:00', 'open'], ['resolve@phuong-muong-thanh', '2026-03-10T09:00', 'met']),
 '"status":"resolved".*"published":true.*"published_at":"2026-03-05T14:00:00\+07:00".*' . main::dls(0,
  ['accept@phuong-muong-thanh', '2026-03-03T09:00', 'met'],
  ['notify', '2026-03-10T09:00', 'met'], ['resolve@phuong-muong-thanh', '2026-03-10T09:00', 'met']),
 '"status":"resolved".*"rating":"satisfied"',
 '"status":"resolved".*' . main::dls(0,
  ['accept@phuong-muong-thanh', '2026-03-03T09:00', 'met'],
  ['notify', '2026-03-10T09:00', 'met'], ['resolve@phuong-muong-thanh', '2026-03-10T09:00', 'met']),
 '"status":"resolved".*"comments":\[\{' . CORE::join('', map { "(?=[^{}]*$_)" } '"id":1[,}]',
  '"at":"2026-03-06T08:10:00\+07:00"', '"reply":"Phường đã giao[^"]*"',
  '"reply_at":"2026-03-09T08:00:00\+07:00"', '"agency":"phuong-muong-thanh"') . '[^{}]*\}\]']



=== TEST 6: the history holds the whole life in order
--- more_headers eval
main::h('ioc', '2026-03-09T09:00:00+07:00')
--- request
GET /api/v1/reports/DB-1/history
--- error_code: 200
--- response_body_like: ^\[\{[^{}]*"role":"reporter"[^{}]*"action":"submit","from":null,"to":"submitted"[^{}]*\},\{[^{}]*"role":"system","actor":"auto_dispatch","action":"dispatch","from":"submitted","to":"dispatched"[^{}]*\},\{[^{}]*"action":"accept","from":"dispatched","to":"in_progress"[^{}]*\},\{[^{}]*"action":"resolve","from":"in_progress","to":"under_review"[^{}]*\},\{[^{}]*"action":"publish","from":"under_review","to":"resolved"[^{}]*\},\{[^{}]*"action":"rate","from":"resolved","to":"resolved"[^{}]*\},\{[^{}]*"action":"comment","from":"resolved","to":"resolved"[^{}]*\},\{[^{}]*"action":"reply","from":"resolved","to":"resolved"[^{}]*\}\]$



=== TEST 7: DB-2 has no result after 6 working days: at Wednesday 11/3 08:30:01 one sweep marks the handling overdue and sends the status notice (once)
--- more_headers eval
[main::h('', '2026-03-11T08:30:00+07:00'), main::h('', '2026-03-11T08:30:01+07:00'),
 main::h('', '2026-03-12T08:30:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/admin/sweep", "POST /api/v1/admin/sweep", "POST /api/v1/admin/sweep"]
--- error_code eval
[200, 200, 200]
--- response_body eval
['{"overdue":0,"rejected":0,"notices":0,"unlocked":0,"archived":0}
', '{"overdue":1,"rejected":0,"notices":1,"unlocked":0,"archived":0}
', '{"overdue":0,"rejected":0,"notices":0,"unlocked":0,"archived":0}
']



=== TEST 8: ... the reporter reads the notice among their messages; the notify step is met, the handling overdue
--- more_headers eval
main::h('r:token-db23-report-2', '2026-03-12T08:30:00+07:00')
--- request
GET /api/v1/reports/DB-2
--- error_code: 200
--- response_body_like eval
'"status":"in_progress".*' . main::dls(1,
  ['accept@phuong-dien-bien-phu', '2026-03-04T08:30', 'late'],
  ['notify', '2026-03-11T08:30', 'met'], ['resolve@phuong-dien-bien-phu', '2026-03-11T08:30', 'over'])
. ',"messages":\[\{"at":"2026-03-11T08:30:01\+07:00","action":"notify","status":"in_progress","note":"Phản ánh của Ông/Bà vẫn đang được cơ quan chức năng xem xét, xử lý. Kết quả sẽ được thông báo đến Ông/Bà ngay khi có."\}\]\}$'



=== TEST 9: ... the notifiers got a notice event for the ward; handled late, published, rated "unsatisfied": the IOC has a working day to decide (review_rating) and keeps the result; a second decision is 409
--- init
Test::More::like(main::redis('XRANGE', 'pa:{t_db23}:events', '-', '+'),
    qr/^type\nnotice\nid\nDB-2\nstatus\nin_progress\nagency\nphuong-dien-bien-phu\nagencies\n,phuong-dien-bien-phu,\nurgent\n0\nat\n1773192601$/m,
    'notice event');
--- more_headers eval
[main::h('himlam', '2026-03-12T10:00:00+07:00'), main::h('ioc', '2026-03-12T11:00:00+07:00'),
 main::h('r:token-db23-report-2', '2026-03-12T12:00:00+07:00'),
 main::h('ioc', '2026-03-12T16:00:00+07:00'), main::h('ioc', '2026-03-12T16:05:00+07:00')]
--- pipelined_requests eval
[main::act('DB-2', action => 'resolve', summary => 'Đã thay đoạn ống nước bị vỡ.'),
 main::act('DB-2', action => 'publish'),
 main::act('DB-2', action => 'rate', rating => 'unsatisfied'),
 main::act('DB-2', action => 'review_rating', message => 'Đã kiểm tra: đường ống hoạt động bình thường.'),
 main::act('DB-2', action => 'review_rating')]
--- error_code eval
[200, 200, 200, 200, 409]
--- response_body_like eval
['"status":"under_review".*' . main::dls(0,
  ['accept@phuong-dien-bien-phu', '2026-03-04T08:30', 'late'],
  ['notify', '2026-03-11T08:30', 'met'], ['resolve@phuong-dien-bien-phu', '2026-03-11T08:30', 'late']),
 '"status":"resolved"',
 '"rating":"unsatisfied".*' . main::dls(0,
  ['accept@phuong-dien-bien-phu', '2026-03-04T08:30', 'late'],
  ['notify', '2026-03-11T08:30', 'met'], ['resolve@phuong-dien-bien-phu', '2026-03-11T08:30', 'late'],
  ['review_rating', '2026-03-13T11:30', 'open']),
 '"status":"resolved".*\{"step":"review_rating","due":"2026-03-13T11:30:00\+07:00","met":true,"overdue":false\}',
 '"code":"invalid_transition"']



=== TEST 10: a national road in Thanh Yên commune: routed to the commune, which sends it on (not competent) within the hour; the IOC dispatches it to the department by content
--- more_headers eval
[main::h('citizen', '2026-03-12T08:30:00+07:00') . "\nX-PA-Test-Id: DB-3\nX-PA-Test-Token: token-db23-report-3",
 main::h('ioc', '2026-03-12T08:30:00+07:00'), main::h('commune', '2026-03-12T09:00:00+07:00'),
 main::h('ioc', '2026-03-12T09:30:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Quốc lộ 279 sụt lún đoạn qua bản Co Luống","category":"traffic","lat":21.33,"lng":103.0,"reporter_name":"Tòng Văn C","reporter_phone":"0912349003"}',
 "GET /api/v1/reports/DB-3",
 main::act('DB-3', action => 'return', kind => 'not_competent', suggested_agency => 'so-xd', message => 'Quốc lộ do Sở Giao thông vận tải quản lý'),
 main::act('DB-3', action => 'dispatch', agencies => ['so-xd'])]
--- error_code eval
[201, 200, 200, 200]
--- response_body_like eval
['"id":"DB-3"',
 '"status":"dispatched".*"lead":"xa-thanh-yen".*' . main::dls(0,
  ['accept@xa-thanh-yen', '2026-03-13T08:30', 'open'],
  ['notify', '2026-03-20T08:30', 'open'], ['resolve@xa-thanh-yen', '2026-03-20T08:30', 'open']),
 '"status":"received".*"suggested_agencies":\["so-xd"\],"returned_by":"xa-thanh-yen","return_kind":"not_competent".*' . main::dls(0,
  ['accept@xa-thanh-yen', '2026-03-13T08:30', 'met'], ['dispatch', '2026-03-13T09:00', 'open'],
  ['notify', '2026-03-20T08:30', 'met'], ['resolve@xa-thanh-yen', '2026-03-20T08:30', 'met']),
 '"status":"dispatched".*"lead":"so-xd".*' . main::dls(0,
  ['accept@xa-thanh-yen', '2026-03-13T08:30', 'met'], ['dispatch', '2026-03-13T09:00', 'met'], ['accept@so-xd', '2026-03-13T09:30', 'open'],
  ['resolve@xa-thanh-yen', '2026-03-20T08:30', 'met'],
  ['notify', '2026-03-20T09:30', 'open'], ['resolve@so-xd', '2026-03-20T09:30', 'open'])]



=== TEST 11: ... the department takes it and handles it Monday; published
--- more_headers eval
[main::h('gtvt', '2026-03-12T10:00:00+07:00'), main::h('gtvt', '2026-03-16T10:00:00+07:00'),
 main::h('ioc', '2026-03-16T11:00:00+07:00')]
--- pipelined_requests eval
[main::act('DB-3', action => 'accept'),
 main::act('DB-3', action => 'resolve', summary => 'Đã gia cố nền đường, cắm biển cảnh báo.'),
 main::act('DB-3', action => 'publish')]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"status":"in_progress"', '"status":"under_review"',
 '"status":"resolved".*\{"step":"notify","due":"2026-03-20T09:30:00\+07:00","met":true,"overdue":false\},\{"step":"resolve","due":"2026-03-20T09:30:00\+07:00","agency":"so-xd","met":true,"overdue":false\}\],"overdue":false']



=== TEST 12: mục 4, an unclear report: the city returns it within its working day asking for information; back with the IOC, which refuses it (reject from received) with a reason the reporter reads beside the city's
--- more_headers eval
[main::h('citizen', '2026-03-13T08:15:00+07:00') . "\nX-PA-Test-Id: DB-4\nX-PA-Test-Token: token-db23-report-4",
 main::h('ioc', '2026-03-13T08:15:00+07:00'), main::h('city', '2026-03-13T10:00:00+07:00'),
 main::h('ioc', '2026-03-13T10:30:00+07:00'), main::h('r:token-db23-report-4', '2026-03-13T11:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Chỗ này có vấn đề","lat":22.05,"lng":103.15,"reporter_name":"Vừ A D","reporter_phone":"0912349004"}',
 "GET /api/v1/reports/DB-4",
 main::act('DB-4', action => 'return', kind => 'needs_info', message => 'Nội dung chưa rõ sự việc, địa điểm.'),
 main::act('DB-4', action => 'reject', reason => 'unclear_or_test', message => 'Nội dung chưa rõ: đề nghị gửi lại phản ánh nêu rõ sự việc, địa điểm và kèm ảnh.'),
 "GET /api/v1/reports/DB-4"]
--- error_code eval
[201, 200, 200, 200, 200]
--- response_body_like eval
['"id":"DB-4"',
 '"status":"dispatched".*"lead":"phuong-muong-lay".*' . main::dls(0,
  ['accept@phuong-muong-lay', '2026-03-16T08:15', 'open'],
  ['notify', '2026-03-23T08:15', 'open'], ['resolve@phuong-muong-lay', '2026-03-23T08:15', 'open']),
 '"status":"received".*"returned_by":"phuong-muong-lay","return_kind":"needs_info".*' . main::dls(0,
  ['accept@phuong-muong-lay', '2026-03-16T08:15', 'met'], ['dispatch', '2026-03-16T10:00', 'open'],
  ['notify', '2026-03-23T08:15', 'met'], ['resolve@phuong-muong-lay', '2026-03-23T08:15', 'met']),
 '"status":"rejected".*"reject_reason":"unclear_or_test"',
 '"status":"rejected".*' . main::dls(0,
  ['accept@phuong-muong-lay', '2026-03-16T08:15', 'met'], ['dispatch', '2026-03-16T10:00', 'met'],
  ['notify', '2026-03-23T08:15', 'met'], ['resolve@phuong-muong-lay', '2026-03-23T08:15', 'met'])
 . ',"messages":\[\{"at":"2026-03-13T10:00:00\+07:00","action":"return","status":"received","note":"Nội dung chưa rõ sự việc, địa điểm.","return_kind":"needs_info"\},\{"at":"2026-03-13T10:30:00\+07:00","action":"reject","status":"rejected","note":"Nội dung chưa rõ: đề nghị gửi lại[^"]*"[^{}]*\}\]\}$']



=== TEST 13: a position outside every area, Friday 13/3 14:00, waits for the IOC (dispatch within a working day of the submission); the IOC asks the reporter to confirm it; no supplement deadline opens (QĐ 663 sets none)
--- more_headers eval
[main::h('citizen', '2026-03-13T14:00:00+07:00') . "\nX-PA-Test-Id: DB-5\nX-PA-Test-Token: token-db23-report-5",
 main::h('ioc', '2026-03-13T14:30:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Xe tải đổ trộm phế thải xây dựng cạnh cầu","category":"environment","lat":21.50,"lng":103.30,"reporter_name":"Cà Văn E","reporter_phone":"0912349005"}',
 main::act('DB-5', action => 'request_info', message => 'Đề nghị xác nhận vị trí: toạ độ gửi kèm nằm ngoài tỉnh Điện Biên.')]
--- error_code eval
[201, 200]
--- response_body_like eval
['^\{"id":"DB-5","status":"submitted",.*"deadlines":\[\{"step":"dispatch","due":"2026-03-16T14:00:00\+07:00"\}\]',
 '"status":"needs_info".*' . main::dls(0, ['dispatch', '2026-03-16T14:00', 'met'])]



=== TEST 14: urgent by its category (accident), Saturday 14/3 21:10 in the city: taken and handled within one wall-clock hour of the submission
--- more_headers eval
[main::h('citizen', '2026-03-14T21:10:00+07:00') . "\nX-PA-Test-Id: DB-6\nX-PA-Test-Token: token-db23-report-6",
 main::h('ioc', '2026-03-14T21:10:00+07:00'), main::h('city', '2026-03-14T21:20:00+07:00'),
 main::h('city', '2026-03-14T22:00:00+07:00'), main::h('ioc', '2026-03-14T22:05:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Tai nạn giao thông, xe máy va chạm ô tô tại ngã tư","category":"accident","lat":22.05,"lng":103.15,"reporter_name":"Lường Văn G","reporter_phone":"0912349006"}',
 "GET /api/v1/reports/DB-6", main::act('DB-6', action => 'accept'),
 main::act('DB-6', action => 'resolve', summary => 'Đã phối hợp cấp cứu người bị nạn, phân luồng giao thông.'),
 main::act('DB-6', action => 'publish')]
--- error_code eval
[201, 200, 200, 200, 200]
--- response_body_like eval
['"status":"dispatched","access_token":"token-db23-report-6","urgent":true,',
 '"status":"dispatched".*"urgent":true.*"lead":"phuong-muong-lay".*' . main::dls(0,
  ['accept@phuong-muong-lay', '2026-03-14T22:10', 'open'], ['resolve@phuong-muong-lay', '2026-03-14T22:10', 'open'],
  ['notify', '2026-03-23T17:00', 'open']),
 '"status":"in_progress"', '"status":"under_review"',
 '"status":"resolved".*' . main::dls(0,
  ['accept@phuong-muong-lay', '2026-03-14T22:10', 'met'], ['resolve@phuong-muong-lay', '2026-03-14T22:10', 'met'],
  ['notify', '2026-03-23T17:00', 'met'])]



=== TEST 15: two working days after the request the sweeper rejects nothing; the reporter confirms: waiting for a dispatch again, a working day from now; the IOC receives it (no area holds it: a plain receipt) and dispatches it by hand
--- more_headers eval
[main::h('', '2026-03-17T14:30:01+07:00'), main::h('r:token-db23-report-5', '2026-03-17T14:45:00+07:00'),
 main::h('r:token-db23-report-5', '2026-03-17T15:00:00+07:00'), main::h('ioc', '2026-03-17T15:30:00+07:00'),
 main::h('ioc', '2026-03-17T15:40:00+07:00'), main::h('xd', '2026-03-18T08:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/admin/sweep", "GET /api/v1/reports/DB-5",
 main::act('DB-5', action => 'supplement', content => 'Vị trí đúng là bãi đất trống cạnh cầu Mường Thanh.'),
 main::act('DB-5', action => 'receive'),
 main::act('DB-5', action => 'dispatch', agencies => ['so-nnmt']),
 main::act('DB-5', action => 'accept')]
--- error_code eval
[200, 200, 200, 200, 200, 200]
--- response_body_like eval
['^\{"overdue":0,"rejected":0,"notices":0,"unlocked":0,"archived":0\}$',
 '"status":"needs_info".*"overdue":false,"messages":\[\{"at":"2026-03-13T14:30:00\+07:00","action":"request_info","status":"needs_info","note":"Đề nghị xác nhận vị trí[^"]*"\}\]\}$',
 '"status":"submitted".*' . main::dls(0, ['dispatch', '2026-03-18T15:00', 'open']),
 '"status":"received".*' . main::dls(0, ['dispatch', '2026-03-18T15:00', 'open']),
 '"status":"dispatched".*"lead":"so-nnmt".*' . main::dls(0,
  ['dispatch', '2026-03-18T15:00', 'met'], ['accept@so-nnmt', '2026-03-18T15:40', 'open'],
  ['notify', '2026-03-25T15:40', 'open'], ['resolve@so-nnmt', '2026-03-25T15:40', 'open']),
 '"status":"in_progress"']



=== TEST 16: a hidden report keeps its clock: submitted Wednesday 09:10, hidden by the ward itself (mục 6: the agency may hide), its accept step goes overdue Thursday 09:10:01
--- more_headers eval
[main::h('citizen', '2026-03-18T09:10:00+07:00') . "\nX-PA-Test-Id: DB-7\nX-PA-Test-Token: token-db23-report-7",
 main::h('ioc', '2026-03-18T09:10:00+07:00'), main::h('mthanh', '2026-03-18T09:30:00+07:00'),
 main::h('', '2026-03-19T09:10:00+07:00'), main::h('', '2026-03-19T09:10:01+07:00'),
 main::h('ioc', '2026-03-19T09:30:00+07:00'), main::h('mthanh', '2026-03-19T09:30:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Lời lẽ thô tục kèm ảnh hàng quán lấn chiếm lòng đường","category":"urban-order","lat":21.385,"lng":103.02,"reporter_name":"Mùa A H","reporter_phone":"0912349007"}',
 "GET /api/v1/reports/DB-7",
 main::act('DB-7', action => 'hide', reason => 'Ngôn từ thô tục (mục 6)'),
 "POST /api/v1/admin/sweep", "POST /api/v1/admin/sweep",
 "GET /api/v1/reports/DB-7", "GET /api/v1/queue?overdue=1"]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"id":"DB-7"',
 '"status":"dispatched".*"lead":"phuong-muong-thanh"',
 '"status":"dispatched".*"hidden":true',
 '^\{"overdue":0,"rejected":0,"notices":0,"unlocked":0,"archived":0\}$',
 '^\{"overdue":1,"rejected":0,"notices":0,"unlocked":0,"archived":0\}$',
 '"status":"dispatched".*"hidden":true.*' . main::dls(1,
  ['accept@phuong-muong-thanh', '2026-03-19T09:10', 'over'],
  ['notify', '2026-03-26T09:10', 'open'], ['resolve@phuong-muong-thanh', '2026-03-26T09:10', 'open']),
 '"id":"DB-7"']



=== TEST 17: the public sees published reports only, no phone or e-mail; DB-1's reporter allowed the name, so it is on the template and in the view
--- more_headers eval
[main::h('', '2026-03-19T10:00:00+07:00'), main::h('', '2026-03-19T10:00:00+07:00'),
 main::h('', '2026-03-19T10:00:00+07:00')]
--- pipelined_requests eval
["GET /api/v1/public/reports/DB-1", "GET /api/v1/public/reports/DB-2", "GET /api/v1/public/reports"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['^\{"id":"DB-1","status":"resolved",.*"published":true,.*"rendered":"UBND phường Mường Thanh\\\\nKính chào: Ông Quàng Văn A\\\\nSau khi nhận được phản ánh của Ông Quàng Văn A, UBND phường Mường Thanh đã tiến hành kiểm tra, xử lý và thông báo kết quả như sau:\\\\nĐã lát lại vỉa hè trước chợ\.\\\\n.*"rating":"satisfied".*"reporter_name":"Quàng Văn A"',
 '^\{"id":"DB-2","status":"resolved",.*"rendered":"UBND phường Điện Biên Phủ\\\\nKính chào: Ông/Bà\\\\n.*"rating":"unsatisfied"',
 '^\{"items":\[\{"id":"DB-3",[^\n]*\},\{"id":"DB-6",[^\n]*\},\{"id":"DB-2",[^\n]*\},\{"id":"DB-1",[^\n]*\}\],"total":4\}$']
--- response_body_unlike eval
['912349001|reporter_phone|phone_hash|token_hash|content_original|deadlines|"agencies"|auto_agency|"hidden"|"messages"',
 'Lò Thị|912349002|reporter_name|reporter_phone|phone_hash|token_hash|content_original|deadlines|auto_agency|"hidden"|"messages"',
 'Lò Thị|Tòng Văn|Lường Văn|9123490|phone_hash|token_hash|content_original|deadlines|auto_agency|DB-4|DB-5|DB-7']



=== TEST 18: ... the report returned to the IOC, the one being handled, the hidden one and an unknown id are all 404
--- more_headers eval
[map { main::h('', '2026-03-19T10:00:00+07:00') } 1 .. 4]
--- pipelined_requests eval
["GET /api/v1/public/reports/DB-4", "GET /api/v1/public/reports/DB-5",
 "GET /api/v1/public/reports/DB-7", "GET /api/v1/public/reports/DB-99"]
--- error_code eval
[404, 404, 404, 404]
--- response_body_like eval
[('^\{"error":\{"code":"not_found","message":"[^"]+"\}\}$') x 4]



=== TEST 19: every action by a role that may not take it: 403 forbidden (a supervisor only reads)
--- more_headers eval
my @a = qw(verify request_info supplement reject cancel receive dispatch
           coordinate identify accept return extend resolve approve send_back
           confirm publish review_return hide unhide forward_monitoring
           escalate rate comment reply flag_comment);
[map { main::h('supervisor', '2026-03-19T10:30:00+07:00') } @a]
--- pipelined_requests eval
my @a = qw(verify request_info supplement reject cancel receive dispatch
           coordinate identify accept return extend resolve approve send_back
           confirm publish review_return hide unhide forward_monitoring
           escalate rate comment reply flag_comment);
[map { main::act('DB-1', action => $_) } @a]
--- error_code eval
[(403) x 26]
--- response_body eval
[("{\"error\":{\"code\":\"forbidden\",\"message\":\"your role may not take this action\"}}\n") x 26]



=== TEST 20: ... the IOC may not take the reporter's or the agencies' actions; a handler not the IOC's (but hide, mục 6), a leader not the handler's; a reporter, signed in or with the access token, none of the staff's
--- more_headers eval
[(map { main::h('ioc', '2026-03-19T10:30:00+07:00') } 1 .. 13),
 (map { main::h('mthanh', '2026-03-19T10:30:00+07:00') } 1 .. 13),
 (map { main::h('leader', '2026-03-19T10:30:00+07:00') } 1 .. 3),
 (map { main::h('r:token-db23-report-1', '2026-03-19T10:30:00+07:00') } 1 .. 8),
 (map { main::h('citizen', '2026-03-19T10:30:00+07:00') } 1 .. 8)]
--- pipelined_requests eval
[(map { main::act('DB-1', action => $_) } qw(supplement cancel rate comment
     accept return extend resolve reply approve send_back identify confirm)),
 (map { main::act('DB-1', action => $_) } qw(verify request_info reject receive
     dispatch coordinate publish review_return forward_monitoring
     escalate flag_comment approve send_back)),
 (map { main::act('DB-1', action => $_) } qw(accept resolve reply)),
 (map { main::act('DB-1', action => $_) } qw(verify receive dispatch accept
     resolve publish reply hide)),
 (map { main::act('DB-1', action => $_) } qw(verify receive dispatch accept
     resolve publish reply hide))]
--- error_code eval
[(403) x 45]
--- response_body_like eval
[('^\{"error":\{"code":"forbidden","message":"[^"]+"\}\}$') x 45]



=== TEST 21: signing in gives no access to another's report: without its access token a reporter's own actions find nothing (404)
--- more_headers eval
[map { main::h('citizen', '2026-03-19T10:30:00+07:00') } 1 .. 3]
--- pipelined_requests eval
[main::act('DB-2', action => 'comment', text => 'Tôi cũng thấy vậy'),
 main::act('DB-8', action => 'cancel'), "GET /api/v1/reports/DB-2"]
--- error_code eval
[404, 404, 404]
--- response_body_like eval
[('"code":"not_found"') x 3]



=== TEST 22: a new report, dispatched at submission: what needs another state is 409 invalid_transition; the dispatched DB-7 cannot be received, dispatched, sent for information, rejected or published
--- more_headers eval
[main::h('citizen', '2026-03-19T11:00:00+07:00') . "\nX-PA-Test-Id: DB-8\nX-PA-Test-Token: token-db23-report-8",
 (map { main::h('ioc', '2026-03-19T11:10:00+07:00') } 1 .. 5),
 (map { main::h('r:token-db23-report-8', '2026-03-19T11:10:00+07:00') } 1 .. 3),
 (map { main::h('ioc', '2026-03-19T11:10:00+07:00') } 1 .. 5)]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Đèn chiếu sáng ngõ 5 không sáng","category":"lighting","lat":21.405,"lng":103.035,"reporter_name":"Giàng Thị K","reporter_phone":"0912349008"}',
 main::act('DB-8', action => 'dispatch', agencies => ['so-nnmt']),
 main::act('DB-8', action => 'coordinate', coordinator => 'so-nnmt'),
 main::act('DB-8', action => 'publish'),
 main::act('DB-8', action => 'review_return', message => 'Thiếu ảnh'),
 main::act('DB-8', action => 'forward_monitoring', message => 'Theo dõi'),
 main::act('DB-8', action => 'supplement', content => 'Bổ sung'),
 main::act('DB-8', action => 'rate', rating => 'satisfied'),
 main::act('DB-8', action => 'comment', text => 'Cảm ơn'),
 main::act('DB-7', action => 'receive'),
 main::act('DB-7', action => 'dispatch', agencies => ['so-nnmt']),
 main::act('DB-7', action => 'request_info', message => 'Thêm ảnh'),
 main::act('DB-7', action => 'reject', reason => 'other'),
 main::act('DB-7', action => 'publish')]
--- error_code eval
[201, (409) x 13]
--- response_body_like eval
['"status":"dispatched"', ('^\{"error":\{"code":"invalid_transition","message":"[^"]+"\}\}$') x 13]



=== TEST 23: ... and on the resolved DB-1: 409 for every role's action that does not fit any more
--- more_headers eval
[(map { main::h('mthanh', '2026-03-19T11:30:00+07:00') } 1 .. 4),
 (map { main::h('leader', '2026-03-19T11:30:00+07:00') } 1 .. 2),
 (map { main::h('coord', '2026-03-19T11:30:00+07:00') } 1 .. 2),
 (map { main::h('ioc', '2026-03-19T11:30:00+07:00') } 1 .. 9),
 (map { main::h('r:token-db23-report-1', '2026-03-19T11:30:00+07:00') } 1 .. 3)]
--- pipelined_requests eval
[main::act('DB-1', action => 'accept'),
 main::act('DB-1', action => 'return', kind => 'not_competent', message => 'Không thuộc thẩm quyền'),
 main::act('DB-1', action => 'extend', reason => 'Chờ vật tư', days => 2),
 main::act('DB-1', action => 'resolve', summary => 'Lại xong'),
 main::act('DB-1', action => 'approve'),
 main::act('DB-1', action => 'send_back', message => 'Làm lại'),
 main::act('DB-1', action => 'identify', agencies => ['so-nnmt']),
 main::act('DB-1', action => 'confirm', agree => JSON::PP::true),
 main::act('DB-1', action => 'verify'),
 main::act('DB-1', action => 'request_info', message => 'Thêm ảnh'),
 main::act('DB-1', action => 'reject', reason => 'other'),
 main::act('DB-1', action => 'receive'),
 main::act('DB-1', action => 'dispatch', agencies => ['so-nnmt']),
 main::act('DB-1', action => 'coordinate', coordinator => 'so-nnmt'),
 main::act('DB-1', action => 'publish'),
 main::act('DB-1', action => 'forward_monitoring', message => 'Theo dõi'),
 main::act('DB-1', action => 'escalate', message => 'Báo cáo UBND tỉnh'),
 main::act('DB-1', action => 'cancel'),
 main::act('DB-1', action => 'supplement', content => 'Bổ sung'),
 main::act('DB-1', action => 'rate', rating => 'acceptable')]
--- error_code eval
[(409) x 20]
--- response_body_like eval
[('^\{"error":\{"code":"invalid_transition","message":"[^"]+"\}\}$') x 20]



=== TEST 24: an agency sees only what was dispatched to it (404 otherwise); none of the refusals changed DB-1
--- more_headers eval
[main::h('himlam', '2026-03-19T12:00:00+07:00'), main::h('himlam', '2026-03-19T12:00:00+07:00'),
 main::h('mthanh', '2026-03-19T12:00:00+07:00'), main::h('ioc', '2026-03-19T12:00:00+07:00')]
--- pipelined_requests eval
[main::act('DB-7', action => 'accept'), "GET /api/v1/reports/DB-7",
 "GET /api/v1/reports/DB-2", "GET /api/v1/reports/DB-1"]
--- error_code eval
[404, 404, 404, 200]
--- response_body_like eval
['"code":"not_found"', '"code":"not_found"', '"code":"not_found"',
 '"status":"resolved",.*"updated_at":"2026-03-09T08:00:00\+07:00",.*"rating":"satisfied"']



=== TEST 25: statistics of March, from the deadlines' records: reports per agency, once
phuong-dien-bien-phu: DB-2 handled late ("overdue"), "unsatisfied" (0.0, but
under the 10 ratings of pa_stats_min_ratings: no low_satisfaction flag),
and DB-8, dispatched at its submission, in hand;
phuong-muong-thanh: DB-1 on time, "satisfied", and the hidden DB-7 in hand,
overdue (the sweep saw its accept deadline pass); so-xd: DB-3; so-nnmt:
DB-5 in hand; phuong-muong-lay: the urgent DB-6 on time, DB-4 returned
(not handling: neither way); xa-thanh-yen: DB-3 sent on (neither way).
--- more_headers eval
main::h('supervisor', '2026-03-19T12:00:00+07:00')
--- request
GET /api/v1/stats?from=2026-03-01&to=2026-03-31
--- error_code: 200
--- response_body
{"from":"2026-03-01","to":"2026-03-31","min_ratings":10,"agencies":[{"agency":"phuong-dien-bien-phu","name":"UBND phường Điện Biên Phủ","dispatched":2,"resolved":1,"on_time":0,"overdue":1,"extension_missed":0,"in_progress":1,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":1},"satisfaction_rate":0.0,"flags":["overdue"],"overdue_reports":["DB-2"]},{"agency":"phuong-muong-lay","name":"UBND phường Mường Lay","dispatched":2,"resolved":1,"on_time":1,"overdue":0,"extension_missed":0,"in_progress":0,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":[],"overdue_reports":[]},{"agency":"phuong-muong-thanh","name":"UBND phường Mường Thanh","dispatched":2,"resolved":1,"on_time":1,"overdue":1,"extension_missed":0,"in_progress":1,"ratings":{"satisfied":1,"acceptable":0,"unsatisfied":0},"satisfaction_rate":1.0,"flags":["overdue"],"overdue_reports":["DB-7"]},{"agency":"so-nnmt","name":"Sở Nông nghiệp và Môi trường tỉnh Điện Biên","dispatched":1,"resolved":0,"on_time":0,"overdue":0,"extension_missed":0,"in_progress":1,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":[],"overdue_reports":[]},{"agency":"so-xd","name":"Sở Xây dựng tỉnh Điện Biên","dispatched":1,"resolved":1,"on_time":1,"overdue":0,"extension_missed":0,"in_progress":0,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":[],"overdue_reports":[]},{"agency":"xa-thanh-yen","name":"UBND xã Thanh Yên","dispatched":1,"resolved":0,"on_time":0,"overdue":0,"extension_missed":0,"in_progress":0,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":[],"overdue_reports":[]}]}



=== TEST 26: the working calendar: submitted Friday 21/8 15:00: taken by Saturday 22/8 15:00, a make-up working day, handled by Friday 28/8; submitted Friday 28/8 10:00, before National Day (31/8, 1/9, 2/9 off): taken by Thursday 3/9 10:00, handled and the notice by Thursday 10/9 10:00
--- more_headers eval
[main::h('citizen', '2026-08-21T15:00:00+07:00') . "\nX-PA-Test-Id: DB-9\nX-PA-Test-Token: token-db23-report-9",
 main::h('ioc', '2026-08-21T15:00:00+07:00'),
 main::h('citizen', '2026-08-28T10:00:00+07:00') . "\nX-PA-Test-Id: DB-10\nX-PA-Test-Token: token-db23-report-10",
 main::h('ioc', '2026-08-28T10:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Cây đổ chắn vỉa hè","category":"urban-order","lat":21.387,"lng":103.017,"reporter_name":"Lò Văn L","reporter_phone":"0912349009"}',
 "GET /api/v1/reports/DB-9",
 "POST /api/v1/reports\n" . '{"content":"Nắp hố ga bị vỡ","category":"water","lat":21.405,"lng":103.035,"reporter_name":"Quàng Thị M","reporter_phone":"0912349010"}',
 "GET /api/v1/reports/DB-10"]
--- error_code eval
[201, 200, 201, 200]
--- response_body_like eval
['"id":"DB-9"',
 '"status":"dispatched".*' . main::dls(0,
  ['accept@phuong-muong-thanh', '2026-08-22T15:00', 'open'],
  ['notify', '2026-08-28T15:00', 'open'], ['resolve@phuong-muong-thanh', '2026-08-28T15:00', 'open']),
 '"id":"DB-10"',
 '"status":"dispatched".*' . main::dls(0,
  ['accept@phuong-dien-bien-phu', '2026-09-03T10:00', 'open'],
  ['notify', '2026-09-10T10:00', 'open'], ['resolve@phuong-dien-bien-phu', '2026-09-10T10:00', 'open'])]



=== TEST 27: request_info after a return: Monday 5/10 09:00 in Mường Lay, the ward returns it at 10:00 as unclear; the IOC asks the reporter (no supplement deadline here); the ward reads that it is with the reporter, and its own words
--- more_headers eval
[main::h('citizen', '2026-10-05T09:00:00+07:00') . "\nX-PA-Test-Id: DB-20\nX-PA-Test-Token: token-db23-report-20",
 main::h('city', '2026-10-05T10:00:00+07:00'), main::h('ioc', '2026-10-05T10:30:00+07:00'),
 main::h('city', '2026-10-05T11:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Nước chảy tràn trên đường","lat":22.05,"lng":103.15,"reporter_name":"Lò Văn H","reporter_phone":"0912349220"}',
 main::act('DB-20', action => 'return', kind => 'needs_info', message => 'Không rõ đoạn đường nào.'),
 main::act('DB-20', action => 'request_info', message => 'Đề nghị cho biết tên đường hoặc số nhà gần nhất.'),
 "GET /api/v1/reports/DB-20"]
--- error_code eval
[201, 200, 200, 200]
--- response_body_like eval
['^\{"id":"DB-20","status":"dispatched",.*"agencies":\["phuong-muong-lay"\]',
 '"status":"received".*' . main::dls(0,
  ['accept@phuong-muong-lay', '2026-10-06T09:00', 'met'], ['dispatch', '2026-10-06T10:00', 'open'],
  ['notify', '2026-10-13T09:00', 'met'], ['resolve@phuong-muong-lay', '2026-10-13T09:00', 'met']),
 '"status":"needs_info".*' . main::dls(0,
  ['accept@phuong-muong-lay', '2026-10-06T09:00', 'met'], ['dispatch', '2026-10-06T10:00', 'met'],
  ['notify', '2026-10-13T09:00', 'met'], ['resolve@phuong-muong-lay', '2026-10-13T09:00', 'met']),
 '^\{"id":"DB-20","status":"needs_info","former_agency":true,"with":"reporter","returns":\[\{"at":"2026-10-05T10:00:00\+07:00","kind":"needs_info","message":"Không rõ đoạn đường nào."\}\],"updated_at":"2026-10-05T10:30:00\+07:00"\}$']



=== TEST 28: ... the reporter answers Tuesday 09:00: back with the IOC, a working day to dispatch (Wednesday 09:00); dispatched at 10:00 to the ward again: accept Wednesday 10:00, handling and the notice Wednesday 14/10 10:00
--- more_headers eval
[main::h('r:token-db23-report-20', '2026-10-06T09:00:00+07:00'), main::h('ioc', '2026-10-06T10:00:00+07:00')]
--- pipelined_requests eval
[main::act('DB-20', action => 'supplement', content => 'Đường Lê Duẩn, trước số nhà 25.'),
 main::act('DB-20', action => 'dispatch', agencies => ['phuong-muong-lay'])]
--- error_code eval
[200, 200]
--- response_body_like eval
['"status":"received".*' . main::dls(0,
  ['accept@phuong-muong-lay', '2026-10-06T09:00', 'met'], ['dispatch', '2026-10-07T09:00', 'open'],
  ['notify', '2026-10-13T09:00', 'met'], ['resolve@phuong-muong-lay', '2026-10-13T09:00', 'met']),
 '"status":"dispatched".*' . main::dls(0,
  ['dispatch', '2026-10-07T09:00', 'met'], ['accept@phuong-muong-lay', '2026-10-07T10:00', 'open'],
  ['notify', '2026-10-14T10:00', 'open'], ['resolve@phuong-muong-lay', '2026-10-14T10:00', 'open'])]



=== TEST 29: reopen after an unsatisfied rating: handled Thursday 8/10, published; rated "unsatisfied" Friday 09:00 (the IOC decides by Monday 09:00); reopened Friday 14:00 to the ward: 6 working days from then, Monday 19/10 14:00
--- more_headers eval
[main::h('city', '2026-10-06T11:00:00+07:00'), main::h('city', '2026-10-08T09:00:00+07:00'),
 main::h('ioc', '2026-10-08T10:00:00+07:00'), main::h('r:token-db23-report-20', '2026-10-09T09:00:00+07:00'),
 main::h('ioc', '2026-10-09T14:00:00+07:00')]
--- pipelined_requests eval
[main::act('DB-20', action => 'accept'),
 main::act('DB-20', action => 'resolve', summary => 'Đã khơi thông rãnh thoát nước trước số nhà 25.'),
 main::act('DB-20', action => 'publish'),
 main::act('DB-20', action => 'rate', rating => 'unsatisfied'),
 main::act('DB-20', action => 'reopen', message => 'Người dân phản hồi nước vẫn tràn khi mưa.')]
--- error_code eval
[200, 200, 200, 200, 200]
--- response_body_like eval
['"status":"in_progress"', '"status":"under_review"', '"status":"resolved".*"published":true',
 '"status":"resolved".*' . main::dls(0,
  ['dispatch', '2026-10-07T09:00', 'met'], ['accept@phuong-muong-lay', '2026-10-07T10:00', 'met'],
  ['review_rating', '2026-10-12T09:00', 'open'],
  ['notify', '2026-10-14T10:00', 'met'], ['resolve@phuong-muong-lay', '2026-10-14T10:00', 'met']),
 '"status":"in_progress".*"published":false.*' . main::dls(0,
  ['dispatch', '2026-10-07T09:00', 'met'], ['accept@phuong-muong-lay', '2026-10-07T10:00', 'met'],
  ['review_rating', '2026-10-12T09:00', 'met'],
  ['notify', '2026-10-14T10:00', 'met'], ['resolve@phuong-muong-lay', '2026-10-19T14:00', 'open'])]



=== TEST 30: escalate -> dispatch: QĐ 663 lets only the IOC escalate (the ward's try is 403); Monday 12/10 09:00 in Mường Thanh, escalated by the IOC at 10:00 (every open step closes); the direction comes back Tuesday 09:00 as a dispatch to the department: accept Wednesday 09:00, handling and the notice Wednesday 21/10 09:00; the ward reads where it went
--- more_headers eval
[main::h('citizen', '2026-10-12T09:00:00+07:00') . "\nX-PA-Test-Id: DB-21\nX-PA-Test-Token: token-db23-report-21",
 main::h('mthanh', '2026-10-12T09:30:00+07:00'), main::h('ioc', '2026-10-12T10:00:00+07:00'),
 main::h('ioc', '2026-10-13T09:00:00+07:00'), main::h('mthanh', '2026-10-13T09:30:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Cầu treo bản xuống cấp, hai đơn vị chưa thống nhất trách nhiệm","lat":21.387,"lng":103.017,"reporter_name":"Quàng Thị I","reporter_phone":"0912349221"}',
 main::act('DB-21', action => 'escalate', message => 'Đề nghị UBND tỉnh chỉ đạo.'),
 main::act('DB-21', action => 'escalate', message => 'Chưa xác định được cơ quan quản lý cầu; báo cáo UBND tỉnh.'),
 main::act('DB-21', action => 'dispatch', agencies => ['so-xd'], message => 'Theo chỉ đạo của UBND tỉnh.'),
 "GET /api/v1/reports/DB-21"]
--- error_code eval
[201, 403, 200, 200, 200]
--- response_body_like eval
['^\{"id":"DB-21","status":"dispatched",.*"agencies":\["phuong-muong-thanh"\]',
 '^\{"error":\{"code":"forbidden","message":"your role may not take this action"\}\}$',
 '"status":"escalated".*' . main::dls(0,
  ['accept@phuong-muong-thanh', '2026-10-13T09:00', 'met'],
  ['notify', '2026-10-20T09:00', 'met'], ['resolve@phuong-muong-thanh', '2026-10-20T09:00', 'met']),
 '"status":"dispatched".*"agencies":\["so-xd"\],"lead":"so-xd".*' . main::dls(0,
  ['accept@phuong-muong-thanh', '2026-10-13T09:00', 'met'], ['accept@so-xd', '2026-10-14T09:00', 'open'],
  ['resolve@phuong-muong-thanh', '2026-10-20T09:00', 'met'],
  ['notify', '2026-10-21T09:00', 'open'], ['resolve@so-xd', '2026-10-21T09:00', 'open']),
 '^\{"id":"DB-21","status":"dispatched","former_agency":true,"with":"agency","returns":\[\],"agencies":\["so-xd"\],"updated_at":"2026-10-13T09:00:00\+07:00"\}$']



=== TEST 31: a sensitive report is never published: no area holds it (Monday 19/10 09:00); received as sensitive, dispatched, handled, "published": for the reporter alone
--- more_headers eval
[main::h('citizen', '2026-10-19T09:00:00+07:00') . "\nX-PA-Test-Id: DB-22\nX-PA-Test-Token: token-db23-report-22",
 main::h('ioc', '2026-10-19T09:30:00+07:00'), main::h('ioc', '2026-10-19T10:00:00+07:00'),
 main::h('xd', '2026-10-19T11:00:00+07:00'), main::h('xd', '2026-10-20T09:00:00+07:00'),
 main::h('ioc', '2026-10-20T10:00:00+07:00'), main::h('', '2026-10-20T10:10:00+07:00'),
 main::h('', '2026-10-20T10:10:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Phản ánh việc khai thác khoáng sản trái phép có người bảo kê","lat":21.50,"lng":103.30,"reporter_name":"Cà Thị L","reporter_phone":"0912349222"}',
 main::act('DB-22', action => 'receive', sensitive => JSON::PP::true),
 main::act('DB-22', action => 'dispatch', agencies => ['so-nnmt']),
 main::act('DB-22', action => 'accept'),
 main::act('DB-22', action => 'resolve', summary => 'Đã phối hợp kiểm tra, xử lý vi phạm.'),
 main::act('DB-22', action => 'publish'),
 "GET /api/v1/public/reports/DB-22", "GET /api/v1/public/reports"]
--- error_code eval
[201, 200, 200, 200, 200, 200, 404, 200]
--- response_body_like eval
['^\{"id":"DB-22","status":"submitted",.*"deadlines":\[\{"step":"dispatch","due":"2026-10-20T09:00:00\+07:00"\}\]',
 '"status":"received".*"sensitive":true',
 '"status":"dispatched".*' . main::dls(0,
  ['dispatch', '2026-10-20T09:00', 'met'], ['accept@so-nnmt', '2026-10-20T10:00', 'open'],
  ['notify', '2026-10-27T10:00', 'open'], ['resolve@so-nnmt', '2026-10-27T10:00', 'open']),
 '"status":"in_progress"', '"status":"under_review"',
 '"status":"resolved".*"published":false',
 '"code":"not_found"', '^(?!.*DB-22)\{"items":\[\{']
