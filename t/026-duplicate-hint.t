# Duplicate hints (pa_duplicate_radius, pa_duplicate_window): the IOC's
# view of a report lists the reports of the same category within the
# radius, submitted within the window before or after it, nearest first.
# Never in the reporter's or the public view, nor for an agency's staff.
#
# The reports, all on 2026-03-02 in Lai Châu unless said:
#   DH-A traffic      22.396,   103.458     09:00
#   DH-B traffic      30 m north of A       10:00
#   DH-C traffic      500 m east of A       11:00
#   DH-D environment  where A is            11:30
#   DH-U (none)       20 m north of C       12:00
#   DH-E traffic      11 m north of A       2026-03-06 09:00 (96 h after A)
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

our $P = 'pa:{t_dup}:';

fresh('t_dup');

# one submission: its headers and request
sub report {
    my ($id, $at, $fields) = @_;
    return ("Content-Type: application/json\nX-PA-Now: $at\n"
            . "X-PA-Test-Id: $id\nX-PA-Test-Token: token-of-the-reporter-$id",
            "POST /api/v1/reports\n{\"content\":\"Phản ánh $id\","
            . "\"reporter_name\":\"Lê Văn C\",\"reporter_phone\":\"0987654321\","
            . "$fields}");
}

our @R = (
    [report('DH-A', '2026-03-02T09:00:00+07:00',
            '"category":"traffic","lat":22.396,"lng":103.458')],
    [report('DH-B', '2026-03-02T10:00:00+07:00',
            '"category":"traffic","lat":22.39627,"lng":103.458')],
    [report('DH-C', '2026-03-02T11:00:00+07:00',
            '"category":"traffic","lat":22.396,"lng":103.46286')],
    [report('DH-D', '2026-03-02T11:30:00+07:00',
            '"category":"environment","lat":22.396,"lng":103.458')],
    [report('DH-U', '2026-03-02T12:00:00+07:00',
            '"lat":22.39618,"lng":103.46286')],
    [report('DH-E', '2026-03-06T09:00:00+07:00',
            '"category":"traffic","lat":22.3961,"lng":103.458')],
);

# an action by the IOC (or another token) at a given time
sub act {
    my ($who, $id, $at, $body) = @_;
    return ("Authorization: Bearer $T{$who}\nContent-Type: application/json\n"
            . "X-PA-Now: $at",
            "POST /api/v1/reports/$id/actions\n$body");
}

our $Http = workflow_http('t_dup', 'test-dup');

setting(http_config => $Http);

run_tests();

__DATA__

=== TEST 1: six reports are submitted
--- more_headers eval
[map { $_->[0] } @::R]
--- pipelined_requests eval
[map { $_->[1] } @::R]
--- error_code eval
[201, 201, 201, 201, 201, 201]



=== TEST 2: the IOC sees B (30 m, an hour later) on A, and A on B
--- more_headers eval
["Authorization: Bearer $::T{ioc}", "Authorization: Bearer $::T{ioc}"]
--- pipelined_requests eval
["GET /api/v1/reports/DH-A", "GET /api/v1/reports/DH-B"]
--- error_code eval
[200, 200]
--- response_body_like eval
[qr{^\{"id":"DH-A",.*"overdue":\w+,"duplicate_hints":\[\{"id":"DH-B","distance_m":30,"status":"submitted","submitted_at":"2026-03-02T10:00:00\+07:00"\}\],"history":\[},
 qr{^\{"id":"DH-B",.*"overdue":\w+,"duplicate_hints":\[\{"id":"DH-A","distance_m":30,"status":"submitted","submitted_at":"2026-03-02T09:00:00\+07:00"\}\],"history":\[}]
--- no_error_log
[error]



=== TEST 3: 500 m away, another category, no category, 96 h later: none
--- more_headers eval
["Authorization: Bearer $::T{ioc}", "Authorization: Bearer $::T{ioc}",
 "Authorization: Bearer $::T{ioc}", "Authorization: Bearer $::T{ioc}"]
--- pipelined_requests eval
["GET /api/v1/reports/DH-C", "GET /api/v1/reports/DH-D",
 "GET /api/v1/reports/DH-U", "GET /api/v1/reports/DH-E"]
--- error_code eval
[200, 200, 200, 200]
--- response_body_like eval
[qr{^\{"id":"DH-C",.*"duplicate_hints":\[\],"history":\[},
 qr{^\{"id":"DH-D",.*"duplicate_hints":\[\],"history":\[},
 qr{^\{"id":"DH-U",.*"duplicate_hints":\[\],"history":\[},
 qr{^\{"id":"DH-E",.*"duplicate_hints":\[\],"history":\[}]
--- no_error_log
[error]



=== TEST 4: supervisors and admins see every report: they get hints too
--- more_headers eval
["Authorization: Bearer $::T{supervisor}", "Authorization: Bearer $::T{admin}"]
--- pipelined_requests eval
["GET /api/v1/reports/DH-A", "GET /api/v1/reports/DH-A"]
--- error_code eval
[200, 200]
--- response_body_like eval
[qr{"duplicate_hints":\[\{"id":"DH-B","distance_m":30,},
 qr{"duplicate_hints":\[\{"id":"DH-B","distance_m":30,}]



=== TEST 5: the reporter's view never has them
--- more_headers
X-Report-Token: token-of-the-reporter-DH-A
--- request
GET /api/v1/reports/DH-A
--- error_code: 200
--- response_body_like: ^\{"id":"DH-A",.*"messages":\[\]\}$
--- response_body_unlike: duplicate_hints|DH-B



=== TEST 6: nor the history route
--- more_headers eval
"Authorization: Bearer $::T{ioc}"
--- request
GET /api/v1/reports/DH-A/history
--- error_code: 200
--- response_body_like: ^\[\{"at":"2026-03-02T09:00:00\+07:00",.*"action":"submit"
--- response_body_unlike: duplicate_hints|DH-B



=== TEST 7: a longer window (5d): E sees A (11 m) then B (19 m), both 4 days before
--- http_config eval
"$::Http\n    pa_duplicate_window 5d;\n"
--- more_headers eval
"Authorization: Bearer $::T{ioc}"
--- request
GET /api/v1/reports/DH-E
--- error_code: 200
--- response_body_like: "duplicate_hints":\[\{"id":"DH-A","distance_m":11,"status":"submitted","submitted_at":"2026-03-02T09:00:00\+07:00"\},\{"id":"DH-B","distance_m":19,"status":"submitted","submitted_at":"2026-03-02T10:00:00\+07:00"\}\],"history"



=== TEST 8: a wider radius (600m): A sees B, then C 500 m away
--- http_config eval
"$::Http\n    pa_duplicate_radius 600m;\n"
--- more_headers eval
"Authorization: Bearer $::T{ioc}"
--- request
GET /api/v1/reports/DH-A
--- error_code: 200
--- response_body_like: "duplicate_hints":\[\{"id":"DH-B","distance_m":30,"status":"submitted","submitted_at":"2026-03-02T10:00:00\+07:00"\},\{"id":"DH-C","distance_m":500,"status":"submitted","submitted_at":"2026-03-02T11:00:00\+07:00"\}\],"history"



=== TEST 9: pa_duplicate_radius off: no field at all
--- http_config eval
"$::Http\n    pa_duplicate_radius off;\n"
--- more_headers eval
"Authorization: Bearer $::T{ioc}"
--- request
GET /api/v1/reports/DH-A
--- error_code: 200
--- response_body_like: ^\{"id":"DH-A",.*"overdue":\w+,"history":\[
--- response_body_unlike: duplicate_hints



=== TEST 10: the IOC gives U a category at receive: C's hints follow at once
--- more_headers eval
[(main::act('ioc', 'DH-U', '2026-03-02T13:00:00+07:00', '{"action":"verify"}'))[0],
 (main::act('ioc', 'DH-U', '2026-03-02T13:10:00+07:00', '{"action":"receive","category":"traffic"}'))[0],
 "Authorization: Bearer $::T{ioc}"]
--- pipelined_requests eval
[(main::act('ioc', 'DH-U', '2026-03-02T13:00:00+07:00', '{"action":"verify"}'))[1],
 (main::act('ioc', 'DH-U', '2026-03-02T13:10:00+07:00', '{"action":"receive","category":"traffic"}'))[1],
 "GET /api/v1/reports/DH-C"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
[qr{"status":"verified"}, qr{"status":"received"},
 qr{"duplicate_hints":\[\{"id":"DH-U","distance_m":20,"status":"received","submitted_at":"2026-03-02T12:00:00\+07:00"\}\],"history"}]



=== TEST 11: the IOC verifies, receives and dispatches A to so-xd
--- more_headers eval
[(main::act('ioc', 'DH-A', '2026-03-02T14:00:00+07:00', '{"action":"verify"}'))[0],
 (main::act('ioc', 'DH-A', '2026-03-02T14:10:00+07:00', '{"action":"receive"}'))[0],
 (main::act('ioc', 'DH-A', '2026-03-02T14:20:00+07:00', '{"action":"dispatch","agencies":["so-xd"]}'))[0]]
--- pipelined_requests eval
[(main::act('ioc', 'DH-A', '2026-03-02T14:00:00+07:00', '{"action":"verify"}'))[1],
 (main::act('ioc', 'DH-A', '2026-03-02T14:10:00+07:00', '{"action":"receive"}'))[1],
 (main::act('ioc', 'DH-A', '2026-03-02T14:20:00+07:00', '{"action":"dispatch","agencies":["so-xd"]}'))[1]]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
[qr{"status":"verified"}, qr{"status":"received"}, qr{"status":"dispatched"}]



=== TEST 12: the agency's handler sees A, never the hints (B is not theirs)
--- more_headers eval
"Authorization: Bearer $::T{xd}"
--- request
GET /api/v1/reports/DH-A
--- error_code: 200
--- response_body_like: ^\{"id":"DH-A","status":"dispatched",.*"overdue":\w+,"history":\[
--- response_body_unlike: duplicate_hints|DH-B



=== TEST 13: so-xd accepts and resolves, the IOC publishes
--- more_headers eval
[(main::act('xd', 'DH-A', '2026-03-02T15:00:00+07:00', '{"action":"accept"}'))[0],
 (main::act('xd', 'DH-A', '2026-03-02T16:00:00+07:00', '{"action":"resolve","summary":"Đã vá.","salutation":"Ông"}'))[0],
 (main::act('ioc', 'DH-A', '2026-03-02T16:30:00+07:00', '{"action":"publish"}'))[0]]
--- pipelined_requests eval
[(main::act('xd', 'DH-A', '2026-03-02T15:00:00+07:00', '{"action":"accept"}'))[1],
 (main::act('xd', 'DH-A', '2026-03-02T16:00:00+07:00', '{"action":"resolve","summary":"Đã vá.","salutation":"Ông"}'))[1],
 (main::act('ioc', 'DH-A', '2026-03-02T16:30:00+07:00', '{"action":"publish"}'))[1]]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
[qr{"status":"in_progress"}, qr{"status":"under_review"}, qr{"status":"resolved"}]



=== TEST 14: the public view of A never has them
--- request
GET /api/v1/public/reports/DH-A
--- error_code: 200
--- response_body_like: ^\{"id":"DH-A","status":"resolved",
--- response_body_unlike: duplicate_hints|DH-B



=== TEST 15: recently closed reports stay hints, with their status
--- more_headers eval
["Authorization: Bearer $::T{ioc}", "Authorization: Bearer $::T{ioc}"]
--- pipelined_requests eval
["GET /api/v1/reports/DH-A", "GET /api/v1/reports/DH-B"]
--- error_code eval
[200, 200]
--- response_body_like eval
[qr{"duplicate_hints":\[\{"id":"DH-B","distance_m":30,"status":"submitted",},
 qr{"duplicate_hints":\[\{"id":"DH-A","distance_m":30,"status":"resolved","submitted_at":"2026-03-02T09:00:00\+07:00"\}\],"history"}]



=== TEST 16: a cancelled report is no longer a hint (its own view keeps A)
--- more_headers eval
["Content-Type: application/json\nX-Report-Token: token-of-the-reporter-DH-B\nX-PA-Now: 2026-03-02T17:00:00+07:00",
 "Authorization: Bearer $::T{ioc}", "Authorization: Bearer $::T{ioc}"]
--- pipelined_requests eval
["POST /api/v1/reports/DH-B/actions\n{\"action\":\"cancel\"}",
 "GET /api/v1/reports/DH-A", "GET /api/v1/reports/DH-B"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
[qr{"status":"cancelled"},
 qr{^\{"id":"DH-A",.*"duplicate_hints":\[\],"history"},
 qr{^\{"id":"DH-B","status":"cancelled",.*"duplicate_hints":\[\{"id":"DH-A","distance_m":30,"status":"resolved",}]



=== TEST 17: each day's positions are in a key of their own, which expires once past keeping (the window + 30 days): nothing to prune
--- init
Test::More::is(main::redis('ZCARD', "${main::P}near:20260302"), '5',
               'five reports of 2 March in its day key');
Test::More::is(main::redis('ZRANGE', "${main::P}near:20260306", '0', '-1'),
               '177276240000|DH-E', 'E in the key of 6 March (member'
               . ' "<created_at><ms>|<id>", ms "00" on the test clock)');
Test::More::is(main::redis('EXISTS', "${main::P}near:at"), '0',
               'no time index');
--- more_headers eval
[(main::report('DH-F', '2026-04-20T09:00:00+07:00', '"category":"traffic","lat":22.396,"lng":103.458'))[0],
 "X-PA-Now: 2026-04-20T09:05:00+07:00"]
--- pipelined_requests eval
[(main::report('DH-F', '2026-04-20T09:00:00+07:00', '"category":"traffic","lat":22.396,"lng":103.458'))[1],
 "POST /api/v1/admin/sweep"]
--- error_code eval
[201, 200]
--- response_body_like eval
['"id":"DH-F"', '"overdue":']



=== TEST 18: ... F alone is in its day's key; it has no hint (A is 7 weeks older: its day is not searched)
--- init
Test::More::is(main::redis('ZRANGE', "${main::P}near:20260420", '0', '-1'),
               '177665040000|DH-F', 'only F in the key of 20 April');
Test::More::is(main::redis('EXISTS', "${main::P}near"), '0',
               'no single index of every position');
--- more_headers eval
"Authorization: Bearer $::T{ioc}"
--- request
GET /api/v1/reports/DH-F
--- error_code: 200
--- response_body_like: ^\{"id":"DH-F",.*"duplicate_hints":\[\],"history"



=== TEST 19: a radius that is not metres stops nginx
--- http_config eval
"$::Http\n    pa_duplicate_radius 2km;\n"
--- must_die
--- error_log
invalid radius "2km": "off" or metres, 0..10000, as "100" or "100m"



=== TEST 20: nor one beyond 10 km
--- http_config eval
"$::Http\n    pa_duplicate_radius 20000m;\n"
--- must_die
--- error_log
invalid radius "20000m"



=== TEST 21: a window that is not a time stops nginx
--- http_config eval
"$::Http\n    pa_duplicate_window soon;\n"
--- must_die
--- error_log
"pa_duplicate_window" directive invalid value
