# Who reads what beyond the agency that holds a report (LC26 Điều 10.4,
# VL Điều 11.4, the shipped laichau-2026 directory):
# - a superior body signs in as "supervisor" of its own subtree (an
#   "agency" claim): the reports, queue, history and statistics of the
#   agencies under it (parent links, transitively), 404 for the rest;
#   the province itself (the directory's root) and a supervisor token
#   without an agency read the whole province;
# - an agency that returned a report (or had it sent elsewhere) keeps a
#   short read-only view: where it went and its own return message, no
#   content, no position, no personal data; it acts on it no more.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;

# ca-tinh (the provincial police) is pccc's parent; ubnd-tinh the root
life('laichau-2026', 't_sup',
     ioc      => ['ioc'],
     sup_ca   => ['supervisor', 'ca-tinh'],
     sup_prov => ['supervisor', 'ubnd-tinh'],
     sup_all  => ['supervisor'],
     pccc     => ['handler', 'pccc'],
     xd       => ['handler', 'so-xd'],
     nnmt     => ['handler', 'so-nnmt']);

our $R = '{"content":"Cột điện nghiêng sát nhà dân","lat":22.396,"lng":103.458,"reporter_name":"Lò Văn S","reporter_phone":"09123450%02d"}';

run_tests();

__DATA__

=== TEST 1: three reports, Monday 2/3 08:00
--- more_headers eval
[map { main::h('', '2026-03-02T08:00:00+07:00') . "\nX-PA-Test-Id: SV-$_\nX-PA-Test-Token: token-sv-$_" } 1 .. 3]
--- pipelined_requests eval
[map { "POST /api/v1/reports\n" . sprintf($::R, 60 + $_) } 1 .. 3]
--- error_code eval
[201, 201, 201]
--- response_body_like eval
['"id":"SV-1"', '"id":"SV-2"', '"id":"SV-3"']



=== TEST 2: the IOC sends SV-1 to the fire police (under the provincial police), SV-2 to the construction department; SV-3 stays with it
--- more_headers eval
[map { main::h('ioc', '2026-03-02T09:00:00+07:00') } 1 .. 6]
--- pipelined_requests eval
[main::act('SV-1', action => 'verify'), main::act('SV-1', action => 'receive'),
 main::act('SV-1', action => 'dispatch', agencies => ['pccc']),
 main::act('SV-2', action => 'verify'), main::act('SV-2', action => 'receive'),
 main::act('SV-2', action => 'dispatch', agencies => ['so-xd'])]
--- error_code eval
[200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"status":"verified"', '"status":"received"', '"status":"dispatched".*"agencies":\["pccc"\]',
 '"status":"verified"', '"status":"received"', '"status":"dispatched".*"agencies":\["so-xd"\]']



=== TEST 3: the provincial police's supervisor reads SV-1 and its history (its subtree); SV-2 and SV-3 are 404, report and history alike, as if they did not exist
--- more_headers eval
[map { main::h('sup_ca', '2026-03-02T10:00:00+07:00') } 1 .. 6]
--- pipelined_requests eval
["GET /api/v1/reports/SV-1", "GET /api/v1/reports/SV-1/history",
 "GET /api/v1/reports/SV-2", "GET /api/v1/reports/SV-2/history",
 "GET /api/v1/reports/SV-3", "GET /api/v1/reports/SV-404"]
--- error_code eval
[200, 200, 404, 404, 404, 404]
--- response_body_like eval
['^\{"id":"SV-1","status":"dispatched".*"agencies":\["pccc"\]',
 '^\[\{[^{}]*"action":"submit".*"action":"dispatch"',
 '^\{"error":\{"code":"not_found"', '^\{"error":\{"code":"not_found"',
 '^\{"error":\{"code":"not_found"', '^\{"error":\{"code":"not_found"']



=== TEST 4: ... its queue holds SV-1 alone
--- more_headers eval
main::h('sup_ca', '2026-03-02T10:00:00+07:00')
--- request
GET /api/v1/queue
--- error_code: 200
--- response_body_like: ^(?!.*SV-[23])\{"items":\[\{"id":"SV-1",.*\],"total":1,"truncated":false\}$



=== TEST 5: ... its statistics name the fire police alone, not the construction department
--- more_headers eval
main::h('sup_ca', '2026-03-02T10:00:00+07:00')
--- request
GET /api/v1/stats?from=2026-03-01&to=2026-03-31
--- error_code: 200
--- response_body_like: "agencies":\[\{"agency":"pccc","name":"[^"]+","dispatched":1,[^\[\]]*"flags":\[\],"overdue_reports":\[\]\}\]\}$



=== TEST 6: ... and it only reads: acting on SV-1 is 403, and it gets no duplicate hints (they would name reports of the whole province)
--- more_headers eval
[main::h('sup_ca', '2026-03-02T10:00:00+07:00'), main::h('sup_ca', '2026-03-02T10:00:00+07:00')]
--- pipelined_requests eval
[main::act('SV-1', action => 'accept'), "GET /api/v1/reports/SV-1"]
--- error_code eval
[403, 200]
--- response_body_like eval
['"code":"forbidden"', '^(?!.*duplicate_hints)\{"id":"SV-1"']



=== TEST 7: the province's People's Committee (the directory's root) and a supervisor token without an agency read the whole province: every report, the whole queue, every agency's statistics
--- more_headers eval
[map { main::h($_, '2026-03-02T10:00:00+07:00') } qw(sup_prov sup_prov sup_prov sup_all sup_all sup_all)]
--- pipelined_requests eval
["GET /api/v1/reports/SV-3", "GET /api/v1/queue", "GET /api/v1/stats?from=2026-03-01&to=2026-03-31",
 "GET /api/v1/reports/SV-2", "GET /api/v1/queue", "GET /api/v1/stats?from=2026-03-01&to=2026-03-31"]
--- error_code eval
[200, 200, 200, 200, 200, 200]
--- response_body_like eval
['^\{"id":"SV-3","status":"submitted"', '"total":3,"truncated":false\}$',
 '"agencies":\[\{"agency":"ioc",.*\{"agency":"pccc",.*\{"agency":"so-xd",',
 '^\{"id":"SV-2","status":"dispatched"', '"total":3,"truncated":false\}$',
 '"agencies":\[\{"agency":"ioc",.*\{"agency":"pccc",.*\{"agency":"so-xd",']



=== TEST 8: the fire police return SV-1 as not theirs (Tuesday 08:00): back with the IOC
--- more_headers eval
main::h('pccc', '2026-03-03T08:00:00+07:00')
--- request eval
main::act('SV-1', action => 'return', kind => 'not_competent', message => 'Cột điện thuộc ngành điện lực quản lý', suggested_agency => 'dien-luc')
--- error_code: 200
--- response_body_like: "status":"received"



=== TEST 9: ... the fire police still read where it went (with the IOC) and their own return message, nothing more: no content, position, media or deadlines; its history, its reporter and any action are closed to them
--- more_headers eval
[map { main::h('pccc', '2026-03-03T09:00:00+07:00') } 1 .. 4]
--- pipelined_requests eval
["GET /api/v1/reports/SV-1", "GET /api/v1/reports/SV-1/history", "GET /api/v1/reports/SV-1/reporter",
 main::act('SV-1', action => 'accept')]
--- error_code eval
[200, 404, 404, 403]
--- response_body_like eval
['^\{"id":"SV-1","status":"received","former_agency":true,"with":"ioc","returns":\[\{"at":"2026-03-03T08:00:00\+07:00","kind":"not_competent","message":"Cột điện thuộc ngành điện lực quản lý"\}\],"updated_at":"2026-03-03T08:00:00\+07:00"\}$',
 '"code":"not_found"', '"code":"not_found"', '"code":"forbidden"']



=== TEST 10: ... an agency that never had it still gets 404; the police's supervisor still reads it (handled in its subtree)
--- more_headers eval
[main::h('nnmt', '2026-03-03T09:00:00+07:00'), main::h('sup_ca', '2026-03-03T09:00:00+07:00')]
--- pipelined_requests eval
["GET /api/v1/reports/SV-1", "GET /api/v1/reports/SV-1"]
--- error_code eval
[404, 200]
--- response_body_like eval
['"code":"not_found"', '^\{"id":"SV-1","status":"received"']



=== TEST 11: the IOC dispatches SV-1 to the power company: the fire police read that it went to another agency, and their queue does not list it
--- more_headers eval
[main::h('ioc', '2026-03-03T10:00:00+07:00'), main::h('pccc', '2026-03-03T10:30:00+07:00'),
 main::h('pccc', '2026-03-03T10:30:00+07:00')]
--- pipelined_requests eval
[main::act('SV-1', action => 'dispatch', agencies => ['dien-luc']), "GET /api/v1/reports/SV-1", "GET /api/v1/queue"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"status":"dispatched".*"agencies":\["dien-luc"\]',
 '^\{"id":"SV-1","status":"dispatched","former_agency":true,"with":"agency","returns":\[\{[^{}]*"kind":"not_competent"[^{}]*\}\],"agencies":\["dien-luc"\],"updated_at":"2026-03-03T10:00:00\+07:00"\}$',
 '^\{"items":\[\],"total":0,"truncated":false\}$']



=== TEST 12: ... and the police's supervisor, whose subtree no longer holds it but handled it, still reads it; the construction department's supervisor-less handler does not
--- more_headers eval
[main::h('sup_ca', '2026-03-03T11:00:00+07:00'), main::h('xd', '2026-03-03T11:00:00+07:00')]
--- pipelined_requests eval
["GET /api/v1/reports/SV-1", "GET /api/v1/reports/SV-1"]
--- error_code eval
[200, 404]
--- response_body_like eval
['^\{"id":"SV-1","status":"dispatched".*"agencies":\["dien-luc"\]', '"code":"not_found"']
