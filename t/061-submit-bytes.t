# A JSON submission's bytes end to end (issue 12, the worker's CPU): the
# strings written by ngx_pa_jstr.c (escapes, marks, emoji) come back as
# sent; the submission's print, over its fields as values (names sorted,
# reals at 17 digits, ngx_pa_dtoa.c), makes a retry of the same report
# with the same Idempotency-Key a replay, however its JSON is spelled,
# and a retry with another value not one.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

setting(http_config => submit_http('t_submit_bytes'));

run_tests();

__DATA__

=== TEST 1: a report with every escape JSON has, combining marks and an emoji, and coordinates to 15 digits
--- more_headers
Content-Type: application/json
X-PA-Now: 2026-03-02T09:00:00+07:00
X-PA-Test-Id: B-0001
X-PA-Test-Token: token-of-the-reporter-b-0001
Idempotency-Key: bytes-0001
--- request
POST /api/v1/reports
{"content":"C\u00f4ng \"c\u1ed1ng\" \\ t\u1eafc\n\tg\u1ea7n s\u1ed1 5 /x \ud83d\ude00 Co\u0302\u0301ng","lat":22.123456789012345,"lng":103.1,"reporter_name":"Nguy\u1ec5n V\u0103n B","reporter_phone":"0912 000 061","channel":"app"}
--- error_code: 201
--- response_body
{"id":"B-0001","status":"submitted","access_token":"token-of-the-reporter-b-0001","urgent":false,"media":[],"deadlines":[{"step":"verify","due":"2026-03-03T09:00:00+07:00"}],"created_at":"2026-03-02T09:00:00+07:00"}



=== TEST 2: the reporter reads the text back as sent, its escapes as jansson writes them, the position to 7 decimals
--- more_headers
X-Report-Token: token-of-the-reporter-b-0001
X-PA-Now: 2026-03-02T09:05:00+07:00
--- request
GET /api/v1/reports/B-0001
--- error_code: 200
--- response_body_like eval
my $c = "C\xc3\xb4ng \\\"c\xe1\xbb\x91ng\\\" \\\\ t\xe1\xba\xafc\\n\\tg\xe1\xba\xa7n"
      . " s\xe1\xbb\x91 5 /x \xf0\x9f\x98\x80 Co\xcc\x82\xcc\x81ng";
qr/"content":"\Q$c\E".*"lat":22\.1234568,"lng":103\.1,/



=== TEST 3: the same report again, its JSON spelled otherwise (names in another order, spaces, the same reals written longer): a replay of B-0001, not a new report
--- more_headers
Content-Type: application/json
X-PA-Now: 2026-03-02T09:00:00+07:00
X-PA-Test-Id: B-0001
X-PA-Test-Token: token-of-the-reporter-b-0001
Idempotency-Key: bytes-0001
--- request
POST /api/v1/reports
{ "channel" : "app", "lng" : 103.10000000000000, "lat" : 22.1234567890123450,
  "reporter_phone" : "0912 000 061", "reporter_name" : "Nguy\u1ec5n V\u0103n B",
  "content" : "C\u00f4ng \"c\u1ed1ng\" \\ t\u1eafc\n\tg\u1ea7n s\u1ed1 5 \/x \ud83d\ude00 Co\u0302\u0301ng" }
--- error_code: 201
--- response_body
{"id":"B-0001","status":"submitted","access_token":"token-of-the-reporter-b-0001","urgent":false,"media":[],"deadlines":[{"step":"verify","due":"2026-03-03T09:00:00+07:00"}],"created_at":"2026-03-02T09:00:00+07:00"}



=== TEST 4: the same key with a latitude another double (the 11th decimal): not the same submission
--- more_headers
Content-Type: application/json
X-PA-Now: 2026-03-02T09:00:00+07:00
X-PA-Test-Id: B-0001
X-PA-Test-Token: token-of-the-reporter-b-0001
Idempotency-Key: bytes-0001
--- request
POST /api/v1/reports
{"content":"C\u00f4ng \"c\u1ed1ng\" \\ t\u1eafc\n\tg\u1ea7n s\u1ed1 5 /x \ud83d\ude00 Co\u0302\u0301ng","lat":22.12345678902,"lng":103.1,"reporter_name":"Nguy\u1ec5n V\u0103n B","reporter_phone":"0912 000 061","channel":"app"}
--- error_code: 400
--- response_body
{"error":{"code":"invalid_field","message":"this Idempotency-Key was used for another submission","field":"Idempotency-Key"}}
