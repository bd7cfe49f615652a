# nginx's own refusals of a GeoReport client's request (a URI longer than
# the head buffers: 414; a bad Content-Length: 400) answer in GeoReport's
# error format, in the format its path asks for, with the shipped
# conf-examples/pa-errors.conf (and slow-clients.conf's head buffers:
# Test::Nginx sets some of that file's directives itself).
#
# A request line too long for the buffers is never parsed into a URI:
# the 414 went out in the API's {"error": ...}, which a GeoReport client
# cannot read; the 400 of a .json path came as XML (the error page's
# path, /.pa-error, was taken for the client's).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

# a list of ids longer than large_client_header_buffers (4 8k)
our $Ids = CORE::join(',', map { "260122-A${_}AAAAAA" } 1000 .. 1700);

setting(http_config => <<'_EOC_', config => <<'_EOC_');
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_o311_refuse;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_sla verify 1d;
    large_client_header_buffers 4 8k;
_EOC_
    include $TEST_NGINX_ROOT/conf-examples/pa-errors.conf;

    location /api/v1/ {
        pa_api;
        error_page 400 404 405 408 411 413 414 415 429 500 502 503 504
                   @pa_error;
    }

    location /open311/v2/ {
        pa_api;
        error_page 400 404 405 408 411 413 414 415 429 500 502 503 504
                   @pa_error;
    }

    location @pa_error { pa_error; }
_EOC_

run_tests();

__DATA__

=== TEST 1: a GeoReport list too long for the head (.xml): 414 as <errors>
--- request eval
"GET /open311/v2/requests.xml?service_request_id=$::Ids"
--- error_code: 414
--- response_headers_like
Content-Type: text/xml.*
--- response_body_like eval
qr{^<\?xml[^>]*>\n?<errors><error><code>414</code><description>[^<]*URI is too long</description></error></errors>\s*$}



=== TEST 2: the same as .json: 414 as [{"code", "description"}]
--- request eval
"GET /open311/v2/requests.json?service_request_id=$::Ids"
--- error_code: 414
--- response_headers_like
Content-Type: application/json.*
--- response_body_like eval
qr{^\[\{"code":414,"description":"[^"]*URI is too long"\}\]\s*$}



=== TEST 3: the API's own clients keep the API's format
--- request eval
"GET /api/v1/queue?state=$::Ids"
--- error_code: 414
--- response_headers_like
Content-Type: application/json.*
--- response_body_like eval
qr{^\{"error":\{"code":"[a-z_]+","message":"[^"]*URI is too long"\}\}\s*$}



=== TEST 4: a bad Content-Length on a .json path: GeoReport's JSON, not XML
--- raw_request eval
"POST /open311/v2/requests.json HTTP/1.1\r\nHost: localhost\r\nContent-Length: 12x\r\n\r\n{}"
--- error_code: 400
--- response_headers_like
Content-Type: application/json.*
--- response_body_like eval
qr{^\[\{"code":400,"description":"[^"]+"\}\]\s*$}
