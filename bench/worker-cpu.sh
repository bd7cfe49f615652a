#!/usr/bin/env bash
# The nginx worker's CPU per JSON submit (issue 12): what `make bench`'s
# CPU column says, measured alone and several times, with the figures that
# hold on a shared machine (CPU time per request, not req/s).
#
#   bench/worker-cpu.sh MODULE_SO [MODULE_SO_B]
#
# Starts a private Redis (AOF everysec) and a private nginx with
# bench/run.sh's laichau-2026 settings (tenant "bench", the submit's
# location only), then runs ROUNDS rounds of `wrk -t1 -c64` (the peer's
# load shape) with bench/submit.lua.  For each round: submit/s, the
# workers' CPU per request (their on-CPU time from /proc/PID/schedstat,
# in ns, not the 10 ms ticks of /proc/PID/stat), their instructions per
# request where the CPU has counters (a virtual machine may have none:
# 0), their syscalls per request, and Redis's CPU per request.
#
# With a second module (a change against its base, e.g. the base commit
# built with `make build VARIANT=-base`), both run side by side, each its
# own nginx on the same Redis, and the rounds alternate a, b, a, b, ...:
# the load of a shared machine then weighs on both alike.  Prints the
# rounds and each one's median; writes build/bench/worker-cpu.txt.
#
# Environment (defaults in brackets):
#   ROUNDS   [5]     measured rounds of each module (after a warm-up)
#   DUR      [5]     seconds per round
#   WORKERS  [2]     nginx worker_processes
#   PROFILE  [0]     1: one more round of the first module under
#                    `perf record` (DWARF call graphs) of its workers, into
#                    build/bench/worker-perf.txt (KEEP_PERF=FILE keeps
#                    perf.data)
#   STRACE   [0]     1: one more round with `strace -c -f` on its workers
#                    (slow: the counts matter, not the rate), into
#                    build/bench/worker-strace.txt
#   CALLGRIND [0]    1: then one more nginx of each module, one process
#                    (master_process off) under valgrind's callgrind,
#                    serving submits one at a time for CG_DUR [20] s
#                    (wrk -t1 -c1, so no group commit), counted from a
#                    warmed-up worker: its instructions per submit (Ir),
#                    the same whatever else the machine runs, and its
#                    functions by inclusive and self Ir, into
#                    build/bench/worker-callgrind-NAME.txt (ROUNDS=0 skips
#                    the timed rounds)
#   NGINX    [/usr/sbin/nginx]

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODULE=${1:?usage: bench/worker-cpu.sh MODULE_SO [MODULE_SO_B]}
MODULE_B=${2:-}
NGINX=${NGINX:-/usr/sbin/nginx}
ROUNDS=${ROUNDS:-5}
DUR=${DUR:-5}
WORKERS=${WORKERS:-2}
PROFILE=${PROFILE:-0}
STRACE=${STRACE:-0}
CALLGRIND=${CALLGRIND:-0}
CG_DUR=${CG_DUR:-20}

OUT=$ROOT/build/bench
RUN=$OUT/wcpu
REDIS_DIR=$RUN/redis

. "$ROOT/bench/lib.sh"     # die, free_port, redis_start, nginx_start

for m in "$MODULE" $MODULE_B; do
    [ -f "$m" ] || die "module not built: $m (make build)"
done
MODULE=$(realpath "$MODULE")
[ -n "$MODULE_B" ] && MODULE_B=$(realpath "$MODULE_B")
bench_needs wrk redis-server redis-cli curl perf "$NGINX"

cleanup() {
    set +e
    nginx_stop "$RUN/nginx-a"
    nginx_stop "$RUN/nginx-b"
    [ -n "${CG_PID:-}" ] && kill -QUIT "$CG_PID" 2>/dev/null && stopped "$CG_PID"
    redis_stop
    rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

rm -rf "$RUN"
mkdir -p "$REDIS_DIR"

redis_start "$REDIS_DIR" --appendonly yes --appendfsync everysec

# bench/run.sh's settings for the submit (its conf_head and main server):
# conf PREFIX PORT
conf() {
    local prefix=$1 port=$2
    bench_conf_head "$prefix" "$prefix/ngx_http_pa_module.so" "$WORKERS" \
        4096 "$BENCH_POOL"
    cat <<EOF
    default_type application/octet-stream;
$(bench_settings "$prefix")
    client_max_body_size 120m;
    client_body_buffer_size 128k;
$(bench_steps)
    server {
        listen 127.0.0.1:$port;
        location /api/v1/ { pa_api; }
    }
}
EOF
}

# start_nginx NAME MODULE: a private nginx; sets BASE_<NAME>, PIDS_<NAME>
PORTS=
start_nginx() {
    local name=$1 module=$2 prefix=$RUN/nginx-$1 port base
    # shellcheck disable=SC2086
    port=$(free_port "$REDIS_PORT" $PORTS) || die "no free port"
    PORTS="$PORTS $port"
    mkdir -p "$prefix/tmp" "$prefix/media"
    cp "$module" "$prefix/ngx_http_pa_module.so"
    conf "$prefix" "$port" > "$prefix/nginx.conf"
    base=http://127.0.0.1:$port
    nginx_start "$prefix" "$base/api/v1/health"
    printf -v "BASE_$name" '%s' "$base"
    printf -v "PIDS_$name" '%s' \
        "$(pgrep -d' ' -P "$(cat "$prefix/nginx.pid")")"
}

NAMES=a
start_nginx a "$MODULE"
if [ -n "$MODULE_B" ]; then
    NAMES="a b"
    start_nginx b "$MODULE_B"
fi

# the workers' on-CPU time so far, in ns: ngx_ns PIDS
ngx_ns() {
    local pid t=0 ns
    for pid in $1; do
        read -r ns _ < "/proc/$pid/schedstat"
        t=$((t + ns))
    done
    echo "$t"
}
redis_cpu() {
    redis-cli -p "$REDIS_PORT" info cpu | tr -d '\r' \
        | awk -F: '/^used_cpu_(sys|user):/ { s += $2 } END { printf "%.6f", s }'
}

# one round: round NAME TAG, wrk -t1 -c64 for DUR s on nginx NAME; prints
# "req/s worker_us/req instr/req syscalls/req redis_us/req"
round() {
    local name=$1 tag=$2 n0 n1 r0 r1 reqs rps ins sys base pids perf_pid
    base=BASE_$name; base=${!base}
    pids=PIDS_$name; pids=${!pids}
    n0=$(ngx_ns "$pids"); r0=$(redis_cpu)
    perf stat -x, -e instructions,raw_syscalls:sys_enter -p "${pids// /,}" \
        -o "$RUN/stat.txt" -- sleep $((DUR + 1)) &
    perf_pid=$!
    sleep 0.3
    wrk -t1 -c64 -d"${DUR}s" "$base/api/v1/reports" \
        -s "$ROOT/bench/submit.lua" -- "$tag" > "$RUN/wrk.txt"
    n1=$(ngx_ns "$pids"); r1=$(redis_cpu)
    wait "$perf_pid" || true
    if grep -q 'Non-2xx' "$RUN/wrk.txt"; then
        die "non-2xx answers: $(cat "$RUN/wrk.txt")"
    fi
    reqs=$(awk '/requests in/ { print $1 }' "$RUN/wrk.txt")
    rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$RUN/wrk.txt")
    ins=$(awk -F, '$3 == "instructions" { print $1 + 0 }' "$RUN/stat.txt")
    sys=$(awk -F, '$3 == "raw_syscalls:sys_enter" { print $1 + 0 }' \
          "$RUN/stat.txt")
    awk -v rps="$rps" -v n="$reqs" -v dn=$((n1 - n0)) -v ins="${ins:-0}" \
        -v sys="${sys:-0}" -v r0="$r0" -v r1="$r1" 'BEGIN {
        printf "%d %.1f %.0f %.1f %.1f\n", rps, dn / 1000 / n, ins / n,
               sys / n, (r1 - r0) * 1e6 / n }'
}

# NAME's median round by worker_us/req (rounds.txt: "NAME figures...")
median() {
    awk -v n="$1" '$1 == n' "$RUN/rounds.txt" | cut -d' ' -f2- \
        | sort -n -k2 | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }'
}

LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
# each module its own tags (a: 1, b: 2 last): with the same tag the second
# one's reports would be the first one's again, answered as replays of
# the idempotency key (cheaper, and no report stored)
tag_of() { case $1 in a) echo 1 ;; *) echo 2 ;; esac; }
for n in $NAMES; do
    base=BASE_$n
    wrk -t1 -c64 -d2s "${!base}/api/v1/reports" -s "$ROOT/bench/submit.lua" \
        -- "1$$$(tag_of "$n")" >/dev/null
done
: > "$RUN/rounds.txt"
{
    echo "worker CPU per submit: $(git -C "$ROOT" rev-parse --short HEAD)," \
         "$WORKERS workers, wrk -t1 -c64, ${DUR}s x $ROUNDS;" \
         "load average (1 min) before: $LOAD_BEFORE"
    echo "a: $MODULE"
    [ -n "$MODULE_B" ] && echo "b: $MODULE_B"
    echo "  submit/s worker_us/req instr/req syscalls/req redis_us/req"
    for i in $(seq 1 "$ROUNDS" 2>/dev/null); do
        for n in $NAMES; do
            echo "$n $(round "$n" "2$$$i$(tag_of "$n")")" \
                | tee -a "$RUN/rounds.txt"
        done
    done
    [ "$ROUNDS" -gt 0 ] && for n in $NAMES; do
        echo "median $n (by worker_us/req): $(median "$n")"
    done
    echo "load average (1 min) after: $(cut -d' ' -f1 /proc/loadavg)"
} | tee "$OUT/worker-cpu.txt"

if [ "$PROFILE" = 1 ]; then
    perf record -F 1999 --call-graph dwarf,16384 -p "${PIDS_a// /,}" \
        -o "$RUN/perf.data" -- sleep $((DUR + 1)) >/dev/null 2>&1 &
    perf_pid=$!
    sleep 0.3
    wrk -t1 -c64 -d"${DUR}s" "$BASE_a/api/v1/reports" \
        -s "$ROOT/bench/submit.lua" -- "3$$" > /dev/null
    wait "$perf_pid" || true
    {
        echo "== workers, hottest symbols (self)"
        perf report -i "$RUN/perf.data" --no-children --sort dso,symbol \
            -g none --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' \
            | head -60 || true
        echo
        echo "== workers, inclusive (children, self)"
        perf report -i "$RUN/perf.data" --children --sort symbol -g none \
            --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -150 || true
    } > "$OUT/worker-perf.txt"
    [ -n "${KEEP_PERF:-}" ] && cp "$RUN/perf.data" "$KEEP_PERF"
    echo "profile: $OUT/worker-perf.txt"
fi

if [ "$STRACE" = 1 ]; then
    args=()
    for p in $PIDS_a; do args+=(-p "$p"); done
    strace -c -f -o "$OUT/worker-strace.txt" "${args[@]}" &
    st_pid=$!
    sleep 0.5
    wrk -t1 -c64 -d"${DUR}s" "$BASE_a/api/v1/reports" \
        -s "$ROOT/bench/submit.lua" -- "4$$" > "$RUN/wrk.txt"
    kill -INT "$st_pid" || true
    wait "$st_pid" || true
    echo "strace: $(awk '/requests in/ { print $1 }' "$RUN/wrk.txt")" \
         "requests; $OUT/worker-strace.txt"
fi

# callgrind NAME MODULE: the module's instructions per submit, one process
# under callgrind, counted between a warm-up and the end of a wrk -c1 run
callgrind() {
    local name=$1 prefix=$RUN/nginx-cg-$1 port base out reqs ir
    port=$(free_port "$REDIS_PORT" $PORTS) || die "no free port"
    mkdir -p "$prefix/tmp" "$prefix/media"
    cp "$2" "$prefix/ngx_http_pa_module.so"
    conf "$prefix" "$port" \
        | sed 's/^worker_processes .*/master_process off; daemon off;/' \
        > "$prefix/nginx.conf"
    out=$prefix/callgrind.out
    # an empty data set for each module: the rounds' thousands of reports
    # at one position would make each submit decode duplicate hints
    redis-cli -p "$REDIS_PORT" flushall > /dev/null
    valgrind --tool=callgrind --callgrind-out-file="$out" \
        "$NGINX" -e "$prefix/error.log" -p "$prefix/" \
        -c "$prefix/nginx.conf" 2> "$prefix/valgrind.log" &
    CG_PID=$!
    base=http://127.0.0.1:$port
    for _ in $(seq 1 300); do
        curl -fsS -o /dev/null "$base/api/v1/health" 2>/dev/null && break
        sleep 0.2
    done
    wrk -t1 -c1 -d3s "$base/api/v1/reports" -s "$ROOT/bench/submit.lua" \
        -- "5$$" > /dev/null
    callgrind_control -z "$CG_PID" > /dev/null 2>&1
    wrk -t1 -c1 -d"${CG_DUR}s" "$base/api/v1/reports" \
        -s "$ROOT/bench/submit.lua" -- "6$$" > "$prefix/wrk.txt"
    callgrind_control -d "$CG_PID" > /dev/null 2>&1
    grep -q 'Non-2xx' "$prefix/wrk.txt" \
        && die "non-2xx answers: $(cat "$prefix/wrk.txt")"
    kill -QUIT "$CG_PID"
    stopped "$CG_PID"
    CG_PID=
    reqs=$(awk '/requests in/ { print $1 }' "$prefix/wrk.txt")
    # the dump after the zero: out.1 (the final one at exit is out)
    ir=$(awk '/^summary:/ { print $2 }' "$out.1")
    callgrind_annotate --threshold=100 --auto=no "$out.1" 2>/dev/null \
        | sed 's| \[/[^]]*\]$||' > "$prefix/self.txt"
    # valgrind's CPU has no SHA extensions: libcrypto's SHA-256 blocks
    # weigh far more here than on a CPU with them (perf shows ~3%)
    crypto=$(callgrind_annotate --threshold=100 --auto=no "$out.1" \
                 2>/dev/null | awk '/libcrypto\.so/ {
                     gsub(",", "", $1); s += $1 } END { print s + 0 }')
    {
        echo "callgrind $name: $2"
        echo "submits: $reqs, instructions: $ir," \
             "instructions per submit: $((ir / reqs))," \
             "of them in libcrypto: $((crypto / reqs))"
        echo
        echo "== inclusive"
        callgrind_annotate --inclusive=yes --threshold=100 --auto=no \
            "$out.1" 2>/dev/null | sed 's| \[/[^]]*\]$||' \
            | grep -E '^ *[0-9,]+ ' | sed -n '1,120p'
        echo
        echo "== self"
        grep -E '^ *[0-9,]+ ' "$prefix/self.txt" | sed -n '1,70p'
    } > "$OUT/worker-callgrind-$name.txt"
    sed -n 2p "$OUT/worker-callgrind-$name.txt"
    [ -n "${KEEP_CALLGRIND:-}" ] && cp "$out.1" "$KEEP_CALLGRIND.$name"
    return 0
}

if [ "$CALLGRIND" = 1 ]; then
    callgrind a "$MODULE"
    [ -n "$MODULE_B" ] && callgrind b "$MODULE_B"
fi
