# Faults injected for real into a running nginx + Redis (issue 11 item 2):
# Redis paused with SIGSTOP in the middle of a submission, Redis killed
# with SIGKILL and restarted, Redis' script cache flushed.  Nothing may be
# both refused and kept: a client that got 503 retries with the same
# Idempotency-Key and gets the original id and a working token, never 409
# "duplicate" and never a second report; no report points at a media
# blob that is not in the store; no worker dies; no temp file is left.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Test::More;
use POSIX ();
use Time::HiRes qw(sleep time);
use PaServer;

my $fix = $ENV{TEST_NGINX_FIXTURES} || 'build/fixtures';
my $photo = do {
    open my $fh, '<:raw', "$fix/noexif.jpg"
        or plan skip_all => "no media fixtures in $fix";
    local $/;
    <$fh>;
};

my $srv = PaServer->new;
# the stored reports' ids: no index holds them all (issue 12)
sub report_ids {
    return grep { /\S/ } split /\n/, $srv->redis(
        "EVAL \"local o = {} for _, k in ipairs(redis.call('KEYS', ARGV[1]))"
        . " do o[#o + 1] = string.match(k, ':r:(.*)\$') end return o\" 0"
        . " 'pa:{it}:r:*'");
}

sub reports { return scalar(report_ids()) }

my $B = 'FaUlTbOuNdArY';

sub form {
    my ($content, $phone, $with_photo) = @_;
    my $body = join '', map { "--$B\r\nContent-Disposition: form-data; "
                            . "name=\"$_->[0]\"\r\n\r\n$_->[1]\r\n" }
        (['content', $content], ['lat', '22.39'], ['lng', '103.45'],
         ['reporter_name', 'Thử Lỗi'], ['reporter_phone', $phone]);
    $body .= "--$B\r\nContent-Disposition: form-data; name=\"media\"; "
           . "filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
           . "$photo\r\n" if $with_photo;
    return $body . "--$B--\r\n";
}

sub submit {
    my ($key, $body) = @_;
    my ($st, $head, $rbody) = $srv->http('POST', '/api/v1/reports',
        body => $body,
        headers => ["Content-Type: multipart/form-data; boundary=$B",
                    defined $key ? ("Idempotency-Key: $key") : ()]);
    my ($id) = $rbody =~ /"id":"([^"]+)"/;
    my ($tok) = $rbody =~ /"access_token":"([^"]+)"/;
    return ($st, $id, $tok, $rbody);
}

# retries a submission the way a client does after a 503, for a while
sub retry {
    my ($key, $body, $seconds) = @_;
    my $end = time + $seconds;
    my @r;
    while (time < $end) {
        @r = submit($key, $body);
        return @r if $r[0] != 503;
        sleep 0.2;
    }
    return @r;
}

sub readable {
    my ($id, $tok) = @_;
    my ($st, undef, $body) = $srv->http('GET', "/api/v1/reports/$id",
                                        headers => ["X-Report-Token: $tok"]);
    return $st == 200 ? $body : undef;
}

# every media id any report points at is a file of the store
sub missing_media {
    my @missing;
    my @ids = report_ids();
    for my $id (@ids) {
        my $media = $srv->redis('HGET', "pa:{it}:r:$id", 'media');
        for my $sha ($media =~ /"id":"([0-9a-f]{64})"/g) {
            my $path = "$srv->{dir}/media/" . substr($sha, 0, 2) . "/$sha";
            push @missing, "$id -> $sha" unless -f $path;
        }
    }
    return @missing;
}

sub redis_pid {
    open my $fh, '<', "$srv->{dir}/redis/redis.pid" or return;
    my $pid = <$fh>;
    chomp $pid;
    return $pid;
}

# ------------------------------------------------------------ SIGSTOP 3 s
{
    my $body = form('Cột điện nghiêng sau mưa bão', '0913000111', 1);
    my $key = 'pause-' . $$ . '-' . int(rand(1e9));
    my $before = reports();

    my $rpid = redis_pid();
    ok($rpid, 'the Redis pid is known');

    my $pid = open(my $kid, '-|') // die "fork: $!";
    if ($pid == 0) {
        my ($st) = submit($key, $body);
        print "$st\n";
        POSIX::_exit(0);
    }

    # the submission reaches nginx and its EVALSHA Redis' socket while
    # Redis is stopped: the reply times out (1 s), the client gets 503
    kill 'STOP', $rpid;
    sleep 3;
    kill 'CONT', $rpid;

    my $first = <$kid> // 0;
    close $kid;
    chomp $first;
    ok($first == 503 || $first == 201, "the paused submission: $first");

    my ($st, $id, $tok, $rbody) = retry($key, $body, 5);
    is($st, 201, 'the retry with the same Idempotency-Key gets 201')
        or diag($rbody);
    unlike($rbody, qr/"duplicate"/, '... never 409 duplicate');
    ok($id && $tok, '... with an id and an access token');

    my $view = $id && $tok ? readable($id, $tok) : undef;
    ok($view, 'the token reads the report');
    like($view // '', qr/Cột điện nghiêng/, '... the report sent');

    my ($st2, $id2, $tok2) = submit($key, $body);
    is($st2, 201, 'the same retry again: 201');
    is($id2, $id, '... the same id');
    is($tok2, $tok, '... the same token');

    is(reports() - $before, 1, 'one report stored, not two');

    my $log = do { local $/; open my $fh, '<',
                   "$srv->{dir}/logs/error.log" or die $!; <$fh> };
    like($log, qr/reply timed out, closing the connection/,
         'the pause did time a reply out');
    diag('the paused EVALSHA ran; the retry was a replay')
        if $log =~ /a retry of report \Q$id\E/;

    my ($st3, undef, $b3) = $srv->http('POST', '/api/v1/reports',
        body => form('Một phản ánh khác', '0913000111', 0),
        headers => ["Content-Type: multipart/form-data; boundary=$B",
                    "Idempotency-Key: $key"]);
    is($st3, 400, 'the same key with another submission: 400');
    like($b3, qr/"field":"Idempotency-Key"/, '... naming the header');

    # a retry without a key: the key derived from the body does it
    my $plain = form('Đèn đường hỏng ở ngã tư', '0913000222', 0);
    my ($a1, $i1, $t1) = submit(undef, $plain);
    my ($a2, $i2, $t2) = submit(undef, $plain);
    is("$a1 $a2", '201 201', 'the same submission twice without a key');
    is($i2, $i1, '... the same id');
    ok($t2 && readable($i1, $t2), '... and the retry\'s token reads it');
}

# ------------------------------------------------------------ SIGKILL
{
    my $before = reports();
    my $tag = $$ . '-' . int(rand(1e9));

    my $pid = open(my $kid, '-|') // die "fork: $!";
    if ($pid == 0) {
        for my $n (1 .. 60) {
            my ($st, $id, $tok) = submit("kill-$tag-$n",
                form("Rác thải $n", sprintf('09140%05d', $n), $n % 3 == 0));
            print "$n $st ", ($id // '-'), ' ', ($tok // '-'), "\n";
            sleep 0.01;
        }
        POSIX::_exit(0);
    }

    sleep 0.3;
    kill 'KILL', redis_pid();
    sleep 0.5;
    $srv->start_redis;

    my @res = map { [split / /] } grep { /\S/ } <$kid>;
    close $kid;
    my @down = grep { $_->[1] != 201 } @res;
    ok(@res == 60, scalar(@res) . ' submissions answered, '
                   . scalar(@down) . ' while Redis was gone');
    ok(!grep({ $_->[1] != 201 && $_->[1] != 503 } @res),
       'each answer is 201 or 503');

    # the clients that got 503 retry with their key
    for my $r (@down) {
        my $n = $r->[0];
        my ($st, $id, $tok) = retry("kill-$tag-$n",
            form("Rác thải $n", sprintf('09140%05d', $n), $n % 3 == 0), 5);
        @$r = ($n, $st, $id // '-', $tok // '-');
    }

    my @bad = grep { $_->[1] != 201 || !readable($_->[2], $_->[3]) } @res;
    is(scalar @bad, 0, 'every submission ends 201 and its token reads it')
        or diag(join ' ', map { "$_->[0]:$_->[1]" } @bad);
    is(reports() - $before, 60, 'exactly one report per submission');
}

# ------------------------------------------------------------ NOSCRIPT
{
    like($srv->redis('SCRIPT', 'FLUSH'), qr/OK/, 'Redis forgot its scripts');
    my ($st, $id, $tok) = submit(undef, form('Sau SCRIPT FLUSH', '0915000111',
                                             1));
    is($st, 201, 'a submission after SCRIPT FLUSH is stored (EVAL)');
    ok($id && readable($id, $tok), '... and readable');
}

# ------------------------------------------------------------ limiter
# "pa_limit ... redis": the limiter's own call times out while Redis is
# paused, the timeout closes the connection from under it, and the
# request it resumes must get its 503 without reconnecting in there
{
    my $lim = PaServer->new(http_config => "pa_limit_zone 1m;\n"
        . "    pa_limit addr rate=6000r/m burst=1000 redis;");
    open my $fh, '<', "$lim->{dir}/redis/redis.pid" or die $!;
    chomp(my $rpid = <$fh>);

    my @kids;
    kill 'STOP', $rpid;
    for my $n (1 .. 4) {
        my $pid = open(my $kid, '-|') // die "fork: $!";
        if ($pid == 0) {
            my ($st) = $lim->submit_json("giới hạn khi tạm dừng $n");
            print "$st\n";
            POSIX::_exit(0);
        }
        push @kids, $kid;
    }
    sleep 2.5;
    kill 'CONT', $rpid;

    my @st = map { my $x = <$_>; close $_; chomp($x //= 0); $x } @kids;
    is(scalar(grep { $_ == 503 || $_ == 201 } @st), 4,
       'limiter + paused Redis: each request answered once ('
       . join(',', @st) . ')');

    sleep 0.5;
    my ($st) = $lim->submit_json('giới hạn sau khi tiếp tục');
    is($st, 201, '... and the next one is stored');
    my @c = $lim->crashes;
    is(scalar @c, 0, '... no worker exited on a signal') or diag(@c);
}

# ------------------------------------------------------------ keepalive
SKIP: {
    my $ss = `ss -tno state established '( dport = :$srv->{redis_port} )' 2>&1`;
    skip 'no ss here', 1 if $? != 0;
    # the workers' sockets to Redis probe a silent peer after 30 s idle
    my @conns = grep { /127\.0\.0\.1:$srv->{redis_port}\b/ } split /\n/, $ss;
    my @alive = grep { /timer:\(keepalive,(\d+)sec/ && $1 <= 30 } @conns;
    ok(@conns && @alive == @conns,
       scalar(@alive) . ' of ' . scalar(@conns)
       . ' Redis sockets have TCP keepalive (<= 30 s)') or diag($ss);
}

# ------------------------------------------------------------ after all
my @missing = missing_media();
is(scalar @missing, 0, 'no report points at missing media')
    or diag(join "\n", @missing);
my @tmp = $srv->media_tmp_files;
is(scalar @tmp, 0, 'no temp file left behind');
my @crashes = $srv->crashes;
is(scalar @crashes, 0, 'no worker exited on a signal') or diag(@crashes);

# the subs above hold $srv: stop the servers now, not at global destruction
undef $srv;

done_testing();
