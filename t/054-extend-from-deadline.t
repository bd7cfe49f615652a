# An extension ("gia hạn") adds working days to the handling deadline in
# force, not to "now" (LC26 Đ14 and VL Đ15: the extended time is the
# deadline's).  Counted from now, an agency asking early for 2 more days
# got an earlier date than it had (a 400), or less than it asked.  With
# the shipped Lai Châu 2026 profile and its calendar (holidays 27/4, 30/4,
# 1/5 2026); a deadline already missed counts from now.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;

life('laichau-2026', 't_extd',
     ioc => ['ioc'],
     xd  => ['handler', 'so-xd']);

run_tests();

__DATA__

=== TEST 1: dispatched Mon 20/4 08:30: 5 working days (27/4 off) end Tue 28/4 08:30; "days": 2 asked on 21/4 end Mon 4/5 08:30 (30/4, 1/5 and the weekend skipped)
--- more_headers eval
[main::h('', '2026-04-20T08:00:00+07:00') . "\nX-PA-Test-Id: ED-1\nX-PA-Test-Token: token-ed-1",
 (map { main::h('ioc', '2026-04-20T08:30:00+07:00') } 1 .. 3),
 (map { main::h('xd', '2026-04-21T09:00:00+07:00') } 1 .. 2)]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Đường nội thị bị ngập sau mưa","lat":22.39,"lng":103.45,"reporter_name":"Lò Văn E","reporter_phone":"0912345541"}',
 main::act('ED-1', action => 'verify'), main::act('ED-1', action => 'receive'),
 main::act('ED-1', action => 'dispatch', agencies => ['so-xd']),
 main::act('ED-1', action => 'accept'),
 main::act('ED-1', action => 'extend', reason => 'Chờ vật tư', days => 2)]
--- error_code eval
[201, 200, 200, 200, 200, 200]
--- response_body_like eval
['"id":"ED-1"', '"status":"verified"', '"status":"received"',
 '"status":"dispatched".*\{"step":"resolve","due":"2026-04-28T08:30:00\+07:00","agency":"so-xd","overdue":false\}',
 '"status":"in_progress"',
 '"status":"in_progress".*\{"step":"resolve","due":"2026-05-04T08:30:00\+07:00","agency":"so-xd","overdue":false\}']



=== TEST 2: the history says the date granted
--- more_headers eval
main::h('ioc', '2026-04-21T10:00:00+07:00')
--- request
GET /api/v1/reports/ED-1/history
--- error_code: 200
--- response_body_like eval
'"action":"extend","from":"in_progress","to":"in_progress","note":"Chờ vật tư","extension":"granted","agency":"so-xd","until":"2026-05-04T08:30:00\+07:00"\}\]$'



=== TEST 3: a deadline already missed (Mon 8/6 08:30): "days": 2 asked on Wed 10/6 09:00 count from then, Fri 12/6 09:00
--- more_headers eval
[main::h('', '2026-06-01T08:00:00+07:00') . "\nX-PA-Test-Id: ED-2\nX-PA-Test-Token: token-ed-2",
 (map { main::h('ioc', '2026-06-01T08:30:00+07:00') } 1 .. 3),
 main::h('xd', '2026-06-01T09:00:00+07:00'),
 main::h('xd', '2026-06-10T09:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Biển báo giao thông bị đổ","lat":22.39,"lng":103.45,"reporter_name":"Lò Thị F","reporter_phone":"0912345542"}',
 main::act('ED-2', action => 'verify'), main::act('ED-2', action => 'receive'),
 main::act('ED-2', action => 'dispatch', agencies => ['so-xd']),
 main::act('ED-2', action => 'accept'),
 main::act('ED-2', action => 'extend', reason => 'Chờ vật tư', days => 2)]
--- error_code eval
[201, 200, 200, 200, 200, 200]
--- response_body_like eval
['"id":"ED-2"', '"status":"verified"', '"status":"received"',
 '"status":"dispatched".*\{"step":"resolve","due":"2026-06-08T08:30:00\+07:00","agency":"so-xd","overdue":false\}',
 '"status":"in_progress"',
 '"status":"in_progress".*\{"step":"resolve","due":"2026-06-12T09:00:00\+07:00","agency":"so-xd"']

