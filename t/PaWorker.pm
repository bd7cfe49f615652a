package t::PaWorker;

# What the fresh-worker suites (t/052, t/059, t/063) share: the master's
# worker processes, a patient wait, the worker that took another's place,
# what the error log says of requests parked until the revoked tokens are
# read (ngx_pa_revoke_wait.c), a request on a connection of its own.
#
#   use t::PaWorker;
#   my ($old) = main::nginx_workers();
#   kill 'KILL', $old;
#   my $new = main::new_worker($old);
#   main::until('parked', sub { main::parked() >= 1 });
#   my $a = main::answer(main::send_req('GET', '/api/v1/queue', $token));

use strict;
use warnings;
use IO::Select;
use IO::Socket::INET;
use Time::HiRes ();
use Test::Nginx::Util ();
use t::PaTest ();

sub main::master {
    open my $f, '<', $Test::Nginx::Util::PidFile or die "pid file: $!";
    chomp(my $pid = <$f>);
    return $pid;
}

# the master's worker processes, shutting down or not; without a master
# (Test::Nginx's default) the one nginx process, its own worker, if alive
sub main::nginx_workers {
    my $master = main::master();
    if ($Test::Nginx::Util::MasterProcessEnabled ne 'on') {
        return kill(0, $master) ? ($master) : ();
    }
    my @w;
    for my $stat (glob '/proc/[0-9]*/stat') {
        open my $f, '<', $stat or next;
        my $line = <$f> // next;
        my ($pid, $ppid) = $line =~ /^(\d+) \(.*\) \S+ (\d+)/ or next;
        push @w, $pid if $ppid == $master;
    }
    return @w;
}

# waits for a condition, polling; dies after a minute
sub main::until {
    my ($what, $cond) = @_;
    for (1 .. 3000) {
        return if $cond->();
        Time::HiRes::sleep(0.02);
    }
    die "$what: not within a minute\n";
}

# the one worker is another process than $old, and $old is gone: its pid
sub main::new_worker {
    my $old = shift;
    my $new;
    main::until("a new worker in place of $old", sub {
        my @w = main::nginx_workers();
        return 0 unless @w == 1 && $w[0] != $old;
        $new = $w[0];
        return 1;
    });
    return $new;
}

sub main::errlog { return t::PaTest::slurp($Test::Nginx::Util::ErrLogFile) }

# how many requests have waited for the first read so far
sub main::parked {
    my @n = main::errlog() =~ /waits for this worker's first read/g;
    return scalar @n;
}

# a request with headers %$h on a connection of its own, its answer not
# read yet (HTTP/1.0: the answer ends with the connection)
sub main::send_http {
    my ($method, $path, $h, $body) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $Test::Nginx::Util::ServerPort)
        or die "connect: $!";
    my $head = join '', map { "$_: $h->{$_}\r\n" } sort keys %$h;
    print $s "$method $path HTTP/1.0\r\nHost: localhost\r\n$head"
             . "Content-Length: " . length($body) . "\r\n\r\n$body";
    return $s;
}

# the health check answers 200 and the worker has read Redis's clock (the
# error log's debug line: a reading was taken, not only answered), so the
# writes that follow carry deadlines (main::call: t::PaIdem's)
sub main::healthy {
    main::until('the node answers, its clock read', sub {
        (main::call('GET', '/api/v1/health'))[0] == 200
        && main::errlog() =~ /pa redis: the clock of "[^"]+" read/ });
}

# Redis's count of the calls a script refused as late (INFO errorstats;
# redis-scripts/lib/late.lua): t/209, t/210
sub main::late_calls {
    my ($n) = main::redis('INFO', 'errorstats')
              =~ /errorstat_LATE:count=(\d+)/;
    return $n // 0;
}

# a JSON request on a connection of its own, with a staff token or none
sub main::send_req {
    my ($method, $path, $token, $body) = @_;
    return main::send_http($method, $path,
        {'Content-Type' => 'application/json',
         $token ? (Authorization => "Bearer $token") : ()}, $body // '');
}

# its answer: { status, retry (Retry-After), code (the error's), body }
sub main::answer {
    my $s = shift;
    my ($a, $sel) = ('', IO::Select->new($s));
    while ($sel->can_read(60)) {
        last unless sysread $s, $a, 65536, length $a;
    }
    close $s;
    my ($status) = $a =~ m{^HTTP/1\.\d (\d+)};
    my ($retry) = $a =~ /^Retry-After: (\d+)/mi;
    my ($code) = $a =~ /"code":"([a-z_]+)"/;
    my ($body) = $a =~ /\r\n\r\n(.*)\z/s;
    return { status => $status // 0, retry => $retry, code => $code // '',
             body => $body // '' };
}

# the [alert]s of error.log are the master's word on the workers killed
# (kill -9) and nothing else: $want of them
sub main::only_kill_alerts {
    my ($want) = @_;
    my @alerts = grep { /\[(alert|crit|emerg)\]/ } split /\n/, main::errlog();
    my @kills = grep { /worker process \d+ exited on signal 9/ } @alerts;
    Test::More::is(scalar @kills, $want, "$want worker(s) killed, so said");
    Test::More::is(scalar(@alerts) - scalar(@kills), 0,
                   'no other alert') or Test::More::diag(join "\n", @alerts);
}

# the blocks whose name matches $re kill a worker: the master's [alert]
# on it is expected, checked by only_kill_alerts() instead.  Called
# before the suite's setting(), whose preprocessor adds [alert]:
# Test::Nginx runs the last added first, so this one runs after it
sub main::kill_blocks {
    my ($re) = @_;
    Test::Nginx::Socket::add_block_preprocessor(sub {
        my $block = shift;
        return unless $block->name =~ $re;
        my $pats = $block->no_error_log;
        $block->set_value('no_error_log', [grep { $_ ne '[alert]' } @$pats]);
    });
}

1;
