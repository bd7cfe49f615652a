#!/usr/bin/env bash
# `make test`: the C unit tests, then the t/ suite (Test::Nginx::Socket)
# against a throw-away Redis on a free port, stopped afterwards whatever
# happens.  The last line printed is prove's summary of the t/ suite.
#
#   tests/run-suite.sh MODULE_SO UNIT_TEST_BINARY...

set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODULE=$1
shift

cd "$ROOT"

WORK=$(mktemp -d /tmp/pa-test.XXXXXX)
REDIS_PID=

cleanup() {
    if [ -n "$REDIS_PID" ]; then
        kill "$REDIS_PID" 2>/dev/null
        wait "$REDIS_PID" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

free_port() {
    perl -MIO::Socket::INET -e \
        'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1",
                                     LocalPort => 0)->sockport'
}

status=0

# ------------------------------------------------------------ unit tests
if [ $# -gt 0 ]; then
    echo "== C unit tests"
    prove -e '' "$@" || status=1
fi

# ------------------------------------------------------------ redis
PORT=$(free_port)
redis-server --bind 127.0.0.1 --port "$PORT" --dir "$WORK" --save "" \
    --appendonly no --logfile "$WORK/redis.log" &
REDIS_PID=$!

for _ in $(seq 1 50); do
    redis-cli -p "$PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
done

# ------------------------------------------------------------ fixtures
if [ -x tests/fixtures/make-media.sh ]; then
    tests/fixtures/make-media.sh "$ROOT/build/fixtures" >/dev/null \
        || { echo "fixtures could not be made"; status=1; }
fi

# ------------------------------------------------------------ t/ suite
if ! perl -MTest::Nginx::Socket -e1 2>/dev/null; then
    export PERL5LIB=$ROOT/tests/test-nginx/lib${PERL5LIB:+:$PERL5LIB}
fi

export TEST_NGINX_BINARY=${TEST_NGINX_BINARY:-/usr/sbin/nginx}
export TEST_NGINX_LOAD_MODULES=$MODULE
export TEST_NGINX_REDIS_PORT=$PORT
export TEST_NGINX_ROOT=$ROOT
export TEST_NGINX_FIXTURES=$ROOT/build/fixtures
# a port and server root of its own: runs side by side never collide
export TEST_NGINX_PORT=${TEST_NGINX_PORT:-$(free_port)}
export TEST_NGINX_SERVROOT=${TEST_NGINX_SERVROOT:-$WORK/servroot}

if [ -n "${PA_ASAN:-}" ]; then
    # An ASan module inside Debian's (uninstrumented) nginx: only nginx gets
    # the runtime preloaded.  Preloaded into everything, it hangs tools the
    # tests run (ps deadlocks in ASan's init).  UBSan's findings go to the
    # same files: any report fails the run.
    {
        echo '#!/bin/sh'
        echo "export LD_PRELOAD=$(gcc -print-file-name=libasan.so)"
        echo "export ASAN_OPTIONS=detect_leaks=0:log_path=$WORK/asan"
        echo "export UBSAN_OPTIONS=print_stacktrace=1:log_path=$WORK/asan"
        echo "exec $TEST_NGINX_BINARY \"\$@\""
    } > "$WORK/nginx-asan"
    chmod +x "$WORK/nginx-asan"
    export TEST_NGINX_BINARY=$WORK/nginx-asan
fi

echo "== integration and t/ suites (Redis on port $PORT)"
# T="t/085-limit.t ..." (make test T=...) runs only those files
prove -r ${PROVE_ARGS:-} ${T:-tests/integration/ t/} || status=1

if [ -n "${PA_ASAN:-}" ] && ls "$WORK"/asan* >/dev/null 2>&1; then
    echo "AddressSanitizer reports:"
    cat "$WORK"/asan*
    status=1
fi

exit $status
