# A report dispatched at submission (pa_auto_dispatch) whose dispatch
# fails at a command (here the agency's work list is no zset: WRONGTYPE)
# is refused 503 and undone: its undo must take back only what it wrote.
# The agency's day counter ("dispatched") and its work load
# ("in_progress", the gauge) were counted after the list's write, so
# they were never counted for it: the IOC's statistics must show the
# figures of the reports stored, no fewer.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use t::PaBatch;

use JSON::PP ();

our $P = 'pa:{t_dundo}:';
our $Agency = 'phuong-tan-phong';

setting(http_config => <<'_EOC_', config => api() . <<'_EOC2_');
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_dundo;
    pa_profile test-dispatch-undo;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_directory $TEST_NGINX_ROOT/conf-examples/directory/laichau.json;
    pa_auto_dispatch on;
    pa_sla accept 1d urgent=1h;
    pa_sla resolve 5d urgent=1h;
    pa_sweep_interval 0;
    pa_test_clock on;
_EOC_
    location = /ping { return 204; }
_EOC2_

our $At = '2026-03-02T09:00:00+07:00';

sub report {
    my ($id, $phone, $content) = @_;
    return ['POST', '/api/v1/reports',
            '{"content":"' . $content . '","category":"traffic",'
            . '"lat":22.396,"lng":103.458,"reporter_name":"Lò Văn C",'
            . '"reporter_phone":"' . $phone . '"}',
            'Content-Type: application/json', "X-PA-Now: $At",
            "X-PA-Test-Id: $id",
            'X-PA-Test-Token: token-of-the-reporter-' . lc $id];
}

# the agency's figures of the day in the IOC's statistics
sub figures {
    my ($st, undef, $body) = main::http(
        'GET', '/api/v1/stats?from=2026-03-02&to=2026-03-02', '',
        "Authorization: Bearer $main::T{ioc}");
    Test::More::is($st, 200, 'the IOC reads the statistics');
    my $s = JSON::PP::decode_json($body);
    my ($a) = grep { ($_->{agency} // $_->{id} // '') eq $Agency }
        @{ $s->{agencies} // [] };
    return join ' ', map { $a ? $a->{$_} // '-' : '-' }
        qw(dispatched in_progress);
}

run_tests();

__DATA__

=== TEST 1: a dispatch at submission that fails at the agency's list: 503, and the agency's figures stay those of the reports stored
--- init
main::fresh('t_dundo');
my ($s1, undef, $b1) = main::http(@{ main::report('D-1', '0915 000 001',
                                                  'Ổ gà số một') });
Test::More::is($s1, 201, 'D-1 stored');
Test::More::like($b1, qr/"status":"dispatched"/, '... dispatched at once');
Test::More::is(main::figures(), '1 1', 'the agency: 1 dispatched, 1 open');
# the agency's list of dispatched reports made no zset
my $list = "${main::P}aq:$main::Agency:dispatched";
main::redis('RENAME', $list, "${main::P}saved");
main::redis('SET', $list, 'not a zset');
my ($s2, undef, $b2) = main::http(@{ main::report('D-2', '0915 000 002',
                                                  'Ổ gà số hai') });
Test::More::is($s2, 503, 'D-2: its dispatch failed, 503');
Test::More::is(main::redis('EXISTS', "${main::P}r:D-2"), '0',
               'nothing of D-2 stored');
main::redis('DEL', $list);
main::redis('RENAME', "${main::P}saved", $list);
Test::More::is(main::figures(), '1 1',
               'the agency: still 1 dispatched, 1 open (D-1)');
my ($s3) = main::http(@{ main::report('D-2', '0915 000 002',
                                      'Ổ gà số hai') });
Test::More::is($s3, 201, 'D-2 again, the list sound: stored');
Test::More::is(main::figures(), '2 2', 'the agency: 2 dispatched, 2 open');
--- request
GET /ping
--- error_code: 204
--- error_log
submit script failed: WRONGTYPE
