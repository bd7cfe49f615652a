# A calendar that knows its end: pa_calendar_file takes several files on
# one line (2026 and 2027 as the profiles ship them), GET /api/v1/health
# says until when the calendar is known and warns from 60 days before,
# nginx warns in error.log at start and on the sweeper's daily pass, and a
# deadline past the known calendar or over the provisional Tết 2027 is
# still computed and says "provisional": true.
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

fresh('t_cal');

# a holiday file whose year ends 30 days after today (+07:00), made now:
# the start-up warning is about the real clock, which a test cannot set
our ($Soon, $SoonDays) = do {
    my @t = gmtime(time + 7 * 3600 + 30 * 86400);
    my @f = gmtime(time + 7 * 3600 - 300 * 86400);
    my $until = sprintf '%04d-%02d-%02d', $t[5] + 1900, $t[4] + 1, $t[3];
    my $from = sprintf '%04d-%02d-%02d', $f[5] + 1900, $f[4] + 1, $f[3];
    my $file = "$ENV{TEST_NGINX_PA_DATA}/holidays-soon.txt";
    open my $fh, '>', $file or die "$file: $!";
    print $fh "# made by t/170-calendar.t\n$from..$until  covers  test\n";
    close $fh;
    ($until, 30);
};

# and a file with a kind that does not exist
{
    my $file = "$ENV{TEST_NGINX_PA_DATA}/holidays-bad.txt";
    open my $fh, '>', $file or die "$file: $!";
    print $fh "2027-01-01..2027-12-31  covers  2027\n"
              . "2027-02-05..2027-02-11  off!  Tết\n";
    close $fh;
}

my $http_config = <<'_EOC_';
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_tenant t_cal;
    pa_profile test-calendar;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_calendar_file $TEST_NGINX_ROOT/conf-examples/holidays-vn-2026.txt $TEST_NGINX_ROOT/conf-examples/holidays-vn-2027.txt;
    pa_sla verify 2d;
    pa_test_clock on;
_EOC_

setting(http_config => $http_config, prepare => sub {
    my $block = shift;
    if (defined $block->calendar) {
        my $f = "$ENV{TEST_NGINX_PA_DATA}/holidays-" . $block->calendar
                . '.txt';
        (my $c = $http_config) =~ s{pa_calendar_file [^;]*;}
                                   {pa_calendar_file $f;};
        $block->set_value('http_config', $c);
    }
});

# POST /api/v1/reports at $now as $id
sub submit {
    my ($id, $now) = @_;
    return ("Content-Type: application/json\nX-PA-Now: $now\nX-PA-Test-Id: $id",
            "POST /api/v1/reports\n{\"content\":\"$id\",\"lat\":22.39,"
            . "\"lng\":103.45,\"reporter_name\":\"A\","
            . "\"reporter_phone\":\"0912345678\"}");
}

run_tests();

__DATA__

=== TEST 1: both files on one line: the calendar is known until 31/12/2027, no warning in December 2026
--- more_headers
X-PA-Now: 2026-12-04T10:00:00+07:00
--- request
GET /api/v1/health
--- error_code: 200
--- response_body_like: "calendar_until":"2027-12-31","calendar_days_left":392,"warnings":\[\]\}$



=== TEST 2: from 60 days before the end, health warns
--- more_headers eval
["X-PA-Now: 2027-11-01T10:00:00+07:00", "X-PA-Now: 2027-11-02T10:00:00+07:00",
 "X-PA-Now: 2027-12-31T16:00:00+07:00", "X-PA-Now: 2028-01-05T10:00:00+07:00"]
--- pipelined_requests eval
["GET /api/v1/health", "GET /api/v1/health", "GET /api/v1/health", "GET /api/v1/health"]
--- error_code eval
[200, 200, 200, 200]
--- response_body_like eval
['"calendar_until":"2027-12-31","calendar_days_left":60,"warnings":\[\]\}$',
 '"calendar_days_left":59,"warnings":\["the working calendar ends on 2027-12-31, in 59 days: after it deadlines count weekends only; add the next year\'s holiday file to pa_calendar_file"\]\}$',
 '"calendar_days_left":0,"warnings":\["the working calendar ends on 2027-12-31, in 0 days',
 '"calendar_days_left":-5,"warnings":\["the working calendar ended on 2027-12-31: deadlines count weekends only and are provisional']



=== TEST 3: the sweeper's daily pass writes the warning to error.log at [warn]
--- more_headers
X-PA-Now: 2027-11-15T09:00:00+07:00
--- request
POST /api/v1/admin/sweep
--- error_code: 200
--- error_log
[warn]
pa: the working calendar ends on 2027-12-31, in 46 days: after it deadlines count weekends only



=== TEST 4: a deadline over the provisional Tết Đinh Mùi: computed on the file's break (5-11/2/2027) and flagged
--- more_headers eval
(main::submit('CAL-1', '2027-02-04T15:00:00+07:00'))[0]
--- request eval
(main::submit('CAL-1', '2027-02-04T15:00:00+07:00'))[1]
--- error_code: 201
--- response_body_like: "deadlines":\[\{"step":"verify","due":"2027-02-15T15:00:00\+07:00","provisional":true\}\]



=== TEST 5: a firm deadline carries no flag: Giỗ Tổ 16/4/2027 is a fixed holiday
--- more_headers eval
(main::submit('CAL-2', '2027-04-15T15:00:00+07:00'))[0]
--- request eval
(main::submit('CAL-2', '2027-04-15T15:00:00+07:00'))[1]
--- error_code: 201
--- response_body_like: "deadlines":\[\{"step":"verify","due":"2027-04-20T15:00:00\+07:00"\}\]



=== TEST 6: past the known calendar: still computed (weekends only), and flagged
--- more_headers eval
(main::submit('CAL-3', '2027-12-30T15:00:00+07:00'))[0]
--- request eval
(main::submit('CAL-3', '2027-12-30T15:00:00+07:00'))[1]
--- error_code: 201
--- response_body_like: "deadlines":\[\{"step":"verify","due":"2028-01-03T15:00:00\+07:00","provisional":true\}\]



=== TEST 7: the staff view says so too while the step is open, and not once it is done
--- more_headers eval
["Authorization: Bearer $::T{ioc}\nX-PA-Now: 2027-12-30T16:00:00+07:00",
 "Authorization: Bearer $::T{ioc}\nContent-Type: application/json\nX-PA-Now: 2027-12-31T09:00:00+07:00"]
--- pipelined_requests eval
["GET /api/v1/reports/CAL-3", "POST /api/v1/reports/CAL-3/actions\n{\"action\":\"verify\"}"]
--- error_code eval
[200, 200]
--- response_body_like eval
['"deadlines":\[\{"step":"verify","due":"2028-01-03T15:00:00\+07:00","overdue":false,"provisional":true\}\]',
 '\{"step":"verify","due":"2028-01-03T15:00:00\+07:00","met":true,"overdue":false\}']



=== TEST 8: a calendar that ends in 30 days: nginx warns in error.log as it starts
--- calendar: soon
--- request
GET /api/v1/health
--- error_code: 200
--- response_body_like eval
qr/"calendar_until":"$::Soon","calendar_days_left":$::SoonDays,"warnings":\["the working calendar ends on $::Soon, in $::SoonDays days/
--- error_log eval
qr/\[warn\] .*pa: the working calendar ends on $::Soon, in $::SoonDays days/



=== TEST 9: a bad line stops nginx, naming the file, the line and the kinds
--- calendar: bad
--- must_die
--- error_log eval
qr/\[emerg\] .*holidays-bad\.txt": line 2: expected "off", "work" \("off\?", "work\?" when provisional\) or "covers" after the date/
