#!/usr/bin/env bash
# make bench: the performance targets of design.md, measured as ratios in
# one run on this machine.
#
#   bench/run.sh MODULE_SO
#
# Starts a private Redis (free port, AOF, appendfsync everysec) and three
# private nginx instances with the module (2 workers, access_log off): the
# main one (prefix build/bench/run/nginx; a proxy cache in front of a local
# origin server for the public reads), the limit one (build/bench/run/
# nginx-limit: pa_limit on, which would also limit the main one's submit
# case) and one without duplicate hints (build/bench/run/nginx-nohints,
# pa_duplicate_radius off: what the hints cost).  Makes a ~1 MB camera JPEG (ImageMagick, exiftool) for the photo
# ingestion case.  Measures with wrk and bench/replay, prints a table,
# writes it in Markdown to build/bench/results.md, and stops all four
# whatever happens.
#
# Environment (defaults in brackets):
#   BENCH_DURATION [10s]  wrk measuring time per case
#   BENCH_WARMUP   [2s]   wrk warm-up per case (not measured)
#   BENCH_CONNS    [64]   connections (wrk -c, bench/replay's)
#   BENCH_THREADS  [2]    wrk threads
#   BENCH_REQUESTS [200000] bench/replay's calls (the Redis ceiling)
#   BENCH_PROFILE  [0]    1: `perf` during the submit, status and photo
#                         cases, into build/bench/perf-{submit,status,photo}.txt
#                         (slows them)
#   NGINX          [/usr/sbin/nginx]
#   PEER_SCRIPT    [../shared/bench/run-peer-lua.sh]  the lua peer, run in
#                         the same run (ports 16380 and 18081)
#   OPENLOOP       [build/bench/openloop]  the open-loop generator
#   BENCH_README   [bench/README.md]  whose table (between the markers)
#                         the run rewrites; "" leaves it alone
#   BENCH_ROUNDS   [5]    rounds of the comparison with the peer: its
#                         run, this module's wrk -t1 case without
#                         duplicate hints, and with them, interleaved,
#                         each figure the median of its rounds (two runs
#                         of one build read 11.5 and 13.0 µs a report:
#                         a median of 3 still moves by several %)
#   BENCH_SUBMIT_BATCH [""]  "<max> [inflight=<n>]": pa_submit_batch of
#                         both nginx (group commit; "": the module's
#                         default), to compare settings

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODULE=${1:?usage: bench/run.sh MODULE_SO}
NGINX=${NGINX:-/usr/sbin/nginx}
DUR=${BENCH_DURATION:-10s}
WARM=${BENCH_WARMUP:-2s}
CONNS=${BENCH_CONNS:-64}
THREADS=${BENCH_THREADS:-2}
NREQ=${BENCH_REQUESTS:-200000}
ROUNDS=${BENCH_ROUNDS:-5}
PROFILE=${BENCH_PROFILE:-0}
PEER=${PEER_SCRIPT:-$ROOT/../shared/bench/run-peer-lua.sh}
OPENLOOP=${OPENLOOP:-$ROOT/build/bench/openloop}
REPLAY=${REPLAY:-$ROOT/build/bench/replay}
README=${BENCH_README-$ROOT/bench/README.md}

OUT=$ROOT/build/bench
RUN=$OUT/run
NGX_PREFIX=$RUN/nginx
LIM_PREFIX=$RUN/nginx-limit
NH_PREFIX=$RUN/nginx-nohints
REDIS_DIR=$RUN/redis

. "$ROOT/bench/lib.sh"     # die, free_port, redis_start, nginx_start

bench_module
[ -x "$OPENLOOP" ] || die "no $OPENLOOP (make bench builds it)"
[ -x "$REPLAY" ] || die "no $REPLAY (make bench builds it)"
[ -x "$PEER" ] || die "no peer script $PEER (PEER_SCRIPT)"
for t in wrk redis-server redis-cli curl convert exiftool \
         "$NGINX"; do
    command -v "$t" >/dev/null 2>&1 \
        || die "$t is missing (apt-get install -y wrk redis-tools" \
               "redis-server imagemagick libimage-exiftool-perl)"
done

# ------------------------------------------------------------ cleanup
BG_PIDS=()
MON_PID=                # capture_submit's MONITOR while it runs

cleanup() {
    set +e
    local pid
    for pid in "${BG_PIDS[@]}" $MON_PID; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    nginx_stop "$NGX_PREFIX"
    nginx_stop "$LIM_PREFIX"
    nginx_stop "$NH_PREFIX"
    redis_stop
    # the AOF of a run is hundreds of MB and worth nothing afterwards, the
    # photo case's copies of one picture several GB
    rm -rf "$REDIS_DIR" "$NGX_PREFIX/media"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

rm -rf "$RUN"
rm -f "$OUT"/wrk-*.txt "$OUT"/cpu-*.txt "$OUT"/origin-*.txt "$OUT"/perf-* \
      "$OUT"/stored-*.txt \
      "$OUT"/redis-benchmark.* "$OUT"/replay.* "$OUT"/results.md
mkdir -p "$OUT" "$NGX_PREFIX/html" "$NGX_PREFIX/tmp" "$NGX_PREFIX/media" \
         "$NGX_PREFIX/cache" "$LIM_PREFIX/tmp" "$LIM_PREFIX/media" \
         "$NH_PREFIX/tmp" "$NH_PREFIX/media" "$REDIS_DIR"

# ------------------------------------------------------------ Redis
redis_start "$REDIS_DIR" --appendonly yes --appendfsync everysec

# ------------------------------------------------------------ nginx
NGX_PORT=$(free_port "$REDIS_PORT") || die "no free port"
ORIGIN_PORT=$(free_port "$REDIS_PORT" "$NGX_PORT") || die "no free port"
LIM_PORT=$(free_port "$REDIS_PORT" "$NGX_PORT" "$ORIGIN_PORT") \
    || die "no free port"
NH_PORT=$(free_port "$REDIS_PORT" "$NGX_PORT" "$ORIGIN_PORT" "$LIM_PORT") \
    || die "no free port"

# ~1 KB of JSON, like a small public answer
{
    printf '{"reports":['
    for i in $(seq 1 7); do
        [ "$i" -gt 1 ] && printf ','
        printf '{"id":"260123-B%07d","status":"resolved","category":"traffic",' "$i"
        printf '"lat":22.39%d,"lng":103.45%d,"title":"Ổ gà"}' "$i" "$i"
    done
    printf '],"page":1,"per_page":20}\n'
} > "$NGX_PREFIX/html/static.json"

# The photo of the ingestion case (bench/lib.sh), before anything is
# measured
PHOTO=$RUN/photo.jpg
bench_photo "$PHOTO"
PHOTO_BYTES=$(stat -c %s "$PHOTO")
PHOTO_SHA=$(sha256sum "$PHOTO" | cut -d' ' -f1)

# a private copy: a rebuild during the run neither changes nor unmaps it
cp "$MODULE" "$RUN/ngx_http_pa_module.so"
MODULE_USED=$RUN/ngx_http_pa_module.so

# The part both bench nginx share: the module, two workers, a private
# prefix, a thread pool for the media work, and laichau-2026's rules (tenant
# "bench") on the bench's Redis.
# No sweeper: nothing falls due within a run, and Redis then hears only
# the requests, so the limited case can show that it heard nothing.
conf_head() {
    local prefix=$1 what=$2
    echo "# written by bench/run.sh: $what"
    bench_conf_head "$prefix" "$MODULE_USED" 2 4096 "$BENCH_POOL"
    cat <<EOF
    default_type application/octet-stream;

$(bench_settings "$prefix")
EOF
    if [ -n "${BENCH_SUBMIT_BATCH:-}" ]; then
        echo "    pa_submit_batch $BENCH_SUBMIT_BATCH;"
    fi
}

{
conf_head "$NGX_PREFIX" "a private nginx for the benchmark"
cat <<EOF

    # as conf-examples/dev.conf: a photo's body is over the 1m default
    client_max_body_size 120m;
    client_body_buffer_size 128k;

$(bench_steps)

    # public reads cached by nginx as in conf-examples/dev.conf: nginx
    # caches proxied answers only, so they go through a local origin
    # server that runs the module (its access log counts cache misses)
    proxy_cache_path $NGX_PREFIX/cache levels=1:2 keys_zone=pa_public:10m
                     max_size=64m inactive=10m use_temp_path=off;

    upstream pa_public_origin {
        server 127.0.0.1:$ORIGIN_PORT;
        keepalive 16;
    }

    server {
        listen 127.0.0.1:$ORIGIN_PORT;
        access_log $NGX_PREFIX/origin.log;

        location /api/v1/public/ {
            pa_api;
        }
    }

    server {
        listen 127.0.0.1:$NGX_PORT;
        server_name localhost;

        location = /204 {
            return 204;
        }

        location = /static.json {
            root $NGX_PREFIX/html;
            default_type application/json;
        }

        location /api/v1/public/ {
            proxy_pass http://pa_public_origin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Authorization "";
            proxy_cache pa_public;
            proxy_cache_lock on;
            proxy_cache_use_stale updating error timeout;
            add_header X-Cache-Status \$upstream_cache_status;
        }

        location /api/v1/ {
            pa_api;
        }
    }
}
EOF
} > "$NGX_PREFIX/nginx.conf"

# The limit instance: pa_limit applies to every pa_api location of its
# http{}, so it would limit the submit case too.  Same module, Redis and
# settings; one POST per minute per address, in shared memory only (no
# "redis" rule), and its own return 204 as the baseline of the refusals.
{
conf_head "$LIM_PREFIX" "the rate-limited nginx of the benchmark"
cat <<EOF

    pa_limit_zone 10m;
    pa_limit addr rate=1r/m;

    server {
        listen 127.0.0.1:$LIM_PORT;
        server_name localhost;

        location = /204 {
            return 204;
        }

        location /api/v1/ {
            pa_api;
        }
    }
}
EOF
} > "$LIM_PREFIX/nginx.conf"

# The same tenant without duplicate hints (pa_duplicate_radius off: an
# option of the IOC's, which neither the regulations nor the contract ask
# for, and the one index a submission writes that the peer has no
# counterpart of): its wrk -t1 rounds, interleaved with the peer's, show
# what the hints cost Redis a report (issue 12's comparison stays the
# shipped default's, hints on)
{
conf_head "$NH_PREFIX" "the benchmark's nginx without duplicate hints"
cat <<EOF

    pa_duplicate_radius off;

$(bench_steps)

    server {
        listen 127.0.0.1:$NH_PORT;
        server_name localhost;

        location /api/v1/ {
            pa_api;
        }
    }
}
EOF
} > "$NH_PREFIX/nginx.conf"

"$NGINX" -e "$NGX_PREFIX/error.log" -p "$NGX_PREFIX/" \
    -c "$NGX_PREFIX/nginx.conf" -t -q \
    || die "nginx configuration test failed ($NGX_PREFIX/nginx.conf)"
BASE=http://127.0.0.1:$NGX_PORT
nginx_start "$NGX_PREFIX" "$BASE/api/v1/health"

"$NGINX" -e "$LIM_PREFIX/error.log" -p "$LIM_PREFIX/" \
    -c "$LIM_PREFIX/nginx.conf" -t -q \
    || die "nginx configuration test failed ($LIM_PREFIX/nginx.conf)"
LIM_BASE=http://127.0.0.1:$LIM_PORT
nginx_start "$LIM_PREFIX" "$LIM_BASE/api/v1/health"

"$NGINX" -e "$NH_PREFIX/error.log" -p "$NH_PREFIX/" \
    -c "$NH_PREFIX/nginx.conf" -t -q \
    || die "nginx configuration test failed ($NH_PREFIX/nginx.conf)"
NH_BASE=http://127.0.0.1:$NH_PORT
nginx_start "$NH_PREFIX" "$NH_BASE/api/v1/health"

# ------------------------------------------------------------ measuring
CORES=$(nproc)
declare -A RPS P50 P99 ERRS CPU_NGX CPU_REDIS CPU_CLIENT REQS NON2XX ORIGIN

# "10s" / "2m" -> whole seconds
secs() { awk -v d="$1" 'BEGIN { n = d + 0; if (d ~ /m$/) n *= 60;
                                 else if (d ~ /h$/) n *= 3600; print int(n) }'; }
# the nginx whose workers' CPU is counted (the limit cases: the other one)
CPU_PREFIX=$NGX_PREFIX

# "1.23ms" / "456.00us" / "1.02s" / "2.00m" -> milliseconds
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000;
        else if (u == "m") n *= 60000; else if (u == "h") n *= 3600000;
        printf "%.2f", n }'
}

# CPU seconds used so far, to tell where the time goes (independent of what
# else runs on the machine): the nginx workers (/proc), Redis (INFO cpu, its
# threads and finished AOF-rewrite children), and this shell's finished
# children (wrk, bench/replay).  `times` must not run in a subshell.
HZ=$(getconf CLK_TCK)
# clock ticks of CPU (user + system) of the processes PIDS
pids_ticks() {
    local pid t=0 st
    for pid in "$@"; do
        read -r -a st < "/proc/$pid/stat" || continue
        t=$((t + st[13] + st[14]))
    done
    echo "$t"
}
ngx_cpu() {
    awk -v t="$(pids_ticks $(pgrep -P "$(cat "$CPU_PREFIX/nginx.pid")"))" \
        -v hz="$HZ" 'BEGIN { printf "%.3f", t / hz }'
}
redis_cpu() {
    redis-cli -p "$REDIS_PORT" info cpu | tr -d '\r' \
        | awk -F: '/^used_cpu_(sys|user)(_children)?:/ { s += $2 }
                   END { printf "%.3f", s }'
}
# appends "nginx redis client" CPU seconds to the file $1
cpu_snapshot() {
    local c
    times > "$RUN/times.txt"
    c=$(awk 'NR == 2 { s = 0
        for (i = 1; i <= 2; i++) { split($i, b, "m"); sub(/s/, "", b[2])
                                   s += b[1] * 60 + b[2] }
        printf "%.3f", s }' "$RUN/times.txt")
    echo "$(ngx_cpu) $(redis_cpu) $c" >> "$1"
}

# µs of CPU per request: cpu_per_req "BEFORE" "AFTER" REQUESTS
cpu_per_req() {
    awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN {
        split(a, x, " "); split(b, y, " ");
        for (i = 1; i <= 3; i++)
            printf "%s%.0f", (i > 1) ? " " : "", (n > 0) ? (y[i] - x[i]) * 1e6 / n : 0
        printf "\n" }'
}

# lines of the origin server's access log: the public reads that missed
# nginx's cache and reached the module
origin_lines() {
    if [ -f "$NGX_PREFIX/origin.log" ]; then
        wc -l < "$NGX_PREFIX/origin.log"
    else
        echo 0
    fi
}

# COUNT_STORED=1: bench_case also appends the number of the tenant's
# reports to stored-NAME.txt before and after the measured run (one Redis
# command each: only where Redis may hear the client, never in the
# limited case)
COUNT_STORED=
# the tenant's reports: a new one is submitted, or dispatched at once (the
# state indexes partition the reports; there is no index of them all; an
# open state's is its work list q:)
count_reports() {
    redis-cli -p "$REDIS_PORT" eval "return redis.call('ZCARD', KEYS[1])
        + redis.call('ZCARD', KEYS[2])" 2 "pa:{bench}:q:submitted" \
        "pa:{bench}:q:dispatched"
}
stored_reports() {
    [ -n "$COUNT_STORED" ] || return 0
    count_reports >> "$OUT/stored-$1.txt"
}

# REDIS_US=1: bench_case also empties Redis's command statistics after
# the warm-up and reads, after the measured run, the microseconds Redis
# spent per report stored (the issue's "Redis time per submit") into
# REDIS_USEC[NAME]: all of EVALSHA's usec (INFO commandstats) over the
# reports the measured run stored.  With group commit (pa_submit_batch)
# one EVALSHA stores N reports, so usec_per_call would be per batch; the
# mean batch (reports / calls) goes into BATCH[NAME]
REDIS_US=
declare -A REDIS_USEC AOF_RW BATCH
# the AOF rewrites Redis has made (a fork and a child writing the whole
# data set; it shows in the tail of whatever runs meanwhile), and a wait
# until none is running or scheduled
aof_rewrites() {
    redis-cli -p "$REDIS_PORT" info persistence | tr -d '\r' \
        | sed -n 's/^aof_rewrites:\([0-9]*\)$/\1/p'
}
aof_settle() {
    for _ in $(seq 1 600); do
        redis-cli -p "$REDIS_PORT" info persistence | tr -d '\r' \
            | grep -qE '^aof_rewrite_(in_progress|scheduled):1' || return 0
        sleep 0.1
    done
}
# a rewrite now, waited for (after one that was running)
aof_rewrite() {
    aof_settle
    redis-cli -p "$REDIS_PORT" bgrewriteaof >/dev/null
    sleep 0.2
    aof_settle
}
evalsha_usec() {
    redis-cli -p "$1" info commandstats | tr -d '\r' \
        | sed -n 's/^cmdstat_evalsha:.*usec_per_call=\([0-9.]*\).*/\1/p'
}
# "calls usec" of EVALSHA since the last resetstat
evalsha_total() {
    redis-cli -p "$1" info commandstats | tr -d '\r' \
        | sed -n 's/^cmdstat_evalsha:calls=\([0-9]*\),usec=\([0-9]*\),.*/\1 \2/p'
}
# per report: "usec_per_report mean_batch" from "calls usec" and the
# reports stored
per_report() {
    awk -v c="$1" -v u="$2" -v n="$3" 'BEGIN {
        if (n > 0 && c > 0) printf "%.2f %.2f\n", u / n, n / c
        else print "- -" }'
}

# bench_case NAME URL [wrk args ...]; "@TAG@" in the args becomes the run
# number (1 = warm-up, 2 = measurement) so POSTed reports never repeat.
# WRK_THREADS (default THREADS): wrk -t of the case.  EMPTY_AFTER_WARM=1:
# Redis emptied (and its AOF rewritten) between the warm-up and the
# measured run, so that the run starts from an empty Redis as the peer's
# does (its Redis is new and its warm-up, /baseline, stores nothing)
bench_case() {
    local name=$1 url=$2 a tag t=${WRK_THREADS:-$THREADS} calls usec stored
    shift 2
    local -a warm=() meas=()
    for a in "$@"; do
        warm+=("${a//@TAG@/1$$}")
        meas+=("${a//@TAG@/2$$}")
    done
    printf '  %-13s warm-up %s, measuring %s (wrk -t%s) ...\n' "$name" \
        "$WARM" "$DUR" "$t"
    wrk -t"$t" -c"$CONNS" -d"$WARM" "$url" "${warm[@]}" >/dev/null
    if [ -n "${EMPTY_AFTER_WARM:-}" ]; then
        redis-cli -p "$REDIS_PORT" flushall >/dev/null
        aof_rewrite
    fi
    if [ -n "$REDIS_US" ]; then
        redis-cli -p "$REDIS_PORT" config resetstat >/dev/null
        aof_rewrites > "$OUT/aof-$name.txt"
        count_reports > "$OUT/reports-$name.txt"
    fi
    # (may run in a subshell: the numbers go through a file)
    : > "$OUT/cpu-$name.txt"
    cpu_snapshot "$OUT/cpu-$name.txt"
    origin_lines > "$OUT/origin-$name.txt"
    stored_reports "$name"
    wrk -t"$t" -c"$CONNS" -d"$DUR" --latency "$url" "${meas[@]}" \
        > "$OUT/wrk-$name.txt"
    cpu_snapshot "$OUT/cpu-$name.txt"
    if [ -n "$REDIS_US" ]; then
        read -r calls usec < <(evalsha_total "$REDIS_PORT")
        stored=$(( $(count_reports) - $(cat "$OUT/reports-$name.txt") ))
        read -r REDIS_USEC[$name] BATCH[$name] < <(per_report \
            "${calls:-0}" "${usec:-0}" "$stored")
        echo "${REDIS_USEC[$name]}" > "$OUT/redis-usec-$name.txt"
        echo "${BATCH[$name]}" > "$OUT/batch-$name.txt"
        echo "$calls calls, $usec usec, $stored reports stored" \
            > "$OUT/evalsha-$name.txt"
        # all of Redis's CPU (INFO cpu: its threads, and the children it
        # reaped) over the same reports
        awk -v n="$stored" 'NR == 1 { a = $2 } NR == 2 && n > 0 {
            printf "%.2f\n", ($2 - a) * 1e6 / n }' "$OUT/cpu-$name.txt" \
            > "$OUT/redis-cpu-$name.txt"
        aof_rewrites >> "$OUT/aof-$name.txt"
    fi
    origin_lines >> "$OUT/origin-$name.txt"
    stored_reports "$name"
}

# parse_wrk NAME [refused]: "refused" when every answer must be non-2xx
# (the 429s): then the errors are the answers that were not
parse_wrk() {
    local f=$OUT/wrk-$1.txt non2xx sock
    RPS[$1]=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$f")
    P50[$1]=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$f")")
    P99[$1]=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$f")")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$f")
    sock=$(awk '/Socket errors:/ {
        gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$f")
    REQS[$1]=$(awk '/requests in/ { print $1 }' "$f")
    NON2XX[$1]=${non2xx:-0}
    ORIGIN[$1]=$(awk 'NR == 1 { a = $1 } NR == 2 { print $1 - a }' \
                 "$OUT/origin-$1.txt")
    if [ "${2:-}" = refused ]; then
        ERRS[$1]=$(( REQS[$1] - NON2XX[$1] + ${sock:-0} ))
    else
        ERRS[$1]=$(( NON2XX[$1] + ${sock:-0} ))
    fi
    read -r CPU_NGX[$1] CPU_REDIS[$1] CPU_CLIENT[$1] < <(cpu_per_req \
        "$(sed -n 1p "$OUT/cpu-$1.txt")" "$(sed -n 2p "$OUT/cpu-$1.txt")" \
        "${REQS[$1]}")
    if [ "${ERRS[$1]}" != 0 ]; then
        if [ "${2:-}" = refused ]; then
            echo "    !! $1: $(( REQS[$1] - NON2XX[$1] )) of ${REQS[$1]}" \
                 "answers were not refused, ${sock:-0} socket errors"
        else
            echo "    !! $1: ${NON2XX[$1]} non-2xx answers," \
                 "${sock:-0} socket errors"
        fi
    fi
}

# BENCH_PROFILE=1: perf during the measured part of a case running in the
# background: 3 s of the whole machine (who takes the CPU), then 4 s of this
# nginx's workers with DWARF call graphs (where their time goes: inclusive
# time per function, module functions first), and this Redis's hottest
# symbols.  The numbers of a profiled run are lower: perf takes CPU too.
profile() {
    local name=$1 data=$OUT/perf-$1 workers redis_pid
    [ "$PROFILE" = 1 ] || return 0
    command -v perf >/dev/null 2>&1 || { echo "    (no perf)"; return 0; }
    sleep "$(( ${WARM%s} + 1 ))"
    workers=$(pgrep -d, -P "$(cat "$NGX_PREFIX/nginx.pid")" || true)
    redis_pid=$(cat "$REDIS_DIR/redis.pid")
    perf record -a -o "$data-all.data" -- sleep 3 >/dev/null 2>&1 || true
    perf record -F 999 --call-graph dwarf,8192 -p "$workers" -o "$data-ngx.data" \
        -- sleep 4 >/dev/null 2>&1 || true
    {
        echo "== $name: CPU by process, whole machine, 3 s (bench: nginx" \
             "workers $workers, redis-server $redis_pid, wrk)"
        perf report -i "$data-all.data" --sort pid --stdio 2>/dev/null \
            | grep -E '^ +[0-9.]+%' | head -15
        echo
        echo "== $name: bench redis-server, hottest symbols (self)"
        perf report -i "$data-all.data" --pid "$redis_pid" \
            --sort dso,symbol --stdio 2>/dev/null \
            | grep -E '^ +[0-9.]+%' | head -20
        echo
        echo "== $name: bench nginx workers, hottest symbols (self)"
        perf report -i "$data-ngx.data" --no-children --sort dso,symbol \
            -g none --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -30
        echo
        echo "== $name: bench nginx workers, inclusive time (children, self)"
        perf report -i "$data-ngx.data" --children --sort symbol -g none \
            --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -70
    } > "$OUT/perf-$name.txt" 2>&1 || true
    rm -f "$data-all.data" "$data-ngx.data"
}

LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
echo "ngx_pa bench: $CORES cores (nproc), $THREADS wrk threads," \
     "$CONNS connections, nginx 2 workers (main on $NGX_PORT, limit on" \
     "$LIM_PORT, no hints on $NH_PORT), Redis AOF everysec (port $REDIS_PORT)"
echo "  nginx $("$NGINX" -v 2>&1 | sed 's/.*\///'), $(redis-server --version \
     | awk '{print $3}'), wrk and Redis share the same $CORES cores"

bench_case 204 "$BASE/204"; parse_wrk 204
bench_case static "$BASE/static.json"; parse_wrk static
REDIS_US=1
bench_case submit "$BASE/api/v1/reports" -s "$ROOT/bench/submit.lua" \
    -- @TAG@ &
WRK_PID=$!
profile submit
wait "$WRK_PID" || die "wrk (submit) failed"
parse_wrk submit
REDIS_USEC[submit]=$(cat "$OUT/redis-usec-submit.txt")
BATCH[submit]=$(cat "$OUT/batch-submit.txt")
aof_count() { awk 'NR == 1 { a = $1 } NR == 2 { print $1 - a }' "$1"; }
AOF_RW[submit]=$(aof_count "$OUT/aof-submit.txt")

# the peer's load shape (issue 12's table): one wrk thread, 64 connections,
# the measured run from an empty Redis and a fresh AOF, as the peer's own
# run starts (it was emptied before the warm-up, and the measured run
# began with the warm-up's ~66k reports: ~5 % more Redis time a report,
# 11.32 against 10.71 us in three replays of each, bench/submit-cost.md)
EMPTY_AFTER_WARM=1 WRK_THREADS=1 bench_case submit-t1 \
    "$BASE/api/v1/reports" -s "$ROOT/bench/submit.lua" -- @TAG@3
parse_wrk submit-t1
AOF_RW[submit-t1]=$(aof_count "$OUT/aof-submit-t1.txt")
REDIS_US=

# ------------------------------------------------------------ open loop
# Latency under load, not at saturation: bench/openloop sends at a fixed
# rate, 50% and 80% of the highest submit rate measured just above, and
# measures each request from the time it was due (no coordinated
# omission).  A request not answered by the end counts as infinitely slow.
# They start from a fresh AOF (rewritten now, and waited for), and Redis
# makes no automatic rewrite during them: at these rates the bench writes
# years of a province's reports in a minute, so the AOF doubles (and Redis
# forks a child that writes the whole data set on the same cores) every
# few seconds, where a province's Redis does it a few times a day.  The
# closed-loop cases keep Redis's default; the rewrites during each case
# are counted and shown.
declare -A OL
aof_rewrite
AOF_PCT=$(redis-cli -p "$REDIS_PORT" config get auto-aof-rewrite-percentage \
          | tail -1)
redis-cli -p "$REDIS_PORT" config set auto-aof-rewrite-percentage 0 \
    >/dev/null
# The rewrite's aftermath, before anything is measured: Redis's first
# write to each page its forked child shared takes a page fault, and the
# first second of writes after a rewrite stalls Redis for ~0.5 s on this
# VM (bench/openloop -s: every request due in it answered 0.3 s late,
# backlog ~4,000; none without the rewrite, the same after 5 s of waiting:
# it follows the writes, not the clock).  A province's Redis pays
# that after each of its few rewrites a day; the forced rewrite is the
# bench's own, so three seconds of full-speed submits (not measured)
# take it.
wrk -t1 -c"$CONNS" -d 3s -s "$ROOT/bench/submit.lua" "$BASE/api/v1/reports" \
    -- "5$$" > "$OUT/wrk-open-settle.txt" 2>&1 \
    || die "the settling load after the rewrite failed"
# Redis's own stalls of 5 ms or more during each case (LATENCY LATEST:
# event, when, latest ms, max ms), to tell a tail made in Redis (fsync,
# a slow command) from one made elsewhere (the workers, the CPUs)
redis-cli -p "$REDIS_PORT" config set latency-monitor-threshold 5 >/dev/null
redis_stalls() {
    redis-cli -p "$REDIS_PORT" latency latest \
        | awk '{ a[NR % 4] = $0 } NR % 4 == 0 { printf "%s%s %s ms", s, a[1], $0
                                                s = ", " }
               END { if (!s) printf "none" }'
}
# CPU ms of the machine's own kernel threads that scan memory (kdamond:
# DAMON, here sampling every 500 ms) so far: under this load they took
# 10-21 ms of one of the two cores every ~0.5 s (perf sched), the period
# of the open loop's remaining stalls; "-" where there are none
kthreads_ms() {
    local pids
    pids=$(pgrep '^kdamond' 2>/dev/null) || { echo -; return; }
    awk -v t="$(pids_ticks $pids)" -v hz="$HZ" \
        'BEGIN { printf "%.0f", t * 1000 / hz }'
}
submit_max=$(awk -v a="${RPS[submit]}" -v b="${RPS[submit-t1]}" \
              'BEGIN { print (a > b) ? a : b }')
for pct in 50 80; do
    rate=$(( submit_max * pct / 100 ))
    [ "$rate" -gt 0 ] || die "no submit rate to take $pct% of"
    printf '  %-13s %s req/s (%s%% of %s), warm-up %s, measuring %s ...\n' \
        "open-$pct" "$rate" "$pct" "$submit_max" "$WARM" "$DUR"
    : > "$OUT/cpu-open-$pct.txt"
    cpu_snapshot "$OUT/cpu-open-$pct.txt"
    aof_rewrites > "$OUT/aof-open-$pct.txt"
    redis-cli -p "$REDIS_PORT" latency reset >/dev/null
    kd0=$(kthreads_ms)
    "$OPENLOOP" -r "$rate" -w "$(secs "$WARM")" -d "$(secs "$DUR")" \
        -c "$CONNS" -t "4$pct$$" "$BASE/api/v1/reports" \
        > "$OUT/openloop-$pct.txt" || die "openloop failed (open-$pct)"
    kd1=$(kthreads_ms)
    OL[$pct,kdamond]=-
    [ "$kd0" = - ] || OL[$pct,kdamond]=$((kd1 - kd0))
    cpu_snapshot "$OUT/cpu-open-$pct.txt"
    aof_rewrites >> "$OUT/aof-open-$pct.txt"
    OL[$pct,stalls]=$(redis_stalls)
    AOF_RW[open-$pct]=$(aof_count "$OUT/aof-open-$pct.txt")
    while IFS='=' read -r k v; do
        OL[$pct,$k]=$v
    done < "$OUT/openloop-$pct.txt"
    OL[$pct,rate]=$rate
    OL[$pct,valid]=yes
    if [ "${OL[$pct,ok]}" != "${OL[$pct,measured]}" ]; then
        OL[$pct,valid]=no
        echo "    !! open-$pct: ${OL[$pct,ok]} of ${OL[$pct,measured]}" \
             "requests answered 2xx (${OL[$pct,non2xx]} non-2xx," \
             "${OL[$pct,errors]} errors, ${OL[$pct,unanswered]} unanswered)"
    fi
    read -r OL[$pct,cpu_ngx] OL[$pct,cpu_redis] OL[$pct,cpu_client] < <(
        cpu_per_req "$(sed -n 1p "$OUT/cpu-open-$pct.txt")" \
                    "$(sed -n 2p "$OUT/cpu-open-$pct.txt")" \
                    "${OL[$pct,scheduled]}")
done

redis-cli -p "$REDIS_PORT" config set latency-monitor-threshold 0 >/dev/null

# ------------------------------------------------------------ the peer
# (automatic AOF rewrites stay off until the peer is done: turned on
# here, the AOF's growth since the last rewrite set one off at once, and
# its child took ~5 s of CPU on the cores the peer was measured on)
# ../shared/bench/run-peer-lua.sh in this same run, while this nginx and
# Redis sit idle: the minimal lua-nginx-module submit that issue 12
# measures against, with its own Redis, wrk -t1 -c64 for BENCH_DURATION.
# Its ports are fixed (16380, 18081), and other programs on a shared
# machine may hold them (a dev nginx on 18081): as root it runs in a
# network namespace of its own (unshare -n, its own loopback), where the
# ports are always free and nothing of the machine's is in its way; what
# it leaves running there is stopped by its namespace.  Otherwise it runs
# here once both ports are free.
# the peer's AOF rewrites, beside this module's (the footnote): its
# Redis's children while it runs (it saves no RDB, so each is a rewrite;
# one takes well over the 0.1 s between looks).  Each rewrite's fork makes
# the writes after it pay (bench/submit-cost.md), and the two Redis write
# different AOF bytes a report
# Also its Redis's CPU so far (ticks: every thread, and the rewrites'
# children it reaped), the last look kept in peer-cpu.txt: the peer's
# script stops its Redis right after its run, and it runs where redis-cli
# cannot reach it (its own network namespace); /proc costs the peer's run
# nothing
peer_rewrites() {
    local seen=" " rp c t
    while [ ! -e "$RUN/peer.done" ]; do
        rp=$(pgrep -f 'redis-server \*:16380' | head -1) || rp=
        for c in ${rp:+$(pgrep -P "$rp" || true)}; do
            case $seen in *" $c "*) ;; *) seen="$seen$c " ;; esac
        done
        if [ -n "$rp" ] && t=$(awk '{ print $14 + $15 + $16 + $17 }' \
                                   "/proc/$rp/stat" 2>/dev/null); then
            echo "$t" > "$OUT/peer-cpu.txt"
        fi
        sleep 0.1
    done
    wc -w <<< "$seen"
}

# peer_round N: the peer's run N, into peer-N.txt, peer-cpu-N.txt (its
# Redis's CPU ticks), peer-rewrites-N.txt and cpu-peer-N.txt
peer_round() {
    local r=$1 pw ns pid own_ngx own_redis
    echo "  peer          $PEER (wrk -t1 -c64, $(secs "$DUR") s, round $r) ..."
    : > "$OUT/cpu-peer-$r.txt"
    cpu_snapshot "$OUT/cpu-peer-$r.txt"
    rm -f "$RUN/peer.netns" "$RUN/peer.done" "$OUT/peer-cpu.txt"
    peer_rewrites > "$OUT/peer-rewrites-$r.txt" &
    pw=$!
    BG_PIDS+=("$pw")
    if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
        D=$(secs "$DUR") unshare -n bash -c \
            'ip link set lo up && readlink /proc/self/ns/net > "$1" \
             && exec "$2"' peer "$RUN/peer.netns" "$PEER" \
            > "$OUT/peer-$r.txt" 2>&1 \
            || echo "    !! the peer's script failed: $OUT/peer-$r.txt"
        # whatever the script left running in its namespace (only the
        # peer's own nginx and Redis live there)
        if [ -s "$RUN/peer.netns" ]; then
            ns=$(cat "$RUN/peer.netns")
            for pid in $(ls /proc | grep -E '^[0-9]+$'); do
                [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$ns" ] \
                    && kill "$pid" 2>/dev/null
            done
        fi
    else
        for _ in $(seq 1 120); do
            if ! (exec 3<>/dev/tcp/127.0.0.1/16380) 2>/dev/null \
                && ! (exec 3<>/dev/tcp/127.0.0.1/18081) 2>/dev/null; then
                break
            fi
            sleep 1
        done
        if (exec 3<>/dev/tcp/127.0.0.1/18081) 2>/dev/null \
            || (exec 3<>/dev/tcp/127.0.0.1/16380) 2>/dev/null; then
            echo "    !! the peer's ports 16380/18081 are busy: not run"
            : > "$OUT/peer-$r.txt"
        else
            D=$(secs "$DUR") "$PEER" > "$OUT/peer-$r.txt" 2>&1 \
                || echo "    !! the peer's script failed: $OUT/peer-$r.txt"
        fi
    fi
    cpu_snapshot "$OUT/cpu-peer-$r.txt"
    touch "$RUN/peer.done"
    wait "$pw" || true
    mv -f "$OUT/peer-cpu.txt" "$OUT/peer-cpu-$r.txt" 2>/dev/null || true
    # this nginx and Redis must have been idle meanwhile
    read -r own_ngx own_redis _ < <(awk 'NR == 1 { split($0, a, " ") }
        NR == 2 { printf "%.2f %.2f x\n", $1 - a[1], $2 - a[2] }' \
        "$OUT/cpu-peer-$r.txt")
    if awk -v n="$own_ngx" -v r="$own_redis" \
           'BEGIN { exit !(n > 0.5 || r > 0.5) }'; then
        echo "    !! this nginx and Redis used $own_ngx and $own_redis" \
             "s of CPU while the peer ran (not idle)"
    fi
}

# wrk1_case NAME URL TAG: the wrk -t1 case against URL, measured from an
# empty Redis and a fresh AOF as the first, with Redis's default
# rewrites; they are off again, and none running, when the peer's next
# round starts
wrk1_case() {
    redis-cli -p "$REDIS_PORT" config set auto-aof-rewrite-percentage \
        "$AOF_PCT" >/dev/null
    REDIS_US=1
    EMPTY_AFTER_WARM=1 WRK_THREADS=1 bench_case "$1" "$2" \
        -s "$ROOT/bench/submit.lua" -- "@TAG@$3"
    REDIS_US=
    parse_wrk "$1"
    AOF_RW[$1]=$(aof_count "$OUT/aof-$1.txt")
    redis-cli -p "$REDIS_PORT" config set auto-aof-rewrite-percentage 0 \
        >/dev/null
    aof_settle
}

# t1_round N: this module's wrk -t1 case again (round 1 ran before the
# open loop)
t1_round() {
    wrk1_case "submit-t1-$1" "$BASE/api/v1/reports" "3$1"
}

# nh_round N: the same against the nginx without duplicate hints
# (NH_BASE), into submit-nh-N
nh_round() {
    local name=submit-nh-$1
    wrk1_case "$name" "$NH_BASE/api/v1/reports" "4$1"
    N_RPS+=("${RPS[$name]}"); N_US+=("${REDIS_USEC[$name]:--}")
    N_RW+=("${AOF_RW[$name]}")
    [ "${NON2XX[$name]:-0}" = 0 ] || NH_VALID=no
}

# the median of the figures given ("-" and "" left out; of two, their mean)
median() {
    printf '%s\n' "$@" | awk '$1 != "" && $1 != "-"' | sort -g \
        | awk '{ a[NR] = $1 } END {
            if (NR % 2) print a[(NR + 1) / 2]
            else if (NR) printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

peer_field() {
    awk -v w="$1" -v f="$2" '$1 == w ":" { for (i = 2; i <= NF; i++) {
        if ($i == "Requests/sec:") r = $(i + 1)
        if (index($i, f "=") == 1) r = substr($i, length(f) + 2) }
        print r }' "$3"
}

# Rounds: the peer, this module's wrk -t1 again, the peer again, ...: the
# machine's spells of load (a 10 s run reads 10-15 % apart from the next
# on this VM) fall on both alike, and each figure is the median of its
# rounds (all of them in the footnote)
declare -a P_RPS=() P_US=() P_CPU=() P_P50=() P_P99=() P_RW=() P_204=()
declare -a T_RPS=() T_US=() T_CPU=() T_BATCH=() T_P50=() T_P99=() T_RW=()
declare -a N_RPS=() N_US=() N_RW=()
NH_VALID=yes
PEER_VALID=yes
PEER_NON2XX=
t1_figures() {
    T_RPS+=("${RPS[$1]}"); T_US+=("${REDIS_USEC[$1]:--}")
    T_CPU+=("$(cat "$OUT/redis-cpu-$1.txt" 2>/dev/null || echo -)")
    T_BATCH+=("${BATCH[$1]:--}"); T_P50+=("${P50[$1]}")
    T_P99+=("${P99[$1]}"); T_RW+=("${AOF_RW[$1]}")
}
t1_figures submit-t1
for r in $(seq 1 "$ROUNDS"); do
    peer_round "$r"
    f=$OUT/peer-$r.txt
    rps=$(peer_field submit rps "$f" | awk '{ printf "%.0f", $1 }')
    us=$(sed -n 's/^redis time per submit: \([0-9.]*\) us$/\1/p' "$f")
    non2xx=$(peer_field submit non2xx "$f")
    if [ -z "$rps" ] || [ "${rps:-0}" = 0 ] || [ -z "$us" ] \
        || [ -n "$non2xx" ]; then
        PEER_VALID=no
        echo "    !! peer: no valid figure in round $r (non-2xx:" \
             "${non2xx:-0}): $f"
    fi
    [ -z "$non2xx" ] || PEER_NON2XX=$(( ${PEER_NON2XX:-0} + non2xx ))
    P_RPS+=("${rps:--}"); P_US+=("${us:--}")
    P_P50+=("$(to_ms "$(peer_field submit p50 "$f")")")
    P_P99+=("$(to_ms "$(peer_field submit p99 "$f")")")
    P_204+=("$(peer_field baseline rps "$f" | awk '{ printf "%.0f", $1 }')")
    P_RW+=("$(tr -d ' ' < "$OUT/peer-rewrites-$r.txt")")
    # the peer's Redis CPU per submit: all of it over its life (its idle
    # baseline run adds a few ms) over the reports its run stored (every
    # answer a 201, or the figure is invalid: requests/s x the run's
    # seconds)
    P_CPU+=("$(awk -v t="$(cat "$OUT/peer-cpu-$r.txt" 2>/dev/null)" \
        -v hz="$HZ" -v r="${rps:-0}" -v d="$(secs "$DUR")" 'BEGIN {
            if (t > 0 && r > 0) printf "%.2f", t / hz * 1e6 / (r * d)
            else print "-" }')")
    # which of the two follows the peer's run alternates
    [ $((r % 2)) = 0 ] || nh_round "$r"
    if [ "$r" -lt "$ROUNDS" ]; then
        t1_round "$((r + 1))"
        t1_figures "submit-t1-$((r + 1))"
    fi
    [ $((r % 2)) = 1 ] || nh_round "$r"
done
redis-cli -p "$REDIS_PORT" config set auto-aof-rewrite-percentage \
    "$AOF_PCT" >/dev/null

# each figure: the median of its rounds
PEER_RPS=$(median "${P_RPS[@]}" | awk '{ printf "%.0f", $1 }')
PEER_US=$(median "${P_US[@]}")
PEER_CPU_US=$(median "${P_CPU[@]}")
PEER_P50=$(median "${P_P50[@]}")
PEER_P99=$(median "${P_P99[@]}")
PEER_204=$(median "${P_204[@]}" | awk '{ printf "%.0f", $1 }')
PEER_RW=$(IFS=,; echo "${P_RW[*]}")
RPS[submit-t1]=$(median "${T_RPS[@]}" | awk '{ printf "%.0f", $1 }')
REDIS_USEC[submit-t1]=$(median "${T_US[@]}")
RCPU_T1=$(median "${T_CPU[@]}")
BATCH[submit-t1]=$(median "${T_BATCH[@]}")
P50[submit-t1]=$(median "${T_P50[@]}")
P99[submit-t1]=$(median "${T_P99[@]}")
AOF_RW[submit-t1]=$(IFS=,; echo "${T_RW[*]}")
NH_RPS=$(median "${N_RPS[@]}" | awk '{ printf "%.0f", $1 }')
NH_US=$(median "${N_US[@]}")
NH_FIGS=$(IFS=/; echo "${N_US[*]}")
NH_RW=$(IFS=,; echo "${N_RW[*]}")
# every round's figures (this module / the peer), for the footnote
ROUND_FIGS=$(for i in "${!P_US[@]}"; do
    printf '%s%s/%s µs, %s/%s req/s' "${i:+; }" "${T_US[$i]:--}" \
        "${P_US[$i]}" "${T_RPS[$i]:--}" "${P_RPS[$i]}"
done | sed 's/^; //')

# one report by hand: its id and token for the status read, and the exact
# EVALSHA argument list the module sends, for bench/replay
capture_submit "$BASE" "$RUN"

ID=$(printf '%s' "$ANSWER" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
TOKEN=$(printf '%s' "$ANSWER" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$ID" ] && [ -n "$TOKEN" ] || die "submit by curl failed: $ANSWER"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Report-Token: $TOKEN" \
       "$BASE/api/v1/reports/$ID")
[ "$code" = 200 ] || die "status read of $ID answered $code"

bench_case status "$BASE/api/v1/reports/$ID" -H "X-Report-Token: $TOKEN" &
WRK_PID=$!
profile status
wait "$WRK_PID" || die "wrk (status) failed"
parse_wrk status

# ------------------------------------------------------------ photo
# design.md: "A 1 MB photo is ingested (stream, SHA-256, libmagic, EXIF,
# rename) at >= 300 MB/s".  Each request is a new report with a new photo
# as "media" (bench/photo.lua: a new phone, as the duplicate prints count
# per phone, and a new ImageUniqueID, as real photos differ): it goes to
# its own file in the store, whose name is its SHA-256.  About 1 GB of
# files per second measured: check the space first.  The photo is sent by
# curl first, and the answer must show what the module read from the bytes.
NEED_MB=$(( ($(secs "$DUR") + $(secs "$WARM") + 2) * 1000 ))
FREE_MB=$(df -Pm "$NGX_PREFIX/media" | awk 'NR == 2 { print $4 }')
[ "$FREE_MB" -ge "$NEED_MB" ] \
    || die "the photo case needs about $NEED_MB MB in $NGX_PREFIX/media" \
           "(1 GB per second of BENCH_WARMUP + BENCH_DURATION), $FREE_MB free"

code=$(curl -sS -o "$RUN/answer.json" -w '%{http_code}' \
       -F 'content=Cây đổ chắn ngang đường Trần Hưng Đạo (bench photo, curl)' \
       -F 'category=traffic' -F 'lat=22.391' -F 'lng=103.451' \
       -F 'reporter_name=Nguyễn Văn A' -F 'reporter_phone=0387000002' \
       -F 'channel=app' -F "media=@$PHOTO;type=image/jpeg" \
       "$BASE/api/v1/reports") || die "POST of the photo: curl failed"
[ "$code" = 201 ] \
    || die "POST of the photo answered $code, not 201: $(cat "$RUN/answer.json")"
for want in "\"id\":\"$PHOTO_SHA\"" '"type":"image/jpeg"' \
            "\"size\":$PHOTO_BYTES" '"taken_at":"' '"gps":{' '"flags":[]'; do
    grep -qF "$want" "$RUN/answer.json" \
        || die "the answer to the photo lacks $want: $(cat "$RUN/answer.json")"
done

# media files: the store's, outside its temp dir, without the 320 px
# thumbnails made beside each photo (<sha256>.thumb.jpg, #16), which
# store_thumbs counts
store_files() {
    find "$NGX_PREFIX/media" -path "$NGX_PREFIX/media/tmp" -prune \
        -o -type f ! -name '*.thumb.jpg' -print
}
store_thumbs() {
    find "$NGX_PREFIX/media" -path "$NGX_PREFIX/media/tmp" -prune \
        -o -type f -name '*.thumb.jpg' -print
}
REPORTS_BEFORE=$(count_reports)
COUNT_STORED=1
bench_case photo "$BASE/api/v1/reports" -s "$ROOT/bench/photo.lua" \
    --timeout 10s -- @TAG@ "$PHOTO" &
WRK_PID=$!
profile photo
wait "$WRK_PID" || die "wrk (photo) failed"
COUNT_STORED=
parse_wrk photo

# the requests wrk cut off at its end: nginx finishes or cleans them up
# (a photo stays in the temp dir until Redis has stored its report)
for _ in $(seq 1 30); do
    PHOTO_TMP=$(find "$NGX_PREFIX/media/tmp" "$NGX_PREFIX/tmp/body" -type f \
                | wc -l)
    [ "$PHOTO_TMP" = 0 ] && break
    sleep 0.1
done
# ... and their reports: a photo is stored before its report, which may
# still wait for its group commit's call; count once the count holds
N_BEFORE=-1
for _ in $(seq 1 30); do
    N_NOW=$(count_reports)
    [ "$N_NOW" = "$N_BEFORE" ] && break
    N_BEFORE=$N_NOW
    sleep 0.2
done
PHOTO_THUMBS=$(store_thumbs | wc -l)
PHOTO_REPORTS=$(( $(count_reports) - REPORTS_BEFORE ))
PHOTO_STORED=$(awk 'NR == 1 { a = $1 } NR == 2 { print $1 - a }' \
               "$OUT/stored-photo.txt")
# the files are the photos: curl's is the photo itself; another one (the
# last in find's order) has its size and is named by its SHA-256
PHOTO_OK=no
SAMPLE=$(store_files | grep -v "/$PHOTO_SHA\$" | tail -1)
if cmp -s "$PHOTO" "$NGX_PREFIX/media/${PHOTO_SHA:0:2}/$PHOTO_SHA" \
    && [ -n "$SAMPLE" ] && [ "$(stat -c %s "$SAMPLE")" = "$PHOTO_BYTES" ] \
    && [ "$(sha256sum "$SAMPLE" | cut -d' ' -f1)" = "${SAMPLE##*/}" ]; then
    PHOTO_OK=yes
fi
# every photo a report names is in the store, and no two reports name one
# (each request brings a new photo); a file no report names was left by a
# request that wrk cut off at its end after the photo was stored and
# before its report was (the orphan sweep's work, at most one per
# connection).  The reports' photos in one call, the store in one
# listing, after them: a count and a listing taken apart let a late file
# be counted in one and not the other (an INVALID run of 2026-12-05 had
# one file fewer than the sum, and nothing missing)
redis-cli -p "$REDIS_PORT" eval "local out = {}
    for _, k in ipairs(redis.call('KEYS', ARGV[1])) do
        out[#out + 1] = redis.call('HGET', k, 'media') or ''
    end
    return out" 0 "pa:{bench}:r:*" | grep -oE '[0-9a-f]{64}' | sort \
    > "$RUN/photo-named.txt"
sort -u "$RUN/photo-named.txt" > "$RUN/photo-refs.txt"
PHOTO_NAMED=$(wc -l < "$RUN/photo-named.txt")
PHOTO_SHARED=$(( PHOTO_NAMED - $(wc -l < "$RUN/photo-refs.txt") ))
store_files | sed 's|.*/||' | sort -u > "$RUN/photo-files.txt"
PHOTO_FILES=$(wc -l < "$RUN/photo-files.txt")
PHOTO_MISSING=$(comm -23 "$RUN/photo-refs.txt" "$RUN/photo-files.txt" | wc -l)
PHOTO_ORPHANS=$(comm -13 "$RUN/photo-refs.txt" "$RUN/photo-files.txt" | wc -l)
# the thumbnails follow the photos (a lane of their own, made once a
# worker's uploads pause: ngx_pa_thumb_lane.c): wait for them, at most
# PHOTO_THUMB_WAIT s, so that the cases after this one are not measured
# while the workers still make them; the time they took is in the table
T0=$(date +%s)
while PHOTO_THUMBS=$(store_thumbs | wc -l) \
      && [ "$PHOTO_THUMBS" -lt $(( PHOTO_FILES - PHOTO_ORPHANS )) ] \
      && [ $(( $(date +%s) - T0 )) -lt "${PHOTO_THUMB_WAIT:-240}" ]; do
    sleep 1
done
PHOTO_CATCHUP=$(( $(date +%s) - T0 ))
# MB = 10^6 bytes, from wrk's own requests per second (not rounded)
PHOTO_MBS=$(awk -v b="$PHOTO_BYTES" '/^Requests\/sec:/ {
    printf "%.1f", $2 * b / 1e6 }' "$OUT/wrk-photo.txt")
PHOTO_VALID=yes
if [ "${ERRS[photo]}" != 0 ] || [ "$PHOTO_STORED" -lt "${REQS[photo]}" ] \
    || [ "$PHOTO_NAMED" != $(( PHOTO_REPORTS + 1 )) ] \
    || [ "$PHOTO_SHARED" != 0 ] \
    || [ "$PHOTO_MISSING" != 0 ] || [ "$PHOTO_ORPHANS" -gt "$CONNS" ] \
    || [ "$PHOTO_OK" != yes ] || [ "$PHOTO_TMP" != 0 ]; then
    PHOTO_VALID=no
    echo "    !! photo: $PHOTO_STORED reports stored for ${REQS[photo]}" \
         "answers; $PHOTO_FILES files in the store for $PHOTO_REPORTS + 1" \
         "reports, $PHOTO_NAMED photos named by reports" \
         "($PHOTO_MISSING named by a report and missing," \
         "$PHOTO_SHARED named by two, $PHOTO_ORPHANS named by none)," \
         "files are the photos: $PHOTO_OK;" \
         "$PHOTO_TMP temp files left"
fi

# ------------------------------------------------------------ public reads
# One report to read, published through the API as staff take it
# (t/050-public.t: verify, receive, dispatch to so-xd, accept, resolve,
# publish) with tokens minted by bin/pa-token.  The map list then holds it
# alone: an answer of about the static file's size.
IOC=$("$ROOT/bin/pa-token" --role ioc --secret-file "$ROOT/t/keys/auth.key")
XD=$("$ROOT/bin/pa-token" --role handler --agency so-xd \
     --secret-file "$ROOT/t/keys/auth.key")

# api METHOD URL CODE [BODY [TOKEN]]: the answer on stdout; any other code
# than CODE stops the run
api() {
    local code
    local -a opt=(-X "$1" -H 'Content-Type: application/json')
    [ -n "${4:-}" ] && opt+=(--data-binary "$4")
    [ -n "${5:-}" ] && opt+=(-H "Authorization: Bearer $5")
    code=$(curl -sS -o "$RUN/answer.json" -w '%{http_code}' "${opt[@]}" \
           "$2") || die "$1 $2: curl failed"
    [ "$code" = "$3" ] \
        || die "$1 $2 ${4:-} answered $code, not $3:" \
               "$(cat "$RUN/answer.json")"
    cat "$RUN/answer.json"
}

echo "  publishing    one report through the API (staff actions) ..."
PUB_REPORT='{"content":"Đèn đường trên đường Trần Hưng Đạo không sáng từ'
PUB_REPORT+=' tối qua (bench public)","title":"Đèn hỏng","category":"lighting",'
PUB_REPORT+='"lat":22.391,"lng":103.451,"reporter_name":"Nguyễn Văn A",'
PUB_REPORT+='"reporter_phone":"0987000001","channel":"app"}'
ANSWER=$(api POST "$BASE/api/v1/reports" 201 "$PUB_REPORT")
PUB_ID=$(printf '%s' "$ANSWER" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
[ -n "$PUB_ID" ] || die "no id in the answer to a submission: $ANSWER"
ACT=$BASE/api/v1/reports/$PUB_ID/actions
api POST "$ACT" 200 '{"action":"verify"}' "$IOC" >/dev/null
api POST "$ACT" 200 '{"action":"receive"}' "$IOC" >/dev/null
api POST "$ACT" 200 '{"action":"dispatch","agencies":["so-xd"]}' "$IOC" \
    >/dev/null
api POST "$ACT" 200 '{"action":"accept"}' "$XD" >/dev/null
api POST "$ACT" 200 \
    '{"action":"resolve","summary":"Đã thay bóng đèn.","salutation":"Ông"}' \
    "$XD" >/dev/null
api POST "$ACT" 200 '{"action":"publish"}' "$IOC" >/dev/null

# cache_check URL: the first GET fills nginx's cache, the second must be a
# HIT; prints the answer's size in bytes
cache_check() {
    local st
    api GET "$1" 200 >/dev/null
    st=$(curl -sS -o "$RUN/answer.json" -D - "$1" | tr -d '\r' \
         | awk -F': ' 'tolower($1) == "x-cache-status" { print $2 }')
    [ "$st" = HIT ] || die "GET $1 twice: X-Cache-Status '$st', not HIT"
    wc -c < "$RUN/answer.json"
}
SIZE_LIST=$(cache_check "$BASE/api/v1/public/reports")
grep -qF "\"id\":\"$PUB_ID\"" "$RUN/answer.json" \
    || die "the public list lacks the published $PUB_ID"
SIZE_REPORT=$(cache_check "$BASE/api/v1/public/reports/$PUB_ID")
SIZE_STATIC=$(wc -c < "$NGX_PREFIX/html/static.json")

bench_case public-list "$BASE/api/v1/public/reports"
parse_wrk public-list
bench_case public-report "$BASE/api/v1/public/reports/$PUB_ID"
parse_wrk public-report

# ------------------------------------------------------------ rate limit
# On the limit instance: its return 204, then a flood of POSTs by one
# address that the rule (1r/m, burst 0) refuses from shared memory.
# Redis must hear nothing of the flood: its command counts (INFO
# commandstats, less INFO itself, which the CPU snapshots send) before and
# after.
CPU_PREFIX=$LIM_PREFIX
bench_case limit-204 "$LIM_BASE/204"; parse_wrk limit-204

# redis_calls: commands Redis has run, INFO aside, and the reads every
# worker of both nginx makes once a second whatever the requests: the
# token revocations (ZRANGE pa:{t}:revoked, ngx_pa_revoke.c) and the
# public version (GET pa:{t}:pubver, ngx_pa_pubver.c), and Redis's clock
# each 10 s (TIME, ngx_pa_redis.c: the writes' deadlines).  A request
# that reaches Redis runs an EVALSHA (limit.lua, submit.lua), which
# counts.
# (INFO commandstats also goes to $OUT/commandstats-limited-N.txt, to
# name the commands when there are any)
NOT_REQUESTS='^cmdstat_(info|zrange|get|time)$'
redis_calls() {
    redis-cli -p "$REDIS_PORT" info commandstats | tr -d '\r' \
        | tee "$OUT/commandstats-limited-$1.txt" \
        | awk -F'[:=,]' -v skip="$NOT_REQUESTS" '
            /^cmdstat_/ && $1 !~ skip { s += $3 } END { print s + 0 }'
}

# the one POST a minute the rule allows is a real submission; the next
# is refused
LIM_REPORT='{"content":"Rác thải đổ trộm bên bờ suối, bốc mùi (bench limit)",'
LIM_REPORT+='"title":"Rác thải","category":"environment","lat":22.396,'
LIM_REPORT+='"lng":103.458,"reporter_name":"Lò Văn Bình",'
LIM_REPORT+='"reporter_phone":"0987654321","channel":"app"}'
api POST "$LIM_BASE/api/v1/reports" 201 "$LIM_REPORT" >/dev/null
api POST "$LIM_BASE/api/v1/reports" 429 "$LIM_REPORT" \
    | grep -q '"code":"rate_limited"' || die "the 429 is not rate_limited"
sleep 0.2
CALLS_BEFORE=$(redis_calls 1)
bench_case limited "$LIM_BASE/api/v1/reports" -s "$ROOT/bench/limited.lua"
CALLS_AFTER=$(redis_calls 2)
parse_wrk limited refused
REDIS_CALLS_LIMITED=$(( CALLS_AFTER - CALLS_BEFORE ))
if [ "$REDIS_CALLS_LIMITED" != 0 ]; then
    echo "    !! limited: Redis ran $REDIS_CALLS_LIMITED commands during the" \
         "flood: $(awk -F'[:=,]' -v skip="$NOT_REQUESTS" '
            FNR == NR { n[$1] = $3; next }
            /^cmdstat_/ && $1 !~ skip && $3 != n[$1] {
                d = $3 - n[$1]; sub(/^cmdstat_/, "", $1)
                printf "%s%s %d", s, $1, d
                s = ", " }' "$OUT/commandstats-limited-1.txt" \
            "$OUT/commandstats-limited-2.txt")"
fi
CPU_PREFIX=$NGX_PREFIX

# the module's own EVALSHA as bench/batch-cost.py and bench/replay.c take
# it (bench/lib.sh)
evalsha_args "$SHA" "$ID" "$RUN/monitor.txt" > "$RUN/evalsha.args" \
    || die "no EVALSHA of submit.lua ($SHA) seen by MONITOR: the module" \
           "and redis-scripts/submit.lua disagree?"
# kept for bench/batch-cost.sh (make bench-batch, bench-cost)
cp "$RUN/evalsha.args" "$OUT/evalsha-submit.args"
echo "  ceiling       bench/replay EVALSHA submit.lua" \
     "($(evalsha_shape "$RUN/evalsha.args")), $CONNS connections," \
     "$NREQ calls, one in flight each ..."

# same starting point as the submit run: an empty data set
redis-cli -p "$REDIS_PORT" flushall >/dev/null
redis-cli -p "$REDIS_PORT" config resetstat >/dev/null
: > "$OUT/cpu-ceiling.txt"
cpu_snapshot "$OUT/cpu-ceiling.txt"
"$REPLAY" "$REDIS_PORT" "$RUN/evalsha.args" "$CONNS" "$NREQ" \
    > "$OUT/replay.txt" 2> "$OUT/replay.err" || die "bench/replay failed"
cpu_snapshot "$OUT/cpu-ceiling.txt"
REDIS_USEC[ceiling]=$(evalsha_usec "$REDIS_PORT")
read -r CPU_NGX[ceiling] CPU_REDIS[ceiling] CPU_CLIENT[ceiling] < <(
    cpu_per_req "$(sed -n 1p "$OUT/cpu-ceiling.txt")" \
                "$(sed -n 2p "$OUT/cpu-ceiling.txt")" "$NREQ")
CPU_NGX[ceiling]=-
read -r RPS[ceiling] P50[ceiling] P99[ceiling] ERRS[ceiling] < <(
    sed -n 's/^rps=\([0-9]*\) p50=\([0-9.]*\) p99=\([0-9.]*\) errors=\([0-9]*\)$/\1 \2 \3 \4/p' \
        "$OUT/replay.txt")
[ -n "${RPS[ceiling]:-}" ] || die "no result from bench/replay"
STORED=$(count_reports)
[ "${STORED:-0}" -gt 0 ] \
    || die "the ceiling run stored no report: check $RUN/evalsha.args"

for prefix in "$NGX_PREFIX" "$LIM_PREFIX"; do
    grep -E '\[(emerg|alert|crit|error)\]' "$prefix/error.log" \
        | tail -3 | sed "s|^|  ${prefix#"$ROOT"/}/error.log: |" || true
done

LOAD_AFTER=$(cut -d' ' -f1 /proc/loadavg)
# what else ran: the bench itself keeps ~2-3 runnable; more means others
NOISE=
if awk -v a="$LOAD_BEFORE" -v c="$CORES" 'BEGIN { exit !(a > c / 2) }'; then
    NOISE="other work was running (load $LOAD_BEFORE before the run):"
    NOISE="$NOISE expect noisy numbers, rerun on a quiet machine"
fi

# ------------------------------------------------------------ the table
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
# the same unrounded, for the verdicts: 1.1976 shows as 1.20 but misses
# 1.20
rawratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", (b > 0) ? a / b : 0 }'; }
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN {
    ok = (op == ">=") ? v >= t : v <= t; print ok ? "met" : "MISSED" }'; }

R_SUBMIT=$(ratio "${RPS[submit]}" "${RPS[ceiling]}")
R_STATUS=$(ratio "${RPS[status]}" "${RPS[204]}")
R_STATIC=$(ratio "${RPS[static]}" "${RPS[204]}")
V_SUBMIT=$(verdict "$(rawratio "${RPS[submit]}" "${RPS[ceiling]}")" 0.80 '>=')
R_LIST=$(ratio "${RPS[public-list]}" "${RPS[static]}")
R_REPORT=$(ratio "${RPS[public-report]}" "${RPS[static]}")
R_LIMIT=$(ratio "${RPS[limited]}" "${RPS[limit-204]}")
V_LIST=$(verdict "$(rawratio "${RPS[public-list]}" "${RPS[static]}")" 0.50 '>=')
V_REPORT=$(verdict "$(rawratio "${RPS[public-report]}" "${RPS[static]}")" 0.50 '>=')
V_LIMIT=$(verdict "$(rawratio "${RPS[limited]}" "${RPS[limit-204]}")" 0.80 '>=')
R_PHOTO=$(ratio "$PHOTO_MBS" 300)
V_PHOTO=$(verdict "$PHOTO_MBS" 300 '>=')
# a fast wrong answer is no measurement: errors void the verdict, and a
# refusal counts only if the flood reached neither the body nor Redis
[ "${ERRS[public-list]}" = 0 ] || V_LIST="INVALID (errors)"
[ "${ERRS[public-report]}" = 0 ] || V_REPORT="INVALID (errors)"
if [ "${ERRS[limited]}" != 0 ] || [ "$REDIS_CALLS_LIMITED" != 0 ]; then
    V_LIMIT="INVALID (not all refused, or Redis heard the flood)"
fi
[ "$PHOTO_VALID" = yes ] \
    || V_PHOTO="INVALID (errors, reports or files missing, or temp files left)"
CHECK_PUBLIC="X-Cache-Status HIT before each; the origin (the module)"
CHECK_PUBLIC="$CHECK_PUBLIC served ${ORIGIN[public-list]} + ${ORIGIN[public-report]}"
CHECK_PUBLIC="$CHECK_PUBLIC of ${REQS[public-list]} + ${REQS[public-report]}"
CHECK_PUBLIC="$CHECK_PUBLIC measured requests (cache misses, max-age=30);"
CHECK_PUBLIC="$CHECK_PUBLIC answers $SIZE_LIST B (list of one report)"
CHECK_PUBLIC="$CHECK_PUBLIC and $SIZE_REPORT B (report), static $SIZE_STATIC B"
CHECK_PHOTO="$PHOTO_BYTES-byte JPEG (2048x1536, EXIF time, GPS, thumbnail),"
CHECK_PHOTO="$CHECK_PHOTO ${REQS[photo]} measured answers,"
CHECK_PHOTO="$CHECK_PHOTO ${NON2XX[photo]} non-2xx (201 expected); Redis"
CHECK_PHOTO="$CHECK_PHOTO stored $PHOTO_STORED reports meanwhile,"
CHECK_PHOTO="$CHECK_PHOTO $PHOTO_REPORTS with the warm-up; the store holds"
CHECK_PHOTO="$CHECK_PHOTO $PHOTO_FILES files (those + curl's + $PHOTO_ORPHANS"
CHECK_PHOTO="$CHECK_PHOTO no report names, left by requests wrk cut off;"
CHECK_PHOTO="$CHECK_PHOTO $PHOTO_MISSING named and missing; size and name"
CHECK_PHOTO="$CHECK_PHOTO = SHA-256 checked: $PHOTO_OK) and $PHOTO_THUMBS"
CHECK_PHOTO="$CHECK_PHOTO thumbnails, $PHOTO_TMP temp"
CHECK_PHOTO="$CHECK_PHOTO files left (media/tmp, client body)"
CHECK_LIMIT="${NON2XX[limited]} of ${REQS[limited]} measured answers non-2xx"
CHECK_LIMIT="$CHECK_LIMIT (429 expected: the first POST got 201, the next"
CHECK_LIMIT="$CHECK_LIMIT 429 rate_limited); Redis ran $REDIS_CALLS_LIMITED"
CHECK_LIMIT="$CHECK_LIMIT commands during the flood (INFO commandstats,"
CHECK_LIMIT="$CHECK_LIMIT warm-up included)"

# CPU bounds: what these per-request CPU costs allow on $CORES cores, and
# Redis's one thread alone
bound() { awk -v c="$CORES" -v n="$1" -v r="$2" -v w="$3" 'BEGIN {
    t = (n == "-" ? 0 : n) + r + w
    printf "%.0f %.0f\n", (t > 0) ? c * 1e6 / t : 0, (r > 0) ? 1e6 / r : 0 }'; }
read -r B_SUB_ALL B_SUB_REDIS < <(bound "${CPU_NGX[submit]}" \
    "${CPU_REDIS[submit]}" "${CPU_CLIENT[submit]}")
read -r B_CEIL_ALL B_CEIL_REDIS < <(bound - "${CPU_REDIS[ceiling]}" \
    "${CPU_CLIENT[ceiling]}")
# the photo in MB/s: all three programs together, and the nginx workers
# alone on every core (the part that scales with cores)
read -r B_PHOTO_ALL B_PHOTO_NGX < <(awk -v c="$CORES" -v b="$PHOTO_BYTES" \
    -v n="${CPU_NGX[photo]}" -v r="${CPU_REDIS[photo]}" \
    -v w="${CPU_CLIENT[photo]}" 'BEGIN {
    printf "%.0f %.0f\n", (n + r + w > 0) ? c * b / (n + r + w) : 0,
                          (n > 0) ? c * b / n : 0 }')

declare -A LABEL=(
    [204]="return 204 (baseline)"
    [static]="static 1 KB file"
    [submit]="POST /api/v1/reports (JSON)"
    [submit-t1]="POST /api/v1/reports (JSON), wrk -t1"
    [peer]="lua peer: POST (JSON), wrk -t1"
    [open-50]="open loop, 50% of max: POST (JSON)"
    [open-80]="open loop, 80% of max: POST (JSON)"
    [status]="GET /api/v1/reports/{id} (reporter)"
    [photo]="POST /api/v1/reports (1 MB photo)"
    [ceiling]="bench/replay EVALSHA submit.lua"
    [public-list]="GET /api/v1/public/reports (cache)"
    [public-report]="GET /api/v1/public/reports/{id} (cache)"
    [limit-204]="return 204 (limit nginx)"
    [limited]="POST refused 429 (limit nginx)"
)
CASES=(204 static submit submit-t1 peer open-50 open-80 status photo
       public-list public-report ceiling limit-204 limited)
# the rows of the peer and the open loop in the cases' table
RPS[peer]=${PEER_RPS:--}; P50[peer]=${PEER_P50:--}; P99[peer]=${PEER_P99:--}
ERRS[peer]=${PEER_NON2XX:-0}; [ "$PEER_VALID" = yes ] || ERRS[peer]="?"
CPU_NGX[peer]=-; CPU_REDIS[peer]=-; CPU_CLIENT[peer]=-
for pct in 50 80; do
    RPS[open-$pct]=$(printf '%.0f' "${OL[$pct,achieved]}")
    P50[open-$pct]=${OL[$pct,p50_ms]}
    P99[open-$pct]=${OL[$pct,p99_ms]}
    ERRS[open-$pct]=$(( OL[$pct,measured] - OL[$pct,ok] ))
    CPU_NGX[open-$pct]=${OL[$pct,cpu_ngx]}
    CPU_REDIS[open-$pct]=${OL[$pct,cpu_redis]}
    CPU_CLIENT[open-$pct]=${OL[$pct,cpu_client]}
done

# issue 12's figures: the same load shape as the peer (wrk -t1 -c64),
# Redis's time per EVALSHA in that case and in the peer's, the open loop
R_PEER=$(ratio "${RPS[submit-t1]}" "${PEER_RPS:-0}")
PEER_GOAL=$(awk -v p="${PEER_RPS:-0}" 'BEGIN { printf "%.0f", p * 1.2 }')
V_PEER=$(verdict "$(rawratio "${RPS[submit-t1]}" "${PEER_RPS:-0}")" 1.20 '>=')
V_US=$(verdict "${REDIS_USEC[submit-t1]:-0}" "${PEER_US:-0}" '<=')
# (not a goal: the shipped default has hints on)
NH_NOTE=$(awk -v a="${NH_US:-0}" -v b="${PEER_US:-0}" 'BEGIN {
    if (a <= 0 || b <= 0) print ""
    else if (a < 0.97 * b) print "under the peer"
    else if (a > 1.03 * b) print "over the peer"
    else print "at the peer'"'"'s (within 3 %)" }')
[ "$NH_VALID" = yes ] || NH_NOTE="INVALID (not all answered 2xx)"
if [ "$PEER_VALID" != yes ]; then
    V_PEER="INVALID (no peer figure)"
    V_US="INVALID (no peer figure)"
fi
[ -n "${REDIS_USEC[submit-t1]:-}" ] || V_US="INVALID (no commandstats)"
V_OL50=$(verdict "${OL[50,p99_ms]}" 5 '<=')
[ "${OL[50,p99_ms]}" = inf ] && V_OL50=MISSED
[ "${OL[50,valid]}" = yes ] || V_OL50="INVALID (not all answered 2xx)"
[ "${OL[80,valid]}" = yes ] && V_OL80= || V_OL80="INVALID (not all answered 2xx)"
ol_fig() { echo "${OL[$1,p50_ms]} / ${OL[$1,p99_ms]} / ${OL[$1,p999_ms]} ms"; }

# issue 12.4's figures come from the last `make bench-scale` (a 1M load
# takes minutes and GBs: not part of this run), with its date and commit;
# "stale" when the module or its scripts changed since
SCALE_SUM=$OUT/scale-summary.txt
sc() { sed -n "s/^$1=//p" "$SCALE_SUM" 2>/dev/null | head -1; }
if [ -s "$SCALE_SUM" ]; then
    SC_FROM="\`make bench-scale\` of $(sc date), commit $(sc commit)"
    [ "$(sc dirty)" = 0 ] || SC_FROM="$SC_FROM (+ $(sc dirty) uncommitted files)"
    SC_FROM="$SC_FROM, load $(sc load | sed 's/ / to /')"
    git -C "$ROOT" diff --quiet "$(sc commit)" HEAD -- ngx_pa_module \
        redis-scripts 2>/dev/null \
        || SC_FROM="$SC_FROM; **stale**: the module changed since"
    SC_SLOW="$(sc ratio) ($(sc slowest))"
    V_SCALE=$(verdict "$(sc ratio)" 1.20 '<=')
    SC_MEM="$(sc mem_nohist) B"
    V_MEM=$(verdict "$(sc mem_nohist)" 1536 '<=')
    SC_ROWS="$(sc large) reports: slowest case, $(sc large) / $(sc small)"
    [ -z "$(sc runs)" ] \
        || SC_ROWS="$SC_ROWS, the median of $(sc runs) pairs of runs"
else
    SC_FROM="no \`make bench-scale\` results in build/bench/"
    SC_SLOW=–; SC_MEM=–; SC_ROWS="1M reports: slowest case, 1M / 10k"
    V_SCALE="INVALID (run make bench-scale)"; V_MEM=$V_SCALE
fi

# the one table of bench/README.md (and of results.md)
{
    echo "| figure | this module | goal | lua peer, same run | |"
    echo "|---|---:|---|---:|---|"
    echo "| submit/s, wrk -t1 -c$CONNS (the peer's load shape) |" \
         "${RPS[submit-t1]} | >= 1.2 x peer = $PEER_GOAL |" \
         "${PEER_RPS:--} | $V_PEER |"
    echo "| Redis time per submit, same case (EVALSHA usec / reports" \
         "stored; mean batch ${BATCH[submit-t1]:--}) |" \
         "${REDIS_USEC[submit-t1]:--} µs | <= peer | ${PEER_US:--} µs |" \
         "$V_US |"
    echo "| the same two without duplicate hints (pa_duplicate_radius" \
         "off, the IOC's option; every regulation's and contract's" \
         "feature on): submit/s; Redis time per submit |" \
         "$NH_RPS; ${NH_US:--} µs | (reported: what the hints cost) |" \
         "${PEER_RPS:--}; ${PEER_US:--} µs | $NH_NOTE |"
    echo "| Redis CPU per submit, same case (all of Redis's CPU: its" \
         "threads, and its rewrites' children; over the reports stored) |" \
         "${RCPU_T1:--} µs |" \
         "(reported) | ${PEER_CPU_US:--} µs | |"
    echo "| submit p50 / p99, wrk -t1 -c$CONNS (closed loop) |" \
         "${P50[submit-t1]} / ${P99[submit-t1]} ms | (as the peer) |" \
         "${PEER_P50:--} / ${PEER_P99:--} ms | |"
    echo "| open loop at 50% of max (${OL[50,rate]} req/s):" \
         "p50 / p99 / p99.9 | $(ol_fig 50) | p99 <= 5 ms | – | $V_OL50 |"
    echo "| open loop at 80% of max (${OL[80,rate]} req/s):" \
         "p50 / p99 / p99.9 | $(ol_fig 80) | (reported) | – | $V_OL80 |"
    echo "| submit/s, wrk -t$THREADS -c$CONNS / Redis ceiling" \
         "(${RPS[submit]} / ${RPS[ceiling]}) | $R_SUBMIT | >= 0.80 | – |" \
         "$V_SUBMIT |"
    echo "| submit p99, wrk -t$THREADS -c$CONNS (closed loop, at the" \
         "maximum) | ${P99[submit]} ms | (reported: the latency goal is" \
         "the open loop's at 50%) | – | |"
    echo "| Redis time per submit: wrk -t$THREADS (mean batch" \
         "${BATCH[submit]:--}); bench/replay (one report a call) |" \
         "${REDIS_USEC[submit]:--}; ${REDIS_USEC[ceiling]:--} µs |" \
         "(reference) | – | |"
    echo "| status read / return 204 | $R_STATUS | one small Redis call |" \
         "– | |"
    echo "| public map list / static | $R_LIST | >= 0.50 | – | $V_LIST |"
    echo "| public report / static | $R_REPORT | >= 0.50 | – | $V_REPORT |"
    echo "| refused 429 / return 204 (limit nginx) | $R_LIMIT | >= 0.80 |" \
         "– | $V_LIMIT |"
    echo "| photo ingestion (1 MB JPEG; the thumbnails after it:" \
         "$PHOTO_THUMBS of $PHOTO_FILES made $PHOTO_CATCHUP s after the" \
         "burst) | $PHOTO_MBS MB/s | >= 300 MB/s | – | $V_PHOTO |"
    echo "| $SC_ROWS (Redis µs and CPU µs per call; $SC_FROM) |" \
         "$SC_SLOW | <= 1.20 | – | $V_SCALE |"
    echo "| Redis memory per report (text, no history; same run) |" \
         "$SC_MEM | <= 1536 B | – | $V_MEM |"
} > "$OUT/table.md"
GIT_REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')
GIT_DIRTY=$({ git -C "$ROOT" status --porcelain -- ngx_pa_module \
               redis-scripts 2>/dev/null || true; } | wc -l)

SETUP="$CORES cores (nproc); wrk -t$THREADS -c$CONNS -d$DUR --latency after a
$WARM warm-up; bench/replay of $CONNS connections and $NREQ calls; three nginx of 2
workers each (the main one; the limit one for its return 204 and the
refusals; one without duplicate hints), Redis AOF everysec; wrk, nginx and Redis share the same $CORES cores. Load
average (1 min): $LOAD_BEFORE before, $LOAD_AFTER after."

{
    echo "# ngx_pa bench results"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $GIT_REV" \
         "(+ $GIT_DIRTY uncommitted files in ngx_pa_module/, redis-scripts/)."
    echo
    echo "$SETUP"
    if [ -n "$NOISE" ]; then echo; echo "**Warning:** $NOISE."; fi
    echo
    echo "| case | req/s | p50 ms | p99 ms | errors | CPU µs/req: nginx | Redis | client |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    for c in "${CASES[@]}"; do
        echo "| ${LABEL[$c]} | ${RPS[$c]} | ${P50[$c]} | ${P99[$c]} |" \
             "${ERRS[$c]} | ${CPU_NGX[$c]} | ${CPU_REDIS[$c]} | ${CPU_CLIENT[$c]} |"
    done
    echo
    cat "$OUT/table.md"
    echo
    echo "Public reads: $CHECK_PUBLIC."
    echo
    echo "Photo: $CHECK_PHOTO."
    echo
    echo "Rate limit: $CHECK_LIMIT."
    echo
    echo "CPU bounds on $CORES cores (from the CPU columns): submit" \
         "$B_SUB_ALL req/s for nginx + Redis + wrk together, $B_SUB_REDIS" \
         "for Redis's thread alone; ceiling $B_CEIL_ALL req/s for Redis +" \
         "bench/replay, $B_CEIL_REDIS for Redis alone; photo" \
         "$B_PHOTO_ALL MB/s for nginx + Redis + wrk together," \
         "$B_PHOTO_NGX MB/s for the nginx workers alone."
} > "$OUT/results.md"

# bench/README.md keeps one table, this run's: between its markers
BEGIN_MARK='<!-- bench-table: begin (written by bench/run.sh) -->'
END_MARK='<!-- bench-table: end -->'
{
    echo "$BEGIN_MARK"
    echo
    echo "Last \`make bench\`: $(date -u '+%Y-%m-%d %H:%M UTC'), commit" \
         "$GIT_REV (+ $GIT_DIRTY uncommitted files in ngx_pa_module/," \
         "redis-scripts/); $CORES cores, load average (1 min)" \
         "$LOAD_BEFORE before, $LOAD_AFTER after the run."
    if [ -n "$NOISE" ]; then
        echo "**The machine was busy** (other work ran during the run):" \
             "the absolute figures are low and noisy; what holds is the" \
             "comparison with the peer, measured in the same run."
    fi
    echo
    cat "$OUT/table.md"
    echo
    echo "The peer (\`../shared/bench/run-peer-lua.sh\`, its own nginx and" \
         "Redis with its script's settings, wrk -t1 -c64 for" \
         "$(secs "$DUR") s, no warm-up) ran $ROUNDS times, between" \
         "this module's submit cases, which had a $WARM warm-up and" \
         "$DUR measured each: the wrk -t1 case ran $ROUNDS times too," \
         "interleaved with the peer's (each measured from an empty Redis," \
         "emptied after its warm-up, as the peer's run begins), and each" \
         "of the figures of that comparison is the median of its rounds" \
         "(EVALSHA µs and submit/s, this module / the peer, by round:" \
         "${ROUND_FIGS:--}); without duplicate hints (a third nginx of" \
         "the same settings and \`pa_duplicate_radius off\`, its" \
         "wrk -t1 case in each round, before or after this module's" \
         "other one by turns, the same Redis): EVALSHA µs by round" \
         "${NH_FIGS:--}, AOF rewrites ${NH_RW:--}; the peer's return" \
         "204: ${PEER_204:--} req/s" \
         "(this nginx's, wrk -t$THREADS: ${RPS[204]}). Open loop:" \
         "\`bench/openloop\`, $CONNS connections, latency from each" \
         "request's intended send time (from the actual send, the p99" \
         "would read ${OL[50,svc_p99_ms]} ms at 50% and" \
         "${OL[80,svc_p99_ms]} ms at 80%), from a freshly rewritten AOF" \
         "and 3 s of unmeasured submits after the rewrite (its aftermath," \
         "~0.5 s of Redis stalled, is left out: bench/submit-cost.md)," \
         "automatic rewrites off; Redis's own stalls of 5 ms or more" \
         "(LATENCY LATEST: event, max ms) at 50%: ${OL[50,stalls]};" \
         "at 80%: ${OL[80,stalls]}; the machine's memory scanner" \
         "(kdamond, DAMON) took ${OL[50,kdamond]} and ${OL[80,kdamond]}" \
         "ms of CPU during them (warm-up included), in bursts of 10-21 ms" \
         "every ~0.5 s on one of the two cores (perf sched, 00:39 UTC)." \
         "AOF rewrites during the measured runs (a fork, and a child" \
         "writing the data set on the same cores): submit" \
         "${AOF_RW[submit]}, wrk -t1 ${AOF_RW[submit-t1]} (by round)," \
         "open loop ${AOF_RW[open-50]} and ${AOF_RW[open-80]}; the" \
         "peer's Redis ${PEER_RW:-?} in its runs (its children while it" \
         "ran; this module's Redis writes ~1.1 kB of AOF a report, the" \
         "peer's ~0.7 kB, so it reaches the rewrite's threshold sooner)." \
         "Redis time per submit is per report stored: all of EVALSHA's" \
         "usec in the measured run (INFO commandstats) over the reports it" \
         "stored, since group commit (\`pa_submit_batch\`) stores N" \
         "reports a call (mean batch: reports / calls); the peer's is its" \
         "usec_per_call (one report a call). EVALSHA's usec leaves out" \
         "what Redis does around each call (reading and parsing it," \
         "answering, the event loop, writing the AOF), which the peer" \
         "pays once a report and group commit once a batch; Redis CPU per" \
         "submit counts it all, the AOF's fsync and the rewrites' children" \
         "too (INFO cpu; the peer's from /proc, read every 0.1 s while it" \
         "runs). The Redis ceiling replays" \
         "one report a call. This module's Redis: AOF everysec and" \
         "\`$PA_REDIS_SETTINGS\` (production.conf's, as \`make run\`" \
         "runs it). All figures: \`build/bench/results.md\`."
    echo
    echo "$END_MARK"
} > "$OUT/readme-block.md"
if [ -n "$README" ]; then
    if grep -qF "$BEGIN_MARK" "$README" && grep -qF "$END_MARK" "$README"
    then
        BLOCK=$OUT/readme-block.md BEGIN_MARK=$BEGIN_MARK END_MARK=$END_MARK \
        perl -0pi -e '
            my $b = do { local $/; open my $f, "<", $ENV{BLOCK} or die; <$f> };
            $b =~ s/\n\z//;       # (chomp: -0 makes $/ a NUL)
            s/\Q$ENV{BEGIN_MARK}\E.*?\Q$ENV{END_MARK}\E/$b/s' "$README" \
            || echo "bench: could not update $README" >&2
    else
        echo "bench: no table markers in $README: not updated" >&2
    fi
fi

echo
printf '%-40s %7s %7s %7s %6s | %-17s\n' "" "" "" "" "" "CPU µs per req"
printf '%-40s %7s %7s %7s %6s | %5s %5s %5s\n' case req/s "p50 ms" "p99 ms" \
    errors nginx Redis client
for c in "${CASES[@]}"; do
    printf '%-40s %7s %7s %7s %6s | %5s %5s %5s\n' "${LABEL[$c]}" \
        "${RPS[$c]}" "${P50[$c]}" "${P99[$c]}" "${ERRS[$c]}" \
        "${CPU_NGX[$c]}" "${CPU_REDIS[$c]}" "${CPU_CLIENT[$c]}"
done
echo
printf '%-40s %10s   %s\n' "submit / Redis ceiling" "$R_SUBMIT" \
    ">= 0.80: $V_SUBMIT"
printf '%-40s %10s   %s\n' "submit p99 ($CONNS connections)" \
    "${P99[submit]} ms" "(closed loop at the maximum: reported)"
printf '%-40s %10s   %s\n' "submit -t1 / lua peer (same run)" "$R_PEER" \
    ">= 1.20: $V_PEER (${RPS[submit-t1]} / ${PEER_RPS:--} req/s)"
printf '%-40s %10s   %s\n' "Redis µs per submit (-t1; peer)" \
    "${REDIS_USEC[submit-t1]:--}" "<= ${PEER_US:--}: $V_US"
printf '%-40s %10s   %s\n' "Redis µs per submit, no hints (-t1)" \
    "${NH_US:--}" "(reported; by round $NH_FIGS) $NH_NOTE"
printf '%-40s %10s   %s\n' "open loop 50% (${OL[50,rate]}/s) p99" \
    "${OL[50,p99_ms]} ms" "<= 5 ms: $V_OL50 (p50 ${OL[50,p50_ms]}, p99.9 ${OL[50,p999_ms]})"
printf '%-40s %10s   %s\n' "open loop 80% (${OL[80,rate]}/s) p99" \
    "${OL[80,p99_ms]} ms" "(p50 ${OL[80,p50_ms]}, p99.9 ${OL[80,p999_ms]}) $V_OL80"
printf '%-40s %10s   %s\n' "status read / return 204" "$R_STATUS" \
    "(one small Redis call)"
printf '%-40s %10s   %s\n' "static / return 204" "$R_STATIC" "(reference)"
printf '%-40s %10s   %s\n' "public map list / static" "$R_LIST" \
    ">= 0.50: $V_LIST"
printf '%-40s %10s   %s\n' "public report / static" "$R_REPORT" \
    ">= 0.50: $V_REPORT"
printf '%-40s %10s   %s\n' "refused 429 / return 204 (limit nginx)" \
    "$R_LIMIT" ">= 0.80: $V_LIMIT"
printf '%-40s %10s   %s\n' "photo ingestion / 300 MB/s" "$R_PHOTO" \
    ">= 1.00: $V_PHOTO ($PHOTO_MBS MB/s)"
echo
echo "public reads: $CHECK_PUBLIC" | fold -s -w 78 | sed '2,$s/^/  /'
echo "photo: $CHECK_PHOTO" | fold -s -w 78 | sed '2,$s/^/  /'
echo "rate limit: $CHECK_LIMIT" | fold -s -w 78 | sed '2,$s/^/  /'
echo "CPU bounds on $CORES cores: submit $B_SUB_ALL req/s (nginx+Redis+wrk)," \
     "$B_SUB_REDIS (Redis thread);"
echo "  ceiling $B_CEIL_ALL req/s (Redis+bench/replay), $B_CEIL_REDIS (Redis thread);"
echo "  photo $B_PHOTO_ALL MB/s (nginx+Redis+wrk), $B_PHOTO_NGX MB/s (nginx workers)"
echo "load average (1 min): $LOAD_BEFORE before, $LOAD_AFTER after"
if [ -n "$NOISE" ]; then echo "WARNING: $NOISE"; fi
echo "$CORES cores (nproc). Markdown: build/bench/results.md;" \
     "raw output: build/bench/wrk-*.txt, replay.txt"
if [ "$PROFILE" = 1 ]; then
    echo "perf: build/bench/perf-submit.txt, build/bench/perf-status.txt," \
         "build/bench/perf-photo.txt"
fi
exit 0
