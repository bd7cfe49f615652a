# One index per open state (issue 12, t/044): a province's data of an
# earlier version has its open reports in st:<state>.  The IOC's reads
# merge the states the IOC lists (queue.lua); the agencies' states
# (dispatched, in_progress, awaiting_approval) were merged only when their
# reports moved, and /metrics paid a ZINTERCARD a state a read until then.
# Now each sweep moves a bounded number of them (100 a state) into the
# state's list q:<state>, as queue.lua would score them, and the old key
# is gone once empty: the counts and the agencies' queues are the same
# before, during and after; a stale entry (a report in another state
# now) only leaves st:.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;
use HTTP::Tiny;

life('thainguyen-2021', 't_stmove',
     ioc    => ['ioc'],
     gtvt   => ['handler', 'so-xd'],
     leader => ['leader', 'so-xd'],
     admin  => ['admin']);

our $P = 'pa:{t_stmove}:';
# every block the API and /metrics
with_metrics();

our @Ids = qw(D-1 D-2 P-1 P-2 A-1);
our $N = 150;        # copies of D-2, more than a sweep moves

# the counts of the three states, as /metrics says them
sub counts {
    my $port = Test::Nginx::Util::server_port_for_client();
    my $m = HTTP::Tiny->new->get("http://127.0.0.1:$port/metrics")->{content};
    return join ' ', map { $m =~ /^pa_reports\{state="$_"\} (\d+)$/m ? $1 : '?' }
                     qw(dispatched in_progress awaiting_approval);
}

# a queue as someone sees it
sub queue {
    my ($who, $q) = @_;
    my %h = map { split /: /, $_, 2 }
            split /\n/, main::h($who, '2026-03-02T13:00:00+07:00');
    my $port = Test::Nginx::Util::server_port_for_client();
    my $res = HTTP::Tiny->new->get("http://127.0.0.1:$port/api/v1/queue$q",
                                   {headers => \%h});
    die "queue: $res->{status} $res->{content}\n" unless $res->{status} == 200;
    return $res->{content};
}

# the sweep before any deadline passed: nothing marked overdue, the
# queues change only if the move changes them
our $Now = '2026-03-02T09:30:00+07:00';

# POST /admin/sweep calls sweep.lua until it has nothing more to do
sub sweep {
    my $port = Test::Nginx::Util::server_port_for_client();
    my $res = HTTP::Tiny->new->post("http://127.0.0.1:$port/api/v1/admin/sweep",
        {headers => {'X-PA-Now' => $Now}});
    die "sweep: $res->{status}\n" unless $res->{status} == 200;
}

# one call of sweep.lua, as the sweeper's timer makes it (the module's
# text: build/pa-script): its "more"
sub sweep_once {
    my $text = `$t::PaTest::ROOT/build/pa-script $t::PaTest::ROOT/redis-scripts/sweep.lua`;
    my @k = map { "$P$_" } qw(sweep:lock due events clock sweep:cursor
        sweep:last near near:at dup:cursor q:late st:dispatched q:dispatched
        st:in_progress q:in_progress st:awaiting_approval
        q:awaiting_approval q:submitted sweep:qdue);
    my @r = split /\n/, main::redis('EVAL', $text, scalar @k, @k,
        1772418600, $P, '20260302', '', 1000, 500, $Now, 'n', 'r', 0);
    return $r[-1];
}

sub gone { main::redis('EXISTS', map { "${main::P}st:$_" } @_) }

run_tests();

__DATA__

=== TEST 1: five reports: two dispatched, two in progress, one awaiting approval (through the API)
--- more_headers eval
[(map { main::h('', "2026-03-02T08:0$_:00+07:00") . "\nX-PA-Test-Id: $main::Ids[$_]" } 0 .. 4),
 (map { main::h('ioc', '2026-03-02T09:00:00+07:00') } 1 .. 15),
 (map { main::h('gtvt', '2026-03-02T10:30:00+07:00') } 1 .. 4),
 main::h('gtvt', '2026-03-02T11:00:00+07:00')]
--- pipelined_requests eval
[(map { "POST /api/v1/reports\n" . qq({"content":"Phản ánh $main::Ids[$_] về đường sá","category":"traffic","lat":21.59,"lng":105.84,"reporter_name":"Nguyễn Văn K","reporter_phone":"09123470$_$_"}) } 0 .. 4),
 (map { my $id = $_; (main::act($id, action => 'verify'), main::act($id, action => 'receive'), main::act($id, action => 'dispatch', agencies => ['so-xd'])) } @main::Ids),
 (map { main::act($_, action => 'accept') } qw(P-1 P-2 A-1)),
 main::act('P-2', action => 'extend', days => 1, reason => 'Chờ vật tư'),
 main::act('A-1', action => 'resolve', summary => 'Đã sửa xong.', salutation => 'Ông')]
--- error_code eval
[(201) x 5, (200) x 15, 200, 200, 200, 200, 200]



=== TEST 2: the layout of earlier versions: D-1, P-1, A-1 in st: only, D-2 and P-2 in both; 150 more dispatched reports (copies of D-2) in st:dispatched only; the counts and the agencies' queues taken before any sweep
--- init
main::redis('EVAL', <<'_LUA_', 1, "${main::P}q:built", $main::N, @main::Ids);
local prefix = string.match(KEYS[1], '^(.-}:)')
local n = tonumber(ARGV[1])
for j = 2, #ARGV do
    local id = ARGV[j]
    local h = redis.call('HGETALL', prefix .. 'r:' .. id)
    local st, at
    for k = 1, #h, 2 do
        if h[k] == 'status' then st = h[k + 1] end
        if h[k] == 'created_at' then at = h[k + 1] end
    end
    redis.call('ZADD', prefix .. 'st:' .. st, at, id)
    if id == 'D-1' or id == 'P-1' or id == 'A-1' then
        redis.call('ZREM', prefix .. 'q:' .. st, id)
    end
    if id == 'D-2' then
        for c = 1, n do
            local copy = {}
            for k = 1, #h, 2 do
                copy[#copy + 1] = h[k]
                copy[#copy + 1] = h[k] == 'id' and ('D-' .. 100 + c) or h[k + 1]
            end
            redis.call('HSET', prefix .. 'r:D-' .. 100 + c, unpack(copy))
            redis.call('ZADD', prefix .. 'st:dispatched', at + c, 'D-' .. 100 + c)
        end
    end
end
_LUA_
Test::More::is(main::redis('ZCARD', "${main::P}st:dispatched"), 152,
               '152 in the old index of dispatched');
Test::More::is(main::redis('ZCARD', "${main::P}q:dispatched"), 1,
               'one in its list');
$main::Before = main::counts();
Test::More::is($main::Before, '152 2 1', 'counted once each');
@main::Queues = (main::queue('gtvt', ''), main::queue('leader', ''));
Test::More::like($main::Queues[0], qr/"total":4,/, "so-xd's handler: four");
Test::More::like($main::Queues[1], qr/"total":1,/, "so-xd's leader: one");
--- request
GET /metrics
--- error_code: 200



=== TEST 3: a sweep moves at most 100 a state: the small states at once, 100 of dispatched, and says there is more; the counts and the queues are the same meanwhile
--- init
Test::More::is(main::sweep_once(), 1, 'more to do');
Test::More::is(main::gone('in_progress', 'awaiting_approval'), 0,
               'st:in_progress and st:awaiting_approval gone');
Test::More::is(main::redis('ZCARD', "${main::P}st:dispatched"), 52,
               '52 left in st:dispatched');
Test::More::is(main::redis('ZCARD', "${main::P}q:dispatched"), 100,
               '100 in its list: D-2 was in both');
Test::More::is(main::redis('ZCARD', "${main::P}q:in_progress"), 2,
               'both in progress in their list');
Test::More::is(main::redis('ZSCORE', "${main::P}q:awaiting_approval", 'A-1')
               ne '', 1, 'A-1 in its list');
Test::More::is(main::counts(), $main::Before, 'the counts the same');
Test::More::is(main::queue('gtvt', ''), $main::Queues[0], "the handler's queue the same");
Test::More::is(main::queue('leader', ''), $main::Queues[1], "the leader's queue the same");
--- request
GET /metrics
--- error_code: 200



=== TEST 4: the next sweep moves the rest: st:dispatched gone, the counts and the queues the same, the lists scored as the IOC's read would (the nearest deadline first)
--- init
main::sweep();
Test::More::is(main::gone('dispatched', 'in_progress', 'awaiting_approval'),
               0, 'every old index gone');
Test::More::is(main::redis('ZCARD', "${main::P}q:dispatched"), 152,
               '152 in the list of dispatched');
Test::More::is(main::counts(), $main::Before, 'the counts the same');
Test::More::is(main::queue('gtvt', ''), $main::Queues[0], "the handler's queue the same");
Test::More::is(main::queue('leader', ''), $main::Queues[1], "the leader's queue the same");
# D-1 and D-2 have the same deadlines: the list orders its copies with them
my @s = map { main::redis('ZSCORE', "${main::P}q:dispatched", $_) } qw(D-1 D-2 D-101);
Test::More::ok($s[0] > 0 && int($s[0]) == int($s[2]) && int($s[1]) == int($s[2]),
               "the copies scored by their deadline, as D-1 and D-2 (@s)");
--- more_headers eval
main::h('admin', '2026-03-02T13:00:00+07:00')
--- request
GET /api/v1/queue?state=dispatched,in_progress,awaiting_approval&limit=3
--- error_code: 200
--- response_body_like: "total":155,



=== TEST 5: a stale entry of an old index (P-1 is in progress, not dispatched) only leaves it
--- init
main::redis('ZADD', "${main::P}st:dispatched", 1, 'P-1');
main::sweep();
Test::More::is(main::gone('dispatched'), 0, 'st:dispatched gone');
Test::More::is(main::redis('ZSCORE', "${main::P}q:dispatched", 'P-1'), '',
               'P-1 not in the list of dispatched');
Test::More::is(main::counts(), $main::Before, 'the counts the same');
--- request
GET /metrics
--- error_code: 200
