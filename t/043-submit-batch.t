# Group commit of submissions (pa_submit_batch, ngx_pa_batch.c): the
# submissions that arrive while the worker's submit call is in flight go
# to Redis as one EVALSHA of submit.lua, and each still gets the answer it
# would get alone.
#
# One worker.  A block stops the test Redis (SIGSTOP), sends its requests
# on connections of their own, waits until nginx has read them all (a
# request sent after them is answered), lets Redis go on (SIGCONT) and
# reads every answer.  The first submission is in flight while Redis is
# stopped, so the others queue behind it and leave as one call.  INFO
# commandstats counts the calls Redis got (reset by each batch).  The
# requests, the barrier and the batch: t/PaBatch.pm (t/034 too).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use t::PaBatch;

use JSON::PP ();
use Time::HiRes ();

fresh('t_batch');

our $Key = 'batch-client-2f9c0d6b1e8a4c7d9e';
{
    open my $fh, '>', "$Data/open311.keys" or die "keys: $!";
    print $fh "$Key  batchapp  1000r/m\n";
    close $fh;
}

our $Http = <<'_EOC_';
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT timeout=30s;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_batch;
    pa_profile test-batch;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_directory $TEST_NGINX_ROOT/conf-examples/directory/laichau.json;
    pa_open311_keys $TEST_NGINX_PA_DATA/open311.keys;
    pa_sla verify 1d;
    # no sweeper: its own script calls (and the print migration's quick
    # rounds) would count among the submit calls counted here
    pa_sweep_interval 0;
_EOC_

our $Config = api() . <<'_EOC_';
    location /open311/v2/ {
        pa_api;
        error_page 400 404 405 413 415 429 500 503 @pa_error;
    }
    location = /ping { return 204; }
    location = /metrics {
        pa_metrics;
    }
_EOC_

# a block's own pa_submit_batch: "--- batch: 1" adds it to the http{}
setting(http_config => $Http, config => $Config,
        prepare => sub {
            my $block = shift;
            my $b = $block->batch;
            $block->set_value('http_config',
                              $Http . "    pa_submit_batch $b;\n")
                if defined $b && !defined $block->http_config;
        });

our $Json = 'Content-Type: application/json';

sub calls {
    my $info = redis('INFO', 'commandstats');
    my $n = 0;
    $n += $1 while $info =~ /^cmdstat_eval(?:sha)?:calls=(\d+)/mg;
    return $n;
}

our $N = 0;
sub report {
    my ($phone, $content) = @_;
    $N++;
    $phone //= sprintf('0913 100 %03d', $N);
    $content //= "Đèn đường hỏng số $N";
    return ['POST', '/api/v1/reports',
            '{"content":"' . $content . '","lat":22.396,"lng":103.458,'
            . '"reporter_name":"Lò Văn B","reporter_phone":"' . $phone
            . '"}', $Json];
}

sub reports { return redis('ZCARD', 'pa:{t_batch}:q:submitted') + 0 }

# the bytes sent to the test Redis that it has not read (its sockets'
# receive queues, /proc/net/tcp)
sub redis_unread {
    my $port = sprintf('%04X', $ENV{TEST_NGINX_REDIS_PORT});
    open my $fh, '<', '/proc/net/tcp' or die "/proc/net/tcp: $!";
    my $n = 0;
    while (<$fh>) {
        my @f = split;
        next unless ($f[1] // '') =~ /:$port$/ && $f[3] eq '01';
        $n += hex((split /:/, $f[4])[1]);
    }
    return $n;
}

run_tests();

__DATA__

=== TEST 1: 20 submissions behind one in flight: all 201, distinct ids, working tokens, 20 in the work list, in a few calls
--- init
main::fresh('t_batch');
my $c0 = main::metric('pa_submit_batch_calls_total');
my $r0 = main::metric('pa_submit_batch_reports_total');
my @a = main::batch([map { main::report() } 1 .. 20]);
my $calls = main::calls();
my %ids;
for my $i (0 .. $#a) {
    my ($st, $h, $body) = @{$a[$i]};
    Test::More::is($st, 201, "submission $i: 201");
    my $id = main::id_of($body);
    my ($tok) = $body =~ /"access_token":"([^"]+)"/;
    $ids{$id}++;
    Test::More::is($h->{location}, "/api/v1/reports/$id", "its Location");
    my ($rs, undef, $rb) = main::http('GET', "/api/v1/reports/$id", '',
                                      "X-Report-Token: $tok");
    Test::More::is($rs, 200, "submission $i: its token reads it");
    Test::More::like($rb, qr/"content":"Đèn đường hỏng số/, "its content");
}
Test::More::is(scalar keys %ids, 20, "20 distinct ids");
Test::More::is(main::reports(), 20, "q:submitted holds 20");
Test::More::cmp_ok($calls, '<=', 4, "20 reports in $calls submit calls");
Test::More::is(main::metric('pa_submit_batch_reports_total') - $r0, 20,
               "pa_submit_batch_reports_total counts the 20");
Test::More::is(main::metric('pa_submit_batch_calls_total') - $c0, $calls,
               "pa_submit_batch_calls_total counts the calls Redis got");
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 1b: a batch in one call: the IOC's queue lists it as before (deadline, submission, id; a page's edge at a tie on the whole score), times in whole seconds; each index score within [its deadline, + 1)
--- init
main::fresh('t_batch');
my $ioc = "Authorization: Bearer $main::T{ioc}";
# the IOC's lists exist (built once, queue.lua): the batch adds to them
my ($st0) = main::http('GET', '/api/v1/queue', '', $ioc);
Test::More::is($st0, 200, 'the IOC reads its empty queue');
my @a = main::batch([map { main::report() } 1 .. 12]);
my $calls = main::calls();
my @r;
for my $i (0 .. $#a) {
    my ($st, undef, $body) = @{$a[$i]};
    Test::More::is($st, 201, "submission $i: 201");
    push @r, JSON::PP::decode_json($body);
}
# the queue's order as the worker sorts it, from what the citizens saw
my @want = map { $_->{id} } sort {
    $a->{deadlines}[0]{due} cmp $b->{deadlines}[0]{due}
        || $a->{created_at} cmp $b->{created_at} || $a->{id} cmp $b->{id}
} @r;
my %shown = map { ($_->{id} => $_) } @r;
for my $q (['limit=3', 3], ['state=submitted&limit=5', 5],
           ['limit=50', 12]) {
    my ($st, undef, $body) = main::http('GET', "/api/v1/queue?$q->[0]",
                                        '', $ioc);
    Test::More::is($st, 200, "queue?$q->[0]: 200");
    my $j = JSON::PP::decode_json($body);
    Test::More::is(join(' ', map { $_->{id} } @{ $j->{items} }),
                   join(' ', @want[0 .. $q->[1] - 1]),
                   "queue?$q->[0]: the first $q->[1] in the queue's order");
    Test::More::is($j->{total}, 12, "queue?$q->[0]: total 12");
    for my $it (@{ $j->{items} }) {
        my $was = $shown{ $it->{id} };
        Test::More::is($it->{created_at}, $was->{created_at},
                       "$it->{id}: created_at as at submission");
        Test::More::like($it->{created_at},
                         qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$/,
                         "$it->{id}: in whole seconds");
        Test::More::is($it->{next_due}, $was->{deadlines}[0]{due},
                       "$it->{id}: its deadline as at submission");
    }
}
# the indexes: whole part as before (the hints' time index near:at,
# whose fractions were apart within a call, is no longer written)
my $p = 'pa:{t_batch}:';
my %sc;
for my $k ('q:submitted', 'due') {
    my @l = split /\n/, main::redis('ZRANGE', "$p$k", 0, -1, 'WITHSCORES');
    my %m = @l;
    $sc{$k} = \%m;
}
for my $id (@want) {
    my $dl = main::redis('HGET', "${p}r:$id", 'dl:verify');
    my @s = ([$sc{'q:submitted'}{$id}, 2e10 + $dl, 'q:submitted'],
             [$sc{due}{"$id|verify"}, $dl, 'due']);
    for (@s) {
        my ($s, $base, $k) = @$_;
        Test::More::ok(defined $s && $s >= $base && $s < $base + 1,
                       "$id: $k score " . ($s // 'none')
                       . " within [$base, $base + 1)");
    }
}
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 2: pa_submit_batch 1: one report a call, the same answers
--- batch: 1
--- init
main::fresh('t_batch');
my @a = main::batch([map { main::report() } 1 .. 20]);
my %ids = map { (main::id_of($_->[2]) => 1) } @a;
Test::More::is(scalar(grep { $_->[0] == 201 } @a), 20, "20 answered 201");
Test::More::is(scalar keys %ids, 20, "20 distinct ids");
Test::More::is(main::reports(), 20, "q:submitted holds 20");
Test::More::is(main::calls(), 20, "one call per report");
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 3: a mixed batch: each submission gets the answer it gets alone, nothing refused is stored
--- init
main::fresh('t_batch');
# before the batch: an open report, a locked phone, a stored retry's key
my $open = main::report('0913 200 001', 'Cây đổ chắn đường Lê Lợi');
my ($st, undef, $b) = main::http(@$open);
Test::More::is($st, 201, "the open report");
my $open_id = main::id_of($b);
my ($ls, undef, $lb) = main::http(@{main::report('0913 200 002')});
my $hash = main::redis('HGET', 'pa:{t_batch}:r:' . main::id_of($lb),
                       'phone_hash');
Test::More::like($hash, qr/^[0-9a-f]{16,}$/, "the phone's hash");
main::redis('HSET', 'pa:{t_batch}:locked', $hash, 1);
my $keyed = main::report('0913 200 003', 'Nắp cống mất');
push @$keyed, 'Idempotency-Key: retry-key-1';
my ($ks, undef, $kb) = main::http(@$keyed);
Test::More::is($ks, 201, "the submission with an Idempotency-Key");
my $before = main::reports();
my $c0 = main::metric('pa_submit_batch_calls_total');
my $twin = main::report('0913 200 004', 'Rác thải ùn ứ chợ Tân Phong');
my @a = main::batch([
    [@$open[0 .. 2], $::Json, 'Idempotency-Key: another-key'],
    main::report('0913 200 002', 'Khóa rồi vẫn gửi'),
    $keyed,
    $twin, $twin,
    ['POST', '/open311/v2/requests.json',
     "api_key=$::Key&service_code=traffic&lat=22.39&long=103.45"
     . "&description=%E1%BB%94+g%C3%A0+l%E1%BB%9Bn&phone=0913200005",
     'Content-Type: application/x-www-form-urlencoded'],
    main::report('0913 200 006', 'Một phản ánh hợp lệ'),
]);
# (Open311's POST reads its client's limit in Redis first: count the
# submit calls alone)
my $calls = main::metric('pa_submit_batch_calls_total') - $c0;
Test::More::cmp_ok($calls, '<=', 3, "the 7 went in $calls submit calls");
Test::More::is($a[0][0], 409, "the open report again: 409");
Test::More::like($a[0][2],
                 qr/"code":"duplicate".*"report_id":"\Q$open_id\E"/,
                 "duplicate names the open report");
Test::More::is($a[1][0], 403, "a locked phone: 403");
Test::More::like($a[1][2], qr/"code":"account_locked"/, "account_locked");
Test::More::is($a[2][0], 201, "the retry of a stored key: 201");
Test::More::is(main::id_of($a[2][2]), main::id_of($kb),
               "... the stored report's id");
Test::More::is($a[3][0], 201, "the first twin: 201");
Test::More::is($a[4][0], 201, "the second twin: 201 (a replay) ...");
Test::More::is(main::id_of($a[4][2]), main::id_of($a[3][2]),
               "... of the first's report");
Test::More::is($a[5][0], 201, "Open311 POST: 201");
Test::More::like($a[5][2], qr/"service_request_id":"[^"]+"/,
                 "Open311: its request id");
Test::More::is($a[6][0], 201, "the valid one: 201");
Test::More::is(main::reports() - $before, 3,
               "three stored: a twin, the Open311 request, the valid one");
my $r = main::redis('--scan', '--pattern', 'pa:{t_batch}:r:*');
Test::More::is(scalar(split /\n/, $r), $before + 3, "and no other record");
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 3b: a command that fails inside one report of a batch: that one 503, nothing of it kept; the others stored
--- init
main::fresh('t_batch');
my ($st, undef, $b) = main::http(@{main::report('0913 300 001')});
Test::More::is($st, 201, "a first report of the phone");
my $hash = main::redis('HGET', 'pa:{t_batch}:r:' . main::id_of($b),
                       'phone_hash');
# the bucket of the phone's duplicate prints (its hash's first 4 hex
# digits) made a string: its HSETNX fails (WRONGTYPE)
my $bucket = 'pa:{t_batch}:dup:' . substr($hash, 0, 4);
main::redis('DEL', $bucket);
main::redis('SET', $bucket, 'not a hash');
my $before = main::reports();
my $broken = main::report('0913 300 001', 'Sạt lở taluy dương');
my @a = main::batch([main::report(), $broken, main::report()]);
Test::More::is($a[0][0], 201, "the first: 201");
Test::More::is($a[1][0], 503, "the one whose write failed: 503");
Test::More::like($a[1][2], qr/"code":"unavailable"/, "... unavailable");
Test::More::is($a[2][0], 201, "the last: 201");
Test::More::is(main::reports() - $before, 2, "two stored");
# nothing of the refused one kept: once the key is sound, its retry is a
# new submission, stored (not a replay of anything)
main::redis('DEL', $bucket);
my ($rs, undef, $rb) = main::http(@$broken);
Test::More::is($rs, 201, "its retry: 201");
Test::More::is(main::reports() - $before, 3, "... stored now");
--- request
GET /api/v1/health
--- error_code: 200
--- error_log
submit script failed: WRONGTYPE



=== TEST 4: a client that closes while queued: its report is never sent, the others are answered
--- init
main::fresh('t_batch');
my $access = "$Test::Nginx::Util::ServRoot/logs/access.log";
my $size = -s $access // 0;
my @a = main::batch([map { main::report() } 1 .. 4], gone => sub {
    my $s = shift;
    # the third closes; nginx lets it go (499) before Redis goes on
    close $s->[2];
    $s->[2] = undef;
    for (1 .. 500) {
        open my $fh, '<', $access or last;
        seek $fh, $size, 0;
        local $/;
        my $log = <$fh> // '';
        last if $log =~ m{"POST /api/v1/reports HTTP/1.1" 499 };
        Time::HiRes::sleep(0.02);
    }
});
for my $i (0, 1, 3) {
    Test::More::is($a[$i][0], 201, "submission $i: 201");
}
Test::More::is(main::reports(), 3, "the closed one's report is not stored");
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 4b: queue=2: behind the call in flight two wait, the next are refused 503 at once and not stored
--- batch: 32 queue=2
--- init
main::fresh('t_batch');
my @a = main::batch([map { main::report(undef, "Cống tắc số $_") } 1 .. 5]);
my @ok = grep { $_->[0] == 201 } @a;
my @no = grep { $_->[0] == 503 } @a;
Test::More::is(scalar @ok, 3, "one in flight and two waiting: 201");
Test::More::is(scalar @no, 2, "the two past queue=2: 503");
for my $a (@no) {
    Test::More::is($a->[1]{'retry-after'}, 1, "503 says when to retry");
    Test::More::like($a->[2], qr/"code":"unavailable"/, "as the API's error");
}
Test::More::is(main::reports(), 3, "only the three answered 201 are stored");
--- request
GET /api/v1/health
--- error_code: 200
--- error_log
submissions wait for Redis already, refused



=== TEST 4c: ... and a queue= out of range stops nginx
--- http_config eval
$::Http . "    pa_submit_batch 32 queue=0;\n"
--- must_die
--- error_log
queue is a number of submissions from 1 to 65536



=== TEST 5: pa_submit_batch refuses what it cannot read
--- http_config eval
$::Http . "    pa_submit_batch 0;\n"
--- must_die
--- error_log
"pa_submit_batch": "0" is not a number of reports from 1 to 256



=== TEST 6: ... and an inflight out of range
--- http_config eval
$::Http . "    pa_submit_batch 32 inflight=0;\n"
--- must_die
--- error_log
inflight is a number of calls from 1 to 16



=== TEST 7: linger=: with a call free (inflight=2), the submissions that come within the linger of the last call wait for its end and go as one call
--- batch: 32 inflight=2 linger=100ms
--- init
main::fresh('t_batch');
# the first is sent at once (no call for a linger before it), the four
# after it wait for the linger's end, though a second call could go:
# without linger= the second would go alone at once, the three after it
# behind the two in flight (three calls)
my @a = main::batch([map { main::report() } 1 .. 5], first => 1);
Test::More::is(scalar(grep { $_->[0] == 201 } @a), 5, "all five: 201");
Test::More::is(main::reports(), 5, "five stored");
Test::More::is(main::calls(), 2, "in two calls: the first, then the four");
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 8: ... and a submission after a quiet linger goes at once, alone
--- batch: 32 inflight=2 linger=100ms
--- init
main::fresh('t_batch');
my ($st) = main::http(@{ main::report() });
Test::More::is($st, 201, "a first submission: 201");
Time::HiRes::sleep(0.3);
my $waiting;
# Redis stopped: a call sent waits in its socket's receive queue (one
# held by the linger is not there, 100 ms long; /metrics would wait for
# Redis).  Looked at for up to 50 ms, half the linger: the /ping barrier
# says nginx has read from the connection, not that the request's body
# is in and its call written (a fresh clone's CI, its cores busy, once
# read 0 at the first look)
my @a = main::batch([main::report()], gone => sub {
    my $t0 = Time::HiRes::time();
    while (($waiting = main::redis_unread()) == 0
           && Time::HiRes::time() - $t0 < 0.05)
    {
        Time::HiRes::sleep(0.002);
    }
});
Test::More::cmp_ok($waiting, '>', 0,
                   "sent at once: $waiting bytes wait for the stopped Redis");
Test::More::is($a[0][0], 201, "and stored: 201");
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 9: all four parameters together
--- batch: 16 inflight=1 queue=64 linger=5ms
--- init
main::fresh('t_batch');
my @a = main::batch([map { main::report() } 1 .. 3]);
Test::More::is(scalar(grep { $_->[0] == 201 } @a), 3, "three: 201");
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 10: a linger past 100ms stops nginx
--- http_config eval
$::Http . "    pa_submit_batch 32 linger=101ms;\n"
--- must_die
--- error_log
"pa_submit_batch": "linger=101ms": linger is a time from 0 to 100ms



=== TEST 11: ... and one that is no time
--- http_config eval
$::Http . "    pa_submit_batch 32 linger=soon;\n"
--- must_die
--- error_log
"pa_submit_batch": "linger=soon": linger is a time from 0 to 100ms



=== TEST 12: a parameter given twice stops nginx (not the last one's silent win)
--- http_config eval
$::Http . "    pa_submit_batch 32 linger=100ms inflight=2 linger=0;\n"
--- must_die
--- error_log
"pa_submit_batch": "linger" is given twice
