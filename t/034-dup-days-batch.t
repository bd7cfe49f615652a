# Duplicate hints' day keys in a group commit that spans midnight
# (pa_submit_batch, ngx_pa_batch.c): each report names the key of its own
# local day, and submit.lua writes each day key of the call once (GEOADD,
# EXPIRE), so the reports of both days are found as each other's hints.
#
# One worker, one call in flight: Redis is stopped (SIGSTOP), the first
# submission is in flight alone, the three sent after it queue and leave
# as one call once Redis goes on (SIGCONT); t/043-submit-batch.t does the
# same for the batch's other semantics.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

use IO::Socket::INET;

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

sub raw {
    my ($method, $path, $body, @headers) = @_;
    $body //= '';
    return "$method $path HTTP/1.1\r\nHost: localhost\r\n"
           . "Connection: close\r\n"
           . join('', map { "$_\r\n" } @headers)
           . ($method eq 'POST'
              ? "Content-Length: " . length($body) . "\r\n" : '')
           . "\r\n$body";
}

sub connect_nginx {
    return IO::Socket::INET->new(
        PeerAddr => '127.0.0.1',
        PeerPort => $Test::Nginx::Util::ServerPortForClient,
        Timeout => 60) || die "cannot connect: $!";
}

# an answer read to its end: (status, body)
sub answer {
    my $s = shift;
    local $/;
    my $res = <$s> // '';
    close $s;
    my ($head, $rest) = split /\r\n\r\n/, $res, 2;
    my ($status) = ($head // '') =~ m{^HTTP/1\.\d (\d{3})};
    return ($status // 0, $rest // '');
}

sub http {
    my $s = connect_nginx();
    print $s raw(@_);
    return answer($s);
}

sub metric {
    my ($name) = @_;
    my (undef, $body) = http('GET', '/metrics');
    return $body =~ /^\Q$name\E (\d+)$/m ? $1 : -1;
}

# Redis stopped: the requests sent, nginx has read them all (one worker:
# it answers /ping only in a later turn of its loop), Redis goes on
sub batch {
    my ($reqs) = @_;
    kill 'STOP', $t::PaTest::RedisPid;
    my @s;
    my $ok = eval {
        for my $r (@$reqs) {
            my $s = connect_nginx();
            print $s raw(@$r);
            push @s, $s;
            # the first is in flight before the others are read
            if (@s == 1) {
                my ($st) = http('GET', '/ping');
                Test::More::is($st, 204, 'the first one read');
            }
        }
        my ($st) = http('GET', '/ping');
        Test::More::is($st, 204, 'nginx read them all, Redis stopped');
        1;
    };
    kill 'CONT', $t::PaTest::RedisPid;
    die $@ unless $ok;
    return map { [answer($_)] } @s;
}

sub report {
    my ($id, $at, $lat) = @_;
    return ['POST', '/api/v1/reports',
            '{"content":"Cây đổ ' . $id . '","category":"traffic",'
            . '"lat":' . $lat . ',"lng":103.458,'
            . '"reporter_name":"Lò Văn B","reporter_phone":"0913 300 '
            . substr($id, -3) . '"}',
            'Content-Type: application/json', "X-PA-Now: $at",
            "X-PA-Test-Id: $id"];
}

run_tests();

__DATA__

=== TEST 1: 23:59:50 in flight; 23:59:55, 00:00:05 and 00:00:10 behind it in one call: each in its own day's key, each key with its expiry
--- init
my $c0 = main::metric('pa_submit_batch_calls_total');
my @a = main::batch([
    main::report('NB-001', '2026-03-09T23:59:50+07:00', '22.396'),
    main::report('NB-002', '2026-03-09T23:59:55+07:00', '22.3961'),
    main::report('NB-003', '2026-03-10T00:00:05+07:00', '22.3963'),
    main::report('NB-004', '2026-03-10T00:00:10+07:00', '22.3967'),
]);
Test::More::is(join(',', map { $_->[0] } @a), '201,201,201,201',
               'all four stored');
Test::More::is(main::metric('pa_submit_batch_calls_total') - $c0, 2,
               'in two calls: the first, then the three behind it');
Test::More::is(main::redis('ZRANGE', "${main::P}near:20260309", '0', '-1'),
               "NB-001\nNB-002", 'the two of 9 March in its key');
Test::More::is(main::redis('ZRANGE', "${main::P}near:20260310", '0', '-1'),
               "NB-003\nNB-004", 'the two of 10 March in its key');
# a key's time to live, from the day's end, as its call's earliest report
# of that day set it (the longest: 23:59:55 in the second call, which set
# it last; 00:00:05), give or take the seconds since (Redis counts down in
# real time)
for (["near:20260309", 5], ["near:20260310", 86395]) {
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
--- more_headers eval
["Authorization: Bearer $::T{ioc}", "Authorization: Bearer $::T{ioc}"]
--- pipelined_requests eval
["GET /api/v1/reports/NB-002", "GET /api/v1/reports/NB-003"]
--- error_code eval
[200, 200]
--- response_body_like eval
[qr{"duplicate_hints":\[\{"id":"NB-001","distance_m":11,"status":"submitted","submitted_at":"2026-03-09T23:59:50\+07:00"\},\{"id":"NB-003","distance_m":22,"status":"submitted","submitted_at":"2026-03-10T00:00:05\+07:00"\},\{"id":"NB-004","distance_m":67,"status":"submitted","submitted_at":"2026-03-10T00:00:10\+07:00"\}\],"history"},
 qr{"duplicate_hints":\[\{"id":"NB-002","distance_m":22,"status":"submitted","submitted_at":"2026-03-09T23:59:55\+07:00"\},\{"id":"NB-001","distance_m":33,"status":"submitted","submitted_at":"2026-03-09T23:59:50\+07:00"\},\{"id":"NB-004","distance_m":45,"status":"submitted","submitted_at":"2026-03-10T00:00:10\+07:00"\}\],"history"}]
