# Dead pre-uploads leave no bytes behind: the collector (worker 0, a timer
# of half the ttl) removes the waiting file of a handle nobody bound once
# its ttl has passed (pa_upload ttl=2s here, a real clock).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

our $H = 'c0ffee00c0ffee00c0ffee00c0ffee01';

setting(config => api(), main_config => $Threads, http_config => <<'_EOC_');
    pa_thread_pool pa;
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_preupload_gc;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_test_clock on;
    pa_upload ttl=2s;
_EOC_

fresh('t_preupload_gc');
run_tests();

ok(!-e "$Data/media/tmp/up-$H", "the dead upload's file is gone");

__DATA__

=== TEST 1: a partial upload's file exists while its handle lives
--- more_headers eval
["X-PA-Test-Handle: $::H\nUpload-Length: 5000",
 "Content-Type: application/offset+octet-stream\nUpload-Offset: 0"]
--- pipelined_requests eval
["POST /api/v1/media\n", "PATCH /api/v1/media/$::H\n" . ('x' x 700)]
--- error_code eval
[201, 200]
--- response_body_like eval
['"state":"partial"', '"offset":700']
--- no_error_log
dead upload files removed



=== TEST 2: unbound past its ttl, the collector removes it (in the thread pool); the handle reads expired
--- init
my $f = "$t::PaTest::Data/media/tmp/up-$main::H";
die "the waiting file is missing\n" unless -f $f;
# its last write more than a ttl ago, as a dead upload's is
utime time - 10, time - 10, $f;
--- more_headers
X-PA-Now: 2030-01-01T00:00:00+07:00
--- request eval
"GET /api/v1/media/$::H"
--- error_code: 200
--- response_body_like: "state":"expired"
--- wait: 3
--- error_log eval
[qr/\[info\].*pa: 1 dead upload files removed/]
