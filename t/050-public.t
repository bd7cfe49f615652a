# The public side: published reports only (private, hidden, unfinished are
# 404 and never listed), no personal data but the name the reporter allowed,
# the rendered result, media urls of the copies without metadata, the list
# with bbox, category and pages, Cache-Control for nginx's cache.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

# a report's whole life up to publication on day $d of February 2026
sub life {
    my ($id, $fields, $d) = @_;
    my $day = sprintf "2026-02-%02d", $d;
    my $j = "Content-Type: application/json\nX-PA-Now: ${day}T";
    my @h = ("${j}08:00:00+07:00\nX-PA-Test-Id: $id\nX-PA-Test-Token: token-of-the-reporter-$id",
             "Authorization: Bearer $T{ioc}\n${j}08:10:00+07:00",
             "Authorization: Bearer $T{ioc}\n${j}08:20:00+07:00",
             "Authorization: Bearer $T{ioc}\n${j}08:30:00+07:00",
             "Authorization: Bearer $T{xd}\n${j}09:00:00+07:00",
             "Authorization: Bearer $T{xd}\n${j}10:00:00+07:00",
             "Authorization: Bearer $T{ioc}\n${j}11:00:00+07:00");
    my $a = "POST /api/v1/reports/$id/actions\n";
    my @r = ("POST /api/v1/reports\n{\"content\":\"Nội dung $id\",\"reporter_name\":\"Trần Thị Bích\",\"reporter_phone\":\"0912345678\",$fields}",
             $a . '{"action":"verify"}',
             $a . '{"action":"receive"}',
             $a . '{"action":"dispatch","agencies":["so-xd"]}',
             $a . '{"action":"accept"}',
             $a . '{"action":"resolve","summary":"Đã xử lý xong.","salutation":"Bà"}',
             $a . '{"action":"publish"}');
    return (\@h, \@r);
}

sub life_headers { return (life(@_))[0] }
sub life_requests { return (life(@_))[1] }

setting(http_config => workflow_http('t_public', 'test-public'));

run_tests();

__DATA__

=== TEST 1: P-1 (identity not to be shown) is published
--- more_headers eval
main::life_headers('P-1', '', 2)
--- pipelined_requests eval
main::life_requests('P-1', '"title":"Ổ gà","category":"traffic","lat":22.396,"lng":103.458', 2)
--- error_code eval
[201, 200, 200, 200, 200, 200, 200]



=== TEST 2: the public report: no personal data, the result rendered
--- init
main::redis('HSET', 'pa:{t_public}:r:P-1', 'media', '[{"id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","type":"image/jpeg","size":1234,"flags":[],"taken_at":"2026-02-02T07:00:00+07:00","gps":{"lat":22.396,"lng":103.458}}]');
--- request
GET /api/v1/public/reports/P-1
--- error_code: 200
--- response_headers
Cache-Control: public, max-age=30
--- response_body_like: ^\{"id":"P-1","status":"resolved","title":"Ổ gà","content":"Nội dung P-1","category":"traffic","lat":22.396,"lng":103.458,.*"published":true,"media":\[\{"id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","type":"image/jpeg","url":"/media/P-1/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.jpg","thumb_url":"/media/P-1/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.thumb.jpg"\}\],"result":\{"agency":"so-xd","salutation":"Bà","summary":"Đã xử lý xong.","media":\[\],"at":"2026-02-02T10:00:00\+07:00","agency_name":"Sở Xây dựng tỉnh Lai Châu","rendered":"Sở Xây dựng tỉnh Lai Châu\\nKính chào: Bà\\nSau khi nhận được phản ánh của Bà, Sở Xây dựng tỉnh Lai Châu đã tiến hành kiểm tra, xử lý và thông báo kết quả như sau:\\nĐã xử lý xong.\\nChúng tôi chân thành cảm ơn Bà đã kịp thời phản ánh và mong tiếp tục nhận được phản ánh trong thời gian tới.\\nTrân trọng./."\},"resolved_at":"2026-02-02T10:00:00\+07:00","published_at":"2026-02-02T11:00:00\+07:00"\}$



=== TEST 3: ... never the name (not allowed), phone, deadlines, staff data
--- request
GET /api/v1/public/reports/P-1
--- error_code: 200
--- response_body_unlike: Trần|Bích|912345678|reporter_name|pii_|phone_hash|token_hash|content_original|deadlines|agencies|hidden|taken_at|gps|channel



=== TEST 4: P-2 allows its name: it appears, in the template too
--- more_headers eval
main::life_headers('P-2', '', 3)
--- pipelined_requests eval
main::life_requests('P-2', '"title":"Đèn hỏng","category":"lighting","lat":22.40,"lng":103.46,"publish_identity":true', 3)
--- error_code eval
[201, 200, 200, 200, 200, 200, 200]



=== TEST 5: ... in the public view
--- request
GET /api/v1/public/reports/P-2
--- error_code: 200
--- response_body_like: "rendered":"Sở Xây dựng tỉnh Lai Châu\\nKính chào: Bà Trần Thị Bích\\nSau khi nhận được phản ánh của Bà Trần Thị Bích, .*cảm ơn Bà Trần Thị Bích đã.*"reporter_name":"Trần Thị Bích"\}$



=== TEST 6: ... but staff views never carry it
--- more_headers eval
"Authorization: Bearer $::T{ioc}"
--- request
GET /api/v1/reports/P-2
--- error_code: 200
--- response_body_unlike: Trần|Bích



=== TEST 7: P-3 asked for a private result; P-4 is published, then hidden
--- more_headers eval
[@{main::life_headers('P-3', '', 4)}, @{main::life_headers('P-4', '', 5)},
 "Authorization: Bearer $::T{ioc}\nContent-Type: application/json\nX-PA-Now: 2026-02-05T12:00:00+07:00"]
--- pipelined_requests eval
[@{main::life_requests('P-3', '"lat":22.39,"lng":103.45,"private_result":true', 4)},
 @{main::life_requests('P-4', '"lat":22.39,"lng":103.45', 5)},
 "POST /api/v1/reports/P-4/actions\n{\"action\":\"hide\",\"reason\":\"Nội dung vi phạm\"}"]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200, 201, 200, 200, 200, 200, 200, 200, 200]



=== TEST 8: private, hidden, unfinished, unknown: all 404, no cache header
--- init
main::redis('HSET', 'pa:{t_public}:r:P-9', 'id', 'P-9', 'status', 'submitted',
            'published', '0', 'hidden', '0');
--- pipelined_requests eval
["GET /api/v1/public/reports/P-3", "GET /api/v1/public/reports/P-4",
 "GET /api/v1/public/reports/P-9", "GET /api/v1/public/reports/P-404"]
--- error_code eval
[404, 404, 404, 404]
--- response_body eval
['{"error":{"code":"not_found","message":"no such report"}}
', '{"error":{"code":"not_found","message":"no such report"}}
', '{"error":{"code":"not_found","message":"no such report"}}
', '{"error":{"code":"not_found","message":"no such report"}}
']
--- response_headers eval
["!Cache-Control", "!Cache-Control", "!Cache-Control", "!Cache-Control"]



=== TEST 9: P-6 far from the capital, another category
--- more_headers eval
main::life_headers('P-6', '', 6)
--- pipelined_requests eval
main::life_requests('P-6', '"category":"environment","lat":21.95,"lng":103.89', 6)
--- error_code eval
[201, 200, 200, 200, 200, 200, 200]



=== TEST 10: the list: newest published first, only public reports
--- request
GET /api/v1/public/reports
--- error_code: 200
--- response_headers
Cache-Control: public, max-age=30
--- response_body_like: ^\{"items":\[\{"id":"P-6",[^\n]*\},\{"id":"P-2",[^\n]*\},\{"id":"P-1",[^\n]*\}\],"total":3\}$



=== TEST 11: pages
--- pipelined_requests eval
["GET /api/v1/public/reports?per_page=2", "GET /api/v1/public/reports?per_page=2&page=2",
 "GET /api/v1/public/reports?per_page=2&page=3"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['^\{"items":\[\{"id":"P-6".*\{"id":"P-2".*\],"total":3\}$',
 '^\{"items":\[\{"id":"P-1",[^\n]*\}\],"total":3\}$',
 '^\{"items":\[\],"total":3\}$']



=== TEST 12: a box around Lai Châu's wards, and a box around Than Uyên
--- pipelined_requests eval
["GET /api/v1/public/reports?bbox=103.40,22.35,103.50,22.45",
 "GET /api/v1/public/reports?bbox=103.8,21.9,104.0,22.0",
 "GET /api/v1/public/reports?bbox=105.8,21.0,105.9,21.1"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['^\{"items":\[\{"id":"P-(1|2)",[^\n]*\},\{"id":"P-(1|2)",[^\n]*\}\],"total":2\}$',
 '^\{"items":\[\{"id":"P-6",[^\n]*\}\],"total":1\}$',
 '^\{"items":\[\],"total":0\}$']



=== TEST 13: category, with and without a box
--- pipelined_requests eval
["GET /api/v1/public/reports?category=lighting",
 "GET /api/v1/public/reports?category=environment&bbox=103.40,22.35,103.50,22.45"]
--- error_code eval
[200, 200]
--- response_body_like eval
['^\{"items":\[\{"id":"P-2",[^\n]*\}\],"total":1\}$',
 '^\{"items":\[\],"total":0\}$']



=== TEST 14: the list has no personal data either
--- request
GET /api/v1/public/reports
--- error_code: 200
--- response_body_unlike: 912345678|pii_|phone_hash|token_hash|content_original|deadlines|"hidden"



=== TEST 15: bad parameters are 400
--- pipelined_requests eval
["GET /api/v1/public/reports?bbox=1,2,3", "GET /api/v1/public/reports?bbox=104,22,103,23",
 "GET /api/v1/public/reports?bbox=a,b,c,d", "GET /api/v1/public/reports?page=0",
 "GET /api/v1/public/reports?per_page=101", "GET /api/v1/public/reports?category=a%20b"]
--- error_code eval
[400, 400, 400, 400, 400, 400]
--- response_body_like eval
['"field":"bbox"', '"field":"bbox"', '"field":"bbox"', '"field":"page"',
 '"field":"per_page"', '"field":"category"']



=== TEST 16: unhidden, P-4 is public again
--- more_headers eval
["Authorization: Bearer $::T{ioc}\nContent-Type: application/json\nX-PA-Now: 2026-02-07T12:00:00+07:00", ""]
--- pipelined_requests eval
["POST /api/v1/reports/P-4/actions\n{\"action\":\"unhide\"}", "GET /api/v1/public/reports/P-4"]
--- error_code eval
[200, 200]
