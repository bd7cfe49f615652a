#!/usr/bin/env bash
# Live streams at scale (issue 14): what 10k idle SSE clients cost one node.
#
#   bench/sse.sh MODULE_SO
#
# Starts a private Redis and nginx (2 workers, laichau-2026, reuseport),
# submits SSE_REPORTS reports, then measures:
#   1. submit throughput (wrk, bench/submit.lua) without streams;
#   2. SSE_CLIENTS citizens' streams (GET /reports/{id}/events?token=, on
#      SSE_REPORTS reports) and SSE_STAFF IOC streams (GET /events), opened
#      by bench/sse-clients.c; the workers' RSS once all are live;
#   3. submit throughput with them open (the IOC streams get every new
#      report: their event count is printed), then again without.
# Goals (issue 14): worker RSS < 200 MB with 10k streams; throughput with
# them within 10% of the figure without.  Writes build/bench/sse.md.
#
# Environment (defaults in brackets):
#   SSE_CLIENTS [10000]  citizens' streams
#   SSE_STAFF   [10]     IOC streams
#   SSE_REPORTS [100]    reports the citizens follow
#   BENCH_DURATION [10s], BENCH_WARMUP [2s], BENCH_CONNS [64],
#   BENCH_THREADS [2], NGINX [/usr/sbin/nginx]

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODULE=${1:?usage: bench/sse.sh MODULE_SO}
NGINX=${NGINX:-/usr/sbin/nginx}
CLIENTS=${SSE_CLIENTS:-10000}
STAFF=${SSE_STAFF:-10}
REPORTS=${SSE_REPORTS:-100}
DUR=${BENCH_DURATION:-10s}
WARM=${BENCH_WARMUP:-2s}
CONNS=${BENCH_CONNS:-64}
THREADS=${BENCH_THREADS:-2}

OUT=$ROOT/build/bench
RUN=$OUT/sse
. "$ROOT/bench/lib.sh"     # die, free_port, redis_start, nginx_start

bench_module
bench_needs wrk redis-server redis-cli curl gcc "$NGINX"

# every stream is a socket on both sides
want=$((CLIENTS + STAFF + 4096))
ulimit -n $((2 * want)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge "$want" ] \
    || die "ulimit -n is $(ulimit -n): $want needed (run as root)"

PIDS=()

cleanup() {
    set +e
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    nginx_stop "$RUN"
    redis_stop
    rm -rf "$RUN/redis" "$RUN/media"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

rm -rf "$RUN"
mkdir -p "$RUN/redis" "$RUN/tmp" "$RUN/media"

gcc -O2 -Wall -Wextra -Werror -o "$RUN/sse-clients" "$ROOT/bench/sse-clients.c" \
    || die "cannot build bench/sse-clients.c"
cp "$MODULE" "$RUN/ngx_http_pa_module.so"

redis_start "$RUN/redis" --appendonly yes --appendfsync everysec

PORT=$(free_port "$REDIS_PORT") || die "no free port"
{
bench_conf_head "$RUN" "$RUN/ngx_http_pa_module.so" 2 "$want" \
    "worker_rlimit_nofile $(ulimit -n);" "$BENCH_POOL"
cat <<EOF
$(bench_profile "$RUN" "connect_timeout=500ms timeout=2s")
    pa_thread_pool pa;
    server {
        listen 127.0.0.1:$PORT reuseport;
        location /api/v1/ { pa_api; }
    }
}
EOF
} > "$RUN/nginx.conf"
nginx_start "$RUN" "http://127.0.0.1:$PORT/api/v1/health"

workers_rss() {    # total and largest, in MB
    ps --ppid "$(cat "$RUN/nginx.pid")" -o rss= \
        | awk '{ s += $1; if ($1 > m) m = $1 } END {
                 printf "%.1f %.1f", s / 1024, m / 1024 }'
}

submit_rate() {    # TAG: requests per second of a measured run
    wrk -t"$THREADS" -c"$CONNS" -d"$WARM" -s "$ROOT/bench/submit.lua" \
        "http://127.0.0.1:$PORT" -- "${1}1" >/dev/null
    wrk -t"$THREADS" -c"$CONNS" -d"$DUR" -s "$ROOT/bench/submit.lua" \
        "http://127.0.0.1:$PORT" -- "${1}2" > "$RUN/wrk-$1.txt"
    if grep -q "Non-2xx" "$RUN/wrk-$1.txt"; then
        die "answers other than 2xx in run $1: $(grep Non-2xx "$RUN/wrk-$1.txt")"
    fi
    awk '/^Requests\/sec/ { print $2 }' "$RUN/wrk-$1.txt"
}

# ------------------------------------------------------------ the reports
: > "$RUN/citizens.txt"
for i in $(seq 1 "$REPORTS"); do
    body=$(printf '{"content":"Theo dõi phản ánh %d (bench sse)","lat":22.396,"lng":103.458,"reporter_name":"Lò Văn B","reporter_phone":"0987%06d"}' "$i" "$i")
    ans=$(curl -fsS -H 'Content-Type: application/json' -d "$body" \
          "http://127.0.0.1:$PORT/api/v1/reports") || die "submit failed"
    id=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' <<<"$ans")
    tok=$(sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' <<<"$ans")
    echo "/api/v1/reports/$id/events?token=$tok" >> "$RUN/citizens.txt"
done
IOC=$("$ROOT/bin/pa-token" --secret-file "$ROOT/t/keys/auth.key" --role ioc \
      --sub bench-ioc)
echo "/api/v1/events?access_token=$IOC" > "$RUN/staff.txt"

rss0=$(workers_rss)
echo "workers' RSS without streams: total/largest $rss0 MB"

# ------------------------------------------------------------ 1. without
# a first run warms Redis, the scripts' cache and the page cache: not
# counted (a cold first figure would flatter the run with streams)
submit_rate 0 >/dev/null
rate_a=$(submit_rate 1)
echo "submit without streams: $rate_a req/s"

# ------------------------------------------------------------ 2. streams
"$RUN/sse-clients" "$PORT" "$CLIENTS" "$RUN/citizens.txt" \
    > "$RUN/citizens.log" 2>&1 &
PIDS+=($!)
"$RUN/sse-clients" "$PORT" "$STAFF" "$RUN/staff.txt" > "$RUN/staff.log" 2>&1 &
PIDS+=($!)

live=0
for _ in $(seq 1 240); do
    sleep 0.5
    live=$(tail -1 "$RUN/citizens.log" | sed -n 's/^live=\([0-9]*\).*/\1/p')
    [ "${live:-0}" -ge "$CLIENTS" ] && break
done
[ "${live:-0}" -ge "$CLIENTS" ] \
    || die "only ${live:-0} of $CLIENTS streams went live: $(tail -1 "$RUN/citizens.log")"
sleep 2
rss1=$(workers_rss)
echo "$CLIENTS + $STAFF streams live; workers' RSS total/largest $rss1 MB"

# ------------------------------------------------------------ 3. with
ev0=$(tail -1 "$RUN/staff.log" | sed -n 's/.*events=\([0-9]*\).*/\1/p')
rate_b=$(submit_rate 2)
sleep 2
ev1=$(tail -1 "$RUN/staff.log" | sed -n 's/.*events=\([0-9]*\).*/\1/p')
stats=$(tail -1 "$RUN/citizens.log")
echo "submit with streams: $rate_b req/s; IOC streams got $((ev1 - ev0)) events; citizens: $stats"

for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; done
PIDS=()
sleep 2
rate_c=$(submit_rate 3)
echo "submit without streams, again: $rate_c req/s"

ratio=$(awk -v a="$rate_a" -v b="$rate_b" -v c="$rate_c" \
        'BEGIN { printf "%.3f", b / ((a + c) / 2) }')
largest=${rss1#* }

{
    echo "# Live streams on one node ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
    echo
    echo "| measure | value | goal |"
    echo "|---|---|---|"
    echo "| streams live | $CLIENTS citizens + $STAFF IOC | |"
    echo "| workers' RSS without streams (total / largest, MB) | ${rss0/ / \/ } | |"
    echo "| workers' RSS with them (total / largest, MB) | ${rss1/ / \/ } | < 200 per worker |"
    echo "| submit req/s without streams (before / after) | $rate_a / $rate_c | |"
    echo "| submit req/s with streams | $rate_b | |"
    echo "| with / without | $ratio | >= 0.90 |"
    echo "| events delivered to the IOC streams meanwhile | $((ev1 - ev0)) | |"
} > "$OUT/sse.md"
cat "$OUT/sse.md"

awk -v l="$largest" 'BEGIN { exit !(l < 200) }' \
    || echo "bench: worker RSS goal missed ($largest MB)" >&2
awk -v r="$ratio" 'BEGIN { exit !(r >= 0.9) }' \
    || echo "bench: throughput goal missed ($ratio)" >&2
grep -E '\[(alert|crit|emerg)\]' "$RUN/error.log" && die "alerts in error.log"
exit 0
