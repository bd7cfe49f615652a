# Duplicate hints' day keys in a group commit that spans midnight
# (pa_submit_batch, ngx_pa_batch.c): each report names the key of its own
# local day, and submit.lua writes each day key of the call once (GEOADD,
# EXPIRE), so the reports of both days are found as each other's hints.
# The ids are the module's own ("YYMMDD-...", the local day of
# submission): a read declares the day keys of the day its id names.
#
# One worker, one call in flight: Redis is stopped (SIGSTOP), the first
# submission is in flight alone, the three sent after it queue and leave
# as one call once Redis goes on (SIGCONT); t/043-submit-batch.t does the
# same for the batch's other semantics (both with t/PaBatch.pm).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use t::PaBatch;

fresh('t_ndb');

our $P = 'pa:{t_ndb}:';

our $Http = <<'_EOC_';
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT timeout=30s;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_ndb;
    pa_profile test-ndb;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_sla verify 1d;
    pa_duplicate_radius 100m;
    pa_duplicate_window 72h;
    pa_submit_batch 16 inflight=1;
    pa_test_clock on;
    # no sweeper: its calls would count among the submit calls
    pa_sweep_interval 0;
_EOC_

our $Config = api() . <<'_EOC_';
    location = /ping { return 204; }
    location = /metrics {
        pa_metrics;
    }
_EOC_

setting(http_config => $Http, config => $Config);

sub report {
    my ($n, $at, $lat) = @_;
    return ['POST', '/api/v1/reports',
            '{"content":"Cây đổ số ' . $n . '","category":"traffic",'
            . '"lat":' . $lat . ',"lng":103.458,'
            . '"reporter_name":"Lò Văn B","reporter_phone":"0913 300 00'
            . $n . '"}',
            'Content-Type: application/json', "X-PA-Now: $at"];
}

sub members {
    return join(',', sort split /\n/, redis('ZRANGE', $_[0], '0', '-1'));
}

# the ids of the four, in the order sent (TEST 1)
our @Id;

run_tests();

__DATA__

=== TEST 1: 23:59:50 in flight; 23:59:55, 00:00:05 and 00:00:10 behind it in one call: each in its own day's key, each key with its expiry
--- init
my $c0 = main::metric('pa_submit_batch_calls_total');
my @a = main::batch([
    main::report(1, '2026-03-09T23:59:50+07:00', '22.396'),
    main::report(2, '2026-03-09T23:59:55+07:00', '22.3961'),
    main::report(3, '2026-03-10T00:00:05+07:00', '22.3963'),
    main::report(4, '2026-03-10T00:00:10+07:00', '22.3967'),
], first => 1);
Test::More::is(join(',', map { $_->[0] } @a), '201,201,201,201',
               'all four stored');
@main::Id = map { main::id_of($_->[2]) } @a;
Test::More::like(join(',', @main::Id),
                 qr/^260309-\w{8},260309-\w{8},260310-\w{8},260310-\w{8}$/,
                 'each id names its local day');
Test::More::is(main::metric('pa_submit_batch_calls_total') - $c0, 2,
               'in two calls: the first, then the three behind it');
# (members "<created_at><ms>|<id>", in time order, ms "00" on the test
# clock: submit.lua)
Test::More::is(main::members("${main::P}near:20260309"),
               "177307559000|$main::Id[0],177307559500|$main::Id[1]",
               'the two of 9 March in its key');
Test::More::is(main::members("${main::P}near:20260310"),
               "177307560500|$main::Id[2],177307561000|$main::Id[3]",
               'the two of 10 March in its key');
# a key's time to live, from the day's end, as the day's first call set it
# (EXPIRE NX: one instant for the whole day, so the first sets it and the
# others leave it): 23:59:50 in the first call; 00:00:05, the first of its
# day.  Give or take the seconds since (Redis counts down in real time), so
# the 5 s between the first and the second call do not show here which
# call set it: t/074 TEST 3 does, with times of live far apart
for (["near:20260309", 10], ["near:20260310", 86395]) {
    my ($k, $left) = @$_;
    my $want = $left + 3 * 86400 + 30 * 86400;
    my $ttl = main::redis('TTL', "${main::P}$k");
    Test::More::ok($ttl <= $want && $ttl > $want - 120,
                   "$k: TTL $ttl, set to $want");
}
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 2: the IOC sees the reports of the other day as hints, nearest first
--- init
my @id = @main::Id;
my %want = (
    1 => [[0, 11, '2026-03-09T23:59:50'], [2, 22, '2026-03-10T00:00:05'],
          [3, 67, '2026-03-10T00:00:10']],
    2 => [[1, 22, '2026-03-09T23:59:55'], [0, 33, '2026-03-09T23:59:50'],
          [3, 45, '2026-03-10T00:00:10']],
);
for my $i (1, 2) {
    my ($st, undef, $body) = main::http('GET', "/api/v1/reports/$id[$i]", '',
                                 "Authorization: Bearer $main::T{ioc}");
    Test::More::is($st, 200, "the IOC reads report $i");
    my $hints = join(',', map {
        '\{"id":"' . $id[$_->[0]] . '","distance_m":' . $_->[1]
        . ',"status":"submitted","submitted_at":"' . $_->[2] . '\+07:00"\}'
    } @{$want{$i}});
    Test::More::like($body, qr/"duplicate_hints":\[$hints\],"history"/,
                     "report $i: the other three, nearest first");
}
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 3: a position's score in its day key is the one GEOADD makes of the record's lng and lat (the worker makes it: Redis parses no float); a latitude GEOADD refuses joins no day key, yet the report is stored
--- init
my @id = @main::Id;
my $near = sub {
    my ($lat, $lng) = @_;
    my ($st, undef, $body) = main::http('POST', '/api/v1/reports',
        '{"content":"Cây đổ ở ' . $lat . ' ' . $lng . '",'
        . '"category":"traffic","lat":' . $lat . ',"lng":' . $lng . ','
        . '"reporter_name":"Lò Văn B","reporter_phone":"0913 300 099"}',
        'Content-Type: application/json',
        'X-PA-Now: 2026-03-10T08:00:00+07:00');
    Test::More::is($st, 201, "$lat $lng stored");
    return main::id_of($body);
};
push @id, $near->('85.0511287', '-179.9999999'),
          $near->('-85.0511287', '179.9999999'),
          $near->('0.0000001', '-0.0000001'),
          $near->('21.0277644', '105.8341598');
my $high = $near->('85.0511288', '103.458');
for my $id (@id) {
    my ($lng, $lat) = split /\n/, main::redis('HMGET', "${main::P}r:$id",
                                              'lng', 'lat');
    main::redis('GEOADD', "${main::P}geoadd", $lng, $lat, $id);
    my ($day) = $id =~ /^(\d{6})-/;
    my ($at) = grep { /\|\Q$id\E$/ }
        split /\n/, main::redis('ZRANGE', "${main::P}near:20$day", '0', '-1');
    Test::More::ok(defined $at, "$id ($lat $lng) in its day key");
    Test::More::is(main::redis('ZSCORE', "${main::P}near:20$day", $at // ''),
                   main::redis('ZSCORE', "${main::P}geoadd", $id),
                   "$id ($lat $lng): GEOADD's score");
}
Test::More::is(main::redis('HGET', "${main::P}r:$high", 'lat'), '85.0511288',
               'a report past the latitudes GEOADD takes is stored');
Test::More::unlike(join(',', map { main::redis('ZRANGE', $_, '0', '-1') }
                             "${main::P}near:20260310"),
                   qr/\Q$high\E/, 'but in no day key');
--- request
GET /api/v1/health
--- error_code: 200
