# Redis killed (SIGKILL) and started again from its AOF, as a province's
# Redis comes back after a crash, with appendonly yes and appendfsync
# everysec as production.conf asks: every report answered 201 before the
# kill is there, readable with its token, in the IOC's queue, and its
# retry gets the same 201 (its id follows from its key: nothing of the
# retry is kept outside Redis); while Redis is down a submission gets a
# JSON 503 and nothing is kept, and its retry after the restart is stored
# once; a submission waiting on a stopped Redis that is then killed gets
# its 503.  The node reconnects and loads its scripts again by
# itself (the restarted Redis knows none: NOSCRIPT).  No worker dies.
# Lai Châu's profile as shipped.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use t::PaIdem;
use t::PaWorker;
# this file's Redis: AOF on, its data kept across a kill
use t::PaAofRedis;
use IO::Select;
use IO::Socket::INET;
use JSON::PP;
use POSIX ();
use Time::HiRes ();

our $P = 'pa:{laichau}:';

our $Http = idem_http("    pa_record_compat off;\n");

idem_blocks(sub { $Http }, originals());

run_tests();

__DATA__

=== TEST 1: three reports answered 201 (JSON with a key, a photo, Open311), then kill -9: while Redis is down a submission gets a JSON 503 and reads too; Redis back from its AOF: the three are there, readable, queued, their retries get the same 201s; the 503's retry is stored once; the same workers
--- init
main::fresh('laichau');
my $workers = join ' ', sort { $a <=> $b } main::nginx_workers();
my %sent;

my $json = main::json_report('Sạt lở taluy dương km 7, đá lăn xuống đường');
my $hj = main::hd('Idempotency-Key' => 'crash-json-0001');
my ($s, $body) = main::call('POST', '/api/v1/reports', $hj, $json);
Test::More::is($s, 201, 'a JSON report: 201');
$sent{json} = [$hj, $json, $body];

my $B = $t::PaTest::Boundary;
my $parts = main::multipart(['content', 'Cột điện nghiêng sau mưa lớn'],
    ['lat', '22.396'], ['lng', '103.458'], ['category', 'traffic'],
    ['reporter_name', 'Lò Thị Hoa'], ['reporter_phone', '0912811111'],
    ['media', 'fresh-mm.jpg', 'image/jpeg']);
# (the fixture's photo was taken then: the test clock)
my $hp = {'Content-Type' => "multipart/form-data; boundary=$B",
          'X-PA-Now' => '2026-01-22T10:00:00+07:00',
          'Idempotency-Key' => 'crash-photo-0001'};
($s, $body) = main::call('POST', '/api/v1/reports', $hp, $parts);
Test::More::is($s, 201, 'a report with a photo: 201');
$sent{photo} = [$hp, $parts, $body];

my $o = "api_key=$main::Key&service_code=traffic&lat=22.40&long=103.46"
        . "&description=%C4%90%C3%A8n+%C4%91%C6%B0%E1%BB%9Dng+h%E1%BB%8Fng"
        . "&email=an%40example.vn";
my $ho = {'Content-Type' => 'application/x-www-form-urlencoded',
          'Idempotency-Key' => 'crash-o311-0001'};
($s, $body) = main::call('POST', '/open311/v2/requests.json', $ho, $o);
Test::More::is($s, 201, 'an Open311 request: 201');
$sent{o311} = [$ho, $o, $body];

main::aof_written();
main::redis_kill9();

my $late = main::json_report('Cây đổ chắn ngang đường lên bản Sìn Hồ');
my $hl = main::hd('Idempotency-Key' => 'crash-late-0001');
my ($sl, $bl, $hdl) = main::call('POST', '/api/v1/reports', $hl, $late);
Test::More::is($sl, 503, 'Redis down: the submission gets 503');
Test::More::like($bl, qr/^\{"error":\{"code":"unavailable"/,
                 '... as JSON, code unavailable');
Test::More::ok(defined $hdl->{'retry-after'}, '... with Retry-After');
my $id0 = JSON::PP->new->decode($sent{json}[2])->{id};
my $tok0 = JSON::PP->new->decode($sent{json}[2])->{access_token};
my ($sr) = main::call('GET', "/api/v1/reports/$id0",
                      {'X-Report-Token' => $tok0});
Test::More::is($sr, 503, 'Redis down: a read gets 503');

main::redis_start();

# the node finds Redis again by itself (the health check reads it)
main::until('the node answers again', sub {
    (main::call('GET', '/api/v1/health'))[0] == 200 });

# before any retry: what was answered 201 is there, from the AOF alone
Test::More::is(main::reports(), 3, 'the three reports are back');
for my $k (qw(json photo)) {
    my $r = JSON::PP->new->decode($sent{$k}[2]);
    my ($s3, $b3) = main::call('GET', "/api/v1/reports/$r->{id}",
                               {'X-Report-Token' => $r->{access_token}});
    Test::More::is($s3, 200, "$k: the reporter reads it after the restart");
    Test::More::like($b3, qr/"status":"submitted"/, "$k: submitted");
}
my $ph = JSON::PP->new->decode($sent{photo}[2]);
my ($sm) = main::call('GET',
    "/api/v1/reports/$ph->{id}/media/$ph->{media}[0]{id}",
    {Authorization => "Bearer $t::PaTest::T{ioc}"});
Test::More::is($sm, 200, 'photo: its file is served');

# a second later: a JSON report stored again would tell another
# created_at (the count above already says none was)
Time::HiRes::sleep(1.1);
for my $k (sort keys %sent) {
    my ($h, $sent, $first) = @{$sent{$k}};
    my $path = $k eq 'o311' ? '/open311/v2/requests.json' : '/api/v1/reports';
    my ($s2, $b2) = main::call('POST', $path, $h, $sent);
    Test::More::is($s2, 201, "$k: the retry after the restart: 201");
    Test::More::is($b2, $first, "$k: the same answer as before the kill");
}
my ($s4, $b4) = main::call('POST', '/api/v1/reports', $hl, $late);
my ($s5, $b5) = main::call('POST', '/api/v1/reports', $hl, $late);
Test::More::is("$s4 $s5", '201 201', "the 503's retry: stored, then replayed");
Test::More::is($b5, $b4, '... the same answer');

Test::More::is(main::reports(), 4, 'four reports: none lost, none twice');
my ($sq, $bq) = main::call('GET', '/api/v1/queue?state=submitted',
    {Authorization => "Bearer $t::PaTest::T{ioc}"});
Test::More::is($sq, 200, 'the queue after the restart');
my $o311 = JSON::PP->new->decode($sent{o311}[2])->[0]{service_request_id};
for my $id ($id0, $ph->{id}, $o311, JSON::PP->new->decode($b4)->{id}) {
    Test::More::like($bq, qr/"id":"\Q$id\E"/, "the queue lists $id");
}
Test::More::is(join(' ', sort { $a <=> $b } main::nginx_workers()),
               $workers, 'the same workers: none died');



=== TEST 2: a submission waits on a stopped Redis that is then killed: 503 (the worker lives); Redis back: its retry is stored once
--- init
my $n = main::reports();
my $workers = join ' ', sort { $a <=> $b } main::nginx_workers();
my $body = main::json_report('Nước tràn qua ngầm, xe không qua được');
kill 'STOP', $t::PaTest::RedisPid;
my $sock = main::send_http('POST', '/api/v1/reports',
    main::hd('Idempotency-Key' => 'crash-wait-0001'), $body);
main::until('the submission waits in Redis\'s socket', \&main::redis_unread);
main::redis_kill9();
my $ans = main::answer($sock);
Test::More::is($ans->{status}, 503, 'the waiting submission: 503');
Test::More::is($ans->{code}, 'unavailable', '... unavailable');
main::redis_start();
main::until('the node answers again', sub {
    (main::call('GET', '/api/v1/health'))[0] == 200 });
my $h = main::hd('Idempotency-Key' => 'crash-wait-0001');
my ($s1, $b1) = main::call('POST', '/api/v1/reports', $h, $body);
my ($s2, $b2) = main::call('POST', '/api/v1/reports', $h, $body);
Test::More::is("$s1 $s2", '201 201', 'the retry: stored, then replayed');
Test::More::is($b2, $b1, '... the same answer');
Test::More::is(main::reports(), $n + 1, 'exactly one report more');
Test::More::is(join(' ', sort { $a <=> $b } main::nginx_workers()),
               $workers, 'the same workers: none died');
