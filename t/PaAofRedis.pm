package t::PaAofRedis;

# A suite's Redis that keeps its data across a kill (t/205, t/067): AOF
# on with appendfsync everysec and production.conf's listpack setting,
# in the suite's data directory, on a port of its own below the kernel's
# ephemeral range (while it is down, no outgoing connection of another
# suite can take the port it comes back on).  The suite's own Redis
# (t::PaTest's) gives way to it when this is loaded.
#
#   use t::PaAofRedis;
#   main::aof_written();            # then a kill loses nothing answered
#   main::redis_kill9();
#   main::redis_start();            # from the AOF
#   kill 'STOP', $t::PaTest::RedisPid;
#   main::until('a call waits', \&main::redis_unread);
#   main::redis_cont();             # and what waited is run
#
# main::until and main::redis come from t::PaWorker and t::PaTest.

use strict;
use warnings;
use IO::Select;
use IO::Socket::INET;
use POSIX ();
use t::PaTest ();

sub low_port {
    my ($lo) = eval {
        open my $f, '<', '/proc/sys/net/ipv4/ip_local_port_range' or die;
        split ' ', scalar <$f>;
    };
    $lo = 32768 unless $lo && $lo > 11024;
    for (1 .. 200) {
        my $p = 10000 + int rand($lo - 10000);
        next if IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $p);
        my $l = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                      LocalPort => $p, ReuseAddr => 1)
            or next;
        close $l;
        return $p;
    }
    die "no free port below $lo\n";
}

our $Port = $ENV{TEST_NGINX_REDIS_PORT} = low_port();
our $Dir = "$t::PaTest::Data/redis-aof";
mkdir $Dir;

sub main::redis_pong {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $Port) or return 0;
    print $s "PING\r\n";
    my $sel = IO::Select->new($s);
    my $line = $sel->can_read(1) ? <$s> : undef;
    close $s;
    return defined $line && $line =~ /^\+PONG/;
}

sub main::redis_start {
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open STDOUT, '>', '/dev/null';
        { exec 'redis-server', '--bind', '127.0.0.1', '--port', $Port,
               '--dir', $Dir, '--save', '', '--appendonly', 'yes',
               '--appendfsync', 'everysec', '--hash-max-listpack-value',
               '1024', '--logfile', "$Dir/redis.log"; }
        POSIX::_exit(127);
    }
    $t::PaTest::RedisPid = $pid;
    main::until('Redis answers (loaded its AOF)', sub {
        die "redis-server exited ($Dir/redis.log)\n"
            if waitpid($pid, POSIX::WNOHANG()) == $pid;
        return main::redis_pong();
    });
}

# every write answered so far is in the AOF file (the kernel's): with
# appendfsync everysec Redis may put a write() off while a slow fsync
# runs, and still answer; a kill then loses what it put off
sub main::aof_written {
    main::until('the AOF written', sub {
        my $i = main::redis('INFO', 'persistence');
        return $i =~ /^aof_enabled:0\r?$/m     # (nothing to wait for)
               || $i =~ /^aof_buffer_length:0\r?$/m });
}

# a connection to Redis holds bytes Redis has not read (it is stopped):
# a call reached it (/proc/net/tcp: local port, rx_queue)
sub main::redis_unread {
    open my $f, '<', '/proc/net/tcp' or return 0;
    while (<$f>) {
        my ($local, $queues) = (split)[1, 4];
        next unless $local && $local =~ /:([0-9A-F]{4})$/;
        next unless hex($1) == $Port;
        my (undef, $rx) = split /:/, $queues;
        return 1 if hex($rx) > 0;
    }
    return 0;
}

sub main::redis_kill9 {
    kill 'KILL', $t::PaTest::RedisPid;
    waitpid $t::PaTest::RedisPid, 0;
    $t::PaTest::RedisPid = undef;
}

# Redis goes on after a pause, and has read and run what waited in its
# sockets (it runs a call as it reads it, before it answers a PING)
sub main::redis_cont {
    kill 'CONT', $t::PaTest::RedisPid;
    main::until('Redis read what waited', sub {
        !main::redis_unread() && main::redis_pong() });
}

# a bail-out while Redis is stopped: t::PaTest's END sends TERM and waits
END { kill 'CONT', $t::PaTest::RedisPid if $t::PaTest::RedisPid }

# the suite's own Redis gives way to this one (t::PaWorker's until: the
# suite loads it first)
kill 'TERM', $t::PaTest::RedisPid;
waitpid $t::PaTest::RedisPid, 0;
main::redis_start();

1;
