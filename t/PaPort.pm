package t::PaPort;

# Ports for a test file's servers (its nginx, its Redis, the hooks and
# origins it starts): below the kernel's ephemeral range, each held by
# this file alone while it runs.
#
# The kernel hands the ports of its ephemeral range (32768-60999 on
# Debian) to every connect() and to every bind() of port 0.  A port found
# free there can be a client socket's by the time a server binds it (a
# fresh clone's .ci/run bailed out so at t/186: "Address already in use"
# at each start of its nginx), or while a server on it is down (a Redis
# restarted by a test: nginx reconnecting to it can even connect to
# itself); and two files run side by side (prove -j2) can pick the same
# port.  A port here is below that range, and a directory t/.ports/<port>
# (mkdir is atomic) keeps every other file off it until this one ends.
#
#   tests/t-port.sh FILE.t     (prove --exec) FILE with its nginx's port
#   t::PaTest::free_port()     any other server's

use strict;
use warnings;

use Cwd ();
use File::Path ();
use IO::Socket::INET;

my $Dir = ($ENV{TEST_NGINX_ROOT} // Cwd::getcwd()) . '/t/.ports';
my $Owner = $$;
my @Held;

# the lowest port of the kernel's ephemeral range
sub ephemeral_low {
    my $lo;

    if (open my $f, '<', '/proc/sys/net/ipv4/ip_local_port_range') {
        ($lo) = split ' ', (<$f> // '');
    }

    return $lo && $lo > 3000 ? $lo : 32768;
}

# a port nothing listens on, held until this process ends
sub hold {
    my $lo = ephemeral_low();

    File::Path::make_path($Dir);

    for (1 .. 500) {
        my $p = 2000 + int(rand($lo - 2000));

        mkdir "$Dir/$p" or next;

        my $s = IO::Socket::INET->new(LocalAddr => '0.0.0.0',
                                      LocalPort => $p, Proto => 'tcp',
                                      Listen => 1, ReuseAddr => 1);
        if ($s) {
            close $s;
            push @Held, $p;
            return $p;
        }

        rmdir "$Dir/$p";
    }

    die "no free port below $lo\n";
}

# (a child forked by a test and ending normally holds nothing)
END {
    rmdir "$Dir/$_" for $$ == $Owner ? @Held : ();
}

# tests/t-port.sh: the test file run with its nginx's port and server
# root, which Test::Nginx reads as it loads (TEST_NGINX_RANDOMIZE would
# pick any port from 1988 up)
sub run {
    my ($file) = @_;
    my $port = hold();

    delete $ENV{TEST_NGINX_RANDOMIZE};
    $ENV{TEST_NGINX_PORT} = $port;
    $ENV{TEST_NGINX_SERVROOT} = Cwd::getcwd() . "/t/servroot_$port";

    my $rc = system($^X, $file);

    File::Path::remove_tree($ENV{TEST_NGINX_SERVROOT});

    return $rc == -1 ? 1 : ($rc & 127) ? 128 + ($rc & 127) : $rc >> 8;
}

1;
