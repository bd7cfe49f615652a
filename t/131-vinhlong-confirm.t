# Vĩnh Long 2025, the shipped profile: in the coordinator flow the
# coordinator confirms the result before it is published (regulations.md:
# "to confirm the result before publication"; step 7: disagree -> back to
# the agency).  The IOC's publish while the confirmation is due answers
# 409 invalid_transition and changes nothing; after "confirm agree" it
# publishes as before; "confirm agree=false" sends the report back.  The
# confirm step keeps its deadline and its statistics: a coordinator that
# never answers is overdue (swept, counted), and the IOC, which cannot
# publish, escalates (Điều 20.1d) or returns the result (review_return).
# Blocks run in order; the reports follow one another in time.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;

life('vinhlong-2025', 't_vl25c',
     ioc   => ['ioc'],
     coord => ['coordinator', 'to-dieu-phoi'],
     ward  => ['handler', 'phuong-thanh-duc']);

# a report of the coordinator flow, from its submission at $day 08:00 to
# the ward's result at $day 10:00 (8 requests)
sub main::to_review {
    my ($id, $day, $phone) = @_;
    return [main::photo_report("${day}T08:00:00+07:00", '{"content":"Cây xanh ngã trên vỉa hè","lat":10.25,"lng":105.97,"reporter_name":"Huỳnh Văn Q","reporter_phone":"' . $phone . '"}'),
            main::act($id, action => 'verify'), main::act($id, action => 'receive'),
            main::act($id, action => 'coordinate', coordinator => 'to-dieu-phoi'),
            main::act($id, action => 'identify', agencies => ['phuong-thanh-duc']),
            main::act($id, action => 'dispatch', agencies => ['phuong-thanh-duc']),
            main::act($id, action => 'accept'),
            main::act($id, action => 'resolve', summary => 'Đã dọn cây ngã.')];
}

sub main::to_review_headers {
    my ($id, $day) = @_;
    return [main::hm('', "${day}T08:00:00+07:00") . "\nX-PA-Test-Id: $id",
            main::h('ioc', "${day}T08:30:00+07:00"), main::h('ioc', "${day}T08:40:00+07:00"),
            main::h('ioc', "${day}T08:50:00+07:00"), main::h('coord', "${day}T09:00:00+07:00"),
            main::h('ioc', "${day}T09:10:00+07:00"), main::h('ward', "${day}T09:20:00+07:00"),
            main::h('ward', "${day}T10:00:00+07:00")];
}

our $First = '^\{"error":\{"code":"invalid_transition","message":"the coordinator must confirm the result first[^"]*"\}\}$';

run_tests();

__DATA__

=== TEST 1: resolved Monday 2/3 10:00 in the coordinator flow (confirm and publish by Tuesday 10:00); the IOC's publish at 11:00 is refused: the coordinator confirms first
--- more_headers eval
[@{main::to_review_headers('VL-1', '2026-03-02')}, main::h('ioc', '2026-03-02T11:00:00+07:00'),
 main::h('ioc', '2026-03-02T11:00:00+07:00')]
--- pipelined_requests eval
[@{main::to_review('VL-1', '2026-03-02', '0912347101')}, main::act('VL-1', action => 'publish'),
 "GET /api/v1/reports/VL-1/history"]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200, 200, 409, 200]
--- response_body_like eval
['"id":"VL-1"', '"status":"verified"', '"status":"received"', '"status":"coordinating"',
 '"status":"received"', '"status":"dispatched"', '"status":"in_progress"',
 '"status":"under_review".*\{"step":"confirm","due":"2026-03-03T10:00:00\+07:00","overdue":false\},\{"step":"publish","due":"2026-03-03T10:00:00\+07:00","overdue":false\}',
 $::First,
 '"action":"resolve","from":"in_progress","to":"under_review"[^{}]*\}\]$']



=== TEST 2: the refusal changed nothing: still under review, nothing published, both steps open, no event of a publication
--- more_headers eval
main::h('ioc', '2026-03-02T11:05:00+07:00')
--- request
GET /api/v1/reports/VL-1
--- error_code: 200
--- response_body_like eval
'"status":"under_review".*"published":false.*' . main::dls(0, ['receive', '2026-03-02T09:30', 'met'],
  ['dispatch', '2026-03-02T10:00', 'met'], ['accept@phuong-thanh-duc', '2026-03-02T10:10', 'met'],
  ['identify', '2026-03-03T08:50', 'met'], ['confirm', '2026-03-03T10:00', 'open'],
  ['publish', '2026-03-03T10:00', 'open'], ['verify', '2026-03-04T08:00', 'met'],
  ['resolve@phuong-thanh-duc', '2026-03-10T09:10', 'met'])
--- response_body_unlike: "published_at"



=== TEST 3: the coordinator disagrees at 14:00: back to the ward (as before); resolved again at 15:00, a new confirmation is due and publish is refused again; confirmed at 16:00, published at 16:30
--- more_headers eval
[main::h('coord', '2026-03-02T14:00:00+07:00'), main::h('ioc', '2026-03-02T14:10:00+07:00'),
 main::h('ward', '2026-03-02T15:00:00+07:00'), main::h('ioc', '2026-03-02T15:30:00+07:00'),
 main::h('coord', '2026-03-02T16:00:00+07:00'), main::h('ioc', '2026-03-02T16:30:00+07:00')]
--- pipelined_requests eval
[main::act('VL-1', action => 'confirm', agree => JSON::PP::false, message => 'Chưa dọn hết cành cây'),
 main::act('VL-1', action => 'publish'),
 main::act('VL-1', action => 'resolve', summary => 'Đã dọn hết cành cây.'),
 main::act('VL-1', action => 'publish'),
 main::act('VL-1', action => 'confirm', agree => JSON::PP::true),
 main::act('VL-1', action => 'publish')]
--- error_code eval
[200, 409, 200, 409, 200, 200]
--- response_body_like eval
['"status":"in_progress".*\{"step":"confirm","due":"2026-03-03T10:00:00\+07:00","met":true,"overdue":false\},\{"step":"publish","due":"2026-03-03T10:00:00\+07:00","met":true,"overdue":false\}',
 '^\{"error":\{"code":"invalid_transition","message":"this action is not allowed in the report\'s current state"\}\}$',
 '"status":"under_review".*\{"step":"confirm","due":"2026-03-03T15:00:00\+07:00","overdue":false\},\{"step":"publish","due":"2026-03-03T15:00:00\+07:00","overdue":false\}',
 $::First,
 '"status":"under_review".*"confirmed":true.*\{"step":"confirm","due":"2026-03-03T15:00:00\+07:00","met":true,"overdue":false\},\{"step":"publish","due":"2026-03-03T15:00:00\+07:00","overdue":false\}',
 '"status":"resolved".*"published":true.*\{"step":"confirm","due":"2026-03-03T15:00:00\+07:00","met":true,"overdue":false\},\{"step":"publish","due":"2026-03-03T15:00:00\+07:00","met":true,"overdue":false\}']



=== TEST 4: the coordinator never answers: VL-2 resolved Tuesday 3/3 10:00, the sweep at Wednesday 10:00:01 marks the confirm step (and the IOC's publish) overdue; the IOC still cannot publish; a late confirmation is counted late, then the IOC publishes
--- more_headers eval
[@{main::to_review_headers('VL-2', '2026-03-03')}, main::h('', '2026-03-04T10:00:01+07:00'),
 main::h('ioc', '2026-03-04T10:30:00+07:00'), main::h('coord', '2026-03-04T14:00:00+07:00'),
 main::h('ioc', '2026-03-04T14:30:00+07:00')]
--- pipelined_requests eval
[@{main::to_review('VL-2', '2026-03-03', '0912347102')}, "POST /api/v1/admin/sweep",
 main::act('VL-2', action => 'publish'),
 main::act('VL-2', action => 'confirm', agree => JSON::PP::true),
 main::act('VL-2', action => 'publish')]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200, 200, 200, 409, 200, 200]
--- response_body_like eval
['"id":"VL-2"', '"status":"verified"', '"status":"received"', '"status":"coordinating"',
 '"status":"received"', '"status":"dispatched"', '"status":"in_progress"', '"status":"under_review"',
 '^\{"overdue":2,"rejected":0,"notices":0,"unlocked":0,"archived":0\}$',
 $::First,
 '"status":"under_review".*\{"step":"confirm","due":"2026-03-04T10:00:00\+07:00","met":false,"overdue":true\},\{"step":"publish","due":"2026-03-04T10:00:00\+07:00","overdue":true\}',
 '"status":"resolved".*\{"step":"confirm","due":"2026-03-04T10:00:00\+07:00","met":false,"overdue":true\},\{"step":"publish","due":"2026-03-04T10:00:00\+07:00","met":false,"overdue":true\}']



=== TEST 5: ... and one never confirmed: VL-3 resolved Thursday 5/3 10:00, overdue Friday 10:00:01; publish refused; the IOC escalates it to the People's Committee (Điều 20.1d), every open step closes; a confirmation after that is out of turn
--- more_headers eval
[@{main::to_review_headers('VL-3', '2026-03-05')}, main::h('', '2026-03-06T10:00:01+07:00'),
 main::h('ioc', '2026-03-06T10:30:00+07:00'), main::h('ioc', '2026-03-06T11:00:00+07:00'),
 main::h('coord', '2026-03-06T14:00:00+07:00')]
--- pipelined_requests eval
[@{main::to_review('VL-3', '2026-03-05', '0912347103')}, "POST /api/v1/admin/sweep",
 main::act('VL-3', action => 'publish'),
 main::act('VL-3', action => 'escalate', message => 'Tổ điều phối chưa xác nhận kết quả; báo cáo UBND tỉnh.'),
 main::act('VL-3', action => 'confirm', agree => JSON::PP::true)]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200, 200, 200, 409, 200, 409]
--- response_body_like eval
['"id":"VL-3"', '"status":"verified"', '"status":"received"', '"status":"coordinating"',
 '"status":"received"', '"status":"dispatched"', '"status":"in_progress"', '"status":"under_review"',
 '^\{"overdue":2,"rejected":0,"notices":0,"unlocked":0,"archived":0\}$',
 $::First,
 '"status":"escalated".*\{"step":"confirm","due":"2026-03-06T10:00:00\+07:00","met":false,"overdue":true\},\{"step":"publish","due":"2026-03-06T10:00:00\+07:00","met":false,"overdue":true\}',
 '"code":"invalid_transition"']



=== TEST 6: statistics of March: the coordinator's confirm step counted as before (Điều 17): on time for its three identify steps, overdue for VL-2 (late) and VL-3 (never); the IOC on time for VL-1, overdue for the publish steps of VL-2 and VL-3 that passed while it waited for the confirmation
--- more_headers eval
main::h('ioc', '2026-03-31T17:00:00+07:00')
--- request
GET /api/v1/stats?from=2026-03-01&to=2026-03-31
--- error_code: 200
--- response_body
{"from":"2026-03-01","to":"2026-03-31","min_ratings":10,"agencies":[{"agency":"ioc","name":"Trung tâm Giám sát, điều hành thông minh tỉnh Vĩnh Long","dispatched":0,"resolved":0,"on_time":1,"overdue":2,"extension_missed":0,"in_progress":0,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":["overdue"],"overdue_reports":["VL-2","VL-3"]},{"agency":"phuong-thanh-duc","name":"UBND phường Thanh Đức","dispatched":3,"resolved":3,"on_time":3,"overdue":0,"extension_missed":0,"in_progress":0,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":[],"overdue_reports":[]},{"agency":"to-dieu-phoi","name":"Tổ điều phối xử lý phản ánh - Văn phòng UBND tỉnh Vĩnh Long","dispatched":0,"resolved":0,"on_time":3,"overdue":2,"extension_missed":0,"in_progress":0,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":["overdue"],"overdue_reports":["VL-2","VL-3"]}]}
