# A revoked staff token is refused by every worker of the node that
# answered the revocation, from the answer on (api.md: "locked out within
# seconds"; the admin was told "revoked").  Each worker's copy of the set
# is read from Redis every second, so the node's other workers honoured
# the lost phone's token until their next read; they now see what this
# node revoked at once ("pa_revoked" zone), and what another node revoked
# (only in Redis) within their next read.
#
# A person's revocation also refuses a token of theirs minted before it by
# a clock that was fast (iat ahead of the revocation by up to the minute
# ngx_pa_auth.c accepts): it used to outlive the revocation.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use IO::Socket::INET;

$Test::Nginx::Util::ForceRestartOnTest = 0;
master_on();
workers(4);

fresh('t_revoke_w');

our $Now = time;

sub staff {
    return sign({ role => 'ioc', sub => 'ioc-binh', exp => $Now + 3600,
                  @_ });
}

our %K = (
    admin => sign({ role => 'admin', sub => 'admin-son', jti => 'j-adm',
                    iat => $Now - 60, exp => $Now + 3600 }),
    phone => staff(jti => 'j-phone', iat => $Now - 60),
    other => staff(jti => 'j-node2', iat => $Now - 60),
    fast  => sign({ role => 'ioc', sub => 'ioc-cuong', jti => 'j-fast',
                    iat => $Now + 30, exp => $Now + 3600 }),
);

# the asks go to a server of their own that listens with reuseport: the
# kernel spreads connections over the workers by their address and port,
# so 40 of them reach several workers, loaded machine or not
our $Spread = t::PaTest::free_port();

# one request on a connection of its own: (status, the worker's pid)
sub main::ask {
    my ($method, $path, $token, $body) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $Spread)
        or die "connect: $!";
    $body //= '';
    print $s "$method $path HTTP/1.0\r\nHost: localhost\r\n"
             . "Authorization: Bearer $token\r\n"
             . "Content-Type: application/json\r\n"
             . "Content-Length: " . length($body) . "\r\n\r\n$body";
    local $/;
    my $a = <$s> // '';
    my ($status) = $a =~ m{^HTTP/1\.\d (\d+)};
    my ($pid) = $a =~ /^X-Pid: (\d+)/mi;
    return ($status // 0, $pid // 0);
}

# n asks with a token: how many were not 401, on how many workers
sub main::tries {
    my ($token, $n) = @_;
    my ($taken, %pid) = (0);
    for (1 .. $n) {
        my ($st, $pid) = main::ask('GET', '/api/v1/queue', $token);
        $taken++ if $st != 401;
        $pid{$pid} = 1;
    }
    return ($taken, scalar keys %pid);
}

setting(config => api(), http_config => <<"_EOC_");
    pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts \$TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_revoke_w;
    pa_auth_secret_file \$TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file \$TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir \$TEST_NGINX_PA_DATA/media;
    pa_auth_max_ttl 12h;

    server {
        listen 127.0.0.1:$Spread reuseport;
        add_header X-Pid \$pid always;
        location /api/v1/ { pa_api; }
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: before: the phone's token works on every worker
--- init
# the workers read the (empty) set once
select(undef, undef, undef, 0.5);
my ($taken, $workers) = main::tries($::K{phone}, 40);
Test::More::is($taken, 40, 'taken 40 times of 40');
Test::More::cmp_ok($workers, '>=', 2, "$workers workers answered");
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 2: revoked through one worker: refused by all of them from the answer on
--- init
my ($st) = main::ask('POST', '/api/v1/admin/tokens/revoke', $::K{admin},
                     '{"jti":"j-phone"}');
Test::More::is($st, 200, 'the admin is told: revoked');
# at once: well within the workers' next read of the set
my ($taken, $workers) = main::tries($::K{phone}, 40);
Test::More::is($taken, 0, 'no worker took the revoked token');
Test::More::cmp_ok($workers, '>=', 2, "$workers workers answered");
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 3: revoked on another node (only in Redis): refused by every worker after their next read
--- init
main::redis('ZADD', 'pa:{t_revoke_w}:revoked', $::Now, 'jti:j-node2');
# a read each second: 2.5 s covers one on a busy machine
select(undef, undef, undef, 2.5);
my ($taken, $workers) = main::tries($::K{other}, 40);
Test::More::is($taken, 0, 'no worker took it');
Test::More::cmp_ok($workers, '>=', 2, "$workers workers answered");
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 4: a token minted 30 s before "now" by a fast clock (iat ahead): taken before its holder is revoked
--- init
my ($taken) = main::tries($::K{fast}, 4);
Test::More::is($taken, 4, 'taken');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 5: ... and refused once its holder is revoked
--- init
my ($st) = main::ask('POST', '/api/v1/admin/tokens/revoke', $::K{admin},
                     '{"sub":"ioc-cuong"}');
Test::More::is($st, 200, 'the person is revoked');
my ($taken) = main::tries($::K{fast}, 20);
Test::More::is($taken, 0, 'the fast-minted token is refused');
--- request
GET /api/v1/health
--- error_code: 200
