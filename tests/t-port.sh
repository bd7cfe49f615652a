#!/usr/bin/env bash
# prove's runner of each test file (tests/run-suite.sh: prove --exec):
# the file's nginx gets a port below the kernel's ephemeral range, and
# the port is this file's alone while it runs.
#
#   tests/t-port.sh FILE.t
#
# Test::Nginx's TEST_NGINX_RANDOMIZE picks any port from 1988 up, and
# checks it once, when the file starts.  The kernel hands the ports of its
# ephemeral range (32768-60999 on Debian) to every connect(): a client
# socket on the file's port (a Redis connection of the other job's nginx)
# makes each later start of its nginx fail ("Address already in use";
# t/186 once bailed out so in a fresh clone's .ci/run), and two files run
# side by side can pick the same port.  Here the port is below that range,
# and a directory t/.ports/<port> (mkdir is atomic) keeps the other job
# off it until the file ends.  Test::Nginx itself runs unchanged, its port
# and server root given by TEST_NGINX_PORT and TEST_NGINX_SERVROOT.

set -u

lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
lo=${lo:-32768}
[ "$lo" -gt 3000 ] || lo=32768
held=t/.ports
mkdir -p "$held"

# free now: nothing listens on it (a port below the range is no client's)
port_free() {
    perl -MIO::Socket::INET -e 'exit !IO::Socket::INET->new(
        LocalAddr => "0.0.0.0", LocalPort => $ARGV[0], Proto => "tcp",
        Listen => 1, ReuseAddr => 1)' "$1"
}

port=
for _ in $(seq 1 200); do
    p=$(( 2000 + (RANDOM * 32768 + RANDOM) % (lo - 2000) ))
    mkdir "$held/$p" 2>/dev/null || continue
    if port_free "$p"; then
        port=$p
        break
    fi
    rmdir "$held/$p"
done

if [ -z "$port" ]; then
    echo "Bail out! no free port below $lo for $1"
    exit 1
fi

unset TEST_NGINX_RANDOMIZE
export TEST_NGINX_PORT=$port
export TEST_NGINX_SERVROOT=$PWD/t/servroot_$port

perl "$@"
rc=$?

rm -rf "$TEST_NGINX_SERVROOT"
rmdir "$held/$port"
exit $rc
