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

my %req = main::four_writes('aof', $base->{id});

my $before = main::keyspace();
main::refused(\%req, [qw(json photo action revoke)]);
Test::More::is(main::keyspace(), $before, 'nothing of the four written');
my ($sr) = main::call('GET', "/api/v1/reports/$base->{id}",
                      {'X-Report-Token' => $base->{access_token}});
Test::More::is($sr, 200, 'the reporter reads the report meanwhile: 200');

unlink "$main::AofDir/filler", "$main::AofDir/filler2";
main::until('Redis writes its AOF again', sub { main::aof_status() eq 'ok' });

my %id = main::stored_once(\%req);
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
