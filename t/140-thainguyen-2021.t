# Thái Nguyên 2021 (interim rules), the shipped profile: verification
# without a deadline, receipt within half a working day, the leader's
# approval (send back, then edit and approve) within half a day, 3 working
# days of handling, publication within 4 working hours; an urgent report
# at night; an approval step swept overdue on a hidden report; no
# supplement deadline (so no automatic rejection); refusals of the
# approval flow; statistics; then (June) request_info after a return,
# reopen after an unsatisfied rating, escalation by the IOC alone and the
# direction back as a dispatch, a sensitive report never published.
# Blocks run in order; every sweep sees the
# whole tenant, so the reports follow one another in time.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;

life('thainguyen-2021', 't_tn21',
     ioc        => ['ioc'],
     gtvt       => ['handler', 'so-xd'],
     nnmt         => ['handler', 'so-nnmt'],
     leader     => ['leader', 'so-xd'],
     nnmtleader   => ['leader', 'so-nnmt'],
     pccc       => ['handler', 'pccc'],
     pcccleader => ['leader', 'pccc']);

run_tests();

__DATA__

=== TEST 1: submitted Monday 08:00: receipt within half a working day (Điều 6.2) and dispatch within one (Điều 7.1), both counted from the submission; the verification has no deadline of its own
--- more_headers eval
main::h('', '2026-03-02T08:00:00+07:00') . "\nX-PA-Test-Id: TN-1\nX-PA-Test-Token: token-tn21-report-1"
--- request
POST /api/v1/reports
{"content":"Biển báo giao thông bị đổ ở ngã tư","category":"traffic","lat":21.59,"lng":105.84,"reporter_name":"Nguyễn Thị H","reporter_phone":"0912346001"}
--- error_code: 201
--- response_body_like: ^\{"id":"TN-1","status":"submitted","access_token":"token-tn21-report-1","urgent":false,"media":\[\],"deadlines":\[\{"step":"receive","due":"2026-03-02T13:45:00\+07:00"\},\{"step":"dispatch","due":"2026-03-03T08:00:00\+07:00"\}\],



=== TEST 2: verified 09:00, received 10:00: the deadlines stay those counted from the submission (13:45, Tuesday 08:00)
--- more_headers eval
[main::h('ioc', '2026-03-02T09:00:00+07:00'), main::h('ioc', '2026-03-02T10:00:00+07:00')]
--- pipelined_requests eval
[main::act('TN-1', action => 'verify'), main::act('TN-1', action => 'receive')]
--- error_code eval
[200, 200]
--- response_body_like eval
['"status":"verified".*' . main::dls(0, ['receive', '2026-03-02T13:45', 'open'], ['dispatch', '2026-03-03T08:00', 'open']),
 '"status":"received".*' . main::dls(0, ['receive', '2026-03-02T13:45', 'met'], ['dispatch', '2026-03-03T08:00', 'open'])]



=== TEST 3: dispatched Monday 14:00: taken (or sent back) within a working hour, handled within 3 working days
--- more_headers eval
[main::h('ioc', '2026-03-02T14:00:00+07:00'), main::h('gtvt', '2026-03-02T14:30:00+07:00')]
--- pipelined_requests eval
[main::act('TN-1', action => 'dispatch', agencies => ['so-xd']), main::act('TN-1', action => 'accept')]
--- error_code eval
[200, 200]
--- response_body_like eval
['"status":"dispatched".*' . main::dls(0, ['receive', '2026-03-02T13:45', 'met'],
  ['accept@so-xd', '2026-03-02T15:00', 'open'], ['dispatch', '2026-03-03T08:00', 'met'],
  ['resolve@so-xd', '2026-03-05T14:00', 'open']),
 '"status":"in_progress"']



=== TEST 4: resolved Wednesday 16:30 -> the leader approves within half a day, Thursday 10:45
--- more_headers eval
main::h('gtvt', '2026-03-04T16:30:00+07:00')
--- request eval
main::act('TN-1', action => 'resolve', summary => 'Đã dựng lại biển báo.', salutation => 'Bà')
--- error_code: 200
--- response_body_like eval
'"status":"awaiting_approval".*' . main::dls(0, ['receive', '2026-03-02T13:45', 'met'],
  ['accept@so-xd', '2026-03-02T15:00', 'met'], ['dispatch', '2026-03-03T08:00', 'met'],
  ['approve', '2026-03-05T10:45', 'open'], ['resolve@so-xd', '2026-03-05T14:00', 'met'])



=== TEST 5: the leader sends it back: the handling clock runs on; resolved again 11:00, approval due 16:45
--- more_headers eval
[main::h('leader', '2026-03-05T08:00:00+07:00'), main::h('gtvt', '2026-03-05T11:00:00+07:00')]
--- pipelined_requests eval
[main::act('TN-1', action => 'send_back', message => 'Bổ sung ảnh hiện trường sau xử lý.'),
 main::act('TN-1', action => 'resolve', summary => 'Đã dựng lại biển báo, ảnh kèm theo.', salutation => 'Bà')]
--- error_code eval
[200, 200]
--- response_body_like eval
['"status":"in_progress".*' . main::dls(0, ['receive', '2026-03-02T13:45', 'met'],
  ['accept@so-xd', '2026-03-02T15:00', 'met'], ['dispatch', '2026-03-03T08:00', 'met'],
  ['approve', '2026-03-05T10:45', 'met'], ['resolve@so-xd', '2026-03-05T14:00', 'open']),
 '"status":"awaiting_approval".*' . main::dls(0, ['receive', '2026-03-02T13:45', 'met'],
  ['accept@so-xd', '2026-03-02T15:00', 'met'], ['dispatch', '2026-03-03T08:00', 'met'],
  ['resolve@so-xd', '2026-03-05T14:00', 'met'], ['approve', '2026-03-05T16:45', 'open'])]



=== TEST 6: the leader edits and approves Thursday 15:00 -> the IOC publishes within 4 working hours, Friday 09:30
--- more_headers eval
[main::h('leader', '2026-03-05T15:00:00+07:00'), main::h('ioc', '2026-03-06T09:00:00+07:00'),
 main::h('r:token-tn21-report-1', '2026-03-06T10:00:00+07:00')]
--- pipelined_requests eval
[main::act('TN-1', action => 'approve', summary => 'Đã dựng lại biển báo tại ngã tư, ảnh kèm theo.'),
 main::act('TN-1', action => 'publish'),
 main::act('TN-1', action => 'rate', rating => 'acceptable')]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"status":"under_review".*"summary":"Đã dựng lại biển báo tại ngã tư, ảnh kèm theo.",.*"approved_by":"leader-so-xd".*\{"step":"publish","due":"2026-03-06T09:30:00\+07:00","overdue":false\}',
 '"status":"resolved".*' . main::dls(0, ['receive', '2026-03-02T13:45', 'met'],
  ['accept@so-xd', '2026-03-02T15:00', 'met'], ['dispatch', '2026-03-03T08:00', 'met'],
  ['resolve@so-xd', '2026-03-05T14:00', 'met'], ['approve', '2026-03-05T16:45', 'met'],
  ['publish', '2026-03-06T09:30', 'met']),
 '"rating":"acceptable"']



=== TEST 7: urgent (fire) on Saturday night: one wall-clock hour a step, the leader's approval too
--- more_headers eval
[main::h('', '2026-03-07T21:00:00+07:00') . "\nX-PA-Test-Id: TN-2\nX-PA-Test-Token: token-tn21-report-2",
 main::h('ioc', '2026-03-07T21:05:00+07:00'), main::h('ioc', '2026-03-07T21:10:00+07:00'),
 main::h('ioc', '2026-03-07T21:20:00+07:00'), main::h('pccc', '2026-03-07T21:25:00+07:00'),
 main::h('pccc', '2026-03-07T21:50:00+07:00'), main::h('pcccleader', '2026-03-07T22:00:00+07:00'),
 main::h('ioc', '2026-03-07T22:30:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Cháy kho hàng gần chợ","category":"fire","lat":21.58,"lng":105.83,"reporter_name":"Trần Văn K","reporter_phone":"0912346002"}',
 main::act('TN-2', action => 'verify'), main::act('TN-2', action => 'receive'),
 main::act('TN-2', action => 'dispatch', agencies => ['pccc']),
 main::act('TN-2', action => 'accept'),
 main::act('TN-2', action => 'resolve', summary => 'Đã dập tắt đám cháy.'),
 main::act('TN-2', action => 'approve'),
 main::act('TN-2', action => 'publish')]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"urgent":true,"media":\[\],"deadlines":\[\{"step":"receive","due":"2026-03-07T22:00:00\+07:00"\},\{"step":"dispatch","due":"2026-03-07T22:00:00\+07:00"\}\]',
 '\{"step":"dispatch","due":"2026-03-07T22:00:00\+07:00","overdue":false\},\{"step":"receive","due":"2026-03-07T22:00:00\+07:00","overdue":false\}',
 '\{"step":"dispatch","due":"2026-03-07T22:00:00\+07:00","overdue":false\},\{"step":"receive","due":"2026-03-07T22:00:00\+07:00","met":true,"overdue":false\}',
 main::dls(0, ['dispatch', '2026-03-07T22:00', 'met'], ['receive', '2026-03-07T22:00', 'met'],
  ['accept@pccc', '2026-03-07T22:20', 'open'], ['resolve@pccc', '2026-03-07T22:20', 'open']),
 '"status":"in_progress"',
 '"status":"awaiting_approval".*\{"step":"approve","due":"2026-03-07T22:50:00\+07:00","overdue":false\}',
 '"status":"under_review".*\{"step":"publish","due":"2026-03-07T23:00:00\+07:00","overdue":false\}',
 '"status":"resolved".*' . main::dls(0, ['dispatch', '2026-03-07T22:00', 'met'], ['receive', '2026-03-07T22:00', 'met'],
  ['accept@pccc', '2026-03-07T22:20', 'met'], ['resolve@pccc', '2026-03-07T22:20', 'met'],
  ['approve', '2026-03-07T22:50', 'met'], ['publish', '2026-03-07T23:00', 'met'])]



=== TEST 8: a report hidden while it waits for approval: the approval step still goes overdue
--- more_headers eval
[main::h('', '2026-03-09T08:00:00+07:00') . "\nX-PA-Test-Id: TN-3\nX-PA-Test-Token: token-tn21-report-3",
 main::h('ioc', '2026-03-09T08:10:00+07:00'), main::h('ioc', '2026-03-09T08:20:00+07:00'),
 main::h('ioc', '2026-03-09T08:30:00+07:00'), main::h('gtvt', '2026-03-09T09:00:00+07:00'),
 main::h('gtvt', '2026-03-10T10:00:00+07:00'), main::h('ioc', '2026-03-10T11:00:00+07:00'),
 main::h('', '2026-03-10T15:45:00+07:00'), main::h('', '2026-03-10T15:45:01+07:00'),
 main::h('leader', '2026-03-10T16:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Lời lẽ xúc phạm kèm ảnh đường ngập","category":"traffic","lat":21.59,"lng":105.85,"reporter_name":"Lê Văn M","reporter_phone":"0912346003"}',
 main::act('TN-3', action => 'verify'), main::act('TN-3', action => 'receive'),
 main::act('TN-3', action => 'dispatch', agencies => ['so-xd']),
 main::act('TN-3', action => 'accept'),
 main::act('TN-3', action => 'resolve', summary => 'Đã khơi thông cống thoát nước.'),
 main::act('TN-3', action => 'hide', reason => 'Ngôn từ xúc phạm'),
 "POST /api/v1/admin/sweep", "POST /api/v1/admin/sweep",
 "GET /api/v1/reports/TN-3"]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"id":"TN-3"',
 '\{"step":"receive","due":"2026-03-09T13:45:00\+07:00","overdue":false\}',
 '\{"step":"dispatch","due":"2026-03-10T08:00:00\+07:00","overdue":false\}',
 '"status":"dispatched"', '"status":"in_progress"',
 '"status":"awaiting_approval".*\{"step":"approve","due":"2026-03-10T15:45:00\+07:00","overdue":false\}',
 '"hidden":true',
 '^\{"overdue":0,"rejected":0,"notices":0,"unlocked":0,"archived":0\}$',
 '^\{"overdue":1,"rejected":0,"notices":0,"unlocked":0,"archived":0\}$',
 '"status":"awaiting_approval".*"hidden":true.*\{"step":"approve","due":"2026-03-10T15:45:00\+07:00","overdue":true\}.*\],"overdue":true']



=== TEST 9: approved late (recorded not met), published within its 4 hours
--- more_headers eval
[main::h('leader', '2026-03-10T16:00:00+07:00'), main::h('ioc', '2026-03-11T10:00:00+07:00')]
--- pipelined_requests eval
[main::act('TN-3', action => 'approve'), main::act('TN-3', action => 'publish')]
--- error_code eval
[200, 200]
--- response_body_like eval
['"status":"under_review".*\{"step":"approve","due":"2026-03-10T15:45:00\+07:00","met":false,"overdue":true\},\{"step":"publish","due":"2026-03-11T10:30:00\+07:00","overdue":false\}',
 '"status":"resolved".*"hidden":true,"published":true.*\{"step":"publish","due":"2026-03-11T10:30:00\+07:00","met":true,"overdue":false\}']



=== TEST 9b: ... published but hidden: the public never sees it
--- request
GET /api/v1/public/reports/TN-3
--- error_code: 404
--- response_body_like: "code":"not_found"




=== TEST 10: no supplement deadline in this profile: a request for information is never rejected by the sweeper
--- more_headers eval
[main::h('', '2026-03-11T08:00:00+07:00') . "\nX-PA-Test-Id: TN-4\nX-PA-Test-Token: token-tn21-report-4",
 main::h('ioc', '2026-03-11T08:30:00+07:00'), main::h('', '2026-03-25T08:30:00+07:00'),
 main::h('r:token-tn21-report-4', '2026-03-25T09:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Nắp cống bị mất","lat":21.59,"lng":105.84,"reporter_name":"Phạm Thị N","reporter_phone":"0912346004"}',
 main::act('TN-4', action => 'request_info', message => 'Đề nghị cho biết số nhà gần nhất.'),
 "POST /api/v1/admin/sweep", "GET /api/v1/reports/TN-4"]
--- error_code eval
[201, 200, 200, 200]
--- response_body_like eval
['"deadlines":\[\{"step":"receive","due":"2026-03-11T13:45:00\+07:00"\},\{"step":"dispatch","due":"2026-03-12T08:00:00\+07:00"\}\]',
 '"status":"needs_info".*' . main::dls(0, ['receive', '2026-03-11T13:45', 'met'], ['dispatch', '2026-03-12T08:00', 'met']),
 '^\{"overdue":0,"rejected":0,"notices":0,"unlocked":0,"archived":0\}$',
 '"status":"needs_info"']



=== TEST 11: two agencies: only the lead's handler resolves and only its leader approves (403 for the other)
--- more_headers eval
[main::h('', '2026-03-11T09:00:00+07:00') . "\nX-PA-Test-Id: TN-5\nX-PA-Test-Token: token-tn21-report-5",
 main::h('ioc', '2026-03-11T09:10:00+07:00'), main::h('ioc', '2026-03-11T09:20:00+07:00'),
 main::h('ioc', '2026-03-11T09:30:00+07:00'), main::h('nnmt', '2026-03-11T09:40:00+07:00'),
 main::h('nnmt', '2026-03-11T09:45:00+07:00'), main::h('gtvt', '2026-03-11T09:50:00+07:00'),
 main::h('gtvt', '2026-03-11T10:00:00+07:00'), main::h('nnmtleader', '2026-03-11T10:10:00+07:00'),
 main::h('gtvt', '2026-03-11T10:10:00+07:00'), main::h('ioc', '2026-03-11T10:10:00+07:00'),
 main::h('leader', '2026-03-11T10:10:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Vỉa hè sụt lún trước trường học","category":"construction","lat":21.58,"lng":105.84,"reporter_name":"Đỗ Văn P","reporter_phone":"0912346005"}',
 main::act('TN-5', action => 'verify'), main::act('TN-5', action => 'receive'),
 main::act('TN-5', action => 'dispatch', agencies => ['so-xd', 'so-nnmt']),
 main::act('TN-5', action => 'accept'),
 main::act('TN-5', action => 'resolve', summary => 'Không phải cơ quan chủ trì'),
 main::act('TN-5', action => 'accept'),
 main::act('TN-5', action => 'resolve', summary => 'Đã gia cố vỉa hè.'),
 main::act('TN-5', action => 'approve'),
 main::act('TN-5', action => 'approve'),
 main::act('TN-5', action => 'approve'),
 main::act('TN-5', action => 'send_back')]
--- error_code eval
[201, 200, 200, 200, 200, 403, 200, 200, 403, 403, 403, 400]
--- response_body_like eval
['"id":"TN-5"', '"status":"verified"', '"status":"received"', '"status":"dispatched"',
 '"status":"in_progress"', '"code":"forbidden"', '"status":"in_progress"',
 '"status":"awaiting_approval"', '"code":"forbidden"', '"code":"forbidden"',
 '"code":"forbidden"', '"code":"missing_field","message":"[^"]+","field":"message"']



=== TEST 12: the approval flow's wrong states: 409; another agency's leader does not see it (404)
--- more_headers eval
[main::h('leader', '2026-03-11T10:20:00+07:00'), main::h('leader', '2026-03-11T10:20:00+07:00'),
 main::h('gtvt', '2026-03-11T10:20:00+07:00'), main::h('ioc', '2026-03-11T10:20:00+07:00'),
 main::h('leader', '2026-03-11T10:20:00+07:00'), main::h('nnmtleader', '2026-03-11T10:20:00+07:00')]
--- pipelined_requests eval
[main::act('TN-1', action => 'approve'),
 main::act('TN-1', action => 'send_back', message => 'Làm lại'),
 main::act('TN-5', action => 'resolve', summary => 'Lần nữa'),
 main::act('TN-5', action => 'publish'),
 main::act('TN-4', action => 'approve'),
 main::act('TN-3', action => 'approve')]
--- error_code eval
[409, 409, 409, 409, 404, 404]
--- response_body_like eval
['"code":"invalid_transition"', '"code":"invalid_transition"', '"code":"invalid_transition"',
 '"code":"invalid_transition"', '"code":"not_found"', '"code":"not_found"']



=== TEST 13: the lead's leader approves; published
--- more_headers eval
[main::h('leader', '2026-03-11T10:30:00+07:00'), main::h('ioc', '2026-03-11T11:00:00+07:00')]
--- pipelined_requests eval
[main::act('TN-5', action => 'approve'), main::act('TN-5', action => 'publish')]
--- error_code eval
[200, 200]
--- response_body_like eval
['"status":"under_review"', '"status":"resolved"']



=== TEST 14: statistics of March: TN-1, sent back once and resolved again, counts once
so-xd: TN-1, TN-3, TN-5 dispatched and resolved on time; TN-3's late
approval is the agency's leader's step, so TN-3 is overdue for so-xd too
(a miss is never undone); so-nnmt: TN-5 as a second agency (its handling
step closed on time with the lead's result); pccc: the urgent TN-2; the
IOC: its publications in time.
--- more_headers eval
main::h('ioc', '2026-03-31T17:00:00+07:00')
--- request
GET /api/v1/stats?from=2026-03-01&to=2026-03-31
--- error_code: 200
--- response_body
{"from":"2026-03-01","to":"2026-03-31","min_ratings":10,"agencies":[{"agency":"ioc","name":"Trung tâm Giám sát, điều hành thông minh tỉnh Thái Nguyên","dispatched":0,"resolved":0,"on_time":4,"overdue":0,"extension_missed":0,"in_progress":0,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":[],"overdue_reports":[]},{"agency":"pccc","name":"Phòng Cảnh sát PCCC và CNCH - Công an tỉnh Thái Nguyên","dispatched":1,"resolved":1,"on_time":1,"overdue":0,"extension_missed":0,"in_progress":0,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":[],"overdue_reports":[]},{"agency":"so-nnmt","name":"Sở Nông nghiệp và Môi trường tỉnh Thái Nguyên","dispatched":1,"resolved":0,"on_time":1,"overdue":0,"extension_missed":0,"in_progress":0,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":[],"overdue_reports":[]},{"agency":"so-xd","name":"Sở Xây dựng tỉnh Thái Nguyên","dispatched":3,"resolved":3,"on_time":3,"overdue":1,"extension_missed":0,"in_progress":0,"ratings":{"satisfied":0,"acceptable":1,"unsatisfied":0},"satisfaction_rate":0.0,"flags":["overdue"],"overdue_reports":["TN-3"]}]}



=== TEST 15: request_info after a return: submitted Monday 1/6 08:00, dispatched 09:30 to the department, which returns it at 10:00 as unclear (a working day from then to dispatch it again); the IOC asks the reporter at 10:30 (no supplement deadline here); the department reads that it is with the reporter
--- more_headers eval
[main::h('', '2026-06-01T08:00:00+07:00') . "\nX-PA-Test-Id: TN-20\nX-PA-Test-Token: token-tn21-report-20",
 main::h('ioc', '2026-06-01T08:30:00+07:00'), main::h('ioc', '2026-06-01T09:00:00+07:00'),
 main::h('ioc', '2026-06-01T09:30:00+07:00'), main::h('gtvt', '2026-06-01T10:00:00+07:00'),
 main::h('ioc', '2026-06-01T10:30:00+07:00'), main::h('gtvt', '2026-06-01T11:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Đường bị lún","lat":21.59,"lng":105.84,"reporter_name":"Hoàng Văn X","reporter_phone":"0912346220"}',
 main::act('TN-20', action => 'verify'), main::act('TN-20', action => 'receive'),
 main::act('TN-20', action => 'dispatch', agencies => ['so-xd']),
 main::act('TN-20', action => 'return', kind => 'needs_info', message => 'Không rõ tuyến đường nào.'),
 main::act('TN-20', action => 'request_info', message => 'Đề nghị cho biết tên đường và lý trình.'),
 "GET /api/v1/reports/TN-20"]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"deadlines":\[\{"step":"receive","due":"2026-06-01T13:45:00\+07:00"\},\{"step":"dispatch","due":"2026-06-02T08:00:00\+07:00"\}\]',
 '"status":"verified"', '"status":"received"',
 '"status":"dispatched".*' . main::dls(0,
  ['accept@so-xd', '2026-06-01T10:30', 'open'], ['receive', '2026-06-01T13:45', 'met'],
  ['dispatch', '2026-06-02T08:00', 'met'], ['resolve@so-xd', '2026-06-04T09:30', 'open']),
 '"status":"received".*"return_kind":"needs_info".*' . main::dls(0,
  ['accept@so-xd', '2026-06-01T10:30', 'met'], ['receive', '2026-06-01T13:45', 'met'],
  ['dispatch', '2026-06-02T10:00', 'open'], ['resolve@so-xd', '2026-06-04T09:30', 'met']),
 '"status":"needs_info".*' . main::dls(0,
  ['accept@so-xd', '2026-06-01T10:30', 'met'], ['receive', '2026-06-01T13:45', 'met'],
  ['dispatch', '2026-06-02T10:00', 'met'], ['resolve@so-xd', '2026-06-04T09:30', 'met']),
 '^\{"id":"TN-20","status":"needs_info","former_agency":true,"with":"reporter","returns":\[\{"at":"2026-06-01T10:00:00\+07:00","kind":"needs_info","message":"Không rõ tuyến đường nào."\}\],"updated_at":"2026-06-01T10:30:00\+07:00"\}$']



=== TEST 16: ... the reporter answers Tuesday 09:00: back with the IOC, a working day to dispatch (Wednesday 09:00); dispatched at 09:30 to the department again: accept by 10:30, handling by Friday 5/6 09:30
--- more_headers eval
[main::h('r:token-tn21-report-20', '2026-06-02T09:00:00+07:00'), main::h('ioc', '2026-06-02T09:30:00+07:00')]
--- pipelined_requests eval
[main::act('TN-20', action => 'supplement', content => 'Quốc lộ 3, km 75, đoạn qua xã Phú Bình.'),
 main::act('TN-20', action => 'dispatch', agencies => ['so-xd'])]
--- error_code eval
[200, 200]
--- response_body_like eval
['"status":"received".*' . main::dls(0,
  ['accept@so-xd', '2026-06-01T10:30', 'met'], ['receive', '2026-06-01T13:45', 'met'],
  ['dispatch', '2026-06-03T09:00', 'open'], ['resolve@so-xd', '2026-06-04T09:30', 'met']),
 '"status":"dispatched".*' . main::dls(0,
  ['receive', '2026-06-01T13:45', 'met'], ['accept@so-xd', '2026-06-02T10:30', 'open'],
  ['dispatch', '2026-06-03T09:00', 'met'], ['resolve@so-xd', '2026-06-05T09:30', 'open'])]



=== TEST 17: reopen after an unsatisfied rating: handled Wednesday 3/6 09:00 (approval by 14:45), approved at 10:00 (publication within 4 working hours, 16:00), published at 11:00; rated "unsatisfied" at 14:00 (the IOC decides by Thursday 14:00); reopened Thursday 09:00: 3 working days from then, Tuesday 9/6 09:00; the new result goes to the leader again
--- more_headers eval
[main::h('gtvt', '2026-06-02T10:00:00+07:00'), main::h('gtvt', '2026-06-03T09:00:00+07:00'),
 main::h('leader', '2026-06-03T10:00:00+07:00'), main::h('ioc', '2026-06-03T11:00:00+07:00'),
 main::h('r:token-tn21-report-20', '2026-06-03T14:00:00+07:00'), main::h('ioc', '2026-06-04T09:00:00+07:00'),
 main::h('gtvt', '2026-06-08T09:00:00+07:00')]
--- pipelined_requests eval
[main::act('TN-20', action => 'accept'),
 main::act('TN-20', action => 'resolve', summary => 'Đã bù lún mặt đường km 75.'),
 main::act('TN-20', action => 'approve'),
 main::act('TN-20', action => 'publish'),
 main::act('TN-20', action => 'rate', rating => 'unsatisfied'),
 main::act('TN-20', action => 'reopen', message => 'Mặt đường lại lún sau mưa, đề nghị xử lý triệt để.'),
 main::act('TN-20', action => 'resolve', summary => 'Đã gia cố nền và thảm lại đoạn km 75.')]
--- error_code eval
[200, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"status":"in_progress"',
 '"status":"awaiting_approval".*\{"step":"approve","due":"2026-06-03T14:45:00\+07:00","overdue":false\}',
 '"status":"under_review".*\{"step":"publish","due":"2026-06-03T16:00:00\+07:00","overdue":false\}',
 '"status":"resolved".*"published":true',
 '"status":"resolved".*"rating":"unsatisfied".*\{"step":"review_rating","due":"2026-06-04T14:00:00\+07:00","overdue":false\}',
 '"status":"in_progress".*"published":false.*' . main::dls(0,
  ['receive', '2026-06-01T13:45', 'met'], ['accept@so-xd', '2026-06-02T10:30', 'met'],
  ['dispatch', '2026-06-03T09:00', 'met'], ['approve', '2026-06-03T14:45', 'met'],
  ['publish', '2026-06-03T16:00', 'met'], ['review_rating', '2026-06-04T14:00', 'met'],
  ['resolve@so-xd', '2026-06-09T09:00', 'open']),
 '"status":"awaiting_approval".*\{"step":"approve","due":"2026-06-08T14:45:00\+07:00","overdue":false\}']



=== TEST 18: escalate -> dispatch: only the IOC escalates here (Điều 7: "IOC Thái Nguyên tổng hợp, báo cáo UBND tỉnh"; the department's try is 403); dispatched Monday 8/6 09:30, escalated at 10:00; the direction comes back Tuesday 09:00 as a dispatch to another department: accept by 10:00, handling by Friday 12/6 09:00
--- more_headers eval
[main::h('', '2026-06-08T08:00:00+07:00') . "\nX-PA-Test-Id: TN-21\nX-PA-Test-Token: token-tn21-report-21",
 main::h('ioc', '2026-06-08T08:30:00+07:00'), main::h('ioc', '2026-06-08T09:00:00+07:00'),
 main::h('ioc', '2026-06-08T09:30:00+07:00'), main::h('nnmt', '2026-06-08T09:45:00+07:00'),
 main::h('ioc', '2026-06-08T10:00:00+07:00'), main::h('ioc', '2026-06-09T09:00:00+07:00'),
 main::h('nnmt', '2026-06-09T09:30:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Kênh mương nội đồng bị bồi lấp, hai sở chưa thống nhất trách nhiệm","lat":21.58,"lng":105.83,"reporter_name":"Đặng Thị Y","reporter_phone":"0912346221"}',
 main::act('TN-21', action => 'verify'), main::act('TN-21', action => 'receive'),
 main::act('TN-21', action => 'dispatch', agencies => ['so-nnmt']),
 main::act('TN-21', action => 'escalate', message => 'Đề nghị UBND tỉnh chỉ đạo.'),
 main::act('TN-21', action => 'escalate', message => 'Sở Nông nghiệp và Môi trường và Sở Xây dựng chưa thống nhất; báo cáo UBND tỉnh.'),
 main::act('TN-21', action => 'dispatch', agencies => ['so-xd'], message => 'Theo chỉ đạo của UBND tỉnh.'),
 "GET /api/v1/reports/TN-21"]
--- error_code eval
[201, 200, 200, 200, 403, 200, 200, 200]
--- response_body_like eval
['"id":"TN-21"', '"status":"verified"', '"status":"received"', '"status":"dispatched"',
 '^\{"error":\{"code":"forbidden","message":"your role may not take this action"\}\}$',
 '"status":"escalated".*' . main::dls(0,
  ['accept@so-nnmt', '2026-06-08T10:30', 'met'], ['receive', '2026-06-08T13:45', 'met'],
  ['dispatch', '2026-06-09T08:00', 'met'], ['resolve@so-nnmt', '2026-06-11T09:30', 'met']),
 '"status":"dispatched".*"agencies":\["so-xd"\],"lead":"so-xd".*' . main::dls(0,
  ['accept@so-nnmt', '2026-06-08T10:30', 'met'], ['receive', '2026-06-08T13:45', 'met'],
  ['dispatch', '2026-06-09T08:00', 'met'], ['accept@so-xd', '2026-06-09T10:00', 'open'],
  ['resolve@so-nnmt', '2026-06-11T09:30', 'met'], ['resolve@so-xd', '2026-06-12T09:00', 'open']),
 '^\{"id":"TN-21","status":"dispatched","former_agency":true,"with":"agency","returns":\[\],"agencies":\["so-xd"\],"updated_at":"2026-06-09T09:00:00\+07:00"\}$']



=== TEST 19: a sensitive report is never published: received as sensitive Wednesday 10/6, dispatched, handled, approved, "published": for the reporter alone; the public never sees it
--- more_headers eval
[main::h('', '2026-06-10T08:00:00+07:00') . "\nX-PA-Test-Id: TN-22\nX-PA-Test-Token: token-tn21-report-22",
 main::h('ioc', '2026-06-10T08:30:00+07:00'), main::h('ioc', '2026-06-10T09:00:00+07:00'),
 main::h('ioc', '2026-06-10T09:30:00+07:00'), main::h('nnmt', '2026-06-10T10:00:00+07:00'),
 main::h('nnmt', '2026-06-11T09:00:00+07:00'), main::h('nnmtleader', '2026-06-11T10:00:00+07:00'),
 main::h('ioc', '2026-06-11T11:00:00+07:00'), main::h('', '2026-06-11T11:10:00+07:00'),
 main::h('', '2026-06-11T11:10:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Khai thác cát trái phép ban đêm, nghi có người tiếp tay","lat":21.59,"lng":105.85,"reporter_name":"Lý Văn Z","reporter_phone":"0912346222"}',
 main::act('TN-22', action => 'verify'),
 main::act('TN-22', action => 'receive', sensitive => JSON::PP::true),
 main::act('TN-22', action => 'dispatch', agencies => ['so-nnmt']),
 main::act('TN-22', action => 'accept'),
 main::act('TN-22', action => 'resolve', summary => 'Đã phối hợp kiểm tra, lập biên bản.'),
 main::act('TN-22', action => 'approve'),
 main::act('TN-22', action => 'publish'),
 "GET /api/v1/public/reports/TN-22", "GET /api/v1/public/reports"]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200, 200, 404, 200]
--- response_body_like eval
['"id":"TN-22"', '"status":"verified"', '"status":"received".*"sensitive":true',
 '"status":"dispatched".*' . main::dls(0,
  ['accept@so-nnmt', '2026-06-10T10:30', 'open'], ['receive', '2026-06-10T13:45', 'met'],
  ['dispatch', '2026-06-11T08:00', 'met'], ['resolve@so-nnmt', '2026-06-15T09:30', 'open']),
 '"status":"in_progress"', '"status":"awaiting_approval"', '"status":"under_review"',
 '"status":"resolved".*"published":false',
 '"code":"not_found"', '^(?!.*TN-22)\{"items":\[\{']
