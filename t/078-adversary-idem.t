# The adversary of the report's own record as its idempotency record
# (issue 12, t/062): a retry sent while the first is in flight, retries
# and refusals in one batch, two keys forced onto one id, another phone's
# same key, a reload between a 503 and the retry, auto dispatch (counted
# once), a photo uploaded ahead, the proof in no answer, action or event,
# and a retry across the province's midnight on the real clock.
# pa_record_compat off; Lai Châu's profiles as shipped.
#
# Found and not fixed here (README, "Retries are safe"): the retry's 201
# is built with the configuration of the moment, so a reload that changes
# an SLA, the calendar or the directory between the first and its retry
# shows in the retry's deadlines (or status, agencies, urgent).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaIdem;
use t::PaAccept;
use t::PaBatch;
use t::PaLife ();
use Time::HiRes ();
use HTTP::Tiny;
use JSON::PP;

our $P = 'pa:{laichau}:';
our $Http = idem_http("    pa_upload ttl=1h handles=5 bytes=20m;\n");

# The real clock across local midnight (no X-PA-Now: it is part of the
# submission's print, so a test clock's retry is another submission): an
# offset (whole minutes) that puts the province's midnight on the UTC
# minute $Midnight, some 15 to 75 seconds after this file starts.
our $Midnight = (int((time + 15) / 60) + 1) * 60;
our $Offset = do {
    my $m = (-$Midnight / 60) % 1440;
    $m -= 1440 if $m >= 720;
    sprintf '%s%02d:%02d', $m < 0 ? '-' : '+', abs($m) / 60, abs($m) % 60;
};
our $Midnight_profile = t::PaLife::profile('laichau-2026', 'laichau');
$Midnight_profile =~ s/^pa_utc_offset \S+;/pa_utc_offset $Offset;/m
    or die 'no pa_utc_offset';

# Lai Châu 2026 but where a block's name says laichau-2025 (auto
# dispatch), or midnight (the offset above)
idem_blocks(sub {
    my $http = $Http;
    $http =~ s/laichau-2026/laichau-2025/ if $_[0]->name =~ /laichau-2025/;
    $http =~ s/^\s*include \S+laichau-2026\.conf;/$Midnight_profile/m
        if $_[0]->name =~ /midnight/;
    return "$http    pa_record_compat off;\n";
}, "    location = /ping { return 204; }\n");

# the master (a reload: HUP)
sub master {
    open my $f, '<', $Test::Nginx::Util::PidFile or die "pid file: $!";
    chomp(my $pid = <$f>);
    return $pid;
}

sub rec_id { my ($b) = @_; return $b =~ /"id":"([^"]+)"/ ? $1 : '' }

# (a reload needs the master; t/PaBatch.pm one worker)
master_on();
workers(1);
run_tests();

__DATA__

=== TEST 1: a retry sent while the first is in flight (two connections, two calls): the same 201, one report
--- init
main::fresh('laichau');
my $body = main::json_report('Hố ga mất nắp đường Võ Nguyên Giáp');
my $req = ['POST', '/api/v1/reports', $body, 'Content-Type: application/json',
           'Idempotency-Key: inflight-0001'];
my @a = main::batch([$req, $req], first => 1);
Test::More::is("$a[0][0] $a[1][0]", '201 201', 'both 201');
Test::More::is($a[1][2], $a[0][2], 'the same bytes');
Test::More::is(main::reports(), 1, 'one report');



=== TEST 2: one batch: a first, its key with another text (400), a locked phone (403), its twin (the first's 201), a new one
--- init
main::fresh('laichau');
my ($s0, $b0) = main::call('POST', '/api/v1/reports', $main::Json,
                           main::json_report('Báo trước', '0912911111'));
my $ph = main::redis('HGET', "${main::P}r:" . main::rec_id($b0), 'phone_hash');
main::redis('HSET', "${main::P}locked", $ph, '1');
my $A = main::json_report('Cột điện nghiêng sắp đổ', '0912922222');
my $A2 = main::json_report('Cột điện nghiêng sắp đổ nữa', '0912922222');
my $k = 'Idempotency-Key: mix-0001';
my @a = main::batch([['POST', '/api/v1/reports', main::json_report('đang gửi'), 'Content-Type: application/json'],
                     ['POST', '/api/v1/reports', $A, 'Content-Type: application/json', $k],
                     ['POST', '/api/v1/reports', $A2, 'Content-Type: application/json', $k],
                     ['POST', '/api/v1/reports', main::json_report('Bị khoá', '0912911111'), 'Content-Type: application/json'],
                     ['POST', '/api/v1/reports', $A, 'Content-Type: application/json', $k],
                     ['POST', '/api/v1/reports', main::json_report('Mới'), 'Content-Type: application/json']],
                    first => 1);
Test::More::is(join(' ', map { $_->[0] } @a), '201 201 400 403 201 201', 'statuses');
Test::More::is($a[4][2], $a[1][2], 'the twin: the first 201');
Test::More::is(main::reports(), 4, 'four reports');



=== TEST 3: another phone, the same Idempotency-Key and text: another report
--- init
main::fresh('laichau');
my $h = main::hd('Idempotency-Key' => 'shared-0001');
my ($s1, $b1) = main::call('POST', '/api/v1/reports', $h, main::json_report('Nước tràn', '0912933333'));
my ($s2, $b2) = main::call('POST', '/api/v1/reports', $h, main::json_report('Nước tràn', '0912944444'));
Test::More::is("$s1 $s2", '201 201', 'both stored');
Test::More::isnt(main::rec_id($b2), main::rec_id($b1), 'two ids');
Test::More::unlike($b2, qr/\Q@{[main::rec_id($b1)]}\E/, 'nothing of the first');
Test::More::is(main::reports(), 2, 'two reports');



=== TEST 4: Redis stopped: 503; a reload; Redis back: the retry to the new worker gets the report stored, one
--- init
main::fresh('laichau');
my $body = main::json_report('Sạt lở đất km 20');
my $h = main::hd('Idempotency-Key' => 'reload-0001');
kill 'STOP', $t::PaTest::RedisPid;
my ($s1) = main::call('POST', '/api/v1/reports', $h, $body);
kill 'HUP', main::master();
sleep 1;
kill 'CONT', $t::PaTest::RedisPid;
sleep 1;
my ($s2, $b2) = main::call('POST', '/api/v1/reports', $h, $body);
my ($s3, $b3) = main::call('POST', '/api/v1/reports', $h, $body);
Test::More::is("$s1 $s2 $s3", '503 201 201', '503, then the retries');
Test::More::is($b3, $b2, 'the same');
Test::More::is(main::reports(), 1, 'one report');
my $a = JSON::PP->new->decode($b2);
my ($s4) = main::call('GET', "/api/v1/reports/$a->{id}", {'X-Report-Token' => $a->{access_token}});
Test::More::is($s4, 200, 'token works');



=== TEST 5: laichau-2025 (auto dispatch): the retry gets the dispatched 201 again; the agency's queue, day counter and work load count it once
--- init
main::fresh('laichau');
my $body = JSON::PP->new->canonical->encode({content => 'Đèn tín hiệu giao thông hỏng',
    lat => 22.38, lng => 103.65, reporter_name => 'Lù Văn X', reporter_phone => '0912348001'});
my $h = main::hd('Idempotency-Key' => 'disp-0001', 'X-PA-Now' => '2026-03-02T09:00:00+07:00');
my ($s1, $b1) = main::call('POST', '/api/v1/reports', $h, $body);
my ($s2, $b2) = main::call('POST', '/api/v1/reports', $h, $body);
Test::More::is("$s1 $s2", '201 201', 'stored, the retry');
Test::More::like($b1, qr/"status":"dispatched".*"agencies":\["xa-binh-lu"\]/, 'dispatched');
Test::More::is($b2, $b1, 'the same 201');
Test::More::is(main::redis('ZCARD', "${main::P}aq:xa-binh-lu:dispatched"), 1, 'queued once');
Test::More::is(main::redis('HGET', "${main::P}stats:20260302", 'xa-binh-lu|dispatched'), 1, 'counted once');
Test::More::is(main::redis('HGET', "${main::P}gauge", 'xa-binh-lu|in_progress'), 1, 'work load once');
Test::More::is(main::redis('LLEN', "${main::P}h:" . main::rec_id($b1)), 1, 'one history entry');



=== TEST 6: one batch: two keys forced onto one free X-PA-Test-Id, and the twin of a report whose first candidate is taken: each its own report, the twin a replay
--- init
main::fresh('laichau');
my ($s0, $b0) = main::call('POST', '/api/v1/reports', $main::Json, main::json_report('Chiếm chỗ'));
my $taken = main::rec_id($b0);
my $T = '260122-TESTID01';
my @a = main::batch([['POST', '/api/v1/reports', main::json_report('đang gửi'), 'Content-Type: application/json'],
                     ['POST', '/api/v1/reports', main::json_report('Một', '0912955555'), 'Content-Type: application/json', "X-PA-Test-Id: $T"],
                     ['POST', '/api/v1/reports', main::json_report('Hai', '0912966666'), 'Content-Type: application/json', "X-PA-Test-Id: $T"],
                     ['POST', '/api/v1/reports', main::json_report('Ba', '0912977777'), 'Content-Type: application/json', "X-PA-Test-Id: $taken", 'Idempotency-Key: tw-1'],
                     ['POST', '/api/v1/reports', main::json_report('Ba', '0912977777'), 'Content-Type: application/json', "X-PA-Test-Id: $taken", 'Idempotency-Key: tw-1']],
                    first => 1);
Test::More::is(join(' ', map { $_->[0] } @a), '201 201 201 201 201', 'statuses');
Test::More::is(main::rec_id($a[1][2]), $T, 'the first takes the id');
Test::More::isnt(main::rec_id($a[2][2]), $T, 'the second another');
Test::More::isnt(main::rec_id($a[3][2]), $taken, 'not the taken one');
Test::More::is($a[4][2], $a[3][2], 'the twin: the same 201');
Test::More::is(main::reports(), 5, 'five reports');



=== TEST 7: a report with a photo uploaded ahead: its retry gets the same 201; the handle stays bound to it
--- init
main::fresh('laichau');
my $photo = t::PaTest::slurp("$t::PaTest::Fix/fresh-mm.jpg");
my ($su, $bu) = main::call('POST', '/api/v1/media',
    {'Content-Type' => 'image/jpeg', 'X-PA-Now' => '2026-01-22T10:00:00+07:00',
     'X-PA-Test-Handle' => sprintf('%032x', 7)}, $photo);
Test::More::is($su, 201, 'uploaded');
my $body = JSON::PP->new->canonical->encode({content => 'Ảnh chụp trước', lat => 22.396, lng => 103.458,
    reporter_name => 'Lò Văn K', reporter_phone => '0912988888', media_handles => [sprintf('%032x', 7)]});
my $h = main::hd('Idempotency-Key' => 'pre-0001', 'X-PA-Now' => '2026-01-22T10:01:00+07:00');
my ($s1, $b1) = main::call('POST', '/api/v1/reports', $h, $body);
my ($s2, $b2) = main::call('POST', '/api/v1/reports', $h, $body);
Test::More::is("$s1 $s2", '201 201', 'stored, the retry');
Test::More::like($b1, qr/"media":\[\{"id":"[0-9a-f]{64}"/, 'with its photo');
Test::More::is($b2, $b1, 'the same 201');
Test::More::is(main::reports(), 1, 'one report');



=== TEST 8: the proof is in no answer: the reads, an action's answer, the live stream's events
--- init
main::fresh('laichau');
my ($s1, $b1) = main::call('POST', '/api/v1/reports', main::hd('Idempotency-Key' => 'read-0001'),
                           main::json_report('Biển báo bị che khuất'));
my $a = JSON::PP->new->decode($b1);
my $ik = main::redis('HGET', "${main::P}r:$a->{id}", 'ik');
Test::More::like($ik, qr/^[0-9a-f]{16}$/, 'the record has it');
main::no_ik($a->{id}, $a->{access_token}, $ik);
my ($s2, $b2) = main::call('POST', "/api/v1/reports/$a->{id}/actions",
    main::hd('Authorization' => "Bearer $t::PaTest::T{ioc}"),
    '{"action":"reject","reason":"duplicate","message":"Trùng"}');
Test::More::is($s2, 200, 'an action');
Test::More::unlike($b2, qr/"ik"|\Q$ik\E|\Q@{[substr $ik, 0, 16]}\E/, 'no proof in its answer');
my $ev = join ' ', split /\n/, main::redis('XRANGE', "${main::P}events", '-', '+');
Test::More::unlike($ev, qr/\bik\b|\Q@{[substr $ik, 0, 16]}\E/, 'nor in the events stream');



=== TEST 9: the real clock across the province's midnight (an offset puts it a minute away): the retry 2 s after midnight finds the report of 3 s before it by the day before's id, the same 201, one report
--- init
main::fresh('laichau');
my $body = main::json_report('Cây đổ lúc nửa đêm');
my $h = main::hd('Idempotency-Key' => 'midnight-real-0001');
Time::HiRes::sleep($main::Midnight - 3 - Time::HiRes::time());
my ($s1, $b1) = main::call('POST', '/api/v1/reports', $h, $body);
Time::HiRes::sleep($main::Midnight + 2 - Time::HiRes::time());
my ($s2, $b2) = main::call('POST', '/api/v1/reports', $h, $body);
Test::More::is("$s1 $s2", '201 201', 'stored before midnight, the retry after');
Test::More::like($b1, qr/"created_at":"[^"]+T23:59:5\d/, 'the first at 23:59:5x');
Test::More::is($b2, $b1, 'the same 201');
Test::More::is(main::reports(), 1, 'one report');
