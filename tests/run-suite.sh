#!/usr/bin/env bash
# `make test`: the C unit tests, then the integration tests and the t/
# suite (the real Test::Nginx::Socket), each file with a throw-away Redis
# of its own that it stops when it ends.  The last line printed is
# prove's summary of the t/ suite.
#
#   tests/run-suite.sh MODULE_SO UNIT_TEST_BINARY...

set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODULE=$1
shift

cd "$ROOT"

WORK=$(mktemp -d /tmp/pa-test.XXXXXX)

cleanup() {
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

status=0

# ------------------------------------------------------------ unit tests
if [ $# -gt 0 ]; then
    echo "== C unit tests"
    prove -e '' "$@" || status=1
fi

# ------------------------------------------------------------ fixtures
if [ -x tests/fixtures/make-media.sh ]; then
    tests/fixtures/make-media.sh "$ROOT/build/fixtures" >/dev/null \
        || { echo "fixtures could not be made"; status=1; }
fi

# ------------------------------------------------------------ t/ suite
# The real Test::Nginx (openresty/test-nginx): the one Perl finds when it
# is installed (cpanm Test::Nginx), else the unmodified copy of its lib/
# beside the repository in ../shared/vendor/test-nginx.
VENDOR=$ROOT/../shared/vendor/test-nginx/lib
if ! perl -MTest::Nginx::Socket -e1 2>/dev/null; then
    if [ ! -f "$VENDOR/Test/Nginx/Socket.pm" ]; then
        echo "Test::Nginx is not installed: cpanm Test::Nginx" \
             "(or put openresty/test-nginx's lib/ in PERL5LIB)"
        exit 1
    fi
    export PERL5LIB=$VENDOR${PERL5LIB:+:$PERL5LIB}
fi

export TEST_NGINX_BINARY=${TEST_NGINX_BINARY:-/usr/sbin/nginx}
export TEST_NGINX_LOAD_MODULES=$MODULE
export TEST_NGINX_ROOT=$ROOT
export TEST_NGINX_FIXTURES=$ROOT/build/fixtures
# Each file gets a port and a server root (t/servroot_<port>) of its own
# (tests/t-port.sh runs it: a port outside the kernel's ephemeral range,
# held while the file runs), and t/PaTest.pm a Redis and a data folder of
# its own, so files run side by side (prove -j) never collide.
unset TEST_NGINX_RANDOMIZE TEST_NGINX_PORT TEST_NGINX_SERVROOT \
    TEST_NGINX_REDIS_PORT
# (ports a killed run left held)
rm -rf t/.ports

if [ -n "${PA_ASAN:-}" ]; then
    # An ASan module inside Debian's (uninstrumented) nginx: only nginx gets
    # the runtime preloaded.  Preloaded into everything, it hangs tools the
    # tests run (ps deadlocks in ASan's init).  UBSan's findings go to the
    # same files: any report fails the run.  Unsymbolized (symbolize=0):
    # the harness stops nginx at each block's end, and a report whose
    # process is killed while ASan symbolizes it is cut after its first
    # line; the addresses are symbolized below, once the run is over.
    {
        echo '#!/bin/sh'
        echo "export LD_PRELOAD=$(gcc -print-file-name=libasan.so)"
        echo "export ASAN_OPTIONS=detect_leaks=0:symbolize=0:log_path=$WORK/asan"
        echo "export UBSAN_OPTIONS=print_stacktrace=1:symbolize=0:log_path=$WORK/asan"
        echo "exec $TEST_NGINX_BINARY \"\$@\""
    } > "$WORK/nginx-asan"
    chmod +x "$WORK/nginx-asan"
    export TEST_NGINX_BINARY=$WORK/nginx-asan
fi

echo "== integration and t/ suites"
# T="t/085-limit.t ..." (make test T=...) runs only those files
prove -r -j"${PROVE_JOBS:-2}" --exec tests/t-port.sh ${PROVE_ARGS:-} \
    ${T:-tests/integration/ t/} \
    || status=1

if [ -n "${PA_ASAN:-}" ] && ls "$WORK"/asan* >/dev/null 2>&1; then
    echo "AddressSanitizer reports:"
    for f in "$WORK"/asan*; do
        echo "== $f"
        # (raw, if the symbolizer cannot read it)
        asan_symbolize < "$f" 2>/dev/null || cat "$f"
    done
    status=1
fi

exit $status
