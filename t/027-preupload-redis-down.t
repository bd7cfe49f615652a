# Media pre-upload on a bad day: Redis does not answer (nothing listens
# at its address: a dead host, a firewall).  A pre-upload, a resumable
# upload and a submission binding a handle are each refused with 503
# unavailable and Retry-After, and none of them leaves bytes behind: no
# blob in the store, no waiting file, no temp file.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

# a port nothing listens on
our $DeadPort = t::PaTest::free_port();

sub bytes { slurp("$Fix/$_[0]") }

our $Rest = <<'_EOC_';
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_updown;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_max_size 5m;
    pa_upload ttl=1h handles=3 bytes=20m;
    client_max_body_size 20m;
_EOC_

setting(config => api(400, 404, 405, 413, 415), main_config => $Threads,
        http_config => "    pa_thread_pool pa;\n"
            . "    pa_redis 127.0.0.1:$DeadPort connect_timeout=200ms"
            . " timeout=500ms;\n$Rest");

run_tests();

my $media = "$Data/media";
my @left = grep { -f } glob("$media/*/* $media/tmp/*");
is(scalar @left, 0, "nothing of a refused upload is kept") or diag("left: @left");

__DATA__

=== TEST 1: a whole photo while Redis is unreachable: 503 unavailable with Retry-After
--- more_headers
Content-Type: image/jpeg
--- request eval
"POST /api/v1/media\n" . ::bytes('fresh-mm.jpg')
--- error_code: 503
--- response_headers_like
Retry-After: \d+
Content-Type: application/json.*
--- response_body_like: ^\{"error":\{"code":"unavailable"



=== TEST 2: a resumable upload cannot be opened while Redis is unreachable: 503
--- more_headers
Upload-Length: 9000
--- request
POST /api/v1/media
--- error_code: 503
--- response_headers_like
Retry-After: \d+
--- response_body_like: "code":"unavailable"



=== TEST 3: a submission naming a handle while Redis is unreachable: 503, nothing stored
--- more_headers
Content-Type: application/json
--- request
POST /api/v1/reports
{"content":"Rác thải đổ trộm bên suối","reporter_name":"Lò Văn K","reporter_phone":"0977200001","lat":22.396,"lng":103.458,"media_handles":["00000000000000000000000000000001"]}
--- error_code: 503
--- response_headers_like
Retry-After: \d+
--- response_body_like: "code":"unavailable"
