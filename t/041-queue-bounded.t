# A queue read costs what is open, not the agency's history: the reports
# an agency resolved leave its list (aq:<agency>:<state>), so its queue
# reads the same few reports with 30 closed ones behind it as with none;
# a resolved report comes back while a comment waits for the reply.
# A report's comments are capped (pa_comments_max).
# Measured by Redis itself: the commands queue.lua ran (INFO
# commandstats counts the commands scripts call).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest qw(:DEFAULT h act);

# far after the machine's clock: the sweeper finds nothing due and runs
# none of the commands counted here
our $DAY = '2030-03-04';
our $P = 'pa:{t_qbound}:';

setting(http_config => queue_http('t_qbound', 'test-queue-bounded',
                                  'pa_comments_max 2;'));

# id, how far it goes: "dispatched", "accepted", "resolved", "commented"
our @R = (['B-1', 'dispatched'], ['B-2', 'accepted'], ['W-1', 'commented'],
          map { ["C-$_", 'resolved'] } 1 .. 30);

our (@req, @hdr, @code);
my $n = 0;
for my $r (@R) {
    my ($id, $to) = @$r;
    my $at = sprintf "${DAY}T09:%02d:00+07:00", $n % 60;
    my $phone = sprintf '09120%05d', ++$n;
    push @req, "POST /api/v1/reports\n{\"content\":\"Đèn đường hỏng số $n\","
               . "\"category\":\"traffic\",\"lat\":22.396,\"lng\":103.458,"
               . "\"reporter_name\":\"A\",\"reporter_phone\":\"$phone\"}";
    push @hdr, h('', $at) . "\nX-PA-Test-Id: $id"
               . "\nX-PA-Test-Token: token-of-the-reporter-" . lc $id;
    for my $a (['ioc', 'verify'], ['ioc', 'receive'],
               ['ioc', 'dispatch', agencies => ['so-xd']],
               ($to ne 'dispatched' ? (['xd', 'accept']) : ()),
               ($to eq 'resolved' || $to eq 'commented'
                ? (['xd', 'resolve', summary => 'Đã sửa.',
                    salutation => 'Ông'],
                   ['ioc', 'publish']) : ()))
    {
        my ($who, $action, %f) = @$a;
        push @req, act($id, action => $action, %f);
        push @hdr, h($who, "${DAY}T10:00:00+07:00");
    }
    if ($to eq 'commented') {
        push @req, act($id, action => 'comment', text => 'Vẫn còn tối.');
        push @hdr, h('r:token-of-the-reporter-' . lc $id,
                     "${DAY}T11:00:00+07:00");
    }
}
@code = map { /^POST \/api\/v1\/reports\n/ ? 201 : 200 } @req;

# what Redis ran since CONFIG RESETSTAT: command -> calls
sub calls {
    my %c;
    for (split /\n/, main::redis('INFO', 'commandstats')) {
        $c{$1} = $2 if /^cmdstat_([^:]+):calls=(\d+)/;
    }
    return \%c;
}

run_tests();

__DATA__

=== TEST 1: 3 open reports of so-xd (one resolved, a comment waiting) and 30 it resolved
--- init
main::fresh('t_qbound');
--- more_headers eval
[@main::hdr]
--- pipelined_requests eval
[@main::req]
--- error_code eval
[@main::code]



=== TEST 2: so-xd's queue: the three open ones, nearest deadline first
--- init
main::redis('CONFIG', 'RESETSTAT');
--- more_headers eval
main::h('xd', "${main::DAY}T13:00:00+07:00")
--- request
GET /api/v1/queue
--- error_code: 200
--- response_body_like: ^\{"items":\[\{"id":"B-1","status":"dispatched",.*\{"id":"W-1","status":"resolved",.*"step":"reply".*\{"id":"B-2","status":"in_progress",.*\],"total":3,"truncated":false\}$



=== TEST 3: read again, the lists already in the queue's order (TEST 2's read scored the lists written before q:built knew them)
--- init
Test::More::is(main::redis('HGET', "${main::P}q:built", 'aq:so-xd:dispatched'),
               1, 'the first read built the list');
main::redis('CONFIG', 'RESETSTAT');
--- more_headers eval
main::h('xd', "${main::DAY}T13:00:00+07:00")
--- request
GET /api/v1/queue
--- error_code: 200
--- response_body_like: ^\{"items":\[\{"id":"B-1","status":"dispatched",.*\{"id":"W-1","status":"resolved",.*"step":"reply".*\{"id":"B-2","status":"in_progress",.*\],"total":3,"truncated":false\}$



=== TEST 4: ... and Redis read three reports' listed fields and three short lists, not the history
--- init
my $c = main::calls();
Test::More::is($c->{evalsha}, 1, 'one script call');
Test::More::is($c->{hmget}, 3, 'three reports read, none of the 30 closed');
Test::More::ok(!$c->{hgetall}, 'no report read whole');
Test::More::is($c->{zcount}, 3, 'each of the three lists counted');
Test::More::ok(!$c->{zrevrange} && !$c->{zinter} && !$c->{zcard},
               'no scan of the resolved, no intersection');
Test::More::is(main::redis('ZCARD', "${main::P}st:resolved"), 31,
               'the history is there');
Test::More::is(main::redis('ZCARD', "${main::P}aq:so-xd:resolved"), 1,
               'the resolved list holds only the one awaiting a reply');
Test::More::is(main::redis('EXISTS', "${main::P}ag:so-xd"), 0,
               'no never-trimmed agency set');
--- more_headers eval
main::h('xd', "${main::DAY}T13:00:00+07:00")
--- request
GET /api/v1/queue?state=dispatched
--- error_code: 200
--- response_body_like: ^\{"items":\[\{"id":"B-1","status":"dispatched",.*\],"total":1,"truncated":false\}$



=== TEST 5: answered, W-1 leaves so-xd's lists; a dispatch elsewhere moves B-1
--- more_headers eval
[main::h('xd', "${main::DAY}T14:00:00+07:00"),
 main::h('xd', "${main::DAY}T14:05:00+07:00"),
 main::h('ioc', "${main::DAY}T14:15:00+07:00"),
 main::h('xd', "${main::DAY}T14:20:00+07:00"),
 main::h('nnmt', "${main::DAY}T14:20:00+07:00")]
--- pipelined_requests eval
[main::act('W-1', action => 'reply', comment_id => 1, text => 'Sẽ sửa.'),
 main::act('B-1', action => 'return', kind => 'not_competent',
          message => 'Không thuộc thẩm quyền.'),
 main::act('B-1', action => 'dispatch', agencies => ['so-nnmt']),
 "GET /api/v1/queue", "GET /api/v1/queue"]
--- error_code eval
[200, 200, 200, 200, 200]
--- response_body_like eval
['"status":"resolved"', '"status":"received"', '"status":"dispatched"',
 '^\{"items":\[\{"id":"B-2","status":"in_progress",.*\],"total":1,"truncated":false\}$',
 '^\{"items":\[\{"id":"B-1","status":"dispatched",.*"agencies":\["so-nnmt"\].*\],"total":1,"truncated":false\}$']



=== TEST 6: pa_comments_max 2: W-1's second comment is taken, a third is refused
--- more_headers eval
[main::h('r:token-of-the-reporter-w-1', "${main::DAY}T15:00:00+07:00"),
 main::h('r:token-of-the-reporter-w-1', "${main::DAY}T15:05:00+07:00"),
 main::h('xd', "${main::DAY}T15:10:00+07:00")]
--- pipelined_requests eval
[main::act('W-1', action => 'comment', text => 'Cảm ơn.'),
 main::act('W-1', action => 'comment', text => 'Còn nữa.'),
 "GET /api/v1/queue?state=resolved"]
--- error_code eval
[200, 409, 200]
--- response_body_like eval
['"comments":\[\{[^\]]*"id":1[^\]]*\},\{"id":2,"text":"Cảm ơn."',
 '^\{"error":\{"code":"too_many_comments",.*"field":"text"',
 '^\{"items":\[\{"id":"W-1",.*"comment_id":"2".*\],"total":1,']
