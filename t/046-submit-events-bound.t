# The events stream's bound (issue 12, branch lean): submit.lua adds its
# reports' entries without a MAXLEN of their own and trims the stream
# once a call (XTRIM MAXLEN ~ 100000).  The stream still ends where the
# notifiers expect it: about 100,000 entries, the submission's own entry
# last; a replay writes nothing, not even the trim.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

our $EV = 'pa:{t_lean_ev}:events';

setting(http_config => submit_http('t_lean_ev'));

# $n entries of an older type in the stream, as a busy province leaves it
sub fill {
    my $n = shift;
    main::redis('EVAL', <<'_LUA_', 1, $EV, $n);
for i = 1, tonumber(ARGV[1]) do
    redis.call('XADD', KEYS[1], '*', 'type', 'comment', 'id', 'OLD-' .. i)
end
_LUA_
}

# the stream's last entry: "<type> <id>"
sub last_entry {
    my $e = main::redis('EVAL', <<'_LUA_', 1, $EV);
local e = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
local f = {}
for i = 1, #e[2], 2 do
    f[e[2][i]] = e[2][i + 1]
end
return f.type .. ' ' .. f.id
_LUA_
    return $e;
}

our $Submit = "POST /api/v1/reports\n"
    . '{"content":"Đèn tín hiệu hỏng ở ngã tư","lat":22.396,'
    . '"lng":103.458,"reporter_name":"Lò Văn B",'
    . '"reporter_phone":"0912 777 046"}';

our $Hdr = "Content-Type: application/json\n"
    . "X-PA-Now: 2026-01-23T15:00:00+07:00\n"
    . "Idempotency-Key: lean-046-1\n"
    . "X-PA-Test-Id: EV-1\n"
    . "X-PA-Test-Token: token-of-the-reporter-ev-1";

our $Before;

run_tests();

__DATA__

=== TEST 1: a report submitted to a stream already past its bound
--- init
main::fresh('t_lean_ev');
main::fill(100_250);
$main::Before = main::redis('XLEN', $main::EV);
Test::More::is($main::Before, 100_250, 'the stream filled past 100,000');
--- more_headers eval
$main::Hdr
--- request eval
$main::Submit
--- error_code: 201
--- response_body_like: ^\{"id":"EV-1","status":"submitted"



=== TEST 2: the call trimmed the stream back to about 100,000 entries, and the report's entry is its last
--- init
my $len = main::redis('XLEN', $main::EV);
Test::More::cmp_ok($len, '<', $main::Before, 'trimmed: fewer entries');
Test::More::cmp_ok($len, '>=', 100_000, 'about the bound, not below it');
Test::More::is(main::last_entry(), 'submitted EV-1',
               "the submission's own entry is kept, last");
main::fill(300);
$main::Before = main::redis('XLEN', $main::EV);
--- more_headers eval
$main::Hdr
--- request eval
$main::Submit
--- error_code: 201
--- response_body_like: ^\{"id":"EV-1","status":"submitted","access_token":"token-of-the-reporter-ev-1"



=== TEST 3: the retry was a replay: nothing written, no entry, no trim
--- init
Test::More::is(main::redis('XLEN', $main::EV), $main::Before,
               'the stream as it was, past its bound still');
Test::More::is(main::last_entry(), 'comment OLD-300',
               'no entry for the replay');
Test::More::is(main::redis('HGET', 'pa:{t_lean_ev}:r:EV-1', 'status'),
               'submitted', 'the report as it was');
--- more_headers
X-Report-Token: token-of-the-reporter-ev-1
X-PA-Now: 2026-01-23T15:05:00+07:00
--- request
GET /api/v1/reports/EV-1
--- error_code: 200
--- response_body_like: "id":"EV-1".*"status":"submitted"
