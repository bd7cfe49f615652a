# Vĩnh Long 2025, the shipped profile: hour-level deadlines (receive,
# dispatch, accept within one working hour), the coordinator who names the
# competent agency (identify, 1 day) and confirms the result (confirm, 1
# day, disagreeing sends it back), the IOC's review return with a 1-hour
# fix, 6 working days of handling, comments answered within a day; an
# accept step swept overdue, a supplement timeout, an urgent report,
# forwarding for monitoring, a hidden report going overdue, refusals of
# the coordinator flow, statistics; then (June) request_info after a
# return, reopen after an unsatisfied rating, escalation by the IOC alone
# and the direction back as a dispatch, a sensitive report never
# published.  Blocks run in order; every sweep sees
# the whole tenant, so the reports follow one another in time.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;

life('vinhlong-2025', 't_vl25',
     ioc    => ['ioc'],
     coord  => ['coordinator', 'to-dieu-phoi'],
     coord2 => ['coordinator', 'so-nnmt'],
     ward   => ['handler', 'phuong-thanh-duc'],
     xd     => ['handler', 'so-xd'],
     nnmt   => ['handler', 'so-nnmt'],
     police => ['handler', 'ca-tinh']);

run_tests();

__DATA__

=== TEST 1: submitted Monday 08:00, verified 09:00 (receipt within the hour), received 09:30 (dispatch by 10:30)
--- more_headers eval
[main::hm('', '2026-03-02T08:00:00+07:00') . "\nX-PA-Test-Id: VL-1\nX-PA-Test-Token: token-vl25-report-1",
 main::h('ioc', '2026-03-02T09:00:00+07:00'), main::h('ioc', '2026-03-02T09:30:00+07:00')]
--- pipelined_requests eval
[main::photo_report('2026-03-02T08:00:00+07:00', '{"content":"Cây xanh ngã đè lên vỉa hè","category":"other","lat":10.25,"lng":105.97,"reporter_name":"Huỳnh Văn Q","reporter_phone":"0912347001","channel":"zalo"}'),
 main::act('VL-1', action => 'verify'), main::act('VL-1', action => 'receive')]
--- error_code eval
[201, 200, 200]
--- response_body_like eval
['"deadlines":\[\{"step":"verify","due":"2026-03-04T08:00:00\+07:00"\}\]',
 '"status":"verified".*' . main::dls(0, ['receive', '2026-03-02T10:00', 'open'], ['verify', '2026-03-04T08:00', 'met']),
 '"status":"received".*' . main::dls(0, ['receive', '2026-03-02T10:00', 'met'], ['dispatch', '2026-03-02T10:30', 'open'], ['verify', '2026-03-04T08:00', 'met'])]



=== TEST 2: no agency known: the coordinator gets it (identify within a working day) and names the ward at 15:00
--- more_headers eval
[main::h('ioc', '2026-03-02T10:00:00+07:00'), main::h('coord', '2026-03-02T15:00:00+07:00')]
--- pipelined_requests eval
[main::act('VL-1', action => 'coordinate', coordinator => 'to-dieu-phoi'),
 main::act('VL-1', action => 'identify', agencies => ['phuong-thanh-duc'], message => 'Thuộc địa bàn phường Thanh Đức')]
--- error_code eval
[200, 200]
--- response_body_like eval
['"status":"coordinating".*"coordinator":"to-dieu-phoi".*' . main::dls(0, ['receive', '2026-03-02T10:00', 'met'],
  ['dispatch', '2026-03-02T10:30', 'met'], ['identify', '2026-03-03T10:00', 'open'], ['verify', '2026-03-04T08:00', 'met']),
 '"status":"received".*' . main::dls(0, ['receive', '2026-03-02T10:00', 'met'],
  ['dispatch', '2026-03-02T16:00', 'open'], ['identify', '2026-03-03T10:00', 'met'], ['verify', '2026-03-04T08:00', 'met'])]



=== TEST 3: dispatched 15:30: accepted within the hour, handled within 6 working days (Tuesday 10/3 15:30)
--- more_headers eval
[main::h('ioc', '2026-03-02T15:30:00+07:00'), main::h('ward', '2026-03-02T16:00:00+07:00')]
--- pipelined_requests eval
[main::act('VL-1', action => 'dispatch', agencies => ['phuong-thanh-duc']), main::act('VL-1', action => 'accept')]
--- error_code eval
[200, 200]
--- response_body_like eval
['"status":"dispatched".*' . main::dls(0, ['receive', '2026-03-02T10:00', 'met'],
  ['dispatch', '2026-03-02T16:00', 'met'], ['accept@phuong-thanh-duc', '2026-03-02T16:30', 'open'],
  ['identify', '2026-03-03T10:00', 'met'], ['verify', '2026-03-04T08:00', 'met'],
  ['resolve@phuong-thanh-duc', '2026-03-10T15:30', 'open']),
 '"status":"in_progress"']



=== TEST 4: resolved Thursday 10:00: the coordinator confirms and the IOC publishes within a working day
--- more_headers eval
main::h('ward', '2026-03-05T10:00:00+07:00')
--- request eval
main::act('VL-1', action => 'resolve', summary => 'Đã cắt tỉa, dọn cây ngã.')
--- error_code: 200
--- response_body_like eval
'"status":"under_review".*\{"step":"confirm","due":"2026-03-06T10:00:00\+07:00","overdue":false\},\{"step":"publish","due":"2026-03-06T10:00:00\+07:00","overdue":false\}'



=== TEST 5: the coordinator disagrees: back to the ward, the handling clock runs on
--- more_headers eval
main::h('coord', '2026-03-05T14:00:00+07:00')
--- request eval
main::act('VL-1', action => 'confirm', agree => JSON::PP::false, message => 'Chưa dọn hết cành cây trên lòng đường')
--- error_code: 200
--- response_body_like eval
'"status":"in_progress".*' . main::dls(0, ['receive', '2026-03-02T10:00', 'met'],
  ['dispatch', '2026-03-02T16:00', 'met'], ['accept@phuong-thanh-duc', '2026-03-02T16:30', 'met'],
  ['identify', '2026-03-03T10:00', 'met'], ['verify', '2026-03-04T08:00', 'met'],
  ['confirm', '2026-03-06T10:00', 'met'], ['publish', '2026-03-06T10:00', 'met'],
  ['resolve@phuong-thanh-duc', '2026-03-10T15:30', 'open'])



=== TEST 6: resolved again Friday 09:00, confirmed; the IOC returns it (not on the template): fixed within 1 working hour
--- more_headers eval
[main::h('ward', '2026-03-06T09:00:00+07:00'), main::h('coord', '2026-03-06T11:00:00+07:00'),
 main::h('ioc', '2026-03-06T14:00:00+07:00')]
--- pipelined_requests eval
[main::act('VL-1', action => 'resolve', summary => 'Đã dọn sạch cây và cành trên lòng đường.'),
 main::act('VL-1', action => 'confirm', agree => JSON::PP::true),
 main::act('VL-1', action => 'review_return', message => 'Kết quả chưa theo mẫu, thiếu ảnh sau xử lý.')]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"status":"under_review".*\{"step":"confirm","due":"2026-03-09T09:00:00\+07:00","overdue":false\},\{"step":"publish","due":"2026-03-09T09:00:00\+07:00","overdue":false\}',
 '"status":"under_review".*"confirmed":true.*\{"step":"confirm","due":"2026-03-09T09:00:00\+07:00","met":true',
 '"status":"in_progress".*\{"step":"resolve","due":"2026-03-06T15:00:00\+07:00","agency":"phuong-thanh-duc","overdue":false\}']



=== TEST 7: fixed at 14:30, confirmed, published Monday; a comment answered the same day
--- more_headers eval
[main::h('ward', '2026-03-06T14:30:00+07:00'), main::h('coord', '2026-03-06T16:00:00+07:00'),
 main::h('ioc', '2026-03-09T09:00:00+07:00'), main::h('r:token-vl25-report-1', '2026-03-09T10:00:00+07:00'),
 main::h('ward', '2026-03-09T15:00:00+07:00')]
--- pipelined_requests eval
[main::act('VL-1', action => 'resolve', summary => 'Đã dọn sạch cây và cành trên lòng đường, ảnh kèm theo.'),
 main::act('VL-1', action => 'confirm', agree => JSON::PP::true),
 main::act('VL-1', action => 'publish'),
 main::act('VL-1', action => 'comment', text => 'Gốc cây còn nằm bên lề.'),
 main::act('VL-1', action => 'reply', comment_id => 1, text => 'Phường sẽ chuyển gốc cây trong ngày.')]
--- error_code eval
[200, 200, 200, 200, 200]
--- response_body_like eval
['"status":"under_review".*\{"step":"resolve","due":"2026-03-06T15:00:00\+07:00","agency":"phuong-thanh-duc","met":true,"overdue":false\},\{"step":"confirm","due":"2026-03-09T14:30:00\+07:00","overdue":false\},\{"step":"publish","due":"2026-03-09T14:30:00\+07:00","overdue":false\}',
 '"status":"under_review"', '"status":"resolved"',
 '\{"step":"reply","due":"2026-03-10T10:00:00\+07:00","comment_id":"1","overdue":false\}',
 '"status":"resolved".*' . main::dls(0, ['receive', '2026-03-02T10:00', 'met'],
  ['dispatch', '2026-03-02T16:00', 'met'], ['accept@phuong-thanh-duc', '2026-03-02T16:30', 'met'],
  ['identify', '2026-03-03T10:00', 'met'], ['verify', '2026-03-04T08:00', 'met'],
  ['resolve@phuong-thanh-duc', '2026-03-06T15:00', 'met'],
  ['confirm', '2026-03-09T14:30', 'met'], ['publish', '2026-03-09T14:30', 'met'],
  ['reply#1', '2026-03-10T10:00', 'met'])]



=== TEST 8: dispatched by the IOC directly: the accept hour passes, the sweep marks it; no coordinator, no confirm step
--- more_headers eval
[main::hm('', '2026-03-10T08:00:00+07:00') . "\nX-PA-Test-Id: VL-2\nX-PA-Test-Token: token-vl25-report-2",
 main::h('ioc', '2026-03-10T08:10:00+07:00'), main::h('ioc', '2026-03-10T08:20:00+07:00'),
 main::h('ioc', '2026-03-10T08:30:00+07:00'), main::h('', '2026-03-10T09:30:00+07:00'),
 main::h('', '2026-03-10T09:30:01+07:00'), main::h('ioc', '2026-03-10T09:40:00+07:00'),
 main::h('xd', '2026-03-10T10:00:00+07:00'), main::h('xd', '2026-03-10T11:00:00+07:00'),
 main::h('ioc', '2026-03-10T14:00:00+07:00')]
--- pipelined_requests eval
[main::photo_report('2026-03-10T08:00:00+07:00', '{"content":"Đường nứt toác sau mưa","category":"traffic","lat":10.24,"lng":105.96,"reporter_name":"Lý Thị R","reporter_phone":"0912347002"}'),
 main::act('VL-2', action => 'verify'), main::act('VL-2', action => 'receive'),
 main::act('VL-2', action => 'dispatch', agencies => ['so-xd']),
 "POST /api/v1/admin/sweep", "POST /api/v1/admin/sweep", "GET /api/v1/reports/VL-2",
 main::act('VL-2', action => 'accept'),
 main::act('VL-2', action => 'resolve', summary => 'Đã trám vá vết nứt.'),
 main::act('VL-2', action => 'publish')]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"id":"VL-2"', '"status":"verified"', '"status":"received"', '"status":"dispatched"',
 '^\{"overdue":0,"rejected":0,"notices":0,"unlocked":0,"archived":0\}$',
 '^\{"overdue":1,"rejected":0,"notices":0,"unlocked":0,"archived":0\}$',
 '"status":"dispatched".*\{"step":"accept","due":"2026-03-10T09:30:00\+07:00","agency":"so-xd","overdue":true\}.*\],"overdue":true',
 '"status":"in_progress".*\{"step":"accept","due":"2026-03-10T09:30:00\+07:00","agency":"so-xd","met":false,"overdue":true\}',
 '"status":"under_review".*' . main::dls(0, ['receive', '2026-03-10T09:10', 'met'],
  ['dispatch', '2026-03-10T09:20', 'met'], ['accept@so-xd', '2026-03-10T09:30', 'late'],
  ['publish', '2026-03-11T11:00', 'open'], ['verify', '2026-03-12T08:00', 'met'],
  ['resolve@so-xd', '2026-03-18T08:30', 'met']),
 '"status":"resolved"']



=== TEST 9: a supplement requested Wednesday 08:30 and not sent in 2 working days: rejected Friday 08:30:01
--- more_headers eval
[main::hm('', '2026-03-11T08:00:00+07:00') . "\nX-PA-Test-Id: VL-3\nX-PA-Test-Token: token-vl25-report-3",
 main::h('ioc', '2026-03-11T08:30:00+07:00'), main::h('', '2026-03-13T08:30:00+07:00'),
 main::h('', '2026-03-13T08:30:01+07:00'), main::h('r:token-vl25-report-3', '2026-03-13T09:00:00+07:00')]
--- pipelined_requests eval
[main::photo_report('2026-03-11T08:00:00+07:00', '{"content":"Nước thải chảy ra kênh","lat":10.26,"lng":105.98,"reporter_name":"Võ Văn S","reporter_phone":"0912347003","channel":"facebook"}'),
 main::act('VL-3', action => 'request_info', message => 'Đề nghị gửi video chụp rõ điểm xả thải.'),
 "POST /api/v1/admin/sweep", "POST /api/v1/admin/sweep", "GET /api/v1/reports/VL-3"]
--- error_code eval
[201, 200, 200, 200, 200]
--- response_body_like eval
['"deadlines":\[\{"step":"verify","due":"2026-03-13T08:00:00\+07:00"\}\]',
 '"status":"needs_info".*' . main::dls(0, ['verify', '2026-03-13T08:00', 'met'], ['supplement', '2026-03-13T08:30', 'open']),
 '^\{"overdue":0,"rejected":0,"notices":0,"unlocked":0,"archived":0\}$',
 '^\{"overdue":0,"rejected":1,"notices":0,"unlocked":0,"archived":0\}$',
 '"status":"rejected".*"reject_reason":"supplement_timeout".*"action":"reject","status":"rejected","note":"[^"]+","reject_reason":"supplement_timeout"\}\]\}$']



=== TEST 10: urgent (accident) on Saturday evening: each step within one wall-clock hour
--- more_headers eval
[main::hm('', '2026-03-14T20:00:00+07:00') . "\nX-PA-Test-Id: VL-4\nX-PA-Test-Token: token-vl25-report-4",
 main::h('ioc', '2026-03-14T20:05:00+07:00'), main::h('ioc', '2026-03-14T20:10:00+07:00'),
 main::h('ioc', '2026-03-14T20:15:00+07:00'), main::h('police', '2026-03-14T20:20:00+07:00'),
 main::h('police', '2026-03-14T20:50:00+07:00'), main::h('ioc', '2026-03-14T21:00:00+07:00')]
--- pipelined_requests eval
[main::photo_report('2026-03-14T20:00:00+07:00', '{"content":"Tai nạn giao thông trên cầu","category":"accident","lat":10.25,"lng":105.96,"reporter_name":"Trương Văn T","reporter_phone":"0912347004"}'),
 main::act('VL-4', action => 'verify'), main::act('VL-4', action => 'receive'),
 main::act('VL-4', action => 'dispatch', agencies => ['ca-tinh']),
 main::act('VL-4', action => 'accept'),
 main::act('VL-4', action => 'resolve', summary => 'Đã phân luồng, đưa người bị nạn đi cấp cứu.'),
 main::act('VL-4', action => 'publish')]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"urgent":true,"media":\[\{"id":"[0-9a-f]{64}","type":"image/jpeg",[^\]]*"flags":\[\][^\]]*\],"deadlines":\[\{"step":"verify","due":"2026-03-14T21:00:00\+07:00"\}\]',
 '\{"step":"receive","due":"2026-03-14T21:05:00\+07:00","overdue":false\}',
 '\{"step":"dispatch","due":"2026-03-14T21:10:00\+07:00","overdue":false\}',
 '\{"step":"accept","due":"2026-03-14T21:15:00\+07:00","agency":"ca-tinh","overdue":false\},\{"step":"resolve","due":"2026-03-14T21:15:00\+07:00","agency":"ca-tinh","overdue":false\}',
 '"status":"in_progress"',
 '"status":"under_review".*\{"step":"publish","due":"2026-03-14T21:50:00\+07:00","overdue":false\}\],"overdue":false',
 '"status":"resolved".*' . main::dls(0, ['verify', '2026-03-14T21:00', 'met'],
  ['receive', '2026-03-14T21:05', 'met'], ['dispatch', '2026-03-14T21:10', 'met'],
  ['accept@ca-tinh', '2026-03-14T21:15', 'met'], ['resolve@ca-tinh', '2026-03-14T21:15', 'met'],
  ['publish', '2026-03-14T21:50', 'met'])]



=== TEST 11: a past incident forwarded for monitoring (Điều 18): terminal, every deadline closed
--- more_headers eval
[main::hm('', '2026-03-16T08:00:00+07:00') . "\nX-PA-Test-Id: VL-5\nX-PA-Test-Token: token-vl25-report-5",
 main::h('ioc', '2026-03-16T08:05:00+07:00'), main::h('ioc', '2026-03-16T08:10:00+07:00'),
 main::h('ioc', '2026-03-16T08:30:00+07:00'), main::h('ioc', '2026-03-16T08:40:00+07:00')]
--- pipelined_requests eval
[main::photo_report('2026-03-16T08:00:00+07:00', '{"content":"Góp ý trồng thêm cây xanh ven sông","lat":10.25,"lng":105.97,"reporter_name":"Mai Thị U","reporter_phone":"0912347005"}'),
 main::act('VL-5', action => 'verify'), main::act('VL-5', action => 'receive'),
 main::act('VL-5', action => 'forward_monitoring', agency => 'so-nnmt', message => 'Ý kiến xây dựng, chuyển theo dõi'),
 main::act('VL-5', action => 'dispatch', agencies => ['so-nnmt'])]
--- error_code eval
[201, 200, 200, 200, 409]
--- response_body_like eval
['"id":"VL-5"', '"status":"verified"', '"status":"received"',
 '"status":"monitoring".*' . main::dls(0, ['receive', '2026-03-16T09:05', 'met'],
  ['dispatch', '2026-03-16T09:10', 'met'], ['verify', '2026-03-18T08:00', 'met']),
 '"code":"invalid_transition"']



=== TEST 12: a hidden report's accept hour passes: swept overdue all the same
--- more_headers eval
[main::hm('', '2026-03-16T09:00:00+07:00') . "\nX-PA-Test-Id: VL-6\nX-PA-Test-Token: token-vl25-report-6",
 main::h('ioc', '2026-03-16T09:05:00+07:00'), main::h('ioc', '2026-03-16T09:10:00+07:00'),
 main::h('ioc', '2026-03-16T09:30:00+07:00'), main::h('ioc', '2026-03-16T09:40:00+07:00'),
 main::h('', '2026-03-16T10:30:01+07:00'), main::h('ioc', '2026-03-16T11:00:00+07:00')]
--- pipelined_requests eval
[main::photo_report('2026-03-16T09:00:00+07:00', '{"content":"Rác ven kênh, lời lẽ thô tục","category":"environment","lat":10.24,"lng":105.97,"reporter_name":"Đặng Văn V","reporter_phone":"0912347006"}'),
 main::act('VL-6', action => 'verify'), main::act('VL-6', action => 'receive'),
 main::act('VL-6', action => 'dispatch', agencies => ['so-nnmt']),
 main::act('VL-6', action => 'hide', reason => 'Ngôn từ thô tục'),
 "POST /api/v1/admin/sweep", "GET /api/v1/reports/VL-6"]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"id":"VL-6"', '"status":"verified"', '"status":"received"', '"status":"dispatched"', '"hidden":true',
 '^\{"overdue":1,"rejected":0,"notices":0,"unlocked":0,"archived":0\}$',
 '"status":"dispatched".*"hidden":true.*' . main::dls(1, ['receive', '2026-03-16T10:05', 'met'],
  ['dispatch', '2026-03-16T10:10', 'met'], ['accept@so-nnmt', '2026-03-16T10:30', 'over'],
  ['verify', '2026-03-18T09:00', 'met'], ['resolve@so-nnmt', '2026-03-24T09:30', 'open'])]



=== TEST 13: the coordinator flow's refusals: roles (403), states (409), another coordinator (404), fields (400)
--- more_headers eval
[main::h('ward', '2026-03-16T11:00:00+07:00'), main::h('ioc', '2026-03-16T11:00:00+07:00'),
 main::h('ward', '2026-03-16T11:00:00+07:00'), main::h('coord', '2026-03-16T11:00:00+07:00'),
 main::h('coord', '2026-03-16T11:00:00+07:00'), main::h('ioc', '2026-03-16T11:00:00+07:00'),
 main::h('ioc', '2026-03-16T11:00:00+07:00'), main::h('coord2', '2026-03-16T11:00:00+07:00'),
 main::h('coord', '2026-03-16T11:00:00+07:00'), main::h('coord', '2026-03-16T11:00:00+07:00')]
--- pipelined_requests eval
[main::act('VL-1', action => 'identify', agencies => ['so-xd']),
 main::act('VL-1', action => 'confirm', agree => JSON::PP::true),
 main::act('VL-1', action => 'confirm', agree => JSON::PP::true),
 main::act('VL-1', action => 'identify', agencies => ['so-xd']),
 main::act('VL-1', action => 'confirm', agree => JSON::PP::true),
 main::act('VL-1', action => 'coordinate', coordinator => 'to-dieu-phoi'),
 main::act('VL-6', action => 'coordinate', coordinator => 'to-dieu-phoi'),
 main::act('VL-1', action => 'identify', agencies => ['so-xd']),
 main::act('VL-2', action => 'confirm', agree => JSON::PP::true),
 main::act('VL-1', action => 'confirm')]
--- error_code eval
[403, 403, 403, 409, 409, 409, 409, 404, 404, 400]
--- response_body_like eval
['"code":"forbidden"', '"code":"forbidden"', '"code":"forbidden"',
 '"code":"invalid_transition"', '"code":"invalid_transition"', '"code":"invalid_transition"',
 '"code":"invalid_transition"', '"code":"not_found"', '"code":"not_found"',
 '"code":"missing_field","message":"[^"]+","field":"agree"']



=== TEST 14: statistics of March: VL-1 (returned twice) counts as one report handled on time
Reports per owner, once: so-xd missed VL-2's accept hour (swept), so VL-2
is overdue, not on time, though handled later; so-nnmt's hidden VL-6
missed its accept hour; both are in the overdue lists.  The coordinator's
VL-1 and the IOC's publications in time count on time.
--- more_headers eval
main::h('ioc', '2026-03-31T17:00:00+07:00')
--- request
GET /api/v1/stats?from=2026-03-01&to=2026-03-31
--- error_code: 200
--- response_body
{"from":"2026-03-01","to":"2026-03-31","min_ratings":10,"agencies":[{"agency":"ca-tinh","name":"Công an tỉnh Vĩnh Long","dispatched":1,"resolved":1,"on_time":1,"overdue":0,"extension_missed":0,"in_progress":0,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":[],"overdue_reports":[]},{"agency":"ioc","name":"Trung tâm Giám sát, điều hành thông minh tỉnh Vĩnh Long","dispatched":0,"resolved":0,"on_time":3,"overdue":0,"extension_missed":0,"in_progress":0,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":[],"overdue_reports":[]},{"agency":"phuong-thanh-duc","name":"UBND phường Thanh Đức","dispatched":1,"resolved":1,"on_time":1,"overdue":0,"extension_missed":0,"in_progress":0,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":[],"overdue_reports":[]},{"agency":"so-nnmt","name":"Sở Nông nghiệp và Môi trường tỉnh Vĩnh Long","dispatched":1,"resolved":0,"on_time":0,"overdue":1,"extension_missed":0,"in_progress":1,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":["overdue"],"overdue_reports":["VL-6"]},{"agency":"so-xd","name":"Sở Xây dựng tỉnh Vĩnh Long","dispatched":1,"resolved":1,"on_time":0,"overdue":1,"extension_missed":0,"in_progress":0,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":["overdue"],"overdue_reports":["VL-2"]},{"agency":"to-dieu-phoi","name":"Tổ điều phối xử lý phản ánh - Văn phòng UBND tỉnh Vĩnh Long","dispatched":0,"resolved":0,"on_time":1,"overdue":0,"extension_missed":0,"in_progress":0,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":[],"overdue_reports":[]}]}



=== TEST 15: request_info after a return: submitted Monday 1/6 08:00, dispatched 09:30 to Thanh Đức, which returns it at 10:00 as unclear; the IOC asks the reporter at 10:30 (supplement within 2 working days, Wednesday 10:30); the ward reads that it is with the reporter
--- more_headers eval
[main::hm('', '2026-06-01T08:00:00+07:00') . "\nX-PA-Test-Id: VL-20\nX-PA-Test-Token: token-vl25-report-20",
 main::h('ioc', '2026-06-01T08:30:00+07:00'), main::h('ioc', '2026-06-01T09:00:00+07:00'),
 main::h('ioc', '2026-06-01T09:30:00+07:00'), main::h('ward', '2026-06-01T10:00:00+07:00'),
 main::h('ioc', '2026-06-01T10:30:00+07:00'), main::h('ward', '2026-06-01T11:00:00+07:00')]
--- pipelined_requests eval
[main::photo_report('2026-06-01T08:00:00+07:00', '{"content":"Đèn chiếu sáng hẻm không hoạt động","lat":10.25,"lng":105.97,"reporter_name":"Trần Văn T","reporter_phone":"0912347220"}'),
 main::act('VL-20', action => 'verify'), main::act('VL-20', action => 'receive'),
 main::act('VL-20', action => 'dispatch', agencies => ['phuong-thanh-duc']),
 main::act('VL-20', action => 'return', kind => 'needs_info', message => 'Không xác định được hẻm nào.'),
 main::act('VL-20', action => 'request_info', message => 'Đề nghị cho biết số hẻm và số nhà gần nhất.'),
 "GET /api/v1/reports/VL-20"]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"id":"VL-20"', '"status":"verified"', '"status":"received"',
 '"status":"dispatched".*' . main::dls(0,
  ['receive', '2026-06-01T09:30', 'met'], ['dispatch', '2026-06-01T10:00', 'met'],
  ['accept@phuong-thanh-duc', '2026-06-01T10:30', 'open'], ['verify', '2026-06-03T08:00', 'met'],
  ['resolve@phuong-thanh-duc', '2026-06-09T09:30', 'open']),
 '"status":"received".*"return_kind":"needs_info".*' . main::dls(0,
  ['receive', '2026-06-01T09:30', 'met'], ['accept@phuong-thanh-duc', '2026-06-01T10:30', 'met'],
  ['dispatch', '2026-06-01T11:00', 'open'], ['verify', '2026-06-03T08:00', 'met'],
  ['resolve@phuong-thanh-duc', '2026-06-09T09:30', 'met']),
 '"status":"needs_info".*' . main::dls(0,
  ['receive', '2026-06-01T09:30', 'met'], ['accept@phuong-thanh-duc', '2026-06-01T10:30', 'met'],
  ['dispatch', '2026-06-01T11:00', 'met'], ['verify', '2026-06-03T08:00', 'met'],
  ['supplement', '2026-06-03T10:30', 'open'], ['resolve@phuong-thanh-duc', '2026-06-09T09:30', 'met']),
 '^\{"id":"VL-20","status":"needs_info","former_agency":true,"with":"reporter","returns":\[\{"at":"2026-06-01T10:00:00\+07:00","kind":"needs_info","message":"Không xác định được hẻm nào."\}\],"updated_at":"2026-06-01T10:30:00\+07:00"\}$']



=== TEST 16: ... the reporter answers Tuesday 09:00: back with the IOC, who dispatches within the hour (10:00), at 09:30, to the ward again: accept by 10:30, handling by Wednesday 10/6 09:30
--- more_headers eval
[main::h('r:token-vl25-report-20', '2026-06-02T09:00:00+07:00'), main::h('ioc', '2026-06-02T09:30:00+07:00')]
--- pipelined_requests eval
[main::act('VL-20', action => 'supplement', content => 'Hẻm 12 đường Phạm Thái Bường, trước nhà số 7.'),
 main::act('VL-20', action => 'dispatch', agencies => ['phuong-thanh-duc'])]
--- error_code eval
[200, 200]
--- response_body_like eval
['"status":"received".*' . main::dls(0,
  ['receive', '2026-06-01T09:30', 'met'], ['accept@phuong-thanh-duc', '2026-06-01T10:30', 'met'],
  ['dispatch', '2026-06-02T10:00', 'open'], ['verify', '2026-06-03T08:00', 'met'],
  ['supplement', '2026-06-03T10:30', 'met'], ['resolve@phuong-thanh-duc', '2026-06-09T09:30', 'met']),
 '"status":"dispatched".*' . main::dls(0,
  ['receive', '2026-06-01T09:30', 'met'], ['dispatch', '2026-06-02T10:00', 'met'],
  ['accept@phuong-thanh-duc', '2026-06-02T10:30', 'open'], ['verify', '2026-06-03T08:00', 'met'],
  ['supplement', '2026-06-03T10:30', 'met'], ['resolve@phuong-thanh-duc', '2026-06-10T09:30', 'open'])]



=== TEST 17: reopen after an unsatisfied rating: handled Thursday 4/6 09:00, published at 10:00; rated "unsatisfied" at 14:00 (the IOC decides by Friday 14:00); reopened Friday 09:00: 6 working days from then, Monday 15/6 09:00
--- more_headers eval
[main::h('ward', '2026-06-02T10:00:00+07:00'), main::h('ward', '2026-06-04T09:00:00+07:00'),
 main::h('ioc', '2026-06-04T10:00:00+07:00'), main::h('r:token-vl25-report-20', '2026-06-04T14:00:00+07:00'),
 main::h('ioc', '2026-06-05T09:00:00+07:00')]
--- pipelined_requests eval
[main::act('VL-20', action => 'accept'),
 main::act('VL-20', action => 'resolve', summary => 'Đã thay bóng đèn hẻm 12.'),
 main::act('VL-20', action => 'publish'),
 main::act('VL-20', action => 'rate', rating => 'unsatisfied'),
 main::act('VL-20', action => 'reopen', message => 'Đèn lại tắt vào ban đêm, đề nghị kiểm tra nguồn điện.')]
--- error_code eval
[200, 200, 200, 200, 200]
--- response_body_like eval
['"status":"in_progress"', '"status":"under_review"', '"status":"resolved".*"published":true',
 '"status":"resolved".*"rating":"unsatisfied"',
 '"status":"in_progress".*"published":false.*' . main::dls(0,
  ['receive', '2026-06-01T09:30', 'met'], ['dispatch', '2026-06-02T10:00', 'met'],
  ['accept@phuong-thanh-duc', '2026-06-02T10:30', 'met'], ['verify', '2026-06-03T08:00', 'met'],
  ['supplement', '2026-06-03T10:30', 'met'], ['publish', '2026-06-05T09:00', 'met'],
  ['review_rating', '2026-06-05T14:00', 'met'], ['resolve@phuong-thanh-duc', '2026-06-15T09:00', 'open'])]



=== TEST 18: escalate -> dispatch: only the IOC escalates here (Điều 4.8, 20.1d: the department's try is 403); dispatched Monday 8/6 09:30, escalated at 10:00 (every open step closes); the People's Committee's direction comes back Tuesday 09:00 as a dispatch to another department: accept by 10:00, handling by Wednesday 17/6 09:00
--- more_headers eval
[main::hm('', '2026-06-08T08:00:00+07:00') . "\nX-PA-Test-Id: VL-21\nX-PA-Test-Token: token-vl25-report-21",
 main::h('ioc', '2026-06-08T08:30:00+07:00'), main::h('ioc', '2026-06-08T09:00:00+07:00'),
 main::h('ioc', '2026-06-08T09:30:00+07:00'), main::h('xd', '2026-06-08T09:45:00+07:00'),
 main::h('ioc', '2026-06-08T10:00:00+07:00'), main::h('ioc', '2026-06-09T09:00:00+07:00'),
 main::h('xd', '2026-06-09T09:30:00+07:00')]
--- pipelined_requests eval
[main::photo_report('2026-06-08T08:00:00+07:00', '{"content":"Bờ kè sông sạt lở, chưa rõ đơn vị quản lý","lat":10.24,"lng":105.96,"reporter_name":"Nguyễn Thị U","reporter_phone":"0912347221"}'),
 main::act('VL-21', action => 'verify'), main::act('VL-21', action => 'receive'),
 main::act('VL-21', action => 'dispatch', agencies => ['so-xd']),
 main::act('VL-21', action => 'escalate', message => 'Đề nghị UBND tỉnh chỉ đạo.'),
 main::act('VL-21', action => 'escalate', message => 'Các sở chưa thống nhất đơn vị quản lý bờ kè; báo cáo UBND tỉnh.'),
 main::act('VL-21', action => 'dispatch', agencies => ['so-nnmt'], message => 'Theo chỉ đạo của UBND tỉnh.'),
 "GET /api/v1/reports/VL-21"]
--- error_code eval
[201, 200, 200, 200, 403, 200, 200, 200]
--- response_body_like eval
['"id":"VL-21"', '"status":"verified"', '"status":"received"', '"status":"dispatched"',
 '^\{"error":\{"code":"forbidden","message":"your role may not take this action"\}\}$',
 '"status":"escalated".*' . main::dls(0,
  ['receive', '2026-06-08T09:30', 'met'], ['dispatch', '2026-06-08T10:00', 'met'],
  ['accept@so-xd', '2026-06-08T10:30', 'met'], ['verify', '2026-06-10T08:00', 'met'],
  ['resolve@so-xd', '2026-06-16T09:30', 'met']),
 '"status":"dispatched".*"agencies":\["so-nnmt"\],"lead":"so-nnmt".*' . main::dls(0,
  ['receive', '2026-06-08T09:30', 'met'], ['dispatch', '2026-06-08T10:00', 'met'],
  ['accept@so-xd', '2026-06-08T10:30', 'met'], ['accept@so-nnmt', '2026-06-09T10:00', 'open'],
  ['verify', '2026-06-10T08:00', 'met'], ['resolve@so-xd', '2026-06-16T09:30', 'met'],
  ['resolve@so-nnmt', '2026-06-17T09:00', 'open']),
 '^\{"id":"VL-21","status":"dispatched","former_agency":true,"with":"agency","returns":\[\],"agencies":\["so-nnmt"\],"updated_at":"2026-06-09T09:00:00\+07:00"\}$']



=== TEST 19: a sensitive report is never published: received as sensitive Wednesday 10/6, dispatched, handled, "published": for the reporter alone; the public never sees it
--- more_headers eval
[main::hm('', '2026-06-10T08:00:00+07:00') . "\nX-PA-Test-Id: VL-22\nX-PA-Test-Token: token-vl25-report-22",
 main::h('ioc', '2026-06-10T08:30:00+07:00'), main::h('ioc', '2026-06-10T09:00:00+07:00'),
 main::h('ioc', '2026-06-10T09:30:00+07:00'), main::h('nnmt', '2026-06-10T10:00:00+07:00'),
 main::h('nnmt', '2026-06-11T09:00:00+07:00'), main::h('ioc', '2026-06-11T10:00:00+07:00'),
 main::h('', '2026-06-11T10:10:00+07:00'), main::h('', '2026-06-11T10:10:00+07:00')]
--- pipelined_requests eval
[main::photo_report('2026-06-10T08:00:00+07:00', '{"content":"Cơ sở nuôi trồng xả thải ra sông vào ban đêm, có người bao che","lat":10.26,"lng":105.98,"reporter_name":"Lê Văn V","reporter_phone":"0912347222"}'),
 main::act('VL-22', action => 'verify'),
 main::act('VL-22', action => 'receive', sensitive => JSON::PP::true),
 main::act('VL-22', action => 'dispatch', agencies => ['so-nnmt']),
 main::act('VL-22', action => 'accept'),
 main::act('VL-22', action => 'resolve', summary => 'Đã kiểm tra, xử phạt cơ sở xả thải.'),
 main::act('VL-22', action => 'publish'),
 "GET /api/v1/public/reports/VL-22", "GET /api/v1/public/reports"]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200, 404, 200]
--- response_body_like eval
['"id":"VL-22"', '"status":"verified"', '"status":"received".*"sensitive":true',
 '"status":"dispatched".*' . main::dls(0,
  ['receive', '2026-06-10T09:30', 'met'], ['dispatch', '2026-06-10T10:00', 'met'],
  ['accept@so-nnmt', '2026-06-10T10:30', 'open'], ['verify', '2026-06-12T08:00', 'met'],
  ['resolve@so-nnmt', '2026-06-18T09:30', 'open']),
 '"status":"in_progress"', '"status":"under_review"',
 '"status":"resolved".*"published":false',
 '"code":"not_found"', '^(?!.*VL-22)\{"items":\[\{']
