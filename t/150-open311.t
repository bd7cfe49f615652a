# Open311 GeoReport v2 under /open311/v2/: services from the directory,
# requests posted as a form (urlencoded), multipart with a real photo, or
# JSON, through every check of POST /api/v1/reports; errors in GeoReport's
# array format; the public list and one request: published reports only,
# never a name, phone or e-mail; the reporter's own request by its token;
# tokens/{token}.json.  Blocks run in order on one tenant.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest qw(:DEFAULT h act);

use Digest::SHA qw(sha256_hex);
use JSON::PP;

fresh('t_open311');

our $Photo = sha256_hex(slurp("$Fix/fresh-mm.jpg"));

our $Form = "Content-Type: application/x-www-form-urlencoded";
our $Now = "X-PA-Now: 2026-01-22T10:00:00+07:00";
our $Notice = 'Received. Keep the token: it is shown only once. With it '
    . 'you follow this request at /open311/v2/requests/{id}.json?token=... '
    . '(or /api/v1/reports/{id} with X-Report-Token). The request is listed '
    . 'publicly once its result is published.';

# what a GeoReport error looks like, exactly
sub err {
    my ($code, $description) = @_;
    return JSON::PP->new->canonical->encode(
        [{code => $code + 0, description => $description}]) . "\n";
}

our $Config_http = <<'_EOC_';
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_open311;
    pa_profile test-open311;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_directory $TEST_NGINX_ROOT/conf-examples/directory/laichau.json;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_utc_offset +07:00;
    pa_sla verify 2d wall;
    pa_sla receive 1d wall;
    pa_sla dispatch 1d wall;
    pa_sla accept 1d wall;
    pa_sla resolve 5d wall;
    pa_sla publish 1d wall;
    pa_test_clock on;
_EOC_

my $config = <<'_EOC_';
    location /api/v1/ {
        pa_api;
        error_page 400 404 405 413 415 429 500 503 @pa_error;
    }
    location /open311/v2/ {
        pa_api;
        error_page 400 404 405 413 415 429 500 503 @pa_error;
    }
    location @pa_error { pa_error; }
    location /media/ {
        alias $TEST_NGINX_PA_DATA/media/public/;
        types {
            image/jpeg jpg;
        }
    }
_EOC_

setting(http_config => $Config_http, config => $config);

run_tests();

__DATA__

=== TEST 1: services: the directory's categories, urgent ones say so, the default agency is the group
--- request
GET /open311/v2/services.json
--- error_code: 200
--- response_headers
Content-Type: application/json; charset=utf-8
Cache-Control: public, max-age=30
--- response_body_like: ^\[\{"service_code":"traffic","service_name":"Giao thông \(đường hư hỏng, ổ gà, biển báo\)","description":"Giao thông \(đường hư hỏng, ổ gà, biển báo\)","metadata":false,"type":"realtime","keywords":"","group":"Sở Xây dựng tỉnh Lai Châu"\},(\{[^{}]*\},){9}\{"service_code":"security",[^{}]*"keywords":"urgent",[^{}]*\},(\{[^{}]*\},){4}\{"service_code":"other","service_name":"Khác","description":"Khác","metadata":false,"type":"realtime","keywords":"","group":""\}\]$



=== TEST 2: one service's definition: no attributes
--- request
GET /open311/v2/services/fire.json
--- error_code: 200
--- response_body_like: ^\{"service_code":"fire","service_name":"Cháy nổ","description":"Cháy nổ","metadata":false,"type":"realtime","keywords":"urgent","group":"[^"]+","attributes":\[\]\}$



=== TEST 3: unknown service, unknown resource, xml, a wrong method: GeoReport errors
--- pipelined_requests eval
["GET /open311/v2/services/no-such.json", "GET /open311/v2/discovery.json",
 "GET /open311/v2/services.xml", "GET /open311/v2/requests",
 "PUT /open311/v2/services.json\nx", "DELETE /open311/v2/requests.json"]
--- error_code eval
[404, 404, 400, 404, 405, 405]
--- response_body eval
[main::err(404, 'not_found: service_code: no such service'),
 main::err(404, 'not_found: no such resource (GeoReport v2: services, requests, tokens; .json)'),
 main::err(400, 'bad_request: only the JSON format is served: use .json'),
 main::err(404, 'not_found: no such resource (GeoReport v2: services, requests, tokens; .json)'),
 main::err(405, 'method_not_allowed: method not allowed here'),
 main::err(405, 'method_not_allowed: method not allowed here')]



=== TEST 4: nothing is published yet: the list is empty
--- request
GET /open311/v2/requests.json
--- error_code: 200
--- response_body
[]



=== TEST 5: a request as a form: the id at once, the reporter's token, Location of the report
--- more_headers eval
"$::Form\n$::Now\nX-PA-Test-Id: O-1\nX-PA-Test-Token: token-open311-report-1"
--- request eval
"POST /open311/v2/requests.json\n"
. "jurisdiction_id=laichau&service_code=traffic&lat=22.396&long=103.458"
. "&description=%E1%BB%94+g%C3%A0+l%E1%BB%9Bn+tr%C3%AAn+%C4%91%C6%B0%E1%BB%9Dng+Tr%E1%BA%A7n+Ph%C3%BA"
. "&first_name=Th%E1%BB%8B+B%C3%ADch&last_name=Tr%E1%BA%A7n&phone=0912+345+678"
. "&email=bich%40example.vn&address_string=S%E1%BB%91+5+Tr%E1%BA%A7n+Ph%C3%BA"
. "&media_url=https%3A%2F%2Fexample.org%2Fo%2F1.jpg&device_id=abc&account_id="
--- error_code: 201
--- response_headers
Location: /api/v1/reports/O-1
--- response_body eval
'[{"service_request_id":"O-1","token":"token-open311-report-1","service_notice":"'
. $::Notice . '","account_id":null}]
'
--- no_error_log
[error]



=== TEST 6: the report is there for its reporter (the token), as any report: no personal data in it
--- more_headers
X-Report-Token: token-open311-report-1
--- request
GET /api/v1/reports/O-1
--- error_code: 200
--- response_body_like: ^\{"id":"O-1","status":"submitted","content":"Ổ gà lớn trên đường Trần Phú","content_original":"Ổ gà lớn trên đường Trần Phú","category":"traffic","channel":"app","lat":22.396,"lng":103.458,"address":"Số 5 Trần Phú","media_url":"https://example.org/o/1.jpg",.*"deadlines":\[\{"step":"verify","due":"2026-01-24T10:00:00\+07:00"
--- response_body_unlike: Bích|912345678|example\.vn|pii_|phone_hash|token_hash



=== TEST 7: the IOC reads the reporter: names joined family first, the phone normalised; the history says the door
--- more_headers eval
["Authorization: Bearer $::T{ioc}", "Authorization: Bearer $::T{ioc}"]
--- pipelined_requests eval
["GET /api/v1/reports/O-1/reporter", "GET /api/v1/reports/O-1/history"]
--- error_code eval
[200, 200]
--- response_body_like eval
['"name":"Trần Thị Bích","phone":"\+84912345678","email":"bich@example.vn"',
 '^\[\{"at":"2026-01-22T10:00:00\+07:00","role":"reporter","actor":"reporter","action":"submit","from":null,"to":"submitted","note":"Open311 GeoReport v2"\}\]$']



=== TEST 8: unpublished: not in requests/{id}.json (404 in GeoReport's format), nor in the list
--- pipelined_requests eval
["GET /open311/v2/requests/O-1.json", "GET /open311/v2/requests/O-404.json",
 "GET /open311/v2/requests.json?service_request_id=O-1",
 "GET /open311/v2/requests/O-1.json?token=a-wrong-token-0000"]
--- error_code eval
[404, 404, 200, 404]
--- response_body eval
[main::err(404, 'not_found: service_request_id: no such request'),
 main::err(404, 'not_found: service_request_id: no such request'),
 "[]\n",
 main::err(404, 'not_found: service_request_id: no such request')]



=== TEST 9: ... but its reporter follows it with the token: open, the state, the step's deadline, never cached
--- request
GET /open311/v2/requests/O-1.json?token=token-open311-report-1
--- error_code: 200
--- response_headers
Cache-Control: private, no-store
--- response_body
[{"service_request_id":"O-1","status":"open","status_notes":"submitted","service_name":"Giao thông (đường hư hỏng, ổ gà, biển báo)","service_code":"traffic","description":"Ổ gà lớn trên đường Trần Phú","agency_responsible":null,"service_notice":null,"requested_datetime":"2026-01-22T10:00:00+07:00","updated_datetime":"2026-01-22T10:00:00+07:00","expected_datetime":"2026-01-24T10:00:00+07:00","address":"Số 5 Trần Phú","address_id":null,"zipcode":null,"lat":22.396,"long":103.458,"media_url":null}]
--- no_error_log
[error]



=== TEST 10: tokens/{token}.json: the request id of a token; an unknown token is 404
--- pipelined_requests eval
["GET /open311/v2/tokens/token-open311-report-1.json",
 "GET /open311/v2/tokens/no-such-token-at-all.json",
 "GET /open311/v2/tokens.json"]
--- error_code eval
[200, 404, 404]
--- response_body eval
["[{\"service_request_id\":\"O-1\",\"token\":\"token-open311-report-1\"}]\n",
 main::err(404, 'not_found: token: no request for this token'),
 main::err(404, 'not_found: no such resource (GeoReport v2: services, requests, tokens; .json)')]



=== TEST 11: validation errors: the contract's code and the field as GeoReport names it
--- more_headers eval
"$::Form\n$::Now"
--- pipelined_requests eval
["POST /open311/v2/requests.json\nservice_code=traffic&lat=22.39&long=103.45&first_name=A&phone=0912345678",
 "POST /open311/v2/requests.json\ndescription=x&lat=222&long=103.45&first_name=A&phone=0912345678",
 "POST /open311/v2/requests.json\ndescription=x&lat=22.39&long=103.45&first_name=A&phone=12345",
 "POST /open311/v2/requests.json\ndescription=x&lat=22.39&long=103.45&phone=0912345678",
 "POST /open311/v2/requests.json\ndescription=x&service_code=nope&lat=22.39&long=103.45&first_name=A&phone=0912345678",
 "POST /open311/v2/requests.json\ndescription=x&lat=22.39&first_name=A&phone=0912345678",
 "POST /open311/v2/requests.json\ndescription=x&lat=22.39&long=103.45&first_name=A&phone=0912345678&media_url=file%3A%2F%2F%2Fetc%2Fpasswd",
 "POST /open311/v2/requests.json\ndescription=x&lat=22.39&long=103.45&first_name=A&phone=0912345678&email=no-at-sign",
 "POST /open311/v2/requests.json\ndescription=%ZZ&lat=22.39",
 "POST /open311/v2/requests.json\ndescription=x&description=y",
 "POST /open311/v2/requests.json\ndescription=%C3%28&lat=22.39"]
--- error_code eval
[400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400]
--- response_body eval
[main::err(400, 'missing_field: description: this field is required'),
 main::err(400, 'invalid_field: lat: must be a latitude in degrees'),
 main::err(400, 'invalid_field: phone: not a Vietnamese phone number (0xxxxxxxxx or +84xxxxxxxxx)'),
 main::err(400, 'missing_field: first_name: this field is required'),
 main::err(400, 'invalid_field: service_code: no such category in the directory'),
 main::err(400, 'missing_field: long: lat and lng go together'),
 main::err(400, 'invalid_field: media_url: must be an http:// or https:// URL'),
 main::err(400, 'invalid_field: email: not an e-mail address'),
 main::err(400, 'bad_request: malformed form body (a bad %-escape)'),
 main::err(400, 'invalid_field: description: the field is given twice'),
 main::err(400, 'invalid_utf8: description: the field is not valid UTF-8 text')]



=== TEST 12: other bodies: JSON is accepted, plain text is not (415)
--- more_headers eval
["Content-Type: application/json\n$::Now\nX-PA-Test-Id: O-3",
 "Content-Type: text/plain\n$::Now"]
--- pipelined_requests eval
["POST /open311/v2/requests.json\n{\"service_code\":\"lighting\",\"lat\":22.401,\"long\":103.461,\"description\":\"Đèn đường tắt cả tuần\",\"first_name\":\"Văn C\",\"last_name\":\"Lò\",\"phone\":\"0977000111\"}",
 "POST /open311/v2/requests.json\nhello"]
--- error_code eval
[201, 415]
--- response_body eval
[qr/^\[\{"service_request_id":"O-3","token":"[A-Za-z0-9_-]{43}","service_notice":"Received\. [^"]+","account_id":null\}\]$/,
 main::err(415, 'unsupported_media: send application/x-www-form-urlencoded, multipart/form-data or application/json')]



=== TEST 13: a body above client_max_body_size: 413 from nginx, in GeoReport's format
--- config
    location /open311/v2/ {
        pa_api;
        client_max_body_size 1k;
        error_page 400 404 405 413 415 500 503 @pa_error;
    }
    location @pa_error { pa_error; }
--- more_headers eval
$::Form
--- request eval
"POST /open311/v2/requests.json\ndescription=" . ("x" x 4096)
--- error_code: 413
--- response_body eval
main::err(413, 'too_large: the request body is larger than allowed')



=== TEST 14: multipart with a real photo: the position comes from its EXIF
--- more_headers eval
"Content-Type: multipart/form-data; boundary=$::Boundary\n$::Now\nX-PA-Test-Id: O-2\nX-PA-Test-Token: token-open311-report-2"
--- request eval
"POST /open311/v2/requests.json\n" . main::multipart(
    [service_code => 'traffic'], [description => 'Cây đổ chắn ngang đường'],
    [first_name => 'Thị D'], [last_name => 'Hoàng'], [phone => '0988111222'],
    [address_string => 'Nhà số 9 ngõ 3'],
    ['media', 'fresh-mm.jpg', 'image/jpeg'])
--- error_code: 201
--- response_body eval
'[{"service_request_id":"O-2","token":"token-open311-report-2","service_notice":"'
. $::Notice . '","account_id":null}]
'
--- no_error_log
[error]



=== TEST 15: ... its media and position, for its reporter
--- more_headers
X-Report-Token: token-open311-report-2
--- request
GET /api/v1/reports/O-2
--- error_code: 200
--- response_body_like eval
'"lat":22.396\d*,"lng":103.458\d*,.*"media":\[\{"id":"' . $::Photo . '","type":"image/jpeg"'



=== TEST 16: O-2 goes its way: verified, received, dispatched, accepted, resolved, published
--- more_headers eval
[main::h('ioc', '2026-01-22T11:00:00+07:00'), main::h('ioc', '2026-01-22T12:00:00+07:00'),
 main::h('ioc', '2026-01-22T13:00:00+07:00'), main::h('xd', '2026-01-22T14:00:00+07:00'),
 main::h('xd', '2026-01-23T09:00:00+07:00'), main::h('ioc', '2026-01-23T10:00:00+07:00')]
--- pipelined_requests eval
[main::act('O-2', action => 'verify'), main::act('O-2', action => 'receive'),
 main::act('O-2', action => 'dispatch', agencies => ['so-xd']),
 main::act('O-2', action => 'accept'),
 main::act('O-2', action => 'resolve', summary => 'Đã dọn cây đổ, thông đường.', salutation => 'Bà'),
 main::act('O-2', action => 'publish')]
--- error_code eval
[200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"status":"verified"', '"status":"received"', '"status":"dispatched"',
 '"status":"in_progress"', '"status":"under_review"', '"status":"resolved"']



=== TEST 17: the list: O-2 only, closed, the result as notes, the lead agency, its public photo; no personal data, not even the address typed
--- request
GET /open311/v2/requests.json
--- error_code: 200
--- response_headers
Cache-Control: public, max-age=30
--- response_body eval
'[{"service_request_id":"O-2","status":"closed","status_notes":"Đã dọn cây đổ, thông đường.","service_name":"Giao thông (đường hư hỏng, ổ gà, biển báo)","service_code":"traffic","description":"Cây đổ chắn ngang đường","agency_responsible":"Sở Xây dựng tỉnh Lai Châu","service_notice":null,"requested_datetime":"2026-01-22T10:00:00+07:00","updated_datetime":"2026-01-23T10:00:00+07:00","expected_datetime":null,"address":null,"address_id":null,"zipcode":null,"lat":22.396,"long":103.458,"media_url":"/media/O-2/'
. $::Photo . '.jpg"}]
'
--- no_error_log
[error]



=== TEST 18: ... and never a name, phone or e-mail, whatever the query
--- pipelined_requests eval
["GET /open311/v2/requests.json", "GET /open311/v2/requests/O-2.json",
 "GET /open311/v2/requests.json?service_request_id=O-1,O-2,O-3"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"O-2"', '"O-2"', '^\[\{"service_request_id":"O-2",[^\[]*\}\]$']
--- response_body_unlike eval
['Hoàng|Thị D|988111222|Bích|912345678|example\.vn|token|pii|phone|email|first_name',
 'Hoàng|Thị D|988111222|Bích|912345678|example\.vn|token|pii|phone|email|first_name',
 'O-1|O-3|Hoàng|988111222|Bích|912345678']



=== TEST 19: the public photo's url serves the copy without metadata
--- request eval
"GET /media/O-2/$::Photo.jpg"
--- error_code: 200
--- response_headers
Content-Type: image/jpeg



=== TEST 20: filters: status, service_code, dates, pages; status=open lists nothing (the public sees only closed requests)
--- pipelined_requests eval
["GET /open311/v2/requests.json?status=closed",
 "GET /open311/v2/requests.json?status=open",
 "GET /open311/v2/requests.json?status=open,closed",
 "GET /open311/v2/requests.json?service_code=traffic",
 "GET /open311/v2/requests.json?service_code=lighting",
 "GET /open311/v2/requests.json?start_date=2026-01-22T00:00:00%2B07:00&end_date=2026-01-22T23:59:59%2B07:00",
 "GET /open311/v2/requests.json?start_date=2026-01-23T00:00:00Z",
 "GET /open311/v2/requests.json?end_date=2026-01-21T00:00:00+07:00",
 "GET /open311/v2/requests.json?page=2&page_size=1",
 "GET /open311/v2/requests.json?limit=1"]
--- error_code eval
[200, 200, 200, 200, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['^\[\{"service_request_id":"O-2"[^\[]*\}\]$', '^\[\]$',
 '^\[\{"service_request_id":"O-2"[^\[]*\}\]$',
 '^\[\{"service_request_id":"O-2"[^\[]*\}\]$', '^\[\]$',
 '^\[\{"service_request_id":"O-2"[^\[]*\}\]$', '^\[\]$', '^\[\]$', '^\[\]$',
 '^\[\{"service_request_id":"O-2"[^\[]*\}\]$']
--- no_error_log
[error]



=== TEST 21: bad filters: 400 in GeoReport's format
--- pipelined_requests eval
["GET /open311/v2/requests.json?status=pending",
 "GET /open311/v2/requests.json?service_code=nope",
 "GET /open311/v2/requests.json?start_date=yesterday",
 "GET /open311/v2/requests.json?page_size=1000",
 "GET /open311/v2/requests.json?service_request_id=O-1,,O-2"]
--- error_code eval
[400, 400, 400, 400, 400]
--- response_body eval
[main::err(400, 'invalid_field: status: open, closed or both'),
 main::err(400, 'invalid_field: service_code: no such service'),
 main::err(400, 'invalid_field: start_date: must be an RFC 3339 date-time with offset'),
 main::err(400, 'invalid_field: page_size: a whole number in range'),
 main::err(400, 'invalid_field: service_request_id: a comma list of at most 50 request ids')]



=== TEST 22: the reporter of the published request still reads it with the token: closed too
--- request
GET /open311/v2/requests/O-2.json?token=token-open311-report-2
--- error_code: 200
--- response_headers
Cache-Control: private, no-store
--- response_body_like: ^\[\{"service_request_id":"O-2","status":"closed","status_notes":"Đã dọn cây đổ, thông đường\.",.*"media_url":"/media/O-2/[0-9a-f]{64}\.jpg"\}\]$
--- no_error_log
[error]



=== TEST 23: a rejected request is closed for its reporter, with the reason
--- more_headers eval
[main::h('ioc', '2026-01-22T15:00:00+07:00'), "X-Report-Token: token-open311-report-1"]
--- pipelined_requests eval
[main::act('O-1', action => 'reject', reason => 'duplicate', message => 'Đã có phản ánh O-2'),
 "GET /open311/v2/requests/O-1.json"]
--- error_code eval
[200, 200]
--- response_body_like eval
['"status":"rejected"',
 '^\[\{"service_request_id":"O-1","status":"closed","status_notes":"rejected: duplicate",.*"expected_datetime":null,']



=== TEST 24: a duplicate from the same phone: 409 in GeoReport's format
--- more_headers eval
"$::Form\nX-PA-Now: 2026-01-22T16:00:00+07:00"
--- request
POST /open311/v2/requests.json
description=%C4%90%C3%A8n+%C4%91%C6%B0%E1%BB%9Dng+t%E1%BA%AFt+c%E1%BA%A3+tu%E1%BA%A7n&lat=22.401&long=103.461&first_name=C&phone=0977000111
--- error_code: 409
--- response_body eval
main::err(409, 'duplicate: you already sent this report and it is still being handled')



=== TEST 25: rate limited: 429 with Retry-After, in GeoReport's format
--- http_config eval
my $c = $::Config_http; $c =~ s/pa_tenant t_open311;/pa_tenant t_open311_limit;/;
$c . "pa_limit_zone 1m;\npa_limit addr rate=1r/m;\n"
--- more_headers eval
$::Form
--- pipelined_requests eval
["POST /open311/v2/requests.json\nx=1", "POST /open311/v2/requests.json\nx=1"]
--- error_code eval
[400, 429]
--- response_headers eval
["", "Retry-After: 60"]
--- response_body eval
[main::err(400, 'missing_field: description: this field is required'),
 main::err(429, 'rate_limited: too many requests, try again later')]
