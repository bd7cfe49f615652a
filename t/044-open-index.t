# One index per open state (issue 12): a report of an open state is in the
# IOC's list q:<state> only, no longer in st:<state> too.  A province's
# data of an earlier version has its open reports in st:<state> (and, from
# the version before this one, in q:<state> as well): after the upgrade
# every count (metrics, the IOC's stats) and the queue see each report
# once, an action moves an old report out of st:, and the IOC's first read
# of a list merges its st: into q: and deletes it.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest qw(:DEFAULT h act);

our $P = 'pa:{t_openidx}:';

setting(http_config => <<'_EOC_', config => api() . <<'_EOC2_');
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_openidx;
    pa_profile test-openidx;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_directory $TEST_NGINX_ROOT/conf-examples/directory/laichau.json;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_sla verify 1d;
    pa_sla receive 1d;
    pa_test_clock on;
_EOC_
    location = /metrics {
        pa_metrics;
    }
_EOC2_

# a report submitted at 09:00 + $n minutes, by a phone of its own
sub submit {
    my ($id, $n) = @_;
    return ("POST /api/v1/reports\n{\"content\":\"Phản ánh $id\","
            . "\"category\":\"traffic\",\"lat\":22.39,\"lng\":103.45,"
            . "\"reporter_name\":\"A\",\"reporter_phone\":\"09120000$n$n\"}",
            h('', sprintf('2026-02-02T09:%02d:00+07:00', $n))
            . "\nX-PA-Test-Id: $id\nX-PA-Test-Token: token-of-" . lc $id);
}

our (@req, @hdr);
for my $n (1 .. 6) {
    my ($r, $h) = submit("S-$n", $n);
    push @req, $r;
    push @hdr, $h;
}
for my $id ('S-5', 'S-6') {
    push @req, act($id, action => 'verify');
    push @hdr, h('ioc', '2026-02-02T10:00:00+07:00');
}

# the reports' places as earlier versions left them: S-1, S-2, S-6 in
# both indexes (the version before this one), S-3, S-4, S-5 in st: only
# (the version before the IOC's lists)
sub earlier {
    main::redis('EVAL', <<'_LUA_', 1, "${P}q:built", @_);
local prefix = string.match(KEYS[1], '^(.-}:)')
for _, spec in ipairs(ARGV) do
    local id, state, both = string.match(spec, '^(.+) (%S+) (%S+)$')
    local at = redis.call('HGET', prefix .. 'r:' .. id, 'created_at')
    redis.call('ZADD', prefix .. 'st:' .. state, at, id)
    if both == '0' then
        redis.call('ZREM', prefix .. 'q:' .. state, id)
    end
end
_LUA_
}

sub pa_reports {
    my ($sub, $ver) = @_;
    return qr/\npa_reports\{state="submitted"\} $sub\n/
           . qr/pa_reports\{state="needs_info"\} 0\n/
           . qr/pa_reports\{state="verified"\} $ver\n/;
}

run_tests();

__DATA__

=== TEST 1: six reports submitted, two of them verified
--- init
main::fresh('t_openidx');
--- more_headers eval
[@main::hdr]
--- pipelined_requests eval
[@main::req]
--- error_code eval
[(201) x 6, 200, 200]



=== TEST 2: this version keeps an open state in its work list only; then the upgrade: data of earlier versions, and one more report
--- init
Test::More::is(main::redis('EXISTS', "${main::P}st:submitted",
                           "${main::P}st:verified"), 0,
               'no st: of an open state written');
Test::More::is(main::redis('ZCARD', "${main::P}q:submitted"), 4,
               'the four submitted in their list');
Test::More::is(main::redis('ZCARD', "${main::P}q:verified"), 2,
               'the two verified in theirs');
main::earlier('S-1 submitted 1', 'S-2 submitted 1', 'S-3 submitted 0',
              'S-4 submitted 0', 'S-5 verified 0', 'S-6 verified 1');
Test::More::is(main::redis('EXISTS', "${main::P}q:built"), 0,
               'no list read yet');
--- more_headers eval
(main::submit('S-7', 7))[1]
--- request eval
(main::submit('S-7', 7))[0]
--- error_code: 201



=== TEST 3: /metrics counts each report once: five submitted (two in both indexes, two in st: only, one in q: only), two verified
--- init
Test::More::is(main::redis('ZCARD', "${main::P}st:submitted"), 4,
               'four in the old index');
Test::More::is(main::redis('ZCARD', "${main::P}q:submitted"), 3,
               'three in the list');
--- request
GET /metrics
--- error_code: 200
--- response_body_like eval
main::pa_reports(5, 2)



=== TEST 4: the IOC's work load in the stats: seven reports in its hands, once each
--- more_headers eval
main::h('ioc')
--- request
GET /api/v1/stats?from=2026-02-02&to=2026-02-02
--- error_code: 200
--- response_body_like: "agency":"ioc",[^}]*"in_progress":7,



=== TEST 5: an action on a report of the old layout (S-3, in st:submitted only)
--- more_headers eval
main::h('ioc', '2026-02-02T11:00:00+07:00')
--- request eval
main::act('S-3', action => 'verify')
--- error_code: 200
--- response_body_like: "status":"verified"



=== TEST 6: ... it left st:submitted and joined the verified list only; the counts follow
--- init
Test::More::is(main::redis('ZSCORE', "${main::P}st:submitted", 'S-3'), '',
               'out of the old index');
Test::More::is(main::redis('ZSCORE', "${main::P}st:verified", 'S-3'), '',
               'not in st:verified');
Test::More::ok(main::redis('ZSCORE', "${main::P}q:verified", 'S-3') ne '',
               'in the verified list');
--- request
GET /metrics
--- error_code: 200
--- response_body_like eval
main::pa_reports(4, 3)



=== TEST 7: the IOC's first read: every report once, in the queue's order (the nearest deadline first: the four submitted, then the verified by their receive deadline)
--- more_headers eval
main::h('ioc', '2026-02-02T11:00:00+07:00')
--- request
GET /api/v1/queue?limit=20
--- error_code: 200
--- response_body_like: ^\{"items":\[\{"id":"S-1","status":"submitted",[^{]*\{[^{]*\}[^{]*\},\{"id":"S-2","status":"submitted",[^{]*\{[^{]*\}[^{]*\},\{"id":"S-4","status":"submitted",[^{]*\{[^{]*\}[^{]*\},\{"id":"S-7","status":"submitted",[^{]*\{[^{]*\}[^{]*\},\{"id":"S-5","status":"verified",[^{]*\{[^{]*\}[^{]*\},\{"id":"S-6","status":"verified",[^{]*\{[^{]*\}[^{]*\},\{"id":"S-3","status":"verified",[^{]*\{[^{]*\}[^{]*\}\],"total":7,"truncated":false\}$



=== TEST 8: ... it merged the old indexes into the lists and deleted them; the counts are unchanged
--- init
Test::More::is(main::redis('EXISTS', "${main::P}st:submitted",
                           "${main::P}st:verified"), 0, 'old indexes gone');
Test::More::is(main::redis('ZCARD', "${main::P}q:submitted"), 4,
               'four submitted in the list');
Test::More::is(main::redis('ZCARD', "${main::P}q:verified"), 3,
               'three verified in theirs');
Test::More::is(main::redis('HGET', "${main::P}q:built", 'q:submitted'), 1,
               'the list said built');
--- request
GET /metrics
--- error_code: 200
--- response_body_like eval
main::pa_reports(4, 3)



=== TEST 9: a node of the earlier version still writes st: during a rolling upgrade: still counted once
--- init
main::earlier('S-7 submitted 1');
--- more_headers eval
main::h('ioc')
--- request
GET /api/v1/stats?from=2026-02-02&to=2026-02-02
--- error_code: 200
--- response_body_like: "agency":"ioc",[^}]*"in_progress":7,



=== TEST 10: ... and merged again by the next read
--- more_headers eval
main::h('ioc', '2026-02-02T11:00:00+07:00')
--- request
GET /api/v1/queue?limit=2
--- error_code: 200
--- response_body_like: ^\{"items":\[\{"id":"S-1",[^{]*\{[^{]*\}[^{]*\},\{"id":"S-2",[^{]*\{[^{]*\}[^{]*\}\],"total":7,



=== TEST 11: ... the old index is gone again
--- init
Test::More::is(main::redis('EXISTS', "${main::P}st:submitted"), 0,
               'merged and deleted');
--- request
GET /metrics
--- error_code: 200
--- response_body_like eval
main::pa_reports(4, 3)
