# The report's own record is its idempotency record (issue 12): the id
# follows from the idempotency key, the record keeps a short proof "ik"
# of it, and a retry within a day -- found by its id, today's or, just
# after local midnight, the day before's -- gets the first 201 again,
# built anew at the stored created_at, with a token that works.  With
# pa_record_compat off no idem: key is written; with it on (the default)
# the idem: key is read and written as older nodes do, and no proof; a
# report stored so is found by its retry once the node runs with it off,
# and the other way round.  The proof is in no answer.  Lai Châu's
# profile as shipped.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaIdem;
use t::PaAccept;
use t::PaBatch;
use HTTP::Tiny;
use JSON::PP;

our $P = 'pa:{laichau}:';
our $Http = idem_http();

# compat off but where a block's name says "compat on"
idem_blocks(sub {
    my $on = $_[0]->name =~ /compat on/ ? 'on' : 'off';
    return "$Http    pa_record_compat $on;\n";
}, "    location = /ping { return 204; }\n");

run_tests();

__DATA__

=== TEST 1: a retry (same Idempotency-Key, same report) gets the same 201 bytes, rebuilt at the stored time (one second later, real clock); the token works; one report, no idem: key
--- init
main::fresh('laichau');
my $body = main::json_report('Ổ gà sâu trước số 12 Trần Phú');
my $h = main::hd('Idempotency-Key' => 'retry-0001');
my ($s1, $b1) = main::call('POST', '/api/v1/reports', $h, $body);
Test::More::is($s1, 201, 'stored');
sleep 1.2;
my ($s2, $b2) = main::call('POST', '/api/v1/reports', $h, $body);
Test::More::is($s2, 201, 'the retry: 201');
Test::More::is($b2, $b1, 'the same bytes (id, token, deadlines, created_at)');
my $a = JSON::PP->new->decode($b1);
Test::More::like($a->{id}, qr/^\d{6}-[0-9A-HJKMNP-TV-Z]{8}$/, 'an id of its day');
Test::More::is(main::reports(), 1, 'one report');
Test::More::is(main::redis('KEYS', "${main::P}idem:*"), '', 'no idem: key');
my $ik = main::redis('HGET', "${main::P}r:$a->{id}", 'ik');
Test::More::like($ik, qr/^[0-9a-f]{16}$/, 'the record keeps the proof');
my ($s3, $b3) = main::call('GET', "/api/v1/reports/$a->{id}",
                           {'X-Report-Token' => $a->{access_token}});
Test::More::is($s3, 200, "the reporter reads it with the retry's token");
$main::First = $a;
$main::FirstIk = $ik;
--- no_error_log
[error]



=== TEST 2: a retry without Idempotency-Key (the report's own print is its key): the same 201; another phone's same text is another report
--- init
my $body = main::json_report('Cây đổ chắn ngang đường Lê Lợi');
my ($s1, $b1) = main::call('POST', '/api/v1/reports', $main::Json, $body);
my ($s2, $b2) = main::call('POST', '/api/v1/reports', $main::Json, $body);
Test::More::is("$s1 $s2", '201 201', 'stored, then the retry');
Test::More::is($b2, $b1, 'the same bytes');
Test::More::is(main::reports(), 2, 'one more report');



=== TEST 3: the same phone's Idempotency-Key with another report: 400, nothing stored
--- init
my $body = main::json_report('Ổ gà sâu trước số 14 Trần Phú', '0912900001');
my ($s, $b) = main::call('POST', '/api/v1/reports',
                         main::hd('Idempotency-Key' => 'retry-0001'), $body);
Test::More::is($s, 400, 'refused');
Test::More::like($b, qr/this Idempotency-Key was used for another submission/,
                 'the key was used for another submission');
Test::More::is(main::reports(), 2, 'no report more');



=== TEST 4: a report with a photo (test clock): its retry gets the same media, deadlines, created_at; the proof is in no answer
--- init
my $B = $t::PaTest::Boundary;
my $parts = t::PaAccept::report(['lat', '22.396'], ['lng', '103.458']);
$parts =~ s/^POST \S+\n//;
my $h = {'Content-Type' => "multipart/form-data; boundary=$B",
         'X-PA-Now' => '2026-01-22T10:00:00+07:00',
         'Idempotency-Key' => 'photo-0001'};
$parts =~ s/--\Q$B\E--$//;
$parts .= "--$B\r\nContent-Disposition: form-data; name=\"media\"; "
          . "filename=\"fresh-mm.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
          . t::PaTest::slurp("$t::PaTest::Fix/fresh-mm.jpg") . "\r\n--$B--";
my ($s1, $b1) = main::call('POST', '/api/v1/reports', $h, $parts);
my ($s2, $b2) = main::call('POST', '/api/v1/reports', $h, $parts);
Test::More::is("$s1 $s2", '201 201', 'stored, then the retry');
Test::More::is($b2, $b1, 'the same bytes');
Test::More::like($b1, qr/"media":\[\{"id":"[0-9a-f]{64}","type":"image\/jpeg".*"deadlines":\[\{"step":"verify","due":"2026-01-2\dT[^"]+"\}.*"created_at":"2026-01-22T10:00:00\+07:00"/,
                 'media, deadline, created_at');
my $a = JSON::PP->new->decode($b1);
my $ik = main::redis('HGET', "${main::P}r:$a->{id}", 'ik');
main::no_ik($a->{id}, $a->{access_token}, $ik);
Test::More::is(main::reports(), 3, 'one report more');



=== TEST 5: across local midnight (23:59:50 -> 00:00:10): the retry finds the report by the day before's id; an Open311 client's retry is the first request again, a citizen's with the other X-PA-Now is another submission under the same key (400), not a new report
--- init
my $o = "api_key=$main::Key&service_code=traffic&lat=22.40&long=103.46"
        . "&description=%C4%90%C3%A8n+h%E1%BB%8Fng&email=an%40example.vn";
my $f = 'application/x-www-form-urlencoded';
my ($s1, $b1) = main::call('POST', '/open311/v2/requests.json',
    {'Content-Type' => $f, 'X-PA-Now' => '2026-01-22T23:59:50+07:00',
     'Idempotency-Key' => 'o311-midnight'}, $o);
my ($s2, $b2) = main::call('POST', '/open311/v2/requests.json',
    {'Content-Type' => $f, 'X-PA-Now' => '2026-01-23T00:00:10+07:00',
     'Idempotency-Key' => 'o311-midnight'}, $o);
Test::More::is("$s1 $s2", '201 201', 'Open311: stored, then the retry');
Test::More::is($b2, $b1, 'Open311: the same answer (id, token)');
Test::More::like($b1, qr/"service_request_id":"260122-/, "of the 22nd");
my $body = main::json_report('Đèn đường hỏng ngõ 5');
my ($s3) = main::call('POST', '/api/v1/reports',
    main::hd('X-PA-Now' => '2026-01-22T23:59:55+07:00',
             'Idempotency-Key' => 'midnight-0001'), $body);
my ($s4, $b4) = main::call('POST', '/api/v1/reports',
    main::hd('X-PA-Now' => '2026-01-23T00:00:05+07:00',
             'Idempotency-Key' => 'midnight-0001'), $body);
Test::More::is("$s3 $s4", '201 400', 'the day before\'s report found under its key');
Test::More::is(main::reports(), 5, 'two reports more, not three');



=== TEST 6: the same submission 25 hours later: not a replay but a submission anew (409: its first is still open); once that one is closed, a new report, whose id shares nothing with the first's
--- init
my $body = main::json_report('Rác thải đổ trộm bờ suối');
my ($s1, $b1) = main::call('POST', '/api/v1/reports',
    main::hd('X-PA-Now' => '2026-01-22T09:00:00+07:00',
             'Idempotency-Key' => 'late-0001'), $body);
my $a = JSON::PP->new->decode($b1);
my ($s2, $b2) = main::call('POST', '/api/v1/reports',
    main::hd('X-PA-Now' => '2026-01-23T10:00:00+07:00',
             'Idempotency-Key' => 'late-0001'), $body);
Test::More::is("$s1 $s2", '201 409', 'stored, then a duplicate of it');
Test::More::like($b2, qr/"report_id":"\Q$a->{id}\E"/, 'naming the first');
my ($s3) = main::call('POST', "/api/v1/reports/$a->{id}/actions",
    main::hd('Authorization' => "Bearer $t::PaTest::T{ioc}",
             'X-PA-Now' => '2026-01-23T10:01:00+07:00'),
    '{"action":"reject","reason":"duplicate","message":"Trùng"}');
Test::More::is($s3, 200, 'the first rejected');
my ($s4, $b4) = main::call('POST', '/api/v1/reports',
    main::hd('X-PA-Now' => '2026-01-23T10:00:00+07:00',
             'Idempotency-Key' => 'late-0001'), $body);
Test::More::is($s4, 201, 'now stored');
my $b = JSON::PP->new->decode($b4);
Test::More::isnt($b->{id}, $a->{id}, 'another report');
Test::More::isnt(substr($b->{id}, 7), substr($a->{id}, 7),
                 "the same key's id of the next day shares nothing with "
                 . "the first's (the public sees ids: no link between "
                 . "one phone's reports)");
Test::More::is(main::reports(), 7, 'two reports more');



=== TEST 7: a forced collision (X-PA-Test-Id of another key's report): stored under the next candidate; its retry replays that one
--- init
my $other = $main::First->{id};
my $body = main::json_report('Cống thoát nước tắc đường 19/5');
my $h = main::hd('X-PA-Test-Id' => $other, 'Idempotency-Key' => 'collide-0001');
my ($s1, $b1) = main::call('POST', '/api/v1/reports', $h, $body);
my ($s2, $b2) = main::call('POST', '/api/v1/reports', $h, $body);
Test::More::is("$s1 $s2", '201 201', 'stored, then the retry');
my $a = JSON::PP->new->decode($b1);
Test::More::isnt($a->{id}, $other, 'not the taken id');
Test::More::like($a->{id}, qr/^\d{6}-[0-9A-HJKMNP-TV-Z]{8}$/, 'the next candidate');
Test::More::is($b2, $b1, 'the retry: the same 201');
Test::More::is(main::reports(), 8, 'one report more');
Test::More::is(main::redis('HGET', "${main::P}r:$other", 'ik'),
               $main::FirstIk, 'the other report untouched');



=== TEST 8: Redis stopped (SIGSTOP) during a submission: 503; Redis back: the retry gets the report stored, exactly one
--- init
my $body = main::json_report('Sạt lở taluy dương km 12');
my $h = main::hd('Idempotency-Key' => 'stall-0001');
my $pid = $t::PaTest::RedisPid;
my $n = main::reports();
kill 'STOP', $pid;
my ($s1) = main::call('POST', '/api/v1/reports', $h, $body);
kill 'CONT', $pid;
Test::More::is($s1, 503, 'Redis stopped: 503');
my ($s2, $b2) = main::call('POST', '/api/v1/reports', $h, $body);
my ($s3, $b3) = main::call('POST', '/api/v1/reports', $h, $body);
Test::More::is("$s2 $s3", '201 201', 'Redis back: the retry is answered');
Test::More::is($b3, $b2, 'and again the same');
Test::More::is(main::reports(), $n + 1, 'exactly one report');



=== TEST 9: compat on: a new report writes the idem: key too, and its retry replays; an older node's idem: key (written by hand) is replayed as it was
--- init
main::fresh('laichau');
my $body = main::json_report('Biển báo giao thông bị đổ');
my $h = main::hd('Idempotency-Key' => 'compat-0001');
my ($s1, $b1) = main::call('POST', '/api/v1/reports', $h, $body);
my ($s2, $b2) = main::call('POST', '/api/v1/reports', $h, $body);
Test::More::is("$s1 $s2", '201 201', 'stored, then the retry');
Test::More::is($b2, $b1, 'the same bytes');
my @idem = split /\n/, main::redis('KEYS', "${main::P}idem:*");
Test::More::is(scalar @idem, 1, 'an idem: key, as an older node writes it');
my $a = JSON::PP->new->decode($b1);
Test::More::like(main::redis('GET', $idem[0]), qr/^\Q$a->{id}\E [0-9a-f]{64} \{"id":"\Q$a->{id}\E"/,
                 "in an older node's form");
# an older node's report: a random id, only its idem: key names it
my $old = main::json_report('Ống nước vỡ trước chợ');
my ($s3, $b3) = main::call('POST', '/api/v1/reports',
    main::hd('Idempotency-Key' => 'old-node-0001'), $old);
my $o = JSON::PP->new->decode($b3);
my @k2 = grep { $_ ne $idem[0] } split /\n/, main::redis('KEYS', "${main::P}idem:*");
my $v = main::redis('GET', $k2[0]);
my $body_old = $v;
$body_old =~ s/^\S+ //;
my $print = substr($body_old, 0, 64);
main::redis('RENAME', "${main::P}r:$o->{id}", "${main::P}r:260122-OLDN0DE1");
main::redis('HDEL', "${main::P}r:260122-OLDN0DE1", 'ik');
my $stored = $v;
$stored =~ s/\Q$o->{id}\E/260122-OLDN0DE1/g;
main::redis('SET', $k2[0], $stored, 'EX', '86400');
my ($s4, $b4) = main::call('POST', '/api/v1/reports',
    main::hd('Idempotency-Key' => 'old-node-0001'), $old);
Test::More::is($s4, 201, "the older node's submission: 201");
Test::More::like($b4, qr/^\{"id":"260122-OLDN0DE1","status":"submitted","access_token":"260122-OLDN0DE1~/,
                 'its id, a token of it');
Test::More::ok(main::redis('EXISTS', "${main::P}r:$o->{id}") eq '0',
               'no report under the derived id');



=== TEST 10: two identical submissions in one batch (behind one in flight): the second is a replay of the first
--- init
main::fresh('laichau');
my $body = main::json_report('Đường ngập nước sau mưa');
my $req = ['POST', '/api/v1/reports', $body, 'Content-Type: application/json',
           'Idempotency-Key: batch-0001'];
my @a = main::batch([['POST', '/api/v1/reports',
                      main::json_report('Một phản ánh đang gửi'),
                      'Content-Type: application/json'], $req, $req],
                    first => 1);
Test::More::is("$a[0][0] $a[1][0] $a[2][0]", '201 201 201', 'all 201');
Test::More::is($a[2][2], $a[1][2], 'the twin: the same 201 bytes');
Test::More::is(main::reports(), 2, 'two reports: the one in flight, the twin');



=== TEST 11: compat on: a report writes its idem: key and no proof in its record; its retry replays (one at real time, one just before local midnight)
--- init
main::fresh('laichau');
my $body = main::json_report('Cột điện nghiêng trước trường học');
my $h = main::hd('Idempotency-Key' => 'switch-0001');
my ($s1, $b1) = main::call('POST', '/api/v1/reports', $h, $body);
my ($s2, $b2) = main::call('POST', '/api/v1/reports', $h, $body);
Test::More::is("$s1 $s2", '201 201', 'stored, then the retry');
Test::More::is($b2, $b1, 'the same bytes');
my $a = JSON::PP->new->decode($b1);
Test::More::is(main::redis('HEXISTS', "${main::P}r:$a->{id}", 'ik'), '0',
               'no proof in the record');
my $mid = main::json_report('Mương thoát nước tràn ra đường');
my $hm = main::hd('Idempotency-Key' => 'switch-mid-0001',
                  'X-PA-Now' => '2026-01-22T23:59:50+07:00');
my ($s3, $b3) = main::call('POST', '/api/v1/reports', $hm, $mid);
Test::More::is($s3, 201, 'stored just before midnight');
my $m = JSON::PP->new->decode($b3);
Test::More::like($m->{id}, qr/^260122-/, 'of the 22nd');
Test::More::is(main::redis('HEXISTS', "${main::P}r:$m->{id}", 'ik'), '0',
               'no proof in that record either');
Test::More::is(scalar(split /\n/, main::redis('KEYS', "${main::P}idem:*")), 2,
               'an idem: key each');
Test::More::is(main::reports(), 2, 'two reports');
@main::Switch = ($body, $b1, $a, $mid, $b3, $m);



=== TEST 12: reloaded with pa_record_compat off: the retries of the reports stored with it on are replayed (same id, a token that works), also across local midnight; past a day not
--- init
my ($body, $b1, $a, $mid, $b3, $m) = @main::Switch;
my ($s1, $b2) = main::call('POST', '/api/v1/reports',
    main::hd('Idempotency-Key' => 'switch-0001'), $body);
Test::More::is($s1, 201, 'the retry: 201');
Test::More::is($b2, $b1, 'the same bytes (id, token, created_at)');
my ($s2) = main::call('GET', "/api/v1/reports/$a->{id}",
                      {'X-Report-Token' => $a->{access_token}});
Test::More::is($s2, 200, "the reporter reads it with the retry's token");
my ($s3, $b4) = main::call('POST', '/api/v1/reports',
    main::hd('Idempotency-Key' => 'switch-mid-0001',
             'X-PA-Now' => '2026-01-23T00:00:10+07:00'), $mid);
Test::More::is($s3, 201, "after midnight: the day before's report");
my $r = JSON::PP->new->decode($b4);
Test::More::is($r->{id}, $m->{id}, 'its id');
Test::More::is($r->{access_token}, $m->{access_token}, 'its token');
my ($s4) = main::call('GET', "/api/v1/reports/$m->{id}",
                      {'X-Report-Token' => $r->{access_token}});
Test::More::is($s4, 200, 'the token works');
Test::More::is(main::reports(), 2, 'no report more');
my ($s5, $b5) = main::call('POST', '/api/v1/reports',
    main::hd('Idempotency-Key' => 'switch-mid-0001',
             'X-PA-Now' => '2026-01-24T00:00:20+07:00'), $mid);
Test::More::is($s5, 409, 'past a day: a submission anew, the duplicate of its first');
Test::More::like($b5, qr/"report_id":"\Q$m->{id}\E"/, 'naming it');
# a report stored with it off, for the node turned back on
my $back = main::json_report('Đèn tín hiệu giao thông tắt');
my $hb = main::hd('Idempotency-Key' => 'switch-back-0001');
my ($s6, $b6) = main::call('POST', '/api/v1/reports', $hb, $back);
Test::More::is($s6, 201, 'stored with it off');
my $c = JSON::PP->new->decode($b6);
Test::More::like(main::redis('HGET', "${main::P}r:$c->{id}", 'ik'),
                 qr/^[0-9a-f]{16}$/, 'with its proof');
Test::More::is(scalar(split /\n/, main::redis('KEYS', "${main::P}idem:*")), 2,
               'no idem: key more');
@main::Back = ($back, $b6);



=== TEST 13: compat on again: the retry of a report stored with it off is found by its proof at its id
--- init
my ($back, $b6) = @main::Back;
my ($s, $b) = main::call('POST', '/api/v1/reports',
    main::hd('Idempotency-Key' => 'switch-back-0001'), $back);
Test::More::is($s, 201, 'the retry: 201');
Test::More::is($b, $b6, 'the same bytes');
Test::More::is(main::reports(), 3, 'no report more');
