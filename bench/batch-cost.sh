#!/usr/bin/env bash
# make bench-batch: Redis's cost per report of submit.lua by batch size
# (bench/batch-cost.py), against a private Redis with AOF everysec as in
# production, 3 rounds of each size interleaved.  Needs the argument list
# `make bench` or bench/capture-args.sh captured
# (build/bench/evalsha-submit.args).
#
# Environment: BATCH_SIZES [1,4,16,32,64], BATCH_REPORTS [6000],
# BATCH_ROUNDS [3], BATCH_SPREAD=1 (each report its own position),
# BATCH_REDIS_ARGS (more redis-server options, e.g.
# "--auto-aof-rewrite-percentage 0": no automatic AOF rewrite),
# BATCH_MSEC=1 (the reports' index scores made again at each call as the
# worker makes them: now's milliseconds from the wall clock, the report's
# place in the call).

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ARGS_FILE=${1:-$ROOT/build/bench/evalsha-submit.args}
SIZES=${BATCH_SIZES:-1,4,16,32,64}
REPORTS=${BATCH_REPORTS:-6000}
ROUNDS=${BATCH_ROUNDS:-3}
DIR=$ROOT/build/bench/batch-redis

. "$ROOT/bench/lib.sh"

[ -s "$ARGS_FILE" ] \
    || die "no $ARGS_FILE: run bench/capture-args.sh (or \`make bench\`) first"

cleanup() {
    redis_stop
    rm -rf "$DIR"
}
trap cleanup EXIT
# shellcheck disable=SC2086
redis_start "$DIR" --appendonly yes --appendfsync everysec \
    ${BATCH_REDIS_ARGS:-}
PORT=$REDIS_PORT

echo "load average (1 min) $(cut -d' ' -f1 /proc/loadavg) before"
for round in $(seq 1 "$ROUNDS"); do
    echo "round $round"
    python3 "$ROOT/bench/batch-cost.py" "$PORT" \
        "${BATCH_SCRIPT:-$ROOT/redis-scripts/submit.lua}" "$ARGS_FILE" "$SIZES" "$REPORTS"
done
echo "load average (1 min) $(cut -d' ' -f1 /proc/loadavg) after"
