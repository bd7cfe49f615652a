# The lean layout of issue 12.4, as a user sees it: a report taken through
# its life shows the same deadlines while its closed steps are folded into
# one field (dc); the access token names its report, so Open311's
# tokens/{token} finds it without the tok: index, and an older token (a
# tok: key) still does; the phone's prints live in a shared bucket and
# still refuse a duplicate; the queue keeps its order.  A report at
# submission stores no field at its default (urgent, hidden, published,
# private_result "0", media "[]"), and one stored with them (every report
# before) reads and acts the same.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;
use HTTP::Tiny;
use Digest::SHA qw(sha256_hex);

# the layout of a cluster whose nodes all run this version (t/086: a node
# stores id and updated_at unless told the upgrade is over); before life():
# the last preprocessor added runs first
Test::Nginx::Socket::add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value('http_config',
                      $block->http_config . "    pa_record_compat off;\n");
});

life('laichau-2026', 't_mem',
     ioc => ['ioc'],
     xd  => ['handler', 'so-xd']);

our $P = 'pa:{t_mem}:';
our $Tok = 'M-1~' . ('tok1' x 10) . 'abc';    # a test token of the new form
our $Old = 'an-older-random-token-of-report-old-1';
our $Conf = main::api() . <<'_EOC_';
    location /open311/v2/ {
        pa_api;
        error_page 400 404 405 413 415 500 503 @pa_error;
    }
_EOC_

# a submission outside Test::Nginx's request, to keep its answer's token
sub submit {
    my ($id, $now, $body) = @_;
    my $port = Test::Nginx::Util::server_port_for_client();
    my $res = HTTP::Tiny->new->post("http://127.0.0.1:$port/api/v1/reports", {
        headers => {'Content-Type' => 'application/json',
                    'X-PA-Now' => $now, 'X-PA-Test-Id' => $id},
        content => $body});
    die "submit $id: $res->{status} $res->{content}\n"
        unless $res->{status} == 201;
    return JSON::PP->new->decode($res->{content})->{access_token};
}

# a request as someone (PaTest's h()) outside Test::Nginx's: its answer
sub call {
    my ($method, $path, $who, $now, $body) = @_;
    my %h = map { split /: /, $_, 2 } split /\n/, main::h($who, $now);
    my $port = Test::Nginx::Util::server_port_for_client();
    my $res = HTTP::Tiny->new->request($method, "http://127.0.0.1:$port$path",
        {headers => \%h, defined $body ? (content => $body) : ()});
    die "$method $path: $res->{status} $res->{content}\n"
        unless $res->{status} == 200;
    return $res->{content};
}

# the staff's view of a report, its id taken out (to compare two reports;
# their duplicate hints name each other)
sub view {
    my ($id, $now) = @_;
    my $v = call('GET', "/api/v1/reports/$id", 'ioc', $now);
    $v =~ s/\Q$id\E/ID/g;
    $v =~ s/"duplicate_hints":\[.*?\],//;
    return $v;
}

our @Defaults = qw(urgent hidden published private_result media);

sub fields {
    my %h = split /\n/, main::redis('HGETALL', "${P}r:$_[0]");
    return \%h;
}

run_tests();

__DATA__

=== TEST 1: a real token names its report: Open311 finds it by the report's token_hash, with no tok: key
--- config eval: $::Conf
--- init
my $t = main::submit('M-0', '2026-01-22T13:00:00+07:00',
    '{"content":"Cây đổ chắn đường","category":"traffic","lat":22.396,"lng":103.458,"reporter_name":"Lò Văn Z","reporter_phone":"0912345000"}');
Test::More::like($t, qr/^M-0~[A-Za-z0-9_-]{43}$/, 'the token starts with its id');
# submit.lua writes no token index any more (one key and command less)
Test::More::is(main::redis('EXISTS', "${main::P}tok:" . Digest::SHA::sha256_hex($t)),
               '0', 'no tok: key written');
my $port = Test::Nginx::Util::server_port_for_client();
my $res = HTTP::Tiny->new->get("http://127.0.0.1:$port/open311/v2/tokens/$t.json");
Test::More::is($res->{content}, "[{\"service_request_id\":\"M-0\",\"token\":\"$t\"}]\n",
               'tokens/{token} without tok:');
--- more_headers eval
main::h('', '2026-01-22T14:00:00+07:00') . "\nX-PA-Test-Id: M-1\nX-PA-Test-Token: $::Tok"
--- request
POST /api/v1/reports
{"content":"Ổ gà lớn giữa đường Trần Phú","title":"Ổ gà","category":"traffic","lat":22.396,"lng":103.458,"reporter_name":"Lò Văn A","reporter_phone":"0912345001"}
--- error_code: 201



=== TEST 1b: a token of the new form (here a test token) finds its report with no tok: key
--- config eval: $::Conf
--- init
main::redis('DEL', "${main::P}tok:" . Digest::SHA::sha256_hex($::Tok));
Test::More::is(main::redis('HGET', "${main::P}r:M-1", 'token_hash'),
               substr(Digest::SHA::sha256_hex($::Tok), 0, 32),
               'token_hash in its short form: 128 bits (ngx_pa_auth.h)');
--- request eval
"GET /open311/v2/tokens/$::Tok.json"
--- error_code: 200
--- response_body eval
"[{\"service_request_id\":\"M-1\",\"token\":\"$::Tok\"}]\n"



=== TEST 2: a token with the right id and a wrong secret part, and one of an unknown id: 404
--- config eval: $::Conf
--- pipelined_requests eval
["GET /open311/v2/tokens/M-1~" . ('A' x 43) . ".json",
 "GET /open311/v2/tokens/M-404~" . substr($::Tok, 4) . ".json",
 "GET /open311/v2/tokens/m-1~lower-case-is-no-id.json"]
--- error_code eval
[404, 404, 404]
--- response_body_like eval
['no request for this token', 'no request for this token', 'no request for this token']



=== TEST 3: an older token (random, with its tok: key) still finds its report
--- config eval: $::Conf
--- init
main::redis('HSET', "${main::P}r:OLD-1", 'id', 'OLD-1', 'status', 'resolved',
            'created_at', 1768000000, 'updated_at', 1768100000,
            'token_hash', Digest::SHA::sha256_hex($::Old));
main::redis('SET', "${main::P}tok:" . Digest::SHA::sha256_hex($::Old), 'OLD-1');
--- request eval
"GET /open311/v2/tokens/$::Old.json"
--- error_code: 200
--- response_body eval
"[{\"service_request_id\":\"OLD-1\",\"token\":\"$::Old\"}]\n"



=== TEST 4: the reporter reads with the new token; a token of another report is refused
--- more_headers eval
["X-Report-Token: $::Tok", "X-Report-Token: M-1~" . ('B' x 43)]
--- pipelined_requests eval
["GET /api/v1/reports/M-1", "GET /api/v1/reports/M-1"]
--- error_code eval
[200, 404]
--- response_body_like eval
['"id":"M-1","status":"submitted"', '"code":"not_found"']



=== TEST 5: verified, received, dispatched, accepted, resolved, published: the deadlines as before
--- more_headers eval
[main::h('ioc', '2026-01-22T15:00:00+07:00'), main::h('ioc', '2026-01-23T15:00:00+07:00'),
 main::h('ioc', '2026-01-26T09:00:00+07:00'), main::h('xd', '2026-01-26T14:00:00+07:00'),
 main::h('xd', '2026-01-29T16:00:00+07:00'), main::h('ioc', '2026-01-30T09:00:00+07:00'),
 main::h('ioc', '2026-01-30T10:00:00+07:00')]
--- pipelined_requests eval
[main::act('M-1', action => 'verify'), main::act('M-1', action => 'receive'),
 main::act('M-1', action => 'dispatch', agencies => ['so-xd']),
 main::act('M-1', action => 'accept'),
 main::act('M-1', action => 'resolve', summary => 'Đã vá ổ gà.', salutation => 'Ông'),
 main::act('M-1', action => 'publish'), "GET /api/v1/reports/M-1"]
--- error_code eval
[200, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"status":"verified".*' . main::dls(0, ['receive', '2026-01-23T15:00', 'open'], ['verify', '2026-01-26T14:00', 'met']),
 '"status":"received"', '"status":"dispatched"', '"status":"in_progress"',
 '"status":"under_review"', '"status":"resolved"',
 '"status":"resolved".*' . main::dls(0,
  ['receive', '2026-01-23T15:00', 'met'], ['verify', '2026-01-26T14:00', 'met'],
  ['dispatch', '2026-01-26T15:00', 'met'], ['accept@so-xd', '2026-01-27T09:00', 'met'],
  ['publish', '2026-01-30T16:00', 'met'], ['resolve@so-xd', '2026-02-02T09:00', 'met'])]



=== TEST 6: ... stored as one field: no dl:/dm:/dd: of a closed step left in the hash
--- init
my $h = main::fields('M-1');
Test::More::is(join(',', sort grep { /^d[lmdox]:/ } keys %$h), '', 'no deadline fields');
Test::More::is(scalar(split /;/, $h->{dc}), 6, 'six closed steps in dc');
Test::More::like($h->{dc}, qr/(^|;)accept\@so-xd \d{10} -?\d+ 1(;|$)/, 'accept, met');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 7: the same text from the same phone while M-2 is open: 409, through the phone's bucket
--- init
main::submit('M-2', '2026-02-02T08:00:00+07:00',
    '{"content":"Đèn đường tắt cả tuần","category":"lighting","lat":22.39,"lng":103.45,"reporter_name":"B","reporter_phone":"0912345002"}');
my $ph = main::fields('M-2')->{phone_hash};
my %d = split /\n/, main::redis('HGETALL', "${main::P}dup:" . substr($ph, 0, 4));
my $c = substr($ph, 0, 32) . ':c:';
Test::More::is(scalar(grep { index($_, $c) == 0 && $d{$_} eq 'M-2' } keys %d), 1,
               'its text print in the bucket');
Test::More::is(main::redis('EXISTS', "${main::P}dup:$ph"), '0', 'no hash of its own');
--- more_headers eval
main::h('', '2026-02-02T09:00:00+07:00') . "\nX-PA-Test-Id: M-2B"
--- request
POST /api/v1/reports
{"content":"  Đèn đường  tắt   cả tuần ","category":"lighting","lat":22.39,"lng":103.45,"reporter_name":"B","reporter_phone":"0912345002"}
--- error_code: 409
--- response_body_like: "code":"duplicate".*M-2



=== TEST 8: the queue: M-2 verified (its verify folded, receive open) before M-3 (verify open, later)
--- init
main::submit('M-3', '2026-02-02T08:30:00+07:00',
    '{"content":"Cống vỡ","category":"water","lat":22.39,"lng":103.45,"reporter_name":"C","reporter_phone":"0912345003"}');
--- more_headers eval
[main::h('ioc', '2026-02-02T10:00:00+07:00'), main::h('ioc', '2026-02-02T10:05:00+07:00')]
--- pipelined_requests eval
[main::act('M-2', action => 'verify'), "GET /api/v1/queue"]
--- error_code eval
[200, 200]
--- response_body_like eval
['"status":"verified"', '"id":"M-2".*"id":"M-3"']



=== TEST 9: a report at submission stores no field at its default, and shows them all
--- init
main::submit('M-4', '2026-02-03T08:00:00+07:00',
    '{"content":"Rác thải đổ trộm bên suối","category":"environment","lat":22.39,"lng":103.45,"reporter_name":"D","reporter_phone":"0912345004"}');
main::submit('M-5', '2026-02-03T08:10:00+07:00',
    '{"content":"Biển báo bị đổ","category":"traffic","lat":22.39,"lng":103.45,"reporter_name":"E","reporter_phone":"0912345005","private_result":true}');
my $h = main::fields('M-4');
Test::More::ok(!exists $h->{$_}, "M-4: no field $_") for @main::Defaults;
# nor its id (the key names it) nor updated_at (created_at until a change)
Test::More::ok(!exists $h->{$_}, "M-4: no field $_") for qw(id updated_at);
Test::More::is(main::fields('M-5')->{private_result}, '1',
               'a result kept private is stored');
--- more_headers eval
main::h('ioc', '2026-02-03T09:00:00+07:00')
--- request
GET /api/v1/reports/M-4
--- error_code: 200
--- response_body_like: ^\{"id":"M-4",(?=.*"urgent":false,)(?=.*"hidden":false,)(?=.*"published":false,)(?=.*"private_result":false,)(?=.*"media":\[\],)(?=.*"created_at":"2026-02-03T08:00:00\+07:00","updated_at":"2026-02-03T08:00:00\+07:00",)



=== TEST 10: a report stored with the fields at their default (as every report before) reads the same, in the staff's view and the queue
--- init
# M-OLD: M-4 as the previous submission stored it
my %h = %{main::fields('M-4')};
$h{id} = 'M-OLD';
$h{updated_at} = $h{created_at};
@h{@main::Defaults} = ('0', '0', '0', '0', '[]');
main::redis('HSET', "${main::P}r:M-OLD", %h);
for my $k ('st:submitted', 'q:submitted') {
    main::redis('ZADD', "$main::P$k",
                main::redis('ZSCORE', "$main::P$k", 'M-4'), 'M-OLD');
}
main::redis('ZADD', "${main::P}due", $h{'dl:verify'}, 'M-OLD|verify');
my $now = '2026-02-03T09:00:00+07:00';
Test::More::is(main::view('M-OLD', $now), main::view('M-4', $now),
               'the staff see the same');
--- more_headers eval
main::h('ioc', '2026-02-03T09:05:00+07:00')
--- request
GET /api/v1/queue
--- error_code: 200
--- response_body_like: "id":"M-4","status":"submitted","urgent":false,"hidden":false,.*"id":"M-OLD","status":"submitted","urgent":false,"hidden":false,



=== TEST 11: ... and acts the same: verified, received as urgent, hidden, shown again
--- init
my $t = '2026-02-03T10:00:00+07:00';
for my $id ('M-4', 'M-OLD') {
    main::call('POST', "/api/v1/reports/$id/actions", 'ioc', $t, $_)
        for '{"action":"verify"}', '{"action":"receive","urgent":true}',
            '{"action":"hide","reason":"Ảnh có biển số xe"}';
}
Test::More::like(main::view('M-4', $t),
                 qr/^(?=.*"urgent":true,)(?=.*"hidden":true,)/,
                 'M-4 urgent and hidden');
Test::More::is(main::view('M-OLD', $t), main::view('M-4', $t),
               'M-OLD the same');
Test::More::is(main::fields('M-4')->{$_}, '1', "M-4 stores $_ now")
    for qw(urgent hidden);
for my $id ('M-4', 'M-OLD') {
    main::call('POST', "/api/v1/reports/$id/actions", 'ioc', $t,
               '{"action":"unhide"}');
}
Test::More::is(main::fields('M-4')->{hidden}, '0', 'shown again: stored');
Test::More::is(main::view('M-OLD', $t), main::view('M-4', $t),
               'M-OLD still the same');
--- more_headers eval
main::h('ioc', '2026-02-03T10:05:00+07:00')
--- request
GET /api/v1/queue
--- error_code: 200
--- response_body_like: ^\{"items":\[\{"id":"M-4","status":"received","urgent":true,"hidden":false,.*\},\{"id":"M-OLD","status":"received","urgent":true,"hidden":false,.*"id":"M-0"



=== TEST 12: the defaults every new report shares stay its own: a report submitted after M-4 was made urgent reads not urgent, in every view, read after read
--- init
main::submit('M-6', '2026-02-03T10:10:00+07:00',
    '{"content":"Cống thoát nước bị tắc","category":"environment","lat":22.39,"lng":103.45,"reporter_name":"F","reporter_phone":"0912345006"}');
my $t = '2026-02-03T10:15:00+07:00';
my $d = qr/^(?=.*"urgent":false,)(?=.*"hidden":false,)(?=.*"published":false,)(?=.*"private_result":false,)(?=.*"media":\[\],)/;
for my $round (1 .. 3) {
    Test::More::like(main::view('M-6', $t), $d, "M-6 at its defaults ($round)");
    Test::More::like(main::view('M-4', $t), qr/"urgent":true,/,
                     "M-4 still urgent ($round)");
}
--- more_headers eval
main::h('ioc', '2026-02-03T10:20:00+07:00')
--- request
GET /api/v1/queue
--- error_code: 200
--- response_body_like: "id":"M-4","status":"received","urgent":true,.*"id":"M-6","status":"submitted","urgent":false,"hidden":false,
