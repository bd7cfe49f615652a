# The adversary's findings on configuration: a line an operator may write
# that nginx took, and that broke every request afterwards, stops nginx
# with a clear [emerg] instead.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

our $Http = <<'_EOC_';
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_adv_config;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
_EOC_

setting(config => api());

fresh('t_adv_config');
run_tests();

__DATA__

=== TEST 1: pa_redis timeout=0 (meant as "no limit"): every call timed out at once, every request was 503; now nginx stops
--- http_config eval
"$::Http    pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT timeout=0;\n"
--- must_die
--- error_log
invalid parameter "timeout=0"



=== TEST 2: ... and connect_timeout=0 likewise
--- http_config eval
"$::Http    pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT connect_timeout=0ms;\n"
--- must_die
--- error_log
invalid parameter "connect_timeout=0ms"



=== TEST 3: a timeout that says how long is taken, and Redis answers
--- http_config eval
"$::Http    pa_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT connect_timeout=300ms timeout=1s;\n"
--- request
GET /api/v1/health
--- error_code: 200
--- response_body_like: "redis":"up"
