# A new report's first deadline is its q:submitted score (issue 12): the
# submission files no entry "<id>|verify" in the due index, and the
# sweeper finds a passed one by that score (urgent band and the others),
# with a cursor so that a report that stays overdue in the list is counted
# once.  Checked through the API with the shipped Lai Châu 2026 profile
# (verify: 2 working days, urgent 1 wall-clock hour; pa_record_compat
# off, as once every node runs this version): the miss marked and
# counted as before, an action on a submitted report filing its deadline
# in due again, the clock going back (the sweeper's, and a submitting
# node's behind the sweeper's), a backlog past a sweep's page with a run
# of equal scores, /metrics' deadlines not yet swept (each once), and a
# report of an earlier version (in both) counted once.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;
use t::PaQsub qw(submit sweep_json qscore_floor);
use HTTP::Tiny;

# every node of this version (pa_record_compat off): with it on a due
# entry is filed too, for an earlier version's sweeper (t/086); before
# life(): the last preprocessor added runs first
Test::Nginx::Socket::add_block_preprocessor(sub {
    my $block = shift;
    my $compat = defined $block->compat_on ? 'on' : 'off';
    $block->set_value('http_config',
                      $block->http_config . "    pa_record_compat $compat;\n");
});

life('laichau-2026', 't_qdue', ioc => ['ioc']);

our $P = 'pa:{t_qdue}:';
our $B = 1e10;
# every block the API and /metrics
with_metrics();

run_tests();

__DATA__

=== TEST 1: three reports at 09:00: QD-1 ordinary (verify due Wednesday 09:00), QD-2 urgent by its category (due 10:00), QD-3 ordinary; then the IOC hides QD-3 (it stays submitted)
--- more_headers eval
[(map { main::h('', '2026-03-02T09:00:00+07:00') . "\nX-PA-Test-Id: QD-$_" } 1 .. 3),
 main::h('ioc', '2026-03-02T09:30:00+07:00')]
--- pipelined_requests eval
[main::submit('QD-1', 'traffic', '0912345101'),
 main::submit('QD-2', 'fire', '0912345102'),
 main::submit('QD-3', 'traffic', '0912345103'),
 main::act('QD-3', action => 'hide', reason => 'Thông tin cá nhân')]
--- error_code eval
[201, 201, 201, 200]
--- response_body_like eval
['"id":"QD-1","status":"submitted".*"urgent":false,"media":\[\],"deadlines":\[\{"step":"verify","due":"2026-03-04T09:00:00\+07:00"\}\]',
 '"id":"QD-2","status":"submitted".*"urgent":true,"media":\[\],"deadlines":\[\{"step":"verify","due":"2026-03-02T10:00:00\+07:00"\}\]',
 '"id":"QD-3","status":"submitted"',
 '"status":"submitted"']



=== TEST 2: no due entry for a new report: its q:submitted score is its band and its verify due; the hidden one's deadline is filed in due by the action
--- init
my $p = $main::P;
Test::More::is(main::redis('ZSCORE', "${p}due", 'QD-1|verify'), '', 'QD-1: no due entry');
Test::More::is(main::redis('ZSCORE', "${p}due", 'QD-2|verify'), '', 'QD-2: no due entry');
Test::More::is(main::redis('HGET', "${p}r:QD-1", 'dl:verify'), '1772589600', 'QD-1: its deadline is in the record');
Test::More::is(main::qscore_floor($main::P, 'QD-1'), sprintf('%.0f', 2 * $main::B + 1772589600), 'QD-1: band 2 + due');
Test::More::is(main::qscore_floor($main::P, 'QD-2'), '1772420400', 'QD-2: band 0 (urgent) + due');
Test::More::is(main::redis('ZSCORE', "${p}due", 'QD-3|verify'), '1772589600', 'QD-3: acted on, filed in due');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 3: the urgent one passes at 10:00: not at 10:00:00 (on time), at 10:00:01 overdue, once
--- more_headers eval
[map { "X-PA-Now: 2026-03-02T$_+07:00" } qw(09:59:59 10:00:00 10:00:01 10:30:00)]
--- pipelined_requests eval
[("POST /api/v1/admin/sweep") x 4]
--- error_code eval
[200, 200, 200, 200]
--- response_body eval
[main::sweep_json(0), main::sweep_json(0), main::sweep_json(1), main::sweep_json(0)]



=== TEST 4: ... marked on the report, counted against the IOC, its event, and the report's view says so
--- init
my $p = $main::P;
Test::More::is(main::redis('HGET', "${p}r:QD-2", 'do:verify'), '1', 'QD-2: do:verify');
Test::More::is(main::redis('HGET', "${p}r:QD-1", 'do:verify'), '', 'QD-1: not yet');
Test::More::is(main::redis('HGET', "${p}stats:20260302", 'ioc|overdue'), '1', 'the IOC: one miss');
Test::More::is(main::redis('SISMEMBER', "${p}late:20260302", 'ioc|QD-2'), '1', 'in the day\'s overdue list');
Test::More::like(main::redis('XRANGE', "${p}events", '-', '+'),
    qr/^type\noverdue\nid\nQD-2\nstep\nverify\nkey\nverify\nagency\nioc\nurgent\n1\ndue\n1772420400\nat\n1772420401$/m,
    'the overdue event');
--- more_headers eval
main::h('ioc', '2026-03-02T10:30:00+07:00')
--- request
GET /api/v1/reports/QD-2
--- error_code: 200
--- response_body_like eval
'"status":"submitted".*' . main::dls(1, ['verify', '2026-03-02T10:00', 'over'])



=== TEST 5: Wednesday 09:00:01: QD-1 (by its score) and QD-3 (by its due entry) overdue, each once; a sweep after finds nothing
--- more_headers eval
[map { "X-PA-Now: 2026-03-04T$_+07:00" } qw(08:59:00 09:00:01 09:10:00)]
--- pipelined_requests eval
[("POST /api/v1/admin/sweep") x 3]
--- error_code eval
[200, 200, 200]
--- response_body eval
[main::sweep_json(0), main::sweep_json(2), main::sweep_json(0)]



=== TEST 6: ... counted once each (three misses of the IOC's, on the day they passed), the due index empty, the IOC's overdue list has all three
--- init
my $p = $main::P;
Test::More::is(main::redis('HGET', "${p}stats:20260302", 'ioc|overdue'), '1', 'Monday: QD-2');
Test::More::is(main::redis('HGET', "${p}stats:20260304", 'ioc|overdue'), '2', 'Wednesday: QD-1 and QD-3');
Test::More::is(main::redis('ZCARD', "${p}due"), '0', 'nothing left in due');
Test::More::is(main::redis('HGET', "${p}r:QD-1", 'do:verify'), '1', 'QD-1: do:verify');
Test::More::is(main::redis('HGET', "${p}r:QD-3", 'do:verify'), '1', 'QD-3: do:verify');
--- more_headers eval
main::h('ioc', '2026-03-04T09:10:00+07:00')
--- request
GET /api/v1/queue?state=submitted&overdue=1
--- error_code: 200
--- response_body_like: ^(?=.*"id":"QD-2")(?=.*"id":"QD-1")(?=.*"id":"QD-3")



=== TEST 7: the clock goes back (a sweep on 10 March, then a report of 2 March): its deadline is still found, and the others are not counted again
--- more_headers eval
["X-PA-Now: 2026-03-10T09:00:00+07:00",
 main::h('', '2026-03-02T14:00:00+07:00') . "\nX-PA-Test-Id: QD-4",
 "X-PA-Now: 2026-03-04T13:59:59+07:00",
 "X-PA-Now: 2026-03-04T14:00:01+07:00"]
--- pipelined_requests eval
["POST /api/v1/admin/sweep",
 main::submit('QD-4', 'traffic', '0912345104'),
 "POST /api/v1/admin/sweep", "POST /api/v1/admin/sweep"]
--- error_code eval
[200, 201, 200, 200]
--- response_body_like eval
[main::sweep_json(0), '"id":"QD-4".*"deadlines":\[\{"step":"verify","due":"2026-03-04T14:00:00\+07:00"\}\]',
 main::sweep_json(0), main::sweep_json(1)]



=== TEST 8: a backlog of 1,901 passed deadlines (1,201 of one whole score, as an action writes them, and 700 apart): more than a sweep's page, each counted once
--- init
main::redis('EVAL', <<'_LUA_', 1, "${main::P}q:submitted", 1772700000);
local prefix = string.match(KEYS[1], '^(.-}:)')
local due = tonumber(ARGV[1])
for i = 1, 1901 do
    local id = 'QB-' .. i
    local d = i <= 1201 and due or due + i
    redis.call('HSET', prefix .. 'r:' .. id, 'status', 'submitted',
               'urgent', '0', 'created_at', due - 86400, 'dl:verify', d)
    redis.call('ZADD', KEYS[1], 2e10 + d, id)
end
_LUA_
--- more_headers eval
["X-PA-Now: 2026-03-11T09:00:00+07:00", "X-PA-Now: 2026-03-11T09:10:00+07:00"]
--- pipelined_requests eval
["POST /api/v1/admin/sweep", "POST /api/v1/admin/sweep"]
--- error_code eval
[200, 200]
--- response_body eval
[main::sweep_json(1901), main::sweep_json(0)]



=== TEST 9: ... each marked, the count in the statistics of that day
--- init
my $p = $main::P;
Test::More::is(main::redis('HGET', "${p}stats:20260311", 'ioc|overdue'), '1901', '1,901 misses');
Test::More::is(main::redis('EVAL', q{
    local n = 0
    for i = 1, 1901 do
        if redis.call('HGET', ARGV[1] .. 'r:QB-' .. i, 'do:verify') == '1' then
            n = n + 1
        end
    end
    return n}, 0, $p), '1901', 'each has do:verify');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 10: a report of an earlier version (a due entry and its score) counted once
--- init
my $p = $main::P;
main::redis('HSET', "${p}r:QO-1", 'status', 'submitted', 'urgent', '0',
            'created_at', 1773100000, 'dl:verify', 1773200000);
main::redis('ZADD', "${p}q:submitted", 2 * $main::B + 1773200000, 'QO-1');
main::redis('ZADD', "${p}due", 1773200000, 'QO-1|verify');
--- more_headers eval
["X-PA-Now: 2026-03-12T09:00:00+07:00", "X-PA-Now: 2026-03-12T09:10:00+07:00"]
--- pipelined_requests eval
["POST /api/v1/admin/sweep", "POST /api/v1/admin/sweep"]
--- error_code eval
[200, 200]
--- response_body eval
[main::sweep_json(1), main::sweep_json(0)]



=== TEST 11: a report of 9 March submitted after a sweep of 12 March (a node's clock behind the sweeper's): the sweeper's cursor is set back to it
--- more_headers eval
main::h('', '2026-03-09T09:00:00+07:00') . "\nX-PA-Test-Id: QD-5"
--- request eval
main::submit('QD-5', 'traffic', '0912345105')
--- error_code: 201
--- response_body_like: "id":"QD-5".*"deadlines":\[\{"step":"verify","due":"2026-03-11T09:00:00\+07:00"\}\]



=== TEST 12: ... so the next sweep, later still, finds its deadline passed: once
--- init
Test::More::is(main::redis('HGET', "${main::P}sweep:qdue", '2'),
               main::redis('ZSCORE', "${main::P}q:submitted", 'QD-5'),
               'the cursor at its score');
Test::More::is(main::redis('ZSCORE', "${main::P}due", 'QD-5|verify'), '',
               'no due entry');
--- more_headers eval
["X-PA-Now: 2026-03-13T09:00:00+07:00", "X-PA-Now: 2026-03-14T09:00:00+07:00"]
--- pipelined_requests eval
["POST /api/v1/admin/sweep", "POST /api/v1/admin/sweep"]
--- error_code eval
[200, 200]
--- response_body eval
[main::sweep_json(1), main::sweep_json(0)]



=== TEST 13: /metrics (real time): a submitted report past its deadline since the last sweep is a deadline not yet swept, once though it is in due too (acted on); one not yet due is not
--- init
my $p = $main::P;
my $now = time;
main::redis('HSET', "${p}sweep:qdue", '0', $now - 200,
            '2', 2 * $main::B + $now - 200);
for my $r (['QM-1', $now - 100], ['QM-2', $now + 3600], ['QM-3', $now - 50]) {
    main::redis('HSET', "${p}r:$r->[0]", 'status', 'submitted', 'urgent', '0',
                'created_at', $now - 1000, 'dl:verify', $r->[1]);
    main::redis('ZADD', "${p}q:submitted", 2 * $main::B + $r->[1], $r->[0]);
}
main::redis('ZADD', "${p}due", $now - 50, 'QM-3|verify');
--- request
GET /metrics
--- error_code: 200
--- response_body_like: \npa_deadlines_unswept 2\n



=== TEST 14: ... with pa_record_compat on every deadline is in due: q:submitted is not counted again
--- compat_on
--- request
GET /metrics
--- error_code: 200
--- response_body_like: \npa_deadlines_unswept 1\n



=== TEST 15: /metrics with a sweeper long stopped: 150 passed deadlines past the cursor (100 read, the rest counted one each)
--- init
my $p = $main::P;
my $now = time;
main::redis('ZREM', "${p}q:submitted", 'QM-1', 'QM-3');
main::redis('ZREM', "${p}due", 'QM-3|verify');
main::redis('HSET', "${p}sweep:qdue", '0', $now - 1000,
            '2', 2 * $main::B + $now - 1000);
main::redis('EVAL', q{
    for i = 1, 150 do
        local d = ARGV[2] - 100 - i
        redis.call('HSET', ARGV[1] .. 'r:QR-' .. i, 'status', 'submitted',
                   'urgent', '0', 'created_at', d - 86400, 'dl:verify', d)
        redis.call('ZADD', ARGV[1] .. 'q:submitted', 2e10 + d, 'QR-' .. i)
    end}, 0, $p, $now);
--- request
GET /metrics
--- error_code: 200
--- response_body_like: \npa_deadlines_unswept 150\n
