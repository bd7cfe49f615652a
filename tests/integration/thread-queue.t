# A burst of photos on a small machine: the thread pool's queue is full
# (thread_pool max_queue) when a report's photo or a pre-upload comes.
# Each answer is 201, or 503 unavailable with Retry-After (try again):
# never a 500, and a refused report is not kept.  Bursts of 16 reports
# with a photo go to one worker with one thread and a queue of one until
# a burst has met the full queue.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use Test::More;
use POSIX ();
use PaServer;

my $root = $ENV{TEST_NGINX_ROOT} || "$FindBin::Bin/../..";
my $fix = $ENV{TEST_NGINX_FIXTURES} || "$root/build/fixtures";
my $photo = do {
    open my $f, '<:raw', "$fix/large.jpg" or die "$fix/large.jpg: $!";
    local $/;
    <$f>;
};

my $srv = PaServer->new(
    workers     => 1,
    main_config => "events { worker_connections 1024; }\n"
                   . "thread_pool pa threads=1 max_queue=1;",
    http_config => 'pa_thread_pool pa;');

my $b = 'ThReAdQuEuEbOuNdArY';

sub report {
    my $n = shift;
    my $body = '';
    for my $f ([content => "Ổ gà giữa đường, đợt ảnh #$n"],
               [reporter_name => 'Lò Văn Q'],
               [reporter_phone => sprintf('0966%06d', $n)],
               [lat => '22.396'], [lng => '103.458'])
    {
        $body .= "--$b\r\nContent-Disposition: form-data; name=\"$f->[0]\""
                 . "\r\n\r\n$f->[1]\r\n";
    }
    $body .= "--$b\r\nContent-Disposition: form-data; name=\"media\"; "
             . "filename=\"IMG_$n.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
             . "$photo\r\n--$b--\r\n";
    return $srv->http('POST', '/api/v1/reports', body => $body,
        headers => ["Content-Type: multipart/form-data; boundary=$b"]);
}

sub preupload {
    return $srv->http('POST', '/api/v1/media', body => $photo,
                      headers => ['Content-Type: image/jpeg']);
}

# one burst: each child says "<status> <retry-after or -> <code or id>"
sub burst {
    my ($first, $count) = @_;
    my @kids;
    for my $n ($first .. $first + $count - 1) {
        pipe(my $r, my $w) or die $!;
        my $pid = fork // die "fork: $!";
        if ($pid == 0) {
            close $r;
            my ($st, $head, $body) = $n % 4 ? report($n) : preupload();
            my ($ra) = $head =~ /^Retry-After: *(\d+)/mi;
            my ($what) = $body =~ /"(?:code|id)":"([^"]+)"/;
            print $w join(' ', $st, $ra // '-', $what // '-',
                          $n % 4 ? 'r' : 'm'), "\n";
            close $w;
            POSIX::_exit(0);
        }
        close $w;
        push @kids, [$pid, $r];
    }
    my @got;
    for my $k (@kids) {
        push @got, [split ' ', readline($k->[1]) // '0 - - -'];
        waitpid($k->[0], 0);
    }
    return @got;
}

my (@all, $busy);
for my $round (0 .. 9) {
    my @got = burst(1 + 16 * $round, 16);
    push @all, @got;
    $busy = grep { $_->[0] == 503 } @all;
    last if $busy;
}

ok($busy, "a burst met the full queue ($busy answers 503)");
my @bad = grep { $_->[0] != 201 && $_->[0] != 503 } @all;
is(scalar @bad, 0, 'every answer is 201 or 503, never 500')
    or diag(join "\n", map { "@$_" } @bad);
my @told = grep { $_->[0] == 503
                  && ($_->[1] eq '-' || $_->[2] ne 'unavailable') } @all;
is(scalar @told, 0, '... each 503 is "unavailable" with Retry-After')
    or diag(join "\n", map { "@$_" } @told);

my $taken = grep { $_->[0] == 201 && $_->[3] eq 'r' } @all;
# the stored reports, by their hashes (no index of them all, issue 12)
(my $count = $srv->redis('EVAL', "'return #redis.call(\"KEYS\",\"pa:{it}:r:*\")'", 0)) =~ s/\D//g;
is($count, $taken, "only the reports answered 201 were kept ($taken)");
is(scalar($srv->crashes), 0, 'no worker crashed');

done_testing();
