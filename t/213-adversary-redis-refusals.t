# Redis answers, but refuses the command (an ACL's NOPERM here; a BUSY
# script, a script's error likewise): every request says 503 unavailable
# with Retry-After, as api.md has it for storage that cannot serve, and
# never what the refusal is not.  Before, an IOC's extension got a bare
# 500, a reporter's live stream a bare 500, and a resumable upload's
# PATCH and HEAD 404 "no such upload", which makes a tus client drop the
# upload and start over, and a citizen's Bearer token 401 "invalid" while
# the worker had not read the revoked tokens yet (an audit of every
# reply handler found them).
# Each block denies one command to the module's Redis user, asks, and
# grants it again; the next block checks nothing was written.  Lai
# Châu's profile as shipped.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;
use t::PaWorker;

# (a reload needs the master: TEST 9 and 10)
master_on();

our $Now = '2026-01-22T09:00:00+07:00';
our $Patch = 'Content-Type: application/offset+octet-stream';

tokens(ioc => ['ioc'], xd => ['handler', 'so-xd']);
setting(main_config => $Threads,
        http_config => shipped_http('laichau-2026', 't_refuse')
                       . "    pa_thread_pool pa;\n"
                       . "    pa_upload ttl=1h handles=10;\n");

# the module's user (default) may not run $cmd; +@all again after
sub main::deny { main::redis('ACL', 'SETUSER', 'default', "-$_[0]") }
sub main::grant { main::redis('ACL', 'SETUSER', 'default', '+@all') }

END { main::grant() }

# a new worker (a reload) whose read of the revoked tokens was refused:
# it cannot check a Bearer token yet
sub main::unchecked_worker {
    my $refused = sub {
        scalar(() = main::errlog() =~ /pa: revoked tokens not read: NOPERM/g)
    };
    my ($old, $n) = ((main::nginx_workers())[0], $refused->());
    kill 'HUP', main::master();
    main::new_worker($old);
    main::until('the new worker\'s read of the revoked tokens refused',
                sub { $refused->() > $n });
}

run_tests();

__DATA__

=== TEST 1: a report dispatched to so-xd and accepted; a resumable upload opened and its first piece sent
--- more_headers eval
[main::h('', '2026-01-20T08:00:00+07:00') . "\nX-PA-Test-Id: RF-1\nX-PA-Test-Token: RF-1~token-of-rf-1",
 (map { main::h('ioc', '2026-01-20T08:30:00+07:00') } 1 .. 3),
 main::h('xd', '2026-01-21T09:00:00+07:00'),
 "X-PA-Now: $::Now\nX-PA-Test-Handle: " . ('0' x 31) . "1\nUpload-Length: 9000",
 "X-PA-Now: $::Now\n$::Patch\nUpload-Offset: 0"]
--- pipelined_requests eval
["POST /api/v1/reports\n" . '{"content":"Đường nội thị bị ngập sau mưa","lat":22.39,"lng":103.45,"reporter_name":"Lò Văn E","reporter_phone":"0912345561"}',
 main::act('RF-1', action => 'verify'), main::act('RF-1', action => 'receive'),
 main::act('RF-1', action => 'dispatch', agencies => ['so-xd']),
 main::act('RF-1', action => 'accept'),
 "POST /api/v1/media\n",
 "PATCH /api/v1/media/" . ('0' x 31) . "1\n" . ('x' x 1000)]
--- error_code eval
[201, 200, 200, 200, 200, 201, 200]
--- response_body_like eval
['"id":"RF-1"', '"status":"verified"', '"status":"received"',
 '"status":"dispatched"', '"status":"in_progress"', '"state":"partial"',
 '"offset":1000']



=== TEST 2: the agency's extension while Redis refuses the handling deadline's read (HGET): 503 unavailable with Retry-After, not a bare 500
--- init
main::deny('hget');
--- more_headers eval
main::h('xd', '2026-01-22T09:00:00+07:00')
--- request eval
main::act('RF-1', action => 'extend', reason => 'Chờ vật tư', days => 2)
--- error_code: 503
--- response_headers_like
Retry-After: \d+
Content-Type: application/json.*
--- response_body_like: ^\{"error":\{"code":"unavailable"
--- error_log
pa: extend: the handling deadline not read



=== TEST 3: Redis serves again: no extension was written, and the extension now goes through
--- init
main::grant();
Test::More::unlike(main::redis('LRANGE', 'pa:{t_refuse}:h:RF-1', 0, -1),
                   qr/"action":"extend"/, 'the refused extension left no history');
--- more_headers eval
main::h('xd', '2026-01-22T09:00:00+07:00')
--- request eval
main::act('RF-1', action => 'extend', reason => 'Chờ vật tư', days => 2)
--- error_code: 200
--- response_body_like: "status":"in_progress"



=== TEST 4: the reporter's live stream while Redis refuses the report's read (HGETALL): 503 unavailable with Retry-After, not a bare 500
--- init
main::deny('hgetall');
--- request
GET /api/v1/reports/RF-1/events?token=RF-1~token-of-rf-1
--- error_code: 503
--- response_headers_like
Retry-After: \d+
Content-Type: application/json.*
--- response_body_like: ^\{"error":\{"code":"unavailable"



=== TEST 5: HEAD of the upload while Redis refuses its script (EVALSHA, EVAL): 503 with Retry-After, not 404 (the client would start over)
--- init
main::grant();
main::deny('evalsha');
main::deny('eval');
--- more_headers eval
"X-PA-Now: $::Now"
--- request eval
"HEAD /api/v1/media/" . ('0' x 31) . "1"
--- error_code: 503
--- response_headers_like
Retry-After: \d+



=== TEST 6: the next PATCH likewise: 503 unavailable, not 404
--- more_headers eval
"X-PA-Now: $::Now\n$::Patch\nUpload-Offset: 1000"
--- request eval
"PATCH /api/v1/media/" . ('0' x 31) . "1\n" . ('y' x 500)
--- error_code: 503
--- response_headers_like
Retry-After: \d+
--- response_body_like: ^\{"error":\{"code":"unavailable"
--- error_log
upload_get script failed: NOPERM



=== TEST 7: Redis serves again: the upload is where it was (1000 bytes)
--- init
main::grant();
--- more_headers eval
"X-PA-Now: $::Now"
--- request eval
"HEAD /api/v1/media/" . ('0' x 31) . "1"
--- error_code: 200
--- response_headers
Upload-Offset: 1000



=== TEST 8: ... and goes on from there
--- more_headers eval
"X-PA-Now: $::Now\n$::Patch\nUpload-Offset: 1000"
--- request eval
"PATCH /api/v1/media/" . ('0' x 31) . "1\n" . ('y' x 500)
--- error_code: 200
--- response_body_like: "state":"partial","offset":1500,



=== TEST 9: a worker that could not read the revoked tokens yet (ZRANGE refused since it started): a citizen's upload with a Bearer token is 503 unavailable, not 401 "invalid token"
--- init
main::deny('zrange');
main::unchecked_worker();
--- more_headers eval
"X-PA-Now: $::Now\nAuthorization: Bearer "
. main::sign({sub => 'citizen-a', role => 'reporter', exp => 4102444800})
. "\nContent-Type: image/jpeg"
--- request eval
"POST /api/v1/media\n" . t::PaTest::slurp("$t::PaTest::Fix/fresh-mm.jpg")
--- error_code: 503
--- response_headers_like
Retry-After: \d+
--- response_body_like: "code":"unavailable"



=== TEST 10: ... and a submission binding a handle with it likewise
--- init
main::unchecked_worker();
--- more_headers eval
"X-PA-Now: $::Now\nContent-Type: application/json\nAuthorization: Bearer "
. main::sign({sub => 'citizen-a', role => 'reporter', exp => 4102444800})
--- request eval
"POST /api/v1/reports\n"
. '{"content":"Rác thải đổ trộm bên suối","reporter_name":"Lò Văn K","reporter_phone":"0977200001","lat":22.396,"lng":103.458,"media_handles":["' . ('0' x 31) . '1"]}'
--- error_code: 503
--- response_headers_like
Retry-After: \d+
--- response_body_like: "code":"unavailable"
