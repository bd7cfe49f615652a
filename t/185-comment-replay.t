# Issue 15: a replayed comment was accepted again and again (30 in a row
# opened 30 reply deadlines).  A replay -- the same Idempotency-Key, or
# without one the same text within 10 minutes -- is answered with the
# original (200, the same comment) and opens nothing; a report takes
# pa_comments_per_day comments a day (5 by default), then 429
# rate_limited with Retry-After until the province's midnight.  Shipped
# Lai Châu 2026 profile (reply 1 working day).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;

life('laichau-2026', 't_cmt',
     ioc => ['ioc'],
     xd  => ['handler', 'so-xd']);

our $R = 'r:token-of-the-reporter-cm-1';

# one comment object, whatever the order of its keys
our $One = '\{"(?:id|text|at)":[^{}]*\}';

run_tests();

__DATA__

=== TEST 1: a report resolved and published
--- more_headers eval
[main::h('', '2026-03-17T08:00:00+07:00') . "\nX-PA-Test-Id: CM-1\nX-PA-Test-Token: token-of-the-reporter-cm-1",
 (map { main::h('ioc', '2026-03-17T08:30:00+07:00') } 1 .. 3),
 main::h('xd', '2026-03-17T09:00:00+07:00'), main::h('xd', '2026-03-17T10:00:00+07:00'),
 main::h('ioc', '2026-03-17T11:00:00+07:00')]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Ổ gà trước cổng trường","lat":22.39,"lng":103.45,"reporter_name":"Lò Thị C","reporter_phone":"0912345191"}',
 main::act('CM-1', action => 'verify'), main::act('CM-1', action => 'receive'),
 main::act('CM-1', action => 'dispatch', agencies => ['so-xd']),
 main::act('CM-1', action => 'accept'),
 main::act('CM-1', action => 'resolve', summary => 'Đã vá ổ gà.', salutation => 'Bà'),
 main::act('CM-1', action => 'publish')]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"id":"CM-1"', '"status":"verified"', '"status":"received"',
 '"status":"dispatched"', '"status":"in_progress"', '"status":"under_review"',
 '"status":"resolved"']



=== TEST 2: the same comment sent again (a second tap, a retried request) is the first one: 200, one comment, one reply deadline
--- more_headers eval
[main::h($main::R, '2026-03-17T14:00:00+07:00'),
 main::h($main::R, '2026-03-17T14:01:00+07:00'),
 main::h($main::R, '2026-03-17T14:09:00+07:00')]
--- pipelined_requests eval
[main::act('CM-1', action => 'comment', text => 'Đoạn bên cạnh vẫn còn ổ gà.'),
 main::act('CM-1', action => 'comment', text => 'Đoạn bên cạnh vẫn còn ổ gà.'),
 main::act('CM-1', action => 'comment', text => 'Đoạn bên cạnh vẫn còn ổ gà.')]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
[('"comments":\[' . $main::One . '\].*\{"step":"reply","due":"2026-03-18T14:00:00\+07:00","comment_id":"1","overdue":false\}') x 3]
--- response_body_unlike eval
['"comment_id":"2"', '"comment_id":"2"', '"comment_id":"2"']



=== TEST 3: with an Idempotency-Key the key decides: a retry with the key is the original, the key with another text is 400 (as for every action, t/188), a new key a new comment; without a key, the same text after 10 minutes is a new comment
--- more_headers eval
[main::h($main::R, '2026-03-17T14:20:00+07:00') . "\nIdempotency-Key: c-7f3a",
 main::h($main::R, '2026-03-17T14:21:00+07:00') . "\nIdempotency-Key: c-7f3a",
 main::h($main::R, '2026-03-17T14:22:00+07:00') . "\nIdempotency-Key: c-9b01",
 main::h($main::R, '2026-03-17T14:30:00+07:00'),
 main::h($main::R, '2026-03-17T14:31:00+07:00') . "\nIdempotency-Key: bad key"]
--- pipelined_requests eval
[main::act('CM-1', action => 'comment', text => 'Nắp cống cũng bị vỡ.'),
 main::act('CM-1', action => 'comment', text => 'Nắp cống cũng bị vỡ!'),
 main::act('CM-1', action => 'comment', text => 'Nắp cống cũng bị vỡ.'),
 main::act('CM-1', action => 'comment', text => 'Đoạn bên cạnh vẫn còn ổ gà.'),
 main::act('CM-1', action => 'comment', text => 'Một ý kiến khác.')]
--- error_code eval
[200, 400, 200, 200, 400]
--- response_body_like eval
['"comments":\[' . CORE::join(',', ($main::One) x 2) . '\].*"comment_id":"2"',
 '^\{"error":\{"code":"invalid_field","message":"[^"]+","field":"Idempotency-Key"\}\}$',
 '"comments":\[' . CORE::join(',', ($main::One) x 3) . '\].*"comment_id":"3"',
 '"comments":\[' . CORE::join(',', ($main::One) x 4) . '\].*"comment_id":"4"',
 '^\{"error":\{"code":"invalid_field","message":"[^"]+","field":"Idempotency-Key"\}\}$']
--- response_body_unlike eval
['"comment_id":"3"|c-7f3a', '', '"comment_id":"4"|c-9b01', '"comment_id":"5"', '']



=== TEST 4: the fifth comment of the day is taken, the sixth is 429 rate_limited until midnight (+07:00); the next day one more is taken
--- more_headers eval
[main::h($main::R, '2026-03-17T15:00:00+07:00'),
 main::h($main::R, '2026-03-17T15:00:00+07:00'),
 main::h($main::R, '2026-03-18T08:00:00+07:00')]
--- pipelined_requests eval
[main::act('CM-1', action => 'comment', text => 'Ý kiến thứ năm.'),
 main::act('CM-1', action => 'comment', text => 'Ý kiến thứ sáu.'),
 main::act('CM-1', action => 'comment', text => 'Ý kiến thứ sáu.')]
--- error_code eval
[200, 429, 200]
--- response_headers eval
['', 'Retry-After: 32400', '']
--- response_body_like eval
['"comment_id":"5"',
 '^\{"error":\{"code":"rate_limited","message":"[^"]*pa_comments_per_day[^"]*","field":"text"\}\}$',
 '"comment_id":"6"']
