package PaCluster;

# A local Redis Cluster for the cluster test: six redis-server in cluster
# mode made into 3 primaries with a replica each by
# `redis-cli --cluster create ... --cluster-replicas 1`, with a short
# cluster-node-timeout so that a failover takes seconds.  With
# password => ..., every node wants it (requirepass, and masterauth for
# its replica's sync).  Everything on free ports in a temp dir, stopped
# when the object goes away.

use strict;
use warnings;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use Time::HiRes qw(sleep time);
use PaServer;

# the nodes' password, for every redis-cli call (cli() is a function)
our $Password = '';

sub new {
    my ($class, %opt) = @_;
    $Password = $opt{password} // '';
    my $self = bless {
        dir     => tempdir('pa-cluster-XXXXXX', TMPDIR => 1, CLEANUP => 1),
        ports   => [map { cluster_port() } 1 .. 6],
        # 3 s: at less a machine this loaded may call a slow primary down
        timeout => $opt{node_timeout} || 3000,
    }, $class;
    # a port still taken meanwhile (a listener of a parallel suite's
    # random pick): another, twice at most
    for my $i (0 .. $#{ $self->{ports} }) {
        for my $try (1 .. 3) {
            last if eval { $self->start_node($self->{ports}[$i]); 1 };
            die $@ if $try == 3;
            $self->{ports}[$i] = cluster_port();
        }
    }
    my $auth = $Password ? "-a $Password --no-auth-warning" : '';
    my $out = `redis-cli $auth --cluster create @{[
        map { "127.0.0.1:$_" } @{ $self->{ports} } ]} --cluster-replicas 1 --cluster-yes 2>&1`;
    $self->{create} = $out;
    $self->wait_ok(30) or die "the cluster did not come up:\n$out";
    return $self;
}

# a free port p with p + 10000 free too (the cluster bus), both below
# the kernel's ephemeral range (32768 on): a port in it may be taken as
# the source port of any connection the parallel suites open between
# this check and the node's bind (a node once did not start so)
my %taken;
sub cluster_port {
    for (1 .. 200) {
        my $p = 20000 + int(rand(2768));
        next if $taken{$p} || $taken{$p + 10000};
        my @s = map { IO::Socket::INET->new(Listen => 1,
                                            LocalAddr => '127.0.0.1',
                                            LocalPort => $_, ReuseAddr => 0) }
                ($p, $p + 10000);
        my $ok = $s[0] && $s[1];
        close $_ for grep { $_ } @s;
        next unless $ok;
        $taken{$p} = $taken{$p + 10000} = 1;
        return $p;
    }
    die "no free port pair for the cluster";
}

sub cli {
    my ($port, @cmd) = @_;
    my $auth = $Password ? "-a $Password --no-auth-warning" : '';
    my $out = `redis-cli $auth -p $port @cmd 2>&1`;
    return $out;
}

sub start_node {
    my ($self, $port) = @_;
    my $d = "$self->{dir}/n$port";
    PaServer::start_redis_node($self->{dir}, $port, \&cli,
        '--cluster-enabled', 'yes',
        '--cluster-config-file', "$d/nodes.conf",
        '--cluster-node-timeout', $self->{timeout},
        # one province's primary down must not stop the others
        '--cluster-require-full-coverage', 'no',
        # a replica may always be promoted, however long it was away
        '--cluster-replica-validity-factor', '0',
        $Password ? ('--requirepass', $Password,
                     '--masterauth', $Password) : ());
}

sub node_pid {
    my ($self, $port) = @_;
    return PaServer::redis_node_pid($self->{dir}, $port);
}

sub alive {
    my ($self) = @_;
    return grep { cli($_, 'PING') =~ /PONG/ } @{ $self->{ports} };
}

# every live node says cluster_state:ok and sees 3 primaries with slots
sub wait_ok {
    my ($self, $seconds) = @_;
    my $end = time + $seconds;
    while (time < $end) {
        my @up = $self->alive;
        my $ok = grep { cli($_, 'CLUSTER', 'INFO') =~ /cluster_state:ok/ }
                 @up;
        return 1 if @up && $ok == @up;
        sleep 0.2;
    }
    return 0;
}

sub option {
    my $self = shift;
    return 'cluster='
        . join(',', map { "127.0.0.1:$_" } @{ $self->{ports} }[0 .. 2]);
}

# the slot of a key, by Redis
sub keyslot {
    my ($self, $key) = @_;
    for my $p ($self->alive) {
        my ($n) = cli($p, 'CLUSTER', 'KEYSLOT', $key) =~ /(\d+)/;
        return $n if defined $n;
    }
    return;
}

# CLUSTER NODES of a live node: { id => {port, role, master, slots} }
sub nodes {
    my $self = shift;
    for my $p ($self->alive) {
        my $out = cli($p, 'CLUSTER', 'NODES');
        next unless $out =~ /myself/;
        my %n;
        for my $line (split /\n/, $out) {
            my ($id, $addr, $flags, $master, undef, undef, undef, $link,
                @slots) = split / /, $line;
            next unless $addr;
            my ($port) = $addr =~ /:(\d+)/;
            $n{$id} = { id => $id, port => $port,
                        role => $flags =~ /master/ ? 'master' : 'replica',
                        fail => $flags =~ /fail(?!\?)/ ? 1 : 0,
                        master => $master, slots => \@slots };
        }
        return \%n;
    }
    return {};
}

# the port of the primary that owns a slot (CLUSTER NODES' view)
sub owner {
    my ($self, $slot) = @_;
    my $n = $self->nodes;
    for my $node (values %$n) {
        next unless $node->{role} eq 'master' && !$node->{fail};
        for my $r (@{ $node->{slots} }) {
            next if $r =~ /^\[/;
            my ($a, $b) = split /-/, $r;
            $b //= $a;
            return $node->{port} if $slot >= $a && $slot <= $b;
        }
    }
    return;
}

sub id_of {
    my ($self, $port) = @_;
    my $n = $self->nodes;
    my ($id) = grep { $n->{$_}{port} == $port } keys %$n;
    return $id;
}

# the replica of a primary
sub replica_of {
    my ($self, $port) = @_;
    my $n = $self->nodes;
    my $id = $self->id_of($port);
    my ($r) = grep { $_->{master} eq $id } values %$n;
    return $r ? $r->{port} : undef;
}

sub kill_node {
    my ($self, $port) = @_;
    kill 'KILL', $self->node_pid($port);
}

# the owner of the slot is another node than $old, and the cluster is ok
sub wait_owner_not {
    my ($self, $slot, $old, $seconds) = @_;
    my $end = time + $seconds;
    while (time < $end) {
        my $p = $self->owner($slot);
        return $p if $p && $p != $old;
        sleep 0.1;
    }
    return;
}

# the killed node comes back (its nodes.conf kept): the replica now
sub restart_node {
    my ($self, $port) = @_;
    $self->start_node($port);
}

# the primary of a slot has a replica in sync again
sub wait_replicated {
    my ($self, $port, $seconds) = @_;
    my $end = time + $seconds;
    while (time < $end) {
        return 1 if cli($port, 'INFO', 'replication')
                    =~ /^slave0:.*state=online/m;
        sleep 0.2;
    }
    return 0;
}

# moves a slot and its keys from one primary to another, as
# `redis-cli --cluster reshard` does, with CLUSTER SETSLOT and MIGRATE;
# $between runs once the keys moved, before the slot itself does: the
# old owner answers -ASK then
sub move_slot {
    my ($self, $slot, $from, $to, $between) = @_;
    my $src = $self->id_of($from);
    my $dst = $self->id_of($to);
    cli($to, 'CLUSTER', 'SETSLOT', $slot, 'IMPORTING', $src);
    cli($from, 'CLUSTER', 'SETSLOT', $slot, 'MIGRATING', $dst);
    while (1) {
        my @keys = grep { /\S/ } split /\n/,
                   cli($from, 'CLUSTER', 'GETKEYSINSLOT', $slot, 100);
        last unless @keys;
        my $out = cli($from, 'MIGRATE', '127.0.0.1', $to, '""', 0, 5000,
                      'REPLACE', $Password ? ('AUTH', $Password) : (),
                      'KEYS', map { "'$_'" } @keys);
        die "MIGRATE: $out" unless $out =~ /OK/;
    }
    $between->() if $between;
    # the two first, then every other node (replicas refuse: harmless)
    for my $p ($to, $from, $self->alive) {
        cli($p, 'CLUSTER', 'SETSLOT', $slot, 'NODE', $dst);
    }
}

sub DESTROY {
    my $self = shift;
    return unless $self->{dir};
    PaServer::stop_redis_set($self->{dir}, \&cli, @{ $self->{ports} });
}

1;
