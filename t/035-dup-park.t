# A closed report's duplicate prints leave the bucket every submission
# scans (issue 12.4, lib/prints.lua): held there, ten years of closed
# reports made each bucket ~15 fields at a million reports.  They wait in
# the report's own hash ("dp") and go back when it opens again, so what a
# reporter sees is what it was: the same text from the same phone is a 409
# duplicate while the report is open, a new report while it is closed
# (escalated here, one of the states submit.lua gives a print up in), a
# 409 again once it is dispatched from escalated -- unless a newer report
# took the print meanwhile.  A province's buckets from before are parked
# by the sweeper's walk (an upgrade keeps its data).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;
use HTTP::Tiny;
use Digest::SHA qw(sha256_hex);

life('laichau-2026', 't_dpk', ioc => ['ioc']);

our $P = 'pa:{t_dpk}:';

# plain ASCII, lower case, single spaces: the print is the text's SHA-256
our @Text = ('rac thai do trom canh suoi nam na',      # P-1's
             'cot dien nghieng truoc nha van hoa ban', # OLD-R, resolved
             'ong nuoc vo tran ra duong tinh lo 12');  # OLD-E, escalated

our $Body = '{"content":"%s","category":"environment","lat":22.396,'
    . '"lng":103.458,"reporter_name":"Lo Van B","reporter_phone":"0912000035"}';

sub field {            # the bucket's field of a text print of phone $ph
    my ($ph, $text) = @_;
    return substr($ph, 0, 32) . ':c:' . substr(sha256_hex($text), 0, 32);
}

sub cprint { 'c:' . substr(sha256_hex($_[0]), 0, 32) }   # as parked

sub bucket { "${main::P}dup:" . substr($_[0], 0, 4) }

sub phone { main::redis('HGET', "${main::P}r:P-1", 'phone_hash') }

sub submit_req { "POST /api/v1/reports\n" . sprintf($::Body, $_[0]) }

run_tests();

__DATA__

=== TEST 1: P-1 submitted: its print is in its phone's bucket
--- more_headers eval
main::h('', '2026-03-02T08:00:00+07:00') . "\nX-PA-Test-Id: P-1"
--- request eval
main::submit_req($::Text[0])
--- error_code: 201
--- response_body_like: "id":"P-1"



=== TEST 2: the IOC escalates it (its print is no duplicate while escalated)
--- init
my $ph = main::phone();
Test::More::is(main::redis('HGET', main::bucket($ph), main::field($ph, $::Text[0])),
               'P-1', 'the open report\'s print in the bucket');
--- more_headers eval
main::h('ioc', '2026-03-02T09:00:00+07:00')
--- request eval
main::act('P-1', action => 'escalate', message => 'Vượt thẩm quyền.')
--- error_code: 200
--- response_body_like: "status":"escalated"
--- response_body_unlike: "dp"



=== TEST 3: ... its print left the bucket for its own hash; dispatched from escalated, it opens again
--- init
my $ph = main::phone();
Test::More::is(main::redis('HGET', main::bucket($ph), main::field($ph, $::Text[0])),
               '', 'the closed report\'s print is out of the bucket');
Test::More::is(main::redis('HGET', "${main::P}r:P-1", 'dp'),
               main::cprint($::Text[0]),
               'it waits in the report\'s hash');
--- more_headers eval
main::h('ioc', '2026-03-02T10:00:00+07:00')
--- request eval
main::act('P-1', action => 'dispatch', agencies => ['so-xd'])
--- error_code: 200
--- response_body_like: "status":"dispatched"



=== TEST 4: ... its print is back: the same text (spaces, case) from that phone is its duplicate
--- init
my $ph = main::phone();
Test::More::is(main::redis('HGET', main::bucket($ph), main::field($ph, $::Text[0])),
               'P-1', 'the print is back in the bucket');
Test::More::is(main::redis('HEXISTS', "${main::P}r:P-1", 'dp'), '0',
               'and no longer in the report\'s hash');
--- more_headers eval
main::h('', '2026-03-02T11:00:00+07:00') . "\nX-PA-Test-Id: P-X"
--- request eval
main::submit_req('  Rac thai DO trom  canh suoi Nam Na ')
--- error_code: 409
--- response_body_like: "code":"duplicate".*P-1



=== TEST 5: escalated again
--- more_headers eval
main::h('ioc', '2026-03-02T12:00:00+07:00')
--- request eval
main::act('P-1', action => 'escalate', message => 'Vẫn vượt thẩm quyền.')
--- error_code: 200
--- response_body_like: "status":"escalated"



=== TEST 6: while it is closed the same text is a new report, P-2
--- more_headers eval
main::h('', '2026-03-02T13:00:00+07:00') . "\nX-PA-Test-Id: P-2"
--- request eval
main::submit_req($::Text[0])
--- error_code: 201
--- response_body_like: "id":"P-2"



=== TEST 7: P-1 dispatched again: the newer P-2 keeps the print
--- init
my $ph = main::phone();
Test::More::is(main::redis('HGET', main::bucket($ph), main::field($ph, $::Text[0])),
               'P-2', 'P-2 took the print');
--- more_headers eval
main::h('ioc', '2026-03-02T14:00:00+07:00')
--- request eval
main::act('P-1', action => 'dispatch', agencies => ['so-xd'])
--- error_code: 200
--- response_body_like: "status":"dispatched"



=== TEST 8: ... so the same text is P-2's duplicate; P-1 waits for the print, P-2's heir
--- init
my $ph = main::phone();
Test::More::is(main::redis('HGET', main::bucket($ph), main::field($ph, $::Text[0])),
               'P-2', 'the bucket\'s newer print wins');
Test::More::is(main::redis('HGET', "${main::P}r:P-1", 'dp'),
               main::cprint($::Text[0]),
               'P-1 keeps the print it waits for (t/073: it passes to P-1 when P-2 closes)');
Test::More::is(main::redis('HGET', "${main::P}r:P-2", 'dh'),
               'P-1=' . main::cprint($::Text[0]), 'P-1 is P-2\'s heir');
--- more_headers eval
main::h('', '2026-03-02T15:00:00+07:00') . "\nX-PA-Test-Id: P-Y"
--- request eval
main::submit_req($::Text[0])
--- error_code: 409
--- response_body_like: "code":"duplicate".*P-2



=== TEST 9: a bucket as an earlier version left it (a resolved and an escalated report's prints, a purged one's), the first walk done: a sweep
--- init
my $ph = main::phone();
my $b = main::bucket($ph);
main::redis('HSET', "${main::P}r:OLD-R", 'id', 'OLD-R', 'status', 'resolved',
            'phone_hash', $ph, 'created_at', '1772000000');
main::redis('HSET', "${main::P}r:OLD-E", 'id', 'OLD-E', 'status', 'escalated',
            'phone_hash', $ph, 'category', 'environment',
            'created_at', '1772000100');
main::redis('ZADD', "${main::P}st:escalated", '1772000100', 'OLD-E');
main::redis('HSET', $b, main::field($ph, $::Text[1]), 'OLD-R',
            main::field($ph, $::Text[2]), 'OLD-E',
            substr($ph, 0, 32) . ':c:' . ('b' x 32), 'GONE');
main::redis('SET', "${main::P}dup:cursor", 'done');
# enough other keys that the walk takes several SCAN steps
main::redis('EVAL', q{
    for i = 1, 3000 do
        redis.call('SET', ARGV[1] .. 'filler:' .. i, i)
    end
}, '0', $main::P);
--- more_headers
X-PA-Now: 2026-03-03T09:00:00+07:00
--- request
POST /api/v1/admin/sweep
--- error_code: 200



=== TEST 10: ... the closed reports' prints parked, the purged one's dropped, the open ones' kept, the walk done
--- init
my $ph = main::phone();
my $b = main::bucket($ph);
Test::More::is(main::redis('HGET', $b, main::field($ph, $::Text[1])), '',
               'OLD-R\'s print left the bucket');
Test::More::is(main::redis('HGET', "${main::P}r:OLD-R", 'dp'),
               main::cprint($::Text[1]),
               '... for its hash');
Test::More::is(main::redis('HGET', "${main::P}r:OLD-E", 'dp'),
               main::cprint($::Text[2]),
               'OLD-E\'s too');
Test::More::is(main::redis('HGET', $b, substr($ph, 0, 32) . ':c:' . ('b' x 32)),
               '', 'the print of a report gone is dropped');
Test::More::is(main::redis('EXISTS', "${main::P}r:GONE"), '0',
               'and no record made for it');
Test::More::is(main::redis('HGET', $b, main::field($ph, $::Text[0])), 'P-2',
               'the open report\'s print stays');
Test::More::is(main::redis('GET', "${main::P}dup:cursor"), 'parked',
               'the walk is done: later sweeps do not scan again');
--- more_headers eval
main::h('', '2026-03-03T10:00:00+07:00') . "\nX-PA-Test-Id: P-3"
--- request eval
main::submit_req($::Text[2])
--- error_code: 201
--- response_body_like: "id":"P-3"



=== TEST 11: the old escalated OLD-E dispatched: P-3 took its print meanwhile, so it stays P-3's
--- more_headers eval
main::h('ioc', '2026-03-03T11:00:00+07:00')
--- request eval
main::act('OLD-E', action => 'dispatch', agencies => ['so-xd'])
--- error_code: 200
--- response_body_like: "status":"dispatched"



=== TEST 12: ... and the text of the resolved OLD-R from that phone is a new report
--- init
my $ph = main::phone();
Test::More::is(main::redis('HGET', main::bucket($ph), main::field($ph, $::Text[2])),
               'P-3', 'P-3 keeps the print');
--- more_headers eval
main::h('', '2026-03-03T12:00:00+07:00') . "\nX-PA-Test-Id: P-4"
--- request eval
main::submit_req($::Text[1])
--- error_code: 201
--- response_body_like: "id":"P-4"



=== TEST 13: the sweeper's rejection closes a report too: P-5 asked for a supplement Monday 9 March
--- more_headers eval
[main::h('', '2026-03-09T08:00:00+07:00') . "\nX-PA-Test-Id: P-5",
 main::h('ioc', '2026-03-09T09:00:00+07:00')]
--- pipelined_requests eval
[main::submit_req('den duong hong ca day pho ban lao'),
 main::act('P-5', action => 'request_info', message => 'Đề nghị gửi ảnh.')]
--- error_code eval
[201, 200]
--- response_body_like eval
['"id":"P-5"', '"status":"needs_info"']



=== TEST 14: ... no supplement in two working days: rejected by the sweep, its print parked, the same text a new report
--- init
my $ph = main::phone();
Test::More::is(main::redis('HGET', main::bucket($ph),
                           main::field($ph, 'den duong hong ca day pho ban lao')),
               'P-5', 'the open report\'s print in the bucket');
--- more_headers eval
[main::h('', '2026-03-11T09:00:01+07:00'),
 main::h('', '2026-03-11T10:00:00+07:00') . "\nX-PA-Test-Id: P-6"]
--- pipelined_requests eval
["POST /api/v1/admin/sweep",
 main::submit_req('den duong hong ca day pho ban lao')]
--- error_code eval
[200, 201]
--- response_body_like eval
['"rejected":1', '"id":"P-6"']



=== TEST 15: ... P-5's print was parked by the sweep (P-6 then took the bucket's)
--- init
my $ph = main::phone();
Test::More::is(main::redis('HGET', "${main::P}r:P-5", 'status'), 'rejected',
               'P-5 rejected by the sweeper');
Test::More::is(main::redis('HGET', "${main::P}r:P-5", 'dp'),
               main::cprint('den duong hong ca day pho ban lao'),
               'its print parked in its hash');
Test::More::is(main::redis('HGET', main::bucket($ph),
                           main::field($ph, 'den duong hong ca day pho ban lao')),
               'P-6', 'the bucket\'s print is the new report\'s');
--- request
GET /api/v1/health
--- error_code: 200
