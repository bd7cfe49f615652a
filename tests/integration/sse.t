# Live streams (Server-Sent Events): GET /api/v1/events for staff and
# GET /api/v1/reports/{id}/events for the reporter, on a real nginx
# (2 workers) with the Lai Châu 2025 profile, whose reports are
# dispatched at submission to the ward their position lies in: a stream
# is read while other clients submit and act, which static Test::Nginx
# blocks cannot do.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Test::More;
use IO::Socket::INET;
use IO::Select;
use JSON::PP;
use Time::HiRes qw(sleep time);
use PaServer;

my $srv = PaServer->new(profile => 'laichau-2025');
my $json = JSON::PP->new->canonical;

# ------------------------------------------------------------- helpers
# a token signed with t/keys/auth.key
sub sign { return PaServer::sign(@_) }

sub jwt {
    my ($role, $agency) = @_;
    my %c = (sub => "$role-" . ($agency // 'all'), role => $role,
             exp => 4102444800);
    $c{agency} = $agency if defined $agency;
    return sign(\%c);
}

my %T = (ioc   => jwt('ioc'),
         north => jwt('handler', 'phuong-tan-phong'),
         south => jwt('handler', 'phuong-doan-ket'),
         rep   => jwt('reporter'));

# positions in the two wards' areas (conf-examples/directory/laichau.json)
my %AT = (north => [22.40, 103.46], south => [22.36, 103.46]);
my $n = 0;

sub submit {
    my ($where, $content) = @_;
    my ($lat, $lng) = @{ $AT{$where} };
    my $body = $json->encode({content => "$content #" . ++$n, lat => $lat,
                              lng => $lng, reporter_name => 'Lò Văn Test',
                              reporter_phone => sprintf('091234%04d', $n)});
    my ($st, undef, $b) = $srv->http('POST', '/api/v1/reports', body => $body,
        headers => ['Content-Type: application/json; charset=utf-8']);
    die "submit: $st $b" unless $st == 201;
    return $json->decode($b);
}

# a stream: the answer's head, then events as they come
sub sse_open {
    my ($uri, @headers) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $srv->{port}) or die $!;
    print $s "GET $uri HTTP/1.0\r\nHost: localhost\r\n"
             . join('', map { "$_\r\n" } @headers) . "\r\n";
    my $c = {sock => $s, sel => IO::Select->new($s), buf => '', events => []};
    my $end = time + 5;
    fill($c, 0.2) until defined $c->{head} || $c->{eof} || time > $end;
    ($c->{status}) = ($c->{head} // '') =~ m{^HTTP/1\.\d (\d+)};
    $c->{status} //= 0;
    return $c;
}

# reads what arrives within $t seconds; 0 when nothing (or the end) came
sub fill {
    my ($c, $t) = @_;
    return 0 if $c->{eof} || !$c->{sel}->can_read($t);
    my $got = sysread($c->{sock}, my $chunk, 65536);
    if (!$got) {
        $c->{eof} = 1;
        return 0;
    }
    $c->{buf} .= $chunk;
    if (!defined $c->{head}) {
        return 1 unless $c->{buf} =~ s/\A(.*?)\r\n\r\n//s;
        $c->{head} = $1;
    }
    while ($c->{buf} =~ s/\A(.*?)\n\n//s) {
        my ($block, %e) = ($1);
        $c->{live} = 1 if $block =~ /^: live$/m;
        for my $line (split /\n/, $block) {
            next if $line =~ /^:/;
            my ($k, $v) = $line =~ /^([a-z]+): ?(.*)$/ or next;
            $e{$k} = $v;
        }
        next unless defined $e{data};
        $e{json} = eval { $json->decode($e{data}) };
        push @{ $c->{events} }, \%e;
    }
    return 1;
}

sub live {
    my $c = shift;
    my $end = time + 5;
    fill($c, $end - time) until $c->{live} || $c->{eof} || time > $end;
    return $c->{live};
}

# waits (at most $t s) for an event that $match accepts; returns it
sub wait_for {
    my ($c, $t, $match) = @_;
    my $end = time + $t;
    while (1) {
        for my $e (@{ $c->{events} }) {
            return $e if !$e->{seen} && $match->($e) && ($e->{seen} = 1);
        }
        return undef if time > $end || $c->{eof};
        fill($c, 0.1);
    }
}

sub of {
    my ($id, $type) = @_;
    return sub {
        my $e = shift;
        return $e->{json} && ($e->{json}{id} // '') eq $id
               && (!$type || ($e->{event} // '') eq $type);
    };
}

sub xread_calls {
    my ($calls) = $srv->redis('INFO', 'commandstats')
                  =~ /cmdstat_xread:calls=(\d+)/;
    return $calls // 0;
}

# ------------------------------------------------------------- refusals
my ($st, $head, $body) = $srv->http('GET', '/api/v1/events');
is($st, 401, 'no token: 401');
like($body, qr/"code":"unauthorized"/, '... in the API\'s JSON');

($st, $head, $body) = $srv->http('GET', '/api/v1/events',
                                 headers => ["Authorization: Bearer $T{rep}"]);
is($st, 403, 'a reporter\'s token does not open the staff stream');

($st, $head, $body) = $srv->http('GET', '/api/v1/events',
    headers => ["Authorization: Bearer $T{ioc}", 'Last-Event-ID: yesterday']);
is($st, 400, 'a Last-Event-ID that is not a stream id: 400');
like($body, qr/"field":"last_event_id"/, '... naming the field');

($st) = $srv->http('POST', '/api/v1/events',
                   headers => ["Authorization: Bearer $T{ioc}"]);
is($st, 405, 'POST /api/v1/events: 405');

# ------------------------------------------------------------- staff
my $ioc = sse_open('/api/v1/events', "Authorization: Bearer $T{ioc}");
is($ioc->{status}, 200, 'the IOC\'s stream opens');
like($ioc->{head}, qr{Content-Type: text/event-stream}i, '... as SSE');
like($ioc->{head}, qr{Cache-Control: no-store}i, '... never stored');
ok(live($ioc), '... and says it is live');

# EventSource sends no header: the token as ?access_token= on this route
my $north = sse_open("/api/v1/events?access_token=$T{north}");
is($north->{status}, 200, 'a handler\'s stream opens with ?access_token=');
my $south = sse_open('/api/v1/events', "Authorization: Bearer $T{south}");
ok(live($north) && live($south), 'both handlers\' streams are live');

my $t0 = time;
my $s1 = submit('south', 'Ổ gà trên đường Trần Phú');
my $n1 = submit('north', 'Đèn đường hỏng ở ngã ba');

my $e = wait_for($ioc, 10, of($s1->{id}, 'submitted'));
ok($e, 'the IOC sees the new report on its stream');
my $lat = time - $t0;
cmp_ok($lat, '<', 3, "... soon after it was sent (${\ sprintf '%.2f', $lat} s)");
like($e->{id} // '', qr/^\d+-\d+$/, '... with the stream id as its id');
is($e->{json}{at} =~ /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$/ ? 1 : 0, 1,
   '... and "at" in RFC 3339, the province\'s offset');
ok(wait_for($ioc, 10, of($s1->{id}, 'dispatch')),
   '... and its dispatch to the ward');
ok(wait_for($ioc, 10, of($n1->{id}, 'dispatch')),
   '... and the other report\'s');
unlike($_->{data}, qr/0912|Lò Văn/, 'no personal data in ' . $_->{id})
    for @{ $ioc->{events} };

# the stream keeps the order of the stream: once the north report's
# dispatch is in, whatever the south's report would have given is too
ok(wait_for($north, 10, of($n1->{id}, 'dispatch')),
   'the north ward sees its dispatch');
ok(!grep({ of($s1->{id})->($_) } @{ $north->{events} }),
   '... and nothing of the south ward\'s report');
ok(!grep({ ($_->{event} // '') eq 'submitted' } @{ $north->{events} }),
   '... nor a submission before the IOC sent it anywhere');
ok(wait_for($south, 10, of($s1->{id}, 'dispatch')),
   'the south ward sees its own');
ok(!grep({ of($n1->{id})->($_) } @{ $south->{events} }),
   '... and nothing of the north\'s');

# ------------------------------------------------------------- reporter
my $mine = submit('north', 'Rác thải đổ trộm bên suối');
my $rep = sse_open("/api/v1/reports/$mine->{id}/events?token="
                   . $mine->{access_token});
is($rep->{status}, 200, 'the reporter\'s stream opens with the token');
ok(live($rep), '... live');
my $other = submit('north', 'Cây đổ chắn lối đi');
($st, undef, $body) = $srv->http('POST',
    "/api/v1/reports/$mine->{id}/actions",
    body => '{"action":"cancel"}',
    headers => ['Content-Type: application/json',
                "X-Report-Token: $mine->{access_token}"]);
is($st, 200, 'the reporter cancels the report');
$e = wait_for($rep, 10, of($mine->{id}, 'cancel'));
ok($e, '... and their stream says so');
is($e->{json}{to}, 'cancelled', '... with the new state');
ok(!exists $e->{json}{agencies}, '... and not who handled it');
ok(!grep({ of($other->{id})->($_) } @{ $rep->{events} }),
   '... and nothing of another report');

($st) = $srv->http('GET', "/api/v1/reports/$mine->{id}/events",
                   headers => ["X-Report-Token: $other->{access_token}"]);
is($st, 404, 'another report\'s token: 404');
($st) = $srv->http('GET', "/api/v1/reports/$mine->{id}/events");
is($st, 401, 'no token: 401');
($st) = $srv->http('GET', "/api/v1/reports/$mine->{id}/events",
                   headers => ["Authorization: Bearer $T{south}"]);
is($st, 404, 'a ward the report never went to: 404');

# ------------------------------------------------------------- resume
my @seen = grep { $_->{json} } @{ $ioc->{events} };
ok(@seen >= 4, 'the IOC saw ' . scalar(@seen) . ' events so far');
for my $how (['header', sub { ("/api/v1/events",
                               "Authorization: Bearer $T{ioc}",
                               "Last-Event-ID: $_[0]") }],
             ['?last_event_id=', sub { ("/api/v1/events?access_token="
                                        . "$T{ioc}&last_event_id=$_[0]") }])
{
    my $again = sse_open($how->[1]->($seen[0]{id}));
    is($again->{status}, 200, "resumed with $how->[0]");
    my $end = time + 10;
    fill($again, 0.2) while @{ $again->{events} } < @seen - 1
                            && time < $end && !$again->{eof};
    is_deeply([map { $_->{id} } @{ $again->{events} }[0 .. $#seen - 1]],
              [map { $_->{id} } @seen[1 .. $#seen]],
              '... exactly after the given id, in order');
    close $again->{sock};
}

# ------------------------------------------------------------- far behind
# A client more than 4096 entries behind gets those, then "reset" (with
# the stream's last id, so that its next resume starts there) and goes
# live: it reloads what it shows rather than reading the backlog.
$srv->redis('EVAL', q{"for i = 1, 4500 do redis.call('XADD', KEYS[1], '*', }
            . q{'type', 'bulk_test', 'id', 'none', 'n', tostring(i)) end"},
            1, "'pa:{laichau}:events'");
my ($tail) = $srv->redis('XREVRANGE', "'pa:{laichau}:events'", '+', '-',
                         'COUNT', 1) =~ /^(\d+-\d+)/;
my $behind = sse_open('/api/v1/events', "Authorization: Bearer $T{ioc}",
                      "Last-Event-ID: $seen[0]{id}");
my $reset = wait_for($behind, 30, sub { ($_[0]{event} // '') eq 'reset' });
ok($reset, 'a client far behind gets "reset"');
is($reset && $reset->{id}, $tail, '... with the stream\'s last id');
cmp_ok(scalar(grep { ($_->{event} // '') eq 'bulk_test' } @{ $behind->{events} }),
       '<', 4500, '... not the whole backlog');
my $after = submit('north', 'Sau khi đặt lại');
ok(wait_for($behind, 10, of($after->{id}, 'submitted')), '... and then is live');
my $rep2 = sse_open("/api/v1/reports/$after->{id}/events?token="
                    . $after->{access_token}, "Last-Event-ID: $seen[0]{id}");
ok(wait_for($rep2, 30, sub { ($_[0]{event} // '') eq 'reset' }),
   'a reporter\'s stream far behind too');
ok(!grep({ ($_->{event} // '') eq 'bulk_test' } @{ $rep2->{events} }),
   '... which never saw another report\'s entries');
close $_->{sock} for $behind, $rep2;

# ------------------------------------------------------------- slow client
# A client that reads nothing while a burst comes (a small receive
# buffer, so that the socket cannot hide it) is closed once its buffer in
# nginx is full.  A client that reads gets every entry once and in order,
# as EventSource does: when nginx could not hold what it had not taken
# yet, it reconnects with Last-Event-ID.  New types and fields pass as
# they are.
use Socket qw(SOL_SOCKET SO_RCVBUF);
my $slow = IO::Socket::INET->new(Proto => 'tcp') or die $!;
setsockopt($slow, SOL_SOCKET, SO_RCVBUF, 4096) or die $!;
$slow->connect(Socket::pack_sockaddr_in($srv->{port},
                                        Socket::inet_aton('127.0.0.1')))
    or die $!;
print $slow "GET /api/v1/events HTTP/1.0\r\nHost: localhost\r\n"
            . "Authorization: Bearer $T{ioc}\r\n\r\n";
my $fast = sse_open('/api/v1/events', "Authorization: Bearer $T{ioc}");
ok(live($fast), 'a reading client is live');
sleep 0.5;
$srv->redis('EVAL', q{"for i = 1, 300 do redis.call('XADD', KEYS[1], '*', }
            . q{'type', 'flood_test', 'id', 'none', 'n', tostring(i), }
            . q{'blob', string.rep('x', 20000)) end"}, 1, "'pa:{laichau}:events'");
my (@flood, $reconnects);
my $end = time + 60;
while (@flood < 300 && time < $end) {
    fill($fast, 0.2);
    push @flood, map { $_->{json}{n} }
                 grep { ($_->{event} // '') eq 'flood_test' && !$_->{seen}++ }
                 @{ $fast->{events} };
    next unless $fast->{eof};
    my ($last) = grep { $_->{id} } reverse @{ $fast->{events} };
    $fast = sse_open('/api/v1/events', "Authorization: Bearer $T{ioc}",
                     "Last-Event-ID: $last->{id}");
    $reconnects++;
}
is_deeply(\@flood, [1 .. 300],
          'the reading client gets the whole burst, once, in order'
          . ' (' . ($reconnects // 0) . ' resumes)');
my ($eof, $got) = (0, 0);
$end = time + 15;
while (time < $end) {
    my $r = sysread($slow, my $buf, 65536);
    if (!$r) { $eof = 1; last; }
    $got += $r;
}
ok($eof, 'the client that read nothing was closed');
cmp_ok($got, '<', 300 * 20000, "... before it got the burst ($got bytes)");
close $slow;
close $fast->{sock};

# ------------------------------------------------------------- tokens
# A stream outlives no token: one that expires, and one whose holder is
# revoked (POST /api/v1/admin/tokens/revoke), end at the next heartbeat
# (every 15 s); the reconnect is refused.
my $short = sign({sub => 'ioc-short', role => 'ioc', exp => int(time) + 3});
my $revoked = sign({sub => 'ioc-revoked', role => 'ioc', exp => 4102444800});
my @ending = (sse_open('/api/v1/events', "Authorization: Bearer $short"),
              sse_open('/api/v1/events', "Authorization: Bearer $revoked"));
ok(live($ending[0]) && live($ending[1]), 'two more IOC streams');
($st, undef, $body) = $srv->http('POST', '/api/v1/admin/tokens/revoke',
    body => '{"sub":"ioc-revoked"}',
    headers => ['Content-Type: application/json',
                'Authorization: Bearer ' . jwt('admin')]);
is($st, 200, 'the admin revokes one holder') or diag($body);
$end = time + 20;
for my $c (@ending) {
    fill($c, 0.5) until $c->{eof} || time > $end;
}
ok($ending[0]{eof}, 'the stream of an expired token ended');
ok($ending[1]{eof}, 'the stream of a revoked holder ended');
($st) = $srv->http('GET', '/api/v1/events',
                   headers => ["Authorization: Bearer $revoked"]);
is($st, 401, '... and its reconnect is refused');

# ------------------------------------------------------------- cleanup
close $_->{sock} for $ioc, $north, $south, $rep;
sleep 0.6;
my $before = xread_calls();
sleep 1.2;
is(xread_calls(), $before,
   'every stream closed: no worker reads the events stream any more');

my $again = sse_open('/api/v1/events', "Authorization: Bearer $T{ioc}");
ok(live($again), 'a new stream opens');
$before = xread_calls();
sleep 1.2;
cmp_ok(xread_calls(), '>', $before, '... and the reader reads again');

# ------------------------------------------------------------- reload, quit
$t0 = time;
$srv->signal('HUP');
$end = time + 5;
fill($again, 0.2) until $again->{eof} || time > $end;
ok($again->{eof}, 'a reload ends the old worker\'s stream');
cmp_ok(time - $t0, '<', 4, '... promptly');

# the old worker gone (a stream opened meanwhile might reach it, and end
# at once), 20 streams on the new ones
$end = time + 10;
sleep 0.1 while time < $end
                && split(' ', `pgrep -P ${\ $srv->nginx_pid}`) != 2;
my @many = map { sse_open('/api/v1/events', "Authorization: Bearer $T{ioc}") }
           1 .. 20;
is(scalar(grep { live($_) } @many), 20, '20 streams on the new workers');
$t0 = time;
$srv->signal('QUIT');
ok($srv->wait_gone(5), 'nginx -s quit with 20 open streams exits');
cmp_ok(time - $t0, '<', 4, '... promptly');

open my $log, '<', "$srv->{dir}/logs/error.log" or die $!;
my @bad = grep { /\[(alert|crit|emerg)\]|exited on signal/ } <$log>;
is_deeply(\@bad, [], 'no alert, no crash in error.log');

system("cp $srv->{dir}/logs/error.log $ENV{PA_KEEP_LOG}") if $ENV{PA_KEEP_LOG};

# what went wrong, when something did
if (!Test::More->builder->is_passing) {
    open $log, '<', "$srv->{dir}/logs/error.log" or die $!;
    diag(grep { /\[(error|alert|crit|emerg)\]|pa sse/ } <$log>);
}

done_testing();
