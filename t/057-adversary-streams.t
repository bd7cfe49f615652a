# The adversary's findings on live streams (conf-examples/event-streams.conf
# and slow-clients.conf, included as shipped).  A reporter's stream is
# held by whoever holds the report's access token, and anyone gets one by
# sending a report: pa_streams (2000 an address, for the IOC's wall of
# screens behind one NAT) let one citizen's token hold 2000 connections
# from each address it had, where pa_conn allowed 100 before.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

use IO::Socket::INET;

fresh('t_adv_sse');

# slow-clients.conf as shipped, but for what Test::Nginx sets itself
{
    my $conf = slurp("$ENV{TEST_NGINX_ROOT}/conf-examples/slow-clients.conf");
    $conf =~ s/^\s*keepalive_timeout\b.*$//mg;
    open my $fh, '>', "$Data/slow-clients.conf" or die;
    print $fh $conf;
    close $fh;
}

setting(config => api() . <<'_EOC_', http_config => <<'_EOC_');
    include $TEST_NGINX_ROOT/conf-examples/event-streams.conf;
_EOC_
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_adv_sse;
    pa_profile test-sse;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_sla verify 1d;
    pa_test_clock on;
    include $TEST_NGINX_PA_DATA/slow-clients.conf;
_EOC_

our @Held;

# a stream opened and left open: its status and the start of its answer
sub open_stream {
    my ($path, @headers) = @_;
    my $s = IO::Socket::INET->new(
        PeerAddr => '127.0.0.1',
        PeerPort => $Test::Nginx::Util::ServerPortForClient,
        Timeout => 10) or die "connect: $!";
    print $s "GET $path HTTP/1.1\r\nHost: localhost\r\n"
             . join('', map { "$_\r\n" } @headers) . "\r\n";
    my $head = '';
    while (defined(my $line = <$s>)) {
        $head .= $line;
        last if $line eq "\r\n";
    }
    my ($status) = $head =~ m{^HTTP/1\.1 (\d{3})};
    my $body = '';
    if (($status // 0) != 200) {
        local $/;
        $body = <$s> // '';
    }
    push @Held, $s;
    return ($status // 0, $body);
}

run_tests();

__DATA__

=== TEST 1: two reports, their tokens known
--- more_headers eval
["Content-Type: application/json\nX-PA-Now: 2026-01-22T09:00:00+07:00\nX-PA-Test-Id: SS-1\nX-PA-Test-Token: SS-1~token-of-the-first",
 "Content-Type: application/json\nX-PA-Now: 2026-01-22T09:00:00+07:00\nX-PA-Test-Id: SS-2\nX-PA-Test-Token: SS-2~token-of-the-second"]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Cống thoát nước bị tắc","lat":22.39,"lng":103.45,"reporter_name":"Lò Văn S","reporter_phone":"0913570001"}',
 "POST /api/v1/reports\n" . '{"content":"Cây xanh đổ chắn lối đi","lat":22.39,"lng":103.45,"reporter_name":"Lò Thị S","reporter_phone":"0913570002"}']
--- error_code eval
[201, 201]



=== TEST 2: one reporter's token holds a few streams of its report, not hundreds; another token and the staff are not held back by it
--- init
my @ok;
for my $i (1 .. 5) {
    my ($st) = main::open_stream('/api/v1/reports/SS-1/events',
                                 'X-Report-Token: SS-1~token-of-the-first');
    push @ok, $st;
}
Test::More::is("@ok", "200 200 200 200 200", "five streams of one token");
my ($st, $body) = main::open_stream('/api/v1/reports/SS-1/events?token=SS-1~token-of-the-first');
Test::More::is($st, 429, "a sixth of the same token: 429");
Test::More::like($body, qr/^\{"error":\{"code":"[a-z_]+"/, "... in JSON");
($st) = main::open_stream('/api/v1/reports/SS-1/events?token=other',
                          'X-Report-Token: SS-1~token-of-the-first');
Test::More::is($st, 429, "... nor with a ?token= beside the header it reads");
($st) = main::open_stream('/api/v1/reports/SS-1/events'
                          . '?token=SS-1%7Etoken-of-the-first');
Test::More::is($st, 429, "... nor with the token spelled another way");
($st) = main::open_stream('/api/v1/reports/SS-%31/events'
                          . '?token=SS-1%7etoken-of-the-first');
Test::More::is($st, 429, "... nor with the report's id spelled so");
($st) = main::open_stream('/api/v1/reports/SS-2/events',
                          'X-Report-Token: SS-2~token-of-the-second');
Test::More::is($st, 200, "another report's token: 200");
($st) = main::open_stream("/api/v1/events?access_token=$::T{ioc}");
Test::More::is($st, 200, "the staff stream: 200");
($st) = main::open_stream('/api/v1/reports/SS-1/events',
                          "Authorization: Bearer $::T{ioc}");
Test::More::is($st, 200, "the IOC on the report's stream: 200");
close $_ for @main::Held;
@main::Held = ();
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 2b: the token as EventSource's URLSearchParams sends it ("~" as %7E) opens the stream and reads the report
--- init
my ($st) = main::open_stream('/api/v1/reports/SS-2/events'
                             . '?token=SS-2%7Etoken-of-the-second');
Test::More::is($st, 200, "the stream with ?token=<id>%7E<secret>: 200");
close $_ for @main::Held;
@main::Held = ();
--- request
GET /api/v1/reports/SS-2?token=SS-2%7etoken-of-the-second
--- error_code: 200
--- response_body_like: "id":"SS-2"
