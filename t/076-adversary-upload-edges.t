# Upload bodies at the edges of nginx's buffer (adversary of the body
# reading of branch photo: one job per full client_body_buffer_size, the
# rest waiting for more): bodies of 8k - 1, 8k, 8k + 1 and twice that, sent
# with a Content-Length, chunked in pieces that straddle the buffer, and
# split across TCP writes at the buffer's edge.  Each gets its 201, each
# photo is stored intact under its SHA-256, nothing is left in media/tmp.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use Digest::SHA qw(sha256_hex);
use IO::Socket::INET;
use Time::HiRes ();

our $Photo = slurp("$Fix/image.png");

# a form of exactly $size bytes (the photo padded after its end, as some
# phones write it), from phone $n
sub form_of {
    my ($size, $n) = @_;
    my @f = (['content', "Cây đổ chắn ngang đường $n"],
             ['reporter_phone', sprintf('09120076%02d', $n)],
             ['reporter_name', 'Hoàng Văn E'], ['lat', '22.396'],
             ['lng', '103.458']);
    my $base = length multipart(@f, ['media', 'a.png', 'image/png', $Photo]);
    die "photo larger than $size\n" if $base > $size;
    return multipart(@f, ['media', 'a.png', 'image/png',
                          $Photo . ("\0" x ($size - $base))]);
}

# every file of the store named by its SHA-256: "" when all are
sub misnamed {
    my @bad;
    for my $f (glob("$Data/media/??/*")) {
        next if $f =~ /\.thumb\.jpg\z/;
        my ($name) = $f =~ m{/([0-9a-f]{64})\z} or do { push @bad, $f; next };
        push @bad, $f if Digest::SHA::sha256_hex(slurp($f)) ne $name;
    }
    return "@bad";
}

# sends it (chunks of $chunk bytes when set) in writes of $write bytes,
# a pause between them; the status line's code
sub send_form {
    my ($body, $chunk, $write) = @_;
    my $req = "POST /api/v1/reports HTTP/1.1\r\nHost: localhost\r\n"
              . "$Multipart\r\nConnection: close\r\n";
    if ($chunk) {
        $req .= "Transfer-Encoding: chunked\r\n\r\n";
        for (my $i = 0; $i < length $body; $i += $chunk) {
            my $c = substr($body, $i, $chunk);
            $req .= sprintf("%x\r\n", length $c) . "$c\r\n";
        }
        $req .= "0\r\n\r\n";
    } else {
        $req .= "Content-Length: " . length($body) . "\r\n\r\n" . $body;
    }
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
        PeerPort => $Test::Nginx::Util::ServerPortForClient, Timeout => 10)
        or die "connect: $!";
    for (my $i = 0; $i < length $req; $i += $write) {
        print $s substr($req, $i, $write);
        Time::HiRes::sleep(0.02);
    }
    local $/;
    my $res = <$s> // '';
    return $res =~ m{\AHTTP/1\.1 (\d+)} ? ($1 == 201 ? $1 : "$1 " . substr($res, -200)) : "none: $res";
}

setting(config => api(408, 413, 415), main_config => $Threads,
        http_config => <<'_EOC_');
    pa_thread_pool pa;
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_adv_edges;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    client_body_buffer_size 8k;
    client_body_timeout 5s;
_EOC_

fresh('t_adv_edges');

run_tests();

__DATA__

=== TEST 1: bodies at the buffer's edges, whole, chunked and in pieces: each 201, the photo intact, no temp file
--- init
my $n = 0;
my @got;
for my $size (8191, 8192, 8193, 16383, 16384, 16385) {
    for my $how ([0, 1 << 20], [0, 8192], [0, 8191], [8192, 1 << 20],
                 [8191, 8193], [4096, 8192]) {
        my $body = main::form_of($size, ++$n);
        push @got, "$size/@$how:" . main::send_form($body, @$how);
    }
}
Test::More::is(join(' ', grep { !/:201\z/ } @got), '',
               'every upload answered 201');
Test::More::is(main::misnamed(), '', 'every stored file intact, named by its SHA-256');
Test::More::cmp_ok(scalar(() = glob("$main::Data/media/??/*")), '>=', 1,
                   'the photos are in the store');
my @tmp;
for (1 .. 100) {
    @tmp = glob("$main::Data/media/tmp/*");
    last unless @tmp;
    Time::HiRes::sleep(0.05);
}
Test::More::is("@tmp", '', 'nothing left in media/tmp');
--- request
GET /api/v1/health
--- error_code: 200
