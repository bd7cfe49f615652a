# A full media disk while a photo's thumbnail is written: no truncated
# thumbnail is left to be served.  libgd wrote through stdio and only
# fclose() was checked; glibc drops a buffer whose write failed, so the
# close succeeded and a truncated file (or an empty one) was renamed into
# place, served with 200, and never made again, as it existed (a
# fault-injection review found it).  Now the JPEG is made in memory and
# written whole or not at all; a photo without one gets it made again
# when asked, once there is room (ngx_pa_thumb.c).  And no room for the
# photo itself: the submission is 503 unavailable with Retry-After, and
# neither the report nor any byte of the photo is kept; with room again
# its retry is stored once.
#
# The store is a small tmpfs of its own, filled but for room for the
# photo: needs root (mount); skipped where a tmpfs cannot be mounted.
use Test::Nginx::Socket;
use lib '.';
use t::PaTest;
use Digest::SHA qw(sha256_hex);

our $Disk = "$Data/small-disk";

BEGIN {
    # (before the plan: where it cannot be mounted, nothing runs)
    my $d = "$t::PaTest::Data/small-disk";
    system("umount $d 2>/dev/null; mkdir -p $d");
    if (system("mount -t tmpfs -o size=1m,mode=0750 tmpfs $d 2>/dev/null") != 0) {
        Test::More::plan(skip_all => 'a tmpfs cannot be mounted here (needs root)');
    }
}

END { system("umount $Disk 2>/dev/null") }

fresh('t_full_disk');

our $Photo = slurp("$Fix/large.jpg");
our $Sha = sha256_hex($Photo);
our $Store = "$Disk/" . substr($Sha, 0, 2) . "/$Sha";
# another photo (another blob): fresh-mm.jpg of the fixtures
our $Photo2 = slurp("$Fix/fresh-mm.jpg");
our $Sha2 = sha256_hex($Photo2);
our $Store2 = "$Disk/" . substr($Sha2, 0, 2) . "/$Sha2";
# TEST 4's submission with it, and TEST 5's retry
our $Fd2Headers = "$Multipart\nX-PA-Test-Id: FD-2\n"
    . "X-PA-Test-Token: token-of-the-reporter-fd-2\nIdempotency-Key: fd-2-first";
our $Fd2 = "POST /api/v1/reports\n" . multipart(
    ['content', 'Nắp cống vỡ giữa đường'],
    ['reporter_name', 'Lò Văn E'], ['reporter_phone', '0987000555'],
    ['lat', '22.396'], ['lng', '103.458'],
    ['media', 'IMG_0003.jpg', 'image/jpeg', $Photo2]);

# the room left on the store's file system, bytes
sub main::avail {
    my ($line) = grep { /\d/ } `df -B1 --output=avail $Disk`;
    return $line + 0;
}

# the store filled but for the photo and 8 KB: its thumbnail cannot fit
sub main::fill {
    my $keep = length($Photo) + 8192;
    my $n = main::avail() - $keep;
    system("dd if=/dev/zero of=$Disk/filler bs=4096 count=" . int($n / 4096)
           . " 2>/dev/null");
}

sub main::errlog { return slurp($Test::Nginx::Util::ErrLogFile) }

# waits for a condition, polling; false after 30 s
sub main::within {
    my ($cond) = @_;
    for (1 .. 600) {
        return 1 if $cond->();
        select undef, undef, undef, 0.05;
    }
    return 0;
}

# TEST 2 to 6 see the [crit] of a write that found no room (checked; the
# log runs on from block to block)
setting(main_config => $Threads, crit_ok => qr/^TEST [2-6]:/,
        config => api() . <<'_EOC_', http_config => <<'_EOC_');
    location /pa-media-original/ {
        internal;
        alias $TEST_NGINX_PA_DATA/small-disk/;
    }
_EOC_
    pa_thread_pool pa;
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_full_disk;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir $TEST_NGINX_PA_DATA/small-disk;
    pa_test_clock on;
_EOC_

$Test::Nginx::Util::ForceRestartOnTest = 0;
plan('no_plan');
run_tests();

__DATA__

=== TEST 1: the store full but for the photo: the report is stored with its photo (201)
--- init
main::fill();
--- more_headers eval
"$::Multipart\nX-PA-Test-Id: FD-1\nX-PA-Test-Token: token-of-the-reporter-fd-1"
--- request eval
"POST /api/v1/reports\n" . ::multipart(
    ['content', 'Cống thoát nước bị tắc trước chợ'],
    ['reporter_name', 'Lò Văn D'], ['reporter_phone', '0987000444'],
    ['lat', '22.396'], ['lng', '103.458'],
    ['media', 'IMG_0002.jpg', 'image/jpeg', $::Photo])
--- error_code: 201
--- response_body_like: "id":"FD-1"
--- no_error_log
[alert]



=== TEST 2: ... its thumbnail found no room: said in the log, and no thumbnail is there, whole or cut, nor a temporary file
--- init
Test::More::ok(main::within(sub { main::errlog() =~ /pa: thumbnail: write\(\) ".*" failed/ }),
               'the failed write is logged');
Test::More::ok(-f $::Store, 'the photo is in the store, whole')
    and Test::More::is(-s $::Store, length $::Photo, '... its size');
Test::More::ok(!-e "$::Store.thumb.jpg", 'no thumbnail (not a cut one)');
Test::More::is(scalar(() = glob("$::Store.thumb.jpg.*")), 0, 'no temporary file left');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 3: room again: asked for, the thumbnail is made, and served whole
--- init
unlink "$::Disk/filler";
my $ua = sub {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $Test::Nginx::Util::ServerPort);
    print $s "GET /api/v1/reports/FD-1/media/$::Sha?size=thumb HTTP/1.0\r\n"
             . "X-Report-Token: token-of-the-reporter-fd-1\r\n\r\n";
    local $/; my $a = <$s>; close $s; return $a;
};
$ua->();
Test::More::ok(main::within(sub { -f "$::Store.thumb.jpg" }), 'made again');
--- more_headers
X-Report-Token: token-of-the-reporter-fd-1
--- request eval
"GET /api/v1/reports/FD-1/media/$::Sha?size=thumb"
--- error_code: 200
--- response_headers
Content-Type: image/jpeg
--- response_body_like eval
qr/\A\xFF\xD8.{1000,40000}\xFF\xD9\z/s



=== TEST 4: no room for the photo itself: the submission is 503 unavailable with Retry-After; no report, no byte of the photo, no temporary file kept
--- init
system("dd if=/dev/zero of=$::Disk/filler bs=4096 2>/dev/null");
--- more_headers eval
$::Fd2Headers
--- request eval
$::Fd2
--- error_code: 503
--- response_headers_like
Retry-After: \d+
--- response_body_like: ^\{"error":\{"code":"unavailable"
--- error_log eval
qr/\[crit\] .*write to ".*" failed \(28: No space left on device\)/



=== TEST 5: ... nothing of it kept; room again: the retry is stored
--- init
Test::More::is(main::redis('EXISTS', 'pa:{t_full_disk}:r:FD-2'), 0, 'no report FD-2');
Test::More::ok(!-e $::Store2, 'no blob of the photo');
# (the request's cleanup removes it as its pool goes, just after the
# answer is written: waited for)
my $tmp = sub { grep { -f } glob("$::Disk/tmp/*") };
Test::More::ok(main::within(sub { !$tmp->() }), 'no temporary file left')
    or Test::More::diag(join ' ', $tmp->());
unlink "$::Disk/filler";
--- more_headers eval
$::Fd2Headers
--- request eval
$::Fd2
--- error_code: 201
--- response_body_like: "id":"FD-2"



=== TEST 6: ... its photo whole in the store
--- init
Test::More::is(-s $::Store2, length $::Photo2, 'the blob has every byte');
Test::More::is(main::sha256_hex(t::PaTest::slurp($::Store2)), $::Sha2, '... the photo sent');
--- request
GET /api/v1/health
--- error_code: 200
