# pa_redis cluster= (issue 15 item 3): a pa_redis line that cannot work
# stops nginx with a clear [emerg]; seeds that give no slot map (a Redis
# without cluster support) answer a submission 503 with Retry-After at
# once, never a hang.  The cluster itself (3 primaries, 3 replicas,
# -MOVED, -ASK, a failover under load) runs for real in
# tests/integration/cluster.t.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

our $Rest = <<'_EOC_';
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_cluster;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
_EOC_

our $Json = "Content-Type: application/json";

sub report {
    my $n = shift;
    return qq({"content":"Cây đổ chắn đường số $n","lat":22.39,)
         . qq("lng":103.45,"reporter_name":"Lò Thị H",)
         . qq("reporter_phone":"097100000$n"});
}

setting(http_config => "    pa_redis cluster=127.0.0.1:\$TEST_NGINX_REDIS_PORT"
                       . " connect_timeout=200ms timeout=500ms;\n$Rest");

run_tests();

__DATA__

=== TEST 1: cluster= naming a Redis without cluster support: no slot map, a submission is 503 with Retry-After, at once
--- more_headers: Content-Type: application/json
--- request eval
"POST /api/v1/reports\n" . ::report(1)
--- error_code: 503
--- response_headers_like
Retry-After: \d+
--- response_body_like: "code":"unavailable"
--- wait: 0.5
--- error_log eval
[qr/no slot map from "127\.0\.0\.1:\d+": ERR This instance has cluster support disabled/,
 qr/no node answered CLUSTER SLOTS, asking again/]



=== TEST 2: ... a read too: 503, the JSON error
--- request
GET /api/v1/reports/260101-AAAAAAAA
--- more_headers
X-Report-Token: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
--- error_code: 503
--- response_headers_like
Retry-After: \d+
--- response_body_like: "code":"unavailable"



=== TEST 3: cluster= and sentinel= stop nginx: a cluster elects its own primaries
--- http_config eval
"    pa_redis cluster=127.0.0.1:7000 sentinel=127.0.0.1:26379 master=pa;\n$::Rest"
--- must_die
--- error_log
"cluster=" and "sentinel=" exclude each other



=== TEST 4: an address and cluster= stop nginx: the slot map names the nodes
--- http_config eval
"    pa_redis 127.0.0.1:6379 cluster=127.0.0.1:7000;\n$::Rest"
--- must_die
--- error_log
an address and "cluster=": the cluster's slot map names the nodes



=== TEST 5: db= with cluster= stops nginx: a cluster has database 0 only
--- http_config eval
"    pa_redis cluster=127.0.0.1:7000 db=2;\n$::Rest"
--- must_die
--- error_log
"db=" with "cluster=": a cluster has database 0 only



=== TEST 6: a node address that is none stops nginx
--- http_config eval
"    pa_redis cluster=127.0.0.1:7000,127.0.0.1:99999;\n$::Rest"
--- must_die
--- error_log
invalid cluster node address "127.0.0.1:99999"



=== TEST 7: cluster= without a node stops nginx
--- http_config eval
"    pa_redis cluster=;\n$::Rest"
--- must_die
--- error_log
invalid parameter "cluster="



=== TEST 8: cluster= twice stops nginx
--- http_config eval
"    pa_redis cluster=127.0.0.1:7000 cluster=127.0.0.1:7001;\n$::Rest"
--- must_die
--- error_log
invalid parameter "cluster=127.0.0.1:7001"



=== TEST 9: a unix socket as a node stops nginx: the slot map names host:port
--- http_config eval
"    pa_redis cluster=unix:/run/redis.sock;\n$::Rest"
--- must_die
--- error_log
cluster node "unix:/run/redis.sock" is a unix socket
