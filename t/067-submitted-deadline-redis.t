# The bad day of t/066's sweep (a new report's first deadline is only its
# q:submitted score, pa_record_compat off): Redis stops while the sweeper
# reads q:submitted.  Redis paused (SIGSTOP) with the sweep's call in its
# socket, the node giving up (503), then going on (SIGCONT); Redis killed
# (SIGKILL) with the call in its socket and started again from its AOF
# (appendonly yes, appendfsync everysec, as production.conf asks); and
# the same two between the rounds of a sweep of a backlog larger than a
# sweep's page, a run of equal scores across the page's end (a relay
# between nginx and Redis holds the sweep's second call, so Redis stops
# exactly there).  Each time, through the API: no deadline lost (each
# overdue event appears once once Redis is back, the report's view says
# overdue), none counted twice (the sweeps' answers sum to the misses,
# the stats count each once, /metrics has nothing unswept after), the
# cursor never past a report not yet swept (/metrics counts exactly those
# after the restart), and no worker dies (the same worker, no "exited
# on" in error.log, no [alert] or [crit]).  The shipped Lai Châu 2026
# profile (verify: 2 working days, urgent 1 wall-clock hour).
use Test::Nginx::Socket 'no_plan';
use lib '.';
use t::PaLife;
use t::PaQsub qw(submit sweep_json);
use t::PaWorker;
# this file's Redis: AOF on, its data kept across a kill
use t::PaAofRedis;
use HTTP::Tiny;
use IO::Select;
use IO::Socket::INET;
use JSON::PP ();
use POSIX ();

# a worker that dies is logged by its master ("exited on signal") and
# replaced: nothing goes unseen
master_on();

# every node of this version (pa_record_compat off); a block that says
# "--- relay" reaches Redis through the relay below.  Before life(): the
# last preprocessor added runs first
Test::Nginx::Socket::add_block_preprocessor(sub {
    my $block = shift;
    my $http = $block->http_config . "    pa_record_compat off;\n";
    $http =~ s/\$TEST_NGINX_REDIS_PORT/$main::RelayPort/g
        if defined $block->relay;
    $block->set_value('http_config', $http);
    my $own = $block->no_error_log;
    $block->set_value('no_error_log',
                      [ref $own ? @$own : defined $own ? ($own) : (),
                       'exited on', 'signal']);
});

life('laichau-2026', 't_qdown', ioc => ['ioc'], supervisor => ['supervisor']);

our $P = 'pa:{t_qdown}:';
# every block the API and /metrics
with_metrics();

# The relay: nginx -> it -> Redis, a connection each.  It passes every
# command as it comes but the second sweep.lua call of a connection (the
# sweep's second round: its KEYS[1] is sweep:lock) once $Data/relay.armed
# exists: that one and what follows wait in the relay ($Data/relay.held
# says so, and the arming is used up) until $Data/relay.release exists.
# Redis gone, the relay closes nginx's connection.
our ($RelayPort, $RelayPid);
our $Ctl = "$t::PaTest::Data/relay";

sub resp_len {
    my $in = shift;
    return undef unless $in =~ /\A\*(\d+)\r\n/;
    my ($n, $at) = ($1, length "*$1\r\n");
    for (1 .. $n) {
        return undef unless substr($in, $at) =~ /\A\$(\d+)\r\n/;
        $at += length("\$$1\r\n") + $1 + 2;
        return undef if $at > length $in;
    }
    return $at;
}

sub put {
    my ($s, $buf) = @_;
    while (length $buf) {
        my $n = syswrite $s, $buf;
        return 0 unless $n;
        substr($buf, 0, $n, '');
    }
    return 1;
}

sub relay {
    my $c = shift;
    my $r = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                   PeerPort => $t::PaAofRedis::Port)
        or return;
    my ($in, $held, $holding, $sweeps) = ('', '', 0, 0);
    my $sel = IO::Select->new($c, $r);
    while (1) {
        if ($holding && -e "$Ctl.release") {
            put($r, $held) or return;
            ($in, $held, $holding) = ('', '', 0);
        }
        for my $h ($sel->can_read(0.02)) {
            my $n = sysread $h, my $buf, 65536;
            return unless $n;
            if ($h == $r) {
                put($c, $buf) or return;
                next;
            }
            if ($holding) {
                $held .= $buf;
                next;
            }
            $in .= $buf;
            while (defined(my $len = resp_len($in))) {
                my $cmd = substr $in, 0, $len, '';
                if ($cmd =~ /:sweep:lock\r\n/ && ++$sweeps == 2
                    && unlink "$Ctl.armed")
                {
                    ($held, $in, $holding) = ($cmd . $in, '', 1);
                    open my $f, '>', "$Ctl.held" or die;
                    last;
                }
                put($r, $cmd) or return;
            }
        }
    }
}

sub relay_start {
    my $l = IO::Socket::INET->new(Listen => 16, LocalAddr => '127.0.0.1',
                                  LocalPort => 0, ReuseAddr => 1)
        or die "listen: $!";
    $RelayPort = $l->sockport;
    $RelayPid = fork // die "fork: $!";
    if ($RelayPid == 0) {
        # (its group ends with it; it ends with the suite, or alone once
        # the suite is gone)
        setpgrp(0, 0);
        $SIG{CHLD} = 'IGNORE';
        my ($suite, $sel) = (getppid(), IO::Select->new($l));
        while (getppid() == $suite) {
            next unless $sel->can_read(1);
            my $c = $l->accept or next;
            my $kid = fork;
            if (defined $kid && $kid == 0) {
                close $l;
                relay($c);
                POSIX::_exit(0);
            }
            close $c;
        }
        POSIX::_exit(0);
    }
    close $l;
}
relay_start();

END { kill 'TERM', -$RelayPid if $RelayPid }

# the next sweep's second round waits in the relay
sub relay_arm {
    unlink "$Ctl.held", "$Ctl.release";
    open my $f, '>', "$Ctl.armed" or die "$Ctl.armed: $!";
}

# a sweep at $now (RFC 3339) on a connection of its own, not read yet
sub send_sweep {
    my $now = shift;
    my $s = IO::Socket::INET->new(
        PeerAddr => '127.0.0.1',
        PeerPort => Test::Nginx::Util::server_port_for_client())
        or die "connect: $!";
    print $s "POST /api/v1/admin/sweep HTTP/1.0\r\nHost: localhost\r\n"
             . "X-PA-Now: $now\r\nContent-Length: 0\r\n\r\n";
    return $s;
}

# nginx's one worker is the one of the block's start: none died
sub same_worker {
    my @before = @_;
    Test::More::is(scalar @before, 1, 'one worker');
    Test::More::is(join(' ', main::nginx_workers()), "@before",
                   'the same worker');
}

# HTTP through the running nginx: (status, body)
sub call {
    my ($method, $path, $h) = @_;
    my $port = Test::Nginx::Util::server_port_for_client();
    my $res = HTTP::Tiny->new(timeout => 30)->request($method,
        "http://127.0.0.1:$port$path", {headers => $h // {}});
    return ($res->{status}, $res->{content});
}

# a sweep at $now: its counts {overdue, notices, ...}, dies on no 200
sub sweep {
    my $now = shift;
    my ($st, $body) = call('POST', '/api/v1/admin/sweep',
                           {'X-PA-Now' => $now});
    die "sweep at $now: $st $body\n" unless $st == 200;
    return JSON::PP->new->decode($body);
}

# the node answers again (it reconnects by itself)
sub node_back {
    main::until('the node answers again', sub {
        (call('GET', '/api/v1/health'))[0] == 200 });
}

# GET /metrics: a gauge or counter by its name (and labels)
sub metric {
    my $name = shift;
    my (undef, $body) = call('GET', '/metrics');
    return $body =~ /^\Q$name\E (\S+)$/m ? $1 : '';
}

# the overdue events of the stream whose report matches $re: how many,
# and how many reports they name
sub overdue_events {
    my $re = shift;
    my @ev = grep { /^overdue $re / } split /\n/, ioc_stream($main::P);
    my %ids = map { (split / /)[1] => 1 } @ev;
    return (scalar @ev, scalar keys %ids);
}

# A backlog of 1,000 submitted reports (as t/066 writes them) whose verify
# deadlines passed from $due + 1 on: 300 apart, 400 of one whole score
# (as an action writes them), 300 apart; a sweep's page (500) ends in the
# run of equal scores, which its first round takes whole (700)
sub backlog {
    my ($prefix, $due) = @_;
    main::redis('EVAL', <<'_LUA_', 1, "${main::P}q:submitted", $due, $prefix);
local prefix = string.match(KEYS[1], '^(.-}:)')
local due = tonumber(ARGV[1])
for i = 1, 1000 do
    local id = ARGV[2] .. i
    local d = (i > 300 and i <= 700) and due + 301 or due + i
    redis.call('HSET', prefix .. 'r:' .. id, 'status', 'submitted',
               'urgent', '0', 'created_at', due - 86400, 'dl:verify', d)
    redis.call('ZADD', KEYS[1], 2e10 + d, id)
end
_LUA_
}

# how many reports of the backlog were marked overdue, and whether each
# marked one is below the cursor and each unmarked one above it
sub backlog_state {
    my $prefix = shift;
    return main::redis('EVAL', <<'_LUA_', 0, $main::P, $prefix);
local cur = redis.call('HGET', ARGV[1] .. 'sweep:qdue', '2')
local open, c = string.match(cur, '^(%(?)(.*)$')
c = tonumber(c)
local marked, wrong = 0, 0
for i = 1, 1000 do
    local id = ARGV[2] .. i
    local s = tonumber(redis.call('ZSCORE', ARGV[1] .. 'q:submitted', id))
    local swept = s < c or (s == c and open == '(')
    local done = redis.call('HGET', ARGV[1] .. 'r:' .. id, 'do:verify') == '1'
    if done then
        marked = marked + 1
    end
    if swept ~= done then
        wrong = wrong + 1
    end
end
return marked .. ' marked, ' .. wrong .. ' on the wrong side of the cursor'
_LUA_
}

run_tests();

__DATA__

=== TEST 1: three reports at 09:00: QF-1 ordinary (verify due Wednesday 09:00), QF-2 urgent by its category (due 10:00), QF-3 ordinary; a sweep at 09:30 finds nothing
--- more_headers eval
[(map { main::h('', '2026-03-02T09:00:00+07:00') . "\nX-PA-Test-Id: QF-$_\nX-PA-Test-Token: token-redis-down-QF-$_" } 1 .. 3),
 "X-PA-Now: 2026-03-02T09:30:00+07:00"]
--- pipelined_requests eval
[main::submit('QF-1', 'traffic', '0912346101'),
 main::submit('QF-2', 'fire', '0912346102'),
 main::submit('QF-3', 'traffic', '0912346103'),
 "POST /api/v1/admin/sweep"]
--- error_code eval
[201, 201, 201, 200]
--- response_body_like eval
['"id":"QF-1","status":"submitted".*"deadlines":\[\{"step":"verify","due":"2026-03-04T09:00:00\+07:00"\}\]',
 '"id":"QF-2","status":"submitted".*"urgent":true,.*"deadlines":\[\{"step":"verify","due":"2026-03-02T10:00:00\+07:00"\}\]',
 '"id":"QF-3","status":"submitted".*"deadlines":\[\{"step":"verify","due":"2026-03-04T09:00:00\+07:00"\}\]',
 main::sweep_json(0)]



=== TEST 2: Redis paused (SIGSTOP) with the sweep of 10:00:01 in its socket: the node gives up (503, the same worker); Redis goes on (SIGCONT): QF-2 overdue once, whether the paused call ran or the next sweep found it
--- init
my $p = $main::P;
Test::More::is(main::redis('ZSCORE', "${p}due", 'QF-2|verify'), '', 'QF-2: its score alone');
main::aof_written();
my @workers = main::nginx_workers();
kill 'STOP', $t::PaTest::RedisPid;
my $s = main::send_sweep('2026-03-02T10:00:01+07:00');
main::until('the sweep waits in Redis\'s socket', \&main::redis_unread);
my $a = main::answer($s);
Test::More::is($a->{status}, 503, 'Redis paused: the sweep 503');
Test::More::is($a->{code}, 'unavailable', '... unavailable');
main::redis_cont();
main::node_back();
my ($seen) = main::overdue_events('QF-2');
Test::More::ok($seen <= 1, "the paused call ran or not ($seen overdue)");
my $r = main::sweep('2026-03-02T10:00:02+07:00');
Test::More::is($r->{overdue}, 1 - $seen, 'the next sweep: the rest');
Test::More::is(main::sweep('2026-03-02T10:30:00+07:00')->{overdue}, 0, 'then nothing');
Test::More::is(join(' ', main::overdue_events('QF-2')), '1 1', 'QF-2: one overdue event');
main::same_worker(@workers);
--- request
GET /metrics
--- error_code: 200
--- response_body_like: \npa_redis_timeouts_total 1\n.*\npa_reports\{state="submitted"\} 3\n.*\npa_deadlines_unswept 2\n
--- error_log
reply timed out



=== TEST 3: ... the IOC reads QF-2 overdue; its miss counted once
--- more_headers eval
[main::h('ioc', '2026-03-02T11:00:00+07:00'), main::h('supervisor', '2026-03-02T11:00:00+07:00')]
--- pipelined_requests eval
["GET /api/v1/reports/QF-2", "GET /api/v1/stats?from=2026-03-02&to=2026-03-02"]
--- error_code eval
[200, 200]
--- response_body_like eval
['"status":"submitted".*' . main::dls(1, ['verify', '2026-03-02T10:00', 'over']),
 '"agency":"ioc","name":"[^"]+","dispatched":0,"resolved":0,"on_time":0,"overdue":1,.*"overdue_reports":\["QF-2"\]\}\]\}$']



=== TEST 4: Redis killed (SIGKILL) with the sweep of Wednesday 09:00:01 in its socket (QF-1's and QF-3's deadlines passed, their scores alone): 503; Redis started again from its AOF: the cursor where the last sweep left it, below both, /metrics counts both unswept; the next sweep marks both, once
--- init
my $p = $main::P;
main::aof_written();
my @workers = main::nginx_workers();
my $cur = main::redis('HGET', "${p}sweep:qdue", '2');
kill 'STOP', $t::PaTest::RedisPid;
my $s = main::send_sweep('2026-03-04T09:00:01+07:00');
main::until('the sweep waits in Redis\'s socket', \&main::redis_unread);
main::redis_kill9();
my $a = main::answer($s);
Test::More::is($a->{status}, 503, 'Redis killed: the sweep 503');
Test::More::is($a->{code}, 'unavailable', '... unavailable');
main::redis_start();
main::node_back();
Test::More::is(main::redis('HGET', "${p}sweep:qdue", '2'), $cur, 'the cursor as the last sweep left it');
for my $id ('QF-1', 'QF-3') {
    Test::More::cmp_ok(main::redis('ZSCORE', "${p}q:submitted", $id), '>', $cur, "$id: above the cursor");
}
Test::More::is(main::metric('pa_deadlines_unswept'), 2, '/metrics: both unswept');
Test::More::is(main::sweep('2026-03-04T09:00:02+07:00')->{overdue}, 2, 'the next sweep: both');
Test::More::is(main::sweep('2026-03-04T09:10:00+07:00')->{overdue}, 0, 'then nothing');
Test::More::is(join(' ', main::overdue_events('QF-[13]')), '2 2', 'one overdue event each');
main::same_worker(@workers);
--- request
GET /metrics
--- error_code: 200
--- response_body_like: \npa_redis_connections_lost_total [1-9]\d*\n.*\npa_deadlines_unswept 0\n



=== TEST 5: ... the reporter reads QF-1 overdue, the IOC QF-3; the three misses counted once each
--- more_headers eval
[main::h('r:token-redis-down-QF-1', '2026-03-04T10:00:00+07:00'), main::h('ioc', '2026-03-04T10:00:00+07:00'),
 main::h('supervisor', '2026-03-04T10:00:00+07:00')]
--- pipelined_requests eval
["GET /api/v1/reports/QF-1", "GET /api/v1/reports/QF-3", "GET /api/v1/stats?from=2026-03-02&to=2026-03-04"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"status":"submitted".*' . main::dls(1, ['verify', '2026-03-04T09:00', 'over']),
 '"status":"submitted".*' . main::dls(1, ['verify', '2026-03-04T09:00', 'over']),
 '"agency":"ioc","name":"[^"]+","dispatched":0,"resolved":0,"on_time":0,"overdue":3,.*"overdue_reports":\["QF-1","QF-2","QF-3"\]\}\]\}$']



=== TEST 6: Redis killed between two rounds of a sweep (1,000 passed deadlines, Thursday): the first round took 700 (the run of equal scores whole); Redis back from its AOF, the cursor after them and before the 300 others, /metrics counts exactly those 300; the next sweep takes them, once
--- relay
--- init
my $p = $main::P;
main::backlog('QB-', 1772676000);
main::relay_arm();
my @workers = main::nginx_workers();
my $s = main::send_sweep('2026-03-05T12:00:00+07:00');
main::until('the second round waits in the relay', sub { -e "$main::Ctl.held" });
Test::More::is(main::backlog_state('QB-'), '700 marked, 0 on the wrong side of the cursor', 'the first round');
main::aof_written();
main::redis_kill9();
my $a = main::answer($s);
Test::More::is($a->{status}, 503, 'Redis killed: the sweep 503');
main::redis_start();
main::node_back();
Test::More::is(main::backlog_state('QB-'), '700 marked, 0 on the wrong side of the cursor', 'from the AOF');
Test::More::is(main::metric('pa_deadlines_unswept'), 300, '/metrics: the 300 not swept');
Test::More::is(main::sweep('2026-03-05T12:00:01+07:00')->{overdue}, 300, 'the next sweep: the 300');
Test::More::is(main::sweep('2026-03-05T12:10:00+07:00')->{overdue}, 0, 'then nothing');
Test::More::is(main::backlog_state('QB-'), '1000 marked, 0 on the wrong side of the cursor', 'all');
main::same_worker(@workers);
--- request
GET /metrics
--- error_code: 200
--- response_body_like: \npa_deadlines_unswept 0\n



=== TEST 7: ... one overdue event each, the 1,000 misses counted once
--- init
Test::More::is(join(' ', main::overdue_events('QB-\d+')), '1000 1000', 'one overdue event each');
--- more_headers eval
main::h('supervisor', '2026-03-05T13:00:00+07:00')
--- request
GET /api/v1/stats?from=2026-03-05&to=2026-03-05
--- error_code: 200
--- response_body_like: ^\{"from":"2026-03-05","to":"2026-03-05",.*"agency":"ioc","name":"[^"]+","dispatched":0,"resolved":0,"on_time":0,"overdue":1000,



=== TEST 8: Redis paused between two rounds of a sweep (1,000 more, Friday): the second round reaches it, the node gives up (503); Redis goes on: the paused round ran or the next sweep takes the rest; each once
--- relay
--- init
my $p = $main::P;
main::backlog('QC-', 1772762400);
main::relay_arm();
my @workers = main::nginx_workers();
my $s = main::send_sweep('2026-03-06T12:00:00+07:00');
main::until('the second round waits in the relay', sub { -e "$main::Ctl.held" });
Test::More::is(main::backlog_state('QC-'), '700 marked, 0 on the wrong side of the cursor', 'the first round');
kill 'STOP', $t::PaTest::RedisPid;
open my $f, '>', "$main::Ctl.release" or die;
main::until('the second round waits in Redis\'s socket', \&main::redis_unread);
my $a = main::answer($s);
Test::More::is($a->{status}, 503, 'Redis paused: the sweep 503');
main::redis_cont();
main::node_back();
my $state = main::backlog_state('QC-');
my ($n) = $state =~ /^(\d+) marked/;
Test::More::like($state, qr/^(700|1000) marked, 0 on the wrong side of the cursor$/,
                 "the paused round ran or not ($n marked)");
Test::More::is(main::metric('pa_deadlines_unswept'), 1000 - $n, '/metrics: those not swept');
Test::More::is(main::sweep('2026-03-06T12:00:01+07:00')->{overdue}, 1000 - $n, 'the next sweep: the rest');
Test::More::is(main::sweep('2026-03-06T12:10:00+07:00')->{overdue}, 0, 'then nothing');
Test::More::is(main::backlog_state('QC-'), '1000 marked, 0 on the wrong side of the cursor', 'all');
Test::More::is(join(' ', main::overdue_events('QC-\d+')), '1000 1000', 'one overdue event each');
main::same_worker(@workers);
--- request
GET /metrics
--- error_code: 200
--- response_body_like: \npa_redis_timeouts_total 1\n.*\npa_deadlines_unswept 0\n
--- error_log
reply timed out



=== TEST 9: ... the 1,000 misses of Friday counted once; QF-1..3 still one overdue event each, the urgent QF-2 first in the IOC's overdue list
--- init
Test::More::is(join(' ', main::overdue_events('QF-\d')), '3 3', 'QF-1..3: one overdue event each');
--- more_headers eval
[main::h('supervisor', '2026-03-06T13:00:00+07:00'), main::h('ioc', '2026-03-06T13:00:00+07:00')]
--- pipelined_requests eval
["GET /api/v1/stats?from=2026-03-06&to=2026-03-06", "GET /api/v1/queue?state=submitted&overdue=1&limit=3"]
--- error_code eval
[200, 200]
--- response_body_like eval
['"agency":"ioc","name":"[^"]+","dispatched":0,"resolved":0,"on_time":0,"overdue":1000,',
 '"id":"QF-2"']
