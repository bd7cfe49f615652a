# Duplicate hints as shipped: Lai Châu's profile (laichau-2026.conf) with
# the hint settings of production.conf, read from the file itself, and the
# ids the module makes ("YYMMDD-...", the local day), not test ids.  The
# reports go as one group commit (Redis stopped while they are sent,
# t/PaBatch.pm), so their positions join the day keys in one call of
# submit.lua: the score the worker made for each (ngx_pa_geohash.c) must
# be the one Redis's GEOADD makes of the same position, and the IOC's read
# must find them across midnight.  The reporter never sees them.
#
#   A traffic      22.396,  103.458     2026-03-02 09:00
#   B traffic      30 m north of A      10:00
#   C traffic      500 m east of A      11:00 (outside 100 m)
#   D environment  where A is           11:30 (another category)
#   E traffic      11 m north of A      2026-03-06 09:00 (96 h: outside 72 h)
#   F traffic      20 m north of A      2026-03-01 23:30 (the day before)
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;
use t::PaBatch;

our $P = 'pa:{t_hs}:';

# production.conf's own lines: a change there is what this suite tests
our $Hints = do {
    my $c = t::PaTest::slurp("$t::PaLife::ROOT/conf-examples/production.conf");
    my @l = $c =~ /^\s*(pa_duplicate_(?:radius|window)\s+[^;]+;)/mg;
    die "production.conf sets no duplicate hints" unless @l == 2;
    join '', map { "    $_\n" } @l;
};

setting(http_config => shipped_http('laichau-2026', 't_hs') . $Hints
                       . "    pa_sweep_interval 0;\n",
        config => api() . <<'_EOC_');
    location = /ping { return 204; }
    location = /metrics { pa_metrics; }
_EOC_

our @R = (
    ['A', '2026-03-02T09:00:00+07:00', 'traffic',     '22.396',   '103.458'],
    ['B', '2026-03-02T10:00:00+07:00', 'traffic',     '22.39627', '103.458'],
    ['C', '2026-03-02T11:00:00+07:00', 'traffic',     '22.396',   '103.46286'],
    ['D', '2026-03-02T11:30:00+07:00', 'environment', '22.396',   '103.458'],
    ['E', '2026-03-06T09:00:00+07:00', 'traffic',     '22.3961',  '103.458'],
    ['F', '2026-03-01T23:30:00+07:00', 'traffic',     '22.39618', '103.458'],
);

# name -> [id, access token, created_at (epoch)]
our %Id;

sub ioc_read {
    my ($name) = @_;
    my ($st, undef, $body) = main::http('GET', "/api/v1/reports/$Id{$name}[0]",
                                        undef, "Authorization: Bearer $T{ioc}");
    Test::More::is($st, 200, "the IOC reads $name");
    return $body;
}

# the hints of a view: "id@metres" in their order, ids named back
sub hints {
    my ($body) = @_;
    my ($list) = $body =~ /"duplicate_hints":\[(.*?)\]/ or return undef;
    my %name = map { $Id{$_}[0] => $_ } keys %Id;
    my @c = $list =~ /\{"id":"([^"]+)","distance_m":(\d+)/g;
    return join ',', map { ($name{$c[2 * $_]} // $c[2 * $_]) . "\@"
                           . $c[2 * $_ + 1] } 0 .. @c / 2 - 1;
}

run_tests();

__DATA__

=== TEST 1: six reports in one call: stored, each in its local day's key with GEOADD's score
--- init
my @a = main::batch([map {
    my ($n, $at, $cat, $lat, $lng) = @$_;
    ['POST', '/api/v1/reports',
     '{"content":"Cây đổ chắn đường, báo lần ' . $n . '","category":"' . $cat
     . '","lat":' . $lat . ',"lng":' . $lng . ',"reporter_name":"Lò Thị '
     . $n . '","reporter_phone":"09123450' . (10 + ord($n) - 65) . '"}',
     'Content-Type: application/json', "X-PA-Now: $at"]
} @main::R], first => 1);
Test::More::is(join(',', map { $_->[0] } @a), '201,201,201,201,201,201',
               'all six stored');
for my $i (0 .. $#main::R) {
    my ($n, $at, undef, $lat, $lng) = @{ $main::R[$i] };
    my $b = $a[$i][2];
    my ($tok) = $b =~ /"access_token":"([^"]+)"/;
    my $id = main::id_of($b);
    my ($y, $m, $d) = $at =~ /^\d\d(\d\d)-(\d\d)-(\d\d)/;
    Test::More::like($id, qr/^$y$m$d-\w{8}$/, "$n: its id names its local day");
    my $created = t::PaTest::redis('HGET', "${main::P}r:$id", 'created_at');
    $main::Id{$n} = [$id, $tok, $created];
    # the member and score submit.lua added, against GEOADD's of the
    # same text
    t::PaTest::redis('GEOADD', "${main::P}geo-check", $lng, $lat, $n);
    my $want = t::PaTest::redis('ZSCORE', "${main::P}geo-check", $n);
    my $key = "${main::P}near:20$y$m$d";
    # (its member "<created_at><ms>|<id>", ms "00" on the test clock)
    Test::More::is(t::PaTest::redis('ZSCORE', $key, "${created}00|$id"),
                   $want,
                   "$n: in $key with GEOADD's score");
}
Test::More::is(t::PaTest::redis('ZCARD', "${main::P}near:20260302"), 4,
               'A, B, C and D in 2 March');
t::PaTest::redis('DEL', "${main::P}geo-check");
--- request
GET /ping
--- error_code: 204



=== TEST 2: the IOC sees F (20 m, the evening before) then B (30 m) on A; B sees A and F
--- init
Test::More::is(main::hints(main::ioc_read('A')), 'F@20,B@30', 'A: nearest first');
Test::More::is(main::hints(main::ioc_read('B')), 'F@10,A@30', 'B');
Test::More::is(main::hints(main::ioc_read('F')), 'B@10,A@20', 'F: the next day');
--- request
GET /ping
--- error_code: 204
--- no_error_log
[error]



=== TEST 3: 500 m away, another category, 96 h later: none
--- init
Test::More::is(main::hints(main::ioc_read($_)), '', "$_: no hints")
    for qw(C D E);
--- request
GET /ping
--- error_code: 204



=== TEST 4: the reporter's own view never has them
--- init
my ($st, undef, $body) = main::http('GET', "/api/v1/reports/$main::Id{A}[0]",
                                    undef, "X-Report-Token: $main::Id{A}[1]");
Test::More::is($st, 200, "the reporter reads A");
Test::More::like($body, qr/^\{"id":"\Q$main::Id{A}[0]\E"/, 'its report');
Test::More::unlike($body, qr/duplicate_hints|\Q$main::Id{B}[0]\E/,
                   'no hints, no other report');
--- request
GET /ping
--- error_code: 204
