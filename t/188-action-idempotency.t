# Issue 15: an action retried after a 503 (a replica did not acknowledge
# in time, a reply timed out) answered 409 invalid_transition: the first
# try had been stored, the state had moved on, and the client could not
# tell.  With an Idempotency-Key, the same caller's retry on the same
# report within a day is answered as the first try was (200, the same
# body) and nothing is applied twice: one history entry, one event.  The
# same key with another action is 400 invalid_field "Idempotency-Key",
# as for a submission; another officer's key is another action.
# Shipped Lai Châu 2026 profile.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;

# blocks named "(wait=1)": an acknowledged write must be held by a
# replica, and this Redis has none: the action is stored, then 503
# (added before life()'s: Test::Nginx runs the last added first)
Test::Nginx::Socket::add_block_preprocessor(sub {
    my $block = shift;
    return unless $block->name =~ /\(wait=1\)/;
    (my $c = $block->http_config)
        =~ s/^(\s*pa_redis \S+);/$1 wait=1 wait_timeout=100ms timeout=3s;/m
        or die "no pa_redis line";
    $block->set_value('http_config', $c);
});

life('laichau-2026', 't_aidem', ioc => ['ioc'], xd => ['handler', 'so-xd']);

# a second IOC officer: the same key is not hers
$T{ioc2} = t::PaTest::sign({sub => 'ioc-hoa', role => 'ioc',
                            exp => 4102444800});


our $First;

sub keep { $First = shift; return $First }

sub same {
    my $body = shift;
    return $body eq $First ? 'the first answer'
                           : "another answer: $body\nthe first: $First";
}

sub entries {
    my ($action) = @_;
    return scalar grep { /"action":"$action"/ }
        split /\n/, main::redis('LRANGE', 'pa:{t_aidem}:h:AI-1', 0, -1);
}

sub events {
    my ($type) = @_;
    my $out = main::redis('XRANGE', 'pa:{t_aidem}:events', '-', '+');
    my @n = $out =~ /^type\n\Q$type\E\nid\nAI-1$/mg;
    return scalar @n;
}

run_tests();

__DATA__

=== TEST 1: a report AI-1
--- more_headers eval
main::h('', '2026-03-17T08:00:00+07:00') . "\nX-PA-Test-Id: AI-1"
--- request eval
"POST /api/v1/reports\n" . '{"content":"Cột điện nghiêng sau mưa","lat":22.39,"lng":103.45,"reporter_name":"Lò Văn D","reporter_phone":"0912345188"}'
--- error_code: 201
--- response_body_like: "id":"AI-1"



=== TEST 2: the IOC verifies it with an Idempotency-Key: 200, verified
--- more_headers eval
main::h('ioc', '2026-03-17T08:30:00+07:00') . "\nIdempotency-Key: verify-ai-1"
--- request eval
main::act('AI-1', action => 'verify')
--- error_code: 200
--- response_body_filters eval
\&main::keep
--- response_body_like: "status":"verified"



=== TEST 3: the same verify sent again with its key, a minute later: 200 and the first answer byte for byte, not 409; applied once
--- more_headers eval
main::h('ioc', '2026-03-17T08:31:00+07:00') . "\nIdempotency-Key: verify-ai-1"
--- request eval
main::act('AI-1', action => 'verify')
--- error_code: 200
--- response_body_filters eval
\&main::same
--- response_body: the first answer
--- error_log
a retry of "verify" on report AI-1, answered as stored



=== TEST 4: the key with another action is the client's mistake: 400 invalid_field Idempotency-Key; the verify again without a key: 409
--- init
Test::More::is(main::entries('verify'), 1, 'one verify in the history');
Test::More::is(main::events('verify'), 1, 'one verify event');
--- more_headers eval
[main::h('ioc', '2026-03-17T08:32:00+07:00') . "\nIdempotency-Key: verify-ai-1",
 main::h('ioc', '2026-03-17T08:33:00+07:00')]
--- pipelined_requests eval
[main::act('AI-1', action => 'receive'), main::act('AI-1', action => 'verify')]
--- error_code eval
[400, 409]
--- response_body_like eval
['^\{"error":\{"code":"invalid_field","message":"[^"]+","field":"Idempotency-Key"\}\}$',
 '"code":"invalid_transition"']



=== TEST 5: receive with a key while no replica acknowledges (wait=1): 503 with Retry-After, yet stored
--- init
Test::More::is(main::redis('HGET', 'pa:{t_aidem}:r:AI-1', 'status'),
               'verified', 'still verified: the 400 applied nothing');
--- more_headers eval
main::h('ioc', '2026-03-17T09:00:00+07:00') . "\nIdempotency-Key: receive-ai-1"
--- request eval
main::act('AI-1', action => 'receive', category => 'lighting')
--- error_code: 503
--- response_headers_like
Retry-After: \d+
--- response_body_like: "code":"unavailable"
--- error_log
"act" held by 0 of 1 replicas after 100 ms, answered 503



=== TEST 6: its retry with the key: 200 received (it was stored), not 409; one receive in the history and the stream
--- init
Test::More::is(main::redis('HGET', 'pa:{t_aidem}:r:AI-1', 'status'),
               'received', 'the 503 was stored');
--- more_headers eval
main::h('ioc', '2026-03-17T09:01:00+07:00') . "\nIdempotency-Key: receive-ai-1"
--- request eval
main::act('AI-1', action => 'receive', category => 'lighting')
--- error_code: 200
--- response_body_like: "status":"received"



=== TEST 7: another officer with the same key is another action: 409, the state moved on; the first officer's key still answers
--- init
Test::More::is(main::entries('receive'), 1, 'one receive in the history');
Test::More::is(main::events('receive'), 1, 'one receive event');
--- more_headers eval
[main::h('ioc2', '2026-03-17T09:02:00+07:00') . "\nIdempotency-Key: receive-ai-1",
 main::h('ioc', '2026-03-17T09:03:00+07:00') . "\nIdempotency-Key: receive-ai-1"]
--- pipelined_requests eval
[main::act('AI-1', action => 'receive', category => 'lighting'),
 main::act('AI-1', action => 'receive', category => 'lighting')]
--- error_code eval
[409, 200]
--- response_body_like eval
['"code":"invalid_transition"', '"status":"received"']



=== TEST 8: a dispatch after it is taken as usual; the key kept a day, not for ever
--- more_headers eval
main::h('ioc', '2026-03-17T09:30:00+07:00') . "\nIdempotency-Key: dispatch-ai-1"
--- request eval
main::act('AI-1', action => 'dispatch', agencies => ['so-xd'])
--- error_code: 200
--- response_body_like: "status":"dispatched"



=== TEST 9: a malformed key is 400 before anything is done
--- init
my @keys = split /\n/, main::redis('KEYS', 'pa:{t_aidem}:aidem:*');
Test::More::is(scalar @keys, 3, 'three keys kept: verify, receive, dispatch');
Test::More::ok(!grep({ my $t = main::redis('TTL', $_); $t < 86000 || $t > 86400 } @keys),
               'each for a day');
--- more_headers eval
main::h('xd', '2026-03-17T10:00:00+07:00') . "\nIdempotency-Key: bad key"
--- request eval
main::act('AI-1', action => 'accept')
--- error_code: 400
--- response_body_like: ^\{"error":\{"code":"invalid_field","message":"[^"]+","field":"Idempotency-Key"\}\}$
