# GET /metrics (pa_metrics): the Prometheus text exposition 0.0.4, an
# allow list, and counters that move as the requests say.
#
# nginx runs with a master and 2 workers, connections spread over both by
# "listen ... reuseport": what a block counts on one worker, the scrape
# answered by either shows.  Every block starts a new nginx (its zone
# starts at 0) unless its name says "same nginx"; Redis keys are the
# tenant's and emptied in --- init where a block reads them.
#
# A block's own requests go through --- init (one connection each, read
# to its end: nginx counts at the log phase, before it closes) where a
# count must be compared before and after; the block's request is then
# the scrape whose body is checked.
#
# Not tested here: pa_redis_failovers_total and the webhook counters
# (their callers are issues 14 and 15.1: the hooks are exported for
# them); the zone across "nginx -s reload" (this runner does not HUP).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaTest;

use IO::Socket::INET;
use JSON::PP ();
use POSIX ();

master_on();
workers(2);
$Test::Nginx::Util::ReusePort = 1;

our $Http = <<'_EOC_';
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_metrics;
    pa_profile test-metrics;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_calendar_file $TEST_NGINX_ROOT/conf-examples/holidays-vn-2026.txt $TEST_NGINX_ROOT/conf-examples/holidays-vn-2027.txt;
    pa_sla verify 1d;
    pa_test_clock on;
_EOC_

our $Metrics = <<'_EOC_';
    add_header X-Worker $pid always;
    location = /metrics {
        pa_metrics;
        allow 127.0.0.1;
        deny all;
        error_page 403 405 @pa_error;
    }
_EOC_

setting(http_config => $Http, config => api() . $Metrics,
        except => qr/same nginx/);

our $Type = 'text/plain; version=0.0.4; charset=utf-8';

# one request on a connection of its own, read to the end:
# (status, {lower-case header => value}, body)
sub http {
    my ($method, $path, $body, @headers) = @_;
    my $s = IO::Socket::INET->new(
        PeerAddr => '127.0.0.1',
        PeerPort => $Test::Nginx::Util::ServerPortForClient,
        Timeout => 10) or die "cannot connect: $!";
    $body //= '';
    my $req = "$method $path HTTP/1.1\r\nHost: localhost\r\n"
              . "Connection: close\r\n"
              . join('', map { "$_\r\n" } @headers)
              . ($body ne '' || $method eq 'POST'
                 ? "Content-Length: " . length($body) . "\r\n" : '')
              . "\r\n$body";
    print $s $req;
    local $/;
    my $res = <$s> // '';
    close $s;
    my ($head, $rest) = split /\r\n\r\n/, $res, 2;
    my ($status) = $head =~ m{^HTTP/1\.\d (\d{3})} or die "no answer\n";
    my %h;
    for (split /\r\n/, $head) {
        $h{lc $1} = $2 if /^([^:]+):\s*(.*)$/;
    }
    return ($status, \%h, $rest // '');
}

# a valid JSON report, unique content (or the duplicate check answers)
our $N = 0;
sub report {
    my ($phone) = @_;
    $phone //= '0912 345 ' . sprintf('%03d', ++$N);
    $N++;
    return ('POST', '/api/v1/reports',
            '{"content":"Ổ gà trên đường số ' . $N . '","lat":22.396,'
            . '"lng":103.458,"reporter_name":"Nguyễn Văn A",'
            . '"reporter_phone":"' . $phone . '"}',
            'Content-Type: application/json');
}

# The exposition as Prometheus reads it: every line a # HELP / # TYPE
# comment or "name{labels} value"; each family typed once, before its
# samples; counters end in _total; a histogram's buckets cumulative with
# +Inf = _count.  Returns {"name{labels}" => value}.
sub exposition {
    my ($body, $what) = @_;
    my (%v, %type, @bad);
    my $label = qr/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"/;
    push @bad, "no newline at the end" unless $body =~ /\n\z/;
    for my $line (split /\n/, $body) {
        if ($line =~ /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S/) {
            next;
        }
        if ($line =~ /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$/) {
            push @bad, "typed twice: $1" if $type{$1};
            $type{$1} = $2;
            next;
        }
        if ($line =~ /^([a-zA-Z_:][a-zA-Z0-9_:]*)
                       (\{$label(?:,$label)*\})?
                       [ ](-?[0-9]+(?:\.[0-9]+)?|\+Inf)$/x) {
            my ($name, $labels, $value) = ($1, $2 // '', $3);
            (my $family = $name) =~ s/_(bucket|sum|count)$//;
            $family = $name unless ($type{$family} // '') eq 'histogram';
            push @bad, "sample before its TYPE: $line" unless $type{$family};
            push @bad, "sample twice: $name$labels"
                if exists $v{"$name$labels"};
            $v{"$name$labels"} = $value;
            next;
        }
        push @bad, "does not parse: \"$line\"";
    }
    for my $name (sort keys %type) {
        push @bad, "counter $name does not end in _total"
            if $type{$name} eq 'counter' && $name !~ /_total$/;
        next unless $type{$name} eq 'histogram';
        my @b = map { [$_ =~ /le="([^"]+)"/, $v{$_}] }
                grep { /^${name}_bucket\{/ } sort keys %v;
        @b = sort { ($a->[0] eq '+Inf' ? 9e99 : $a->[0])
                    <=> ($b->[0] eq '+Inf' ? 9e99 : $b->[0]) } @b;
        for my $i (1 .. $#b) {
            push @bad, "$name buckets not cumulative"
                if $b[$i][1] < $b[$i - 1][1];
        }
        push @bad, "$name +Inf != _count"
            unless @b && $b[-1][0] eq '+Inf'
                   && $b[-1][1] == ($v{"${name}_count"} // -1)
                   && defined $v{"${name}_sum"};
    }
    Test::More::is_deeply(\@bad, [], "$what: the exposition parses");
    return \%v;
}

sub scrape {
    my ($status, $h, $body) = http('GET', '/metrics');
    Test::More::is($status, 200, "scrape answers 200");
    Test::More::is($h->{'content-type'}, $Type, "scrape's type");
    return exposition($body, "scrape");
}

# the local day's stats key, as the worker names it (+07:00)
sub today {
    return POSIX::strftime('%Y%m%d', gmtime(time + 7 * 3600));
}

# the block's own scrape parses too
Test::Nginx::Socket::add_response_body_check(sub {
    my ($block, $body, $req_idx, $repeated_req_idx, $dry_run) = @_;
    return if $dry_run || $block->name !~ /parses/;
    exposition($body, $block->name . " - req $req_idx");
});

run_tests();

__DATA__

=== TEST 1: GET /metrics is text/plain; version=0.0.4 and parses
--- request
GET /metrics
--- error_code: 200
--- response_headers eval
"Content-Type: $::Type"
--- response_body_like: ^# HELP pa_info .*pa_info\{version="[0-9.]+",tenant="t_metrics",profile="test-metrics"\} 1.*# TYPE pa_http_requests_total counter.*# TYPE pa_redis_call_duration_seconds histogram.*pa_redis_up 1.*pa_reports\{state="submitted"\} 0\n



=== TEST 2: a 201 counts accepted, a 400 refused{reason="invalid_field"}, a missing field refused{reason="missing_field"}; the scrape parses
--- init
main::fresh('t_metrics');
my ($st) = main::http(main::report());
Test::More::is($st, 201, "a valid report");
($st) = main::http('POST', '/api/v1/reports',
                   '{"content":"x","lat":"north","lng":103.4,'
                   . '"reporter_name":"A","reporter_phone":"0912345678"}',
                   'Content-Type: application/json');
Test::More::is($st, 400, "lat is not a number");
($st) = main::http('POST', '/api/v1/reports', '{"content":"x"}',
                   'Content-Type: application/json');
Test::More::is($st, 400, "no position, no reporter");
--- request
GET /metrics
--- error_code: 200
--- response_body_like: ^(?=[\s\S]*\npa_submissions_accepted_total 1\n)(?=[\s\S]*\npa_submissions_refused_total\{reason="invalid_field"\} 1\n)(?=[\s\S]*\npa_submissions_refused_total\{reason="missing_field"\} 1\n)(?=[\s\S]*\npa_http_requests_total\{route="submit",status="201"\} 1\n)(?=[\s\S]*\npa_http_requests_total\{route="submit",status="400"\} 2\n)(?=[\s\S]*\npa_reports\{state="submitted"\} 1\n)



=== TEST 3: the counters move between two scrapes as the requests say
--- init
my $m0 = main::scrape();
my @report = main::report();
my ($st, $h, $first) = main::http(@report);
Test::More::is($st, 201, "a valid report");
my ($st2, $h2, $again) = main::http(@report, 'Idempotency-Key: other-1');
Test::More::is($st2, 409, "the same report under another key: duplicate");
my ($id1) = $first =~ /"id":"([^"]+)"/;
($st2, $h2, $again) = main::http(@report);
Test::More::is($st2, 201, "the same body again: 201 ...");
my ($id2) = $again =~ /"id":"([^"]+)"/;
Test::More::is($id2, $id1, "... with the first report's id (a replay)");
($st) = main::http('POST', '/api/v1/reports', 'not json',
                   'Content-Type: application/json');
Test::More::is($st, 400, "not JSON");
($st) = main::http('GET', '/api/v1/reports/NOPE-1');
Test::More::is($st, 401, "nobody's read");
my $m1 = main::scrape();
my $d = sub { ($m1->{$_[0]} // 0) - ($m0->{$_[0]} // 0) };
Test::More::is($d->('pa_submissions_accepted_total'), 1, "accepted +1");
Test::More::is($d->('pa_submissions_replayed_total'), 1,
               "replayed +1, not accepted");
Test::More::is($d->('pa_http_requests_total{route="submit",status="201"}'),
               2, "two 201s");
Test::More::is($d->('pa_submissions_refused_total{reason="duplicate"}'),
               1, "refused duplicate +1");
Test::More::is($d->('pa_submissions_refused_total{reason="invalid_json"}'),
               1, "refused invalid_json +1");
Test::More::is($d->('pa_submissions_refused_total{reason="invalid_field"}'),
               0, "refused invalid_field unchanged");
Test::More::is($d->('pa_http_requests_total{route="report",status="401"}'),
               1, "a report read answered 401");
# the first scrape itself is counted once it has ended
Test::More::is($d->('pa_http_requests_total{route="metrics",status="200"}'),
               1, "the scrape before");
# a submission is at least its submit.lua; the scrape's metrics.lua
Test::More::cmp_ok($d->('pa_redis_call_duration_seconds_count'), '>=', 2,
                   "Redis round trips counted");
Test::More::cmp_ok($d->('pa_redis_call_duration_seconds_sum'), '>', 0,
                   "... and their time");
Test::More::is($d->('pa_redis_call_errors_total{kind="no_reply"}'), 0,
               "no Redis call failed");
--- request
GET /metrics
--- error_code: 200



=== TEST 3b: each route family has its label, never an id
--- pipelined_requests eval
["GET /api/v1/reports/A-1/history", "POST /api/v1/reports/A-1/actions\n{}",
 "GET /api/v1/reports/A-1/reporter", "GET /api/v1/reports/A-1/media/ab",
 "GET /api/v1/queue?state=submitted", "GET /api/v1/stats",
 "GET /api/v1/health", "GET /api/v1/public/reports", "GET /api/v1/nowhere",
 "GET /portal/index.html", "GET /metrics"]
--- error_code eval
[401, 401, 401, 401, 401, 401, 200, 200, 404, 404, 200]
--- response_body_like eval
[("") x 10, qr/^(?=[\s\S]*\npa_http_requests_total\{route="history",status="401"\} 1\n)(?=[\s\S]*\npa_http_requests_total\{route="action",status="401"\} 1\n)(?=[\s\S]*\npa_http_requests_total\{route="reporter",status="401"\} 1\n)(?=[\s\S]*\npa_http_requests_total\{route="media",status="401"\} 1\n)(?=[\s\S]*\npa_http_requests_total\{route="queue",status="401"\} 1\n)(?=[\s\S]*\npa_http_requests_total\{route="stats",status="401"\} 1\n)(?=[\s\S]*\npa_http_requests_total\{route="health",status="200"\} 1\n)(?=[\s\S]*\npa_http_requests_total\{route="public",status="200"\} 1\n)(?=[\s\S]*\npa_http_requests_total\{route="api",status="404"\} 1\n)(?=[\s\S]*\npa_http_requests_total\{route="other",status="404"\} 1\n)(?![\s\S]*A-1)/]



=== TEST 3c: Redis closing the workers' connections counts them lost, and the reconnections
--- init
my $m0;
for (1 .. 100) {
    $m0 = main::scrape();
    last if ($m0->{pa_redis_connects_total} // 0) >= 2;
    select undef, undef, undef, 0.1;
}
Test::More::is($m0->{pa_redis_connects_total}, 2, "each worker connected");
main::redis('CLIENT', 'KILL', 'TYPE', 'normal');
my ($lost, $made) = (0, 0);
for (1 .. 100) {
    my $m = main::scrape();
    $lost = $m->{pa_redis_connections_lost_total} // 0;
    $made = ($m->{pa_redis_connects_total} // 0)
            - $m0->{pa_redis_connects_total};
    last if $lost >= 2 && $made >= 2;
    select undef, undef, undef, 0.1;
}
Test::More::is($lost, 2, "both workers' connections lost");
Test::More::is($made, 2, "both made again");
--- request
GET /metrics
--- error_code: 200
--- response_body_like: \npa_redis_up 1\n



=== TEST 3d: a reply that does not come in time counts a timeout and a call without reply
--- http_config eval
(my $c = $::Http) =~ s/(pa_redis \S+);/$1 timeout=200ms;/;
$c
--- init
my $m0 = main::scrape();
main::redis('CLIENT', 'PAUSE', '2000', 'ALL');
my ($st) = main::http('GET', '/api/v1/health');
Test::More::is($st, 503, "health while Redis is paused");
main::redis('CLIENT', 'UNPAUSE');
my $m1 = main::scrape();
my $d = sub { ($m1->{$_[0]} // 0) - ($m0->{$_[0]} // 0) };
# the workers' background reads (revoked tokens, each second) may time
# out in the pause too: at least the health's call
Test::More::cmp_ok($d->('pa_redis_timeouts_total'), '>=', 1, "timeouts");
Test::More::cmp_ok($d->('pa_redis_call_errors_total{kind="no_reply"}'),
                   '>=', 1, "calls without a reply");
Test::More::is($d->('pa_http_requests_total{route="health",status="503"}'),
               1, "the health answered 503");
--- request
GET /metrics
--- error_code: 200
--- error_log
reply timed out



=== TEST 4: a 429 of the address rule counts rate_limited{rule="addr"} and a refusal rate_limited
--- http_config eval
"$::Http    pa_limit_zone 1m;\n    pa_limit addr rate=1r/m burst=1;\n"
--- init
main::fresh('t_metrics');
my @st = map { (main::http('POST', '/api/v1/reports', '{}',
                           'Content-Type: application/json'))[0] } 1 .. 3;
Test::More::is_deeply(\@st, [400, 400, 429], "1 + burst, then 429");
--- request
GET /metrics
--- error_code: 200
--- response_body_like: ^(?=[\s\S]*\npa_rate_limited_total\{rule="addr"\} 1\n)(?=[\s\S]*\npa_rate_limited_total\{rule="phone"\} 0\n)(?=[\s\S]*\npa_submissions_refused_total\{reason="rate_limited"\} 1\n)(?=[\s\S]*\npa_submissions_refused_total\{reason="missing_field"\} 2\n)(?=[\s\S]*\npa_http_requests_total\{route="submit",status="429"\} 1\n)



=== TEST 5: a 429 of the phone rule counts rate_limited{rule="phone"}
--- http_config eval
"$::Http    pa_limit phone rate=1r/h;\n"
--- init
main::fresh('t_metrics');
my ($a) = main::http(main::report('0987 654 321'));
my ($b) = main::http(main::report('0987 654 321'));
Test::More::is_deeply([$a, $b], [201, 429], "the second from the phone");
--- request
GET /metrics
--- error_code: 200
--- response_body_like: ^(?=[\s\S]*\npa_rate_limited_total\{rule="phone"\} 1\n)(?=[\s\S]*\npa_rate_limited_total\{rule="addr"\} 0\n)(?=[\s\S]*\npa_submissions_refused_total\{reason="rate_limited"\} 1\n)(?=[\s\S]*\npa_submissions_accepted_total 1\n)



=== TEST 6: an address outside the allow list gets 403 in JSON, and nothing of the metrics
--- config eval
main::api() . <<'_EOC_';
    location = /metrics {
        pa_metrics;
        allow 192.0.2.1;
        deny all;
        error_page 403 405 @pa_error;
    }
_EOC_
--- request
GET /metrics
--- error_code: 403
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body_like: ^\{"error":\{"code":"forbidden",
--- response_body_unlike: pa_



=== TEST 7: only GET: a POST is 405 in JSON
--- request
POST /metrics
x
--- error_code: 405
--- response_body_like: "code":"method_not_allowed"



=== TEST 8: two workers count into one zone: 40 reads on 40 connections add up, whichever worker answers
--- init
my %pid;
for (1 .. 40) {
    my ($st, $h) = main::http('GET', '/api/v1/directory');
    Test::More::is($st, 200, "directory read $_") if $st != 200;
    $pid{$h->{'x-worker'} // 'none'}++;
}
Test::More::is(scalar(keys %pid), 2,
               "both workers served some: " . join(',', sort keys %pid));
--- request
GET /metrics
--- error_code: 200
--- response_body_like: \npa_http_requests_total\{route="directory",status="200"\} 40\n



=== TEST 9: ... every scrape, from either worker, says the same (same nginx)
--- init
my %seen;
for (1 .. 20) {
    my ($st, $h, $body) = main::http('GET', '/metrics');
    my ($n) = $body =~ /\npa_http_requests_total\{route="directory",status="200"\} (\d+)\n/;
    $seen{$h->{'x-worker'}}{$n // 'none'}++;
}
Test::More::is(scalar(keys %seen), 2, "both workers answered a scrape");
Test::More::is_deeply([sort map { keys %$_ } values %seen], ['40', '40'],
                      "each says 40");
--- request
GET /metrics
--- error_code: 200



=== TEST 10: the gauges read from Redis: reports per state, in_progress per agency, overdue today per owner, deadlines not yet swept, the sweeper's lag; the scrape parses
--- init
main::fresh('t_metrics');
my ($st) = main::http(main::report());
Test::More::is($st, 201, "a report");
main::redis('HSET', 'pa:{t_metrics}:gauge', 'so-xd|in_progress', '3',
            'so-gtvt|in_progress', '0');
main::redis('HSET', 'pa:{t_metrics}:stats:' . main::today(),
            'so-xd|overdue', '2', 'ioc|overdue', '1', 'so-xd|resolved', '5');
main::redis('ZADD', 'pa:{t_metrics}:due', time - 60, 'A-1|verify',
            time + 3600, 'A-2|verify');
main::redis('SET', 'pa:{t_metrics}:sweep:last', time - 100);
--- request
GET /metrics
--- error_code: 200
--- response_body_like: ^(?=[\s\S]*\npa_reports\{state="submitted"\} 1\n)(?=[\s\S]*\npa_reports\{state="dispatched"\} 0\n)(?=[\s\S]*\npa_in_progress\{agency="so-xd"\} 3\n)(?=[\s\S]*\npa_in_progress\{agency="so-gtvt"\} 0\n)(?=[\s\S]*\npa_overdue_today\{owner="so-xd"\} 2\n)(?=[\s\S]*\npa_overdue_today\{owner="ioc"\} 1\n)(?![\s\S]*owner="so-xd\|)(?=[\s\S]*\npa_deadlines_unswept 1\n)(?=[\s\S]*\npa_sweep_lag_seconds 1[01]\d\n)



=== TEST 10b: every metric conf-examples/grafana-ngx-pa.json asks for is one the scrape has (same nginx)
--- init
my $m = main::scrape();
my %family;
for (keys %$m) {
    (my $f = $_) =~ s/\{.*//;
    $family{$f} = 1;
}
my $dash = JSON::PP::decode_json(
    main::slurp("$ENV{TEST_NGINX_ROOT}/conf-examples/grafana-ngx-pa.json"));
my @exprs = map { $_->{expr} } map { @{ $_->{targets} // [] } }
            @{ $dash->{panels} };
Test::More::cmp_ok(scalar(@exprs), '>=', 15, "the dashboard's queries");
my %asked = map { $_ => 1 } map { /\b(pa_[a-z_]+)/g } @exprs;
Test::More::is_deeply([grep { !$family{$_} } sort keys %asked], [],
                      "no query names a metric the module does not have");
--- request
GET /metrics
--- error_code: 200



=== TEST 11: pa_calendar_days_left is the health answer's calendar_days_left (same nginx)
--- init
my ($st, $h, $body) = main::http('GET', '/api/v1/health');
my ($days) = $body =~ /"calendar_days_left":(-?\d+)/;
Test::More::ok(defined $days, "health says the days left");
my $m = main::scrape();
Test::More::is($m->{pa_calendar_days_left}, $days, "the same days left");
--- request
GET /metrics
--- error_code: 200



=== TEST 12: the sweeper's timer records its runs: sweep:last is set and the lag is small
--- http_config
    pa_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    pa_redis_scripts $TEST_NGINX_ROOT/redis-scripts;
    pa_media_dir $TEST_NGINX_PA_DATA/media;
    pa_tenant t_metrics_sweep;
    pa_profile test-metrics;
    pa_auth_secret_file $TEST_NGINX_ROOT/t/keys/auth.key;
    pa_pii_key_file $TEST_NGINX_ROOT/t/keys/pii.key;
    pa_sla verify 1d;
    pa_sweep_interval 1s;
--- init
main::fresh('t_metrics_sweep');
my $last = '';
for (1 .. 100) {
    $last = main::redis('GET', 'pa:{t_metrics_sweep}:sweep:last');
    last if $last =~ /^\d+$/;
    select undef, undef, undef, 0.1;
}
Test::More::like($last, qr/^\d+$/, "the sweeper ran and said when");
Test::More::cmp_ok(abs(time - $last), '<', 60, "at about now");
--- request
GET /metrics
--- error_code: 200
--- response_body_like: \npa_sweep_last_run_timestamp_seconds \d+\n[\s\S]*\npa_sweep_lag_seconds \d+\n



=== TEST 13: Redis down: the scrape still answers the counters, with pa_redis_up 0; the scrape parses
--- http_config eval
(my $c = $::Http) =~ s/\$TEST_NGINX_REDIS_PORT/1/;
$c
--- request
GET /metrics
--- error_code: 200
--- response_body_like: \npa_redis_up 0\n
--- response_body_unlike: pa_reports\{
