# submit.lua's numbers taken by coercion (s + 0, branch lean) and a
# malformed one (adversary): a batch whose second report carries a day
# key's time to live that is no number.  That report gets an error and
# nothing of it stays -- not its record, and not its entries of the
# indexes the batch writes once for the reports stored (the work list,
# the deadlines, the hints' day key): a report refused must not be kept
# where the IOC's queue and the sweeper would find it.  The first report
# of the batch is stored whole.  The call goes to Redis as the worker
# sends it (build/pa-script: the text the module loads).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use Digest::SHA qw(sha256_hex);

setting(http_config => submit_http('t_adv_argv'));

our $P = 'pa:{t_adv_argv}:';
our $Ph = 'ab12' . ('0' x 60);
our $Now = 1772416800;                      # 2026-03-02 09:00 +07:00
our $Day = "${P}near:20260302";

sub sha {
    my $text = `$t::PaTest::ROOT/build/pa-script $t::PaTest::ROOT/redis-scripts/submit.lua`;
    die "pa-script failed\n" if $? != 0;
    open my $p, '|-', 'redis-cli', '-p', $ENV{TEST_NGINX_REDIS_PORT}, '-x',
        'SCRIPT', 'LOAD' or die "redis-cli: $!";
    print $p $text;
    close $p;
    return Digest::SHA::sha1_hex($text);
}

# one report's keys and arguments, as ngx_pa_submit.c groups them
sub group {
    my ($id, $ttl) = @_;
    # (+3: the report's candidate of the day before; no idem: key, as
    # pa_record_compat off sends it)
    my @k = ("${P}r:$id", "${P}q:submitted", "${P}dup:ab12",
             "${P}r:Y$id", $Day);
    my $print = substr($Ph, 0, 32) . ':c:' . substr(sha256_hex($id), 0, 32);
    my $ik = substr(sha256_hex("ik $id"), 0, 16);
    # (the record as the worker makes it, its hash's DUMP payload:
    # ngx_pa_submit_record.h; then the scores as the worker makes them:
    # the deadline's, the work list's)
    my $rec = main::record_dump(phone_hash => $Ph, lat => '22.396',
        lng => '103.458', created_at => $Now, status => 'submitted',
        token_hash => 'c0ffee' x 4, ik => $ik,
        doc => '{"content":"x"}');
    # (+6, +7: the hints' score, GEOADD's geohash of 103.458 22.396 as
    # the worker makes it, and member)
    my @a = ($id, $Now, '0', $Ph, '4020074108073491', "$Now|$id", $ik, '',
             '', 1, $print, 1, "$id|verify", $Now + 86400 + 0.375, 0,
             $rec, 2e10 + $Now + 86400 + 0.375, $ttl);
    return (\@k, [scalar(@k), scalar(@a), @a]);
}

sub batch {
    my @g = map { [group(@$_)] } @_;
    my @keys = ("${P}events", "${P}locked", "${P}due", "${P}sweep:qdue",
                map { @{ $_->[0] } } @g);
    my @argv = (scalar(@g), map { @{ $_->[1] } } @g);
    # (binary-safe: the records hold NULs)
    my $res = main::redis_raw('EVALSHA', main::sha(), scalar(@keys), @keys,
                              @argv);
    return ref $res ? join("\n", @$res) : $res;
}

sub kept {
    my $id = shift;
    return join ' ', map { $_ eq '' ? '-' : 'y' }
        main::redis('HGET', "${P}r:$id", 'status'),
        main::redis('ZSCORE', "${P}q:submitted", $id),
        main::redis('ZSCORE', "${P}due", "$id|verify"),
        main::redis('ZSCORE', $Day, "$Now|$id"),   # (its hint: submit.lua)
        main::redis('HGET', "${P}r:$id", 'ik'),
        main::redis('HGET', "${P}dup:ab12",
                    substr($Ph, 0, 32) . ':c:' . substr(sha256_hex($id), 0, 32));
}

run_tests();

__DATA__

=== TEST 1: a batch of two, the second's time to live no number: it alone is refused, and nothing of it kept
--- init
main::fresh('t_adv_argv');
my $res = main::batch(['A-1', '3000000'], ['A-2', '30x']);
Test::More::like($res, qr/\A1\n.*no whole number of seconds/s,
                 'the first stored, the second an error');
Test::More::is(main::kept('A-1'), 'y y y y y y', 'A-1 stored whole');
Test::More::is(main::kept('A-2'), '- - - - - -',
               'nothing of A-2: record, work list, deadline, hint, retry proof, print');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 2: a batch whose every report is refused so writes nothing
--- init
main::fresh('t_adv_argv');
# ("" would be no time to live: a report that does not join the hints)
my $res = main::batch(['B-1', 'ttl'], ['B-2', '-']);
Test::More::like($res,
                 qr/no whole number of seconds.*no whole number of seconds/s,
                 'both refused');
Test::More::is(main::kept('B-1') . ' ' . main::kept('B-2'),
               join(' ', ('-') x 12), 'nothing of either kept');
Test::More::is(main::redis('EXISTS', "${main::P}q:submitted", "${main::P}due",
                           $main::Day), '0', 'no index key made at all');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 3: the hints' day key gets its expiry from the day's first call; a later call's time to live leaves it (EXPIRE NX: one instant for the whole day)
--- init
main::fresh('t_adv_argv');
Test::More::is(main::batch(['C-1', '3000000']), '1', 'the first call');
Test::More::is(main::batch(['C-2', '5000000'], ['C-3', '4000000']), "1\n1",
               'a later call of two');
my $ttl = main::redis('TTL', $main::Day);
Test::More::ok($ttl <= 3000000 && $ttl > 3000000 - 60,
               "the first call's time to live ($ttl)");
Test::More::is(main::kept('C-2'), 'y y y y y y', 'C-2 stored whole');
main::redis('PERSIST', $main::Day);
main::batch(['C-4', '2000000']);
$ttl = main::redis('TTL', $main::Day);
Test::More::ok($ttl <= 2000000 && $ttl > 2000000 - 60,
               "a key without one gets it again ($ttl)");
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 4: a time to live Lua takes for a number but EXPIRE does not ("1e6", "0x10", "010", " 5") is refused before anything of its report is written; the others of the batch are stored
--- init
main::fresh('t_adv_argv');
my $res = main::batch(['D-1', '3000000'], ['D-2', '1e6'], ['D-3', '0x10'],
                      ['D-4', '010'], ['D-5', ' 5']);
Test::More::like($res,
    qr/\A1\n(?:[^\n]*no whole number of seconds[^\n]*\n){3}[^\n]*no whole number of seconds[^\n]*\z/,
    'the first stored, the four others refused');
Test::More::is(main::kept('D-1'), 'y y y y y y', 'D-1 stored whole');
Test::More::is(join(' ', map { main::kept($_) } qw(D-2 D-3 D-4 D-5)),
               join(' ', ('-') x 24), 'nothing of the four kept');
my $ttl = main::redis('TTL', $main::Day);
Test::More::ok($ttl <= 3000000 && $ttl > 3000000 - 60,
               "the day key's expiry is D-1's ($ttl)");
--- request
GET /api/v1/health
--- error_code: 200
