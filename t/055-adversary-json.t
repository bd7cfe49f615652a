# The adversary's findings on JSON bodies: hostile bytes reach the
# hand-written parser (ngx_pa_jparse.c) first; a body it declines goes to
# jansson, and what a client sees must be what jansson alone would give.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

fresh('t_adv_json');

setting(http_config => submit_http('t_adv_json'));

our $Deep = '{"content":"Cột điện nghiêng sắp đổ","lat":22.39,"lng":103.45,'
    . '"reporter_name":"Lò Văn B","reporter_phone":"0912000055","extra":' . ('[' x 70) . '1'
    . (']' x 70) . '}';

run_tests();

__DATA__

=== TEST 1: a field nested deeper than the compact dumper's 64 levels: stored as jansson reads it, not a 500
--- more_headers
Content-Type: application/json
X-PA-Now: 2026-01-23T15:00:00+07:00
X-PA-Test-Id: AJ-1
--- request eval
"POST /api/v1/reports\n$::Deep"
--- error_code: 201
--- response_body_like: "id":"AJ-1"
