# Redis's own disk full: its append-only file cannot be written.  Redis
# (appendfsync everysec, as shipped) answers the write that met the full
# disk, keeps it in memory and its AOF buffer, and from then on refuses
# every write of a script (MISCONF) until a write of the buffer succeeds
# again.  What the citizen and the IOC see:
# - while it refuses: a submission (JSON, or with a photo), an IOC action
#   and a token revocation are each answered 503 unavailable with
#   Retry-After, a JSON error, and nothing of them is written; the
#   reporter still reads the report;
# - room again: each retry is done once;
# - Redis killed (-9) and started again from its AOF: every write that
#   was answered 2xx is there, the one that met the full disk included;
#   nothing lost, nothing refused kept; no worker dies.
# The AOF's directory is a small tmpfs of its own, filled here: needs
# root (mount); skipped where a tmpfs cannot be mounted.
use Test::Nginx::Socket;
use lib '.';
use t::PaTest;

our $AofDir;
BEGIN {
    # (before this file's Redis starts in it, and before the plan)
    $AofDir = "$t::PaTest::Data/redis-aof";
    system("umount -l $AofDir 2>/dev/null; mkdir -p $AofDir");
    if (system("mount -t tmpfs -o size=8m,mode=0755 tmpfs $AofDir 2>/dev/null")
        != 0)
    {
        Test::More::plan(skip_all => 'a tmpfs cannot be mounted here (needs root)');
    }
}

use t::PaIdem;
use t::PaWorker;
use t::PaAofRedis;
use JSON::PP;
use Time::HiRes ();

# (runs before t::PaTest's END stops Redis: a lazy unmount waits for it)
END { system("umount -l $AofDir 2>/dev/null") if $AofDir }

our $P = 'pa:{laichau}:';

our $Http = idem_http("    pa_record_compat off;\n");

idem_blocks(sub { $Http });

plan('no_plan');
run_tests();

sub decode { JSON::PP->new->decode($_[0]) }

sub aof_status {
    my ($s) = main::redis('INFO', 'persistence')
              =~ /^aof_last_write_status:(\w+)/m;
    return $s // '';
}

# the tmpfs filled to its last byte
sub fill {
    system("dd if=/dev/zero of=$main::AofDir/filler bs=64k 2>/dev/null");
    system("dd if=/dev/zero of=$main::AofDir/filler2 bs=512 2>/dev/null");
}

sub snapshot {
    my @keys = sort split /\n/, main::redis('KEYS', "${main::P}*");
    return join "\n", map {
        my $t = main::redis('TYPE', $_);
        my $n = $t eq 'hash'   ? main::redis('HLEN', $_)
              : $t eq 'zset'   ? main::redis('ZCARD', $_)
              : $t eq 'list'   ? main::redis('LLEN', $_)
              : $t eq 'stream' ? main::redis('XLEN', $_)
              : main::redis('STRLEN', $_);
        "$_ $t $n";
    } grep { !/:(?:metrics|rl|abuse):/ } @keys;
}

__DATA__

=== TEST 1: Redis's AOF disk full: the write that met it is answered and kept; then every write is 503 unavailable and keeps nothing, reads go on; room again: each retry done once; kill -9 and a restart from the AOF lose nothing answered
--- init
main::fresh('laichau');
main::healthy();
my $workers = join ' ', sort { $a <=> $b } main::nginx_workers();
my ($s0, $b0) = main::call('POST', '/api/v1/reports',
                           main::hd('Idempotency-Key' => 'aof-base-0001'),
                           main::json_report('Đèn tín hiệu giao lộ tắt'));
Test::More::is($s0, 201, 'a report to act on and to read: 201');
my $base = main::decode($b0);
main::aof_written();

main::fill();
# the writes that meet the full disk (the AOF's last page may still hold
# a few): Redis answers them (everysec) and keeps them for the AOF
my @kept;
for my $i (1 .. 40) {
    last if main::aof_status() eq 'err';
    my ($s1, $b1) = main::call('POST', '/api/v1/reports',
        main::hd('Idempotency-Key' => "aof-first-$i"),
        main::json_report("Cột điện nghiêng sát nhà dân số $i"));
    if ($s1 == 201) {
        push @kept, main::decode($b1);
    } else {
        Test::More::is($s1, 503, "a write as the disk fills: 201 or 503");
    }
    Time::HiRes::sleep(0.05);
}
main::until('Redis says its AOF write failed',
            sub { main::aof_status() eq 'err' });
Test::More::ok(@kept > 0, scalar(@kept) . ' writes answered 201 as the disk filled');

my $B = $t::PaTest::Boundary;
my %req = (
    json => ['POST', '/api/v1/reports',
             main::hd('Idempotency-Key' => 'aof-json-0001'),
             main::json_report('Ống nước vỡ trước chợ Tam Đường')],
    photo => ['POST', '/api/v1/reports',
              {'Content-Type' => "multipart/form-data; boundary=$B",
               'X-PA-Now' => '2026-01-22T10:00:00+07:00',
               'Idempotency-Key' => 'aof-photo-0001'},
              main::multipart(['content', 'Hố ga mất nắp ở tổ 5'],
                  ['lat', '22.396'], ['lng', '103.458'],
                  ['category', 'traffic'], ['reporter_name', 'Lò Thị Hoa'],
                  ['reporter_phone', '0912822222'],
                  ['media', 'fresh-mm.jpg', 'image/jpeg'])],
    action => ['POST', "/api/v1/reports/$base->{id}/actions",
               main::hd('Authorization' => "Bearer $t::PaTest::T{ioc}",
                        'Idempotency-Key' => 'aof-act-0001'),
               '{"action":"reject","reason":"duplicate","message":"Trùng"}'],
    revoke => ['POST', '/api/v1/admin/tokens/revoke',
               main::hd('Authorization' => "Bearer $t::PaTest::T{admin}"),
               '{"jti":"aof-jti-0001"}'],
);

my $before = main::snapshot();
for my $k (qw(json photo action revoke)) {
    my $ans = main::answer(main::send_http(@{$req{$k}}));
    Test::More::is("$ans->{status} $ans->{code}", '503 unavailable',
                   "$k: 503 unavailable");
    Test::More::ok(defined $ans->{retry}, "$k: ... with Retry-After");
    Test::More::like($ans->{body}, qr/^\{"error":\{.*\}\s*\z/s,
                     "$k: ... a JSON error");
}
Test::More::is(main::snapshot(), $before, 'nothing of the four written');
my ($sr) = main::call('GET', "/api/v1/reports/$base->{id}",
                      {'X-Report-Token' => $base->{access_token}});
Test::More::is($sr, 200, 'the reporter reads the report meanwhile: 200');

unlink "$main::AofDir/filler", "$main::AofDir/filler2";
main::until('Redis writes its AOF again', sub { main::aof_status() eq 'ok' });

my $n = main::reports();
my %id;
for my $k (qw(json photo)) {
    my ($r1, $c1) = main::call(@{$req{$k}});
    my ($r2, $c2) = main::call(@{$req{$k}});
    Test::More::is("$r1 $r2", '201 201', "$k: the retry stored, then replayed");
    Test::More::is($c2, $c1, "$k: ... the same answer");
    $id{$k} = main::decode($c1)->{id};
}
Test::More::is(main::reports(), $n + 2, 'exactly two reports more');
my ($sa, $ba) = main::call(@{$req{action}});
Test::More::is($sa, 200, 'the action\'s retry: 200');
my ($sv) = main::call(@{$req{revoke}});
Test::More::is($sv, 200, 'the revocation\'s retry: 200');

# every answered write is in the AOF: a kill loses none of them
main::aof_written();
main::redis_kill9();
main::redis_start();
for my $r ($base, @kept,
           map { {id => $_} } $id{json}, $id{photo}) {
    Test::More::is(main::redis('EXISTS', "${main::P}r:$r->{id}"), 1,
                   "after kill -9: $r->{id} is there");
}
Test::More::is(main::redis('HGET', "${main::P}r:$base->{id}", 'status'),
               'rejected', '... the action too');
Test::More::ok(main::redis('ZSCORE', "${main::P}revoked", 'jti:aof-jti-0001') ne '',
               '... and the revocation');
Test::More::is(join(' ', sort { $a <=> $b } main::nginx_workers()),
               $workers, 'the same workers: none died');
--- no_error_log
[alert]
