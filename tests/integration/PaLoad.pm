package PaLoad;

# Submissions through a failover, as the Redis HA suites make them
# (sentinel-failover.t, sentinel-auth.t, cluster.t): each under an
# Idempotency-Key, so that a 503 of the election is retried as a client
# would, and each answer kept to check afterwards that a report answered
# 201 is readable with its token.  An answer is the list
# (status, id, token, retry-after given); a load client's line adds its
# key and phone number in front.

use strict;
use warnings;
use Exporter 'import';
use IO::Handle;
use POSIX ();
use Time::HiRes qw(sleep time);
use Test::More ();

our @EXPORT_OK = qw(submit readable retry wait_serving start_load collect
                    failovers election_ok);

# one submission to $srv under Idempotency-Key $key, phone 09<$n>
sub submit {
    my ($srv, $key, $n) = @_;
    my $json = qq({"content":"Sự cố $key","lat":22.39,"lng":103.45,)
             . qq("reporter_name":"Người gửi",)
             . qq("reporter_phone":"09) . sprintf('%08d', $n) . '"}';
    my ($st, $head, $body) = $srv->http('POST', '/api/v1/reports',
        body => $json,
        headers => ['Content-Type: application/json',
                    "Idempotency-Key: $key"]);
    my ($id) = $body =~ /"id":"([^"]+)"/;
    my ($tok) = $body =~ /"access_token":"([^"]+)"/;
    my $ra = $head =~ /^Retry-After: *\d+/mi ? 1 : 0;
    return ($st, $id // '-', $tok // '-', $ra);
}

# the reporter reads the report with its token
sub readable {
    my ($srv, $id, $tok) = @_;
    my ($st) = $srv->http('GET', "/api/v1/reports/$id",
                          headers => ["X-Report-Token: $tok"]);
    return $st == 200;
}

# a 503 retried with the same Idempotency-Key ($r: key, phone) until it
# is not 503, for up to 30 s
sub retry {
    my ($srv, $r) = @_;
    my $end = time + 30;
    my @a;
    while (time < $end) {
        @a = submit($srv, $r->[0], $r->[1]);
        return @a if $a[0] != 503;
        sleep 0.2;
    }
    return @a;
}

# the workers found their Redis (a primary through the sentinels, the
# slot map): a submission answers 201 within $seconds (15)
sub wait_serving {
    my ($srv, $tag, $seconds) = @_;
    my $end = time + ($seconds // 15);
    my $n = 0;
    while (time < $end) {
        my ($st) = submit($srv, "warm-$tag-" . $n, 90000000 + $n);
        $n++;
        return 1 if $st == 201;
        sleep 0.2;
    }
    return 0;
}

# load clients (loaders => 3) submitting until the $stop file exists,
# each writing its answers to a file of its own (a pipe would fill and
# stop them), one line each: key phone status id token retry-after.
# Client k's n-th phone is base + k * step + n (base 0, step 1000000).
sub start_load {
    my ($srv, $tag, $stop, %opt) = @_;
    my $base = $opt{base} // 0;
    my $step = $opt{step} // 1000000;
    my @kids;
    for my $k (1 .. ($opt{loaders} // 3)) {
        my $out = "$srv->{dir}/load-$tag-$k";
        my $pid = fork // die "fork: $!";
        if ($pid == 0) {
            open my $fh, '>', $out or POSIX::_exit(1);
            $fh->autoflush(1);
            my $n = 0;
            until (-e $stop) {
                $n++;
                my $key = "$tag-$k-$n";
                my $phone = $base + $k * $step + $n;
                my @r = submit($srv, $key, $phone);
                print $fh join(' ', $key, $phone, @r), "\n";
                # steady, not flat out: each answer is checked afterwards
                sleep 0.01;
            }
            close $fh;
            POSIX::_exit(0);
        }
        push @kids, [$pid, $out];
    }
    return \@kids;
}

# the load clients' answers, once they stopped
sub collect {
    my ($kids) = @_;
    my @res;
    for my $kid (@$kids) {
        waitpid($kid->[0], 0);
        open my $fh, '<', $kid->[1] or die "$kid->[1]: $!";
        push @res, map { [split / /] } grep { /\S/ } <$fh>;
        close $fh;
    }
    return @res;
}

# The answers ($res, collect()'s) of submissions to $srv through a move of
# the primary, checked as their clients see them: 201 or 503 and nothing
# else, every 503 with Retry-After, every report answered 201 readable
# with its token afterwards (with wait=1: 0 lost), every 503 retried with
# its Idempotency-Key ends 201.  $what names the case in the first check,
# the others follow it with "...".  Unless $planned (a switch the old
# primary lives through may refuse nothing), some were refused: an
# election the load never saw checks nothing.  Returns the 201s and the
# 503s for the suite's own checks.
sub election_ok {
    my ($srv, $what, $res, $planned) = @_;
    my @ok = grep { $_->[2] == 201 } @$res;
    my @refused = grep { $_->[2] == 503 } @$res;
    my @other = grep { $_->[2] != 201 && $_->[2] != 503 } @$res;

    Test::More::ok(@ok > 0 && ($planned || @refused > 0), "$what: "
        . scalar(@$res) . ' submissions under load: ' . scalar(@ok)
        . ' answered 201, ' . scalar(@refused) . ' 503 during the move');
    Test::More::is(scalar @other, 0, '... each answer is 201 or 503')
        or Test::More::diag(join ' ', map { "$_->[0]:$_->[2]" } @other);
    Test::More::is(scalar(grep { !$_->[5] } @refused), 0,
                   '... every 503 carries Retry-After');

    my @lost = grep { !readable($srv, $_->[3], $_->[4]) } @ok;
    Test::More::is(scalar @lost, 0, '... every report answered 201 is '
                   . 'readable with its token after the move (0 lost)')
        or Test::More::diag(join ' ', map { $_->[0] } @lost);

    my @after = grep { $_->[2] != 201 }
                map { my $r = $_; [ $r->[0], $r->[1], retry($srv, $r) ] }
                @refused;
    Test::More::is(scalar @after, 0,
                   '... each 503 retried with its Idempotency-Key ends 201')
        or Test::More::diag(join ' ', map { "$_->[0]:$_->[2]" } @after);
    return (\@ok, \@refused);
}

# the workers' moves to a new primary, counted in shared memory
sub failovers {
    my $srv = shift;
    my (undef, undef, $body) = $srv->http('GET', '/metrics');
    my ($n) = $body =~ /^pa_redis_failovers_total (\d+)/m;
    return $n // -1;
}

1;
