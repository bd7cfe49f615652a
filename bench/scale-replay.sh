#!/usr/bin/env bash
# Redis's cost per report of submit.lua against a loaded province: the
# data bench/scale.sh generated at each size (SCALE_KEEP_RDB), replayed
# with the module's own captured EVALSHA (bench/batch-cost.py), by
# command.  Cheaper and steadier than a whole make bench-scale: the 1M
# load is made once, and the replay has no nginx and no wrk on the CPUs.
#
#   bench/scale-replay.sh RDB...
#
# Each round starts a private Redis from each RDB in turn (interleaved;
# scale.sh's options, no persistence), gives its main dict the headroom
# scale.sh gives it before its submit case (no rehash in the middle), and
# replays REPLAY_REPORTS reports as calls of REPLAY_BATCH into the loaded
# tenant: each report its own phone hash, whose print joins the loaded
# dup: buckets, and its own position (BATCH_TENANT, BATCH_BUCKETS,
# BATCH_SPREAD of batch-cost.py).  Prints usec/report (EVALSHA's time in
# Redis), cpu_us/report and each command's part, and the load average.
#
# Environment: REPLAY_REPORTS [50000], REPLAY_BATCH [16], REPLAY_ROUNDS
# [2], REPLAY_TENANT [laichau], SCALE_REDIS as bench/scale.sh's,
# BATCH_SCRIPT (another submit.lua), and the argument list as the first
# argument of batch-cost.sh (build/bench/evalsha-submit.args).

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPORTS=${REPLAY_REPORTS:-50000}
BATCH=${REPLAY_BATCH:-16}
ROUNDS=${REPLAY_ROUNDS:-2}
TENANT=${REPLAY_TENANT:-laichau}
REDIS_OPTS=${SCALE_REDIS:-}
ARGS_FILE=${REPLAY_ARGS:-$ROOT/build/bench/evalsha-submit.args}
P="pa:{$TENANT}:"
DIR=$ROOT/build/bench/replay-redis

. "$ROOT/bench/lib.sh"     # die, redis_start, redis_stop, headroom

[ "$#" -gt 0 ] || die "usage: bench/scale-replay.sh RDB..."
[ -s "$ARGS_FILE" ] || die "no $ARGS_FILE: run \`make bench\` first"
for f in "$@"; do [ -s "$f" ] || die "no $f"; done

rcli() { redis-cli -p "$REDIS_PORT" "$@"; }

cleanup() {
    redis_stop
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

for round in $(seq 1 "$ROUNDS"); do
    for rdb in "$@"; do
        rm -rf "$DIR"
        mkdir -p "$DIR"
        # Redis reads dir/dbfilename; --save "": it never writes it
        ln -s "$(readlink -f "$rdb")" "$DIR/data.rdb"
        # shellcheck disable=SC2086
        redis_start "$DIR" --dbfilename data.rdb --enable-debug-command local \
            $REDIS_OPTS
        until [ "$(rcli INFO persistence | tr -d '\r' \
                   | sed -n 's/^loading://p')" = 0 ]; do sleep 0.5; done
        FILLED=0
        echo "round $round, $(basename "$rdb"): $(rcli DBSIZE) keys;" \
             "$(headroom $((REPORTS * 4)))"
        echo "load average (1 min) $(cut -d' ' -f1 /proc/loadavg) before"
        BATCH_KEEP=1 BATCH_TENANT=$TENANT BATCH_BUCKETS=1 BATCH_SPREAD=1 \
        BATCH_MSEC=1 BATCH_BY_COMMAND=1 \
            python3 "$ROOT/bench/batch-cost.py" "$REDIS_PORT" \
            "${BATCH_SCRIPT:-$ROOT/redis-scripts/submit.lua}" "$ARGS_FILE" \
            "$BATCH" "$REPORTS"
        echo "load average (1 min) $(cut -d' ' -f1 /proc/loadavg) after"
        redis_stop
    done
done
