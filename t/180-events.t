# The events stream (pa:{t}:events) over a report's whole life on the
# shipped Lai Châu 2026 profile: one event for every action, in order,
# the notices a party must get (supplement_requested, urgent_dispatched,
# overdue, result_published, comment, reply) where they belong, the
# fields every reader relies on, and no personal data at all: no name,
# phone, e-mail, content, message or comment text in the stream.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;

life('laichau-2026', 't_ev',
     ioc => ['ioc'],
     xd  => ['handler', 'so-xd']);

# the stream as a list of {field => value}, oldest first
sub main::events {
    my $json = main::redis('EVAL', q{
        local out = {}
        for _, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do
            out[#out + 1] = e[2]
        end
        return cjson.encode(out)}, '1', 'pa:{t_ev}:events');
    return map { +{@$_} } @{JSON::PP->new->decode($json)};
}

run_tests();

__DATA__

=== TEST 1: submitted Thursday 14:00, a supplement asked and given, verified, received as urgent, dispatched
--- more_headers eval
[main::h('', '2026-01-22T14:00:00+07:00') . "\nX-PA-Test-Id: EV-1\nX-PA-Test-Token: token-events-report-1",
 main::h('ioc', '2026-01-22T14:30:00+07:00'),
 main::h('r:token-events-report-1', '2026-01-22T15:00:00+07:00'),
 main::h('ioc', '2026-01-22T15:30:00+07:00'),
 main::h('ioc', '2026-01-22T16:00:00+07:00'),
 main::h('ioc', '2026-01-22T16:10:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Cây đổ chắn ngang đường Lê Duẩn","category":"traffic","lat":22.396,"lng":103.458,"reporter_name":"Lò Thị Bình","reporter_phone":"0912345777","reporter_email":"binh@example.vn"}',
 main::act('EV-1', action => 'request_info', message => 'Đề nghị gửi ảnh hiện trường.'),
 main::act('EV-1', action => 'supplement', content => 'Cây to, chắn cả hai làn'),
 main::act('EV-1', action => 'verify'),
 main::act('EV-1', action => 'receive', urgent => JSON::PP::true),
 main::act('EV-1', action => 'dispatch', agencies => ['so-xd'])]
--- error_code eval
[201, 200, 200, 200, 200, 200]



=== TEST 2: the urgent accept and handling steps (1 hour each) pass unanswered: the sweep says overdue twice; then accepted, resolved, published, rated, commented, replied
--- more_headers eval
[main::h('', '2026-01-22T17:30:00+07:00'),
 main::h('xd', '2026-01-22T17:40:00+07:00'),
 main::h('xd', '2026-01-23T08:00:00+07:00'),
 main::h('ioc', '2026-01-23T08:30:00+07:00'),
 main::h('r:token-events-report-1', '2026-01-23T09:00:00+07:00'),
 main::h('r:token-events-report-1', '2026-01-23T09:10:00+07:00'),
 main::h('xd', '2026-01-23T10:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/admin/sweep",
 main::act('EV-1', action => 'accept'),
 main::act('EV-1', action => 'resolve', summary => 'Đã cắt và dọn cây đổ.', salutation => 'Bà'),
 main::act('EV-1', action => 'publish'),
 main::act('EV-1', action => 'rate', rating => 'satisfied'),
 main::act('EV-1', action => 'comment', text => 'Cảm ơn, còn ít cành nhỏ ở lề đường.'),
 main::act('EV-1', action => 'reply', comment_id => 1, text => 'Đã cho dọn nốt.')]
--- error_code eval
[200, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['^\{"overdue":2,', '"status":"in_progress"', '"status":"under_review"',
 '"status":"resolved"', '"rating":"satisfied"', '"status":"resolved"',
 '"status":"resolved"']



=== TEST 3: the stream holds the whole life, in order, with the fields readers rely on
--- init
my @ev = main::events();
Test::More::is_deeply([map { $_->{type} } @ev],
    [qw(submitted request_info supplement_requested supplement verify
        receive dispatch urgent_dispatched overdue overdue accept resolve publish
        result_published rate comment reply)],
    'one event per action, the notices right after their action')
    or Test::More::diag(join ' ', map { $_->{type} } @ev);
my %first;
$first{$_->{type}} //= $_ for @ev;
for my $e (@ev) {
    Test::More::is($e->{id}, 'EV-1', "$e->{type}: the report id");
    Test::More::like($e->{at}, qr/^\d{10}$/, "$e->{type}: at");
    Test::More::ok(defined $e->{state}, "$e->{type}: state");
    Test::More::ok(defined $e->{agency}, "$e->{type}: agency");
}
Test::More::is($first{submitted}{state}, 'submitted', 'submitted: state');
Test::More::is($first{supplement_requested}{state}, 'needs_info',
               'supplement_requested: needs_info');
Test::More::is($first{supplement_requested}{step}, 'supplement',
               'supplement_requested: the step the reporter owes');
Test::More::is($first{supplement}{state}, 'submitted',
               'supplement: back where it came from');
Test::More::is($first{urgent_dispatched}{agency}, 'so-xd',
               'urgent_dispatched: the agency to alert at once');
Test::More::is($first{urgent_dispatched}{urgent}, '1', 'urgent');
Test::More::is($first{urgent_dispatched}{agencies}, ',so-xd,', 'agencies');
Test::More::is($first{dispatch}{agency}, 'so-xd', 'dispatch: the lead');
Test::More::is($first{overdue}{step}, 'accept', 'overdue: the step');
Test::More::is($first{overdue}{agency}, 'so-xd', 'overdue: its owner');
Test::More::is($first{overdue}{state}, 'dispatched', 'overdue: state');
Test::More::is_deeply([map { $_->{step} } grep { $_->{type} eq 'overdue' } @ev],
                      ['accept', 'resolve'], 'overdue: both steps');
Test::More::is($first{result_published}{state}, 'resolved',
               'result_published: resolved');
Test::More::is($first{result_published}{published}, '1', 'made public');
Test::More::is($first{comment}{comment_id}, '1', 'comment: its id');
Test::More::is($first{reply}{comment_id}, '1', 'reply: the comment');
Test::More::is($first{reply}{agency}, 'so-xd', 'reply: the agency');
Test::More::is($first{rate}{rating}, 'satisfied', 'rate: the rating');
my $all = main::redis('XRANGE', 'pa:{t_ev}:events', '-', '+');
for my $pii ('0912345777', '912345777', 'binh@example', 'Lò Thị Bình',
             'Cây đổ', 'Cây to', 'cành nhỏ', 'Đã cho dọn', 'ảnh hiện trường',
             'Đã cắt') {
    Test::More::unlike($all, qr/\Q$pii\E/, "no \"$pii\" in the stream");
}
--- request
GET /api/v1/health
--- error_code: 200
