# What nginx refuses before the module sees a request answers in the API's
# JSON all the same (conf-examples/pa-errors.conf, included as shipped),
# and the access log of conf-examples/log-format.conf never holds a
# reporter's token or an Open311 key (issue 15).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

our $Json = '^\{"error":\{"code":"bad_request","message":"[^"]+"\}\}$';

# a list of ids longer than the head buffers below (4 1k)
our $Ids = CORE::join(',', map { "260122-A${_}AAAAAA" } 1000 .. 1200);

setting(http_config => <<'_EOC_', config => <<'_EOC_');
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_protocol;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_sla verify 1d;
    include $TEST_NGINX_ROOT/conf-examples/log-format.conf;
    access_log $TEST_NGINX_PA_DATA/pa-access.log pa;
    large_client_header_buffers 4 1k;
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

# nothing secret in the access log of all the blocks above
my $log = -e "$Data/pa-access.log" ? slurp("$Data/pa-access.log") : '';
like($log, qr{"GET /api/v1/reports/261124-AAAAAAAA HTTP/1\.1" 404},
     'the access log has the reads');
unlike($log, qr/SECRET/, 'no token or API key in the access log');
like($log, qr{"GET /open311/v2/tokens/\*\*\*\.json HTTP}, "GeoReport's token masked");
my @masked = $log =~ m{"GET /open311/v2/tokens/\*\*\*\.json HTTP}g;
is(scalar @masked, 3, "... however the path is spelled (TEST 8, 8b)");
like($log, qr{"GET /api/v1/media/\*\*\* HTTP}, "a handle masked (TEST 8b)");
like($log, qr{"POST /api/v1/reports HTTP/1\.1" 400},
     "nginx's own refusals are logged under the path sent");

__DATA__

=== TEST 1: a Content-Length that is not a number: 400 in JSON
--- raw_request eval
"POST /api/v1/reports HTTP/1.1\r\nHost: localhost\r\nContent-Length: 12x\r\n\r\n{}"
--- error_code: 400
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body_like eval
$::Json



=== TEST 2: Content-Length and chunked at once (request smuggling): 400 in JSON
--- raw_request eval
"POST /api/v1/reports HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
--- error_code: 400
--- response_body_like eval
$::Json



=== TEST 3: a chunk size that is not hex: 400 in JSON
--- raw_request eval
"POST /api/v1/reports HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
--- error_code: 400
--- response_body_like eval
$::Json



=== TEST 4: an unknown Transfer-Encoding (nginx's 501): 400 in JSON
--- raw_request eval
"POST /api/v1/reports HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"
--- error_code: 400
--- response_body_like: "message":"the Transfer-Encoding is not supported"



=== TEST 5: a header line larger than the buffers (nginx's 494): 400 in JSON
--- raw_request eval
"GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nX-Big: " . ('a' x 2048) . "\r\n\r\n"
--- error_code: 400
--- response_body_like eval
$::Json



=== TEST 6: a request line that is not HTTP: 400 in JSON
--- raw_request eval
"GET /api/v1/health HTTP/1.1 trailing\r\nHost: localhost\r\n\r\n"
--- error_code: 400
--- response_body_like eval
$::Json



=== TEST 7: GeoReport keeps its own error format for the same faults, in the path's format (JSON for .json: the error page's path, /.pa-error, was taken for the client's, and it came as XML)
--- raw_request eval
"POST /open311/v2/requests.json HTTP/1.1\r\nHost: localhost\r\nContent-Length: 12x\r\n\r\n{}"
--- error_code: 400
--- response_headers_like
Content-Type: application/json.*
--- response_body_like eval
qr{^\[\{"code":400,"description":"[^"]+"\}\]\s*$}



=== TEST 7b: a GeoReport request line longer than the head buffers (.xml): 414 as <errors>, not the API's {"error": ...} (the line is never parsed into a URI: the path is taken from the part nginx read)
--- request eval
"GET /open311/v2/requests.xml?service_request_id=$::Ids"
--- error_code: 414
--- response_headers_like
Content-Type: text/xml.*
--- response_body_like eval
qr{^<\?xml[^>]*>\n?<errors><error><code>414</code><description>[^<]*URI is too long</description></error></errors>\s*$}



=== TEST 7c: the same as .json: 414 as [{"code", "description"}]
--- request eval
"GET /open311/v2/requests.json?service_request_id=$::Ids"
--- error_code: 414
--- response_headers_like
Content-Type: application/json.*
--- response_body_like eval
qr{^\[\{"code":414,"description":"[^"]*URI is too long"\}\]\s*$}



=== TEST 7d: the API's own clients keep the API's format
--- request eval
"GET /api/v1/queue?state=$::Ids"
--- error_code: 414
--- response_body_like eval
qr{^\{"error":\{"code":"bad_request","message":"the URI is too long"\}\}\s*$}



=== TEST 8: the access log sees the path, never a token in the query or the path
--- pipelined_requests eval
["GET /api/v1/reports/261124-AAAAAAAA?token=SECRET-REPORTER-TOKEN",
 "GET /open311/v2/tokens/SECRET-TOKEN-IN-PATH.json"]
--- error_code eval
[404, 404]



=== TEST 8b: ... nor a token in a path spelled otherwise (a double slash, an escaped letter), which nginx serves as the same path
--- pipelined_requests eval
["GET /open311/v2//tokens/AB-1~SECRET-DOUBLE-SLASH.json",
 "GET /open311/v2/%74okens/AB-1~SECRET-ESCAPED.json",
 "GET /api/v1//media/SECRET-HANDLE-DOUBLE-SLASH"]
--- error_code eval
[404, 404, 404]



=== TEST 9: ... nor an Open311 API key
--- request
GET /open311/v2/services.json?api_key=SECRET-API-KEY
--- error_code_like: ^(?:200|403)$



=== TEST 10: TRACE, which nginx refuses itself (405) before any location: 405 method_not_allowed in JSON, not nginx's HTML page
--- raw_request eval
"TRACE /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n"
--- error_code: 405
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body_like eval
qr{^\{"error":\{"code":"method_not_allowed","message":"[^"]+"\}\}\s*$}



=== TEST 10b: ... and under /open311/v2/ in GeoReport's format (.xml)
--- raw_request eval
"TRACE /open311/v2/services.xml HTTP/1.1\r\nHost: localhost\r\n\r\n"
--- error_code: 405
--- response_headers_like
Content-Type: text/xml.*
--- response_body_like eval
qr{<errors><error><code>405</code><description>[^<]+</description></error></errors>\s*$}



=== TEST 11: an HTTP version nginx does not speak on this connection (its 505): 400 in JSON, not nginx's HTML page
--- raw_request eval
"GET /api/v1/health HTTP/2.0\r\nHost: localhost\r\n\r\n"
--- error_code: 400
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body_like: ^\{"error":\{"code":"bad_request","message":"the HTTP version is not supported"\}\}\s*$
