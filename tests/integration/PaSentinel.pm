package PaSentinel;

# A local Redis Sentinel set for the failover tests: two redis-server
# (a primary and its replica) and three redis-sentinel watching them as
# master "pa", with short down-after-milliseconds and failover-timeout so
# an election takes seconds.  Everything on free ports in a temp dir,
# stopped when the object goes away.
#
# With auth => 1 every part wants credentials, as in production: the
# nodes a password (requirepass, masterauth between them) and an ACL
# user for the module (pa-app), the sentinels a password (requirepass,
# sentinel-pass between them, auth-pass to the nodes) and an ACL user
# for the module (pa-watch).  The passwords are in files of the set's
# directory; option() names them as pa_redis takes them.

use strict;
use warnings;
use File::Temp qw(tempdir);
use Time::HiRes qw(sleep time);
use PaServer;

sub new {
    my ($class, %opt) = @_;
    my $self = bless {
        dir       => tempdir('pa-ha-XXXXXX', TMPDIR => 1, CLEANUP => 1),
        nodes     => [PaServer::free_port(), PaServer::free_port()],
        sentinels => [map { PaServer::free_port() } 1 .. 3],
        # 2 s: at 1 s a machine this loaded (2 cores, many suites) had
        # the sentinels call a just promoted primary down, a second,
        # false failover
        down      => $opt{down_after} || 2000,
        failover  => $opt{failover_timeout} || 3000,
    }, $class;
    $self->auth_files if $opt{auth};
    $self->start_node(0);
    $self->start_node(1, $self->{nodes}[0]);
    $self->start_sentinel($_) for 0 .. 2;
    $self->wait_ready(30) or die "the sentinel set did not come up";
    return $self;
}

# the password each port wants (auth => 1), for cli()
our %Pass;

our %Secret = (node => 'node-7f3a91', app => 'app-19c2e4',
               sentinel => 'sentinel-5d0e77', watch => 'watch-88b1c3');

sub auth_files {
    my $self = shift;
    $self->{auth} = 1;
    for my $k (keys %Secret) {
        open my $fh, '>', "$self->{dir}/$k.pw" or die $!;
        print $fh "$Secret{$k}\n";
        close $fh;
    }
    $Pass{$_} = $Secret{node} for @{ $self->{nodes} };
    $Pass{$_} = $Secret{sentinel} for @{ $self->{sentinels} };
}

sub cli {
    my ($port, @cmd) = @_;
    my $a = $Pass{$port} ? "-a $Pass{$port} --no-auth-warning" : '';
    my $out = `redis-cli -p $port $a @cmd 2>&1`;
    return $out;
}

# a node; with $of, the replica of that port
sub start_node {
    my ($self, $i, $of) = @_;
    PaServer::start_redis_node($self->{dir}, $self->{nodes}[$i], \&cli,
        $self->{auth}
        ? ('--requirepass', $Secret{node}, '--masterauth', $Secret{node},
           '--user', 'pa-app', 'on', ">$Secret{app}", '~*', '&*', '+@all')
        : (),
        $of ? ('--replicaof', '127.0.0.1', $of) : ());
}

sub node_pid {
    my ($self, $port) = @_;
    return PaServer::redis_node_pid($self->{dir}, $port);
}

sub start_sentinel {
    my ($self, $i) = @_;
    my $port = $self->{sentinels}[$i];
    my $d = "$self->{dir}/s$port";
    mkdir $d;
    # the sentinel rewrites its file: one of its own
    open my $fh, '>', "$d/sentinel.conf" or die $!;
    print $fh <<"EOC";
bind 127.0.0.1
port $port
daemonize yes
pidfile $d/sentinel.pid
logfile $d/sentinel.log
dir $d
sentinel monitor pa 127.0.0.1 $self->{nodes}[0] 2
sentinel down-after-milliseconds pa $self->{down}
sentinel failover-timeout pa $self->{failover}
sentinel parallel-syncs pa 1
EOC
    print $fh <<"EOC" if $self->{auth};
requirepass $Secret{sentinel}
user pa-watch on >$Secret{watch} ~* &* +\@all
sentinel auth-pass pa $Secret{node}
sentinel sentinel-pass $Secret{sentinel}
EOC
    close $fh;
    system('redis-sentinel', "$d/sentinel.conf") == 0
        or die "redis-sentinel failed";
}

# every sentinel knows the replica and the two other sentinels
sub wait_ready {
    my ($self, $seconds) = @_;
    my $end = time + $seconds;
    while (time < $end) {
        my $ok = 0;
        for my $s (@{ $self->{sentinels} }) {
            my $m = cli($s, 'SENTINEL', 'master', 'pa');
            my %h = split /\n/, $m;
            $ok++ if ($h{'num-slaves'} // 0) >= 1
                  && ($h{'num-other-sentinels'} // 0) >= 2;
        }
        return 1 if $ok == 3;
        sleep 0.2;
    }
    return 0;
}

sub option {
    my $self = shift;
    return 'sentinel='
        . join(',', map { "127.0.0.1:$_" } @{ $self->{sentinels} })
        . ' master=pa'
        . ($self->{auth}
           ? " user=pa-app password_file=$self->{dir}/app.pw"
             . " sentinel_user=pa-watch"
             . " sentinel_password_file=$self->{dir}/watch.pw"
           : '');
}

# the port the sentinels name the primary
sub primary {
    my $self = shift;
    for my $s (@{ $self->{sentinels} }) {
        my ($ip, $port) = split /\n/, cli($s, 'SENTINEL',
                                          'get-master-addr-by-name', 'pa');
        return $port if $port && $port =~ /^\d+$/;
    }
    return;
}

sub replica {
    my $self = shift;
    my $p = $self->primary;
    return (grep { $_ != $p } @{ $self->{nodes} })[0];
}

sub redis {
    my ($self, @cmd) = @_;
    return cli($self->primary, @cmd);
}

# kill -9 the primary; returns its port
sub kill_primary {
    my $self = shift;
    my $p = $self->primary;
    kill 'KILL', $self->node_pid($p);
    return $p;
}

sub wait_primary_not {
    my ($self, $old, $seconds) = @_;
    my $end = time + $seconds;
    while (time < $end) {
        my $p = $self->primary;
        return $p if $p && $p != $old;
        sleep 0.1;
    }
    return;
}

# the killed node comes back (empty: no persistence here) as the replica
# of the new primary, as an operator starts it.  Started as an empty
# primary instead, it is a candidate until the sentinels convert it: a
# second, false failover on a loaded machine promoted it once and
# everything written since the first was gone; an unsynced replica is
# the same danger, hence no diskless sync delay.
sub restart_node {
    my ($self, $port) = @_;
    my ($i) = grep { $self->{nodes}[$_] == $port } 0 .. 1;
    $self->start_node($i, $self->primary);
}

# the new primary has a replica in sync again
sub wait_replicated {
    my ($self, $seconds) = @_;
    my $end = time + $seconds;
    while (time < $end) {
        my $info = $self->redis('INFO', 'replication');
        return 1 if $info =~ /^slave0:.*state=online/m;
        sleep 0.2;
    }
    return 0;
}

sub DESTROY {
    my $self = shift;
    return unless $self->{dir};
    PaServer::stop_redis_set($self->{dir}, \&cli, @{ $self->{sentinels} },
                             @{ $self->{nodes} });
}

1;
