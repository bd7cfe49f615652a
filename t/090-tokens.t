# Staff tokens (api.md, Staff tokens): a lifetime no longer than
# pa_auth_max_ttl, a jti, and revocation by an admin of one token (jti) or
# of everything a person (sub) held, on every node.  The clock is
# X-PA-Now: Monday 2/3/2026 09:00 in Lai Châu.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;
use Time::Local qw(timegm);

our $Now = timegm(0, 0, 2, 2, 2, 2026);       # 09:00 +07:00
our $At = 'X-PA-Now: 2026-03-02T09:00:00+07:00';

sub staff {
    my (%c) = @_;
    return sign({ role => 'ioc', sub => 'ioc-anna', %c });
}

sub bearer { "Authorization: Bearer $_[0]\n$At" }

# the tokens the blocks use
our %K = (
    shift    => staff(jti => 'j-shift', iat => $Now - 3600,
                      exp => $Now + 11 * 3600),
    long     => staff(jti => 'j-long', iat => $Now - 3600,
                      exp => $Now + 12 * 3600 + 1),
    forever  => staff(jti => 'j-forever', exp => 4102444800),
    undated  => staff(jti => 'j-undated', exp => $Now + 3600),
    other    => staff(jti => 'j-other', iat => $Now - 60,
                      exp => $Now + 3600),
    # past the minute a fast minting clock may be ahead: a person's
    # revocation covers that minute (ngx_pa_revoke_match)
    later    => staff(jti => 'j-later', iat => $Now + 61,
                      exp => $Now + 3600),
    admin    => staff(role => 'admin', sub => 'admin-son', jti => 'j-adm',
                      iat => $Now - 60, exp => $Now + 3600),
    handler  => staff(role => 'handler', agency => 'so-xd',
                      sub => 'xd-binh', jti => 'j-xd', iat => $Now - 60,
                      exp => $Now + 3600),
);

sub revoke {
    return "POST /api/v1/admin/tokens/revoke\n" . $_[0];
}

fresh('t_tokens');

setting(http_config => <<'_EOC_');
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_tokens;
    pa_profile test-tokens;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_auth_max_ttl 12h;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_directory $TEST_NGINX_ROOT/conf-examples/directory/laichau.json;
    pa_sla verify 1d;
    pa_test_clock on;
_EOC_

run_tests();

__DATA__

=== TEST 1: a token of one shift (11 h, under pa_auth_max_ttl 12h) is accepted
--- more_headers eval
::bearer($::K{shift})
--- request
GET /api/v1/queue
--- error_code: 200



=== TEST 2: one second longer than pa_auth_max_ttl: 401, whatever its signature
--- more_headers eval
::bearer($::K{long})
--- request
GET /api/v1/queue
--- error_code: 401
--- response_body_like: "code":"unauthorized"
--- error_log
lives longer than pa_auth_max_ttl



=== TEST 3: a token minted to last until 2100 (no iat): 401
--- more_headers eval
::bearer($::K{forever})
--- request
GET /api/v1/queue
--- error_code: 401



=== TEST 4: bin/pa-token's own token carries a jti and iat, and is accepted
--- more_headers eval
"Authorization: Bearer " . ::pa_token('--role ioc --ttl 3600')
--- request
GET /api/v1/queue
--- error_code: 200
--- init
my $t = main::pa_token('--role ioc --ttl 3600');
my $p = (split /\./, $t)[1];
$p =~ tr{-_}{+/};
my $c = JSON::PP::decode_json(MIME::Base64::decode_base64($p));
Test::More::like($c->{jti}, qr/^[0-9a-f]{32}$/, 'pa-token: a random jti');
Test::More::ok($c->{iat} && $c->{exp} - $c->{iat} == 3600, 'pa-token: iat');



=== TEST 4b: an action is checked on the request's clock before its body too: a valid undated token is not taken for one that lives forever
--- more_headers eval
"Content-Type: application/json\n" . ::bearer($::K{undated})
--- request
POST /api/v1/reports/261124-AAAAAAAA/actions
{"action":"verify"}
--- error_code: 404
--- response_body_like: "code":"not_found"



=== TEST 5: only an admin revokes: no token 401, the IOC and a handler 403
--- more_headers eval
["Content-Type: application/json\n$::At",
 "Content-Type: application/json\n" . ::bearer($::K{shift}),
 "Content-Type: application/json\n" . ::bearer($::K{handler})]
--- pipelined_requests eval
[::revoke('{"jti":"j-shift"}'), ::revoke('{"jti":"j-shift"}'),
 ::revoke('{"jti":"j-shift"}')]
--- error_code eval
[401, 403, 403]
--- response_body_like eval
['"code":"unauthorized"', '"code":"forbidden"', '"code":"forbidden"']



=== TEST 6: a revocation names one token or one person, as a token carries them
--- more_headers eval
"Content-Type: application/json\n" . ::bearer($::K{admin})
--- pipelined_requests eval
[::revoke('{}'), ::revoke('{"jti":"a","sub":"b"}'), ::revoke('{"jti":""}'),
 ::revoke('{"jti":"' . ('x' x 64) . '"}'), ::revoke('{"sub":7}'),
 ::revoke('{"jti":"a\u0001"}')]
--- error_code eval
[400, 400, 400, 400, 400, 400]
--- response_body_like eval
['"code":"missing_field","message":"[^"]+","field":"jti"',
 '"code":"invalid_field","message":"[^"]*not both","field":"sub"', '"code":"invalid_field","message":"[^"]+","field":"jti"',
 '"code":"invalid_field"', '"code":"invalid_field","message":"[^"]+","field":"sub"',
 '"code":"invalid_field"']



=== TEST 7: the admin revokes one token (a lost phone): it is refused at once, the same person's other token is not
--- more_headers eval
["Content-Type: application/json\n" . ::bearer($::K{admin}),
 ::bearer($::K{shift}), ::bearer($::K{other})]
--- pipelined_requests eval
[::revoke('{"jti":"j-shift"}'), "GET /api/v1/queue", "GET /api/v1/queue"]
--- error_code eval
[200, 401, 200]
--- response_body_like eval
['^\{"revoked":\{"jti":"j-shift"\},"at":"2026-03-02T09:00:00\+07:00"\}$',
 '"code":"unauthorized"', '']



=== TEST 7b: ... the refusal says why in error.log
--- init
select(undef, undef, undef, 0.3);
--- more_headers eval
::bearer($::K{shift})
--- request
GET /api/v1/queue
--- error_code: 401
--- error_log
revoked staff token of "ioc-anna" refused



=== TEST 8: in Redis, each entry with the time it was revoked
--- init
Test::More::is(main::redis('ZSCORE', 'pa:{t_tokens}:revoked', 'jti:j-shift'),
               $::Now, 'jti:j-shift at 09:00');
--- more_headers eval
::bearer($::K{other})
--- request
GET /api/v1/queue
--- error_code: 200



=== TEST 9: a fresh nginx reads the revocations from Redis: the token stays refused
--- init
select(undef, undef, undef, 0.5);
--- more_headers eval
::bearer($::K{shift})
--- request
GET /api/v1/queue
--- error_code: 401



=== TEST 10: revoking a person (a departed officer) refuses every token issued up to then, undated ones too; one issued over a minute later is accepted
--- more_headers eval
["Content-Type: application/json\n" . ::bearer($::K{admin}),
 ::bearer($::K{other}), ::bearer($::K{undated}), ::bearer($::K{later}),
 ::bearer($::K{admin})]
--- pipelined_requests eval
[::revoke('{"sub":"ioc-anna"}'), "GET /api/v1/queue", "GET /api/v1/queue",
 "GET /api/v1/queue", "GET /api/v1/queue"]
--- error_code eval
[200, 401, 401, 200, 200]
--- response_body_like eval
['^\{"revoked":\{"sub":"ioc-anna"\},"at":"2026-03-02T09:00:00\+07:00"\}$',
 '', '', '', '']



=== TEST 11: entries older than pa_auth_max_ttl leave the set with the next revocation (no token they could refuse is still alive)
--- init
main::redis('ZADD', 'pa:{t_tokens}:revoked', $::Now - 13 * 3600, 'jti:j-old');
--- more_headers eval
"Content-Type: application/json\n" . ::bearer($::K{admin})
--- request eval
::revoke('{"jti":"j-new"}')
--- error_code: 200
--- response_body_like: "jti":"j-new"



=== TEST 12: ... j-old is gone, j-new and the others stay
--- init
Test::More::is(main::redis('ZSCORE', 'pa:{t_tokens}:revoked', 'jti:j-old'),
               '', 'j-old pruned');
Test::More::is(main::redis('ZCARD', 'pa:{t_tokens}:revoked'), 3,
               'j-shift, ioc-anna, j-new');
--- request
GET /api/v1/health
--- error_code: 200
