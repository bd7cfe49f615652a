package FakeRedis;

# A stand-in for a Redis node or a sentinel that answers what a test
# wants (RESP2), to reach what a real one only does by accident: a node
# still LOADING its data, a sentinel naming the primary by host name.
# One child process per connection; the answers come from a sub given
# the command as a list of strings, returning the raw RESP reply.

use strict;
use warnings;
use IO::Socket::INET;
use POSIX ();

sub new {
    my ($class, $answer) = @_;
    my $l = IO::Socket::INET->new(Listen => 16, LocalAddr => '127.0.0.1',
                                  LocalPort => 0, ReuseAddr => 1)
        or die "listen: $!";
    my $self = bless { port => $l->sockport }, $class;
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        $SIG{CHLD} = 'IGNORE';
        while (my $c = $l->accept) {
            my $kid = fork;
            if (defined $kid && $kid == 0) {
                serve($c, $answer);
                POSIX::_exit(0);
            }
            close $c;
        }
        POSIX::_exit(0);
    }
    close $l;
    $self->{pid} = $pid;
    return $self;
}

# one command: *N then N bulk strings
sub read_command {
    my $c = shift;
    my $line = <$c> // return;
    return unless $line =~ /^\*(\d+)/;
    my @args;
    for (1 .. $1) {
        my $len = <$c> // return;
        return unless $len =~ /^\$(\d+)/;
        my $buf = '';
        read($c, $buf, $1 + 2) // return;
        push @args, substr($buf, 0, -2);
    }
    return \@args;
}

sub serve {
    my ($c, $answer) = @_;
    $c->autoflush(1);
    while (my $cmd = read_command($c)) {
        print $c $answer->(@$cmd);
    }
}

sub bulk { my $s = shift; return '$' . length($s) . "\r\n$s\r\n" }

sub DESTROY {
    my $self = shift;
    kill 'KILL', $self->{pid} if $self->{pid};
    waitpid $self->{pid}, 0 if $self->{pid};
}

1;
