# Duplicate hints' positions, one geo key a day (issue 12): a report's
# position joins pa:{t}:near:<YYYYMMDD> of its local day of submission,
# which expires on its own (the day's end + pa_duplicate_window + 30
# days); a read searches the days within the window before and after the
# report.  What must hold across the days' edges, after an upgrade from
# the single index (near, near:at), and at retention.
#
# The reports, in Lai Châu (UTC+7), category traffic:
#   ND-1   22.396,    103.458    2026-03-09 23:59
#   ND-2   20 m north of ND-1    2026-03-10 00:01 (the next local day)
#   ND-OLD 50 m north of ND-1    2026-03-08 10:00, moved by hand into the
#          index before the day keys, as an upgraded Redis holds it
#   ND-FEB where ND-1 is         2026-02-01 10:00, in the old index too:
#          five weeks earlier, outside the window
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

our $P = 'pa:{t_nd}:';

fresh('t_nd');
fresh('t_ndr');

# one submission: its headers and request
sub report {
    my ($id, $at, $lat, $lng) = @_;
    return ("Content-Type: application/json\nX-PA-Now: $at\n"
            . "X-PA-Test-Id: $id\nX-PA-Test-Token: token-of-the-reporter-$id",
            "POST /api/v1/reports\n{\"content\":\"Ổ gà $id\","
            . "\"reporter_name\":\"Lò Thị D\",\"reporter_phone\":\"0912555666\","
            . "\"category\":\"traffic\",\"lat\":$lat,\"lng\":$lng}");
}

our @R = (
    [report('ND-1', '2026-03-09T23:59:00+07:00', '22.396', '103.458')],
    [report('ND-2', '2026-03-10T00:01:00+07:00', '22.39618', '103.458')],
    [report('ND-OLD', '2026-03-08T10:00:00+07:00', '22.39645', '103.458')],
    [report('ND-FEB', '2026-02-01T10:00:00+07:00', '22.396', '103.458')],
);

# a time to live as set at submission, give or take the seconds the test
# took since (Redis counts them down in real time)
sub ttl_near {
    my ($key, $want, $what) = @_;
    my $ttl = main::redis('TTL', $key);
    Test::More::ok($ttl <= $want && $ttl > $want - 120,
                   "$what: TTL $ttl, set to $want");
}

our $Http = <<'_EOC_';
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_nd;
    pa_profile test-nd;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_sla verify 1d;
    pa_duplicate_radius 100m;
    pa_duplicate_window 72h;
    pa_test_clock on;
_EOC_

our $Ret = <<'_EOC_';
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_ndr;
    pa_profile test-nd-retention;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_retention 1d;
    pa_archive_dir $TEST_NGINX_PA_DATA/archive-nd;
    pa_test_clock on;
_EOC_

setting(http_config => $Http);

run_tests();

__DATA__

=== TEST 1: a report at 23:59, another 20 m away at 00:01 the next day
--- more_headers eval
[map { $_->[0] } @::R[0, 1]]
--- pipelined_requests eval
[map { $_->[1] } @::R[0, 1]]
--- error_code eval
[201, 201]



=== TEST 2: each in its own day's key (member "<created_at><ms>|<id>", ms in two base-32 digits, 00 on a test clock: time order, issue 12), which expires 72 h + 30 days after its day's end; no time index
--- init
Test::More::is(main::redis('ZRANGE', "${main::P}near:20260309", '0', '-1'),
               '177307554000|ND-1', 'ND-1 in the key of 9 March (23:59)');
Test::More::is(main::redis('ZRANGE', "${main::P}near:20260310", '0', '-1'),
               '177307566000|ND-2', 'ND-2 in the key of 10 March (00:01)');
Test::More::is(main::redis('HGET', "${main::P}r:ND-1", 'created_at'),
               '1773075540', "the member's time is the report's");
# 23:59 -> midnight: 60 s; 00:01 -> the next midnight: 86340 s
main::ttl_near("${main::P}near:20260309", 60 + 3 * 86400 + 30 * 86400,
               'the day of ND-1');
main::ttl_near("${main::P}near:20260310", 86340 + 3 * 86400 + 30 * 86400,
               'the day of ND-2');
Test::More::is(main::redis('EXISTS', "${main::P}near", "${main::P}near:at"),
               '0', 'nothing in the index before the day keys');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 3: the IOC sees the hint across midnight, both ways
--- more_headers eval
["Authorization: Bearer $::T{ioc}", "Authorization: Bearer $::T{ioc}"]
--- pipelined_requests eval
["GET /api/v1/reports/ND-1", "GET /api/v1/reports/ND-2"]
--- error_code eval
[200, 200]
--- response_body_like eval
[qr{^\{"id":"ND-1",.*"duplicate_hints":\[\{"id":"ND-2","distance_m":20,"status":"submitted","submitted_at":"2026-03-10T00:01:00\+07:00"\}\],"history":\[},
 qr{^\{"id":"ND-2",.*"duplicate_hints":\[\{"id":"ND-1","distance_m":20,"status":"submitted","submitted_at":"2026-03-09T23:59:00\+07:00"\}\],"history":\[}]



=== TEST 4: two reports from before the upgrade
--- more_headers eval
[map { $_->[0] } @::R[2, 3]]
--- pipelined_requests eval
[map { $_->[1] } @::R[2, 3]]
--- error_code eval
[201, 201]



=== TEST 5: moved into the old index (near, near:at), the IOC still gets them as hints, nearest first; the one of February is outside the window
--- init
for (['ND-OLD', '20260308', '22.39645', '2026-03-08 10:00'],
     ['ND-FEB', '20260201', '22.396', '2026-02-01 10:00'])
{
    my ($id, $day, $lat) = @$_;
    my $at = main::redis('HGET', "${main::P}r:$id", 'created_at');
    main::redis('ZREM', "${main::P}near:$day", "${at}00|$id");
    main::redis('GEOADD', "${main::P}near", '103.458', $lat, $id);
    main::redis('ZADD', "${main::P}near:at", $at, $id);
}
Test::More::is(main::redis('EXISTS', "${main::P}near:20260308",
                           "${main::P}near:20260201"), '0',
               'their day keys emptied (as if never written)');
Test::More::is(main::redis('ZCARD', "${main::P}near:at"), '2',
               'both in the old index');
--- more_headers eval
["Authorization: Bearer $::T{ioc}", "Authorization: Bearer $::T{ioc}",
 "Authorization: Bearer $::T{ioc}", "Authorization: Bearer $::T{ioc}"]
--- pipelined_requests eval
["GET /api/v1/reports/ND-1", "GET /api/v1/reports/ND-2",
 "GET /api/v1/reports/ND-OLD", "GET /api/v1/reports/ND-FEB"]
--- error_code eval
[200, 200, 200, 200]
--- response_body_like eval
[qr{"duplicate_hints":\[\{"id":"ND-2","distance_m":20,"status":"submitted","submitted_at":"2026-03-10T00:01:00\+07:00"\},\{"id":"ND-OLD","distance_m":50,"status":"submitted","submitted_at":"2026-03-08T10:00:00\+07:00"\}\],"history"},
 qr{"duplicate_hints":\[\{"id":"ND-1","distance_m":20,"status":"submitted","submitted_at":"2026-03-09T23:59:00\+07:00"\},\{"id":"ND-OLD","distance_m":30,"status":"submitted","submitted_at":"2026-03-08T10:00:00\+07:00"\}\],"history"},
 qr{"duplicate_hints":\[\{"id":"ND-2","distance_m":30,"status":"submitted","submitted_at":"2026-03-10T00:01:00\+07:00"\},\{"id":"ND-1","distance_m":50,"status":"submitted","submitted_at":"2026-03-09T23:59:00\+07:00"\}\],"history"},
 qr{^\{"id":"ND-FEB",.*"duplicate_hints":\[\],"history"}]



=== TEST 6: the sweeper prunes the old index of what is past keeping (ND-FEB: 1 February + 72 h + 30 days), not what is within it
--- more_headers
X-PA-Now: 2026-03-12T09:00:00+07:00
--- request
POST /api/v1/admin/sweep
--- error_code: 200
--- response_body_like: "overdue":



=== TEST 7: ... ND-OLD alone is left in it; in April it is past keeping too
--- init
Test::More::is(main::redis('ZRANGE', "${main::P}near:at", '0', '-1'),
               'ND-OLD', 'ND-OLD alone in near:at');
Test::More::is(main::redis('ZRANGE', "${main::P}near", '0', '-1'),
               'ND-OLD', 'ND-OLD alone in near');
--- more_headers
X-PA-Now: 2026-04-20T09:00:00+07:00
--- request
POST /api/v1/admin/sweep
--- error_code: 200
--- response_body_like: "overdue":



=== TEST 8: ... the old pair is gone; the day keys are not the sweeper's: ND-1 still sees ND-2, also where a version before issue 12 wrote ND-2's member as the id alone
--- init
Test::More::is(main::redis('EXISTS', "${main::P}near", "${main::P}near:at"),
               '0', 'near and near:at emptied, so gone');
Test::More::is(main::redis('ZRANGE', "${main::P}near:20260309", '0', '-1'),
               '177307554000|ND-1', 'the day key of 9 March as it was');
main::redis('ZREM', "${main::P}near:20260310", '177307566000|ND-2');
main::redis('GEOADD', "${main::P}near:20260310", '103.458', '22.39618',
            'ND-2');
Test::More::is(main::redis('ZRANGE', "${main::P}near:20260310", '0', '-1'),
               'ND-2', "ND-2's member as the earlier version wrote it");
--- more_headers eval
"Authorization: Bearer $::T{ioc}"
--- request
GET /api/v1/reports/ND-1
--- error_code: 200
--- response_body_like: "duplicate_hints":\[\{"id":"ND-2","distance_m":20,"status":"[a-z_]+","submitted_at":"2026-03-10T00:01:00\+07:00"\}\],"history"



=== TEST 9: retention (pa_retention 1d): three reports of one day; RT-GONE and RT-OLD are cancelled at once, RT-STAYS stays open
--- http_config eval
$::Ret
--- more_headers eval
["Content-Type: application/json\nX-PA-Now: 2026-03-02T09:00:00+07:00\nX-PA-Test-Id: RT-GONE\nX-PA-Test-Token: token-of-the-reporter-rt-gone",
 "Content-Type: application/json\nX-PA-Now: 2026-03-02T09:05:00+07:00\nX-PA-Test-Id: RT-STAYS\nX-PA-Test-Token: token-of-the-reporter-rt-stays",
 "Content-Type: application/json\nX-PA-Now: 2026-03-02T09:07:00+07:00\nX-PA-Test-Id: RT-OLD\nX-PA-Test-Token: token-of-the-reporter-rt-old",
 "Content-Type: application/json\nX-PA-Now: 2026-03-02T09:10:00+07:00\nX-Report-Token: token-of-the-reporter-rt-gone",
 "Content-Type: application/json\nX-PA-Now: 2026-03-02T09:11:00+07:00\nX-Report-Token: token-of-the-reporter-rt-old"]
--- pipelined_requests eval
["POST /api/v1/reports\n{\"content\":\"Cống vỡ\",\"lat\":22.396,\"lng\":103.458,\"reporter_name\":\"A\",\"reporter_phone\":\"0912000777\"}",
 "POST /api/v1/reports\n{\"content\":\"Đèn hỏng\",\"lat\":22.3961,\"lng\":103.458,\"reporter_name\":\"B\",\"reporter_phone\":\"0912000888\"}",
 "POST /api/v1/reports\n{\"content\":\"Rác thải\",\"lat\":22.3962,\"lng\":103.458,\"reporter_name\":\"C\",\"reporter_phone\":\"0912000999\"}",
 "POST /api/v1/reports/RT-GONE/actions\n{\"action\":\"cancel\"}",
 "POST /api/v1/reports/RT-OLD/actions\n{\"action\":\"cancel\"}"]
--- error_code eval
[201, 201, 201, 200, 200]



=== TEST 10: a day and more after, the sweep archives RT-GONE (its member with a millisecond the record does not hold) and RT-OLD (whose member is the id alone, as a version before issue 12 wrote it): their positions leave their day's key, RT-STAYS's stays
--- http_config eval
$::Ret
--- init
my $old = main::redis('ZSCORE', 'pa:{t_ndr}:near:20260302',
                      '177241722000|RT-OLD');
Test::More::ok($old, "RT-OLD's timed member (09:07)");
main::redis('ZREM', 'pa:{t_ndr}:near:20260302', '177241722000|RT-OLD');
main::redis('GEOADD', 'pa:{t_ndr}:near:20260302', '103.458', '22.3962',
            'RT-OLD');
# RT-GONE's as the worker's own clock writes it: its millisecond (487:
# "f7"), which the record does not hold
main::redis('ZREM', 'pa:{t_ndr}:near:20260302', '177241680000|RT-GONE');
main::redis('GEOADD', 'pa:{t_ndr}:near:20260302', '103.458', '22.396',
            '1772416800f7|RT-GONE');
Test::More::is(main::redis('ZRANGE', 'pa:{t_ndr}:near:20260302', '0', '-1'),
               "1772416800f7|RT-GONE\n177241710000|RT-STAYS\nRT-OLD",
               'the three positions in the day key before');
--- more_headers
X-PA-Now: 2026-03-03T10:00:00+07:00
--- request
POST /api/v1/admin/sweep
--- error_code: 200
--- response_body_like: "archived":2\}$



=== TEST 11: ... RT-GONE and RT-OLD are nowhere in the day key
--- http_config eval
$::Ret
--- init
Test::More::is(main::redis('ZRANGE', 'pa:{t_ndr}:near:20260302', '0', '-1'),
               '177241710000|RT-STAYS', 'only RT-STAYS left in the day key');
--- request
GET /api/v1/health
--- error_code: 200
