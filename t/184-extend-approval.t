# Issue 15: an agency cannot push its own deadline out of sight.  Within
# the profile's pa_extend_max an extension applies at once (t/110 TEST 30);
# beyond it the handler's request is recorded (history, event) and the
# deadline stays until the IOC answers with approve_extension or
# reject_extension.  Meanwhile a miss is a plain overdue; a granted
# extension missed is extension_missed, as before.  Shipped Lai Châu 2026
# profile (pa_extend_max 60 working days by default).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;

life('laichau-2026', 't_ext',
     ioc => ['ioc'],
     xd  => ['handler', 'so-xd']);

run_tests();

__DATA__

=== TEST 1: beyond pa_extend_max the request waits for the IOC, the deadline unchanged; one request at a time; only the IOC grants it
--- more_headers eval
[main::h('', '2026-03-17T08:00:00+07:00') . "\nX-PA-Test-Id: AX-1\nX-PA-Test-Token: token-ax-1",
 (map { main::h('ioc', '2026-03-17T08:30:00+07:00') } 1 .. 3),
 (map { main::h('xd', '2026-03-17T09:00:00+07:00') } 1 .. 5),
 (map { main::h('ioc', '2026-03-18T10:00:00+07:00') } 1 .. 2)]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Sạt lở taluy đường tỉnh 129","lat":22.39,"lng":103.45,"reporter_name":"Lò Thị X","reporter_phone":"0912345181"}',
 main::act('AX-1', action => 'verify'), main::act('AX-1', action => 'receive'),
 main::act('AX-1', action => 'dispatch', agencies => ['so-xd']),
 main::act('AX-1', action => 'accept'),
 main::act('AX-1', action => 'extend', reason => 'Chờ vốn', until => '2999-01-01T09:00:00+07:00'),
 main::act('AX-1', action => 'extend', reason => 'Chờ vốn sửa chữa', until => '2026-07-20T09:00:00+07:00'),
 main::act('AX-1', action => 'extend', reason => 'Chờ vật tư', days => 2),
 main::act('AX-1', action => 'approve_extension'),
 main::act('AX-1', action => 'approve_extension', message => 'Đồng ý'),
 main::act('AX-1', action => 'approve_extension')]
--- error_code eval
[201, 200, 200, 200, 200, 400, 200, 409, 403, 200, 409]
--- response_body_like eval
['"id":"AX-1"', '"status":"verified"', '"status":"received"',
 '"status":"dispatched"', '"status":"in_progress"',
 '^\{"error":\{"code":"invalid_field","message":"[^"]*365 days[^"]*","field":"until"\}\}$',
 '"status":"in_progress".*\{"step":"resolve","due":"2026-03-24T08:30:00\+07:00","agency":"so-xd","overdue":false,"extension_requested":"2026-07-20T09:00:00\+07:00"\}',
 '"code":"invalid_transition"', '"code":"forbidden"',
 '"status":"in_progress".*\{"step":"resolve","due":"2026-07-20T09:00:00\+07:00","agency":"so-xd","overdue":false\}\]',
 '"code":"invalid_transition"']
--- response_body_unlike eval
['', '', '', '', '', '', '', '', '', 'extension_requested', '']



=== TEST 2: the request and the grant are in the history (with the date asked) and the event stream
--- init
my @ev = split /\n/, main::redis('XRANGE', 'pa:{t_ext}:events', '-', '+');
Test::More::ok((grep { $_ eq 'extension_requested' } @ev),
               'an extension_requested event for the IOC');
Test::More::ok((grep { $_ eq 'approve_extension' } @ev),
               'and the approval');
--- more_headers eval
main::h('ioc', '2026-03-18T10:05:00+07:00')
--- request
GET /api/v1/reports/AX-1/history
--- error_code: 200
--- response_body_like eval
'"action":"extend","from":"in_progress","to":"in_progress","note":"[^"]+","extension":"requested","agency":"so-xd","until":"2026-07-20T09:00:00\+07:00"\},'
. '\{[^}]*"action":"approve_extension","from":"in_progress","to":"in_progress","note":"[^"]+","extension":"granted","agency":"so-xd","until":"2026-07-20T09:00:00\+07:00"\}\]$'



=== TEST 3: while the IOC has not answered, the old deadline runs: missed, it is overdue (not extension_missed); a refusal needs a reason and keeps the deadline
--- more_headers eval
[main::h('', '2026-03-18T08:00:00+07:00') . "\nX-PA-Test-Id: AX-2\nX-PA-Test-Token: token-ax-2",
 (map { main::h('ioc', '2026-03-18T08:30:00+07:00') } 1 .. 3),
 (map { main::h('xd', '2026-03-18T09:00:00+07:00') } 1 .. 2),
 (map { main::h('ioc', '2026-03-26T09:00:00+07:00') } 1 .. 5)]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Cống thoát nước bị vỡ","lat":22.39,"lng":103.45,"reporter_name":"Lò Văn Y","reporter_phone":"0912345182"}',
 main::act('AX-2', action => 'verify'), main::act('AX-2', action => 'receive'),
 main::act('AX-2', action => 'dispatch', agencies => ['so-xd']),
 main::act('AX-2', action => 'accept'),
 main::act('AX-2', action => 'extend', reason => 'Chờ thiết kế', days => 90),
 "POST /api/v1/admin/sweep",
 "GET /api/v1/stats?from=2026-03-01&to=2026-03-31",
 main::act('AX-2', action => 'reject_extension'),
 main::act('AX-2', action => 'reject_extension', message => 'Không đủ căn cứ, xử lý trong hạn'),
 main::act('AX-2', action => 'reject_extension', message => 'Lần nữa')]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200, 200, 400, 200, 409]
--- response_body_like eval
['"id":"AX-2"', '"status":"verified"', '"status":"received"',
 '"status":"dispatched"', '"status":"in_progress"',
 '\{"step":"resolve","due":"2026-03-25T08:30:00\+07:00","agency":"so-xd","overdue":false,"extension_requested":"[^"]+"\}',
 '"overdue":1,',
 '\{"agency":"so-xd","name":"[^"]+","dispatched":2,"resolved":0,"on_time":0,"overdue":1,"extension_missed":0,"in_progress":2,[^\]]*"flags":\["overdue"\],"overdue_reports":\["AX-2"\]\}',
 '^\{"error":\{"code":"missing_field","message":"[^"]*","field":"message"\}\}$',
 '"status":"in_progress".*\{"step":"resolve","due":"2026-03-25T08:30:00\+07:00","agency":"so-xd","overdue":true\}',
 '"code":"invalid_transition"']



=== TEST 4: a granted extension that is missed in turn is extension_missed, as an extension within the limit is
--- more_headers eval
[main::h('ioc', '2026-07-21T09:00:00+07:00'), main::h('ioc', '2026-07-21T09:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/admin/sweep",
 "GET /api/v1/stats?from=2026-07-01&to=2026-07-31"]
--- error_code eval
[200, 200]
--- response_body_like eval
['"overdue":1,',
 '\{"agency":"so-xd","name":"[^"]+","dispatched":0,"resolved":0,"on_time":0,"overdue":1,"extension_missed":1,']
