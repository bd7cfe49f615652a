#!/usr/bin/env bash
# build/bench/evalsha-submit.args from the module as built, without the
# whole `make bench` (issue 12): a private Redis and nginx with the bench
# tenant's settings (bench/lib.sh bench_settings, and make bench's
# deadlines), MONITOR while make bench's one report is submitted by hand,
# and the same transformation as bench/run.sh (bench/lib.sh evalsha_args).
# Needed after any change of what the worker sends to submit.lua: the
# replays (bench/batch-callgrind.sh, bench/batch-cost.sh) take this file.
#
#   bench/capture-args.sh [MODULE_SO [OUT_FILE]]
#
# MODULE_SO [build/nginx/objs/ngx_http_pa_module.so], OUT_FILE
# [build/bench/evalsha-submit.args]; environment: NGINX [/usr/sbin/nginx].
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODULE=$(realpath "${1:-$ROOT/build/nginx/objs/ngx_http_pa_module.so}")
OUT_FILE=$(realpath -m "${2:-$ROOT/build/bench/evalsha-submit.args}")
NGINX=${NGINX:-/usr/sbin/nginx}

. "$ROOT/bench/lib.sh"

[ -f "$MODULE" ] || die "module not built: $MODULE (make build)"

RUN=$(mktemp -d "${TMPDIR:-/tmp}/pa-capture.XXXXXX")
PREFIX=$RUN/nginx
MON_PID=

cleanup() {
    set +e
    [ -n "$MON_PID" ] && kill "$MON_PID" 2>/dev/null
    nginx_stop "$PREFIX"
    redis_stop
    rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mkdir -p "$PREFIX/tmp/body" "$PREFIX/media"
redis_start "$RUN/redis"
PORT=$(free_port "$REDIS_PORT") || die "no free port"

# make bench's nginx (bench/run.sh): the bench tenant, its deadlines and
# directory; one worker and one thread are enough for one report
{
bench_conf_head "$PREFIX" "$MODULE" 1 64 "thread_pool pa threads=1;"
bench_settings "$PREFIX"
bench_steps
cat <<EOF

    server {
        listen 127.0.0.1:$PORT;

        location /api/v1/ {
            pa_api;
        }
    }
}
EOF
} > "$PREFIX/nginx.conf"

BASE=http://127.0.0.1:$PORT
nginx_start "$PREFIX" "$BASE/api/v1/health"

# make bench's report (bench/run.sh, "one report by hand")
capture_submit "$BASE" "$RUN"

ID=$(printf '%s' "$ANSWER" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
[ -n "$ID" ] || die "submit by curl failed: $ANSWER"

mkdir -p "$(dirname "$OUT_FILE")"
evalsha_args "$SHA" "$ID" "$RUN/monitor.txt" > "$RUN/evalsha.args" \
    || die "no EVALSHA of submit.lua ($SHA) seen by MONITOR: the module" \
           "and redis-scripts/submit.lua disagree?"
cp "$RUN/evalsha.args" "$OUT_FILE"
echo "$OUT_FILE: EVALSHA submit.lua, $(evalsha_shape "$OUT_FILE")"
