# Group commit of submissions (pa_submit_batch) under faults, for real:
# Redis killed (SIGKILL) while a batch is in flight and others wait behind
# it, then restarted from its AOF; load through "nginx -s reload".
# Every answer is 201 (stored, and readable with its token after the
# restart) or 503 (a retry with the same Idempotency-Key stores it once);
# no worker dies; nothing at [alert] or worse.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Test::More;
use POSIX ();
use Time::HiRes qw(sleep time);
use PaServer;

# one worker: the queue behind the call in flight is this worker's
my $srv = PaServer->new(workers => 1,
                        redis_timeouts => 'connect_timeout=300ms timeout=5s');

sub report_ids {
    return grep { /\S/ } split /\n/, $srv->redis(
        "EVAL \"local o = {} for _, k in ipairs(redis.call('KEYS', ARGV[1]))"
        . " do o[#o + 1] = string.match(k, ':r:(.*)\$') end return o\" 0"
        . " 'pa:{it}:r:*'");
}

sub json {
    my ($n, $tag) = @_;
    return qq({"content":"Lô đất bỏ hoang $tag số $n","lat":22.39,)
         . qq("lng":103.45,"reporter_name":"Thử Nhóm",)
         . qq("reporter_phone":"0916) . sprintf('%06d', $n) . qq("});
}

sub submit {
    my ($key, $body) = @_;
    my ($st, undef, $rbody) = $srv->http('POST', '/api/v1/reports',
        body => $body,
        headers => ['Content-Type: application/json',
                    "Idempotency-Key: $key"]);
    my ($id) = $rbody =~ /"id":"([^"]+)"/;
    my ($tok) = $rbody =~ /"access_token":"([^"]+)"/;
    return ($st, $id // '-', $tok // '-');
}

# read with its token; a 503 (the worker reconnecting after a restart)
# is asked again for a while
sub readable {
    my ($id, $tok) = @_;
    my $end = time + 10;
    my $st;
    do {
        ($st) = $srv->http('GET', "/api/v1/reports/$id",
                           headers => ["X-Report-Token: $tok"]);
        sleep 0.1 if $st == 503;
    } while ($st == 503 && time < $end);
    return $st == 200;
}

sub redis_pid {
    open my $fh, '<', "$srv->{dir}/redis/redis.pid" or return;
    chomp(my $pid = <$fh>);
    return $pid;
}

# submissions from forked clients: ($n, $tag) each; "n status id token"
sub clients {
    my ($tag, @ns) = @_;
    my @kids;
    for my $n (@ns) {
        my $pid = open(my $kid, '-|') // die "fork: $!";
        if ($pid == 0) {
            my @r = submit("$tag-$n", json($n, $tag));
            print "$n @r\n";
            POSIX::_exit(0);
        }
        push @kids, $kid;
    }
    return @kids;
}

sub collect {
    my @res;
    for my $kid (@_) {
        my $line = <$kid> // '';
        close $kid;
        push @res, [split ' ', $line];
    }
    return @res;
}

# the 503s retry with their key, as a client does; then each is 201
sub settle {
    my ($tag, @res) = @_;
    for my $r (@res) {
        next if ($r->[1] // 0) == 201;
        my $end = time + 10;
        my @again;
        do {
            @again = submit("$tag-$r->[0]", json($r->[0], $tag));
            sleep 0.2 if $again[0] == 503;
        } while ($again[0] == 503 && time < $end);
        @$r = ($r->[0], @again);
    }
    return @res;
}

sub log_text {
    open my $fh, '<', "$srv->{dir}/logs/error.log" or return '';
    local $/;
    return <$fh> // '';
}

# ------------------------------------------------ SIGKILL, batch in flight
{
    my $tag = "k$$";
    my $before = scalar report_ids();
    my $rpid = redis_pid();
    ok($rpid, 'the Redis pid is known');

    # Redis stopped: the first submission's call is in flight, the others
    # queue behind it; then Redis dies with all of it unread
    kill 'STOP', $rpid;
    my @kids = clients($tag, 1);
    sleep 0.5;
    push @kids, clients($tag, 2 .. 12);
    sleep 1;
    kill 'KILL', $rpid;
    sleep 0.3;
    $srv->start_redis;

    my @res = collect(@kids);
    is(scalar @res, 12, '12 submissions answered');
    my @other = grep { ($_->[1] // 0) != 201 && ($_->[1] // 0) != 503 } @res;
    is(scalar @other, 0, 'each answer is 201 or 503 ('
       . join(',', map { $_->[1] // '?' } @res) . ')');
    my @ok = grep { $_->[1] == 201 } @res;
    is(scalar(grep { readable($_->[2], $_->[3]) } @ok), scalar @ok,
       'every 201 reads back after the restart');

    @res = settle($tag, @res);
    is(scalar(grep { $_->[1] == 201 && readable($_->[2], $_->[3]) } @res),
       12, 'the retries end 201, each readable');
    is(scalar(report_ids()) - $before, 12, 'exactly one report each');
}

# ------------------------------------------------ SIGKILL under load
{
    my $tag = "l$$";
    my $before = scalar report_ids();

    # 6 clients, 12 submissions each, back to back: batches form by
    # themselves; Redis is killed in the middle of it and restarted
    my @kids;
    for my $c (0 .. 5) {
        my $pid = open(my $kid, '-|') // die "fork: $!";
        if ($pid == 0) {
            for my $i (1 .. 12) {
                my $n = 100 + $c * 12 + $i;
                my @r = submit("$tag-$n", json($n, $tag));
                print "$n @r\n";
                sleep 0.05;
            }
            POSIX::_exit(0);
        }
        push @kids, $kid;
    }
    sleep 0.4;
    kill 'KILL', redis_pid();
    sleep 0.5;
    $srv->start_redis;

    my @res = map { [split ' '] } grep { /\S/ } map { <$_> } @kids;
    close $_ for @kids;
    is(scalar @res, 72, '72 submissions answered, '
       . scalar(grep { $_->[1] != 201 } @res) . ' while Redis was gone');
    is(scalar(grep { $_->[1] != 201 && $_->[1] != 503 } @res), 0,
       'each answer is 201 or 503');
    my @ok = grep { $_->[1] == 201 } @res;
    is(scalar(grep { readable($_->[2], $_->[3]) } @ok), scalar @ok,
       'no 201 lost in the restart');
    @res = settle($tag, @res);
    is(scalar(grep { $_->[1] == 201 } @res), 72, 'the retries end 201');
    is(scalar(report_ids()) - $before, 72, 'exactly one report each');
}

# ------------------------------------------------ load through a reload
{
    my $tag = "h$$";
    my $before = scalar report_ids();
    my $m0 = $srv->http('GET', '/metrics');

    my @kids;
    for my $c (0 .. 5) {
        my $pid = open(my $kid, '-|') // die "fork: $!";
        if ($pid == 0) {
            for my $i (1 .. 15) {
                my $n = 1000 + $c * 15 + $i;
                my @r = submit("$tag-$n", json($n, $tag));
                print "$n @r\n";
            }
            POSIX::_exit(0);
        }
        push @kids, $kid;
    }
    sleep 0.3;
    $srv->signal('HUP');
    sleep 0.3;
    $srv->signal('HUP');

    my @res = map { [split ' '] } grep { /\S/ } map { <$_> } @kids;
    close $_ for @kids;
    is(scalar @res, 90, '90 submissions answered through two reloads');
    is(scalar(grep { $_->[1] == 201 } @res), 90, 'all 201 ('
       . join(',', map { $_->[1] } grep { $_->[1] != 201 } @res) . ')');
    is(scalar(grep { readable($_->[2], $_->[3]) } @res), 90,
       'each readable with its token');
    is(scalar(report_ids()) - $before, 90, 'exactly one report each');
}

# ------------------------------------------------ after all
my @crashes = $srv->crashes;
is(scalar @crashes, 0, 'no worker exited on a signal') or diag(@crashes);
my @bad = grep { /\[(alert|crit|emerg)\]/ } split /\n/, log_text();
is(scalar @bad, 0, 'nothing at [alert] or worse') or diag(join "\n", @bad);

undef $srv;

done_testing();
