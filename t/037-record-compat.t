# pa_record_compat on: during a rolling upgrade from a version before
# issue 12's fields cut, a node still stores a report's "id" and
# "updated_at" at submission, as that version did and as its nodes read
# them (they take neither from elsewhere); the id stored is the one
# drawn, and the reads are those of a lean record.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

our $P = 'pa:{t_compat}:';

setting(http_config => submit_http('t_compat') . "    pa_record_compat on;\n");

sub fields {
    my %h = split /\n/, main::redis('HGETALL', "${P}r:$_[0]");
    return \%h;
}

run_tests();

__DATA__

=== TEST 1: a report submitted with a test id
--- init
main::fresh('t_compat');
--- more_headers
Content-Type: application/json
X-PA-Now: 2026-01-23T15:00:00+07:00
X-PA-Test-Id: CP-1
X-PA-Test-Token: token-of-the-reporter-cp-1
--- request
POST /api/v1/reports
{"content":"Ổ gà lớn trên đường Trần Hưng Đạo","lat":22.396,"lng":103.458,"reporter_name":"Nguyễn Văn A","reporter_phone":"0912345678"}
--- error_code: 201



=== TEST 2: ... stores its id and updated_at (created_at), and reads as any report
--- init
my $h = main::fields('CP-1');
Test::More::is($h->{id}, 'CP-1', 'its id, as an older node reads it');
Test::More::is($h->{updated_at}, $h->{created_at},
               'updated_at: when it was made');
Test::More::is($h->{created_at}, '1769155200', 'created_at: its submission');
--- more_headers
X-Report-Token: token-of-the-reporter-cp-1
--- request
GET /api/v1/reports/CP-1
--- error_code: 200
--- response_body_like: ^\{"id":"CP-1","status":"submitted",.*"created_at":"2026-01-23T15:00:00\+07:00","updated_at":"2026-01-23T15:00:00\+07:00",



=== TEST 3: an id drawn by the node is the one stored in the record
--- more_headers
Content-Type: application/json
X-PA-Now: 2026-01-23T15:10:00+07:00
--- request
POST /api/v1/reports
{"content":"Đèn đường hỏng trước trường học","lat":22.396,"lng":103.458,"reporter_name":"Lò Thị B","reporter_phone":"0912345679"}
--- error_code: 201
--- response_body_like: ^\{"id":"[^"]+","status":"submitted"



=== TEST 4: ... every record of the tenant holds its own id
--- init
my @keys = split /\n/, main::redis('KEYS', "${main::P}r:*");
Test::More::is(scalar @keys, 2, 'two reports');
for my $k (@keys) {
    (my $id = $k) =~ s/^.*:r://;
    Test::More::is(main::redis('HGET', $k, 'id'), $id, "$id: its own id");
}
--- request
GET /api/v1/health
--- error_code: 200
