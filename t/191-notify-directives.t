# pa_notify and pa_notify_claim_idle take what they say, and a line nginx
# cannot honour stops it with a clear [emerg]: a target that would
# silently never deliver, or deliver what it must not, never starts.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

our $Http = <<'_EOC_';
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_notify_directives;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
_EOC_

our $Key = 'secret_file=$TEST_NGINX_ROOT/t/keys/auth.key';

setting(http_config => "$Http    pa_pii_key_file \$TEST_NGINX_ROOT/t/keys/pii.key;\n");

run_tests();

__DATA__

=== TEST 1: targets with every parameter start, and the API answers
--- http_config eval
"$::Http    pa_pii_key_file \$TEST_NGINX_ROOT/t/keys/pii.key;
    pa_notify sms http://127.0.0.1:9/sms $::Key events=submitted,notice pii=on timeout=3s retry_for=2h;
    pa_notify chat http://127.0.0.1:9 $::Key events=*;
    pa_notify tls https://localhost:9/hook $::Key events=overdue;
    pa_notify_claim_idle 30s;\n"
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 2: a name that is no key part
--- http_config eval
"$::Http    pa_notify Bad.Name http://127.0.0.1:9/ $::Key events=*;\n"
--- must_die
--- error_log
invalid pa_notify name "Bad.Name"



=== TEST 3: without events=
--- http_config eval
"$::Http    pa_notify sms http://127.0.0.1:9/ $::Key;\n"
--- must_die
--- error_log
pa_notify "sms" needs secret_file= and events=



=== TEST 4: an unknown parameter
--- http_config eval
"$::Http    pa_notify sms http://127.0.0.1:9/ $::Key events=* retries=3;\n"
--- must_die
--- error_log
invalid pa_notify parameter "retries=3"



=== TEST 5: a URL of another scheme
--- http_config eval
"$::Http    pa_notify sms ftp://127.0.0.1:9/ $::Key events=*;\n"
--- must_die
--- error_log
pa_notify "sms": the URL must begin with "http://" or "https://"



=== TEST 6: the same name twice
--- http_config eval
"$::Http    pa_notify sms http://127.0.0.1:9/ $::Key events=*;
    pa_notify sms http://127.0.0.1:9/b $::Key events=*;\n"
--- must_die
--- error_log
duplicate pa_notify target "sms"



=== TEST 7: a claim sooner than an attempt can last would take deliveries still in flight
--- http_config eval
"$::Http    pa_notify sms http://127.0.0.1:9/ $::Key events=* timeout=5s;
    pa_notify_claim_idle 10s;\n"
--- must_die
--- error_log
pa_notify_claim_idle must be longer than three times the timeout= of "sms"



=== TEST 8: pii=on without the key that opens the contact
--- http_config eval
"$::Http    pa_notify sms http://127.0.0.1:9/ $::Key events=* pii=on;\n"
--- must_die
--- error_log
pa_notify "sms": pii=on needs pa_pii_key_file



=== TEST 9: a secret file that is missing
--- http_config eval
"$::Http    pa_notify sms http://127.0.0.1:9/ secret_file=/nonexistent/key events=*;\n"
--- must_die
--- error_log
"/nonexistent/key" failed



=== TEST 10: an empty type in the list
--- http_config eval
"$::Http    pa_notify sms http://127.0.0.1:9/ $::Key events=submitted,,notice;\n"
--- must_die
--- error_log
pa_notify "sms": empty event type in events=



=== TEST 11: a host name nobody can resolve, and no resolver in http{} to look it up later
--- http_config eval
"$::Http    pa_notify sms http://no-such-host.invalid:9/ $::Key events=*;\n"
--- must_die
--- error_log
pa_notify "sms": host not found in "http://no-such-host.invalid:9/" (no "resolver" in http{} to look it up later)



=== TEST 12: with a resolver in http{}, the same name does not stop nginx: it is looked up at each delivery
--- http_config eval
"$::Http    pa_pii_key_file \$TEST_NGINX_ROOT/t/keys/pii.key;
    resolver 127.0.0.1:9 ipv6=off;
    pa_notify sms http://no-such-host.invalid:9/ $::Key events=*;\n"
--- request
GET /api/v1/health
--- error_code: 200



=== TEST 13: with a resolver, a claim must also outlast the name's lookup
--- http_config eval
"$::Http    resolver 127.0.0.1:9 ipv6=off;
    pa_notify sms http://gw.example:9/ $::Key events=* timeout=3s;
    pa_notify_claim_idle 10s;\n"
--- must_die
--- error_log
pa_notify_claim_idle must be longer than three times the timeout= of "sms" and its resolver_timeout
