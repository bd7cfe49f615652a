# The adversary's findings on HTTP/2 and the group commit (ngx_pa_batch.c):
# the streams of one connection wait in one worker's queue and leave in
# one submit call; answering one stream may free its siblings, and a
# client that goes away frees them all while they wait or are in flight.
#
# One worker, a server of its own that speaks HTTP/2 over TLS (as
# production.conf's 443; curl 7.88 cannot multiplex h2c, prior knowledge
# breaks its streams); the test Redis is stopped (SIGSTOP) while the
# streams arrive, as in t/043.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

use File::Path qw(make_path);
use IO::Socket::INET;
use Time::HiRes ();

fresh('t_adv_h2');

our $H2 = t::PaTest::free_port();
our $Out = "$Data/h2";
make_path($Out);
system("openssl req -x509 -newkey rsa:2048 -nodes -keyout $Data/h2.key"
       . " -out $Data/h2.crt -days 2 -subj /CN=localhost 2>/dev/null") == 0
    or die "openssl failed";

setting(config => api(), http_config => <<"_EOC_");
    pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT timeout=30s;
    pa_redis_scripts \$TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir \$TEST_NGINX_PA_DATA/media;
    pa_tenant t_adv_h2;
    pa_profile test-h2;
    pa_auth_secret_file \$TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file \$TEST_NGINX_ROOT/t/keys/pii.key;
    pa_sla verify 1d;
    pa_submit_batch 16;
    log_format h2conn '\$connection \$status';

    server {
        listen 127.0.0.1:$H2 ssl http2;
        ssl_certificate $Data/h2.crt;
        ssl_certificate_key $Data/h2.key;
        access_log $Data/h2/access.log h2conn;
        location /api/v1/ {
            pa_api;
            error_page 400 404 405 413 415 500 503 \@pa_error;
        }
        location \@pa_error { pa_error; }
    }
_EOC_

sub body {
    my $n = shift;
    return '{"content":"Đèn tín hiệu giao thông hỏng số ' . $n
           . '","lat":22.396,"lng":103.458,"reporter_name":"Lò Văn H",'
           . '"reporter_phone":"0913 560 ' . sprintf('%03d', $n) . '"}';
}

# n POSTs as streams of one h2c connection, in the background: curl's pid
sub h2_posts {
    my ($n, $first, @extra) = @_;
    my @args = ('curl', '-sS', '-Z', '--parallel-max', 100);
    for my $i (1 .. $n) {
        my $f = "$Out/body$i";
        open my $fh, '>', $f or die "$f: $!";
        print $fh body($first + $i);
        close $fh;
        push @args, ($i > 1 ? '--next' : ()), '-k', '--http2',
            @extra, '-H', 'Content-Type: application/json',
            '--data-binary', "\@$f", '-o', "$Out/answer$i",
            '-w', "%{http_code} %{http_version}\\n",
            "https://127.0.0.1:$H2/api/v1/reports";
    }
    unlink "$Out/codes";
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDOUT, '>', "$Out/codes" or die;
        open STDERR, '>', "$Out/errors" or die;
        exec @args or die "curl: $!";
    }
    return $pid;
}

# the requests nginx holds on the h2 port (ss: one connection), waited for
sub settle { Time::HiRes::sleep(0.5) }

sub reports { return redis('ZCARD', 'pa:{t_adv_h2}:q:submitted') + 0 }

run_tests();

__DATA__

=== TEST 1: 12 streams of one HTTP/2 connection while Redis is stopped: each 201 with an id of its own, 12 stored
--- init
main::fresh('t_adv_h2');
kill 'STOP', $t::PaTest::RedisPid;
my $pid = main::h2_posts(12, 0);
main::settle();
kill 'CONT', $t::PaTest::RedisPid;
waitpid $pid, 0;
open my $fh, '<', "$main::Out/codes" or die;
my @codes = <$fh>;
Test::More::is(scalar(grep { /^201 2$/ } @codes), 12,
               "12 answered 201 over HTTP/2") or Test::More::diag("@codes", main::slurp("$main::Out/errors"), join "", grep { !/\[debug\]/ } split /^/, main::slurp($Test::Nginx::Util::ErrLogFile));
my %ids;
for my $i (1 .. 12) {
    my $a = main::slurp("$main::Out/answer$i");
    $ids{$1}++ if $a =~ /"id":"([^"]+)"/;
}
Test::More::is(scalar keys %ids, 12, "12 distinct ids");
Test::More::is(main::reports(), 12, "12 in the work list");
my %conn = map { (split / /)[0] => 1 } split /\n/,
    main::slurp("$main::Out/access.log");
Test::More::is(scalar keys %conn, 1, "all on one connection");
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 2: the client gives up while its 12 streams wait on a stopped Redis: no crash, nothing answered twice, the worker serves on
--- init
main::fresh('t_adv_h2');
kill 'STOP', $t::PaTest::RedisPid;
my $pid = main::h2_posts(12, 100, '--max-time', '1');
waitpid $pid, 0;
kill 'CONT', $t::PaTest::RedisPid;
main::settle();
my $n = main::reports();
Test::More::cmp_ok($n, '<=', 12, "at most the 12 stored ($n)");
$pid = main::h2_posts(3, 200);
waitpid $pid, 0;
open my $fh, '<', "$main::Out/codes" or die;
my @codes = <$fh>;
Test::More::is(scalar(grep { /^201 2$/ } @codes), 3,
               "the same worker takes the next 3") or Test::More::diag("@codes", main::slurp("$main::Out/errors"), join "", grep { !/\[debug\]/ } split /^/, main::slurp($Test::Nginx::Util::ErrLogFile));
Test::More::is(main::reports(), $n + 3, "... stored");
--- request
GET /api/v1/health
--- error_code: 200
