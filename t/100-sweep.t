# The SLA sweeper (sweep.lua, ngx_pa_sweep.c): POST /api/v1/admin/sweep in
# test-clock mode (overdue marks, supplement timeout, status notices,
# commenting locks, big backlogs, who may call it), the route's absence
# without the test clock, and the background timer with its Redis lock.
# Deadlines are planted straight into Redis so every count is exact; the
# lifecycle files (t/1NN-<profile>.t) reach them through the API.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

our $P = 'pa:{t_sweep}:';

fresh('t_sweep');

# 2026-03-02T09:00:00+07:00
our $T0 = 1772416800;

my $http_config = <<'_EOC_';
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_sweep;
    pa_profile test-sweep;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_test_clock on;
_EOC_

# the timer runs without the test clock; each variant restarts nginx
my $timer_config = <<'_EOC_';
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_sweep_timer;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_sweep_interval 1s;
_EOC_

setting(http_config => $http_config, prepare => sub {
    my $block = shift;
    if (defined $block->sweep_timer) {
        $block->set_value("http_config", $timer_config
                          . "    pa_profile timer-" . $block->sweep_timer
                          . ";\n");
    }
});

run_tests();

__DATA__

=== TEST 1: nothing is due: zero everywhere; the timer is off with the test clock
--- more_headers
X-PA-Now: 2026-03-02T09:00:00+07:00
--- request
POST /api/v1/admin/sweep
--- error_code: 200
--- response_body
{"overdue":0,"rejected":0,"notices":0,"unlocked":0}
--- error_log
pa sweep: timer off (pa_test_clock on)



=== TEST 2: a deadline at exactly now is still on time; a second later it is overdue
--- init
main::redis('HSET', "${main::P}r:S-1", 'id', 'S-1', 'status', 'dispatched',
            'urgent', '0', 'lead', 'so-xd', 'agencies', ',so-xd,',
            'created_at', $main::T0 - 86400, 'hidden', '1',
            'dl:accept@so-xd', $main::T0);
main::redis('ZADD', "${main::P}due", $main::T0, 'S-1|accept@so-xd');
--- more_headers eval
["X-PA-Now: 2026-03-02T09:00:00+07:00", "X-PA-Now: 2026-03-02T09:00:01+07:00",
 "X-PA-Now: 2026-03-02T10:00:00+07:00"]
--- pipelined_requests eval
["POST /api/v1/admin/sweep", "POST /api/v1/admin/sweep",
 "POST /api/v1/admin/sweep"]
--- error_code eval
[200, 200, 200]
--- response_body eval
['{"overdue":0,"rejected":0,"notices":0,"unlocked":0}
', '{"overdue":1,"rejected":0,"notices":0,"unlocked":0}
', '{"overdue":0,"rejected":0,"notices":0,"unlocked":0}
']



=== TEST 3: ... marked on the report (hidden or not), out of the index, an event, a counter
--- init
Test::More::is(main::redis('HGET', "${main::P}r:S-1", 'do:accept@so-xd'), '1',
               'do: set on the hidden report');
Test::More::is(main::redis('HGET', "${main::P}r:S-1", 'dm:accept@so-xd'), '',
               'the step is still open: met is recorded when it completes');
Test::More::is(main::redis('ZSCORE', "${main::P}due", 'S-1|accept@so-xd'), '',
               'no longer in due');
Test::More::is(main::redis('HGET', "${main::P}stats:20260302",
                           'so-xd|overdue'), '1', 'the miss counted against the agency');
Test::More::like(main::redis('XRANGE', "${main::P}events", '-', '+'),
    qr/^type\noverdue\nid\nS-1\nstep\naccept\nkey\naccept\@so-xd\nagency\nso-xd\nurgent\n0\ndue\n1772416800\nat\n1772416801$/m,
    'overdue event');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 4: an IOC step counts for "ioc", a reply for the lead, identify for the coordinator
--- init
main::redis('HSET', "${main::P}r:S-2", 'id', 'S-2', 'status', 'resolved',
            'urgent', '1', 'lead', 'so-xd', 'coordinator', 'to-dp',
            'created_at', $main::T0, 'dl:publish', $main::T0 + 60,
            'dl:reply#1', $main::T0 + 60, 'dl:identify', $main::T0 + 60);
main::redis('ZADD', "${main::P}due", $main::T0 + 60, 'S-2|publish',
            $main::T0 + 60, 'S-2|reply#1', $main::T0 + 60, 'S-2|identify');
--- more_headers
X-PA-Now: 2026-03-02T09:05:00+07:00
--- request
POST /api/v1/admin/sweep
--- error_code: 200
--- response_body
{"overdue":3,"rejected":0,"notices":0,"unlocked":0}



=== TEST 5: ... counted where they belong
--- init
my $s = main::redis('HGETALL', "${main::P}stats:20260302");
Test::More::like($s, qr/^ioc\|overdue\n1$/m, 'publish: the IOC');
Test::More::like($s, qr/^so-xd\|overdue\n2$/m, 'reply: the lead');
Test::More::like($s, qr/^to-dp\|overdue\n1$/m, 'identify: the coordinator');
Test::More::like(main::redis('XRANGE', "${main::P}events", '-', '+'),
                 qr/^step\npublish\nkey\npublish\nagency\nioc\nurgent\n1$/m,
                 'urgent in the event');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 5b: a report's misses count once per owner; a missed extended deadline is extension_missed
--- init
my $t1 = $main::T0 + 86400;
main::redis('HSET', "${main::P}r:S-10", 'id', 'S-10', 'status', 'dispatched',
            'urgent', '0', 'lead', 'so-xd', 'agencies', ',so-xd,',
            'created_at', $main::T0, 'dl:accept@so-xd', $t1 - 60,
            'dl:resolve@so-xd', $t1 - 30, 'dx:resolve@so-xd', '1');
main::redis('HSET', "${main::P}r:S-11", 'id', 'S-11', 'status', 'under_review',
            'urgent', '0', 'lead', 'so-xd', 'created_at', $main::T0,
            'dl:publish', $t1 - 10, 'sc:ioc', 'overdue');
main::redis('ZADD', "${main::P}due", $t1 - 60, 'S-10|accept@so-xd',
            $t1 - 30, 'S-10|resolve@so-xd', $t1 - 10, 'S-11|publish');
--- more_headers
X-PA-Now: 2026-03-03T09:00:00+07:00
--- request
POST /api/v1/admin/sweep
--- error_code: 200
--- response_body
{"overdue":3,"rejected":0,"notices":0,"unlocked":0}



=== TEST 5c: ... so-xd: one report overdue, one extension missed; the IOC's report counted before stays counted once
--- init
my $s = main::redis('HGETALL', "${main::P}stats:20260303");
Test::More::like($s, qr/^so-xd\|overdue\n1$/m, 'S-10 once for so-xd');
Test::More::like($s, qr/^so-xd\|extension_missed\n1$/m, 'the extended deadline');
Test::More::unlike($s, qr/^ioc\|/m, 'S-11 was counted for the IOC already');
Test::More::is(main::redis('HGET', "${main::P}r:S-10", 'sc:so-xd'), 'overdue',
               'the report records what it counted');
Test::More::is(main::redis('HGET', "${main::P}r:S-10", 'do:resolve@so-xd'), '1',
               'each step is marked');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 6: an unanswered supplement request rejects the report, as act.lua's reject
--- init
my $due = $main::T0 + 120;
main::redis('HSET', "${main::P}r:S-3", 'id', 'S-3', 'status', 'needs_info',
            'urgent', '0', 'created_at', $main::T0 - 3600,
            'dl:verify', $main::T0 - 10, 'dm:verify', '1',
            'dd:verify', $main::T0 - 20, 'dl:supplement', $due,
            'dl:other', $main::T0 + 999999);
main::redis('ZADD', "${main::P}due", $due, 'S-3|supplement',
            $main::T0 + 999999, 'S-3|other');
main::redis('ZADD', "${main::P}st:needs_info", $main::T0 - 3600, 'S-3');
main::redis('RPUSH', "${main::P}h:S-3", '{"action":"submit"}');
--- more_headers
X-PA-Now: 2026-03-02T09:10:00+07:00
--- request
POST /api/v1/admin/sweep
--- error_code: 200
--- response_body
{"overdue":0,"rejected":1,"notices":0,"unlocked":0}



=== TEST 7: ... state, index, every open deadline closed, history, event
--- init
my %r = split /\n/, main::redis('HGETALL', "${main::P}r:S-3");
Test::More::is($r{status}, 'rejected', 'rejected');
Test::More::is($r{reject_reason}, 'supplement_timeout', 'reason');
# every closed step folded into dc, as act.lua folds (docs/data-model.md)
my %dc = map { /^(\S+) (.+)$/ ? ($1, $2) : ($_, '?') } split /;/, $r{dc} // '';
Test::More::is($dc{supplement}, ($main::T0 + 120) . ' 480 0o',
               'supplement not met, closed now, seen overdue');
Test::More::is($dc{other}, ($main::T0 + 999999) . ' -999399 1',
               'another open deadline closed (met)');
Test::More::is($dc{verify}, ($main::T0 - 10) . ' -10 1',
               'a closed one kept as it was');
Test::More::is(scalar(keys %dc), 3, 'three entries, no other');
Test::More::is(join(',', sort grep { /^d[lmdox]:/ } keys %r), '',
               'no dl:/dm:/dd:/do: field left');
Test::More::is(main::redis('ZSCORE', "${main::P}due", 'S-3|other'), '',
               'out of due');
Test::More::is(main::redis('ZSCORE', "${main::P}st:needs_info", 'S-3'), '',
               'out of st:needs_info');
Test::More::is(main::redis('ZSCORE', "${main::P}st:rejected", 'S-3'),
               $main::T0 - 3600, 'in st:rejected, by creation');
my $h = JSON::PP->new->decode(main::redis('LINDEX', "${main::P}h:S-3", '-1'));
Test::More::is_deeply($h, {at => '2026-03-02T09:10:00+07:00', role => 'system',
    actor => 'sweeper', action => 'reject', from => 'needs_info',
    to => 'rejected', reject_reason => 'supplement_timeout',
    note => "Phản ánh không đủ điều kiện tiếp nhận: thông tin bổ sung không "
            . "được gửi trong thời hạn 02 ngày làm việc."}, 'history entry');
Test::More::like(main::redis('XRANGE', "${main::P}events", '-', '+'),
    qr/^type\nreject\nid\nS-3\nfrom\nneeds_info\nto\nrejected\nurgent\n0\nat\n1772417400\nagencies\n\nreason\nsupplement_timeout\nactor\nsweeper$/m,
    'reject event');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 8: the 6-day status notice is sent once and completes its step
--- init
main::redis('HSET', "${main::P}r:S-4", 'id', 'S-4', 'status', 'in_progress',
            'urgent', '0', 'lead', 'xa-a', 'agencies', ',xa-a,',
            'created_at', $main::T0, 'dl:notify', $main::T0 + 700);
main::redis('ZADD', "${main::P}due", $main::T0 + 700, 'S-4|notify');
--- more_headers eval
["X-PA-Now: 2026-03-02T09:15:00+07:00", "X-PA-Now: 2026-03-03T09:15:00+07:00"]
--- pipelined_requests eval
["POST /api/v1/admin/sweep", "POST /api/v1/admin/sweep"]
--- error_code eval
[200, 200]
--- response_body eval
['{"overdue":0,"rejected":0,"notices":1,"unlocked":0}
', '{"overdue":0,"rejected":0,"notices":0,"unlocked":0}
']



=== TEST 9: ... met, history and a notice event
--- init
my %r = split /\n/, main::redis('HGETALL', "${main::P}r:S-4");
Test::More::is($r{dc}, 'notify ' . ($main::T0 + 700) . ' 200 1',
               'folded into dc: due, done 200 s after, met (the notice went)');
Test::More::ok(!exists $r{$_}, "no $_ field")
    for qw(dl:notify dm:notify dd:notify);
Test::More::is($r{status}, 'in_progress', 'state unchanged');
my $h = JSON::PP->new->decode(main::redis('LINDEX', "${main::P}h:S-4", '-1'));
Test::More::is($h->{action}, 'notify', 'notify entry');
Test::More::is($h->{role}, 'system', 'by the system');
Test::More::is($h->{from} . '>' . $h->{to}, 'in_progress>in_progress', 'same state');
Test::More::like($h->{note}, qr/đang được cơ quan chức năng xem xét, xử lý/,
                 'the notice in Vietnamese');
Test::More::like(main::redis('XRANGE', "${main::P}events", '-', '+'),
    qr/^type\nnotice\nid\nS-4\nstatus\nin_progress\nagency\nxa-a\nagencies\n,xa-a,\nurgent\n0\nat\n1772417700$/m,
    'notice event');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 10: commenting locks whose month passed are lifted, others stay
--- init
main::redis('HSET', "${main::P}clock", 'ph-old', $main::T0 + 1000,
            'ph-now', $main::T0 + 1200, 'ph-new', $main::T0 + 86400);
--- more_headers
X-PA-Now: 2026-03-02T09:20:00+07:00
--- request
POST /api/v1/admin/sweep
--- error_code: 200
--- response_body
{"overdue":0,"rejected":0,"notices":0,"unlocked":2}



=== TEST 11: ... the later one is still there
--- init
Test::More::is(main::redis('HKEYS', "${main::P}clock"), 'ph-new',
               'only the lock still running');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 12: stale members (report gone, step done, moved later) are only cleaned
--- init
main::redis('HSET', "${main::P}r:S-5", 'id', 'S-5', 'status', 'in_progress',
            'created_at', $main::T0, 'dl:accept@a', $main::T0 + 1000,
            'dm:accept@a', '1', 'dl:resolve@a', $main::T0 + 86400);
main::redis('ZADD', "${main::P}due", $main::T0 + 1000, 'S-5|accept@a',
            $main::T0 + 1000, 'S-5|resolve@a', $main::T0 + 1000, 'GONE|verify');
--- more_headers
X-PA-Now: 2026-03-02T09:30:00+07:00
--- request
POST /api/v1/admin/sweep
--- error_code: 200
--- response_body
{"overdue":0,"rejected":0,"notices":0,"unlocked":0}



=== TEST 13: ... the moved one is back at its real due time
--- init
Test::More::is(main::redis('ZRANGE', "${main::P}due", '0', '-1', 'WITHSCORES'),
               "S-5|resolve\@a\n" . ($main::T0 + 86400), 'only the extended one');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 14: a backlog bigger than one batch (500) is swept whole
--- init
main::redis('EVAL', "for i = 1, 1203 do "
    . "redis.call('HSET', ARGV[1] .. 'r:B-' .. i, 'id', 'B-' .. i, "
    . "'status', 'dispatched', 'urgent', '0', 'dl:accept\@so-xd', ARGV[2]) "
    . "redis.call('ZADD', ARGV[1] .. 'due', ARGV[2], 'B-' .. i .. '|accept\@so-xd') "
    . "end", '0', $main::P, $main::T0);
--- more_headers
X-PA-Now: 2026-03-02T10:00:00+07:00
--- request
POST /api/v1/admin/sweep
--- error_code: 200
--- response_body
{"overdue":1203,"rejected":0,"notices":0,"unlocked":0}



=== TEST 15: who may call it: no token (tests), the IOC, an admin; a handler 403, a bad token 401
--- more_headers eval
["X-PA-Now: 2026-03-02T10:00:00+07:00\nAuthorization: Bearer $::T{ioc}",
 "X-PA-Now: 2026-03-02T10:00:00+07:00\nAuthorization: Bearer $::T{admin}",
 "X-PA-Now: 2026-03-02T10:00:00+07:00\nAuthorization: Bearer $::T{xd}",
 "X-PA-Now: 2026-03-02T10:00:00+07:00\nAuthorization: Bearer not.a.token",
 ""]
--- pipelined_requests eval
["POST /api/v1/admin/sweep", "POST /api/v1/admin/sweep",
 "POST /api/v1/admin/sweep", "POST /api/v1/admin/sweep",
 "GET /api/v1/admin/sweep"]
--- error_code eval
[200, 200, 403, 401, 405]
--- response_body_like eval
['"overdue":0', '"overdue":0', '"code":"forbidden"', '"code":"unauthorized"',
 '"code":"method_not_allowed"']



=== TEST 16: without the test clock the route does not exist (404), tokens or not
--- http_config
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_sweep_off;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_sweep_interval 1h;
--- more_headers eval
["X-PA-Now: 2026-03-02T10:00:00+07:00", "Authorization: Bearer $::T{ioc}"]
--- pipelined_requests eval
["POST /api/v1/admin/sweep", "POST /api/v1/admin/sweep"]
--- error_code eval
[404, 404]
--- response_body eval
['{"error":{"code":"not_found","message":"no such resource"}}
', '{"error":{"code":"not_found","message":"no such resource"}}
']



=== TEST 17: the timer sweeps on its own (worker 0, every pa_sweep_interval)
--- sweep_timer: a
--- init
my $p = 'pa:{t_sweep_timer}:';
main::redis('DEL', "${p}sweep:lock", "${p}due", "${p}r:W-1", "${p}r:W-2");
main::redis('HSET', "${p}r:W-1", 'id', 'W-1', 'status', 'dispatched',
            'urgent', '0', 'dl:accept@so-xd', '1000');
main::redis('ZADD', "${p}due", '1000', 'W-1|accept@so-xd');
--- request
GET /api/v1/health
--- error_code: 200
--- wait: 2.5
--- error_log
pa sweep: 1 overdue, 0 rejected, 0 notices, 0 unlocked



=== TEST 18: ... marked; the lock names this node, a little under the interval; another node's lock stops it
--- sweep_timer: b
--- init
use Time::HiRes ();
my $p = 'pa:{t_sweep_timer}:';
Test::More::is(main::redis('HGET', "${p}r:W-1", 'do:accept@so-xd'), '1',
               'marked by the timer');
my ($lock, $ttl) = ('', -2);
for (1 .. 60) {
    $lock = main::redis('GET', "${p}sweep:lock");
    $ttl = main::redis('PTTL', "${p}sweep:lock");
    last if $lock ne '' && $ttl > 0;
    Time::HiRes::sleep(0.05);
}
Test::More::like($lock, qr/^[^:]+:\d+:[0-9a-f]{16}$/, 'lock value: host:pid:random');
Test::More::ok($ttl > 0 && $ttl <= 900, "lock ttl $ttl ms <= 900 ms");
main::redis('SET', "${p}sweep:lock", 'other-node', 'PX', '60000');
main::redis('HSET', "${p}r:W-2", 'id', 'W-2', 'status', 'dispatched',
            'urgent', '0', 'dl:accept@so-xd', '1000');
main::redis('ZADD', "${p}due", '1000', 'W-2|accept@so-xd');
--- request
GET /api/v1/health
--- error_code: 200
--- wait: 2.5
--- no_error_log
pa sweep: 1 overdue



=== TEST 19: ... W-2 untouched while the other node's lock lives; swept once it is gone
--- sweep_timer: c
--- init
my $p = 'pa:{t_sweep_timer}:';
Test::More::is(main::redis('HGET', "${p}r:W-2", 'do:accept@so-xd'), '',
               'not swept under another node\'s lock');
Test::More::is(main::redis('GET', "${p}sweep:lock"), 'other-node', 'lock kept');
main::redis('DEL', "${p}sweep:lock");
--- request
GET /api/v1/health
--- error_code: 200
--- wait: 2.5
--- error_log
pa sweep: 1 overdue, 0 rejected, 0 notices, 0 unlocked
