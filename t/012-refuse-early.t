# Refuse before reading (issue 11.4): the route, the method and, where the
# route needs one, the caller's credentials are decided from the request
# line and headers.  A client that announces 120 MB to a read-only route,
# or an action without a valid token, is answered before it sends the
# body, and nothing of that body is spooled to disk.  The client sends the
# headers and a few bytes only: an answer that waited for the body would
# never come (the block times out and fails).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

our $Big = 120 * 1024 * 1024;

sub announce {
    my ($line, @h) = @_;
    return join("\r\n", "$line HTTP/1.1", 'Host: localhost',
                "Content-Length: $Big", @h, '', '') . '{"content":';
}

setting(http_config => <<'_EOC_');
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_refuse_early;
    pa_profile test-profile;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_max_size 200m;
    pa_sla verify 1d;
_EOC_

# the body limit of the location would refuse 120 MB itself: raise it so
# that what refuses is the route, not client_max_body_size
our $Api = api() =~ s/pa_api;/pa_api;\n        client_max_body_size 200m;/r;

add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value('config', $Api) unless defined $block->config;
    $block->set_value('timeout', 1) unless defined $block->timeout;
    $block->set_value('abort', 1) unless defined $block->abort;
});

run_tests();

# nothing of the refused bodies reached nginx's body files
my @spooled = glob(Test::Nginx::Util::server_root() . '/client_body_temp/*/*');
is(scalar @spooled, 0, 'no body file was written') or diag("@spooled");

__DATA__

=== TEST 1: 120 MB announced to GET-only /health: 405 at once
--- raw_request eval
::announce('POST /api/v1/health', 'Content-Type: application/json')
--- error_code: 405
--- response_body_like: ^\{"error":\{"code":"method_not_allowed","message":"[^"]+"\}\}$



=== TEST 2: ... to a route that does not exist: 404 at once
--- raw_request eval
::announce('POST /api/v1/nothing-here', 'Content-Type: application/json')
--- error_code: 404
--- response_body_like: "code":"not_found"



=== TEST 3: ... to an action without a token: 401 at once
--- raw_request eval
::announce('POST /api/v1/reports/261124-AAAAAAAA/actions',
           'Content-Type: application/json')
--- error_code: 401
--- response_body_like: "code":"unauthorized"



=== TEST 4: ... to an action with a forged token: 401 at once
--- raw_request eval
::announce('POST /api/v1/reports/261124-AAAAAAAA/actions',
           'Content-Type: application/json',
           'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.forged')
--- error_code: 401
--- response_body_like: "code":"unauthorized"



=== TEST 5: a PUT of a report is 405 before its body, too
--- raw_request eval
::announce('PUT /api/v1/reports', 'Content-Type: application/json')
--- error_code: 405
--- response_body_like: "code":"method_not_allowed"



=== TEST 6: a valid route still reads its body: a small submit is stored
--- more_headers
Content-Type: application/json
--- request
POST /api/v1/reports
{"content":"Đèn đường hỏng","lat":22.396,"lng":103.458,"reporter_name":"Lò Văn A","reporter_phone":"0912345678"}
--- abort
--- error_code: 201
--- response_body_like: "status":"submitted"
