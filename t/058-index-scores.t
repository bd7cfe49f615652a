# The index scores' fraction (submit.lua, issue 12): due and the work
# lists q:<state> carry, above the deadline, a fraction that follows the
# submission's time in its minute (ngx_pa_qscore.h), so two reports
# sharing a deadline, the later one earlier in its minute, are in the
# list against their submission order.  The queue's page must still end at a tie on the
# whole score and show them in the order of before: the one submitted
# first first.  The duplicate hints' window still counts whole seconds
# where get.lua reads near:at (the index before the day keys, whose score
# a submission of the scores' first version gave a fraction of the
# second).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest qw(:DEFAULT h);

our $P = 'pa:{t_scores}:';

setting(http_config => <<'_EOC_');
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_scores;
    pa_profile test-index-scores;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_directory $TEST_NGINX_ROOT/conf-examples/directory/laichau.json;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_sla verify 1d;
    pa_duplicate_window 1h;
    pa_test_clock on;
_EOC_

# W-2 at 06:00:40, W-1 at 07:10:10: both before the office opens (07:30),
# so one verify deadline; by id alone W-1 would come first, by the
# fraction too (its 10th second of the minute against W-2's 40th)
our @R = (['W-2', '2026-02-03T06:00:40+07:00'],
          ['W-1', '2026-02-03T07:10:10+07:00']);

our (@req, @hdr);
for my $r (@R) {
    my ($id, $at) = @$r;
    push @req, "POST /api/v1/reports\n{\"content\":\"Cây đổ chắn đường\","
               . "\"category\":\"traffic\",\"lat\":22.39,\"lng\":103.45,"
               . "\"reporter_name\":\"A\",\"reporter_phone\":\"0912000"
               . ($id =~ /(\d)$/)[0] . "00\"}";
    push @hdr, h('', $at) . "\nX-PA-Test-Id: $id"
               . "\nX-PA-Test-Token: token-of-the-reporter-" . lc $id;
}

sub score { return main::redis('ZSCORE', "${P}q:submitted", shift) }

# H-2 exactly the window (1 h) after H-1, where H-1 is
our (@hreq, @hhdr);
for my $r (['H-1', '2026-02-04T09:00:00+07:00', 1],
           ['H-2', '2026-02-04T10:00:00+07:00', 2]) {
    my ($id, $at, $n) = @$r;
    push @hreq, "POST /api/v1/reports\n{\"content\":\"Rác thải số $n\","
                . "\"category\":\"environment\",\"lat\":22.40,"
                . "\"lng\":103.46,\"reporter_name\":\"B\","
                . "\"reporter_phone\":\"091300000$n\"}";
    push @hhdr, h('', $at) . "\nX-PA-Test-Id: $id"
                . "\nX-PA-Test-Token: token-of-the-reporter-" . lc $id;
}

run_tests();

__DATA__

=== TEST 1: the IOC's lists exist (built once, queue.lua): the reports are added to them; two reports, the later one earlier in its minute, one deadline
--- init
main::fresh('t_scores');
--- more_headers eval
[main::h('ioc', '2026-02-03T05:00:00+07:00'), @main::hdr]
--- pipelined_requests eval
["GET /api/v1/queue", @main::req]
--- error_code eval
[200, 201, 201]
--- response_body_like eval
['^\{"items":\[\],"total":0,',
 '"id":"W-2".*"due":"2026-02-03T17:00:00\+07:00".*"created_at":"2026-02-03T06:00:40\+07:00"',
 '"id":"W-1".*"due":"2026-02-03T17:00:00\+07:00".*"created_at":"2026-02-03T07:10:10\+07:00"']



=== TEST 2: a page of one is W-2, submitted first, though its score is the higher (the fraction of its minute)
--- init
my ($s2, $s1) = (main::score('W-2'), main::score('W-1'));
my $dl = main::redis('HGET', "${main::P}r:W-1", 'dl:verify');
Test::More::is(main::redis('HGET', "${main::P}r:W-2", 'dl:verify'), $dl,
               'one deadline');
Test::More::cmp_ok($s1, '<', $s2, "W-1 scored below W-2 ($s1 < $s2)");
Test::More::ok($s1 >= 2e10 + $dl && $s2 < 2e10 + $dl + 1,
               'both within the deadline\'s whole score');
--- more_headers eval
main::h('ioc', '2026-02-03T08:00:00+07:00')
--- request
GET /api/v1/queue?limit=1
--- error_code: 200
--- response_body_like: ^\{"items":\[\{"id":"W-2",[^{]*"created_at":"2026-02-03T06:00:40\+07:00"[^{]*\{"step":"verify","due":"2026-02-03T17:00:00\+07:00"[^}]*\}\],"overdue":false,"next_due":"2026-02-03T17:00:00\+07:00"\}\],"total":2,"truncated":false\}$



=== TEST 3: ... and the whole list in that order
--- more_headers eval
main::h('ioc', '2026-02-03T08:00:00+07:00')
--- request
GET /api/v1/queue?state=submitted
--- error_code: 200
--- response_body_like: ^\{"items":\[\{"id":"W-2",[^{]*\{[^{]*\}\][^{]*\},\{"id":"W-1",[^{]*\{[^{]*\}\][^{]*\}\],"total":2,"truncated":false\}$



=== TEST 4: two reports at one place, the second exactly the hints' window (1 h) after the first
--- more_headers eval
[@main::hhdr]
--- pipelined_requests eval
[@main::hreq]
--- error_code eval
[201, 201]



=== TEST 5: H-2 is a hint of H-1 when its near:at score has a fraction of its second (moved into the index before the day keys, as that version's submission on the worker's clock left it)
--- init
my $at = main::redis('HGET', "${main::P}r:H-2", 'created_at');
# (its day key's member "<created_at><ms>|<id>", ms "00" on the test clock:
# submit.lua)
my ($lng, $lat) = split /\n/, main::redis('GEOPOS', "${main::P}near:20260204",
                                          "${at}00|H-2");
Test::More::ok(defined $lat, "H-2's position in its day key");
Test::More::is(main::redis('ZREM', "${main::P}near:20260204", "${at}00|H-2"),
               '1', '... which leaves it');
main::redis('GEOADD', "${main::P}near", $lng, $lat, 'H-2');
main::redis('ZADD', "${main::P}near:at", $at + 0.5, 'H-2');
Test::More::is(main::redis('ZSCORE', "${main::P}near:at", 'H-2'), $at + 0.5,
               'H-2 scored within its second');
--- more_headers eval
main::h('ioc', '2026-02-04T10:30:00+07:00')
--- request
GET /api/v1/reports/H-1
--- error_code: 200
--- response_body_like: "duplicate_hints":\[\{"id":"H-2","distance_m":0,"status":"submitted","submitted_at":"2026-02-04T10:00:00\+07:00"\}\]
