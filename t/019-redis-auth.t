# pa_redis with credentials (issue 15): a Redis with requirepass and an
# ACL user, sentinels with requirepass and an ACL user of their own.
# The passwords come from files (password_file=, sentinel_password_file=),
# never from nginx.conf.  Right credentials: 201; a wrong password, to
# the primary or to the sentinels: 503 with Retry-After at once, an
# [error] line that names the node and the setting, no crash, no alert.
# The failover with credentials runs in tests/integration/sentinel-auth.t.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use POSIX ();

our ($Node, $Sentinel) = (t::PaTest::free_port(), t::PaTest::free_port());

# the secrets, as an operator keeps them: one file each, a newline after
for (['node.pw', "node-secret-7f3a\n"], ['app.pw', "app-secret-19c2\n"],
     ['sentinel.pw', "sentinel-secret-5d0e\n"],
     ['watch.pw', "watch-secret-88b1\n"], ['wrong.pw', "not-it\n"],
     ['empty.pw', "\n"])
{
    open my $fh, '>', "$Data/$_->[0]" or die $!;
    print $fh $_->[1];
    close $fh;
}

our @Pids;

sub spawn {
    my @cmd = @_;
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDOUT, '>', '/dev/null';
        { exec @cmd; }
        POSIX::_exit(127);
    }
    push @Pids, $pid;
}

# the primary: the default user's password, and the module's own ACL user
spawn('redis-server', '--bind', '127.0.0.1', '--port', $Node,
      '--save', '', '--appendonly', 'no', '--dir', $Data,
      '--requirepass', 'node-secret-7f3a',
      '--user', 'pa-app', 'on', '>app-secret-19c2', '~*', '&*', '+@all');

# a sentinel that asks for a password, with an ACL user for the module
mkdir "$Data/sentinel";
open my $sc, '>', "$Data/sentinel/sentinel.conf" or die $!;
print $sc <<"EOC";
bind 127.0.0.1
port $Sentinel
dir $Data/sentinel
requirepass sentinel-secret-5d0e
user pa-watch on >watch-secret-88b1 ~* &* +\@all
sentinel monitor pa 127.0.0.1 $Node 1
sentinel auth-pass pa node-secret-7f3a
EOC
close $sc;
spawn('redis-sentinel', "$Data/sentinel/sentinel.conf");

END { for (@Pids) { kill 'TERM', $_; waitpid $_, 0 } }

# both up before the first block
for my $p ($Node, $Sentinel) {
    my $up;
    for (1 .. 100) {
        last if $up = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                            PeerPort => $p);
        select undef, undef, undef, 0.05;
    }
    die "nothing listens on $p" unless $up;
}

our $Rest = <<'_EOC_';
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_auth;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
_EOC_

# generous: a loaded machine is not what these blocks test
sub pa_redis { "    pa_redis $_[0] connect_timeout=1s timeout=3s;\n$Rest" }

our $Json = "Content-Type: application/json";

sub report {
    my $n = shift;
    return qq({"content":"Đèn đường hỏng số $n","lat":22.39,)
         . qq("lng":103.45,"reporter_name":"Lò Thị H",)
         . qq("reporter_phone":"09120000$n"});
}

# the reports the primary holds (as the operator reads them)
sub stored {
    my $out = `redis-cli -p $Node --user pa-app --pass app-secret-19c2 --no-auth-warning EVAL "return #redis.call('KEYS', ARGV[1])" 0 'pa:{t_auth}:r:*'`;
    chomp $out;
    return $out;
}

setting(http_config => pa_redis("127.0.0.1:$Node user=pa-app"
                                . " password_file=$Data/app.pw"));

run_tests();

__DATA__

=== TEST 1: user= and password_file= of an ACL user: the report is stored, 201
--- more_headers eval
"$::Json\nIdempotency-Key: auth-1"
--- request eval
"POST /api/v1/reports\n" . ::report(11)
--- error_code: 201
--- response_body_like: "access_token":"
--- no_error_log
refused AUTH



=== TEST 2: the default user's password alone (password_file=, requirepass): 201
--- init
Test::More::is(main::stored(), 1, 'the primary holds the report of TEST 1');
--- http_config eval
::pa_redis("127.0.0.1:$::Node password_file=$::Data/node.pw")
--- more_headers eval
"$::Json\nIdempotency-Key: auth-2"
--- request eval
"POST /api/v1/reports\n" . ::report(12)
--- error_code: 201
--- response_body_like: "access_token":"



=== TEST 3: a wrong password: 503 with Retry-After, an [error] naming the node and the setting, nothing stored
--- http_config eval
::pa_redis("127.0.0.1:$::Node user=pa-app password_file=$::Data/wrong.pw")
--- more_headers eval
"$::Json\nIdempotency-Key: auth-3"
--- request eval
"POST /api/v1/reports\n" . ::report(13)
--- error_code: 503
--- response_headers_like
Retry-After: \d+
--- response_body_like: "code":"unavailable"
--- error_log eval
[qr/\[error\].*pa redis: "127\.0\.0\.1:\d+" refused AUTH: WRONGPASS[^(]*\(pa_redis password_file=, user=\)/]



=== TEST 4: no password to a Redis that wants one: 503, not a hang
--- init
Test::More::is(main::stored(), 2, 'the refused report was not stored');
--- http_config eval
::pa_redis("127.0.0.1:$::Node")
--- more_headers eval
"$::Json\nIdempotency-Key: auth-4"
--- request eval
"POST /api/v1/reports\n" . ::report(14)
--- error_code: 503
--- response_headers_like
Retry-After: \d+
--- response_body_like: "code":"unavailable"
--- error_log eval
# NOAUTH, or, for a script over 16 KB (Redis's limit on a bulk string
# before AUTH), "Protocol error: unauthenticated bulk length"
qr/refused SCRIPT LOAD: (NOAUTH|ERR Protocol error: unauthenticated)/



=== TEST 5: sentinels with requirepass, the module's ACL user on them, and the primary's user: the sentinel names the primary, 201
--- http_config eval
::pa_redis("sentinel=127.0.0.1:$::Sentinel master=pa"
           . " sentinel_user=pa-watch sentinel_password_file=$::Data/watch.pw"
           . " user=pa-app password_file=$::Data/app.pw")
--- more_headers eval
"$::Json\nIdempotency-Key: auth-5"
--- request eval
"POST /api/v1/reports\n" . ::report(15)
--- error_code: 201
--- response_body_like: "access_token":"
--- error_log eval
qr/sentinel "127\.0\.0\.1:\d+" names "127\.0\.0\.1:$::Node" the primary of "pa"/
--- no_error_log
refused AUTH



=== TEST 6: the sentinels' default user (sentinel_password_file= alone): 201
--- http_config eval
::pa_redis("sentinel=127.0.0.1:$::Sentinel master=pa"
           . " sentinel_password_file=$::Data/sentinel.pw"
           . " password_file=$::Data/node.pw")
--- more_headers eval
"$::Json\nIdempotency-Key: auth-6"
--- request eval
"POST /api/v1/reports\n" . ::report(16)
--- error_code: 201
--- response_body_like: "access_token":"



=== TEST 7: a wrong sentinel password: no primary is known, 503 with Retry-After at once, an [error] naming the sentinel and the setting
--- http_config eval
::pa_redis("sentinel=127.0.0.1:$::Sentinel master=pa"
           . " sentinel_password_file=$::Data/wrong.pw"
           . " password_file=$::Data/node.pw")
--- more_headers eval
"$::Json\nIdempotency-Key: auth-7"
--- request eval
"POST /api/v1/reports\n" . ::report(17)
--- error_code: 503
--- response_headers_like
Retry-After: \d+
--- response_body_like: "code":"unavailable"
--- wait: 0.5
--- error_log eval
[qr/\[error\].*pa redis: sentinel "127\.0\.0\.1:\d+" refused AUTH: WRONGPASS[^(]*\(pa_redis sentinel_password_file=, sentinel_user=\)/,
 qr/no sentinel named the primary/]



=== TEST 8: sentinels that want a password, none given: 503
--- init
Test::More::is(main::stored(), 4, 'the refused reports were not stored');
--- http_config eval
::pa_redis("sentinel=127.0.0.1:$::Sentinel master=pa"
           . " password_file=$::Data/node.pw")
--- more_headers eval
"$::Json\nIdempotency-Key: auth-8"
--- request eval
"POST /api/v1/reports\n" . ::report(18)
--- error_code: 503
--- response_body_like: "code":"unavailable"
--- wait: 0.5
--- error_log eval
qr/sentinel "127\.0\.0\.1:\d+" refused: NOAUTH/



=== TEST 9: user= without a password stops nginx
--- http_config eval
::pa_redis("127.0.0.1:$::Node user=pa-app")
--- must_die
--- error_log
"user=" needs "password_file="



=== TEST 10: sentinel_password_file= without sentinel= stops nginx
--- http_config eval
::pa_redis("127.0.0.1:$::Node sentinel_password_file=$::Data/sentinel.pw")
--- must_die
--- error_log
"sentinel_password_file=" needs "sentinel="



=== TEST 11: a password file that holds no password stops nginx
--- http_config eval
::pa_redis("127.0.0.1:$::Node password_file=$::Data/empty.pw")
--- must_die
--- error_log eval
qr/"[^"]*empty\.pw" holds no password/



=== TEST 12: a password file nginx cannot open stops nginx
--- http_config eval
::pa_redis("127.0.0.1:$::Node password_file=$::Data/none.pw")
--- must_die
--- error_log eval
qr/none\.pw" failed/



=== TEST 13: password= and password_file= together stop nginx
--- http_config eval
::pa_redis("127.0.0.1:$::Node password=x password_file=$::Data/node.pw")
--- must_die
--- error_log
the password is set twice
