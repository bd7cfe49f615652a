# GET /api/v1/queue reads a page, not the open work: the lists are scored
# in the queue's order (urgent first, then the nearest open deadline, then
# the oldest), a read takes the first entries and the fields of those
# reports only (INFO commandstats).  Ties on the deadline are ordered by
# submission across the page's edge; lists written before they were
# scored (a province's data from an earlier version) are scored on their
# first read; overdue=1 keeps a missed deadline extended afterwards.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest qw(:DEFAULT h act);

our $P = 'pa:{t_qorder}:';

setting(http_config => queue_http('t_qorder', 'test-queue-order'));

# id, when submitted, category; O-Z and O-A come after working hours the
# same evening: the same verify deadline, O-Z first
our @R = (['O-M', '2026-02-02T09:00:00+07:00', 'traffic'],
          ['O-U', '2026-02-02T10:00:00+07:00', 'fire'],
          ['O-Z', '2026-02-02T20:00:00+07:00', 'traffic'],
          ['O-A', '2026-02-02T21:00:00+07:00', 'traffic'],
          map { ["N-$_", sprintf('2026-02-03T%02d:00:00+07:00', 8 + $_),
                 'environment'] } 1 .. 6);

our (@req, @hdr);
my $n = 0;
for my $r (@R) {
    my ($id, $at, $cat) = @$r;
    $n++;
    push @req, "POST /api/v1/reports\n{\"content\":\"Phản ánh số $n\","
               . "\"category\":\"$cat\",\"lat\":22.39,\"lng\":103.45,"
               . "\"reporter_name\":\"A\",\"reporter_phone\":\"091200000$n\"}";
    push @hdr, h('', $at) . "\nX-PA-Test-Id: $id"
               . "\nX-PA-Test-Token: token-of-the-reporter-" . lc $id;
}

# what Redis ran since CONFIG RESETSTAT: command -> calls
sub calls {
    my %c;
    for (split /\n/, main::redis('INFO', 'commandstats')) {
        $c{$1} = $2 if /^cmdstat_([^:]+):calls=(\d+)/;
    }
    return \%c;
}

# the lists as an earlier version wrote them: no q: keys (every report in
# st:<state> by creation), the agencies' lists scored by submission
sub before_the_index {
    main::redis('EVAL', <<'_LUA_', 1, "${P}q:built");
local prefix = string.match(KEYS[1], '^(.-}:)')
for _, k in ipairs(redis.call('KEYS', prefix .. 'q:*')) do
    -- an open state's reports were in st:<state>, by creation
    local state = string.match(k, ':q:(.+)$')
    if redis.call('TYPE', k).ok == 'zset' then
        for _, id in ipairs(redis.call('ZRANGE', k, 0, -1)) do
            redis.call('ZADD', prefix .. 'st:' .. state,
                       redis.call('HGET', prefix .. 'r:' .. id, 'created_at'),
                       id)
        end
    end
    redis.call('DEL', k)
end
for _, k in ipairs(redis.call('KEYS', prefix .. 'aq:*')) do
    for _, id in ipairs(redis.call('ZRANGE', k, 0, -1)) do
        redis.call('ZADD', k, redis.call('HGET', prefix .. 'r:' .. id,
                                         'created_at'), id)
    end
end
_LUA_
}

run_tests();

__DATA__

=== TEST 1: ten reports: an urgent one, two the same evening, six the next day
--- init
main::fresh('t_qorder');
--- more_headers eval
[@main::hdr]
--- pipelined_requests eval
[@main::req]
--- error_code eval
[(201) x 10]



=== TEST 2: a province's lists from before: no q: keys; the first read builds the IOC's list from st:submitted
--- init
main::before_the_index();
Test::More::is(main::redis('EXISTS', "${main::P}q:submitted"), 0,
               'no IOC list yet');
--- more_headers eval
main::h('ioc', '2026-02-03T10:30:00+07:00')
--- request
GET /api/v1/queue?limit=4
--- error_code: 200
--- response_body_like: ^\{"items":\[\{"id":"O-U","status":"submitted","urgent":true,[^{]*"deadlines":\[\{"step":"verify","due":"2026-02-02T11:00:00\+07:00","overdue":true\}\],"overdue":true,"next_due":"2026-02-02T11:00:00\+07:00"\},\{"id":"O-M",.*?"next_due":"2026-02-03T09:00:00\+07:00"\},\{"id":"O-Z",.*?"next_due":"2026-02-03T17:00:00\+07:00"\},\{"id":"O-A",.*?"next_due":"2026-02-03T17:00:00\+07:00"\}\],"total":10,"truncated":false\}$



=== TEST 3: the page's edge between two reports due at the same time: the one submitted first (O-Z, after O-A by id)
--- init
Test::More::is(main::redis('ZCARD', "${main::P}q:submitted"), 10,
               'TEST 2 built the list');
Test::More::is(main::redis('HGET', "${main::P}q:built", 'q:submitted'), 1,
               'and said so');
main::redis('CONFIG', 'RESETSTAT');
--- more_headers eval
main::h('ioc', '2026-02-03T10:30:00+07:00')
--- request
GET /api/v1/queue?limit=3
--- error_code: 200
--- response_body_like: ^\{"items":\[\{"id":"O-U",[^{]*\{[^{]*\},\{"id":"O-M",[^{]*\{[^{]*\},\{"id":"O-Z",[^{]*\{[^{]*\}\][^{]*\}\],"total":10,"truncated":false\}$



=== TEST 4: ... Redis read the page and the report tied with its last, out of ten, none whole
--- init
my $c = main::calls();
Test::More::is($c->{evalsha}, 1, 'one script call');
Test::More::is($c->{hmget}, 4, 'four reports read: three and the tie');
Test::More::ok(!$c->{hgetall}, 'no report read whole');
Test::More::is($c->{zcount}, 7, 'each list of the IOC\'s seven states counted');
main::redis('CONFIG', 'RESETSTAT');
--- more_headers eval
main::h('ioc', '2026-02-03T10:30:00+07:00')
--- request
GET /api/v1/queue?limit=2
--- error_code: 200
--- response_body_like: ^\{"items":\[\{"id":"O-U",[^{]*\{[^{]*\},\{"id":"O-M",[^{]*\{[^{]*\}\][^{]*\}\],"total":10,"truncated":false\}$



=== TEST 5: ... a page of two reads two
--- init
Test::More::is(main::calls()->{hmget}, 2, 'two reports read');
--- more_headers eval
main::h('ioc', '2026-02-03T10:30:00+07:00')
--- request
GET /api/v1/queue?overdue=1
--- error_code: 200
--- response_body_like: ^\{"items":\[\{"id":"O-U",.*\{"id":"O-M",[^{]*\{[^{]*\}\][^{]*\}\],"total":2,"truncated":false\}$



=== TEST 6: N-1 goes to so-xd, which misses its deadline (the sweeper sees it) and extends it afterwards
--- more_headers eval
[main::h('ioc', '2026-02-03T11:00:00+07:00'),
 main::h('ioc', '2026-02-03T11:10:00+07:00'),
 main::h('ioc', '2026-02-03T11:20:00+07:00'),
 main::h('xd', '2026-02-03T13:00:00+07:00'),
 main::h('ioc', '2026-02-03T11:20:00+07:00'),
 main::h('ioc', '2026-02-03T11:30:00+07:00'),
 main::h('ioc', '2026-02-03T11:40:00+07:00'),
 main::h('admin', '2026-02-11T09:00:00+07:00'),
 main::h('xd', '2026-02-11T09:30:00+07:00')]
--- pipelined_requests eval
[main::act('N-1', action => 'verify'), main::act('N-1', action => 'receive'),
 main::act('N-1', action => 'dispatch', agencies => ['so-xd']),
 main::act('N-1', action => 'accept'),
 main::act('N-2', action => 'verify'), main::act('N-2', action => 'receive'),
 main::act('N-2', action => 'dispatch', agencies => ['so-xd']),
 "POST /api/v1/admin/sweep",
 main::act('N-1', action => 'extend', reason => 'Chờ vật tư', days => 2)]
--- error_code eval
[200, 200, 200, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"status":"verified"', '"status":"received"', '"status":"dispatched"',
 '"status":"in_progress"', '"status":"verified"', '"status":"received"',
 '"status":"dispatched"', '"overdue":[1-9]',
 '"step":"resolve","due":"2026-02-13T09:30:00\+07:00","agency":"so-xd","overdue":true\}\]']



=== TEST 7: overdue=1 on 02-11: N-2 (accept missed) and N-1, whose extended deadline is in two days but was missed
--- more_headers eval
main::h('xd', '2026-02-11T10:00:00+07:00')
--- request
GET /api/v1/queue?overdue=1
--- error_code: 200
--- response_body_like: ^\{"items":\[\{"id":"N-2","status":"dispatched",.*?"overdue":true,"next_due":"2026-02-04T11:\d\d:00\+07:00"\},\{"id":"N-1","status":"in_progress",.*?"overdue":true,"next_due":"2026-02-13T09:30:00\+07:00"\}\],"total":2,"truncated":false\}$



=== TEST 8: the agency's lists from before (scored by submission, no q:late): the first read scores them again
--- init
main::before_the_index();
Test::More::is(main::redis('EXISTS', "${main::P}q:late"), 0, 'no q:late');
--- more_headers eval
[main::h('xd', '2026-02-11T10:00:00+07:00'),
 main::h('xd', '2026-02-11T10:00:00+07:00'),
 main::h('ioc', '2026-02-11T10:00:00+07:00')]
--- pipelined_requests eval
["GET /api/v1/queue?overdue=1", "GET /api/v1/queue?limit=1",
 "GET /api/v1/queue?limit=1&state=submitted"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['^\{"items":\[\{"id":"N-2",.*\{"id":"N-1",.*\],"total":2,"truncated":false\}$',
 '^\{"items":\[\{"id":"N-2",[^{]*\{[^{]*\}[^{]*\{[^{]*\}\][^{]*\}\],"total":2,"truncated":false\}$',
 '^\{"items":\[\{"id":"O-U",[^{]*\{[^{]*\}\][^{]*\}\],"total":8,"truncated":false\}$']
