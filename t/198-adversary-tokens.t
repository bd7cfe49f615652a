# The adversary's findings on staff tokens: a token issued "in the
# future" (the minting machine's clock ahead, or a local time taken for
# UTC: 7 h in Viet Nam) counted its lifetime from then, so it outlived
# pa_auth_max_ttl, and outlived a revocation of its holder, which spares
# the tokens issued after it.  Refused now; a node's clock a few seconds
# ahead is still fine.  Times are the real clock's (no X-PA-Now).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

our $Now = time;

sub tok {
    my ($iat, $exp, $sub) = @_;
    return sign({sub => $sub // 'ioc-clock', role => 'ioc', jti => "j$iat",
                 iat => $Now + $iat, exp => $Now + $exp});
}

our $Ahead7h = tok(7 * 3600, 8 * 3600);           # a 1 h token, minted
                                                   # with local time as UTC
our $Ahead10d = tok(10 * 86400 - 3600, 10 * 86400); # "1 h" that lives 10 d
our $Skew = tok(30, 3600);                         # a node 30 s ahead
our $Fine = tok(-10, 3600);

setting(config => api(), http_config => <<'_EOC_');
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_adv_tokens;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_auth_max_ttl 24h;
_EOC_

fresh('t_adv_tokens');
run_tests();

__DATA__

=== TEST 1: issued 7 h from now (local time taken for UTC): 401
--- more_headers eval
"Authorization: Bearer $::Ahead7h"
--- request
GET /api/v1/queue
--- error_code: 401
--- response_body_like: "code":"unauthorized"



=== TEST 2: "one hour" from an iat 10 days ahead: it would live 10 days past pa_auth_max_ttl 24h: 401
--- more_headers eval
"Authorization: Bearer $::Ahead10d"
--- request
GET /api/v1/queue
--- error_code: 401
--- response_body_like: "code":"unauthorized"



=== TEST 3: a node's clock 30 s ahead, and a token of now: taken
--- more_headers eval
["Authorization: Bearer $::Skew", "Authorization: Bearer $::Fine"]
--- pipelined_requests eval
["GET /api/v1/queue", "GET /api/v1/queue"]
--- error_code eval
[200, 200]
