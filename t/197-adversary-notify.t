# The adversary's findings on webhooks (pa_notify): receivers as they are
# met in the field, not only the reference one.
#
# An interim answer before the final one ("100 Continue", "103 Early
# Hints"; a client must take them, asked for or not: RFC 9110, 15.2) was
# taken for the answer: every delivery "failed", was sent again and again
# and died in the dead letters although the receiver had it each time.
#
# A receiver on a lenient HTTP/1.1 server answers with bare LF line
# endings ("HTTP/1.1 200 OK\nContent-Length: 3\n\nok\n"), which nginx's
# own parser takes (ngx_http_parse_status_line, _header_line); the
# deliverer looked for CRLF CRLF only, never saw the answer's end, timed
# out and sent the event again until it died in the dead letters.  The
# reference receiver in --lf mode acknowledges each event at its first
# delivery, the second one on the kept-alive connection too.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use t::PaHook ();
use IO::Socket::INET;
use POSIX ();
use Time::HiRes ();

$Test::Nginx::Util::ForceRestartOnTest = 0;

our $Hook = t::PaTest::free_port();
our $Key = "$t::PaTest::Data/hook.key";
our $Log = "$t::PaTest::Data/hook.log";
our $Rcv;

open my $k, '>', $Key or die;
print $k "test-hook-secret-0123456789abcdef\n";
close $k;
unlink $Log;

# the reference receiver, its answers' lines ended by a bare LF
our $Lf = t::PaTest::free_port();
our $LfLog = "$t::PaTest::Data/lf.jsonl";
t::PaHook::receiver($Lf, $Key, $LfLog, '--lf');

# the receiver: one line per request it read whole ("<path>"), then its
# answer: interim heads first, as the path says
our %Answer = (
    '/interim' => "HTTP/1.1 100 Continue\r\n\r\n",
    '/early'   => "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload"
                  . "\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n",
);

sub serve {
    my $c = shift;
    my $buf = '';
    while ($buf !~ /\r\n\r\n/) {
        my $n = sysread($c, $buf, 65536, length $buf) or return;
    }
    my ($head, $body) = split /\r\n\r\n/, $buf, 2;
    my ($path) = $head =~ m{^POST (\S+) HTTP};
    my ($len) = $head =~ /^Content-Length:\s*(\d+)/mi;
    while (length($body) < ($len // 0)) {
        my $n = sysread($c, $body, 65536, length $body) or return;
    }
    open my $l, '>>', $Log or die;
    print $l ($path // '?'), "\n";
    close $l;
    print $c ($Answer{$path // ''} // '')
             . "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
             . "Connection: close\r\n\r\n";
}

my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $Hook,
                                Listen => 64, ReuseAddr => 1) or die $!;
$Rcv = fork // die "fork: $!";
if ($Rcv == 0) {
    while (my $c = $srv->accept) {
        $c->autoflush(1);
        serve($c);
        close $c;
    }
    POSIX::_exit(0);
}
close $srv;
END { if ($Rcv) { kill 'TERM', $Rcv; waitpid $Rcv, 0; } }

sub main::got {
    my $path = shift;
    open my $f, '<', $Log or return 0;
    return scalar grep { $_ eq "$path\n" } <$f>;
}

fresh('t_adv_nt');

setting(main_config => $t::PaTest::Threads, config => api(),
        http_config => $t::PaTest::Pool . <<"_EOC_");
    pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts \$TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_adv_nt;
    pa_auth_secret_file \$TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file \$TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir \$TEST_NGINX_PA_DATA/media;
    pa_test_clock on;
    pa_notify interim http://127.0.0.1:$Hook/interim secret_file=$Key
              events=submitted timeout=2s retry_for=1h;
    pa_notify early http://127.0.0.1:$Hook/early secret_file=$Key
              events=submitted timeout=2s retry_for=1h;
    pa_notify lf http://127.0.0.1:$Lf/lf secret_file=$Key
              events=submitted timeout=2s retry_for=1h;
_EOC_

run_tests();

__DATA__

=== TEST 1: a report is submitted: one event for each target
--- more_headers
X-PA-Now: 2026-01-22T09:00:00+07:00
Content-Type: application/json
--- request eval
"POST /api/v1/reports\n" . JSON::PP->new->encode({
    content => 'Đèn tín hiệu giao thông không hoạt động',
    reporter_name => 'Lò Văn T', reporter_phone => '0987000197',
    lat => 22.396, lng => 103.458 })
--- error_code: 201



=== TEST 2: each receiver answered 200 after its interim heads: delivered once, nothing pending, nothing to retry
--- init
for (1 .. 600) {
    last if main::got('/interim') && main::got('/early')
            && t::PaHook::deliveries($::LfLog) >= 1;
    Time::HiRes::sleep(0.1);
}
# a failed delivery is tried again after about 1 s (+-25%)
Time::HiRes::sleep(3);
Test::More::is(main::got('/interim'), 1, '100 Continue, then 200: once');
Test::More::is(main::got('/early'), 1, '103 and 100, then 200: once');
my @lf = t::PaHook::deliveries($::LfLog);
Test::More::is(scalar @lf, 1, 'LF answers: delivered once, not again');
Test::More::is($lf[0]{status}, 200, '... the receiver said 200');
for my $t (qw(interim early lf)) {
    Test::More::is(main::redis('XPENDING', 'pa:{t_adv_nt}:events',
                               "notify:$t"), "0\n\n\n",
                   "$t: nothing left pending");
    Test::More::is(main::redis('ZCARD', "pa:{t_adv_nt}:notify:$t:retry"),
                   '0', "$t: nothing to retry");
}
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 3: a second report: its event goes to the LF receiver on the kept-alive connection
--- more_headers
X-PA-Now: 2026-01-22T09:05:00+07:00
Content-Type: application/json
--- request eval
"POST /api/v1/reports\n" . JSON::PP->new->encode({
    content => 'Đèn đường không sáng', reporter_name => 'Lò Văn B',
    reporter_phone => '0987000198', lat => 22.396, lng => 103.458 })
--- error_code: 201



=== TEST 4: also acknowledged by its first delivery: two in all, nothing pending
--- init
t::PaHook::wait_for('the second LF delivery',
                    sub { t::PaHook::deliveries($::LfLog) >= 2 });
Time::HiRes::sleep(3);
my @lf = t::PaHook::deliveries($::LfLog);
Test::More::is(scalar @lf, 2, 'two events, each delivered once');
Test::More::is(CORE::join(',', map { $_->{attempt} // 1 } @lf), '1,1',
               'each at its first attempt');
Test::More::is(main::redis('XPENDING', 'pa:{t_adv_nt}:events', 'notify:lf'),
               "0\n\n\n", 'nothing left pending');
--- request
GET /api/v1/health
--- error_code: 200
