# pa_notify to a target named by a host name, with a resolver in http{}:
# the name is looked up at delivery time by nginx's resolver, against a
# DNS server of the test's own (tests/receiver/pa-dns.pl).  The answer is
# kept for its TTL (two deliveries, one query); after the TTL a new
# address is followed (the kept connection to the old one is not
# reused); a lookup that fails (SERVFAIL) or times out (no answer) is a
# failed attempt, logged and retried with backoff, and the event arrives
# once the name resolves again.  An IP literal never asks the DNS.  An
# https target named by a host name gets TLS with that name (SNI, and the
# certificate checked against it), the address from the resolver.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest qw(:DEFAULT h);
use POSIX ();
use Time::HiRes ();

$Test::Nginx::Util::ForceRestartOnTest = 0;

our $D = $t::PaTest::Data;
our ($Port, $Tls) = map { t::PaTest::free_port() } 1 .. 2;
our $Key = "$D/hook.key";
our ($LogA, $LogB) = ("$D/a.jsonl", "$D/b.jsonl");
our ($Zone, $Queries) = ("$D/zone.txt", "$D/queries.log");
our (@Pids, $Dns);

open my $k, '>', $Key or die;
print $k "resolver-hook-secret-0123456789abcdef\n";
close $k;

# a free UDP port for the DNS server
{
    my $s = IO::Socket::INET->new(Proto => 'udp', LocalAddr => '127.0.0.1',
                                  LocalPort => 0) or die "no udp port: $!";
    $Dns = $s->sockport;
    close $s;
}

sub main::zone {
    open my $z, '>', "$Zone.new" or die;
    print $z "gw.pa.test @_\ntls.pa.test 127.0.0.1 60\n";
    close $z;
    rename "$Zone.new", $Zone or die;
}

sub main::spawn {
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        { exec $^X, @_; }
        POSIX::_exit(127);
    }
    push @Pids, $pid;
}

END {
    for my $pid (@Pids) {
        kill 'TERM', $pid;
        waitpid $pid, 0;
    }
}

# a certificate for tls.pa.test only, trusted
open my $stderr, '>&', \*STDERR or die;
open STDERR, '>', '/dev/null' or die;
system('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
       '-keyout', "$D/tls.key", '-out', "$D/tls.crt", '-days', '2',
       '-subj', '/CN=tls.pa.test', '-addext', 'subjectAltName=DNS:tls.pa.test',
       '-addext', 'basicConstraints=critical,CA:TRUE') == 0
    or die "openssl failed";
open STDERR, '>&', $stderr or die;

main::zone('127.0.0.1 5');
main::spawn("$t::PaTest::ROOT/tests/receiver/pa-dns.pl", '--port', $Dns,
            '--zone', $Zone, '--log', $Queries);

# receiver A on 127.0.0.1, B on 127.0.0.2, the same port: where the name
# points decides which one gets the event
for my $r (['127.0.0.1', $LogA], ['127.0.0.2', $LogB]) {
    main::spawn("$t::PaTest::ROOT/tests/receiver/pa-receiver.pl", '--addr',
                $r->[0], '--port', $Port, '--secret-file', $Key, '--log',
                $r->[1]);
    my $up;
    for (1 .. 200) {
        $up = IO::Socket::INET->new(PeerAddr => $r->[0], PeerPort => $Port)
            and last;
        Time::HiRes::sleep(0.025);
    }
    die "the receiver did not start on $r->[0]:$Port\n" unless $up;
}

# what a receiver got: one hash per delivery, body decoded
sub main::got {
    my ($log, $path) = @_;
    open my $f, '<', $log or return wantarray ? () : 0;
    my @d = grep { $_->{path} eq $path }
           map { my $d = JSON::PP->new->decode($_);
                 $d->{json} = JSON::PP->new->decode($d->{body}); $d } <$f>;
    return wantarray ? @d : scalar @d;
}

sub main::n { my $n = main::got(@_); return $n; }

# the DNS server's log: [ms, name] of each A query
sub main::queries {
    open my $f, '<', $Queries or return ();
    return map { [split] } grep { / gw\.pa\.test 1$/ } <$f>;
}

sub main::wait_for {
    my ($what, $cond) = @_;
    for (1 .. 600) {
        return 1 if $cond->();
        Time::HiRes::sleep(0.1);
    }
    Test::More::fail("waited 60 s for $what");
    return 0;
}

# until the TTL of the last answer (5 s) is over: nginx keeps an answer
# to the end of its last whole second
sub main::ttl_over {
    my @q = main::queries();
    my $until = $q[-1][0] / 1000 + 6.5;
    my $left = $until - Time::HiRes::time();
    Time::HiRes::sleep($left) if $left > 0;
}

sub main::error_log {
    open my $f, '<', $Test::Nginx::Util::ErrLogFile or return '';
    local $/;
    return <$f>;
}

sub main::record {
    my $id = shift;
    # -1: a field whose value is empty ends the output; keep it
    my %h = split /\n/, main::redis('HGETALL', "pa:{t_res}:notify:d:$id"),
        -1;
    return \%h;
}

sub main::report {
    my ($n) = @_;
    return "POST /api/v1/reports\n"
        . qq({"content":"Ống nước vỡ số $n","lat":22.39,"lng":103.4$n,)
        . qq("reporter_name":"Lò Văn E","reporter_phone":"091234590$n"});
}

tokens(admin => ['admin']);

setting(http_config => <<"_EOC_");
    pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts \$TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir \$TEST_NGINX_PA_DATA/media;
    pa_tenant t_res;
    pa_auth_secret_file \$TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file \$TEST_NGINX_ROOT/t/keys/pii.key;
    resolver 127.0.0.1:$Dns ipv6=off;
    resolver_timeout 1s;
    pa_notify gw http://gw.pa.test:$Port/gw secret_file=$Key
              events=submitted timeout=2s retry_for=1h;
    pa_notify lit http://127.0.0.1:$Port/lit secret_file=$Key
              events=submitted timeout=2s;
    pa_notify tls https://tls.pa.test:$Tls/tls secret_file=$Key
              events=submitted timeout=2s;
    pa_notify_trusted_certificate $D/tls.crt;
    pa_notify_claim_idle 10s;

    server {
        listen 127.0.0.1:$Tls ssl;
        ssl_certificate $D/tls.crt;
        ssl_certificate_key $D/tls.key;
        location / { proxy_pass http://127.0.0.1:$Port; }
    }
_EOC_

main::fresh('t_res');

run_tests();

__DATA__

=== TEST 1: two reports are submitted while the name points at 127.0.0.1
--- more_headers eval
[main::h(''), main::h('')]
--- pipelined_requests eval
[main::report(1), main::report(2)]
--- error_code eval
[201, 201]



=== TEST 2: ... both reached receiver A through the name, with one DNS query (the answer kept for its TTL); the https target by its name, over TLS; the IP literal target never asked the DNS
--- init
main::wait_for('two deliveries at A', sub {
    main::got($main::LogA, '/gw') >= 2 && main::got($main::LogA, '/lit') >= 2
        && main::got($main::LogA, '/tls') >= 2 });
my @a = main::got($main::LogA, '/gw');
Test::More::is(scalar @a, 2, 'two deliveries to gw');
Test::More::is_deeply([map { $_->{attempt} } @a], [1, 1], 'first attempts');
Test::More::ok($_->{signature_ok}, 'signed') for @a;
Test::More::is(main::n($main::LogB, '/gw'), 0, 'nothing at B');
my @q = main::queries();
Test::More::is(scalar @q, 1, 'one query for gw.pa.test');
my @tls = main::got($main::LogA, '/tls');
Test::More::is(scalar @tls, 2, 'the https target got both');
Test::More::ok($_->{signature_ok}, 'signed') for @tls;
open my $ql, '<', $main::Queries or die;
my %names = map { (split)[1] => 1 } <$ql>;
Test::More::is_deeply([sort keys %names], ['gw.pa.test', 'tls.pa.test'],
                      'the names asked for: no IP literal');
Test::More::like(main::error_log(),
                 qr/pa notify "gw": gw\.pa\.test is at 127\.0\.0\.1:$main::Port/,
                 'the address found is logged');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 3: the name moves to 127.0.0.2: once the TTL is over, the next event goes there, not over the connection kept to the old address
--- init
main::zone('127.0.0.2 5');
main::ttl_over();
--- more_headers eval
main::h('')
--- request eval
main::report(3)
--- error_code: 201



=== TEST 4: ... it reached receiver B, at its first attempt; A did not get it
--- init
main::wait_for('the delivery at B', sub { main::got($main::LogB, '/gw') >= 1 });
my @b = main::got($main::LogB, '/gw');
Test::More::is(scalar @b, 1, 'one delivery at B');
Test::More::is($b[0]{json}{id} ne '', 1, 'a report id');
Test::More::is($b[0]{attempt}, 1, 'its first attempt');
Test::More::ok($b[0]{signature_ok}, 'signed');
Test::More::is(main::n($main::LogA, '/gw'), 2, 'A still has two');
Test::More::is(scalar main::queries(), 2, 'asked again after the TTL');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 5: the DNS server fails (SERVFAIL) once the TTL is over: a report is submitted
--- init
main::zone('servfail');
main::ttl_over();
--- more_headers eval
main::h('')
--- request eval
main::report(4)
--- error_code: 201



=== TEST 6: ... its attempt failed, logged at warn and kept for a retry; then the DNS server does not answer at all: an attempt times out; then the name resolves again and the event arrives
--- init
my $id;
main::wait_for('a failed lookup recorded', sub {
    ($id) = split /\n/, main::redis('ZRANGE', 'pa:{t_res}:notify:gw:retry', 0, 0);
    $id && main::record($id)->{last_error} });
Test::More::is(main::record($id)->{last_error},
               'gw.pa.test could not be resolved (2: Server failure)',
               'the reason, for the admin');
Test::More::like(main::error_log(),
                 qr/\[warn\].*pa notify "gw": \Q$id\E attempt 1 to http:\/\/gw\.pa\.test:\d+\/gw: gw\.pa\.test could not be resolved \(2: Server failure\)/,
                 'logged at warn');
main::zone('drop');
main::wait_for('a lookup timed out', sub {
    (main::record($id)->{last_error} // '') =~ /timed out/ });
Test::More::is(main::record($id)->{last_error},
               'gw.pa.test could not be resolved (110: Operation timed out)',
               'a timeout is a failed attempt too');
main::zone('127.0.0.1 5');
main::wait_for('the retry at A', sub { main::got($main::LogA, '/gw') >= 3 });
my @a = main::got($main::LogA, '/gw');
Test::More::is("gw:$a[2]{json}{event_id}", $id, 'the failed delivery');
Test::More::is($a[2]{delivery}, $id, 'its X-PA-Delivery');
Test::More::cmp_ok($a[2]{attempt}, '>=', 3, 'after two failed attempts');
Test::More::ok($a[2]{signature_ok}, 'signed');
Test::More::is(main::n($main::LogB, '/gw'), 1, 'B got no more');
Test::More::is(main::redis('ZCARD', 'pa:{t_res}:notify:gw:retry'), '0',
               'no retry left');
Test::More::is(main::redis('ZCARD', 'pa:{t_res}:notify:dead'), '0',
               'no dead letter');
Test::More::is(main::n($main::LogA, '/lit'), 4,
               'the IP target got every report, the DNS down or not');
--- request
GET /api/v1/health
--- error_code: 200
