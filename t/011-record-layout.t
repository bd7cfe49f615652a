# The record as stored (issue 12): a new report is lean (hot hash fields
# plus one JSON value "doc", no history list until someone acts, no "all"
# index), and a report written by the previous layout (every field in the
# hash, the submission's entry in its history list, as a province's Redis
# holds them) still reads and acts the same: the staff view, the
# reporter's contact, the history, an action, an IOC edit of the text.
# Also the idempotency record and duplicate print: a refused
# duplicate leaves nothing behind, and its retry is checked anew.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use Digest::SHA qw(sha256_hex);

our $P = 'pa:{t_layout}:';

setting(http_config => <<'_EOC_');
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_layout;
    pa_profile test-layout;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_directory $TEST_NGINX_ROOT/conf-examples/directory/laichau.json;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_sla verify 1d;
    pa_sla receive 1d;
    pa_sla dispatch 1d;
    pa_sla accept 1d;
    pa_sla resolve 5d;
    pa_test_clock on;
    pa_record_compat off;
_EOC_

# the old layout, from a lean record: every member of doc a hash field
# again (content_original too), "id" and "updated_at" fields, the
# submission's entry in h:, the "all" index, as submit.lua wrote them
# before issue 12
our $OLD = q{
local P, from, id, tok = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local flat = redis.call('HGETALL', P .. 'r:' .. from)
local f = {}
for k = 1, #flat, 2 do f[flat[k]] = flat[k + 1] end
local doc = cjson.decode(f.doc)
f.doc = nil
for k, v in pairs(doc) do f[k] = v end
f.content_original = f.content_original or f.content
f.id, f.token_hash = id, tok
-- no change yet: updated when it was made (issue 12 stores neither)
f.updated_at = f.updated_at or f.created_at
-- the hot fields at their default, stored by every submission before
for k, v in pairs({urgent = '0', hidden = '0', published = '0',
                   private_result = '0', media = '[]'}) do
    f[k] = f[k] or v
end
-- each part of the contact sealed on its own, as before the envelope
f.pii = nil
f.pii_name, f.pii_phone, f.pii_email = ARGV[6], ARGV[7], ARGV[8]
local out = {}
for k, v in pairs(f) do out[#out + 1] = k; out[#out + 1] = v end
redis.call('HSET', P .. 'r:' .. id, unpack(out))
redis.call('RPUSH', P .. 'h:' .. id, ARGV[5])
redis.call('ZADD', P .. 'st:submitted', f.created_at, id)
redis.call('ZADD', P .. 'all', f.created_at, id)
redis.call('ZADD', P .. 'due', f['dl:verify'], id .. '|verify')
redis.call('SET', P .. 'tok:' .. tok, id)
return #out / 2
};

# the reporter's name, phone and e-mail as the earlier version sealed them,
# each on its own (AES-256-GCM under t/keys/pii.key's t2, one nonce each)
our @SEALED = (
    't2:cJdD7SAb5ns0UHIJEJelWgU43u28ubc0Dr_TaREsQzXmWypmghYGgqW8Gg',
    't2:dtAUPxEP_ikjCqWHytyn6ZzjsD9TEGCRzOR1LAjeoobYY5wlVZKHqA',
    't2:a8niWb33xB4g5PE3w51ZFiOI5Vj6bIA7_jX77XHawnUbSUPGyyrV6g');

our $ENTRY = '{"at":"2026-02-02T09:00:00+07:00","role":"reporter",'
    . '"actor":"reporter","action":"submit","from":null,"to":"submitted",'
    . '"note":null}';

our $VIEW = qr{^\{"id":"LY-(?:NEW|OLD)","status":"submitted","title":"Ổ gà","content":"Ổ gà lớn trước số 12","content_original":"Ổ gà lớn trước số 12","category":"traffic",.*"history":\[\{"at":"2026-02-02T09:00:00\+07:00","role":"reporter","actor":"reporter","action":"submit","from":null,"to":"submitted","note":null\}\]\}$};

run_tests();

__DATA__

=== TEST 1: a report is submitted: name, phone and e-mail sealed
--- init
main::fresh('t_layout');
--- more_headers
Content-Type: application/json
X-PA-Now: 2026-02-02T09:00:00+07:00
X-PA-Test-Id: LY-NEW
X-PA-Test-Token: token-of-the-reporter-ly-new
--- request
POST /api/v1/reports
{"content":"Ổ gà lớn trước số 12","title":"Ổ gà","category":"traffic","lat":22.396,"lng":103.458,"reporter_name":"Nguyễn Văn A","reporter_phone":"0912345678","reporter_email":"a@example.vn"}
--- error_code: 201



=== TEST 2: ... stored lean: hot fields and one doc, no id or updated_at field, no history list, no "all"
--- init
my %h = split /\n/, main::redis('HGETALL', "${main::P}r:LY-NEW");
Test::More::ok(exists $h{doc}, 'the cold fields are one value');
Test::More::is($h{status}, 'submitted', 'the status is a field');
Test::More::is($h{category}, 'traffic', 'the category is a field');
Test::More::is($h{token_hash},
               substr(Digest::SHA::sha256_hex('token-of-the-reporter-ly-new'),
                      0, 32),
               "the token's hash: 128 bits of its SHA-256 (64 in LY-OLD)");
Test::More::ok(exists $h{'dl:verify'}, 'the deadline is a field');
Test::More::ok(!exists $h{$_}, "no field $_")
    for qw(content content_original pii pii_name pii_phone pii_email channel
           id updated_at);
my $doc = JSON::PP->new->decode($h{doc});
Test::More::ok(!exists $doc->{$_}, "no $_ of its own: one sealed contact")
    for qw(pii_name pii_phone pii_email);
Test::More::is($doc->{content}, 'Ổ gà lớn trước số 12', 'the text in doc');
Test::More::ok(!exists $doc->{content_original},
               'the unedited original is not kept twice');
Test::More::ok(!exists $doc->{$_}, "$_ at its default is not stored")
    for qw(publish_identity share_identity occurred_at);
Test::More::like($doc->{pii}, qr/^t2:[A-Za-z0-9_-]+$/,
                 'the contact sealed in doc, under the first key');
Test::More::unlike($h{doc}, qr/0912345678|Nguy|example/,
                   'no part of the contact in clear');
Test::More::is(main::redis('EXISTS', "${main::P}h:LY-NEW"), '0',
               'no history list: the record implies its submission');
Test::More::is(main::redis('EXISTS', "${main::P}all"), '0', 'no "all" index');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 3: a report of the previous layout is written by hand
--- init
my $n = main::redis('EVAL', $main::OLD, '0', $main::P, 'LY-NEW', 'LY-OLD',
                    Digest::SHA::sha256_hex('token-of-the-reporter-ly-old'),
                    $main::ENTRY, @main::SEALED);
Test::More::cmp_ok($n, '>', 20, 'every field in the hash');
Test::More::is(main::redis('HEXISTS', "${main::P}r:LY-OLD", 'pii'), '0',
               'no sealed envelope: the three seals of before');
Test::More::is(main::redis('HEXISTS', "${main::P}r:LY-OLD", 'doc'), '0',
               'no doc');
Test::More::is(main::redis('HGET', "${main::P}r:LY-OLD", 'content_original'),
               'Ổ gà lớn trước số 12', 'the original text a field');
Test::More::is(main::redis('LLEN', "${main::P}h:LY-OLD"), '1',
               'the submission in the history list');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 4: the IOC reads both the same way: text, original, history of one submission
--- more_headers eval
["Authorization: Bearer $::T{ioc}\nX-PA-Now: 2026-02-02T09:30:00+07:00",
 "Authorization: Bearer $::T{ioc}\nX-PA-Now: 2026-02-02T09:30:00+07:00"]
--- pipelined_requests eval
["GET /api/v1/reports/LY-NEW", "GET /api/v1/reports/LY-OLD"]
--- error_code eval
[200, 200]
--- response_body_like eval
[$::VIEW, $::VIEW]



=== TEST 5: the reporters read theirs by token, and the history routes agree
--- more_headers eval
["X-Report-Token: token-of-the-reporter-ly-new",
 "X-Report-Token: token-of-the-reporter-ly-old",
 "Authorization: Bearer $::T{ioc}", "Authorization: Bearer $::T{ioc}"]
--- pipelined_requests eval
["GET /api/v1/reports/LY-NEW", "GET /api/v1/reports/LY-OLD",
 "GET /api/v1/reports/LY-NEW/history", "GET /api/v1/reports/LY-OLD/history"]
--- error_code eval
[200, 200, 200, 200]
--- response_body_like eval
[qr{^\{"id":"LY-NEW","status":"submitted",.*"messages":\[\]\}$},
 qr{^\{"id":"LY-OLD","status":"submitted",.*"messages":\[\]\}$},
 qr{^\[\Q$::ENTRY\E\]$}, qr{^\[\Q$::ENTRY\E\]$}]



=== TEST 6: the reporter's contact opens from doc's one envelope and from the old three seals
--- more_headers eval
["Authorization: Bearer $::T{ioc}", "Authorization: Bearer $::T{ioc}"]
--- pipelined_requests eval
["GET /api/v1/reports/LY-NEW/reporter", "GET /api/v1/reports/LY-OLD/reporter"]
--- error_code eval
[200, 200]
--- response_body eval
["{\"name\":\"Nguyễn Văn A\",\"phone\":\"+84912345678\",\"email\":\"a\@example.vn\"}\n",
 "{\"name\":\"Nguyễn Văn A\",\"phone\":\"+84912345678\",\"email\":\"a\@example.vn\"}\n"]



=== TEST 7: the IOC verifies both, and receives the lean one editing its text
--- more_headers eval
["Content-Type: application/json\nAuthorization: Bearer $::T{ioc}\nX-PA-Now: 2026-02-02T10:00:00+07:00",
 "Content-Type: application/json\nAuthorization: Bearer $::T{ioc}\nX-PA-Now: 2026-02-02T10:05:00+07:00",
 "Content-Type: application/json\nAuthorization: Bearer $::T{ioc}\nX-PA-Now: 2026-02-02T10:10:00+07:00"]
--- pipelined_requests eval
["POST /api/v1/reports/LY-NEW/actions\n{\"action\":\"verify\"}",
 "POST /api/v1/reports/LY-OLD/actions\n{\"action\":\"verify\"}",
 "POST /api/v1/reports/LY-NEW/actions\n{\"action\":\"receive\",\"content\":\"Ổ gà lớn trên đường Trần Phú\"}"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"status":"verified"', '"status":"verified"', '"status":"received"']



=== TEST 8: ... the edit wins over doc, the original stays; both histories go on from the implied or stored entry
--- more_headers eval
["Authorization: Bearer $::T{ioc}", "Authorization: Bearer $::T{ioc}"]
--- pipelined_requests eval
["GET /api/v1/reports/LY-NEW", "GET /api/v1/reports/LY-OLD"]
--- error_code eval
[200, 200]
--- response_body_like eval
[qr{^\{"id":"LY-NEW","status":"received","title":"Ổ gà","content":"Ổ gà lớn trên đường Trần Phú","content_original":"Ổ gà lớn trước số 12",.*"history":\[\Q$::ENTRY\E,\{"at":"2026-02-02T10:00:00\+07:00","role":"ioc","actor":"ioc-user","action":"verify","from":"submitted","to":"verified","note":null\},\{"at":"2026-02-02T10:10:00\+07:00","role":"ioc","actor":"ioc-user","action":"receive","from":"verified","to":"received","note":null\}\]\}$},
 qr{^\{"id":"LY-OLD","status":"verified","title":"Ổ gà","content":"Ổ gà lớn trước số 12","content_original":"Ổ gà lớn trước số 12",.*"history":\[\Q$::ENTRY\E,\{"at":"2026-02-02T10:05:00\+07:00","role":"ioc","actor":"ioc-user","action":"verify","from":"submitted","to":"verified","note":null\}\]\}$}]



=== TEST 9: the same text again from the same phone, while the first is open: 409 duplicate
--- more_headers
Content-Type: application/json
X-PA-Now: 2026-02-02T11:00:00+07:00
X-PA-Test-Id: LY-DUP
Idempotency-Key: retry-of-ly-dup
--- request
POST /api/v1/reports
{"content":"Ổ gà lớn trước số 12","title":"Ổ gà","category":"traffic","lat":22.396,"lng":103.458,"reporter_name":"Nguyễn Văn A","reporter_phone":"0912345678","reporter_email":"a@example.vn"}
--- error_code: 409
--- response_body_like: "code":"duplicate".*LY-NEW



=== TEST 10: ... it left nothing behind: no report, the print still names the first, no idempotency key
--- init
Test::More::is(main::redis('EXISTS', "${main::P}r:LY-DUP"), '0', 'no report');
my $ph = main::redis('HGET', "${main::P}r:LY-NEW", 'phone_hash');
# the phone's prints in its bucket (ngx_pa_print.h)
my %d = split /\n/, main::redis('HGETALL', "${main::P}dup:" . substr($ph, 0, 4));
%d = map { $_ => $d{$_} } grep { index($_, substr($ph, 0, 32) . ':') == 0 } keys %d;
Test::More::ok(scalar(keys %d) >= 1, 'the phone has prints');
Test::More::is($_, 'LY-NEW', 'a print still names LY-NEW') for values %d;
# (pa_record_compat off: the record is the idempotency record, no key
# of its own; t/062-submit-idem-record.t)
Test::More::is(main::redis('EVAL', "return #redis.call('KEYS', ARGV[1])",
                           '0', "${main::P}idem:*"), '0',
               "no idempotency key");
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 11: the IOC rejects the first as a duplicate; the same retry (same Idempotency-Key) is a new report, not a replay
--- more_headers eval
["Content-Type: application/json\nAuthorization: Bearer $::T{ioc}\nX-PA-Now: 2026-02-02T11:10:00+07:00",
 "Content-Type: application/json\nX-PA-Now: 2026-02-02T11:20:00+07:00\nX-PA-Test-Id: LY-DUP\nIdempotency-Key: retry-of-ly-dup"]
--- pipelined_requests eval
["POST /api/v1/reports/LY-NEW/actions\n{\"action\":\"reject\",\"reason\":\"duplicate\",\"message\":\"Trùng phản ánh LY-OLD\"}",
 "POST /api/v1/reports\n{\"content\":\"Ổ gà lớn trước số 12\",\"title\":\"Ổ gà\",\"category\":\"traffic\",\"lat\":22.396,\"lng\":103.458,\"reporter_name\":\"Nguyễn Văn A\",\"reporter_phone\":\"0912345678\"}"]
--- error_code eval
[200, 201]
--- response_body_like eval
['"status":"rejected"', '"id":"LY-DUP"']



=== TEST 12: ... and its print now names it
--- init
my $ph = main::redis('HGET', "${main::P}r:LY-DUP", 'phone_hash');
my %d = split /\n/, main::redis('HGETALL', "${main::P}dup:" . substr($ph, 0, 4));
%d = map { $_ => $d{$_} } grep { index($_, substr($ph, 0, 32) . ':') == 0 } keys %d;
Test::More::ok((grep { $_ eq 'LY-DUP' } values %d), 'a print names LY-DUP');
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 13: a reporter's action checks the token against either stored hash: 128 bits (LY-NEW's), or all 64 hex (LY-OLD's); another token is not_found (LY-NEW's token passes, its rejected report takes no comment: 409)
--- more_headers eval
["Content-Type: application/json\nX-Report-Token: token-of-the-reporter-ly-new\nX-PA-Now: 2026-02-02T12:00:00+07:00",
 "Content-Type: application/json\nX-Report-Token: token-of-the-reporter-ly-new\nX-PA-Now: 2026-02-02T12:00:00+07:00",
 "Content-Type: application/json\nX-Report-Token: token-of-the-reporter-ly-old\nX-PA-Now: 2026-02-02T12:05:00+07:00"]
--- pipelined_requests eval
["POST /api/v1/reports/LY-OLD/actions\n{\"action\":\"cancel\"}",
 "POST /api/v1/reports/LY-NEW/actions\n{\"action\":\"comment\",\"text\":\"Vẫn còn ổ gà.\"}",
 "POST /api/v1/reports/LY-OLD/actions\n{\"action\":\"cancel\"}"]
--- error_code eval
[404, 409, 200]
--- response_body_like eval
['"code":"not_found"', '"code":"invalid_transition"', '"status":"cancelled"']
