# Open311 GeoReport v2 under /open311/v2/, as real clients speak it: every
# endpoint as .xml (parsed by XML::LibXML and checked against the spec's
# element names, order and types: t/PaO311.pm) and .json; errors as
# <errors><error> (or GeoReport's JSON array) in the path's format, XML
# where it cannot be told.  Discovery, services, a definition; POST with
# an API key from pa_open311_keys (403 without), through every check of
# POST /api/v1/reports, in what the spec accepts (names and phone
# optional, any country's phone, an address instead of a position); a
# client's retry answered as the first POST; GET requests: the key's own
# requests in any state plus the published ones, never a name, phone or
# e-mail; tokens; servicerequestupdates until the published result.
# Blocks run in order on one tenant.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest qw(:DEFAULT h act);
use t::PaO311;

use Digest::SHA qw(sha256_hex);
use JSON::PP;

fresh('t_open311');

our $Photo = sha256_hex(slurp("$Fix/fresh-mm.jpg"));

# the operators' keys file: two clients, the second with a tight rate
our $Key = 'fms-2f9c0d6b1e8a4c7d9e0f1a2b';
our $Key2 = 'cityapp-7d1e0c9b8a6f5e4d3c2b';
our $Key3 = 'tight-0a1b2c3d4e5f6a7b8c9d0e';
our $Key4 = 'rescue-app-5e6f7a8b9c0d1e2f3a';
{
    open my $fh, '>', "$Data/open311.keys" or die "keys: $!";
    print $fh "# key                          client       rate\n",
              "$Key  fixmystreet  100r/m\n",
              "$Key2   cityapp      100r/m   # a small city app\n",
              "$Key3 tight 2r/m\n",
              "$Key4 rescue-app 60r/m\n";
    close $fh;
}

# the province's directory, where a fire report asks three questions
{
    my $dir = JSON::PP->new->decode(
        slurp("$ENV{TEST_NGINX_ROOT}/conf-examples/directory/laichau.json"));
    my ($fire) = grep { $_->{id} eq 'fire' } @{$dir->{categories}};
    $fire->{attributes} = [
        {code => 'trapped', description => 'Có người mắc kẹt không?',
         datatype => 'singlevaluelist', required => JSON::PP::true,
         values => [{key => 'yes', name => 'Có'},
                    {key => 'no', name => 'Không'}]},
        {code => 'floors', description => 'Số tầng của toà nhà',
         datatype => 'number'},
        {code => 'hazards', description => 'Nguy cơ kèm theo',
         datatype => 'multivaluelist',
         values => [{key => 'gas', name => 'Bình gas'},
                    {key => 'power', name => 'Đường điện'}]}];
    open my $fh, '>', "$Data/directory.json" or die "directory: $!";
    print $fh JSON::PP->new->encode($dir);
    close $fh;
}

# keys files nginx must refuse
for my $bad (["bad-rate", "$Key fixmystreet 60r/d\n"],
             ["bad-key", "short fixmystreet 60r/m\n"],
             ["twice", "$Key a 1r/s\n$Key b 1r/s\n"]) {
    open my $fh, '>', "$Data/$bad->[0].keys" or die "keys: $!";
    print $fh $bad->[1];
    close $fh;
}

our $Form = "Content-Type: application/x-www-form-urlencoded";
our $Now = "X-PA-Now: 2026-01-22T10:00:00+07:00";
our $Later = "X-PA-Now: 2026-01-23T12:00:00+07:00";
our $Notice = 'Received. Keep the token: it is shown only once. With it '
    . 'you follow this request at /open311/v2/requests/{id}.xml?token=... '
    . '(or /api/v1/reports/{id} with X-Report-Token). The request is listed '
    . 'publicly once its result is published.';

# what a GeoReport error looks like, exactly, in JSON and in XML
sub err {
    my ($code, $description) = @_;
    return JSON::PP->new->canonical->encode(
        [{code => $code + 0, description => $description}]) . "\n";
}

sub xerr {
    my ($code, $description) = @_;
    return "errors\n  error\n    code: $code\n"
        . "    description: $description\nconforms\n";
}

# a request's outline, its fields in the spec's order
sub xreq {
    my (%f) = @_;
    my $out = "  request\n";
    for my $k (qw(service_request_id status status_notes service_name
                  service_code description agency_responsible service_notice
                  requested_datetime updated_datetime expected_datetime
                  address address_id zipcode lat long media_url)) {
        my $v = $f{$k} // '';
        $out .= "    $k:" . ($v eq '' ? '' : " $v") . "\n";
    }
    return $out;
}

our $Traffic = 'Giao thông (đường hư hỏng, ổ gà, biển báo)';
our $Submitted = 'Đã nhận phản ánh; Trung tâm điều hành sẽ kiểm tra.';

our $Config_http = <<'_EOC_';
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_open311;
    pa_profile test-open311;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_directory $TEST_NGINX_PA_DATA/directory.json;
    pa_open311_keys $TEST_NGINX_PA_DATA/open311.keys;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_utc_offset +07:00;
    pa_sla verify 2d wall;
    pa_sla receive 1d wall;
    pa_sla dispatch 1d wall;
    pa_sla accept 1d wall;
    pa_sla resolve 5d wall;
    pa_sla publish 1d wall;
    pa_test_clock on;
_EOC_

my $config = <<'_EOC_';
    location /api/v1/ {
        pa_api;
        error_page 400 404 405 413 415 429 500 503 @pa_error;
    }
    location /open311/v2/ {
        pa_api;
        error_page 400 404 405 413 415 429 500 503 @pa_error;
    }
    location @pa_error { pa_error; }
    location /media/ {
        alias $TEST_NGINX_PA_DATA/media/public/;
        types {
            image/jpeg jpg;
        }
    }
_EOC_

setting(http_config => $Config_http, config => $config,
        response_body_filters => \&t::PaO311::xml);

run_tests();

__DATA__

=== TEST 1: discovery in XML: the spec's <discovery>, this endpoint's URL and both formats
--- request
GET /open311/v2/discovery.xml
--- more_headers
Host: pa.laichau.gov.vn
--- error_code: 200
--- response_headers
Content-Type: text/xml; charset=utf-8
Cache-Control: public, max-age=30
--- response_body
discovery
  changeset: 2026-12-04T00:00:00+07:00
  contact: Trung tâm Giám sát, điều hành thông minh (IOC) của tỉnh
  key_service: API keys are issued by the province's operations center (IOC)
  endpoints
    endpoint
      specification: http://wiki.open311.org/GeoReport_v2
      url: http://pa.laichau.gov.vn/open311/v2
      changeset: 2026-12-04T00:00:00+07:00
      type: production
      formats
        format: text/xml
        format: application/json
conforms



=== TEST 2: discovery in JSON
--- request
GET /open311/v2/discovery.json
--- more_headers
Host: pa.laichau.gov.vn
--- error_code: 200
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body
{"changeset":"2026-12-04T00:00:00+07:00","contact":"Trung tâm Giám sát, điều hành thông minh (IOC) của tỉnh","key_service":"API keys are issued by the province's operations center (IOC)","endpoints":[{"specification":"http://wiki.open311.org/GeoReport_v2","url":"http://pa.laichau.gov.vn/open311/v2","changeset":"2026-12-04T00:00:00+07:00","type":"production","formats":["text/xml","application/json"]}]}



=== TEST 2b: discovery's URL keeps the port the client used (it was dropped: "make run" serves 127.0.0.1:8080 and discovery said http://127.0.0.1/open311/v2)
--- pipelined_requests eval
["GET /open311/v2/discovery.json", "GET /open311/v2/discovery.json",
 "GET /open311/v2/discovery.json"]
--- more_headers eval
["Host: 127.0.0.1:8080", "Host: [::1]:8080", "Host: [::1]"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"url":"http://127.0.0.1:8080/open311/v2"',
 '"url":"http://\\[::1\\]:8080/open311/v2"',
 '"url":"http://\\[::1\\]/open311/v2"']


=== TEST 3: services in XML: <services><service>, the directory's categories, urgent ones say so
--- request
GET /open311/v2/services.xml
--- error_code: 200
--- response_headers
Content-Type: text/xml; charset=utf-8
--- response_body_like eval
qr/^services\n  service\n    service_code: traffic\n    service_name: Giao thông \(đường hư hỏng, ổ gà, biển báo\)\n    description: Giao thông \(đường hư hỏng, ổ gà, biển báo\)\n    metadata: false\n    type: realtime\n    keywords:\n    group: Sở Xây dựng tỉnh Lai Châu\n(  service\n(    .*\n){7}){9}  service\n    service_code: security\n.*\n.*\n    metadata: false\n    type: realtime\n    keywords: urgent\n.*\n(  service\n(    .*\n){7}){4}  service\n    service_code: other\n    service_name: Khác\n    description: Khác\n    metadata: false\n    type: realtime\n    keywords:\n    group:\nconforms\n$/



=== TEST 4: services in JSON: the same
--- request
GET /open311/v2/services.json
--- error_code: 200
--- response_headers
Content-Type: application/json; charset=utf-8
Cache-Control: public, max-age=30
--- response_body_like: ^\[\{"service_code":"traffic","service_name":"Giao thông \(đường hư hỏng, ổ gà, biển báo\)","description":"Giao thông \(đường hư hỏng, ổ gà, biển báo\)","metadata":false,"type":"realtime","keywords":"","group":"Sở Xây dựng tỉnh Lai Châu"\},(\{[^{}]*\},){9}\{"service_code":"security",[^{}]*"keywords":"urgent",[^{}]*\},(\{[^{}]*\},){4}\{"service_code":"other","service_name":"Khác","description":"Khác","metadata":false,"type":"realtime","keywords":"","group":""\}\]$



=== TEST 5: a service's definition in both formats: <service_definition>, its attributes in the spec's order; none for the others
--- pipelined_requests eval
["GET /open311/v2/services/fire.xml", "GET /open311/v2/services/fire.json",
 "GET /open311/v2/services/traffic.xml"]
--- error_code eval
[200, 200, 200]
--- response_body eval
["service_definition\n  service_code: fire\n  attributes\n"
 . "    attribute\n      variable: true\n      code: trapped\n      datatype: singlevaluelist\n"
 . "      required: true\n      datatype_description:\n      order: 1\n"
 . "      description: Có người mắc kẹt không?\n      values\n"
 . "        value\n          key: yes\n          name: Có\n"
 . "        value\n          key: no\n          name: Không\n"
 . "    attribute\n      variable: true\n      code: floors\n      datatype: number\n"
 . "      required: false\n      datatype_description:\n      order: 2\n"
 . "      description: Số tầng của toà nhà\n      values\n"
 . "    attribute\n      variable: true\n      code: hazards\n      datatype: multivaluelist\n"
 . "      required: false\n      datatype_description:\n      order: 3\n"
 . "      description: Nguy cơ kèm theo\n      values\n"
 . "        value\n          key: gas\n          name: Bình gas\n"
 . "        value\n          key: power\n          name: Đường điện\nconforms\n",
 '{"service_code":"fire","attributes":[{"variable":true,"code":"trapped","datatype":"singlevaluelist","required":true,"datatype_description":"","order":1,"description":"Có người mắc kẹt không?","values":[{"key":"yes","name":"Có"},{"key":"no","name":"Không"}]},{"variable":true,"code":"floors","datatype":"number","required":false,"datatype_description":"","order":2,"description":"Số tầng của toà nhà","values":[]},{"variable":true,"code":"hazards","datatype":"multivaluelist","required":false,"datatype_description":"","order":3,"description":"Nguy cơ kèm theo","values":[{"key":"gas","name":"Bình gas"},{"key":"power","name":"Đường điện"}]}]}
',
 "service_definition\n  service_code: traffic\n  attributes\nconforms\n"]



=== TEST 5b: a service with attributes says so in the list (metadata true)
--- pipelined_requests eval
["GET /open311/v2/services.xml", "GET /open311/v2/services.json"]
--- error_code eval
[200, 200]
--- response_body_like eval
['  service\n    service_code: fire\n    service_name: Cháy nổ\n    description: Cháy nổ\n    metadata: true\n',
 '\{"service_code":"fire","service_name":"Cháy nổ","description":"Cháy nổ","metadata":true,']



=== TEST 5c: POST answers the service's questions: a required one missing, a value not in the list, not a number (in either format), then all of them
--- more_headers eval
["$::Form\n$::Now", "$::Form\n$::Now", "$::Form\n$::Now", "$::Form\n$::Now",
 "$::Form\n$::Now\nX-PA-Test-Id: F-1", "Authorization: Bearer $::T{ioc}"]
--- pipelined_requests eval
["POST /open311/v2/requests.xml\napi_key=$::Key4&service_code=fire&lat=22.39&long=103.45&description=Ch%C3%A1y+nh%C3%A0&phone=0912000100",
 "POST /open311/v2/requests.json\napi_key=$::Key4&service_code=fire&lat=22.39&long=103.45&description=Ch%C3%A1y+nh%C3%A0&phone=0912000100&attribute%5Btrapped%5D=maybe",
 "POST /open311/v2/requests.xml\napi_key=$::Key4&service_code=fire&lat=22.39&long=103.45&description=Ch%C3%A1y+nh%C3%A0&phone=0912000100&attribute%5Btrapped%5D=no&attribute%5Bfloors%5D=five",
 "POST /open311/v2/requests.json\napi_key=$::Key4&service_code=fire&lat=22.39&long=103.45&description=Ch%C3%A1y+nh%C3%A0&phone=0912000100&attribute%5Btrapped%5D=no&attribute%5Bhazards%5D%5B%5D=gas&attribute%5Bhazards%5D%5B%5D=water",
 "POST /open311/v2/requests.json\napi_key=$::Key4&service_code=fire&lat=22.39&long=103.45&description=Ch%C3%A1y+nh%C3%A0&phone=0912000100&attribute%5Btrapped%5D=yes&attribute%5Bfloors%5D=5&attribute%5Bhazards%5D%5B%5D=gas&attribute%5Bhazards%5D%5B%5D=power",
 "GET /api/v1/reports/F-1"]
--- error_code eval
[400, 400, 400, 400, 201, 200]
--- response_body_like eval
['^' . quotemeta(main::xerr(400, 'missing_field: attribute[trapped]: this attribute of the service is required')) . '$',
 '^' . quotemeta(main::err(400, 'invalid_field: attribute[trapped]: not one of the values of the service definition')) . '$',
 '^' . quotemeta(main::xerr(400, 'invalid_field: attribute[floors]: must be a number')) . '$',
 '^' . quotemeta(main::err(400, 'invalid_field: attribute[hazards][]: not one of the values of the service definition')) . '$',
 '^\[\{"service_request_id":"F-1",',
 '"attributes":\{"trapped":"yes","floors":"5","hazards":\["gas","power"\]\}']



=== TEST 6: errors in the path's format: <errors><error> for .xml and where the format cannot be told, GeoReport's JSON for .json
--- pipelined_requests eval
["GET /open311/v2/services/no-such.xml", "GET /open311/v2/services/no-such.json",
 "GET /open311/v2/nothing.xml", "GET /open311/v2/requests",
 "GET /open311/v2/services.txt", "GET /open311/v2/discovery/x.json",
 "PUT /open311/v2/services.xml\nx", "DELETE /open311/v2/requests.json",
 "GET /open311/v2/tokens.xml"]
--- error_code eval
[404, 404, 404, 404, 404, 404, 405, 405, 404]
--- response_headers eval
["Content-Type: text/xml; charset=utf-8", "Content-Type: application/json; charset=utf-8",
 "Content-Type: text/xml; charset=utf-8", "Content-Type: text/xml; charset=utf-8",
 "Content-Type: text/xml; charset=utf-8", "Content-Type: application/json; charset=utf-8",
 "Content-Type: text/xml; charset=utf-8", "Content-Type: application/json; charset=utf-8",
 "Content-Type: text/xml; charset=utf-8"]
--- response_body eval
[main::xerr(404, 'not_found: service_code: no such service'),
 main::err(404, 'not_found: service_code: no such service'),
 main::xerr(404, 'not_found: no such resource (GeoReport v2: discovery, services, requests, tokens, servicerequestupdates; .xml or .json)'),
 main::xerr(404, 'not_found: no such resource (GeoReport v2: discovery, services, requests, tokens, servicerequestupdates; .xml or .json)'),
 main::xerr(404, 'not_found: no such resource (GeoReport v2: discovery, services, requests, tokens, servicerequestupdates; .xml or .json)'),
 main::err(404, 'not_found: no such resource (GeoReport v2: discovery, services, requests, tokens, servicerequestupdates; .xml or .json)'),
 main::xerr(405, 'method_not_allowed: method not allowed here'),
 main::err(405, 'method_not_allowed: method not allowed here'),
 main::xerr(404, 'not_found: no such resource (GeoReport v2: discovery, services, requests, tokens, servicerequestupdates; .xml or .json)')]



=== TEST 7: POST needs a valid api_key (403 in either format); jurisdiction_id must be this one's; service_code is required
--- more_headers eval
"$::Form\n$::Now"
--- pipelined_requests eval
["POST /open311/v2/requests.xml\nservice_code=traffic&lat=22.39&long=103.45&description=x&phone=0912000001",
 "POST /open311/v2/requests.json\nservice_code=traffic&lat=22.39&long=103.45&description=x&phone=0912000001",
 "POST /open311/v2/requests.xml\napi_key=not-a-key-at-all-0000&service_code=traffic&lat=22.39&long=103.45&description=x&phone=0912000001",
 "POST /open311/v2/requests.xml\napi_key=$::Key&jurisdiction_id=hanoi&service_code=traffic&lat=22.39&long=103.45&description=x&phone=0912000001",
 "POST /open311/v2/requests.xml\napi_key=$::Key&lat=22.39&long=103.45&description=x&phone=0912000001",
 "POST /open311/v2/requests.json\napi_key=$::Key&lat=22.39&long=103.45&description=x&phone=0912000001"]
--- error_code eval
[403, 403, 403, 404, 400, 400]
--- response_body eval
[main::xerr(403, 'forbidden: api_key: an api_key is required: the province\'s operators issue them'),
 main::err(403, 'forbidden: api_key: an api_key is required: the province\'s operators issue them'),
 main::xerr(403, 'forbidden: api_key: this api_key is not valid'),
 main::xerr(404, 'not_found: jurisdiction_id: this server does not serve that jurisdiction'),
 main::xerr(400, 'missing_field: service_code: this field is required'),
 main::err(400, 'missing_field: service_code: this field is required')]



=== TEST 8: nothing is published yet: the public list is empty, in both formats
--- more_headers
X-PA-Now: 2026-01-22T09:00:00+07:00
--- pipelined_requests eval
["GET /open311/v2/requests.xml", "GET /open311/v2/requests.json"]
--- error_code eval
[200, 200]
--- response_body eval
["service_requests\nconforms\n", "[]\n"]



=== TEST 9: a request as a form, in XML: the id at once, the reporter's token, Location of the report
--- more_headers eval
"$::Form\n$::Now\nX-PA-Test-Id: O-1\nX-PA-Test-Token: O-1~token-open311-report-1"
--- request eval
"POST /open311/v2/requests.xml\n"
. "api_key=$::Key&jurisdiction_id=t_open311&service_code=traffic&lat=22.396&long=103.458"
. "&description=%E1%BB%94+g%C3%A0+l%E1%BB%9Bn+tr%C3%AAn+%C4%91%C6%B0%E1%BB%9Dng+Tr%E1%BA%A7n+Ph%C3%BA"
. "&first_name=Th%E1%BB%8B+B%C3%ADch&last_name=Tr%E1%BA%A7n&phone=0912+345+678"
. "&email=bich%40example.vn&address_string=S%E1%BB%91+5+Tr%E1%BA%A7n+Ph%C3%BA"
. "&media_url=https%3A%2F%2Fexample.org%2Fo%2F1.jpg&media_url=https%3A%2F%2Fexample.org%2Fo%2F2.jpg"
. "&device_id=abc&account_id=&attribute%5Bdepth%5D=10"
--- error_code: 201
--- response_headers
Location: /api/v1/reports/O-1
Content-Type: text/xml; charset=utf-8
--- response_body eval
"service_requests\n  request\n    service_request_id: O-1\n"
. "    token: O-1~token-open311-report-1\n    service_notice: $::Notice\n"
. "    account_id:\nconforms\n"
--- no_error_log
[error]



=== TEST 10: the report is there for its reporter (the token), as any report: no personal data in it; both photos' links kept
--- more_headers
X-Report-Token: O-1~token-open311-report-1
--- request
GET /api/v1/reports/O-1
--- error_code: 200
--- response_body_like: ^\{"id":"O-1","status":"submitted","content":"Ổ gà lớn trên đường Trần Phú","content_original":"Ổ gà lớn trên đường Trần Phú","category":"traffic","channel":"app","lat":22.396,"lng":103.458,"address":"Số 5 Trần Phú","media_url":"https://example.org/o/1.jpg https://example.org/o/2.jpg",.*"deadlines":\[\{"step":"verify","due":"2026-01-24T10:00:00\+07:00"
--- response_body_unlike: Bích|912345678|example\.vn|pii_|phone_hash|token_hash



=== TEST 11: the IOC reads the reporter: names joined family first, the phone normalised; the history says the door
--- more_headers eval
["Authorization: Bearer $::T{ioc}", "Authorization: Bearer $::T{ioc}"]
--- pipelined_requests eval
["GET /api/v1/reports/O-1/reporter", "GET /api/v1/reports/O-1/history"]
--- error_code eval
[200, 200]
--- response_body_like eval
['"name":"Trần Thị Bích","phone":"\+84912345678","email":"bich@example.vn"',
 '^\[\{"at":"2026-01-22T10:00:00\+07:00","role":"reporter","actor":"reporter","action":"submit","from":null,"to":"submitted","note":"Open311 GeoReport v2"\}\]$']



=== TEST 12: unpublished: not for the public (404 in the path's format), nor for another client; the list of the public leaves it out
--- more_headers eval
"$::Now"
--- pipelined_requests eval
["GET /open311/v2/requests/O-1.xml", "GET /open311/v2/requests/O-404.json",
 "GET /open311/v2/requests.xml?service_request_id=O-1",
 "GET /open311/v2/requests/O-1.xml?token=a-wrong-token-0000",
 "GET /open311/v2/requests/O-1.xml?api_key=$::Key2"]
--- error_code eval
[404, 404, 200, 404, 404]
--- response_body eval
[main::xerr(404, 'not_found: service_request_id: no such request'),
 main::err(404, 'not_found: service_request_id: no such request'),
 "service_requests\nconforms\n",
 main::xerr(404, 'not_found: service_request_id: no such request'),
 main::xerr(404, 'not_found: service_request_id: no such request')]



=== TEST 13: ... but the client that sent it lists it while it is open: the state in plain words, the step's deadline, the address it sent, never cached
--- more_headers eval
"$::Now"
--- pipelined_requests eval
["GET /open311/v2/requests.xml?api_key=$::Key",
 "GET /open311/v2/requests.xml?api_key=$::Key&status=open",
 "GET /open311/v2/requests/O-1.xml?api_key=$::Key",
 "GET /open311/v2/requests.json?api_key=$::Key&status=open&service_code=traffic,lighting"]
--- error_code eval
[200, 200, 200, 200]
--- response_headers eval
["Cache-Control: private, no-store", "Cache-Control: private, no-store",
 "Cache-Control: private, no-store", "Cache-Control: private, no-store"]
--- response_body eval
my $x = "service_requests\n" . main::xreq(service_request_id => 'O-1',
    status => 'open', status_notes => $::Submitted, service_name => $::Traffic,
    service_code => 'traffic', description => 'Ổ gà lớn trên đường Trần Phú',
    requested_datetime => '2026-01-22T10:00:00+07:00',
    updated_datetime => '2026-01-22T10:00:00+07:00',
    expected_datetime => '2026-01-24T10:00:00+07:00',
    address => 'Số 5 Trần Phú', lat => '22.396', long => '103.458',
    media_url => 'https://example.org/o/1.jpg') . "conforms\n";
[$x, $x, $x,
 '[{"service_request_id":"O-1","status":"open","status_notes":"' . $::Submitted . '","service_name":"' . $::Traffic . '","service_code":"traffic","description":"Ổ gà lớn trên đường Trần Phú","agency_responsible":null,"service_notice":null,"requested_datetime":"2026-01-22T10:00:00+07:00","updated_datetime":"2026-01-22T10:00:00+07:00","expected_datetime":"2026-01-24T10:00:00+07:00","address":"Số 5 Trần Phú","address_id":null,"zipcode":null,"lat":22.396,"long":103.458,"media_url":"https://example.org/o/1.jpg"}]
']
--- no_error_log
[error]



=== TEST 14: ... and its reporter follows it with the token, in both formats
--- pipelined_requests eval
["GET /open311/v2/requests/O-1.xml?token=O-1~token-open311-report-1",
 "GET /open311/v2/requests/O-1.json?token=O-1~token-open311-report-1"]
--- error_code eval
[200, 200]
--- response_headers eval
["Cache-Control: private, no-store", "Cache-Control: private, no-store"]
--- response_body_like eval
["^service_requests\n  request\n    service_request_id: O-1\n    status: open\n    status_notes: $::Submitted\n.*\nconforms\n\$",
 '^\[\{"service_request_id":"O-1","status":"open","status_notes":"' . $::Submitted . '",']



=== TEST 15: tokens/{token}: the request id of a token, in both formats; an unknown token is 404
--- pipelined_requests eval
["GET /open311/v2/tokens/O-1~token-open311-report-1.xml",
 "GET /open311/v2/tokens/O-1~token-open311-report-1.json",
 "GET /open311/v2/tokens/no-such-token-at-all.xml",
 "GET /open311/v2/tokens/no-such-token-at-all.json"]
--- error_code eval
[200, 200, 404, 404]
--- response_body eval
["service_requests\n  request\n    service_request_id: O-1\n    token: O-1~token-open311-report-1\nconforms\n",
 "[{\"service_request_id\":\"O-1\",\"token\":\"O-1~token-open311-report-1\"}]\n",
 main::xerr(404, 'not_found: token: no request for this token'),
 main::err(404, 'not_found: token: no request for this token')]



=== TEST 16: FixMyStreet resends after a lost answer: the same body and key within a day get the first answer, never a 409 or a second report
--- more_headers eval
"$::Form\nX-PA-Now: 2026-01-22T10:05:00+07:00\nX-PA-Test-Id: O-9\nX-PA-Test-Token: token-open311-report-9"
--- request eval
"POST /open311/v2/requests.xml\n"
. "api_key=$::Key&jurisdiction_id=t_open311&service_code=traffic&lat=22.396&long=103.458"
. "&description=%E1%BB%94+g%C3%A0+l%E1%BB%9Bn+tr%C3%AAn+%C4%91%C6%B0%E1%BB%9Dng+Tr%E1%BA%A7n+Ph%C3%BA"
. "&first_name=Th%E1%BB%8B+B%C3%ADch&last_name=Tr%E1%BA%A7n&phone=0912+345+678"
. "&email=bich%40example.vn&address_string=S%E1%BB%91+5+Tr%E1%BA%A7n+Ph%C3%BA"
. "&media_url=https%3A%2F%2Fexample.org%2Fo%2F1.jpg&media_url=https%3A%2F%2Fexample.org%2Fo%2F2.jpg"
. "&device_id=abc&account_id=&attribute%5Bdepth%5D=10"
--- error_code: 201
--- response_headers
Location: /api/v1/reports/O-1
--- response_body eval
"service_requests\n  request\n    service_request_id: O-1\n"
. "    token: O-1~token-open311-report-1\n    service_notice: $::Notice\n"
. "    account_id:\nconforms\n"
--- no_error_log
[error]



=== TEST 17: ... one report only (O-9 was never stored), and another client sending the same is no retry: the duplicate check answers
--- more_headers eval
["Authorization: Bearer $::T{ioc}", "$::Form\nX-PA-Now: 2026-01-22T10:06:00+07:00"]
--- pipelined_requests eval
["GET /api/v1/reports/O-9",
 "POST /open311/v2/requests.json\n"
 . "api_key=$::Key2&service_code=traffic&lat=22.396&long=103.458"
 . "&description=%E1%BB%94+g%C3%A0+l%E1%BB%9Bn+tr%C3%AAn+%C4%91%C6%B0%E1%BB%9Dng+Tr%E1%BA%A7n+Ph%C3%BA"
 . "&phone=0912+345+678"]
--- error_code eval
[404, 409]
--- response_body_like eval
['"code":"not_found"',
 '^' . quotemeta(main::err(409, 'duplicate: you already sent this report and it is still being handled')) . '$']



=== TEST 18: with an Idempotency-Key the key decides: the same key with another body is the first request again
--- more_headers eval
["$::Form\n$::Now\nIdempotency-Key: fms-1234\nX-PA-Test-Id: O-4\nX-PA-Test-Token: token-open311-report-4",
 "$::Form\n$::Now\nIdempotency-Key: fms-1234\nX-PA-Test-Id: O-8"]
--- pipelined_requests eval
["POST /open311/v2/requests.json\napi_key=$::Key&service_code=lighting&lat=22.40&long=103.46&description=%C4%90%C3%A8n+h%E1%BB%8Fng&email=an%40example.vn",
 "POST /open311/v2/requests.json\napi_key=$::Key&service_code=lighting&lat=22.40&long=103.46&description=%C4%90%C3%A8n+h%E1%BB%8Fng+(s%E1%BB%ADa)&email=an%40example.vn"]
--- error_code eval
[201, 201]
--- response_body eval
["[{\"service_request_id\":\"O-4\",\"token\":\"token-open311-report-4\",\"service_notice\":\"$::Notice\",\"account_id\":null}]\n",
 "[{\"service_request_id\":\"O-4\",\"token\":\"token-open311-report-4\",\"service_notice\":\"$::Notice\",\"account_id\":null}]\n"]



=== TEST 19: what the spec accepts: no name, a phone of another country, an e-mail alone; the IOC reads them normalised
--- more_headers eval
["$::Form\n$::Now\nX-PA-Test-Id: O-5", "Authorization: Bearer $::T{ioc}",
 "$::Form\n$::Now\nX-PA-Test-Id: O-6", "Authorization: Bearer $::T{ioc}"]
--- pipelined_requests eval
["POST /open311/v2/requests.json\napi_key=$::Key&service_code=environment&lat=22.38&long=103.47&description=R%C3%A1c+th%E1%BA%A3i+b%E1%BB%91c+m%C3%B9i&phone=%2B1+555+123+4567&first_name=John",
 "GET /api/v1/reports/O-5/reporter",
 "POST /open311/v2/requests.json\napi_key=$::Key&service_code=environment&lat=22.38&long=103.47&description=Kh%C3%B3i+%C4%91%E1%BB%91t+r%C3%A1c",
 "GET /api/v1/reports/O-4/reporter"]
--- error_code eval
[201, 200, 400, 200]
--- response_body_like eval
['^\[\{"service_request_id":"O-5",',
 '"name":"John","phone":"\+15551234567"',
 '^\[\{"code":400,"description":"missing_field: phone: a phone number or an e-mail address: the reporter must be reachable"\}\]$',
 '"email":"an@example.vn"']
--- response_body_unlike eval
['no such text', 'no such text', 'no such text', '"phone":"']



=== TEST 20: an address instead of a position (empty lat and long are none): the centroid of the area of address_id, else of the province, marked as such
--- more_headers eval
["$::Form\n$::Now\nX-PA-Test-Id: O-6", "$::Form\n$::Now\nX-PA-Test-Id: O-7",
 "$::Now", "Authorization: Bearer $::T{ioc}",
 "$::Form\n$::Now"]
--- pipelined_requests eval
["POST /open311/v2/requests.xml\napi_key=$::Key&service_code=environment&address_string=Ch%E1%BB%A3+trung+t%C3%A2m&address_id=phuong-doan-ket&description=R%C3%A1c+%E1%BB%9F+ch%E1%BB%A3&phone=0912000006",
 "POST /open311/v2/requests.xml\napi_key=$::Key&service_code=environment&lat=&long=&address_string=B%E1%BA%A3n+Hon&description=Su%E1%BB%91i+%C3%B4+nhi%E1%BB%85m&phone=0912000007",
 "GET /open311/v2/requests.json?api_key=$::Key&service_request_id=O-6,O-7",
 "GET /api/v1/reports/O-7",
 "POST /open311/v2/requests.xml\napi_key=$::Key&service_code=environment&address_id=xa-khong-co&description=x&phone=0912000008"]
--- error_code eval
[201, 201, 200, 200, 400]
--- response_body_like eval
['^service_requests\n  request\n    service_request_id: O-6\n',
 '^service_requests\n  request\n    service_request_id: O-7\n',
 '^\[\{"service_request_id":"O-6",.*"address":"Chợ trung tâm","address_id":"phuong-doan-ket","zipcode":null,"lat":22.3575,"long":103.46,"media_url":null\},\{"service_request_id":"O-7",.*"address":"Bản Hon","address_id":null,"zipcode":null,"lat":22.38,"long":102.82,"media_url":null\}\]$',
 '"position_source":"address"',
 '^errors\n  error\n    code: 400\n    description: invalid_field: address_id: not an area of the directory\nconforms\n$']



=== TEST 21: validation errors: the contract's code and the field as GeoReport names it, in the path's format
--- pipelined_requests eval
["POST /open311/v2/requests.json\napi_key=$::Key&service_code=traffic&lat=22.39&long=103.45&first_name=A&phone=0912345678",
 "POST /open311/v2/requests.xml\napi_key=$::Key&service_code=traffic&description=x&lat=222&long=103.45&first_name=A&phone=0912345678",
 "POST /open311/v2/requests.json\napi_key=$::Key&service_code=traffic&description=x&lat=22.39&long=103.45&first_name=A&phone=12345",
 "POST /open311/v2/requests.json\napi_key=$::Key&description=x&service_code=nope&lat=22.39&long=103.45&first_name=A&phone=0912345678",
 "POST /open311/v2/requests.xml\napi_key=$::Key&service_code=traffic&description=x&lat=22.39&first_name=A&phone=0912345678",
 "POST /open311/v2/requests.json\napi_key=$::Key&service_code=traffic&description=x&lat=22.39&long=103.45&first_name=A&phone=0912345678&media_url=file%3A%2F%2F%2Fetc%2Fpasswd",
 "POST /open311/v2/requests.json\napi_key=$::Key&service_code=traffic&description=x&lat=22.39&long=103.45&first_name=A&phone=0912345678&email=no-at-sign",
 "POST /open311/v2/requests.xml\napi_key=$::Key&service_code=traffic&description=x&lat=22.39&long=103.45&email=no-at-sign",
 "POST /open311/v2/requests.xml\ndescription=%ZZ&lat=22.39",
 "POST /open311/v2/requests.json\ndescription=x&description=y",
 "POST /open311/v2/requests.json\ndescription=%C3%28&lat=22.39",
 "POST /open311/v2/requests.xml\napi_key=$::Key&service_code=traffic&lat=22.39&long=103.45&description=x&phone=0912345678",
 "POST /open311/v2/requests.json\napi_key=$::Key&service_code=traffic&lat=22.39&long=103.45&description=y&phone=0912345678"]
--- error_code eval
[400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400]
--- response_body eval
[main::err(400, 'missing_field: description: this field is required'),
 main::xerr(400, 'invalid_field: lat: must be a latitude in degrees'),
 main::err(400, 'invalid_field: phone: not a phone number (a Vietnamese one, or +<country code> <number>)'),
 main::err(400, 'invalid_field: service_code: no such category in the directory'),
 main::xerr(400, 'missing_field: long: lat and lng go together'),
 main::err(400, 'invalid_field: media_url: must be an http:// or https:// URL'),
 main::err(400, 'invalid_field: email: not an e-mail address'),
 main::xerr(400, 'invalid_field: email: not an e-mail address'),
 main::xerr(400, 'bad_request: malformed form body (a bad %-escape)'),
 main::err(400, 'invalid_field: description: the field is given twice'),
 main::err(400, 'invalid_utf8: description: the field is not valid UTF-8 text'),
 main::xerr(400, 'invalid_field: Idempotency-Key: 1 to 200 characters'),
 main::err(400, 'invalid_field: Idempotency-Key: 1 to 200 characters')]
--- more_headers eval
["$::Form\n$::Now", "$::Form\n$::Now", "$::Form\n$::Now", "$::Form\n$::Now",
 "$::Form\n$::Now", "$::Form\n$::Now", "$::Form\n$::Now", "$::Form\n$::Now",
 "$::Form\n$::Now", "$::Form\n$::Now", "$::Form\n$::Now",
 "$::Form\n$::Now\nIdempotency-Key: " . ('k' x 201),
 "$::Form\n$::Now\nIdempotency-Key: " . ('k' x 201)]



=== TEST 22: multipart with a real photo: the position comes from its EXIF
--- more_headers eval
"Content-Type: multipart/form-data; boundary=$::Boundary\n$::Now\nX-PA-Test-Id: O-2\nX-PA-Test-Token: token-open311-report-2"
--- request eval
"POST /open311/v2/requests.json\n" . main::multipart(
    [api_key => $::Key],
    [service_code => 'traffic'], [description => 'Cây đổ chắn ngang đường'],
    [first_name => 'Thị D'], [last_name => 'Hoàng'], [phone => '0988111222'],
    [address_string => 'Nhà số 9 ngõ 3'],
    ['media', 'fresh-mm.jpg', 'image/jpeg'])
--- error_code: 201
--- response_body eval
'[{"service_request_id":"O-2","token":"token-open311-report-2","service_notice":"'
. $::Notice . '","account_id":null}]
'
--- no_error_log
[error]



=== TEST 23: ... its media and position, for its reporter
--- more_headers
X-Report-Token: token-open311-report-2
--- request
GET /api/v1/reports/O-2
--- error_code: 200
--- response_body_like eval
'"lat":22.396\d*,"lng":103.458\d*,.*"media":\[\{"id":"' . $::Photo . '","type":"image/jpeg"'



=== TEST 24: O-2 goes its way: verified, received, dispatched, accepted, resolved, published
--- more_headers eval
[main::h('ioc', '2026-01-22T11:00:00+07:00'), main::h('ioc', '2026-01-22T12:00:00+07:00'),
 main::h('ioc', '2026-01-22T13:00:00+07:00'), main::h('xd', '2026-01-22T14:00:00+07:00'),
 main::h('xd', '2026-01-23T09:00:00+07:00'), main::h('ioc', '2026-01-23T10:00:00+07:00')]
--- pipelined_requests eval
[main::act('O-2', action => 'verify'), main::act('O-2', action => 'receive'),
 main::act('O-2', action => 'dispatch', agencies => ['so-xd']),
 main::act('O-2', action => 'accept'),
 main::act('O-2', action => 'resolve', summary => 'Đã dọn cây đổ, thông đường.', salutation => 'Bà'),
 main::act('O-2', action => 'publish')]
--- error_code eval
[200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"status":"verified"', '"status":"received"', '"status":"dispatched"',
 '"status":"in_progress"', '"status":"under_review"', '"status":"resolved"']



=== TEST 25: the public list: O-2 only, closed, the result as notes, the lead agency, its public photo; no personal data, not even the address typed
--- more_headers eval
["$::Later", "$::Later"]
--- pipelined_requests eval
["GET /open311/v2/requests.xml", "GET /open311/v2/requests.json"]
--- error_code eval
[200, 200]
--- response_headers eval
["Cache-Control: public, max-age=30", "Cache-Control: public, max-age=30"]
--- response_body eval
["service_requests\n" . main::xreq(service_request_id => 'O-2',
    status => 'closed', status_notes => 'Đã dọn cây đổ, thông đường.',
    service_name => $::Traffic, service_code => 'traffic',
    description => 'Cây đổ chắn ngang đường',
    agency_responsible => 'Sở Xây dựng tỉnh Lai Châu',
    requested_datetime => '2026-01-22T10:00:00+07:00',
    updated_datetime => '2026-01-23T10:00:00+07:00',
    lat => '22.396', long => '103.458',
    media_url => "/media/O-2/$::Photo.jpg") . "conforms\n",
 '[{"service_request_id":"O-2","status":"closed","status_notes":"Đã dọn cây đổ, thông đường.","service_name":"Giao thông (đường hư hỏng, ổ gà, biển báo)","service_code":"traffic","description":"Cây đổ chắn ngang đường","agency_responsible":"Sở Xây dựng tỉnh Lai Châu","service_notice":null,"requested_datetime":"2026-01-22T10:00:00+07:00","updated_datetime":"2026-01-23T10:00:00+07:00","expected_datetime":null,"address":null,"address_id":null,"zipcode":null,"lat":22.396,"long":103.458,"media_url":"/media/O-2/'
. $::Photo . '.jpg"}]
']
--- no_error_log
[error]



=== TEST 26: ... never a name, phone or e-mail, whatever the query; the client's list has its own and the published, newest requested first
--- more_headers eval
["$::Later", "$::Later", "$::Later", "$::Later"]
--- pipelined_requests eval
["GET /open311/v2/requests.xml?api_key=$::Key",
 "GET /open311/v2/requests/O-2.xml",
 "GET /open311/v2/requests.json?service_request_id=O-1,O-2,O-3",
 "GET /open311/v2/requests.json?api_key=$::Key2"]
--- error_code eval
[200, 200, 200, 200]
--- response_body_like eval
['^service_requests\n  request\n    service_request_id: O-7\n(.*\n)*  request\n    service_request_id: O-6\n(.*\n)*  request\n    service_request_id: O-5\n(.*\n)*  request\n    service_request_id: O-4\n(.*\n)*  request\n    service_request_id: O-2\n(.*\n)*  request\n    service_request_id: O-1\n(.*\n)*conforms\n$',
 '"O-2"|service_request_id: O-2',
 '^\[\{"service_request_id":"O-2",[^\[]*\}\]$',
 '^\[\{"service_request_id":"O-2",[^\[]*\}\]$']
--- response_body_unlike eval
['Hoàng|Thị D|988111222|Bích|912345678|example\.vn|token|pii|phone|email|first_name',
 'Hoàng|Thị D|988111222|Bích|912345678|example\.vn|token|pii|phone|email|first_name|Nhà số 9',
 'O-1|O-3|Hoàng|988111222|Bích|912345678',
 'O-1|O-4|O-5|O-6|O-7']



=== TEST 27: the public photo's url serves the copy without metadata
--- request eval
"GET /media/O-2/$::Photo.jpg"
--- error_code: 200
--- response_headers
Content-Type: image/jpeg



=== TEST 28: filters: status, comma lists of services, W3C dates (a day, month or year; hh:mm without seconds), pages
--- more_headers eval
["$::Later", "$::Later", "$::Later", "$::Later", "$::Later", "$::Later",
 "$::Later", "$::Later", "$::Later", "$::Later", "$::Later", "$::Later",
 "$::Later", "$::Later", "$::Later"]
--- pipelined_requests eval
["GET /open311/v2/requests.json?status=closed",
 "GET /open311/v2/requests.json?status=open",
 "GET /open311/v2/requests.json?status=open,closed",
 "GET /open311/v2/requests.json?service_code=lighting,traffic",
 "GET /open311/v2/requests.json?service_code=lighting",
 "GET /open311/v2/requests.json?start_date=2026-01-22T00:00:00%2B07:00&end_date=2026-01-22T23:59:59%2B07:00",
 "GET /open311/v2/requests.json?start_date=2026-01-22&end_date=2026-01-22",
 "GET /open311/v2/requests.json?start_date=2026-01-23",
 "GET /open311/v2/requests.json?end_date=2026-01-21",
 "GET /open311/v2/requests.xml?api_key=$::Key&status=open&service_code=environment&page=2&page_size=1",
 "GET /open311/v2/requests.json?api_key=$::Key&status=closed",
 "GET /open311/v2/requests.json?api_key=$::Key&limit=2",
 "GET /open311/v2/requests.json?start_date=2026-01&end_date=2026-01",
 "GET /open311/v2/requests.json?start_date=2026&end_date=2026-01-21",
 "GET /open311/v2/requests.json?start_date=2026-01-22T09:59%2B07:00&end_date=2026-01-22T03:01Z"]
--- error_code eval
[200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200]
--- response_body_like eval
['^\[\{"service_request_id":"O-2"[^\[]*\}\]$', '^\[\]$',
 '^\[\{"service_request_id":"O-2"[^\[]*\}\]$',
 '^\[\{"service_request_id":"O-2"[^\[]*\}\]$', '^\[\]$',
 '^\[\{"service_request_id":"O-2"[^\[]*\}\]$',
 '^\[\{"service_request_id":"O-2"[^\[]*\}\]$', '^\[\]$', '^\[\]$',
 '^service_requests\n  request\n    service_request_id: O-6\n(    .*\n){16}conforms\n$',
 '^\[\{"service_request_id":"O-2"[^\[]*\}\]$',
 '^\[\{"service_request_id":"O-7",[^\[]*\},\{"service_request_id":"O-6",[^\[]*\}\]$',
 '^\[\{"service_request_id":"O-2"[^\[]*\}\]$', '^\[\]$',
 '^\[\{"service_request_id":"O-2"[^\[]*\}\]$']
--- no_error_log
[error]



=== TEST 29: bad filters: 400 in the path's format
--- pipelined_requests eval
["GET /open311/v2/requests.xml?status=pending",
 "GET /open311/v2/requests.json?service_code=traffic,nope",
 "GET /open311/v2/requests.xml?start_date=yesterday",
 "GET /open311/v2/requests.json?start_date=2026-01-01&end_date=2026-04-15",
 "GET /open311/v2/requests.json?start_date=2026-02-01&end_date=2026-01-01",
 "GET /open311/v2/requests.json?page_size=1001",
 "GET /open311/v2/requests.xml?service_request_id=O-1,,O-2",
 "GET /open311/v2/requests.xml?api_key=not-a-key-at-all-0000",
 "GET /open311/v2/requests.json?jurisdiction_id=hanoi"]
--- error_code eval
[400, 400, 400, 400, 400, 400, 400, 403, 404]
--- response_body eval
[main::xerr(400, 'invalid_field: status: open, closed or both'),
 main::err(400, 'invalid_field: service_code: no such service'),
 main::xerr(400, 'invalid_field: start_date: must be a W3C date (2026, 2026-01, 2026-01-22) or date-time with offset (2026-01-22T10:00+07:00, 2026-01-22T10:00:00+07:00)'),
 main::err(400, 'invalid_field: end_date: at most 90 days after start_date'),
 main::err(400, 'invalid_field: end_date: is before start_date'),
 main::err(400, 'invalid_field: page_size: a whole number in range'),
 main::xerr(400, 'invalid_field: service_request_id: a comma list of at most 50 request ids'),
 main::xerr(403, 'forbidden: api_key: this api_key is not valid'),
 main::err(404, 'not_found: jurisdiction_id: this server does not serve that jurisdiction')]



=== TEST 30: servicerequestupdates in XML: every change of state of the key's requests in the window, oldest first, the published result last
--- more_headers
X-PA-Now: 2026-01-23T12:00:00+07:00
--- request eval
"GET /open311/v2/servicerequestupdates.xml?api_key=$::Key&start_date=2026-01-22T10:30:00%2B07:00&end_date=2026-01-23T12:00:00%2B07:00"
--- error_code: 200
--- response_headers
Content-Type: text/xml; charset=utf-8
Cache-Control: private, no-store
--- response_body eval
my $u = sub {
    my ($n, $at, $text) = @_;
    return "  request_update\n    update_id: O-2-$n\n    service_request_id: O-2\n"
        . "    status: " . ($n == 6 ? 'closed' : 'open') . "\n"
        . "    updated_datetime: $at\n    description: $text\n    media_url:\n";
};
"service_request_updates\n"
. $u->(1, '2026-01-22T11:00:00+07:00', 'Phản ánh đã được kiểm tra, đang chờ chuyển xử lý.')
. $u->(2, '2026-01-22T12:00:00+07:00', 'Trung tâm điều hành đã tiếp nhận, đang chuyển cơ quan có thẩm quyền.')
. $u->(3, '2026-01-22T13:00:00+07:00', 'Đã chuyển cơ quan có thẩm quyền xử lý.')
. $u->(4, '2026-01-22T14:00:00+07:00', 'Cơ quan có thẩm quyền đang xử lý.')
. $u->(5, '2026-01-23T09:00:00+07:00', 'Đã xử lý; Trung tâm điều hành đang kiểm tra kết quả.')
. $u->(6, '2026-01-23T10:00:00+07:00', 'Đã dọn cây đổ, thông đường.')
. "conforms\n"
--- no_error_log
[error]



=== TEST 31: ... in JSON, from the start: the submissions too (an end_date in UTC); none for another client; none without a key (403)
--- more_headers eval
["$::Later", "$::Later", "$::Later", "$::Later"]
--- pipelined_requests eval
["GET /open311/v2/servicerequestupdates.json?api_key=$::Key&start_date=2026-01-22&end_date=2026-01-22T03:00:00Z",
 "GET /open311/v2/servicerequestupdates.json?api_key=$::Key2",
 "GET /open311/v2/servicerequestupdates.xml",
 "GET /open311/v2/servicerequestupdates.json"]
--- error_code eval
[200, 200, 403, 403]
--- response_body eval
['[{"update_id":"O-1-0","service_request_id":"O-1","status":"open","updated_datetime":"2026-01-22T10:00:00+07:00","description":"' . $::Submitted . '","media_url":null},{"update_id":"O-2-0","service_request_id":"O-2","status":"open","updated_datetime":"2026-01-22T10:00:00+07:00","description":"' . $::Submitted . '","media_url":null},{"update_id":"O-4-0","service_request_id":"O-4","status":"open","updated_datetime":"2026-01-22T10:00:00+07:00","description":"' . $::Submitted . '","media_url":null},{"update_id":"O-5-0","service_request_id":"O-5","status":"open","updated_datetime":"2026-01-22T10:00:00+07:00","description":"' . $::Submitted . '","media_url":null},{"update_id":"O-6-0","service_request_id":"O-6","status":"open","updated_datetime":"2026-01-22T10:00:00+07:00","description":"' . $::Submitted . '","media_url":null},{"update_id":"O-7-0","service_request_id":"O-7","status":"open","updated_datetime":"2026-01-22T10:00:00+07:00","description":"' . $::Submitted . '","media_url":null}]
',
 "[]\n",
 main::xerr(403, 'forbidden: api_key: an api_key is required: the province\'s operators issue them'),
 main::err(403, 'forbidden: api_key: an api_key is required: the province\'s operators issue them')]



=== TEST 32: a rejected request: closed, the reason in plain words, for the client and its reporter; its update says so
--- more_headers eval
[main::h('ioc', '2026-01-22T15:00:00+07:00'), "X-Report-Token: O-1~token-open311-report-1",
 "$::Later"]
--- pipelined_requests eval
[main::act('O-1', action => 'reject', reason => 'duplicate', message => 'Đã có phản ánh O-2'),
 "GET /open311/v2/requests/O-1.json",
 "GET /open311/v2/servicerequestupdates.xml?api_key=$::Key&start_date=2026-01-22T14:00:00%2B07:00&end_date=2026-01-22T16:00:00%2B07:00"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"status":"rejected"',
 '^\[\{"service_request_id":"O-1","status":"closed","status_notes":"Phản ánh không được tiếp nhận: trùng với một phản ánh đã có\.",.*"expected_datetime":null,',
 '^service_request_updates\n  request_update\n    update_id: O-2-4\n(    .*\n){5}  request_update\n    update_id: O-1-1\n    service_request_id: O-1\n    status: closed\n    updated_datetime: 2026-01-22T15:00:00\+07:00\n    description: Phản ánh không được tiếp nhận: trùng với một phản ánh đã có\.\n    media_url:\nconforms\n$']
--- response_body_unlike eval
['no such text', 'rejected|duplicate"', 'rejected|duplicate\b']



=== TEST 33: a client's own rate (2 a minute): the third POST is 429 with Retry-After, in the path's format
--- more_headers eval
"$::Form\n$::Now"
--- pipelined_requests eval
["POST /open311/v2/requests.xml\napi_key=$::Key3&x=1",
 "POST /open311/v2/requests.xml\napi_key=$::Key3&x=2",
 "POST /open311/v2/requests.xml\napi_key=$::Key3&x=3"]
--- error_code eval
[400, 400, 429]
--- response_headers eval
["", "", "Retry-After: 30"]
--- response_body eval
[main::xerr(400, 'missing_field: service_code: this field is required'),
 main::xerr(400, 'missing_field: service_code: this field is required'),
 main::xerr(429, 'rate_limited: api_key: too many requests with this API key, try again later')]



=== TEST 33b: ... a resend of a request it counted is not counted again (a client resending after a lost answer got 429 for a request that was kept): the first body again gets its own answer, a new one is still refused
--- more_headers eval
"$::Form\n$::Now"
--- pipelined_requests eval
["POST /open311/v2/requests.xml\napi_key=$::Key3&x=1",
 "POST /open311/v2/requests.xml\napi_key=$::Key3&x=4"]
--- error_code eval
[400, 429]
--- response_body eval
[main::xerr(400, 'missing_field: service_code: this field is required'),
 main::xerr(429, 'rate_limited: api_key: too many requests with this API key, try again later')]



=== TEST 34: a body above client_max_body_size: 413 from nginx, in the path's format
--- config
    location /open311/v2/ {
        pa_api;
        client_max_body_size 1k;
        error_page 400 404 405 413 415 500 503 @pa_error;
    }
    location @pa_error { pa_error; }
--- more_headers eval
$::Form
--- request eval
"POST /open311/v2/requests.xml\ndescription=" . ("x" x 4096)
--- error_code: 413
--- response_body eval
main::xerr(413, 'too_large: the request body is larger than allowed')



=== TEST 35: ... and in JSON for .json
--- config
    location /open311/v2/ {
        pa_api;
        client_max_body_size 1k;
        error_page 400 404 405 413 415 500 503 @pa_error;
    }
    location @pa_error { pa_error; }
--- more_headers eval
$::Form
--- request eval
"POST /open311/v2/requests.json\ndescription=" . ("x" x 4096)
--- error_code: 413
--- response_body eval
main::err(413, 'too_large: the request body is larger than allowed')



=== TEST 36: other bodies: JSON is accepted, plain text is not (415)
--- more_headers eval
["Content-Type: application/json\n$::Now\nX-PA-Test-Id: O-3",
 "Content-Type: text/plain\n$::Now"]
--- pipelined_requests eval
["POST /open311/v2/requests.json\n{\"api_key\":\"$::Key\",\"service_code\":\"lighting\",\"lat\":22.401,\"long\":103.461,\"description\":\"Đèn đường tắt cả tuần\",\"first_name\":\"Văn C\",\"last_name\":\"Lò\",\"phone\":\"0977000111\"}",
 "POST /open311/v2/requests.xml\nhello"]
--- error_code eval
[201, 415]
--- response_body eval
[qr/^\[\{"service_request_id":"O-3","token":"O-3~[A-Za-z0-9_-]{43}","service_notice":"Received\. [^"]+","account_id":null\}\]$/,
 main::xerr(415, 'unsupported_media: send application/x-www-form-urlencoded, multipart/form-data or application/json')]



=== TEST 37: the edge limit of an address: 429 with Retry-After, in the path's format
--- http_config eval
my $c = $::Config_http; $c =~ s/pa_tenant t_open311;/pa_tenant t_open311_limit;/;
$c . "pa_limit_zone 1m;\npa_limit addr rate=1r/m;\n"
--- more_headers eval
$::Form
--- pipelined_requests eval
["POST /open311/v2/requests.xml\nx=1", "POST /open311/v2/requests.xml\nx=1",
 "POST /open311/v2/requests.json\nx=1"]
--- error_code eval
[403, 429, 429]
--- response_headers eval
["", "Retry-After: 60", "Content-Type: application/json; charset=utf-8"]
--- response_body eval
[main::xerr(403, 'forbidden: api_key: an api_key is required: the province\'s operators issue them'),
 main::xerr(429, 'rate_limited: too many requests, try again later'),
 main::err(429, 'rate_limited: too many requests, try again later')]



=== TEST 38: a client that speaks only XML, from the spec alone (1): its services, then a request with its API key
--- more_headers eval
["", "$::Form\nX-PA-Now: 2026-02-02T08:00:00+07:00\nX-PA-Test-Id: X-1\nX-PA-Test-Token: X-1~token-open311-xml-client"]
--- pipelined_requests eval
["GET /open311/v2/services.xml",
 "POST /open311/v2/requests.xml\napi_key=$::Key2&service_code=lighting&lat=22.3955&long=103.4600&description=%C4%90%C3%A8n+ng%C3%A3+t%C6%B0+t%E1%BA%AFt&email=xml%40example.org"]
--- error_code eval
[200, 201]
--- response_body_like eval
['^services\n  service\n    service_code: traffic\n(.*\n)*conforms\n$',
 '^service_requests\n  request\n    service_request_id: X-1\n    token: X-1~token-open311-xml-client\n    service_notice: Received\. .*\n    account_id:\nconforms\n$']



=== TEST 39: (2) it finds the request by its token and lists it while it is open, with its expected date
--- more_headers eval
["X-PA-Now: 2026-02-02T09:00:00+07:00", "X-PA-Now: 2026-02-02T09:00:00+07:00"]
--- pipelined_requests eval
["GET /open311/v2/tokens/X-1~token-open311-xml-client.xml",
 "GET /open311/v2/requests.xml?api_key=$::Key2&status=open"]
--- error_code eval
[200, 200]
--- response_body eval
["service_requests\n  request\n    service_request_id: X-1\n    token: X-1~token-open311-xml-client\nconforms\n",
 "service_requests\n" . main::xreq(service_request_id => 'X-1',
    status => 'open', status_notes => $::Submitted,
    service_name => 'Điện chiếu sáng công cộng', service_code => 'lighting',
    description => 'Đèn ngã tư tắt',
    requested_datetime => '2026-02-02T08:00:00+07:00',
    updated_datetime => '2026-02-02T08:00:00+07:00',
    expected_datetime => '2026-02-04T08:00:00+07:00',
    lat => '22.3955', long => '103.46') . "conforms\n"]



=== TEST 40: (3) the province handles it: verified, received, dispatched, accepted, resolved, published
--- more_headers eval
[main::h('ioc', '2026-02-02T10:00:00+07:00'), main::h('ioc', '2026-02-02T11:00:00+07:00'),
 main::h('ioc', '2026-02-02T13:30:00+07:00'), main::h('xd', '2026-02-02T14:00:00+07:00'),
 main::h('xd', '2026-02-03T09:00:00+07:00'), main::h('ioc', '2026-02-03T10:00:00+07:00')]
--- pipelined_requests eval
[main::act('X-1', action => 'verify'), main::act('X-1', action => 'receive'),
 main::act('X-1', action => 'dispatch', agencies => ['so-xd']),
 main::act('X-1', action => 'accept'),
 main::act('X-1', action => 'resolve', summary => 'Đã thay bóng đèn ngã tư.', salutation => 'Ông'),
 main::act('X-1', action => 'publish')]
--- error_code eval
[200, 200, 200, 200, 200, 200]
--- response_body_like eval
['"status":"verified"', '"status":"received"', '"status":"dispatched"',
 '"status":"in_progress"', '"status":"under_review"', '"status":"resolved"']



=== TEST 41: (4) it polls its updates as it goes, until the published result: closed, the agency's words
--- more_headers eval
["X-PA-Now: 2026-02-02T12:00:00+07:00", "X-PA-Now: 2026-02-03T12:00:00+07:00"]
--- pipelined_requests eval
["GET /open311/v2/servicerequestupdates.xml?api_key=$::Key2&start_date=2026-02-02T08:30:00%2B07:00&end_date=2026-02-02T12:00:00%2B07:00",
 "GET /open311/v2/servicerequestupdates.xml?api_key=$::Key2&start_date=2026-02-02T12:00:00%2B07:00&end_date=2026-02-03T12:00:00%2B07:00"]
--- error_code eval
[200, 200]
--- response_body eval
my $u = sub {
    my ($n, $status, $at, $text) = @_;
    return "  request_update\n    update_id: X-1-$n\n    service_request_id: X-1\n"
        . "    status: $status\n    updated_datetime: $at\n    description: $text\n    media_url:\n";
};
["service_request_updates\n"
 . $u->(1, 'open', '2026-02-02T10:00:00+07:00', 'Phản ánh đã được kiểm tra, đang chờ chuyển xử lý.')
 . $u->(2, 'open', '2026-02-02T11:00:00+07:00', 'Trung tâm điều hành đã tiếp nhận, đang chuyển cơ quan có thẩm quyền.')
 . "conforms\n",
 "service_request_updates\n"
 . $u->(3, 'open', '2026-02-02T13:30:00+07:00', 'Đã chuyển cơ quan có thẩm quyền xử lý.')
 . $u->(4, 'open', '2026-02-02T14:00:00+07:00', 'Cơ quan có thẩm quyền đang xử lý.')
 . $u->(5, 'open', '2026-02-03T09:00:00+07:00', 'Đã xử lý; Trung tâm điều hành đang kiểm tra kết quả.')
 . $u->(6, 'closed', '2026-02-03T10:00:00+07:00', 'Đã thay bóng đèn ngã tư.')
 . "conforms\n"]



=== TEST 42: (5) the request itself: closed, the result as its notes, the agency responsible, in the public list too
--- more_headers eval
["X-PA-Now: 2026-02-03T12:00:00+07:00", "X-PA-Now: 2026-02-03T12:00:00+07:00"]
--- pipelined_requests eval
["GET /open311/v2/requests/X-1.xml?api_key=$::Key2",
 "GET /open311/v2/requests.xml?service_code=lighting"]
--- error_code eval
[200, 200]
--- response_body_like eval
['^service_requests\n  request\n    service_request_id: X-1\n    status: closed\n    status_notes: Đã thay bóng đèn ngã tư\.\n(.*\n){3}    agency_responsible: Sở Xây dựng tỉnh Lai Châu\n(.*\n)*conforms\n$',
 '^service_requests\n  request\n    service_request_id: X-1\n    status: closed\n(.*\n)*    address:\n(.*\n)*conforms\n$']




=== TEST 42b: an escalated request is still open for GeoReport: the superior's direction comes back as a dispatch (it was "closed", and a client showed the citizen a live case as closed)
--- more_headers eval
["$::Form\nX-PA-Now: 2026-02-04T08:00:00+07:00\nX-PA-Test-Id: X-2",
 main::h('ioc', '2026-02-04T09:00:00+07:00')]
--- pipelined_requests eval
["POST /open311/v2/requests.xml\napi_key=$::Key2&service_code=lighting&lat=22.3955&long=103.4600&description=%C4%90%C3%A8n+c%E1%BA%A7u+t%E1%BA%AFt&email=xml%40example.org",
 main::act('X-2', action => 'escalate', message => 'Báo cáo UBND tỉnh')]
--- error_code eval
[201, 200]
--- response_body_like eval
['^service_requests\n  request\n    service_request_id: X-2\n',
 '"status":"escalated"']



=== TEST 42c: ... the request, open, its notes in plain words; status=open lists it, status=closed does not; its update says open
--- more_headers eval
["X-PA-Now: 2026-02-04T10:00:00+07:00", "X-PA-Now: 2026-02-04T10:00:00+07:00",
 "X-PA-Now: 2026-02-04T10:00:00+07:00", "X-PA-Now: 2026-02-04T10:00:00+07:00"]
--- pipelined_requests eval
["GET /open311/v2/requests/X-2.xml?api_key=$::Key2",
 "GET /open311/v2/requests.xml?api_key=$::Key2&status=open&start_date=2026-02-04",
 "GET /open311/v2/requests.xml?api_key=$::Key2&status=closed&start_date=2026-02-04",
 "GET /open311/v2/servicerequestupdates.xml?api_key=$::Key2&start_date=2026-02-04T08:30:00%2B07:00&end_date=2026-02-04T10:00:00%2B07:00"]
--- error_code eval
[200, 200, 200, 200]
--- response_body_like eval
['^service_requests\n  request\n    service_request_id: X-2\n    status: open\n    status_notes: Đã chuyển cấp có thẩm quyền cao hơn xem xét\.\n',
 '^service_requests\n  request\n    service_request_id: X-2\n    status: open\n(.*\n)*conforms\n$',
 '^service_requests\nconforms\n$',
 '^service_request_updates\n  request_update\n    update_id: X-2-1\n    service_request_id: X-2\n    status: open\n    updated_datetime: 2026-02-04T09:00:00\+07:00\n    description: Đã chuyển cấp có thẩm quyền cao hơn xem xét\.\n    media_url:\nconforms\n$']



=== TEST 43: a keys file with a rate nginx cannot read stops nginx
--- http_config eval
my $c = $::Config_http; $c =~ s/open311\.keys/bad-rate.keys/; $c
--- must_die
--- error_log eval
qr{pa_open311_keys ".*/bad-rate\.keys" line 1: a rate is N r/s, r/m or r/h}



=== TEST 44: nor a key too short to be a secret
--- http_config eval
my $c = $::Config_http; $c =~ s/open311\.keys/bad-key.keys/; $c
--- must_die
--- error_log eval
qr{pa_open311_keys ".*/bad-key\.keys" line 1: a key is 16 to 128 visible ASCII characters}



=== TEST 45: nor a key given twice
--- http_config eval
my $c = $::Config_http; $c =~ s/open311\.keys/twice.keys/; $c
--- must_die
--- error_log eval
qr{pa_open311_keys ".*/twice\.keys" line 2: the key is given twice}
