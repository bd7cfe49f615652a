# Lai Châu 2026 (QĐ 135/QĐ-UBND), the shipped profile: a report's whole
# life through the API with X-PA-Now, every deadline on the working
# calendar (07:30-11:30, 13:30-17:00, Mon-Fri, Tết 14-22/2/2026 off), an
# overdue accept step, a supplement timeout, urgent reports (category and
# the IOC's flag, 1 hour wall-clock), every action refused for a wrong role
# (403) or state (409), a hidden report still going overdue, statistics.
# Blocks run in order and each sweep sees the whole tenant: the reports
# follow one another in time so that every count is exact.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;

life('laichau-2026', 't_lc26',
     ioc        => ['ioc'],
     supervisor => ['supervisor'],
     xd         => ['handler', 'so-xd'],
     ward       => ['handler', 'phuong-tan-phong'],
     nnmt       => ['handler', 'so-nnmt'],
     pccc       => ['handler', 'pccc'],
     leader     => ['leader', 'so-xd'],
     coord      => ['coordinator', 'so-xd']);

run_tests();

__DATA__

=== TEST 1: submitted Thursday 14:00: verification due in 2 working days, Monday 14:00
--- more_headers eval
main::h('', '2026-01-22T14:00:00+07:00') . "\nX-PA-Test-Id: LC-1\nX-PA-Test-Token: token-lc26-report-1"
--- request
POST /api/v1/reports
{"content":"Ổ gà lớn giữa đường Trần Phú","title":"Ổ gà","category":"traffic","lat":22.396,"lng":103.458,"reporter_name":"Lò Văn A","reporter_phone":"0912345001"}
--- error_code: 201
--- response_body_like: ^\{"id":"LC-1","status":"submitted","access_token":"token-lc26-report-1","urgent":false,"media":\[\],"deadlines":\[\{"step":"verify","due":"2026-01-26T14:00:00\+07:00"\}\],



=== TEST 2: verified Thursday 15:00 -> received by Friday 15:00; received Friday 15:00 -> dispatched by Monday 15:00
--- more_headers eval
[main::h('ioc', '2026-01-22T15:00:00+07:00'), main::h('ioc', '2026-01-23T15:00:00+07:00')]
--- pipelined_requests eval
[main::act('LC-1', action => 'verify'),
 main::act('LC-1', action => 'receive', content => 'Ổ gà lớn giữa đường Trần Phú, phường Tân Phong')]
--- error_code eval
[200, 200]
--- response_body_like eval
['"status":"verified".*' . main::dls(0, ['receive', '2026-01-23T15:00', 'open'], ['verify', '2026-01-26T14:00', 'met']),
 '"status":"received".*' . main::dls(0, ['receive', '2026-01-23T15:00', 'met'], ['verify', '2026-01-26T14:00', 'met'], ['dispatch', '2026-01-26T15:00', 'open'])]



=== TEST 3: dispatched Monday 09:00 to two agencies: each accepts within 1 day, handles within 5 working days
--- more_headers eval
main::h('ioc', '2026-01-26T09:00:00+07:00')
--- request eval
main::act('LC-1', action => 'dispatch', agencies => ['so-xd', 'phuong-tan-phong'])
--- error_code: 200
--- response_body_like eval
'"status":"dispatched".*"agencies":\["so-xd","phuong-tan-phong"\],"lead":"so-xd","dispatched_at":"2026-01-26T09:00:00\+07:00".*' . main::dls(0,
  ['receive', '2026-01-23T15:00', 'met'], ['verify', '2026-01-26T14:00', 'met'],
  ['dispatch', '2026-01-26T15:00', 'met'],
  ['accept@phuong-tan-phong', '2026-01-27T09:00', 'open'], ['accept@so-xd', '2026-01-27T09:00', 'open'],
  ['resolve@phuong-tan-phong', '2026-02-02T09:00', 'open'], ['resolve@so-xd', '2026-02-02T09:00', 'open'])



=== TEST 4: both agencies accept in time; the lead resolves Thursday 16:00 -> publish due Friday 16:00
--- more_headers eval
[main::h('xd', '2026-01-26T14:00:00+07:00'), main::h('ward', '2026-01-27T08:00:00+07:00'),
 main::h('xd', '2026-01-29T16:00:00+07:00')]
--- pipelined_requests eval
[main::act('LC-1', action => 'accept'), main::act('LC-1', action => 'accept'),
 main::act('LC-1', action => 'resolve', summary => 'Đã vá ổ gà, hoàn trả mặt đường.', salutation => 'Ông')]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"status":"in_progress"', '"status":"in_progress"',
 '"status":"under_review".*' . main::dls(0,
  ['receive', '2026-01-23T15:00', 'met'], ['verify', '2026-01-26T14:00', 'met'],
  ['dispatch', '2026-01-26T15:00', 'met'],
  ['accept@phuong-tan-phong', '2026-01-27T09:00', 'met'], ['accept@so-xd', '2026-01-27T09:00', 'met'],
  ['publish', '2026-01-30T16:00', 'open'],
  ['resolve@phuong-tan-phong', '2026-02-02T09:00', 'met'], ['resolve@so-xd', '2026-02-02T09:00', 'met'])]



=== TEST 5: published Friday 09:00; the reporter rates it and comments at 15:00 -> reply due Monday 15:00
--- more_headers eval
[main::h('ioc', '2026-01-30T09:00:00+07:00'), main::h('r:token-lc26-report-1', '2026-01-30T10:00:00+07:00'),
 main::h('r:token-lc26-report-1', '2026-01-30T15:00:00+07:00')]
--- pipelined_requests eval
[main::act('LC-1', action => 'publish'), main::act('LC-1', action => 'rate', rating => 'satisfied'),
 main::act('LC-1', action => 'comment', text => 'Đoạn bên cạnh vẫn còn một ổ gà nhỏ.')]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"status":"resolved".*"published":true.*"published_at":"2026-01-30T09:00:00\+07:00"',
 '"status":"resolved".*"rating":"satisfied"',
 '"status":"resolved".*\{"step":"reply","due":"2026-02-02T15:00:00\+07:00","comment_id":"1","overdue":false\}\],"overdue":false']



=== TEST 6: the lead agency replies Monday 09:00: every step of the life met
--- more_headers eval
[main::h('xd', '2026-02-02T09:00:00+07:00'), main::h('supervisor', '2026-02-02T10:00:00+07:00')]
--- pipelined_requests eval
[main::act('LC-1', action => 'reply', comment_id => 1, text => 'Chúng tôi đã cử đội kiểm tra và xử lý trong tuần.'),
 "GET /api/v1/reports/LC-1"]
--- error_code eval
[200, 200]
--- response_body_like eval
['"status":"resolved"',
 '"status":"resolved".*' . main::dls(0,
  ['receive', '2026-01-23T15:00', 'met'], ['verify', '2026-01-26T14:00', 'met'],
  ['dispatch', '2026-01-26T15:00', 'met'],
  ['accept@phuong-tan-phong', '2026-01-27T09:00', 'met'], ['accept@so-xd', '2026-01-27T09:00', 'met'],
  ['publish', '2026-01-30T16:00', 'met'],
  ['resolve@phuong-tan-phong', '2026-02-02T09:00', 'met'], ['resolve@so-xd', '2026-02-02T09:00', 'met'],
  ['reply#1', '2026-02-02T15:00', 'met'])]



=== TEST 7: the history holds the whole life in order
--- more_headers eval
main::h('ioc', '2026-02-02T10:00:00+07:00')
--- request
GET /api/v1/reports/LC-1/history
--- error_code: 200
--- response_body_like: ^\[\{[^{}]*"action":"submit","from":null,"to":"submitted"[^{}]*\},\{[^{}]*"action":"verify","from":"submitted","to":"verified"[^{}]*\},\{[^{}]*"action":"receive","from":"verified","to":"received"[^{}]*\},\{[^{}]*"action":"dispatch","from":"received","to":"dispatched"[^{}]*\},\{[^{}]*"action":"accept","from":"dispatched","to":"in_progress"[^{}]*\},\{[^{}]*"action":"accept","from":"in_progress","to":"in_progress"[^{}]*\},\{[^{}]*"action":"resolve","from":"in_progress","to":"under_review"[^{}]*\},\{[^{}]*"action":"publish","from":"under_review","to":"resolved"[^{}]*\},\{[^{}]*"action":"rate","from":"resolved","to":"resolved"[^{}]*\},\{[^{}]*"action":"comment","from":"resolved","to":"resolved"[^{}]*\},\{[^{}]*"action":"reply","from":"resolved","to":"resolved"[^{}]*\}\]$



=== TEST 8: Tết: submitted Thursday 12/2 08:00, verification due Monday 23/2 08:00 (14-22/2 off)
--- more_headers eval
main::h('', '2026-02-12T08:00:00+07:00') . "\nX-PA-Test-Id: LC-2\nX-PA-Test-Token: token-lc26-report-2"
--- request
POST /api/v1/reports
{"content":"Rác thải đổ trộm bên suối","category":"environment","lat":22.40,"lng":103.46,"reporter_name":"Giàng Thị B","reporter_phone":"0912345002"}
--- error_code: 201
--- response_body_like: "deadlines":\[\{"step":"verify","due":"2026-02-23T08:00:00\+07:00"\}\]



=== TEST 9: dispatched (late) Friday 13/2 10:00, before Tết: accept due Monday 23/2 10:00, handling Friday 27/2 10:00
--- more_headers eval
[main::h('ioc', '2026-02-12T08:10:00+07:00'), main::h('ioc', '2026-02-12T08:20:00+07:00'),
 main::h('ioc', '2026-02-13T10:00:00+07:00')]
--- pipelined_requests eval
[main::act('LC-2', action => 'verify'), main::act('LC-2', action => 'receive'),
 main::act('LC-2', action => 'dispatch', agencies => ['so-nnmt'])]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"status":"verified".*\{"step":"receive","due":"2026-02-13T08:10:00\+07:00","overdue":false\}',
 '"status":"received".*\{"step":"dispatch","due":"2026-02-13T08:20:00\+07:00","overdue":false\}',
 '"status":"dispatched".*' . main::dls(0,
  ['receive', '2026-02-13T08:10', 'met'], ['dispatch', '2026-02-13T08:20', 'late'],
  ['verify', '2026-02-23T08:00', 'met'],
  ['accept@so-nnmt', '2026-02-23T10:00', 'open'], ['resolve@so-nnmt', '2026-02-27T10:00', 'open'])]



=== TEST 10: the accept deadline passes: not at 10:00:00 sharp, one second later the sweep marks it
--- more_headers eval
[main::h('', '2026-02-23T10:00:00+07:00'), main::h('', '2026-02-23T10:00:01+07:00'),
 main::h('ioc', '2026-02-23T11:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/admin/sweep", "POST /api/v1/admin/sweep", "GET /api/v1/reports/LC-2"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['^\{"overdue":0,"rejected":0,"notices":0,"unlocked":0,"archived":0\}$',
 '^\{"overdue":1,"rejected":0,"notices":0,"unlocked":0,"archived":0\}$',
 '"status":"dispatched".*\{"step":"accept","due":"2026-02-23T10:00:00\+07:00","agency":"so-nnmt","overdue":true\},\{"step":"resolve","due":"2026-02-27T10:00:00\+07:00","agency":"so-nnmt","overdue":false\}\],"overdue":true']



=== TEST 11: ... the overdue list of the agency's queue and the event stream have it
--- init
Test::More::like(main::redis('XRANGE', 'pa:{t_lc26}:events', '-', '+'),
    qr/^type\noverdue\nid\nLC-2\nstep\naccept\nkey\naccept\@so-nnmt\nagency\nso-nnmt\nurgent\n0\ndue\n1771815600\nat\n1771815601$/m,
    'overdue event for the notifiers');
--- more_headers eval
main::h('nnmt', '2026-02-23T11:00:00+07:00')
--- request
GET /api/v1/queue?overdue=1
--- error_code: 200
--- response_body_like: "id":"LC-2"



=== TEST 12: accepted late, handled late (Monday 2/3): both recorded as not met; published; rated "unsatisfied": the IOC reopens it to the same agency with a new handling time (5 working days from the reopening), handled again, published again
--- more_headers eval
[main::h('nnmt', '2026-02-23T14:00:00+07:00'), main::h('nnmt', '2026-03-02T09:00:00+07:00'),
 main::h('ioc', '2026-03-02T10:00:00+07:00'), main::h('r:token-lc26-report-2', '2026-03-02T11:00:00+07:00'),
 main::h('ioc', '2026-03-02T14:00:00+07:00'), main::h('nnmt', '2026-03-03T09:00:00+07:00'),
 main::h('ioc', '2026-03-03T10:00:00+07:00'), main::h('', '2026-03-03T10:00:00+07:00')]
--- pipelined_requests eval
[main::act('LC-2', action => 'accept'),
 main::act('LC-2', action => 'resolve', summary => 'Đã thu gom rác và lắp biển cấm đổ rác.'),
 main::act('LC-2', action => 'publish'),
 main::act('LC-2', action => 'rate', rating => 'unsatisfied'),
 main::act('LC-2', action => 'reopen', message => 'Người phản ánh cho biết rác vẫn bị đổ lại.'),
 main::act('LC-2', action => 'resolve', summary => 'Đã lắp camera giám sát điểm đổ rác.'),
 main::act('LC-2', action => 'publish'),
 "GET /api/v1/public/reports/LC-2"]
--- error_code eval
[200, 200, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"status":"in_progress".*\{"step":"accept","due":"2026-02-23T10:00:00\+07:00","agency":"so-nnmt","met":false,"overdue":true\},\{"step":"resolve","due":"2026-02-27T10:00:00\+07:00","agency":"so-nnmt","overdue":false\}\],"overdue":false',
 '"status":"under_review".*' . main::dls(0,
  ['receive', '2026-02-13T08:10', 'met'], ['dispatch', '2026-02-13T08:20', 'late'],
  ['verify', '2026-02-23T08:00', 'met'], ['accept@so-nnmt', '2026-02-23T10:00', 'late'],
  ['resolve@so-nnmt', '2026-02-27T10:00', 'late'], ['publish', '2026-03-03T09:00', 'open']),
 '"status":"resolved"',
 '"rating":"unsatisfied".*\{"step":"review_rating","due":"2026-03-03T11:00:00\+07:00","overdue":false\}',
 '"status":"in_progress".*"published":false.*\{"step":"review_rating","due":"2026-03-03T11:00:00\+07:00","met":true,"overdue":false\},\{"step":"resolve","due":"2026-03-09T14:00:00\+07:00","agency":"so-nnmt","overdue":false\}',
 '"status":"under_review".*"summary":"Đã lắp camera[^"]*".*\{"step":"resolve","due":"2026-03-09T14:00:00\+07:00","agency":"so-nnmt","met":true,"overdue":false\}',
 '"status":"resolved".*"published":true',
 '^\{"id":"LC-2","status":"resolved",.*Đã lắp camera giám sát điểm đổ rác']



=== TEST 13: supplement requested Monday 2/3 09:00: due Wednesday 4/3 09:00
--- more_headers eval
[main::h('', '2026-03-02T08:00:00+07:00') . "\nX-PA-Test-Id: LC-3\nX-PA-Test-Token: token-lc26-report-3",
 main::h('ioc', '2026-03-02T09:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Cột điện nghiêng","lat":22.39,"lng":103.45,"reporter_name":"Tòng Văn C","reporter_phone":"0912345003"}',
 main::act('LC-3', action => 'request_info', message => 'Đề nghị gửi ảnh chụp rõ cột điện và vị trí.')]
--- error_code eval
[201, 200]
--- response_body_like eval
['"deadlines":\[\{"step":"verify","due":"2026-03-04T08:00:00\+07:00"\}\]',
 '"status":"needs_info".*' . main::dls(0, ['verify', '2026-03-04T08:00', 'met'], ['supplement', '2026-03-04T09:00', 'open'])]



=== TEST 14: two working days pass without the supplement: the sweep rejects it (supplement_timeout)
--- more_headers eval
[main::h('', '2026-03-04T09:00:00+07:00'), main::h('', '2026-03-04T09:00:01+07:00'),
 main::h('r:token-lc26-report-3', '2026-03-04T10:00:00+07:00'),
 main::h('r:token-lc26-report-3', '2026-03-04T10:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/admin/sweep", "POST /api/v1/admin/sweep", "GET /api/v1/reports/LC-3",
 main::act('LC-3', action => 'supplement', content => 'Ảnh bổ sung')]
--- error_code eval
[200, 200, 200, 409]
--- response_body_like eval
['^\{"overdue":0,"rejected":0,"notices":0,"unlocked":0,"archived":0\}$',
 '^\{"overdue":0,"rejected":1,"notices":0,"unlocked":0,"archived":0\}$',
 '"status":"rejected".*"reject_reason":"supplement_timeout".*' . main::dls(0, ['verify', '2026-03-04T08:00', 'met'], ['supplement', '2026-03-04T09:00', 'late']) . ',"messages":\[\{"at":"2026-03-02T09:00:00\+07:00","action":"request_info","status":"needs_info","note":"Đề nghị gửi ảnh chụp rõ cột điện và vị trí."\},\{"at":"2026-03-04T09:00:01\+07:00","action":"reject","status":"rejected","note":"Phản ánh không đủ điều kiện tiếp nhận: thông tin bổ sung không được gửi trong thời hạn 02 ngày làm việc.","reject_reason":"supplement_timeout"\}\]\}$',
 '"code":"invalid_transition"']



=== TEST 15: the rejection is the system's in the staff history
--- more_headers eval
main::h('ioc', '2026-03-04T10:00:00+07:00')
--- request
GET /api/v1/reports/LC-3/history
--- error_code: 200
--- response_body_like: \{"at":"2026-03-04T09:00:01\+07:00","role":"system","actor":"sweeper","action":"reject","from":"needs_info","to":"rejected","note":"Phản ánh không đủ điều kiện tiếp nhận[^"]*","reject_reason":"supplement_timeout"\}\]$



=== TEST 16: urgent by its category (fire), Saturday 22:00: every step within 1 wall-clock hour
--- more_headers eval
[main::h('', '2026-03-07T22:00:00+07:00') . "\nX-PA-Test-Id: LC-4\nX-PA-Test-Token: token-lc26-report-4",
 main::h('ioc', '2026-03-07T22:10:00+07:00'), main::h('ioc', '2026-03-07T22:20:00+07:00'),
 main::h('ioc', '2026-03-07T22:30:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Cháy nhà dân ở bản Thẩm Phé","category":"fire","lat":22.41,"lng":103.47,"reporter_name":"Lò Thị D","reporter_phone":"0912345004"}',
 main::act('LC-4', action => 'verify'), main::act('LC-4', action => 'receive'),
 main::act('LC-4', action => 'dispatch', agencies => ['pccc'])]
--- error_code eval
[201, 200, 200, 200]
--- response_body_like eval
['"urgent":true,"media":\[\],"deadlines":\[\{"step":"verify","due":"2026-03-07T23:00:00\+07:00"\}\]',
 '"status":"verified".*\{"step":"receive","due":"2026-03-07T23:10:00\+07:00","overdue":false\}',
 '"status":"received".*\{"step":"dispatch","due":"2026-03-07T23:20:00\+07:00","overdue":false\}',
 '"status":"dispatched".*"urgent":true.*' . main::dls(0,
  ['verify', '2026-03-07T23:00', 'met'], ['receive', '2026-03-07T23:10', 'met'],
  ['dispatch', '2026-03-07T23:20', 'met'],
  ['accept@pccc', '2026-03-07T23:30', 'open'], ['resolve@pccc', '2026-03-07T23:30', 'open'])]



=== TEST 17: ... confirmed, handled and published within the night
--- more_headers eval
[main::h('pccc', '2026-03-07T22:40:00+07:00'), main::h('pccc', '2026-03-07T23:10:00+07:00'),
 main::h('ioc', '2026-03-07T23:50:00+07:00')]
--- pipelined_requests eval
[main::act('LC-4', action => 'accept'),
 main::act('LC-4', action => 'resolve', summary => 'Đã dập tắt đám cháy, không có thương vong.'),
 main::act('LC-4', action => 'publish')]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"status":"in_progress"',
 '"status":"under_review".*\{"step":"publish","due":"2026-03-08T00:10:00\+07:00","overdue":false\}',
 '"status":"resolved".*' . main::dls(0,
  ['verify', '2026-03-07T23:00', 'met'], ['receive', '2026-03-07T23:10', 'met'],
  ['dispatch', '2026-03-07T23:20', 'met'],
  ['accept@pccc', '2026-03-07T23:30', 'met'], ['resolve@pccc', '2026-03-07T23:30', 'met'],
  ['publish', '2026-03-08T00:10', 'met'])]



=== TEST 18: an ordinary report made urgent by the IOC at receipt, Monday 16:50: dispatch by 17:50, not next day
--- more_headers eval
[main::h('', '2026-03-09T16:30:00+07:00') . "\nX-PA-Test-Id: LC-5\nX-PA-Test-Token: token-lc26-report-5",
 main::h('ioc', '2026-03-09T16:40:00+07:00'), main::h('ioc', '2026-03-09T16:50:00+07:00'),
 main::h('ioc', '2026-03-09T17:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Sạt lở taluy dương lấn ra đường","category":"traffic","lat":22.38,"lng":103.44,"reporter_name":"Vàng Văn E","reporter_phone":"0912345005"}',
 main::act('LC-5', action => 'verify'),
 main::act('LC-5', action => 'receive', urgent => JSON::PP::true),
 main::act('LC-5', action => 'dispatch', agencies => ['so-xd'])]
--- error_code eval
[201, 200, 200, 200]
--- response_body_like eval
['"urgent":false,"media":\[\],"deadlines":\[\{"step":"verify","due":"2026-03-11T16:30:00\+07:00"\}\]',
 '"status":"verified".*\{"step":"receive","due":"2026-03-10T16:40:00\+07:00","overdue":false\}',
 '"status":"received".*"urgent":true.*\{"step":"dispatch","due":"2026-03-09T17:50:00\+07:00","overdue":false\}',
 '"status":"dispatched".*' . main::dls(0,
  ['dispatch', '2026-03-09T17:50', 'met'],
  ['accept@so-xd', '2026-03-09T18:00', 'open'], ['resolve@so-xd', '2026-03-09T18:00', 'open'],
  ['receive', '2026-03-10T16:40', 'met'], ['verify', '2026-03-11T16:30', 'met'])]



=== TEST 19: ... handled within the hour, after office hours, and published
--- more_headers eval
[main::h('xd', '2026-03-09T17:10:00+07:00'), main::h('xd', '2026-03-09T17:40:00+07:00'),
 main::h('ioc', '2026-03-09T17:50:00+07:00')]
--- pipelined_requests eval
[main::act('LC-5', action => 'accept'),
 main::act('LC-5', action => 'resolve', summary => 'Đã rào chắn, bố trí người hướng dẫn giao thông.'),
 main::act('LC-5', action => 'publish')]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"status":"in_progress"', '"status":"under_review".*\{"step":"publish","due":"2026-03-09T18:40:00\+07:00","overdue":false\}',
 '"status":"resolved"']



=== TEST 20: a hidden report keeps its clock: dispatched Tuesday 08:30, hidden, its accept step goes overdue
--- more_headers eval
[main::h('', '2026-03-10T08:00:00+07:00') . "\nX-PA-Test-Id: LC-6\nX-PA-Test-Token: token-lc26-report-6",
 main::h('ioc', '2026-03-10T08:10:00+07:00'), main::h('ioc', '2026-03-10T08:20:00+07:00'),
 main::h('ioc', '2026-03-10T08:30:00+07:00'), main::h('ioc', '2026-03-10T09:00:00+07:00'),
 main::h('', '2026-03-11T08:30:01+07:00'), main::h('ioc', '2026-03-11T09:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Nội dung phản cảm kèm ảnh vỉa hè bị lấn chiếm","category":"urban-order","lat":22.39,"lng":103.46,"reporter_name":"Sùng A F","reporter_phone":"0912345006"}',
 main::act('LC-6', action => 'verify'), main::act('LC-6', action => 'receive'),
 main::act('LC-6', action => 'dispatch', agencies => ['phuong-tan-phong']),
 main::act('LC-6', action => 'hide', reason => 'Ngôn từ không chuẩn mực (Điều 16)'),
 "POST /api/v1/admin/sweep", "GET /api/v1/reports/LC-6"]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"id":"LC-6"', '"status":"verified"', '"status":"received"', '"status":"dispatched"',
 '"hidden":true',
 '^\{"overdue":1,"rejected":0,"notices":0,"unlocked":0,"archived":0\}$',
 '"status":"dispatched".*"hidden":true.*' . main::dls(1,
  ['receive', '2026-03-11T08:10', 'met'], ['dispatch', '2026-03-11T08:20', 'met'],
  ['accept@phuong-tan-phong', '2026-03-11T08:30', 'over'], ['verify', '2026-03-12T08:00', 'met'],
  ['resolve@phuong-tan-phong', '2026-03-17T08:30', 'open'])]



=== TEST 21: every action by a role that may not take it: 403 forbidden (a supervisor only reads)
--- more_headers eval
my @a = qw(verify request_info supplement reject cancel receive dispatch
           coordinate identify accept return extend resolve approve send_back
           confirm publish review_return hide unhide forward_monitoring
           escalate rate comment reply flag_comment);
[map { main::h('supervisor', '2026-03-12T09:00:00+07:00') } @a]
--- pipelined_requests eval
my @a = qw(verify request_info supplement reject cancel receive dispatch
           coordinate identify accept return extend resolve approve send_back
           confirm publish review_return hide unhide forward_monitoring
           escalate rate comment reply flag_comment);
[map { main::act('LC-1', action => $_) } @a]
--- error_code eval
[(403) x 26]
--- response_body eval
[("{\"error\":{\"code\":\"forbidden\",\"message\":\"your role may not take this action\"}}\n") x 26]



=== TEST 22: ... the IOC may not take the reporter's, the agencies' or the coordinator's actions
--- more_headers eval
my @a = qw(supplement cancel rate comment accept return extend resolve reply
           approve send_back identify confirm);
[map { main::h('ioc', '2026-03-12T09:00:00+07:00') } @a]
--- pipelined_requests eval
my @a = qw(supplement cancel rate comment accept return extend resolve reply
           approve send_back identify confirm);
[map { main::act('LC-1', action => $_) } @a]
--- error_code eval
[(403) x 13]
--- response_body_like eval
[('"code":"forbidden"') x 13]



=== TEST 23: ... a handler not the IOC's, a leader not the handler's, a reporter none of the staff's
--- more_headers eval
[(map { main::h('xd', '2026-03-12T09:00:00+07:00') } 1 .. 13),
 (map { main::h('leader', '2026-03-12T09:00:00+07:00') } 1 .. 3),
 (map { main::h('xd', '2026-03-12T09:00:00+07:00') } 1 .. 2),
 (map { main::h('r:token-lc26-report-1', '2026-03-12T09:00:00+07:00') } 1 .. 8)]
--- pipelined_requests eval
[(map { main::act('LC-1', action => $_) } qw(verify request_info reject receive
     dispatch coordinate publish review_return hide unhide forward_monitoring
     escalate flag_comment)),
 (map { main::act('LC-1', action => $_) } qw(accept resolve reply)),
 (map { main::act('LC-1', action => $_) } qw(approve send_back)),
 (map { main::act('LC-1', action => $_) } qw(verify receive dispatch accept
     resolve publish reply hide))]
--- error_code eval
[(403) x 26]
--- response_body_like eval
[('"code":"forbidden"') x 26]



=== TEST 24: a new report, still submitted: what needs a later state is 409 invalid_transition
--- more_headers eval
[main::h('', '2026-03-12T08:00:00+07:00') . "\nX-PA-Test-Id: LC-7\nX-PA-Test-Token: token-lc26-report-7",
 (map { main::h('ioc', '2026-03-12T09:00:00+07:00') } 1 .. 6),
 (map { main::h('r:token-lc26-report-7', '2026-03-12T09:00:00+07:00') } 1 .. 3)]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Đèn đường không sáng","category":"lighting","lat":22.39,"lng":103.45,"reporter_name":"Hà Văn G","reporter_phone":"0912345007"}',
 main::act('LC-7', action => 'receive'),
 main::act('LC-7', action => 'dispatch', agencies => ['so-xd']),
 main::act('LC-7', action => 'coordinate', coordinator => 'so-xd'),
 main::act('LC-7', action => 'publish'),
 main::act('LC-7', action => 'review_return', message => 'Thiếu ảnh'),
 main::act('LC-7', action => 'forward_monitoring', message => 'Theo dõi'),
 main::act('LC-7', action => 'supplement', content => 'Bổ sung'),
 main::act('LC-7', action => 'rate', rating => 'satisfied'),
 main::act('LC-7', action => 'comment', text => 'Cảm ơn')]
--- error_code eval
[201, (409) x 9]
--- response_body_like eval
['"status":"submitted"', ('^\{"error":\{"code":"invalid_transition","message":"[^"]+"\}\}$') x 9]



=== TEST 25: ... and on the resolved report: 409 for every role's action that does not fit any more
--- more_headers eval
[(map { main::h('xd', '2026-03-12T09:00:00+07:00') } 1 .. 4),
 (map { main::h('leader', '2026-03-12T09:00:00+07:00') } 1 .. 2),
 (map { main::h('coord', '2026-03-12T09:00:00+07:00') } 1 .. 2),
 (map { main::h('ioc', '2026-03-12T09:00:00+07:00') } 1 .. 9),
 (map { main::h('r:token-lc26-report-1', '2026-03-12T09:00:00+07:00') } 1 .. 3)]
--- pipelined_requests eval
[main::act('LC-1', action => 'accept'),
 main::act('LC-1', action => 'return', kind => 'not_competent', message => 'Không thuộc thẩm quyền'),
 main::act('LC-1', action => 'extend', reason => 'Chờ vật tư', days => 2),
 main::act('LC-1', action => 'resolve', summary => 'Lại xong'),
 main::act('LC-1', action => 'approve'),
 main::act('LC-1', action => 'send_back', message => 'Làm lại'),
 main::act('LC-1', action => 'identify', agencies => ['so-xd']),
 main::act('LC-1', action => 'confirm', agree => JSON::PP::true),
 main::act('LC-1', action => 'verify'),
 main::act('LC-1', action => 'request_info', message => 'Thêm ảnh'),
 main::act('LC-1', action => 'reject', reason => 'other'),
 main::act('LC-1', action => 'receive'),
 main::act('LC-1', action => 'dispatch', agencies => ['so-xd']),
 main::act('LC-1', action => 'coordinate', coordinator => 'so-xd'),
 main::act('LC-1', action => 'publish'),
 main::act('LC-1', action => 'forward_monitoring', message => 'Theo dõi'),
 main::act('LC-1', action => 'escalate', message => 'Báo cáo UBND tỉnh'),
 main::act('LC-1', action => 'cancel'),
 main::act('LC-1', action => 'supplement', content => 'Bổ sung'),
 main::act('LC-1', action => 'rate', rating => 'acceptable')]
--- error_code eval
[(409) x 20]
--- response_body_like eval
[('^\{"error":\{"code":"invalid_transition","message":"[^"]+"\}\}$') x 20]



=== TEST 26: none of the refusals changed the report
--- more_headers eval
main::h('ioc', '2026-03-12T10:00:00+07:00')
--- request
GET /api/v1/reports/LC-1
--- error_code: 200
--- response_body_like: "status":"resolved",.*"updated_at":"2026-02-02T09:00:00\+07:00",.*"rating":"satisfied"



=== TEST 27: statistics of the quarter, from the deadlines' records: reports per owner, once
so-xd: LC-1 and LC-5 on time, one "satisfied"; phuong-tan-phong: LC-1 (not
the lead: on time, not resolved by it) and the hidden LC-6 still in hand,
overdue since the sweep saw its accept deadline pass; the IOC: LC-2
dispatched late, three reports published in time;
so-nnmt: LC-2 handled late, "unsatisfied" (0.0, but under the 10 ratings of
pa_stats_min_ratings: no low_satisfaction flag); pccc: the urgent LC-4.
--- more_headers eval
main::h('ioc', '2026-03-12T10:00:00+07:00')
--- request
GET /api/v1/stats?from=2026-01-01&to=2026-03-31
--- error_code: 200
--- response_body
{"from":"2026-01-01","to":"2026-03-31","min_ratings":10,"agencies":[{"agency":"ioc","name":"Trung tâm Giám sát, điều hành thông minh tỉnh Lai Châu","dispatched":0,"resolved":0,"on_time":3,"overdue":1,"extension_missed":0,"in_progress":1,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":["overdue"],"overdue_reports":["LC-2"]},{"agency":"pccc","name":"Phòng Cảnh sát PCCC và CNCH - Công an tỉnh Lai Châu","dispatched":1,"resolved":1,"on_time":1,"overdue":0,"extension_missed":0,"in_progress":0,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":[],"overdue_reports":[]},{"agency":"phuong-tan-phong","name":"UBND phường Tân Phong","dispatched":2,"resolved":0,"on_time":1,"overdue":1,"extension_missed":0,"in_progress":1,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":["overdue"],"overdue_reports":["LC-6"]},{"agency":"so-nnmt","name":"Sở Nông nghiệp và Môi trường tỉnh Lai Châu","dispatched":1,"resolved":1,"on_time":0,"overdue":1,"extension_missed":0,"in_progress":0,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":1},"satisfaction_rate":0.0,"flags":["overdue"],"overdue_reports":["LC-2"]},{"agency":"so-xd","name":"Sở Xây dựng tỉnh Lai Châu","dispatched":2,"resolved":2,"on_time":2,"overdue":0,"extension_missed":0,"in_progress":0,"ratings":{"satisfied":1,"acceptable":0,"unsatisfied":0},"satisfaction_rate":1.0,"flags":[],"overdue_reports":[]}]}



=== TEST 28: February alone: LC-2 was dispatched then and overdue from its missed accept (23/2), before it was handled (late) in March
--- more_headers eval
main::h('supervisor', '2026-03-12T10:00:00+07:00')
--- request
GET /api/v1/stats?from=2026-02-01&to=2026-02-28
--- error_code: 200
--- response_body_like: \{"agency":"so-nnmt","name":"[^"]+","dispatched":1,"resolved":0,"on_time":0,"overdue":1,"extension_missed":0,"in_progress":0,"ratings":\{[^}]*\},"satisfaction_rate":null,"flags":\["overdue"\],"overdue_reports":\["LC-2"\]\}



=== TEST 29: a sensitive report (received as such) is never published; an escalation is not a dead end: the superior's direction comes back as a dispatch
--- more_headers eval
[main::h('', '2026-03-16T08:00:00+07:00') . "\nX-PA-Test-Id: LC-20\nX-PA-Test-Token: token-lc26-report-20",
 (map { main::h('ioc', '2026-03-16T08:30:00+07:00') } 1 .. 3),
 main::h('ioc', '2026-03-16T09:00:00+07:00'),
 main::h('xd', '2026-03-16T10:00:00+07:00'), main::h('xd', '2026-03-16T15:00:00+07:00'),
 main::h('ioc', '2026-03-16T16:00:00+07:00'), main::h('', '2026-03-16T16:10:00+07:00'),
 main::h('r:token-lc26-report-20', '2026-03-16T16:10:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Công trình trái phép trong khu vực quân sự","lat":22.39,"lng":103.45,"reporter_name":"Lý Văn S","reporter_phone":"0912345020"}',
 main::act('LC-20', action => 'verify'),
 main::act('LC-20', action => 'receive', sensitive => JSON::PP::true),
 main::act('LC-20', action => 'escalate', message => 'Các cơ quan không thống nhất: báo cáo UBND tỉnh.'),
 main::act('LC-20', action => 'dispatch', agencies => ['so-xd'], message => 'Theo chỉ đạo của UBND tỉnh.'),
 main::act('LC-20', action => 'accept'),
 main::act('LC-20', action => 'resolve', summary => 'Đã lập biên bản, đình chỉ thi công.'),
 main::act('LC-20', action => 'publish'),
 "GET /api/v1/public/reports/LC-20", "GET /api/v1/reports/LC-20"]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200, 200, 404, 200]
--- response_body_like eval
['"id":"LC-20"', '"status":"verified"', '"status":"received".*"sensitive":true',
 '"status":"escalated"',
 '"status":"dispatched".*"lead":"so-xd".*' . main::dls(0,
  ['dispatch', '2026-03-17T08:30', 'met'], ['receive', '2026-03-17T08:30', 'met'],
  ['accept@so-xd', '2026-03-17T09:00', 'open'], ['verify', '2026-03-18T08:00', 'met'],
  ['resolve@so-xd', '2026-03-23T09:00', 'open']),
 '"status":"in_progress"', '"status":"under_review"',
 '"status":"resolved".*"published":false', '"code":"not_found"',
 '"status":"resolved".*"rendered":"[^"]*Đã lập biên bản']



=== TEST 30: extending asks for a later date: one not after the current handling deadline, or more than a year away, is a 400 that says so; "days" count past the current deadline (from 03-24 08:30: 2 working days, not 2 from now); one extension per agency (beyond pa_extend_max: t/184)
--- more_headers eval
[main::h('', '2026-03-17T08:00:00+07:00') . "\nX-PA-Test-Id: LC-21\nX-PA-Test-Token: token-lc26-report-21",
 (map { main::h('ioc', '2026-03-17T08:30:00+07:00') } 1 .. 3),
 (map { main::h('xd', '2026-03-17T09:00:00+07:00') } 1 .. 5)]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Vỉa hè bị đào bới không hoàn trả","lat":22.39,"lng":103.45,"reporter_name":"Lý Thị T","reporter_phone":"0912345021"}',
 main::act('LC-21', action => 'verify'), main::act('LC-21', action => 'receive'),
 main::act('LC-21', action => 'dispatch', agencies => ['so-xd']),
 main::act('LC-21', action => 'accept'),
 main::act('LC-21', action => 'extend', reason => 'Chờ vật tư', until => '2026-03-20T09:00:00+07:00'),
 main::act('LC-21', action => 'extend', reason => 'Chờ vật tư', until => '2027-03-20T09:00:00+07:00'),
 main::act('LC-21', action => 'extend', reason => 'Chờ vật tư', days => 2),
 main::act('LC-21', action => 'extend', reason => 'Chờ vật tư', until => '2026-03-27T09:00:00+07:00')]
--- error_code eval
[201, 200, 200, 200, 200, 400, 400, 200, 409]
--- response_body_like eval
['"id":"LC-21"', '"status":"verified"', '"status":"received"',
 '"status":"dispatched".*\{"step":"resolve","due":"2026-03-24T08:30:00\+07:00","agency":"so-xd","overdue":false\}',
 '"status":"in_progress"',
 '^\{"error":\{"code":"invalid_field","message":"the extension must end after the current handling deadline","field":"until"\}\}$',
 '^\{"error":\{"code":"invalid_field","message":"[^"]*365 days[^"]*","field":"until"\}\}$',
 '"status":"in_progress".*\{"step":"resolve","due":"2026-03-26T08:30:00\+07:00","agency":"so-xd","overdue":false\}',
 '"code":"invalid_transition"']



=== TEST 31: a supplement with a photo: the staff detail still has "flags" as a list on every media item (not {})
--- more_headers eval
[main::h('', '2026-03-18T08:00:00+07:00') . "\nX-PA-Test-Id: LC-22\nX-PA-Test-Token: token-lc26-report-22",
 main::h('ioc', '2026-03-18T08:30:00+07:00'),
 "X-PA-Now: 2026-03-18T09:00:00+07:00\nX-Report-Token: token-lc26-report-22\n$t::PaTest::Multipart",
 main::h('ioc', '2026-03-18T09:10:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Cây xanh gãy đổ ra đường","lat":22.39,"lng":103.45,"reporter_name":"Lý Văn U","reporter_phone":"0912345022"}',
 main::act('LC-22', action => 'request_info', message => 'Đề nghị gửi ảnh hiện trường.'),
 "POST /api/v1/reports/LC-22/actions\n" . t::PaTest::multipart(['payload', '{"action":"supplement","content":"Ảnh hiện trường"}'], ['media', 'noexif.jpg', 'image/jpeg']),
 "GET /api/v1/reports/LC-22"]
--- error_code eval
[201, 200, 200, 200]
--- response_body_like eval
['"id":"LC-22"', '"status":"needs_info"',
 '"status":"submitted".*"media":\[\{[^{}]*"type":"image/jpeg"[^{}]*"flags":\[[^\]]*\]',
 '"status":"submitted".*"media":\[\{[^{}]*"type":"image/jpeg"[^{}]*"flags":\[[^\]]*\]']
--- response_body_unlike eval
['"flags":\{', '"flags":\{', '"flags":\{', '"flags":\{']
