# The index scores of a new report are made by the worker (issue 12,
# ngx_pa_qscore.c, ngx_pa_submit_score.c) and submit.lua passes them
# straight to ZADD.  They must be the very doubles submit.lua made before
# with lib/qscore.lua's qorder() and its within() (the fraction of a
# deadline's score now of the minute, no longer of the day:
# ngx_pa_qscore.h): the reference below is that code, run in the test
# Redis (Lua's own arithmetic), and compares each stored score with it as
# a double.  The order itself is not copied
# here: the reference is joined with lib/qscore.lua as the module joins
# it (build/pa-script), and scores the stored hash with its qscore() as
# act.lua and sweep.lua score a report again, so a change of the order
# in the library fails here until ngx_pa_qscore.c follows.  With
# X-PA-Now (pa_test_clock) now's milliseconds are 0, so a score's
# fraction is its report's place in its call of submit.lua alone.
#
# A batch (t/PaBatch.pm: Redis stopped, the first report in flight, the
# others one call behind it): reports of one second and one deadline,
# urgent and not, and a refused one in the middle (a duplicate of an
# open report, stored before the batch).  Each stored report has the
# scores submit.lua made at a place of its call (a place moves a score
# by a microsecond, of the minute with a deadline: below the spacing of
# doubles there, so places tie), nothing of the refused one is kept,
# and the IOC's queue lists urgent first, then by deadline, then by
# score and id.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use t::PaBatch;

use JSON::PP ();

our $P = 'pa:{t_wscore}:';

setting(http_config => <<'_EOC_', config => api() . <<'_EOC2_');
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT timeout=30s;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_wscore;
    pa_profile test-worker-scores;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_directory $TEST_NGINX_ROOT/conf-examples/directory/laichau.json;
    pa_sla verify 1d urgent=1h;
    pa_sweep_interval 0;
    pa_test_clock on;
_EOC_
    location = /ping { return 204; }
    location = /metrics {
        pa_metrics;
    }
_EOC2_

# Monday 2 March 2026, 09:00 in Lai Châu: inside office hours
our $At = '2026-03-02T09:00:00+07:00';

sub report {
    my ($id, $cat, $phone, $content) = @_;
    return ['POST', '/api/v1/reports',
            '{"content":"' . $content . '","category":"' . $cat . '",'
            . '"lat":22.396,"lng":103.458,"reporter_name":"Lò Văn C",'
            . '"reporter_phone":"' . $phone . '"}',
            'Content-Type: application/json', "X-PA-Now: $At",
            "X-PA-Test-Id: $id",
            'X-PA-Test-Token: token-of-the-reporter-' . lc $id];
}

# For each id: the place (0 ..) in a call of n reports whose scores
# submit.lua made before (lib/qscore.lua's qscore() of the stored hash,
# within) equal, as doubles, its work list's and its deadline's score now;
# -1: none does
our $Ref = <<'_LUA_';
--! uses: qscore
local prefix = string.match(KEYS[1], '^(.-}:)')
local function within(base, f)
    local _, e = math.frexp(base + 1)
    local grain = 2 ^ (e - 53)
    return base + math.floor(f / grain) * grain
end
local n, out = tonumber(ARGV[1]), {}
for i = 2, #ARGV do
    local id = ARGV[i]
    local flat = redis.call('HGETALL', prefix .. 'r:' .. id)
    local h = {}
    for k = 1, #flat, 2 do
        h[flat[k]] = flat[k + 1]
    end
    local q = tonumber(redis.call('ZSCORE', KEYS[1], id))
    local d = tonumber(redis.call('ZSCORE', KEYS[2], id .. '|verify'))
    local now, due = h.created_at + 0, h['dl:verify'] + 0
    local found = -1
    for pos = 0, n - 1 do
        local us = math.min(0 * 1000 + pos, 999999)
        local minute = (now % 60 + us / 1e6) / 60
        if q == within(qscore(h), minute) and d == within(due, minute) then
            found = pos
            break
        end
    end
    out[#out + 1] = found
end
return out
_LUA_

# the reference as Redis runs it: lib/qscore.lua joined into its line 1
our $RefText = do {
    my $f = "$t::PaTest::Data/ref-scores.lua";
    open my $fh, '>', $f or die "$f: $!";
    print $fh $Ref;
    close $fh;
    my $lib = "$t::PaTest::ROOT/redis-scripts/lib";
    my $text = `$t::PaTest::ROOT/build/pa-script --lib $lib $f`;
    die "pa-script failed on $f\n" if $? != 0;
    $text;
};

sub places {
    my ($n, @ids) = @_;
    return split /\n/, main::redis('EVAL', $RefText, 2, "${P}q:submitted",
                                    "${P}due", $n, @ids);
}

sub queue {
    my ($st, undef, $body) = main::http('GET', '/api/v1/queue?limit=50', '',
                                        "Authorization: Bearer $main::T{ioc}");
    Test::More::is($st, 200, 'the IOC reads its queue');
    return map { $_->{id} } @{ JSON::PP::decode_json($body)->{items} };
}

run_tests();

__DATA__

=== TEST 1: alone in its call: an urgent report and one not, each with the scores submit.lua made at place 0
--- init
main::fresh('t_wscore');
my @a = map { [main::http(@$_)] }
    main::report('S-1', 'traffic', '0915 000 001', 'Ổ gà trước trường'),
    main::report('S-2', 'fire', '0915 000 002', 'Cháy nhà kho');
Test::More::is($_->[0], 201, 'stored') for @a;
Test::More::is(main::redis('HGET', "${main::P}r:S-2", 'urgent'), '1',
               'S-2 is urgent');
Test::More::is(join(' ', main::places(1, 'S-1', 'S-2')), '0 0',
               'both scores of each: as submit.lua made them at place 0');
Test::More::is(join(' ', main::queue()), 'S-2 S-1', 'urgent first');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 2: a batch of one second and one deadline, urgent and not, a duplicate refused in the middle: the scores of a place of its call for each report, nothing of the refused one, the queue's order
--- init
main::fresh('t_wscore');
my ($sp) = main::http(@{ main::report('B-P', 'traffic', '0916 000 009',
                                      'Đèn hỏng số 9') });
Test::More::is($sp, 201, 'B-P stored before the batch');
my @r = (main::report('B-0', 'traffic', '0916 000 000', 'Đèn hỏng số 0'),
         main::report('B-1', 'traffic', '0916 000 001', 'Đèn hỏng số 1'),
         main::report('B-2', 'fire', '0916 000 002', 'Cháy rừng số 2'),
         # B-P again (its phone, its text): refused, B-P is open
         main::report('B-3', 'traffic', '0916 000 009', 'Đèn hỏng số 9'),
         main::report('B-4', 'traffic', '0916 000 004', 'Đèn hỏng số 4'),
         main::report('B-5', 'fire', '0916 000 005', 'Cháy rừng số 5'),
         main::report('B-6', 'traffic', '0916 000 006', 'Đèn hỏng số 6'));
my @a = main::batch(\@r, first => 1);
my @st = map { $_->[0] } @a;
Test::More::is("@st", '201 201 201 409 201 201 201',
               'the duplicate refused, the others stored');
Test::More::like($a[3][2], qr/"code":"duplicate".*B-P/,
                 'B-3: a duplicate of B-P');
Test::More::is(main::redis('EXISTS', "${main::P}r:B-3"), '0',
               'nothing of B-3 kept');
Test::More::is(main::redis('ZSCORE', "${main::P}q:submitted", 'B-3'), '',
               'B-3 not in the work list');
Test::More::is(main::redis('ZSCORE', "${main::P}due", 'B-3|verify'), '',
               'B-3 not among the deadlines');
my @ids = qw(B-0 B-1 B-2 B-4 B-5 B-6);
my @dl = map { main::redis('HGET', "${main::P}r:$_", 'dl:verify') } @ids;
my %due = map { ($ids[$_] => $dl[$_]) } 0 .. $#ids;
Test::More::is(join(' ', map { $due{$_} } qw(B-1 B-4 B-6)),
               join(' ', ($due{'B-0'}) x 3), 'the others share a deadline');
Test::More::is($due{'B-2'}, $due{'B-5'}, 'the urgent ones share theirs');
# B-0 was in flight alone: place 0 of its call; the six behind it: one
# call of six places
my @pl = main::places(6, @ids);
my %pl = map { ($ids[$_] => $pl[$_]) } 0 .. $#ids;
Test::More::is($pl{'B-0'}, 0, 'B-0: the scores of place 0');
my @later = map { $pl{$_} } qw(B-1 B-2 B-4 B-5 B-6);
Test::More::ok(!grep({ $_ < 0 } @later),
               "each of the call's stored reports: the scores of a place"
               . " (@later)");
Test::More::is((main::places(1, 'B-P'))[0], 0, 'B-P: alone, place 0');
$due{'B-P'} = main::redis('HGET', "${main::P}r:B-P", 'dl:verify');
my %q = map { ($_ => main::redis('ZSCORE', "${main::P}q:submitted", $_)) }
    @ids, 'B-P';
# the queue: urgent first, then by deadline, then by score, then id
my @want = sort {
    ($b =~ /^B-[25]$/) <=> ($a =~ /^B-[25]$/) || $due{$a} <=> $due{$b}
        || $q{$a} <=> $q{$b} || $a cmp $b
} @ids, 'B-P';
Test::More::is(join(' ', main::queue()), "@want",
               'the queue: urgent first, then by deadline, then by place');
--- request
GET /api/v1/health
--- error_code: 200
