# Redis at its maxmemory (noeviction, as a province's Redis should run:
# an evicted report or deadline would be lost without a word).  Redis
# then refuses a script's first write if it may grow memory (OOM), and
# lets a script that has written once finish (it cannot stop one half
# way).  What the citizen and the IOC see:
# - a submission (JSON, or with a photo) is answered 503 unavailable with
#   Retry-After, a JSON error (api.md: "storage down; nothing of the
#   request is kept"), and nothing of it is stored;
# - an IOC action and a token revocation are either done whole (2xx) or
#   refused with 503 and nothing written: never 503 and kept;
# - reads go on (the reporter's status, the IOC's queue and report); a
#   read of the reporter's personal data is shown with its audit entry
#   written, or refused 503: never shown unaudited, never a 500;
# - once Redis has room again, each retry is done once;
# - the worker logs the refusal, and none dies;
# - a Redis that would evict keys instead (a maxmemory-policy other than
#   noeviction) is named at [crit] when the worker connects.
# Lai Châu's profile as shipped; this file's Redis, on a port of its own.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use t::PaIdem;
use t::PaWorker;
use t::PaAofRedis;
use JSON::PP;

our $P = 'pa:{laichau}:';

our $Http = idem_http("    pa_record_compat off;\n");

# TEST 2's Redis evicts: the worker says so at [crit]
idem_blocks(sub { $Http }, undef, crit_ok => qr/^TEST 2:/);

run_tests();

sub decode { JSON::PP->new->decode($_[0]) }

# a write's answer and whether it was written agree: 503 unavailable with
# Retry-After and a JSON error, nothing written; or 2xx, written
sub consistent {
    my ($what, $ans, $written) = @_;
    if ($ans->{status} == 503) {
        Test::More::is($ans->{code}, 'unavailable', "$what: 503 unavailable");
        Test::More::ok(defined $ans->{retry}, "$what: ... with Retry-After");
        Test::More::ok(!$written, "$what: ... and nothing written");
    } else {
        Test::More::like($ans->{status}, qr/^2\d\d$/,
                         "$what: done ($ans->{status}), not an error");
        Test::More::ok($written, "$what: ... and written whole");
    }
}

__DATA__

=== TEST 1: Redis full (maxmemory reached, noeviction): a JSON submission, a submission with a photo, an action and a revocation are each answered 503 unavailable with Retry-After, and nothing is written; reads go on; with room again each retry is done once; the same workers
--- init
main::fresh('laichau');
main::redis('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
my $workers = join ' ', sort { $a <=> $b } main::nginx_workers();
my ($s, $bd) = main::call('POST', '/api/v1/reports',
                          main::hd('Idempotency-Key' => 'oom-base-0001'),
                          main::json_report('Đèn tín hiệu giao lộ tắt'));
Test::More::is($s, 201, 'a report to act on and to read: 201');
my $base = main::decode($bd);

my %req = main::four_writes('oom', $base->{id});

my $ioc = {Authorization => "Bearer $t::PaTest::T{ioc}"};
my $tok = {'X-Report-Token' => $base->{access_token}};
# a running province has read its queue before (its first read builds it)
my ($sq0) = main::call('GET', '/api/v1/queue', $ioc);
Test::More::is($sq0, 200, 'the IOC\'s queue, before: 200');

my $before = main::keyspace();
main::redis('CONFIG', 'SET', 'maxmemory', '1');
main::refused(\%req, [qw(json photo)]);
Test::More::is(main::keyspace(), $before, 'nothing of the two submissions written');

my $act = main::answer(main::send_http(@{$req{action}}));
main::consistent('the action', $act,
    main::redis('HGET', "${main::P}r:$base->{id}", 'status') eq 'rejected');
my $rev = main::answer(main::send_http(@{$req{revoke}}));
main::consistent('the revocation', $rev,
    main::redis('ZSCORE', "${main::P}revoked", 'jti:oom-jti-0001') ne '');

# reads go on while Redis is full
my ($sr, $br) = main::call('GET', "/api/v1/reports/$base->{id}", $tok);
Test::More::is($sr, 200, 'the reporter reads the report: 200');
my ($sq, $bq) = main::call('GET', '/api/v1/queue', $ioc);
Test::More::is($sq, 200, 'the IOC reads its queue: 200');
my ($sp) = main::call('GET', "/api/v1/reports/$base->{id}", $ioc);
Test::More::is($sp, 200, 'the IOC reads the report: 200');
# personal data are shown only with their read in the audit trail
my $audit = sub { main::redis('XLEN', "${main::P}audit") };
my $a0 = $audit->();
my $pii = main::answer(main::send_http('GET',
    "/api/v1/reports/$base->{id}/reporter", $ioc, ''));
main::consistent('the IOC\'s read of the reporter', $pii, $audit->() > $a0);

main::redis('CONFIG', 'SET', 'maxmemory', '0');
main::stored_once(\%req);
my ($sa, $ba) = main::call(@{$req{action}});
Test::More::like($sa, qr/^(?:200|409)$/, 'the action again: done, or done before');
Test::More::is(main::redis('HGET', "${main::P}r:$base->{id}", 'status'),
               'rejected', '... rejected, once');
Test::More::is(main::redis('LLEN', "${main::P}h:$base->{id}"), 1,
               '... one history entry (the rejection)');
my ($sv) = main::call(@{$req{revoke}});
Test::More::is($sv, 200, 'the revocation again: 200');
Test::More::ok(main::redis('ZSCORE', "${main::P}revoked", 'jti:oom-jti-0001') ne '',
               '... revoked');
Test::More::is(join(' ', sort { $a <=> $b } main::nginx_workers()),
               $workers, 'the same workers: none died');
--- error_log
OOM
--- no_error_log
[alert]



=== TEST 2: a Redis that evicts keys when full (maxmemory and allkeys-lru): the worker says so at [crit] when it connects, naming the policy, once for the host and policy (not at every reconnect), again for another policy; with noeviction, nothing
--- init
my $said = sub { scalar(() = main::errlog() =~ /evicts keys when full/g) };
my $conns = sub { scalar(() = main::errlog() =~ /pa redis: connected to/g) };
# a new connection, its setup's replies (INFO among them) read: the
# health check's PING goes after them on it
my $reconnect = sub {
    my $c = $conns->();
    main::redis('CLIENT', 'KILL', 'TYPE', 'normal');
    main::until('the worker connected again', sub { $conns->() > $c });
    main::until('the node answers', sub {
        (main::call('GET', '/api/v1/health'))[0] == 200 });
};
my $n0 = $said->();
main::redis('CONFIG', 'SET', 'maxmemory', '104857600');
main::redis('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
$reconnect->();
Test::More::is($said->(), $n0 + 1, 'allkeys-lru: said at the connection');
$reconnect->();
Test::More::is($said->(), $n0 + 1, '... not again at a reconnect');
main::redis('CONFIG', 'SET', 'maxmemory-policy', 'volatile-lru');
$reconnect->();
Test::More::is($said->(), $n0 + 2, 'volatile-lru: said, another policy');
Test::More::like(main::errlog(), qr/\(maxmemory-policy volatile-lru\)/,
                 '... naming it');
main::redis('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
$reconnect->();
Test::More::is($said->(), $n0 + 2, 'noeviction: nothing said');
main::redis('CONFIG', 'SET', 'maxmemory', '0');
--- error_log eval
qr/\[crit\] .*pa redis: "127\.0\.0\.1:\d+" evicts keys when full \(maxmemory-policy allkeys-lru\): reports, deadlines and idempotency keys may vanish/
