# The status notice (pa_sla notify) of a report no area holds, with
# pa_record_compat off (a new report's first deadline is only its
# q:submitted score, t/066), checked through the API with the shipped Lai
# Châu 2025 profile (LC25, QĐ 510: dispatch 1 working day from the
# submission, the notice after 6 working days).  Điện Biên's (ĐB) has the
# same two lines; in both the notice counts from the dispatch, not from
# the submission, so a report still submitted reaches no notice however
# long it waits (none is sent, none counted).  Its dispatch deadline is
# swept once, on time, whether it is its score alone (still submitted) or
# filed in due by an action (received: act.lua's qdue_file), /metrics
# counting each passed deadline once before the sweep and none after;
# once dispatched, the accept and handling deadlines go overdue on time,
# once each, and the notice is sent once (the "notice" event, the
# reporter's message), the stats counting each miss once per report and
# owner.
#
# Then the same profile with its notice line counted from the submission
# (that one line changed, as a province may write it), so that the
# sweeper sends the notice of a report still submitted and relists it
# (sweep.lua's relist(): qdue_file): the notice once, the report still
# submitted and in the IOC's list, its dispatch deadline (the one its
# score stands for) swept once, on time, and after the dispatch its later
# deadlines too; and the sweeper stopped past both deadlines: the overdue
# and the notice in its one sweep, once each, and /metrics then counting
# nothing unswept (TEST 21: a stale due entry once made it count one).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;
use t::PaQsub qw(sweep_json qscore_floor);
use IO::Select;
use IO::Socket::INET;
use JSON::PP ();
use HTTP::Tiny;

# every node of this version (pa_record_compat off); before life(): the
# last preprocessor added runs first
Test::Nginx::Socket::add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value('http_config',
                      $block->http_config . "    pa_record_compat off;\n");
});

life('laichau-2025', 't_lcn',
     ioc        => ['ioc'],
     supervisor => ['supervisor'],
     xd         => ['handler', 'so-xd']);

our $P = 'pa:{t_lcn}:';
our $B = 1e10;
# every block the API and /metrics
with_metrics();

# The shipped LC25 profile with "pa_sla notify 6d from=submission;" in
# place of its notify line, in a tenant of its own (the blocks that say
# "--- from_submission")
our $Http2 = t::PaLife::shipped_http('laichau-2025', 't_lcs') . $t::PaTest::Pool;
$Http2 =~ s/^(\s*pa_sla\s+notify\s+6d);/$1 from=submission;/m
    or die "no notify line in laichau-2025.conf";
our $P2 = 'pa:{t_lcs}:';

Test::Nginx::Socket::add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value('http_config', $Http2)
        if defined $block->from_submission;
});

# a report outside every area (it waits for the IOC), at 09:00 on Monday
# 2 March 2026 unless $now says otherwise
sub submit {
    my ($id, $phone) = @_;
    return "POST /api/v1/reports\n"
        . qq({"content":"Sạt lở taluy đường liên xã $id","lat":22.20,)
        . qq("lng":103.20,"reporter_name":"Lò Văn N",)
        . qq("reporter_phone":"$phone"});
}

sub submit_headers {
    my ($id, $now) = @_;
    return main::h('', $now // '2026-03-02T09:00:00+07:00')
        . "\nX-PA-Test-Id: $id\nX-PA-Test-Token: token-lc25-notice-$id";
}

# the events of one report and type, as ioc_stream() gives them
sub events_of {
    my ($p, $id, $type) = @_;
    return join "\n", grep { /^\Q$type $id \E/ } split /\n/, ioc_stream($p);
}

run_tests();

__DATA__

=== TEST 1: two reports no area holds, Monday 2/3 09:00: submitted, the one deadline "dispatch" a working day from the submission; no notice deadline (LC25 counts it from the dispatch)
--- more_headers eval
[main::submit_headers('LN-1'), main::submit_headers('LN-2')]
--- pipelined_requests eval
[main::submit('LN-1', '0912347001'), main::submit('LN-2', '0912347002')]
--- error_code eval
[201, 201]
--- response_body_like eval
['^\{"id":"LN-1","status":"submitted".*"deadlines":\[\{"step":"dispatch","due":"2026-03-03T09:00:00\+07:00"\}\]',
 '^\{"id":"LN-2","status":"submitted".*"deadlines":\[\{"step":"dispatch","due":"2026-03-03T09:00:00\+07:00"\}\]']



=== TEST 2: its dispatch deadline is its q:submitted score alone; /metrics (real time, later than every deadline here) counts the two passed deadlines once each, both reports submitted
--- init
my $p = $main::P;
for my $id ('LN-1', 'LN-2') {
    Test::More::is(main::redis('ZSCORE', "${p}due", "$id|dispatch"), '', "$id: no due entry");
    Test::More::is(main::qscore_floor($p, $id), sprintf('%.0f', 2 * $main::B + 1772503200), "$id: band 2 + dispatch due");
    Test::More::is(main::redis('HGET', "${p}r:$id", 'dl:notify'), '', "$id: no notice deadline");
}
--- request
GET /metrics
--- error_code: 200
--- response_body_like: \npa_reports\{state="submitted"\} 2\n.*\npa_deadlines_unswept 2\n



=== TEST 3: the IOC receives LN-2 at 10:00 (act.lua files its deadline in due); LN-1 stays submitted
--- more_headers eval
main::h('ioc', '2026-03-02T10:00:00+07:00')
--- request eval
main::act('LN-2', action => 'receive')
--- error_code: 200
--- response_body_like eval
'"status":"received".*' . main::dls(0, ['dispatch', '2026-03-03T09:00', 'open'])



=== TEST 4: ... /metrics still counts two passed deadlines, not three: LN-2's in due (its score gone with it), LN-1's by its score
--- init
Test::More::is(main::redis('ZSCORE', "${main::P}due", 'LN-2|dispatch'), '1772503200', 'LN-2: filed in due');
Test::More::is(main::redis('ZSCORE', "${main::P}q:submitted", 'LN-2'), '', 'LN-2: left q:submitted');
--- request
GET /metrics
--- error_code: 200
--- response_body_like: \npa_reports\{state="submitted"\} 1\n(?:.*\n)?pa_reports\{state="received"\} 1\n.*\npa_deadlines_unswept 2\n



=== TEST 5: Tuesday 09:00:00 on time, 09:00:01 both overdue (LN-1 by its score, LN-2 by due), once; then a week on, past 6 working days from the submission, and a day more: no notice for the report still submitted, nothing counted again
--- more_headers eval
[map { "X-PA-Now: $_+07:00" } qw(2026-03-03T09:00:00 2026-03-03T09:00:01 2026-03-03T09:10:00
                                 2026-03-10T09:00:01 2026-03-11T09:00:01)]
--- pipelined_requests eval
[("POST /api/v1/admin/sweep") x 5]
--- error_code eval
[200, 200, 200, 200, 200]
--- response_body eval
[main::sweep_json(0), main::sweep_json(2), main::sweep_json(0), main::sweep_json(0), main::sweep_json(0)]



=== TEST 6: ... each overdue once in the events, the IOC's miss counted once per report (stats of March), /metrics has nothing left unswept
--- init
Test::More::is(main::ioc_stream($main::P), "submitted LN-1 -\nsubmitted LN-2 -\nreceive LN-2 -\noverdue LN-2 dispatch\noverdue LN-1 dispatch",
               'the events: one overdue each, no notice');
--- more_headers eval
[main::h('supervisor', '2026-03-11T10:00:00+07:00'), '']
--- pipelined_requests eval
["GET /api/v1/stats?from=2026-03-01&to=2026-03-31", "GET /metrics"]
--- error_code eval
[200, 200]
--- response_body_like eval
['"agency":"ioc","name":"[^"]+","dispatched":0,"resolved":0,"on_time":0,"overdue":2,"extension_missed":0,"in_progress":2,[^]]*\],"overdue_reports":\["LN-1","LN-2"\]\}\]\}$',
 '\npa_deadlines_unswept 0\n']



=== TEST 7: the reporter of LN-1 reads it submitted and overdue, with no message (no notice was sent); LN-2 received, overdue
--- more_headers eval
[main::h('r:token-lc25-notice-LN-1', '2026-03-11T10:00:00+07:00'), main::h('ioc', '2026-03-11T10:00:00+07:00')]
--- pipelined_requests eval
["GET /api/v1/reports/LN-1", "GET /api/v1/reports/LN-2"]
--- error_code eval
[200, 200]
--- response_body_like eval
['"status":"submitted".*' . main::dls(1, ['dispatch', '2026-03-03T09:00', 'over']) . '(?!.*"messages":\[\{)',
 '"status":"received".*' . main::dls(1, ['dispatch', '2026-03-03T09:00', 'over'])]



=== TEST 8: Thursday 12/3: the IOC receives LN-1 at 08:50 and dispatches both to the department at 09:00: accept Friday 09:00, handling Thursday 19/3 09:00, the notice Friday 20/3 09:00
--- more_headers eval
[main::h('ioc', '2026-03-12T08:50:00+07:00'), main::h('ioc', '2026-03-12T09:00:00+07:00'),
 main::h('ioc', '2026-03-12T09:00:00+07:00')]
--- pipelined_requests eval
[main::act('LN-1', action => 'receive'),
 main::act('LN-1', action => 'dispatch', agencies => ['so-xd']),
 main::act('LN-2', action => 'dispatch', agencies => ['so-xd'])]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"status":"received"',
 '"status":"dispatched".*' . main::dls(0, ['dispatch', '2026-03-03T09:00', 'late'],
  ['accept@so-xd', '2026-03-13T09:00', 'open'], ['resolve@so-xd', '2026-03-19T09:00', 'open'],
  ['notify', '2026-03-20T09:00', 'open']),
 '"status":"dispatched".*' . main::dls(0, ['dispatch', '2026-03-03T09:00', 'late'],
  ['accept@so-xd', '2026-03-13T09:00', 'open'], ['resolve@so-xd', '2026-03-19T09:00', 'open'],
  ['notify', '2026-03-20T09:00', 'open'])]



=== TEST 9: ... /metrics: the six new deadlines (real time: passed), each once
--- request
GET /metrics
--- error_code: 200
--- response_body_like: \npa_reports\{state="dispatched"\} 2\n.*\npa_deadlines_unswept 6\n



=== TEST 10: the department does not take them: Friday 09:00:01 accept overdue (2), Thursday 19/3 09:00:01 the handling (2), Friday 20/3 09:00:00 nothing, 09:00:01 the two notices; after that, nothing
--- more_headers eval
[map { "X-PA-Now: $_+07:00" } qw(2026-03-13T09:00:00 2026-03-13T09:00:01 2026-03-19T09:00:01
                                 2026-03-20T09:00:00 2026-03-20T09:00:01 2026-03-20T09:10:00)]
--- pipelined_requests eval
[("POST /api/v1/admin/sweep") x 6]
--- error_code eval
[200, 200, 200, 200, 200, 200]
--- response_body eval
[main::sweep_json(0), main::sweep_json(2), main::sweep_json(2), main::sweep_json(0), main::sweep_json(0, 2),
 main::sweep_json(0)]



=== TEST 11: ... the events: each deadline overdue once, one notice each (for the department); the department's miss counted once per report; /metrics nothing left
--- init
for my $id ('LN-1', 'LN-2') {
    Test::More::is(main::events_of($main::P, $id, 'overdue'),
                   "overdue $id dispatch\noverdue $id accept\noverdue $id resolve", "$id: each overdue once");
    Test::More::is(main::events_of($main::P, $id, 'notice'), "notice $id notify", "$id: one notice");
}
Test::More::like(main::redis('XRANGE', "${main::P}events", '-', '+'),
    qr/^type\nnotice\nid\nLN-1\nstatus\ndispatched\nagency\nso-xd\nagencies\n,so-xd,\nurgent\n0\nat\n1773972001\n/m,
    'the notice event: the department, the status');
--- more_headers eval
[main::h('supervisor', '2026-03-20T10:00:00+07:00'), '']
--- pipelined_requests eval
["GET /api/v1/stats?from=2026-03-01&to=2026-03-31", "GET /metrics"]
--- error_code eval
[200, 200]
--- response_body_like eval
['"agency":"ioc","name":"[^"]+","dispatched":0,"resolved":0,"on_time":0,"overdue":2,"extension_missed":0,"in_progress":0,[^]]*\],"overdue_reports":\["LN-1","LN-2"\]\},\{"agency":"so-xd","name":"[^"]+","dispatched":2,"resolved":0,"on_time":0,"overdue":2,"extension_missed":0,"in_progress":2,[^]]*\],"overdue_reports":\["LN-1","LN-2"\]\}\]\}$',
 '\npa_deadlines_unswept 0\n']



=== TEST 12: ... the reporter reads the notice among their messages, the notice step met, every other deadline overdue
--- more_headers eval
main::h('r:token-lc25-notice-LN-1', '2026-03-20T10:00:00+07:00')
--- request
GET /api/v1/reports/LN-1
--- error_code: 200
--- response_body_like eval
'"status":"dispatched".*' . main::dls(1, ['dispatch', '2026-03-03T09:00', 'late'],
  ['accept@so-xd', '2026-03-13T09:00', 'over'], ['resolve@so-xd', '2026-03-19T09:00', 'over'],
  ['notify', '2026-03-20T09:00', 'met'])
. '.*"messages":\[\{"at":"2026-03-20T09:00:01\+07:00","action":"notify","status":"dispatched","note":"Phản ánh của Ông/Bà vẫn'



=== TEST 13: the notice counted from the submission (the profile's one line changed): a report no area holds, Monday 2/3 09:00: dispatch Tuesday 09:00, the notice Tuesday 10/3 09:00
--- from_submission
--- more_headers eval
main::submit_headers('LS-1')
--- request eval
main::submit('LS-1', '0912347101')
--- error_code: 201
--- response_body_like: ^\{"id":"LS-1","status":"submitted".*"deadlines":\[\{"step":"dispatch","due":"2026-03-03T09:00:00\+07:00"\},\{"step":"notify","due":"2026-03-10T09:00:00\+07:00"\}\]



=== TEST 14: ... its score stands for the nearest (dispatch), the notice is in due; /metrics counts both passed deadlines, once each
--- from_submission
--- init
my $p = $main::P2;
Test::More::is(main::redis('ZSCORE', "${p}due", 'LS-1|dispatch'), '', 'no due entry for dispatch');
Test::More::is(int(main::redis('ZSCORE', "${p}due", 'LS-1|notify')), 1773108000, 'the notice in due');
Test::More::is(main::qscore_floor($p, 'LS-1'), sprintf('%.0f', 2 * $main::B + 1772503200), 'band 2 + dispatch due');
--- request
GET /metrics
--- error_code: 200
--- response_body_like: \npa_reports\{state="submitted"\} 1\n.*\npa_deadlines_unswept 2\n



=== TEST 15: swept each day: Tuesday 09:00:01 dispatch overdue (by the score); Tuesday 10/3 09:00:00 nothing, 09:00:01 the notice (the report still submitted), then nothing
--- from_submission
--- more_headers eval
[map { "X-PA-Now: $_+07:00" } qw(2026-03-03T09:00:00 2026-03-03T09:00:01 2026-03-03T09:10:00
                                 2026-03-10T09:00:00 2026-03-10T09:00:01 2026-03-10T09:10:00 2026-03-11T09:00:00)]
--- pipelined_requests eval
[("POST /api/v1/admin/sweep") x 7]
--- error_code eval
[200, 200, 200, 200, 200, 200, 200]
--- response_body eval
[main::sweep_json(0), main::sweep_json(1), main::sweep_json(0), main::sweep_json(0), main::sweep_json(0, 1),
 main::sweep_json(0), main::sweep_json(0)]



=== TEST 16: ... the reporter reads it still submitted, its dispatch overdue, the notice met and among their messages; the IOC still has it to receive (relisted); one overdue and one notice in the events; /metrics nothing left
--- from_submission
--- init
Test::More::is(main::ioc_stream($main::P2), "submitted LS-1 -\noverdue LS-1 dispatch\nnotice LS-1 notify",
               'the events: the overdue once, the notice once');
--- more_headers eval
[main::h('r:token-lc25-notice-LS-1', '2026-03-11T10:00:00+07:00'), main::h('ioc', '2026-03-11T10:00:00+07:00'), '']
--- pipelined_requests eval
["GET /api/v1/reports/LS-1", "GET /api/v1/queue?state=submitted", "GET /metrics"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"status":"submitted".*' . main::dls(1, ['dispatch', '2026-03-03T09:00', 'over'], ['notify', '2026-03-10T09:00', 'met'])
 . '.*"messages":\[\{"at":"2026-03-10T09:00:01\+07:00","action":"notify","status":"submitted","note":"Phản ánh của Ông/Bà vẫn',
 '"id":"LS-1"',
 '\npa_reports\{state="submitted"\} 1\n.*\npa_deadlines_unswept 0\n']



=== TEST 17: the IOC receives LS-1 and dispatches it to the department Wednesday 11/3 09:00: accept Thursday 09:00, handling Wednesday 18/3 09:00, and, as every dispatch opens one, a notice of its own Thursday 19/3 09:00
--- from_submission
--- more_headers eval
[main::h('ioc', '2026-03-11T08:50:00+07:00'), main::h('ioc', '2026-03-11T09:00:00+07:00')]
--- pipelined_requests eval
[main::act('LS-1', action => 'receive'), main::act('LS-1', action => 'dispatch', agencies => ['so-xd'])]
--- error_code eval
[200, 200]
--- response_body_like eval
['"status":"received"',
 '"status":"dispatched".*' . main::dls(0, ['dispatch', '2026-03-03T09:00', 'late'],
  ['accept@so-xd', '2026-03-12T09:00', 'open'], ['resolve@so-xd', '2026-03-18T09:00', 'open'],
  ['notify', '2026-03-19T09:00', 'open'])]



=== TEST 18: ... its later deadlines swept on time: Thursday 09:00:00 nothing, 09:00:01 accept overdue; Wednesday 18/3 09:00:01 the handling; Thursday 19/3 09:00:01 the second notice; then nothing
--- from_submission
--- more_headers eval
[map { "X-PA-Now: $_+07:00" } qw(2026-03-12T09:00:00 2026-03-12T09:00:01 2026-03-18T09:00:00 2026-03-18T09:00:01
                                 2026-03-19T09:00:01 2026-03-19T09:10:00)]
--- pipelined_requests eval
[("POST /api/v1/admin/sweep") x 6]
--- error_code eval
[200, 200, 200, 200, 200, 200]
--- response_body eval
[main::sweep_json(0), main::sweep_json(1), main::sweep_json(0), main::sweep_json(1), main::sweep_json(0, 1),
 main::sweep_json(0)]



=== TEST 19: ... each deadline overdue once in the events, a notice while submitted and one while dispatched; the misses counted once per report and owner; /metrics nothing left; the reporter has both notices
--- from_submission
--- init
Test::More::is(main::events_of($main::P2, 'LS-1', 'overdue'),
               "overdue LS-1 dispatch\noverdue LS-1 accept\noverdue LS-1 resolve", 'each overdue once');
Test::More::is(main::events_of($main::P2, 'LS-1', 'notice'), "notice LS-1 notify\nnotice LS-1 notify", 'two notices');
--- more_headers eval
[main::h('supervisor', '2026-03-19T10:00:00+07:00'), '', main::h('r:token-lc25-notice-LS-1', '2026-03-19T10:00:00+07:00')]
--- pipelined_requests eval
["GET /api/v1/stats?from=2026-03-01&to=2026-03-31", "GET /metrics", "GET /api/v1/reports/LS-1"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"agency":"ioc","name":"[^"]+","dispatched":0,"resolved":0,"on_time":0,"overdue":1,[^]]*\],"overdue_reports":\["LS-1"\]\},\{"agency":"so-xd","name":"[^"]+","dispatched":1,"resolved":0,"on_time":0,"overdue":1,[^]]*\],"overdue_reports":\["LS-1"\]\}\]\}$',
 '\npa_reports\{state="submitted"\} 0\n.*\npa_deadlines_unswept 0\n',
 '"status":"dispatched".*' . main::dls(1, ['dispatch', '2026-03-03T09:00', 'late'],
  ['accept@so-xd', '2026-03-12T09:00', 'over'], ['resolve@so-xd', '2026-03-18T09:00', 'over'],
  ['notify', '2026-03-19T09:00', 'met'])
 . '.*"messages":\[\{"at":"2026-03-10T09:00:01\+07:00","action":"notify","status":"submitted","note":"[^"]+"\},'
 . '\{"at":"2026-03-19T09:00:01\+07:00","action":"notify","status":"dispatched","note":"[^"]+"\}\]']



=== TEST 20: the sweeper stopped past both deadlines: LS-2 submitted Monday 23/3 09:00 (dispatch Tuesday 09:00, the notice Tuesday 31/3 09:00) is first swept Wednesday 1/4: the overdue and the notice in that one sweep
--- from_submission
--- more_headers eval
[main::submit_headers('LS-2', '2026-03-23T09:00:00+07:00'), "X-PA-Now: 2026-04-01T09:00:00+07:00"]
--- pipelined_requests eval
[main::submit('LS-2', '0912347102'), "POST /api/v1/admin/sweep"]
--- error_code eval
[201, 200]
--- response_body_like eval
['"id":"LS-2","status":"submitted".*"deadlines":\[\{"step":"dispatch","due":"2026-03-24T09:00:00\+07:00"\},\{"step":"notify","due":"2026-03-31T09:00:00\+07:00"\}\]',
 main::sweep_json(1, 1)]



=== TEST 21: ... each once in the events; /metrics just after that one sweep has nothing unswept; the next sweep finds nothing
The notice's relist() (sweep.lua, qdue_file) files LS-2's dispatch
deadline, not yet swept, in due after the sweep read due's members; the
sweep's q:submitted pass then marks it overdue and removes that entry (it
stayed until the next sweep once, and /metrics counted it "not seen
yet").
--- from_submission
--- init
Test::More::is(main::events_of($main::P2, 'LS-2', 'overdue'), 'overdue LS-2 dispatch', 'overdue once');
Test::More::is(main::events_of($main::P2, 'LS-2', 'notice'), 'notice LS-2 notify', 'one notice');
my $port = Test::Nginx::Util::server_port_for_client();
my $m = HTTP::Tiny->new(timeout => 10)->get("http://127.0.0.1:$port/metrics")->{content};
Test::More::like($m, qr/\npa_deadlines_unswept 0\n/, '/metrics after the one sweep: nothing unswept');
--- more_headers
X-PA-Now: 2026-04-01T09:10:00+07:00
--- request
POST /api/v1/admin/sweep
--- error_code: 200
--- response_body eval
main::sweep_json(0)
