# Issue 12's fields cut: a report is stored without an "id" field (its
# key names it) and without "updated_at" until its first change (it is
# created_at until then).  A report stored before (both fields in its
# hash: written here by HSET, as the previous submit.lua left it) reads
# exactly as a new one through every HTTP read, at submission and after
# its life to publication: the reporter's and the staff's GET, the queue,
# the public list and report, Open311's requests, the stats' CSV (its
# overdue list, written by the sweeper from the record) and the
# reporter's event stream replayed.  The two differ only in their id.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;
use HTTP::Tiny;
use IO::Select;
use IO::Socket::INET;
use Digest::SHA qw(sha256_hex);

# the layout of a cluster whose nodes all run this version (t/086: a node
# stores id and updated_at unless told the upgrade is over); before life():
# the last preprocessor added runs first
Test::Nginx::Socket::add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value('http_config',
                      $block->http_config . "    pa_record_compat off;\n");
});

life('laichau-2026', 't_oldf',
     ioc => ['ioc'],
     xd  => ['handler', 'so-xd']);

our $P = 'pa:{t_oldf}:';
our %Tok = ('OF-NEW' => 'token-of-the-reporter-of-new',
            'OF-OLD' => 'token-of-the-reporter-of-old');
our $Conf = main::api() . <<'_EOC_';
    location /open311/v2/ {
        pa_api;
        error_page 400 404 405 413 415 500 503 @pa_error;
    }
_EOC_

sub of_fields {
    my %h = split /\n/, main::redis('HGETALL', "${P}r:$_[0]");
    return \%h;
}

# a GET outside Test::Nginx's request (as someone: PaTest's h()): its body
sub of_get {
    my ($path, $who, $now) = @_;
    my %h = map { split /: /, $_, 2 } split /\n/, main::h($who, $now);
    my $port = Test::Nginx::Util::server_port_for_client();
    my $res = HTTP::Tiny->new->get("http://127.0.0.1:$port$path",
                                   {headers => \%h});
    die "GET $path: $res->{status} $res->{content}\n"
        unless $res->{status} == 200;
    return $res->{content};
}

sub of_post {
    my ($path, $who, $now, $body) = @_;
    my %h = map { split /: /, $_, 2 } split /\n/, main::h($who, $now);
    my $port = Test::Nginx::Util::server_port_for_client();
    my $res = HTTP::Tiny->new->request('POST',
        "http://127.0.0.1:$port$path", {headers => \%h, content => $body});
    die "POST $path $body: $res->{status} $res->{content}\n"
        unless $res->{status} == 200;
    return $res->{content};
}

# a body as the other report would read: its id, and the duplicate hints
# (the two name each other) taken out
sub of_norm {
    my ($id, $text) = @_;
    $text =~ s/\Q$id\E/ID/g;
    $text =~ s/"duplicate_hints":\[.*?\],?//;
    return $text;
}

# the element of a list (an array, or an object's "items") that is id's,
# as canonical JSON
sub of_item {
    my ($body, $id) = @_;
    my $j = JSON::PP->new->canonical;
    my $v = $j->decode($body);
    my @all = ref $v eq 'ARRAY' ? @$v : @{$v->{items} // []};
    my @mine = grep { ($_->{id} // $_->{service_request_id} // '') eq $id }
               @all;
    return @mine == 1 ? $j->encode($mine[0]) : "(${\ scalar @mine} of $id)";
}

# Test::More::is of one read of both reports
sub of_same {
    my ($what, $read) = @_;
    my $new = of_norm('OF-NEW', $read->('OF-NEW'));
    my $old = of_norm('OF-OLD', $read->('OF-OLD'));
    Test::More::is($old, $new, "$what: the old form reads as the new");
    Test::More::unlike($new, qr/^\(/, "$what: the new one is there");
}

# the reporter's stream replayed from its start (Last-Event-ID 0-0) until
# $want events came (a minute at most): the events, their entry ids out
sub of_replay {
    my ($id, $want) = @_;
    my $s = IO::Socket::INET->new(
        PeerAddr => '127.0.0.1',
        PeerPort => Test::Nginx::Util::server_port_for_client(),
        Timeout => 10) or die "connect: $!";
    print $s "GET /api/v1/reports/$id/events HTTP/1.0\r\nHost: localhost\r\n"
             . "X-Report-Token: $Tok{$id}\r\nLast-Event-ID: 0-0\r\n\r\n";
    my ($a, $sel, $end) = ('', IO::Select->new($s), time + 60);
    while (scalar(() = $a =~ /^event: /mg) < $want && time < $end) {
        last unless $sel->can_read(1) ? sysread($s, $a, 65536, length $a)
                                      : 1;
    }
    close $s;
    $a =~ s/^.*?\r\n\r\n//s;
    $a =~ s/^id: .*\n//mg;
    return $a;
}

run_tests();

__DATA__

=== TEST 1: a report is submitted Thursday 14:00
--- config eval: $::Conf
--- more_headers eval
main::h('', '2026-01-22T14:00:00+07:00')
. "\nX-PA-Test-Id: OF-NEW\nX-PA-Test-Token: $::Tok{'OF-NEW'}"
--- request
POST /api/v1/reports
{"content":"Ổ gà lớn giữa đường Trần Phú","title":"Ổ gà","category":"traffic","lat":22.396,"lng":103.458,"reporter_name":"Lò Văn A","reporter_phone":"0912345001"}
--- error_code: 201



=== TEST 2: stored without "id" and "updated_at"; its twin written in the old form (both fields), as the previous version stored a submission
--- config eval: $::Conf
--- init
my $h = main::of_fields('OF-NEW');
Test::More::ok(!exists $h->{id}, 'no "id": the key names the report');
Test::More::ok(!exists $h->{updated_at}, 'no "updated_at" until a change');
Test::More::is($h->{status}, 'submitted', 'a status, as every report');
my %old = %$h;
$old{token_hash} = substr(Digest::SHA::sha256_hex($main::Tok{'OF-OLD'}), 0, 32);
main::redis('HSET', "${main::P}r:OF-OLD", 'id', 'OF-OLD', %old,
            'updated_at', $h->{created_at});
main::redis('ZADD', "${main::P}q:submitted",
            main::redis('ZSCORE', "${main::P}q:submitted", 'OF-NEW'),
            'OF-OLD');
main::redis('ZADD', "${main::P}due", $h->{'dl:verify'}, 'OF-OLD|verify');
main::redis('XADD', "${main::P}events", '*', 'type', 'submitted',
            'id', 'OF-OLD', 'at', $h->{created_at}, 'state', 'submitted',
            'urgent', '0', 'agency', '', 'agencies', '');
Test::More::is(main::redis('HGET', "${main::P}r:OF-OLD", 'id'), 'OF-OLD',
               'the old form holds its id');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 3: at submission: the reporter's and the staff's GET, the queue, the reporter's stream read the same; updated_at is created_at
--- config eval: $::Conf
--- init
my $t = '2026-01-22T14:30:00+07:00';
main::of_same('reporter GET', sub {
    main::of_get("/api/v1/reports/$_[0]", "r:$main::Tok{$_[0]}", $t) });
main::of_same('staff GET', sub {
    main::of_get("/api/v1/reports/$_[0]", 'ioc', $t) });
main::of_same('queue', sub {
    main::of_item(main::of_get('/api/v1/queue', 'ioc', $t), $_[0]) });
main::of_same('event stream', sub { main::of_replay($_[0], 1) });
Test::More::like(main::of_get('/api/v1/reports/OF-NEW', 'ioc', $t),
    qr/"created_at":"2026-01-22T14:00:00\+07:00","updated_at":"2026-01-22T14:00:00\+07:00"/,
    'never changed: updated when it was made');
Test::More::like(main::of_replay('OF-NEW', 1),
    qr/^event: submitted\ndata: \{[^\n]*"id":"OF-NEW"/m,
    'the stream replays the submission');
--- more_headers eval
main::h('ioc', '2026-01-22T14:30:00+07:00')
--- request
GET /api/v1/queue
--- error_code: 200
--- response_body_like: \{"id":"OF-NEW","status":"submitted",.*\{"id":"OF-OLD","status":"submitted",



=== TEST 4: not verified by Monday 14:00: the sweeper finds both overdue; the month's CSV names both among the IOC's overdue reports
--- config eval: $::Conf
--- init
main::of_post('/api/v1/admin/sweep', '', '2026-01-27T09:00:00+07:00', '');
--- more_headers eval
main::h('ioc', '2026-01-27T09:05:00+07:00')
--- request
GET /api/v1/stats?period=month&year=2026&month=1&format=csv
--- error_code: 200
--- response_body_like: \r\nioc,"[^"]*",0,0,0,2,0,2,0,0,0,,overdue,OF-NEW;OF-OLD\r\n



=== TEST 5: both taken through their life, at the same moments, to publication
--- config eval: $::Conf
--- init
my @steps = (['ioc', '2026-01-27T10:00:00+07:00', '{"action":"verify"}'],
             ['ioc', '2026-01-27T10:05:00+07:00', '{"action":"receive"}'],
             ['ioc', '2026-01-27T10:10:00+07:00',
              '{"action":"dispatch","agencies":["so-xd"]}'],
             ['xd', '2026-01-27T11:00:00+07:00', '{"action":"accept"}'],
             ['xd', '2026-01-28T09:00:00+07:00',
              '{"action":"resolve","summary":"Đã vá ổ gà.","salutation":"Ông"}'],
             ['ioc', '2026-01-28T10:00:00+07:00', '{"action":"publish"}']);
for my $s (@steps) {
    main::of_post("/api/v1/reports/$_/actions", @$s) for 'OF-NEW', 'OF-OLD';
}
Test::More::is(main::of_fields('OF-NEW')->{updated_at}, '1769569200',
               'each change writes updated_at: the last, the publication');
Test::More::ok(!exists main::of_fields('OF-NEW')->{id}, 'still no "id"');
--- more_headers eval
main::h('ioc', '2026-01-28T10:30:00+07:00')
--- request
GET /api/v1/reports/OF-NEW
--- error_code: 200
--- response_body_like: ^\{"id":"OF-NEW","status":"resolved",.*"updated_at":"2026-01-28T10:00:00\+07:00",.*"published":true



=== TEST 6: published: the reporter's and the staff's GET, the public report and list, Open311's request and list, the reporter's whole stream read the same
--- config eval: $::Conf
--- init
my $t = '2026-01-28T10:30:00+07:00';
main::of_same('reporter GET', sub {
    main::of_get("/api/v1/reports/$_[0]", "r:$main::Tok{$_[0]}", $t) });
main::of_same('staff GET', sub {
    main::of_get("/api/v1/reports/$_[0]", 'ioc', $t) });
main::of_same('public report', sub {
    main::of_get("/api/v1/public/reports/$_[0]", '', $t) });
main::of_same('public list', sub {
    main::of_item(main::of_get('/api/v1/public/reports', '', $t), $_[0]) });
main::of_same('Open311 request', sub {
    main::of_get("/open311/v2/requests/$_[0].json", '', $t) });
main::of_same('Open311 list', sub {
    main::of_item(main::of_get('/open311/v2/requests.json', '', $t), $_[0]) });
main::of_same('event stream', sub { main::of_replay($_[0], 9) });
Test::More::like(main::of_replay('OF-NEW', 9),
                 qr/^event: submitted\n.*^event: result_published\n/ms,
                 'the whole life replayed');
--- request
GET /api/v1/public/reports
--- error_code: 200
--- response_body_like: "id":"OF-(?:NEW|OLD)",.*"id":"OF-(?:NEW|OLD)",
