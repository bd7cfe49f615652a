# "nginx -s reload" while photos are being uploaded: every upload in
# flight is answered by the worker that took it, and stored.  The old
# worker stops gracefully: it waits for its requests' timers only, and
# nginx drops the read timer of an unbuffered body whose buffer is in the
# thread pool; a worker that found no timer then left the upload mid-way
# ("open socket #N left in connection", "aborting"), the client answered
# nothing (a fault-injection review found it; ngx_pa_thread.c's guard).
#
# The upload goes slowly, a piece of the body at a time, each piece
# walked in the thread pool; the reload comes while it goes.  The waits
# are for conditions (new workers, the answer), never for fixed times
# alone: the machine may be loaded.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use t::PaWorker;
use IO::Select;
use Time::HiRes ();

$Test::Nginx::Util::ForceRestartOnTest = 0;
master_on();
workers(1);

fresh('t_reload_up');

our @Fields = (['content', 'Cột điện nghiêng sau mưa bão'],
               ['reporter_name', 'Vàng Thị C'],
               ['lat', '22.396'], ['lng', '103.458']);

# a photo's upload: its head and body, sent in $n pieces with a pause
# after each, "nginx -s reload" (SIGHUP to the master) after piece $at
sub main::upload_through_reload {
    my ($phone, $n, $at) = @_;
    my $body = multipart(['reporter_phone', $phone], @Fields,
                         ['media', 'large.jpg', 'image/jpeg']);
    my $req = "POST /api/v1/reports HTTP/1.1\r\nHost: localhost\r\n"
              . "$Multipart\r\nConnection: close\r\n"
              . "Content-Length: " . length($body) . "\r\n\r\n" . $body;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $Test::Nginx::Util::ServerPort)
        or die "connect: $!";
    my ($old) = main::nginx_workers();
    my $size = int(length($req) / $n) + 1;
    # a worker that leaves resets the connection: a write then fails,
    # and the answer (none) says so
    local $SIG{PIPE} = 'IGNORE';
    for my $i (0 .. $n - 1) {
        my $piece = substr($req, $i * $size, $size);
        last if $piece eq '';
        last unless defined syswrite($s, $piece);
        Time::HiRes::sleep(0.05);
        if ($i == $at) {
            kill 'HUP', main::master();
            main::until('a new worker beside the old one', sub {
                grep { $_ != $old } main::nginx_workers() });
        }
    }
    return main::answer($s);
}

# the old worker has gone, and said nothing of sockets left behind
sub main::old_worker_gone_clean {
    my ($old) = @_;
    main::until("the old worker $old gone", sub {
        !grep { $_ == $old } main::nginx_workers() });
    my @alerts = grep { /\[(alert|crit|emerg)\]/ } split /\n/, main::errlog();
    Test::More::is(scalar @alerts, 0, 'no alert: no socket left, no abort')
        or Test::More::diag(join "\n", @alerts);
}

# small pieces: the photo is walked in many of them
setting(config => api(408, 413, 415), main_config => $Threads,
        http_config => media_http('t_reload_up', 'client_body_buffer_size 8k;',
                                  'client_body_timeout 10s;'));

run_tests();

__DATA__

=== TEST 1: a reload while a photo is uploaded slowly: the old worker answers it (201), stores it, then goes without an alert
--- init
my ($old) = main::nginx_workers();
my $a = main::upload_through_reload('0977200001', 24, 4);
Test::More::is($a->{status}, 201, '201: the upload finished by the old worker')
    or Test::More::diag("$a->{status} $a->{body}");
my ($id) = $a->{body} =~ /"id":"([^"]+)"/;
Test::More::ok($id, 'the report named');
Test::More::is(main::redis('EXISTS', "pa:{t_reload_up}:r:$id"), '1',
               'and stored');
Test::More::like($a->{body}, qr/"media":\[\{"id":"[0-9a-f]{64}","type":"image\/jpeg"/,
                 'with its photo');
main::old_worker_gone_clean($old);
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 2: again, the reload at another piece (the window is a piece's walk in the pool: any piece may be the one)
--- init
my ($old) = main::nginx_workers();
my $a = main::upload_through_reload('0977200002', 24, 11);
Test::More::is($a->{status}, 201, 'the upload answered 201') or Test::More::diag("$a->{status} $a->{body}");
main::old_worker_gone_clean($old);
--- request
GET /api/v1/health
--- error_code: 200
