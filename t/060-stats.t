# GET /api/v1/stats: per-agency figures after a known sequence of actions
# (on time, late, late after an extension, ratings, work in progress),
# the flags, the range of days, validation and roles.
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

setting(http_config => <<'_EOC_');
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_stats;
    pa_profile test-stats;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_directory $TEST_NGINX_ROOT/conf-examples/directory/laichau.json;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_sla verify 1d;
    pa_sla receive 1d;
    pa_sla dispatch 1d;
    pa_sla accept 1d;
    pa_sla resolve 5d;
    pa_sla publish 1d;
    pa_stats_min_ratings 2;
    pa_test_clock on;
_EOC_

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
--- more_headers eval
"Authorization: Bearer $::T{ioc}"
--- request
GET /api/v1/stats?from=2026-02-01&to=2026-02-28
--- error_code: 200
--- response_body
{"from":"2026-02-01","to":"2026-02-28","min_ratings":2,"agencies":[{"agency":"phuong-tan-phong","name":"UBND phường Tân Phong","dispatched":1,"resolved":0,"on_time":0,"overdue":0,"extension_missed":0,"in_progress":1,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":[]},{"agency":"so-nnmt","name":"Sở Nông nghiệp và Môi trường tỉnh Lai Châu","dispatched":1,"resolved":1,"on_time":0,"overdue":1,"extension_missed":1,"in_progress":0,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":["overdue","extension_missed"]},{"agency":"so-xd","name":"Sở Xây dựng tỉnh Lai Châu","dispatched":3,"resolved":2,"on_time":1,"overdue":1,"extension_missed":0,"in_progress":1,"ratings":{"satisfied":1,"acceptable":0,"unsatisfied":1},"satisfaction_rate":0.5,"flags":["overdue","low_satisfaction"]}]}



=== TEST 5: one day: only that day's counters, the gauge as it is now
--- more_headers eval
"Authorization: Bearer $::T{supervisor}"
--- request
GET /api/v1/stats?from=2026-02-03&to=2026-02-03
--- error_code: 200
--- response_body
{"from":"2026-02-03","to":"2026-02-03","min_ratings":2,"agencies":[{"agency":"phuong-tan-phong","name":"UBND phường Tân Phong","dispatched":0,"resolved":0,"on_time":0,"overdue":0,"extension_missed":0,"in_progress":1,"ratings":{"satisfied":0,"acceptable":0,"unsatisfied":0},"satisfaction_rate":null,"flags":[]},{"agency":"so-xd","name":"Sở Xây dựng tỉnh Lai Châu","dispatched":0,"resolved":1,"on_time":1,"overdue":0,"extension_missed":0,"in_progress":1,"ratings":{"satisfied":1,"acceptable":0,"unsatisfied":0},"satisfaction_rate":1.0,"flags":[]}]}



=== TEST 6: without dates: the month of X-PA-Now up to that day
--- more_headers eval
"Authorization: Bearer $::T{admin}\nX-PA-Now: 2026-03-10T10:00:00+07:00"
--- request
GET /api/v1/stats
--- error_code: 200
--- response_body_like: ^\{"from":"2026-03-01","to":"2026-03-10","min_ratings":2,"agencies":\[\{"agency":"phuong-tan-phong",.*"dispatched":0,.*"in_progress":1,



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
