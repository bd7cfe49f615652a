# Retention (pa_retention, pa_archive_dir): a closed report whose last
# change is older than the period is written to the month's archive file,
# then removed from Redis with its indexes, token and duplicate prints; one
# closed recently stays, an open one never goes.  Through the API, with
# the test clock and POST /api/v1/admin/sweep.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest qw(:DEFAULT h act);

our $P = 'pa:{t_ret}:';
our $Archive = "$ENV{TEST_NGINX_PA_DATA}/archive";

fresh('t_ret');
system('rm', '-rf', $Archive);

# the lines of an archive file, decoded
sub lines {
    my $file = "$Archive/t_ret-$_[0].jsonl";
    open my $f, '<', $file or return ();
    my @l = map { JSON::PP->new->decode($_) } <$f>;
    close $f;
    return @l;
}

setting(http_config => <<'_EOC_');
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_ret;
    pa_profile test-retention;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_retention 5y;
    pa_archive_dir $TEST_NGINX_PA_DATA/archive;
    pa_test_clock on;
    # (records with the idempotency proof ik, which stays out of the
    # archive: only pa_record_compat off writes it)
    pa_record_compat off;
_EOC_

run_tests();

__DATA__

=== TEST 1: three reports in March 2021, two of one phone
--- more_headers eval
["Content-Type: application/json\nX-PA-Now: 2021-03-01T09:00:00+07:00\nX-PA-Test-Id: R-OLD\nX-PA-Test-Token: token-of-the-reporter-r-old",
 "Content-Type: application/json\nX-PA-Now: 2021-03-01T09:00:00+07:00\nX-PA-Test-Id: R-NEW\nX-PA-Test-Token: token-of-the-reporter-r-new",
 "Content-Type: application/json\nX-PA-Now: 2021-03-01T09:00:00+07:00\nX-PA-Test-Id: R-OPEN\nX-PA-Test-Token: token-of-the-reporter-r-open"]
--- pipelined_requests eval
["POST /api/v1/reports\n{\"content\":\"Ổ gà  trước cổng chợ\",\"lat\":22.39,\"lng\":103.45,\"reporter_name\":\"A\",\"reporter_phone\":\"0912000333\"}",
 "POST /api/v1/reports\n{\"content\":\"Đèn đường hỏng\",\"lat\":22.39,\"lng\":103.45,\"reporter_name\":\"A\",\"reporter_phone\":\"0912000333\"}",
 "POST /api/v1/reports\n{\"content\":\"Rác ven suối\",\"lat\":22.39,\"lng\":103.45,\"reporter_name\":\"B\",\"reporter_phone\":\"0912000444\"}"]
--- error_code eval
[201, 201, 201]



=== TEST 2: the reporter cancels R-OLD at once, R-NEW five years later
--- more_headers eval
["Content-Type: application/json\nX-PA-Now: 2021-03-01T10:00:00+07:00\nX-Report-Token: token-of-the-reporter-r-old",
 "Content-Type: application/json\nX-PA-Now: 2026-03-01T10:00:00+07:00\nX-Report-Token: token-of-the-reporter-r-new"]
--- pipelined_requests eval
[main::act('R-OLD', action => 'cancel'), main::act('R-NEW', action => 'cancel')]
--- error_code eval
[200, 200]
--- response_body_like eval
['"status":"cancelled"', '"status":"cancelled"']



=== TEST 3: five years and a day after R-OLD closed, the sweep archives it alone
--- init
Test::More::isnt(main::traces('t_ret', 'R-OLD'), '', 'R-OLD is in Redis before');
--- more_headers
X-PA-Now: 2026-03-02T10:00:01+07:00
--- request
POST /api/v1/admin/sweep
--- error_code: 200
--- response_body
{"overdue":0,"rejected":0,"notices":0,"unlocked":0,"archived":1}



=== TEST 4: R-OLD is in the month's archive, whole, and nowhere in Redis
--- init
my @l = main::lines('2021-03');
Test::More::is(scalar @l, 1, 'one line in t_ret-2021-03.jsonl');
Test::More::is($l[0]{id}, 'R-OLD', 'of R-OLD');
Test::More::is($l[0]{report}{status}, 'cancelled', 'its hash, as stored');
Test::More::is($l[0]{report}{content_original}, 'Ổ gà  trước cổng chợ',
               'the text as written');
Test::More::like($l[0]{report}{pii}, qr/^[^:]+:[A-Za-z0-9_-]+$/,
                 'personal data still sealed');
Test::More::is(join(',', map { $_->{action} } @{$l[0]{history}}),
               'submit,cancel', 'its history');
Test::More::is($l[0]{archived_at}, '2026-03-02T10:00:01+07:00', 'when');
Test::More::ok(!exists $l[0]{report}{ik},
               "no idempotency proof (the record's ik: of no use archived)");
Test::More::like(main::redis('HGET', "${main::P}r:R-NEW", 'ik'),
                 qr/^[0-9a-f]{16}$/, 'which a record in Redis has');
Test::More::is(main::traces('t_ret', 'R-OLD'), '',
               'no key, index, token or duplicate print names R-OLD');
Test::More::isnt(main::traces('t_ret', 'R-NEW'), '', 'R-NEW, closed yesterday, stays');
--- more_headers eval
["Authorization: Bearer $::T{ioc}\nX-PA-Now: 2026-03-02T10:00:02+07:00",
 "Authorization: Bearer $::T{ioc}\nX-PA-Now: 2026-03-02T10:00:02+07:00",
 "Authorization: Bearer $::T{ioc}\nX-PA-Now: 2026-03-02T10:00:02+07:00",
 "X-Report-Token: token-of-the-reporter-r-old\nX-PA-Now: 2026-03-02T10:00:02+07:00"]
--- pipelined_requests eval
["GET /api/v1/reports/R-OLD", "GET /api/v1/reports/R-NEW",
 "GET /api/v1/reports/R-OPEN", "GET /api/v1/reports/R-OLD"]
--- error_code eval
[404, 200, 200, 404]
--- response_body_like eval
['"code":"not_found"', '"status":"cancelled"', '"status":"submitted"',
 '"code":"not_found"']



=== TEST 5: a sweep again archives nothing twice
--- more_headers
X-PA-Now: 2026-03-02T10:05:00+07:00
--- request
POST /api/v1/admin/sweep
--- error_code: 200
--- response_body
{"overdue":0,"rejected":0,"notices":0,"unlocked":0,"archived":0}



=== TEST 6: years later R-NEW goes to its own month's file; the open report never goes
--- init
Test::More::is(scalar(main::lines('2021-03')), 1, 'the 2021 file as it was');
--- more_headers
X-PA-Now: 2040-01-01T00:00:00+07:00
--- request
POST /api/v1/admin/sweep
--- error_code: 200
--- response_body_like: "archived":1\}$



=== TEST 7: ... R-NEW archived under March 2026, R-OPEN still answers
--- init
my @l = main::lines('2026-03');
Test::More::is(join(',', map { $_->{id} } @l), 'R-NEW', 'R-NEW in 2026-03');
Test::More::is(main::traces('t_ret', 'R-NEW'), '', 'R-NEW gone from Redis');
--- more_headers
X-Report-Token: token-of-the-reporter-r-open
X-PA-Now: 2040-01-01T00:00:01+07:00
--- request
GET /api/v1/reports/R-OPEN
--- error_code: 200
--- response_body_like: "status":"submitted"



=== TEST 8: the same text again from the phone of an archived report: a new report
--- more_headers
Content-Type: application/json
X-PA-Now: 2040-01-02T09:00:00+07:00
--- request
POST /api/v1/reports
{"content":"Ổ gà trước cổng chợ","lat":22.39,"lng":103.45,"reporter_name":"A","reporter_phone":"0912000333"}
--- error_code: 201



=== TEST 9: a bad period is refused
--- http_config
    pa_retention 5w;
--- must_die
--- error_log
"pa_retention" directive invalid value "5w"



=== TEST 10: the sweeper's timer archives too (no test clock): a report cancelled 2 days ago with pa_retention 1d
--- http_config
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_ret_timer;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_retention 1d;
    pa_archive_dir $TEST_NGINX_PA_DATA/archive;
    pa_sweep_interval 1s;
--- init
my $p = 'pa:{t_ret_timer}:';
my $then = time() - 2 * 86400;
main::redis('HSET', "${p}r:T-OLD", 'id', 'T-OLD', 'status', 'cancelled',
            'content_original', 'Cống vỡ', 'created_at', $then,
            'updated_at', $then, 'token_hash', 'ab' x 32);
main::redis('RPUSH', "${p}h:T-OLD", '{"action":"submit"}', '{"action":"cancel"}');
main::redis('ZADD', "${p}st:cancelled", $then, 'T-OLD');
main::redis('ZADD', "${p}all", $then, 'T-OLD');
main::redis('SET', "${p}tok:" . ('ab' x 32), 'T-OLD');
main::redis('HSET', "${p}r:T-NEW", 'id', 'T-NEW', 'status', 'cancelled',
            'created_at', $then, 'updated_at', time() - 3600);
main::redis('ZADD', "${p}st:cancelled", $then, 'T-NEW');
--- request
GET /api/v1/health
--- error_code: 200
--- wait: 2.5
--- error_log
pa retention: 1 archived and removed, 0 changed meanwhile and kept



=== TEST 11: ... in the month's file, and gone from Redis; the one closed an hour ago stays
--- init
my $p = 'pa:{t_ret_timer}:';
my @l;
for my $f (glob "$main::Archive/t_ret_timer-*.jsonl") {
    open my $h, '<', $f or die $!;
    push @l, map { JSON::PP->new->decode($_) } <$h>;
}
Test::More::is(join(',', map { $_->{id} } @l), 'T-OLD', 'T-OLD archived');
Test::More::is(main::redis('EXISTS', "${p}r:T-OLD", "${p}h:T-OLD",
                           "${p}tok:" . ('ab' x 32)), '0', 'its keys gone');
Test::More::is(main::redis('ZSCORE', "${p}st:cancelled", 'T-OLD'), '',
               'out of its state index');
Test::More::is(main::redis('EXISTS', "${p}r:T-NEW"), '1', 'T-NEW stays');
--- request
GET /api/v1/health
--- error_code: 200
