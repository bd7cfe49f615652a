# POST /api/v1/reports with JSON bodies: the happy path and every
# validation error code of the contract.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

setting(http_config => submit_http('t_submit_json'));

run_tests();

__DATA__

=== TEST 1: a valid JSON report is stored and answered 201
--- more_headers
Content-Type: application/json
X-PA-Now: 2026-01-23T15:00:00+07:00
X-PA-Test-Id: J-0001
X-PA-Test-Token: token-of-the-reporter-0001
--- request
POST /api/v1/reports
{"content":"Ổ gà lớn trên đường Trần Hưng Đạo","lat":22.396,"lng":103.458,"reporter_name":"Nguyễn Văn A","reporter_phone":"0912 345 678","reporter_email":"van.a@example.vn","channel":"app"}
--- error_code: 201
--- response_headers
Location: /api/v1/reports/J-0001
Content-Type: application/json; charset=utf-8
--- response_body_like: ^\{"id":"J-0001","status":"submitted","access_token":"token-of-the-reporter-0001","urgent":false,"media":\[\],"deadlines":\[\{"step":"verify","due":"2026-01-26T15:00:00\+07:00"\}\],"created_at":"2026-01-23T15:00:00\+07:00"\}



=== TEST 2: the reporter reads it with the access token, without personal data
--- more_headers
X-Report-Token: token-of-the-reporter-0001
X-PA-Now: 2026-01-23T16:00:00+07:00
--- request
GET /api/v1/reports/J-0001
--- error_code: 200
--- response_body_like: "id":"J-0001".*"status":"submitted".*"content":"Ổ gà lớn trên đường Trần Hưng Đạo".*"channel":"app".*"lat":22.396.*"deadlines":\[\{"step":"verify","due":"2026-01-26T15:00:00\+07:00","overdue":false\}\],"overdue":false



=== TEST 2b: the reporter's view never holds personal data or secrets
--- more_headers
X-Report-Token: token-of-the-reporter-0001
--- request
GET /api/v1/reports/J-0001
--- error_code: 200
--- response_body_unlike: Nguy|912345678|pii_|token_hash|phone_hash|token-of



=== TEST 2c: nothing in Redis holds the name, phone or e-mail in clear
--- init
# every key of the tenant with its whole content, whatever its type
my $dump = main::redis('--no-raw', 'EVAL', q{local out = {} for _, k in ipairs(redis.call('KEYS', ARGV[1])) do local t = redis.call('TYPE', k).ok local v if t == 'hash' then v = redis.call('HGETALL', k) elseif t == 'list' then v = redis.call('LRANGE', k, 0, -1) elseif t == 'zset' then v = redis.call('ZRANGE', k, 0, -1) elseif t == 'set' then v = redis.call('SMEMBERS', k) elseif t == 'string' then v = {redis.call('GET', k)} elseif t == 'stream' then v = {} for _, e in ipairs(redis.call('XRANGE', k, '-', '+')) do for _, f in ipairs(e[2]) do v[#v + 1] = f end end end out[#out + 1] = k for _, x in ipairs(v or {}) do out[#out + 1] = x end end return out}, '0',
                       'pa:{t_submit_json}:*');
Test::More::like($dump, qr/J-0001/, "the dump holds the report");
Test::More::unlike($dump, qr/Nguy|V\x{0103}n|V\\u0103n|0912|912345678|912 345|van\.a|example\.vn/,
                   "no name, phone or e-mail in clear");
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 3: a wrong token gets 404, as an unknown id does
--- more_headers
X-Report-Token: not-the-token-of-the-reporter
--- pipelined_requests eval
["GET /api/v1/reports/J-0001", "GET /api/v1/reports/J-9999"]
--- error_code eval
[404, 404]
--- response_body eval
['{"error":{"code":"not_found","message":"no such report"}}
', '{"error":{"code":"not_found","message":"no such report"}}
']



=== TEST 4: no token at all is 401
--- request
GET /api/v1/reports/J-0001
--- error_code: 401
--- response_body_like: "code":"unauthorized"



=== TEST 5: each validation error has its code and field
--- more_headers
Content-Type: application/json
--- pipelined_requests eval
[
"POST /api/v1/reports\n" . '{"lat":22.4,"lng":103.4,"reporter_name":"A","reporter_phone":"0912345678"}',
"POST /api/v1/reports\n" . '{"content":"  \t ","lat":22.4,"lng":103.4,"reporter_name":"A","reporter_phone":"0912345678"}',
"POST /api/v1/reports\n" . '{"content":"x","lat":22.4,"lng":103.4,"reporter_name":"A","reporter_phone":"12345"}',
"POST /api/v1/reports\n" . '{"content":"x","lat":95,"lng":103.4,"reporter_name":"A","reporter_phone":"0912345678"}',
"POST /api/v1/reports\n" . '{"content":"x","lat":22.4,"lng":"abc","reporter_name":"A","reporter_phone":"0912345678"}',
"POST /api/v1/reports\n" . '{"content":"x","reporter_name":"A","reporter_phone":"0912345678"}',
"POST /api/v1/reports\n" . '{"content":"x","lat":22.4,"lng":103.4,"reporter_phone":"0912345678"}',
"POST /api/v1/reports\n" . '{"content":"x","lat":22.4,"lng":103.4,"reporter_name":"A","reporter_phone":"0912345678","occurred_at":"yesterday"}',
"POST /api/v1/reports\n" . '{"content":"x","lat":22.4,"lng":103.4,"reporter_name":"A","reporter_phone":"0912345678","reporter_email":"not-an-email"}',
"POST /api/v1/reports\n" . '{"content":"x","lat":22.4,"lng":103.4,"reporter_name":"A","reporter_phone":"0912345678","channel":"pigeon"}',
"POST /api/v1/reports\n" . '{"content":"x","lat":22.4,"lng":103.4,"reporter_name":"A","reporter_phone":"0912345678","publish_identity":"maybe"}',
"POST /api/v1/reports\n" . '{"content": 42,"lat":22.4,"lng":103.4,"reporter_name":"A","reporter_phone":"0912345678"}',
"POST /api/v1/reports\n" . '{"content":"x", "lat":',
"POST /api/v1/reports\n" . '[1,2,3]',
"POST /api/v1/reports\n" . "{\"content\":\"\xff\xfe\",\"lat\":22.4,\"lng\":103.4}",
"POST /api/v1/reports\n" . '{"content":"x","content":"y"}',
]
--- error_code eval
[400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400]
--- response_body_like eval
[
'"code":"missing_field".*"field":"content"',
'"code":"missing_field".*"field":"content"',
'"code":"invalid_field".*"field":"reporter_phone"',
'"code":"invalid_field".*"field":"lat"',
'"code":"invalid_field".*"field":"lng"',
'"code":"missing_field".*"field":"lat"',
'"code":"missing_field".*"field":"reporter_name"',
'"code":"invalid_field".*"field":"occurred_at"',
'"code":"invalid_field".*"field":"reporter_email"',
'"code":"invalid_field".*"field":"channel"',
'"code":"invalid_field".*"field":"publish_identity"',
'"code":"invalid_field".*"field":"content"',
'"code":"invalid_json"',
'"code":"invalid_json"',
'"code":"invalid_utf8"',
'"code":"invalid_json"',
]



=== TEST 6: a body over client_max_body_size is 413 in JSON, never read
--- config
    location /api/v1/ {
        client_max_body_size 1k;
        pa_api;
        error_page 413 @pa_error;
    }
    location @pa_error { pa_error; }
--- more_headers
Content-Type: application/json
--- request eval
"POST /api/v1/reports\n" . '{"content":"' . ("x" x 2000) . '"}'
--- error_code: 413
--- response_body_like: \{"error":\{"code":"too_large","message":"[^"]+"\}\}



=== TEST 7: unknown paths and wrong methods answer JSON
--- pipelined_requests eval
["GET /api/v1/nothing-here", "DELETE /api/v1/reports", "GET /api/v1/reports/bad%20id", "POST /api/v1/health"]
--- error_code eval
[404, 405, 404, 405]
--- response_body_like eval
['"code":"not_found"', '"code":"method_not_allowed"', '"code":"not_found"', '"code":"method_not_allowed"']



=== TEST 8: health answers 200 while Redis answers
--- request
GET /api/v1/health
--- error_code: 200
--- response_body_like: "status":"ok","redis":"up","tenant":"t_submit_json","profile":"test-profile"



=== TEST 9: the reporter's choices are kept: identity shared with the agency
--- more_headers
Content-Type: application/json
X-PA-Test-Id: J-0002
X-PA-Test-Token: token-of-the-reporter-0002
--- request
POST /api/v1/reports
{"content":"Đồng ý chia sẻ danh tính","lat":22.4,"lng":103.4,"reporter_name":"B","reporter_phone":"0912000002","share_identity":true,"publish_identity":"false","private_result":true}
--- error_code: 201
--- response_body_like: "id":"J-0002"



=== TEST 10: ... and shown to the reporter
--- more_headers
X-Report-Token: token-of-the-reporter-0002
--- request
GET /api/v1/reports/J-0002
--- error_code: 200
--- response_body_like: "publish_identity":false.*"private_result":true.*"share_identity":true
