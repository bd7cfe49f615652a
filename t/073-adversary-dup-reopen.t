# Two open reports of one phone with one text (adversary of lib/prints.lua):
# P-1 closed (escalated), the same text is then a new report P-2; P-1 is
# dispatched again while P-2 holds the print.  Both are open: the text is
# a 409 duplicate whichever of them closes first, and a new report only
# once both are closed.  The bucket names one report a print; the other
# must not lose its own when that one closes (api.md: 409 "duplicate" for
# the same phone and text while a report is open).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;
use Digest::SHA qw(sha256_hex);

life('laichau-2026', 't_dpr', ioc => ['ioc']);

our $P = 'pa:{t_dpr}:';
our $T = 'bai rac tu phat canh cau treo ban na ca';
our $T2 = 'cong thoat nuoc bi tac truoc truong tieu hoc';

our $Body = '{"content":"%s","category":"environment","lat":22.396,'
    . '"lng":103.458,"reporter_name":"Lo Van C","reporter_phone":"0912000073"}';

sub submit_req { "POST /api/v1/reports\n" . sprintf($::Body, $_[0]) }

sub at { sprintf('2026-03-%02dT%s+07:00', @_) }

sub status { main::redis('HGET', "${main::P}r:$_[0]", 'status') }

run_tests();

__DATA__

=== TEST 1: P-1 submitted, escalated; the same text is then a new report, P-2
--- more_headers eval
[main::h('', main::at(2, '08:00:00')) . "\nX-PA-Test-Id: P-1",
 main::h('ioc', main::at(2, '09:00:00')),
 main::h('', main::at(2, '10:00:00')) . "\nX-PA-Test-Id: P-2"]
--- pipelined_requests eval
[main::submit_req($::T),
 main::act('P-1', action => 'escalate', message => 'Vượt thẩm quyền.'),
 main::submit_req($::T)]
--- error_code eval
[201, 200, 201]
--- response_body_like eval
['"id":"P-1"', '"status":"escalated"', '"id":"P-2"']



=== TEST 2: P-1 dispatched from escalated while P-2 holds the print: the text is a duplicate
--- more_headers eval
[main::h('ioc', main::at(2, '11:00:00')),
 main::h('', main::at(2, '12:00:00')) . "\nX-PA-Test-Id: P-X"]
--- pipelined_requests eval
[main::act('P-1', action => 'dispatch', agencies => ['so-xd']),
 main::submit_req($::T)]
--- error_code eval
[200, 409]
--- response_body_like eval
['"status":"dispatched"', '"code":"duplicate"']



=== TEST 3: P-2 escalated: P-1 is still open, so its text is still a duplicate (of P-1)
--- more_headers eval
[main::h('ioc', main::at(2, '13:00:00')),
 main::h('', main::at(2, '14:00:00')) . "\nX-PA-Test-Id: P-Y"]
--- pipelined_requests eval
[main::act('P-2', action => 'escalate', message => 'Vượt thẩm quyền.'),
 main::submit_req($::T)]
--- error_code eval
[200, 409]
--- response_body_like eval
['"status":"escalated"', '"code":"duplicate".*P-1']



=== TEST 4: P-1 escalated too: both closed, the text is a new report P-3
--- init
Test::More::is(main::status('P-Y'), '', 'the refused P-Y was not kept');
--- more_headers eval
[main::h('ioc', main::at(2, '15:00:00')),
 main::h('', main::at(2, '16:00:00')) . "\nX-PA-Test-Id: P-3"]
--- pipelined_requests eval
[main::act('P-1', action => 'escalate', message => 'Vẫn vượt thẩm quyền.'),
 main::submit_req($::T)]
--- error_code eval
[200, 201]
--- response_body_like eval
['"status":"escalated"', '"id":"P-3"']



=== TEST 5: P-2 and P-1 dispatched again while P-3 is open, then P-3 escalated: P-1 or P-2 still refuses the text
--- more_headers eval
[main::h('ioc', main::at(3, '08:00:00')),
 main::h('ioc', main::at(3, '08:30:00')),
 main::h('ioc', main::at(3, '09:00:00')),
 main::h('', main::at(3, '10:00:00')) . "\nX-PA-Test-Id: P-Z"]
--- pipelined_requests eval
[main::act('P-2', action => 'dispatch', agencies => ['so-xd']),
 main::act('P-1', action => 'dispatch', agencies => ['so-xd']),
 main::act('P-3', action => 'escalate', message => 'Vượt thẩm quyền.'),
 main::submit_req($::T)]
--- error_code eval
[200, 200, 200, 409]
--- response_body_like eval
['"status":"dispatched"', '"status":"dispatched"', '"status":"escalated"',
 '"code":"duplicate".*P-[12]"']



=== TEST 6: P-2 escalated: P-1 still open refuses it; P-1 escalated: a new report
--- more_headers eval
[main::h('ioc', main::at(3, '11:00:00')),
 main::h('', main::at(3, '11:30:00')) . "\nX-PA-Test-Id: P-V",
 main::h('ioc', main::at(3, '12:00:00')),
 main::h('', main::at(3, '13:00:00')) . "\nX-PA-Test-Id: P-4"]
--- pipelined_requests eval
[main::act('P-2', action => 'escalate', message => 'Vượt thẩm quyền.'),
 main::submit_req($::T),
 main::act('P-1', action => 'escalate', message => 'Vượt thẩm quyền.'),
 main::submit_req($::T)]
--- error_code eval
[200, 409, 200, 201]
--- response_body_like eval
['"status":"escalated"', '"code":"duplicate".*P-1"', '"status":"escalated"',
 '"id":"P-4"']



=== TEST 7: P-4 closed, then P-1 dispatched: the text is P-1's duplicate (its print came back)
--- more_headers eval
[main::h('ioc', main::at(3, '14:00:00')),
 main::h('ioc', main::at(3, '15:00:00')),
 main::h('', main::at(3, '16:00:00')) . "\nX-PA-Test-Id: P-W"]
--- pipelined_requests eval
[main::act('P-4', action => 'escalate', message => 'Vượt thẩm quyền.'),
 main::act('P-1', action => 'dispatch', agencies => ['so-xd']),
 main::submit_req($::T)]
--- error_code eval
[200, 200, 409]
--- response_body_like eval
['"status":"escalated"', '"status":"dispatched"', '"code":"duplicate".*P-1"']



=== TEST 8: the sweeper's rejection passes the print too: Q-1 escalated, Q-2 takes the text, Q-1 dispatched again (waits), Q-2 asked for a supplement
--- more_headers eval
[main::h('', main::at(9, '08:00:00')) . "\nX-PA-Test-Id: Q-1",
 main::h('ioc', main::at(9, '08:10:00')),
 main::h('', main::at(9, '08:20:00')) . "\nX-PA-Test-Id: Q-2",
 main::h('ioc', main::at(9, '08:30:00')),
 main::h('ioc', main::at(9, '09:00:00'))]
--- pipelined_requests eval
[main::submit_req($::T2),
 main::act('Q-1', action => 'escalate', message => 'Vượt thẩm quyền.'),
 main::submit_req($::T2),
 main::act('Q-1', action => 'dispatch', agencies => ['so-xd']),
 main::act('Q-2', action => 'request_info', message => 'Đề nghị gửi ảnh.')]
--- error_code eval
[201, 200, 201, 200, 200]
--- response_body_like eval
['"id":"Q-1"', '"status":"escalated"', '"id":"Q-2"', '"status":"dispatched"',
 '"status":"needs_info"']



=== TEST 9: ... no supplement in two working days: Q-2 rejected by the sweep, the text is still Q-1's duplicate
--- more_headers eval
[main::h('', main::at(11, '09:00:01')),
 main::h('', main::at(11, '10:00:00')) . "\nX-PA-Test-Id: Q-X"]
--- pipelined_requests eval
["POST /api/v1/admin/sweep", main::submit_req($::T2)]
--- error_code eval
[200, 409]
--- response_body_like eval
['"rejected":1', '"code":"duplicate".*Q-1"']
