package t::PaHook;

# What the webhook suites (t/05x, t/19x) share: the targets' key file,
# the reference receiver (tests/receiver/pa-receiver.pl) run beside the
# suite, what it logged, and a patient wait.
#
#   use t::PaHook;
#   our $Key = hook_key('test-hook-secret-0123456789abcdef');
#   receiver($port, $Key, $log, '--lf');     # more options after
#   my @d = deliveries($log);                # {path, event, ..., json}
#   wait_for('the event', sub { deliveries($log) >= 1 });

use strict;
use warnings;

use Exporter 'import';
use IO::Socket::INET;
use JSON::PP ();
use POSIX ();
use Time::HiRes ();

our @EXPORT = qw(hook_key receiver deliveries wait_for);

my @Pids;

END {
    for my $pid (@Pids) {
        kill 'TERM', $pid;
        waitpid $pid, 0;
    }
}

# the targets' HMAC key in the suite's data folder, as an operator's
# editor writes it (a last newline, which nginx does not take)
sub hook_key {
    my $secret = shift;
    my $key = "$t::PaTest::Data/hook.key";
    open my $k, '>', $key or die "$key: $!";
    print $k "$secret\n";
    close $k;
    return $key;
}

# the reference receiver on $port (and --addr, if given) logging to $log;
# returns once it answers; stopped when the suite ends
sub receiver {
    my ($port, $key, $log, @more) = @_;
    my %o = @more % 2 ? () : @more;
    my $addr = $o{'--addr'} // '127.0.0.1';
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        { exec $^X, "$t::PaTest::ROOT/tests/receiver/pa-receiver.pl",
               '--port', $port, '--secret-file', $key, '--log', $log,
               @more; }
        POSIX::_exit(127);
    }
    push @Pids, $pid;
    for (1 .. 200) {
        return $pid if IO::Socket::INET->new(PeerAddr => $addr,
                                             PeerPort => $port);
        Time::HiRes::sleep(0.025);
    }
    die "the receiver did not start on $addr:$port\n";
}

# what a receiver logged: one hash per delivery, its body decoded (json);
# in scalar context, how many
sub deliveries {
    my $log = shift;
    my @d;
    if (open my $f, '<', $log) {
        for (<$f>) {
            my $d = JSON::PP->new->decode($_);
            $d->{json} = eval { JSON::PP->new->decode($d->{body}) };
            push @d, $d;
        }
    }
    return @d;
}

# up to $secs (60 s: a loaded machine is slow, never wrong) for $cond
sub wait_for {
    my ($what, $cond, $secs) = @_;
    $secs //= 60;
    for (1 .. $secs * 10) {
        return 1 if $cond->();
        Time::HiRes::sleep(0.1);
    }
    Test::More::fail("waited $secs s for $what");
    return 0;
}

1;
