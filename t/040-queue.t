# GET /api/v1/queue: each role's work list, urgent first then the nearest
# open deadline, state= and overdue= filters, the limit; a handler sees a
# resolved report again while a comment waits for its answer.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

setting(http_config => queue_http('t_queue', 'test-queue'));

run_tests();

__DATA__

=== TEST 1: three reports: a normal one, an urgent one (fire), an older one
--- more_headers eval
["Content-Type: application/json\nX-PA-Now: 2026-02-02T09:00:00+07:00\nX-PA-Test-Id: Q-1\nX-PA-Test-Token: token-of-the-reporter-q-1",
 "Content-Type: application/json\nX-PA-Now: 2026-02-02T10:00:00+07:00\nX-PA-Test-Id: Q-2\nX-PA-Test-Token: token-of-the-reporter-q-2",
 "Content-Type: application/json\nX-PA-Now: 2026-02-02T08:00:00+07:00\nX-PA-Test-Id: Q-3\nX-PA-Test-Token: token-of-the-reporter-q-3"]
--- pipelined_requests eval
["POST /api/v1/reports\n{\"content\":\"Ổ gà\",\"title\":\"Ổ gà\",\"category\":\"traffic\",\"lat\":22.396,\"lng\":103.458,\"reporter_name\":\"A\",\"reporter_phone\":\"0912345678\"}",
 "POST /api/v1/reports\n{\"content\":\"Cháy nhà\",\"category\":\"fire\",\"lat\":22.39,\"lng\":103.45,\"reporter_name\":\"B\",\"reporter_phone\":\"0912000111\"}",
 "POST /api/v1/reports\n{\"content\":\"Rác\",\"category\":\"environment\",\"lat\":22.39,\"lng\":103.45,\"reporter_name\":\"C\",\"reporter_phone\":\"0912000222\"}"]
--- error_code eval
[201, 201, 201]
--- response_body_like eval
['"urgent":false', '"urgent":true,.*"deadlines":\[\{"step":"verify","due":"2026-02-02T11:00:00\+07:00"\}\]', '"urgent":false']



=== TEST 2: the IOC's queue: urgent first, then the nearest deadline
--- more_headers eval
"Authorization: Bearer $::T{ioc}\nX-PA-Now: 2026-02-02T10:30:00+07:00"
--- request
GET /api/v1/queue
--- error_code: 200
--- response_body_like: ^\{"items":\[\{"id":"Q-2","status":"submitted","urgent":true,"hidden":false,"category":"fire","title":null,"created_at":"2026-02-02T10:00:00\+07:00","agencies":null,"lead":null,"deadlines":\[\{"step":"verify","due":"2026-02-02T11:00:00\+07:00","overdue":false\}\],"overdue":false,"next_due":"2026-02-02T11:00:00\+07:00"\},\{"id":"Q-3",.*"next_due":"2026-02-03T08:00:00\+07:00"\},\{"id":"Q-1",.*"next_due":"2026-02-03T09:00:00\+07:00"\}\],"total":3,"truncated":false\}$



=== TEST 3: overdue=1 keeps the reports late at X-PA-Now
--- more_headers eval
"Authorization: Bearer $::T{ioc}\nX-PA-Now: 2026-02-02T11:30:00+07:00"
--- request
GET /api/v1/queue?overdue=1
--- error_code: 200
--- response_body_like: ^\{"items":\[\{"id":"Q-2",.*"deadlines":\[\{"step":"verify","due":"2026-02-02T11:00:00\+07:00","overdue":true\}\],"overdue":true,"next_due":"2026-02-02T11:00:00\+07:00"\}\],"total":1,"truncated":false\}$



=== TEST 4: limit cuts the sorted list, total counts them all
--- more_headers eval
"Authorization: Bearer $::T{ioc}\nX-PA-Now: 2026-02-02T10:30:00+07:00"
--- request
GET /api/v1/queue?limit=1
--- error_code: 200
--- response_body_like: ^\{"items":\[\{"id":"Q-2",[^\]]*\][^\]]*\],"total":3,"truncated":false\}$



=== TEST 5: bad filters are 400, a state outside the role's list is empty
--- more_headers eval
"Authorization: Bearer $::T{ioc}"
--- pipelined_requests eval
["GET /api/v1/queue?state=nonsense", "GET /api/v1/queue?overdue=maybe",
 "GET /api/v1/queue?limit=0", "GET /api/v1/queue?limit=201",
 "GET /api/v1/queue?state=dispatched"]
--- error_code eval
[400, 400, 400, 400, 200]
--- response_body_like eval
['"code":"invalid_field".*"field":"state"', '"field":"overdue"',
 '"field":"limit"', '"field":"limit"',
 '^\{"items":\[\],"total":0,"truncated":false\}$']



=== TEST 6: the reporter has no queue; nobody without credentials
--- more_headers eval
["X-Report-Token: token-of-the-reporter-q-1", ""]
--- pipelined_requests eval
["GET /api/v1/queue", "GET /api/v1/queue"]
--- error_code eval
[403, 401]



=== TEST 7: Q-1 is verified, received and dispatched to so-xd
--- more_headers eval
["Authorization: Bearer $::T{ioc}\nContent-Type: application/json\nX-PA-Now: 2026-02-02T11:00:00+07:00",
 "Authorization: Bearer $::T{ioc}\nContent-Type: application/json\nX-PA-Now: 2026-02-02T11:10:00+07:00",
 "Authorization: Bearer $::T{ioc}\nContent-Type: application/json\nX-PA-Now: 2026-02-02T11:20:00+07:00"]
--- pipelined_requests eval
["POST /api/v1/reports/Q-1/actions\n{\"action\":\"verify\"}",
 "POST /api/v1/reports/Q-1/actions\n{\"action\":\"receive\"}",
 "POST /api/v1/reports/Q-1/actions\n{\"action\":\"dispatch\",\"agencies\":[\"so-xd\"]}"]
--- error_code eval
[200, 200, 200]



=== TEST 8: ... it leaves the IOC's queue, enters so-xd's, not so-nnmt's
--- more_headers eval
["Authorization: Bearer $::T{ioc}\nX-PA-Now: 2026-02-02T11:30:00+07:00",
 "Authorization: Bearer $::T{xd}\nX-PA-Now: 2026-02-02T11:30:00+07:00",
 "Authorization: Bearer $::T{nnmt}\nX-PA-Now: 2026-02-02T11:30:00+07:00",
 "Authorization: Bearer $::T{leader}\nX-PA-Now: 2026-02-02T11:30:00+07:00"]
--- pipelined_requests eval
["GET /api/v1/queue", "GET /api/v1/queue", "GET /api/v1/queue",
 "GET /api/v1/queue"]
--- error_code eval
[200, 200, 200, 200]
--- response_body_like eval
['^\{"items":\[\{"id":"Q-2".*\{"id":"Q-3".*\],"total":2,',
 '^\{"items":\[\{"id":"Q-1","status":"dispatched","urgent":false,"hidden":false,"category":"traffic","title":"Ổ gà","created_at":"2026-02-02T09:00:00\+07:00","agencies":\["so-xd"\],"lead":"so-xd","deadlines":\[\{"step":"accept","due":"2026-02-03T11:20:00\+07:00","agency":"so-xd","overdue":false\},\{"step":"resolve","due":"2026-02-09T11:20:00\+07:00","agency":"so-xd","overdue":false\}\],"overdue":false,"next_due":"2026-02-03T11:20:00\+07:00"\}\],"total":1,"truncated":false\}$',
 '^\{"items":\[\],"total":0,"truncated":false\}$',
 '^\{"items":\[\],"total":0,"truncated":false\}$']



=== TEST 9: the supervisor's list holds every open report
--- more_headers eval
"Authorization: Bearer $::T{supervisor}\nX-PA-Now: 2026-02-02T11:30:00+07:00"
--- request
GET /api/v1/queue
--- error_code: 200
--- response_body_like: ^\{"items":\[\{"id":"Q-2".*\{"id":"Q-3".*\{"id":"Q-1".*\],"total":3,"truncated":false\}$



=== TEST 10: Q-1 is handled, published, and the reporter comments
--- more_headers eval
["Authorization: Bearer $::T{xd}\nContent-Type: application/json\nX-PA-Now: 2026-02-02T13:30:00+07:00",
 "Authorization: Bearer $::T{xd}\nContent-Type: application/json\nX-PA-Now: 2026-02-03T09:00:00+07:00",
 "Authorization: Bearer $::T{ioc}\nContent-Type: application/json\nX-PA-Now: 2026-02-03T10:00:00+07:00",
 "X-Report-Token: token-of-the-reporter-q-1\nContent-Type: application/json\nX-PA-Now: 2026-02-03T11:00:00+07:00"]
--- pipelined_requests eval
["POST /api/v1/reports/Q-1/actions\n{\"action\":\"accept\"}",
 "POST /api/v1/reports/Q-1/actions\n{\"action\":\"resolve\",\"summary\":\"Đã vá.\",\"salutation\":\"Bà\"}",
 "POST /api/v1/reports/Q-1/actions\n{\"action\":\"publish\"}",
 "POST /api/v1/reports/Q-1/actions\n{\"action\":\"comment\",\"text\":\"Còn một ổ gà nữa bên cạnh.\"}"]
--- error_code eval
[200, 200, 200, 200]



=== TEST 11: the resolved report is back in so-xd's queue for the reply
--- more_headers eval
"Authorization: Bearer $::T{xd}\nX-PA-Now: 2026-02-03T11:30:00+07:00"
--- request
GET /api/v1/queue
--- error_code: 200
--- response_body_like: ^\{"items":\[\{"id":"Q-1","status":"resolved",.*"deadlines":\[\{"step":"reply","due":"2026-02-04T11:00:00\+07:00","comment_id":"1","overdue":false\}\],"overdue":false,"next_due":"2026-02-04T11:00:00\+07:00"\}\],"total":1,



=== TEST 12: answered, it leaves the queue
--- more_headers eval
["Authorization: Bearer $::T{xd}\nContent-Type: application/json\nX-PA-Now: 2026-02-03T14:00:00+07:00",
 "Authorization: Bearer $::T{xd}\nX-PA-Now: 2026-02-03T14:30:00+07:00"]
--- pipelined_requests eval
["POST /api/v1/reports/Q-1/actions\n{\"action\":\"reply\",\"comment_id\":1,\"text\":\"Chúng tôi sẽ xử lý trong tuần.\"}",
 "GET /api/v1/queue"]
--- error_code eval
[200, 200]
--- response_body_like eval
['"comments":\[\{.*"reply":"Chúng tôi sẽ xử lý trong tuần."',
 '^\{"items":\[\],"total":0,"truncated":false\}$']
