# pa_notify to https targets: the TLS handshake runs on nginx's event loop
# (ngx_ssl), the certificate is verified against
# pa_notify_trusted_certificate and its name against the URL's host.  A
# trusted certificate for "localhost" gets the event, signed; one nobody
# trusts, and a trusted one for another name, get nothing: their
# deliveries fail ("not trusted", "not for this host") and, with no retry
# window, are dead letters at once.  The TLS servers are this nginx's own
# (proxying to the reference receiver).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest qw(:DEFAULT h);
use t::PaHook;
use Time::HiRes ();

$Test::Nginx::Util::ForceRestartOnTest = 0;

our $D = $t::PaTest::Data;
our ($Rcv, $P1, $P2, $P3) = map { t::PaTest::free_port() } 1 .. 4;
our $Key = hook_key('tls-hook-secret-0123456789abcdef');
our $Log = "$D/tls.jsonl";

# self-signed certificates: "good" and "other" are trusted, "rogue" is not
# (openssl's progress dots kept out of the suite's output)
open my $stderr, '>&', \*STDERR or die;
open STDERR, '>', '/dev/null' or die;
for my $c (['good', 'localhost'], ['rogue', 'localhost'],
           ['other', 'other.example']) {
    my ($name, $cn) = @$c;
    system('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
           '-keyout', "$D/$name.key", '-out', "$D/$name.crt", '-days', '2',
           '-subj', "/CN=$cn", '-addext', "subjectAltName=DNS:$cn",
           '-addext', 'basicConstraints=critical,CA:TRUE') == 0
        or die "openssl failed";
}
open STDERR, '>&', $stderr or die;
system("cat $D/good.crt $D/other.crt > $D/trusted.crt") == 0 or die;

receiver($Rcv, $Key, $Log);

sub main::got { return deliveries($Log) }

tokens(admin => ['admin']);

my $tls = '';
for my $s ([$P1, 'good'], [$P2, 'rogue'], [$P3, 'other']) {
    $tls .= <<"_EOC_";
    server {
        listen 127.0.0.1:$s->[0] ssl;
        ssl_certificate $D/$s->[1].crt;
        ssl_certificate_key $D/$s->[1].key;
        location / { proxy_pass http://127.0.0.1:$Rcv; }
    }
_EOC_
}

setting(http_config => <<"_EOC_" . $tls);
    pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts \$TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir \$TEST_NGINX_PA_DATA/media;
    pa_tenant t_tls;
    pa_auth_secret_file \$TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file \$TEST_NGINX_ROOT/t/keys/pii.key;
    pa_notify good https://localhost:$P1/tls secret_file=$Key
              events=submitted timeout=2s;
    pa_notify rogue https://localhost:$P2/rogue secret_file=$Key
              events=submitted timeout=2s retry_for=0;
    pa_notify other https://localhost:$P3/other secret_file=$Key
              events=submitted timeout=2s retry_for=0;
    pa_notify_trusted_certificate $D/trusted.crt;
_EOC_

main::fresh('t_tls');

run_tests();

__DATA__

=== TEST 1: a report is submitted
--- more_headers
Content-Type: application/json
--- request
POST /api/v1/reports
{"content":"Cống tắc","lat":22.39,"lng":103.45,"reporter_name":"Lò Văn D","reporter_phone":"0912345900"}
--- error_code: 201



=== TEST 2: the trusted target got it over TLS, signed; the other two got nothing and are dead letters with the reason
--- init
main::wait_for('the TLS delivery and two dead letters', sub {
    my @g = main::got();
    @g >= 1 && main::redis('ZCARD', 'pa:{t_tls}:notify:dead') >= 2 });
Time::HiRes::sleep(0.5);
my @g = main::got();
Test::More::is(scalar @g, 1, 'one delivery reached the receiver');
Test::More::is($g[0]{path}, '/tls', 'through the trusted server');
Test::More::ok($g[0]{signature_ok}, 'signed');
Test::More::like($g[0]{delivery}, qr/^good:\d+-\d+$/, 'its delivery id');
--- more_headers eval
main::h('admin')
--- request
GET /api/v1/admin/deliveries
--- error_code: 200
--- response_body_like eval
qr/^\{"total":2,(?=.*"target":"rogue"[^}]*"last_error":"TLS certificate not trusted")(?=.*"target":"other"[^}]*"last_error":"TLS certificate not for this host")/s
--- response_body_unlike: "target":"good"
