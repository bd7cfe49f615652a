# Adversary of today's changes: a fresh worker and what it holds back.
#
# A worker just started (reload, respawn) parks a staff token's request
# until its first read of the revoked tokens (ngx_pa_revoke_wait.c).  The
# IOC's dashboard follows the live stream with EventSource, which cannot
# send an Authorization header: its token goes as ?access_token= on
# GET /api/v1/events.  Right after a reload every dashboard reconnects to
# the fresh worker.  A 503 there is not retried by a browser (a non-200
# answer ends an EventSource for good): the operations room goes dark
# until someone reloads the page.  So the stream's token waits like any
# staff token: the good one is streamed, the revoked one refused (401),
# once the set is read.
#
# One worker, so "the new worker" is the one that answers.  Waits are for
# conditions (a new worker pid, a line in error.log, an answer), never
# fixed sleeps: the machine may be loaded.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use t::PaWorker;
use File::Path ();
use IO::Select;
use IO::Socket::INET;
use Time::HiRes ();

$Test::Nginx::Util::ForceRestartOnTest = 0;
master_on();
workers(1);

fresh('t_adv_fresh');

our $Now = time;

sub token {
    my ($sub, $jti) = @_;
    return sign({ role => 'ioc', sub => $sub, jti => $jti,
                  iat => $Now - 60, exp => $Now + 3600 });
}

our %K = (
    phone => token('ioc-binh', 'j-phone'),      # lost, revoked in TEST 1
    good  => token('ioc-an', 'j-good'),
);

our $Set = 'pa:{t_adv_fresh}:revoked';

sub main::connect_to {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $Test::Nginx::Util::ServerPort)
        or die "connect: $!";
    return $s;
}

# a live stream opened as EventSource does: no header, the token in the
# query string, HTTP/1.1 (the answer does not end)
sub main::open_stream {
    my $token = shift;
    my $s = main::connect_to();
    print $s "GET /api/v1/events?access_token=$token HTTP/1.1\r\n"
             . "Host: localhost\r\nAccept: text/event-stream\r\n\r\n";
    return $s;
}

# the status of a stream's answer (its head only: a stream goes on)
sub main::stream_status {
    my $s = shift;
    my ($a, $sel) = ('', IO::Select->new($s));
    while ($a !~ /\r\n\r\n/ && $sel->can_read(60)) {
        last unless sysread $s, $a, 65536, length $a;
    }
    close $s;
    my ($status) = $a =~ m{^HTTP/1\.\d (\d+)};
    return $status // 0;
}

# a plain request on a connection of its own
sub main::ask {
    my ($path, $token) = @_;
    my $s = main::connect_to();
    print $s "GET $path HTTP/1.0\r\nHost: localhost\r\n"
             . ($token ? "Authorization: Bearer $token\r\n" : '') . "\r\n";
    my ($a, $sel) = ('', IO::Select->new($s));
    while ($sel->can_read(60)) {
        last unless sysread $s, $a, 65536, length $a;
    }
    close $s;
    my ($status) = $a =~ m{^HTTP/1\.\d (\d+)};
    return $status // 0;
}

# the stream is parked, or it was answered already (it must not be)
sub main::parked_or_answered {
    my ($s, $before) = @_;
    my $sel = IO::Select->new($s);
    main::until('the stream waits (or is answered)', sub {
        main::parked() > $before || $sel->can_read(0) });
}

our $H2 = t::PaTest::free_port();
our $Out = "$Data/h2";
File::Path::make_path($Out);
system("openssl req -x509 -newkey rsa:2048 -nodes -keyout $Data/h2.key"
       . " -out $Data/h2.crt -days 2 -subj /CN=localhost 2>/dev/null") == 0
    or die "openssl failed";

# n staff GETs and one staff action as streams of one HTTP/2 connection,
# in the background, given up after a second: curl's pid
sub main::h2_staff {
    my ($token) = @_;
    my @args = ('curl', '-sS', '-Z', '--parallel-max', 100);
    my @common = ('-k', '--http2', '--max-time', '1',
                  '-H', "Authorization: Bearer $token");
    for my $i (1 .. 4) {
        push @args, ($i > 1 ? '--next' : ()), @common,
            '-o', '/dev/null', '-w', "%{http_code}\\n",
            "https://127.0.0.1:$H2/api/v1/queue?i=$i";
    }
    push @args, '--next', @common, '-H', 'Content-Type: application/json',
        '--data-binary', '{"action":"verify"}', '-o', '/dev/null',
        "https://127.0.0.1:$H2/api/v1/reports/X-1/actions";
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDOUT, '>', "$Out/codes" or die;
        open STDERR, '>', "$Out/errors" or die;
        exec @args or die "curl: $!";
    }
    return $pid;
}

sub main::only_alerts_none {
    my @alerts = grep { /\[(alert|crit|emerg)\]/ } split /\n/, main::errlog();
    Test::More::is(scalar @alerts, 0, 'no alert in error.log')
        or Test::More::diag(join "\n", @alerts);
}

setting(config => <<'_EOC_', http_config => <<"_EOC_");
    location /api/v1/ { pa_api; }
_EOC_
    pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT timeout=10s;
    pa_redis_scripts \$TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_adv_fresh;
    pa_auth_secret_file \$TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file \$TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir \$TEST_NGINX_PA_DATA/media;
    pa_auth_max_ttl 12h;
    server {
        listen 127.0.0.1:$H2 ssl http2;
        ssl_certificate $Data/h2.crt;
        ssl_certificate_key $Data/h2.key;
        location /api/v1/ { pa_api; }
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: the phone's token is revoked (on another node: only in Redis); the IOC's stream opens with ?access_token=
--- init
main::redis('ZADD', $::Set, $::Now, 'jti:j-phone');
main::until('the revoked token refused', sub {
    main::ask('/api/v1/queue', $::K{phone}) == 401 });
Test::More::is(main::stream_status(main::open_stream($::K{good})), 200,
               'the stream of the good token opens');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 2: reload while Redis stalls: the dashboards reconnect their streams to the fresh worker; they wait for the read, then the good token streams (200) and the revoked one is refused (401), never 503
--- init
my $old = (main::nginx_workers())[0];
kill 'STOP', $t::PaTest::RedisPid;
kill 'HUP', main::master();
main::new_worker($old);
my $before = main::parked();
my $good = main::open_stream($::K{good});
main::parked_or_answered($good, $before);
my $phone = main::open_stream($::K{phone});
main::parked_or_answered($phone, $before + 1);
kill 'CONT', $t::PaTest::RedisPid;
Test::More::is(main::stream_status($good), 200,
               'the IOC\'s stream opens once the set is read');
Test::More::is(main::stream_status($phone), 401,
               'the revoked token\'s stream is refused');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 3: reload while Redis stalls, then the IOC's HTTP/2 connection gives up on five parked streams (four reads, an action with its body): no crash, no alert, the same worker serves on once Redis answers
--- init
my $old = (main::nginx_workers())[0];
kill 'STOP', $t::PaTest::RedisPid;
kill 'HUP', main::master();
main::new_worker($old);
my $worker = (main::nginx_workers())[0];
my $before = main::parked();
my $pid = main::h2_staff($::K{good});
waitpid $pid, 0;
Test::More::cmp_ok(main::parked(), '>', $before, 'the streams were parked');
kill 'CONT', $t::PaTest::RedisPid;
main::until('the good token taken', sub {
    main::ask('/api/v1/queue', $::K{good}) == 200 });
Test::More::is(main::ask('/api/v1/queue', $::K{phone}), 401,
               'the revoked one refused');
Test::More::is((main::nginx_workers())[0], $worker, 'the same worker');
main::only_alerts_none();
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 4: a request parked in a fresh worker that is told to quit (a second reload) is answered as it would be, once the set is read: 200, not dropped nor 503; the old worker then ends, without an alert
--- init
my $old = (main::nginx_workers())[0];
kill 'STOP', $t::PaTest::RedisPid;
kill 'HUP', main::master();
main::new_worker($old);
my $w1 = (main::nginx_workers())[0];
my $before = main::parked();
my $s = main::connect_to();
print $s "GET /api/v1/queue HTTP/1.0\r\nHost: localhost\r\n"
         . "Authorization: Bearer $::K{good}\r\n\r\n";
main::until('the request waits', sub { main::parked() > $before });
kill 'HUP', main::master();
main::until('a worker in place of the quitting one', sub {
    grep { $_ != $w1 } main::nginx_workers() });
kill 'CONT', $t::PaTest::RedisPid;
my ($a, $sel) = ('', IO::Select->new($s));
while ($sel->can_read(60)) {
    last unless sysread $s, $a, 65536, length $a;
}
close $s;
my ($status) = $a =~ m{^HTTP/1\.\d (\d+)};
Test::More::is($status, 200, 'the parked request is answered 200');
main::until('the quitting worker ends', sub {
    !grep { $_ == $w1 } main::nginx_workers() });
main::only_alerts_none();
--- request
GET /api/v1/health
--- error_code: 200
