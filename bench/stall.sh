#!/usr/bin/env bash
# make bench-stall: what big uploads cost the other requests of the same
# nginx worker (issue 11.3), with and without pa_thread_pool.
#
#   bench/stall.sh MODULE_SO
#
# One nginx worker, the module with laichau-2026's rules on a private Redis.
# A small request (GET /204, answered by the worker's event loop and
# nothing else) is measured alone, then while UPLOADS clients keep POSTing
# a 12 MB camera JPEG as a new report each (the whole ingestion: the body
# read back, the part written, SHA-256, libmagic, EXIF, the store, the
# script).  Each of STALL_MODES runs both: the media work inline (no
# pa_thread_pool), in a thread pool whose threads keep the normal policy,
# in the pool as shipped (sched=idle); "sink" is the floor (the same
# uploads received and dropped).  The figure is the small request's p99
# under the uploads minus its p99 alone: the goal is < 5 ms with the pool.
# Writes build/bench/stall.md; stops everything it started whatever
# happens.
#
# Environment (defaults in brackets):
#   STALL_DURATION [10s]  wrk measuring time per run
#   STALL_UPLOADS  [10]   concurrent upload clients
#   STALL_THREADS  [4]    threads of the pool
#   STALL_SCHED    [1 as root with perf] 0: no perf sched record
#   STALL_RENICE   [0]    1: the worker's event-loop thread and the
#                         probe (wrk) at nice -10, above the machine's
#                         other load (needs root)
#   STALL_MODES    [inline pool-normal pool]  the runs to make: inline
#                         (no pa_thread_pool), pool-normal (its threads
#                         at the default policy, sched=normal), pool (the
#                         default, sched=idle), pool-batch; MODE+slice
#                         adds pa_worker_slice short; sink (the
#                         floor: the same uploads received by the same
#                         worker into memory and dropped, no media work)
#   STALL_PERF     [0]    1: perf record -g of the worker (all its
#                         threads) for 5 s of the uploads, into
#                         build/bench/stall/perf-MODE.data (root)
#   STALL_CONF     []     more http{} lines for the pool run (settings
#                         being tried, e.g. "pa_thread_priority normal;")
#   NGINX          [/usr/sbin/nginx]

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODULE=${1:?usage: bench/stall.sh MODULE_SO}
NGINX=${NGINX:-/usr/sbin/nginx}
DUR=${STALL_DURATION:-10s}
UPLOADS=${STALL_UPLOADS:-10}
POOL_THREADS=${STALL_THREADS:-4}
RENICE=${STALL_RENICE:-0}
PERF=${STALL_PERF:-0}
EXTRA_CONF=${STALL_CONF:-}
# the event loop's own CPU per wake-up, from the scheduler (perf, root)
SCHED=0
if command -v perf >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    SCHED=${STALL_SCHED:-1}
fi
PROBE=
if [ "$RENICE" = 1 ]; then
    PROBE="nice -n -10"         # the probe (wrk) with the event loop
fi

OUT=$ROOT/build/bench
RUN=$OUT/stall
PREFIX=$RUN/nginx
REDIS_DIR=$RUN/redis

. "$ROOT/bench/lib.sh"     # die, free_port, redis_start, nginx_start

bench_module
bench_needs wrk curl convert exiftool redis-server redis-cli "$NGINX"

LOOP_PIDS=()

stop_uploads() {
    local pid
    touch "$RUN/stop"
    for pid in "${LOOP_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    LOOP_PIDS=()
}

cleanup() {
    set +e
    stop_uploads
    nginx_stop "$PREFIX"
    redis_stop
    rm -rf "$PREFIX/media" "$PREFIX/tmp" "$REDIS_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

rm -rf "$RUN"
mkdir -p "$OUT" "$PREFIX" "$REDIS_DIR"

# ------------------------------------------------------------ the photo
# 12 MB, 3000x2250 with strong noise at quality 95, and a camera's EXIF
# (time, GPS, an ImageUniqueID of 32 zeros each upload replaces, so that
# every report brings its own photo as real ones do).
PHOTO=$RUN/photo-12mb.jpg
TAKEN=$(date -u -d '+7 hours' '+%Y:%m:%d %H:%M:%S')
convert -seed 7 -size 3000x2250 plasma:'#6a8'-'#a63' -attenuate 2.5 \
        +noise Gaussian -quality 95 "$PHOTO" \
    && exiftool -q -q -overwrite_original -Make=samsung -Model=SM-A525F \
        "-DateTimeOriginal=$TAKEN" -OffsetTimeOriginal=+07:00 \
        -GPSLatitude=22.3912 -GPSLatitudeRef=N \
        -GPSLongitude=103.4517 -GPSLongitudeRef=E \
        -ImageUniqueID=00000000000000000000000000000000 "$PHOTO" \
    || die "could not make $PHOTO"
PHOTO_BYTES=$(stat -c %s "$PHOTO")
UID_AT=$(grep -obUa 00000000000000000000000000000000 "$PHOTO" | head -1 \
         | cut -d: -f1)
[ -n "$UID_AT" ] || die "no ImageUniqueID in $PHOTO"

# ------------------------------------------------------------ Redis
redis_start "$REDIS_DIR"

NGX_PORT=$(free_port "$REDIS_PORT") || die "no free port"
BASE=http://127.0.0.1:$NGX_PORT
cp "$MODULE" "$RUN/ngx_http_pa_module.so"

# write_conf inline|pool
write_conf() {
    local pool_main=() pool_http='' mode=${1%+slice}
    case "$mode" in
    pool)
        pool_main=("thread_pool pa threads=$POOL_THREADS;")
        pool_http="pa_thread_pool pa; $EXTRA_CONF"
        ;;
    pool-*)     # pool-normal, pool-batch: the threads' policy
        pool_main=("thread_pool pa threads=$POOL_THREADS;")
        pool_http="pa_thread_pool pa sched=${mode#pool-}; $EXTRA_CONF"
        ;;
    esac
    if [ "$mode" != "$1" ]; then    # pool+slice, pool-normal+slice, ...
        pool_http="$pool_http pa_worker_slice short;"
    fi
    {
    echo "# written by bench/stall.sh: media work $1"
    bench_conf_head "$PREFIX" "$RUN/ngx_http_pa_module.so" 1 1024 \
        "${pool_main[@]}"
    cat <<EOF
    client_max_body_size 120m;
    client_body_buffer_size 128k;

$(bench_profile "$PREFIX")
    pa_sweep_interval 0;
    $pool_http

    server {
        listen 127.0.0.1:$NGX_PORT;

        location = /204 {
            return 204;
        }

        location /api/v1/ {
            pa_api;
        }

        # the floor (mode sink): the body received into memory by nginx
        # (mirror_request_body reads it; one buffer, no temp file) and
        # dropped, no media work at all
        location = /sink {
            client_body_buffer_size 16m;
            mirror /sink-nothing;
            mirror_request_body on;
            return 201;
        }

        location = /sink-nothing {
            internal;
            return 204;
        }
    }
}
EOF
    } > "$PREFIX/nginx.conf"
}

# one client: new reports with the photo until told to stop; one line of
# status codes per upload in codes-MODE-I
upload_loop() {
    local mode=$1 i=$2 n=0
    local phone
    while [ ! -e "$RUN/stop" ]; do
        n=$((n + 1))
        phone=$(printf '09%08d' $(( (i * 1000000 + n + $$) % 100000000 )))
        {
            head -c "$UID_AT" "$PHOTO"
            printf '%08d%08d%016d' "$i" "$$" "$n"
            tail -c +$((UID_AT + 33)) "$PHOTO"
        } | curl -s -o /dev/null -w '%{http_code}\n' --max-time 60 \
            -F "content=Cây đổ chắn ngang đường sau mưa to (bench stall)" \
            -F "category=traffic" -F "lat=22.391" -F "lng=103.451" \
            -F "reporter_name=Nguyễn Văn A" \
            -F "reporter_phone=$phone" \
            -F "media=@-;filename=IMG_$n.jpg;type=image/jpeg" \
            "$BASE$TARGET" >> "$RUN/codes-$mode-$i" || true
    done
}

# "1.23ms" / "456.00us" / "1.02s" -> milliseconds
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000;
        printf "%.2f", n }'
}
p99() { to_ms "$(awk '$1 == "99%" { print $2 }' "$1")"; }
p50() { to_ms "$(awk '$1 == "50%" { print $2 }' "$1")"; }
pmax() { to_ms "$(awk '$1 == "Latency" && NF >= 4 { print $4; exit }' "$1")"; }

LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)

declare -A IDLE99 LOAD99 LOAD50 LOADMAX GAIN DONE OK BURST99 BURSTMAX \
    WAITMAX
read -r -a MODES <<< "${STALL_MODES:-inline pool-normal pool}"

for mode in "${MODES[@]}"; do
    nginx_stop "$PREFIX"
    rm -rf "$PREFIX/media" "$PREFIX/tmp" "$RUN/stop"
    mkdir -p "$PREFIX/media" "$PREFIX/tmp"
    redis-cli -p "$REDIS_PORT" flushall >/dev/null
    write_conf "$mode"
    TARGET=/api/v1/reports
    if [ "$mode" = sink ]; then
        TARGET=/sink
    fi
    nginx_start "$PREFIX" "$BASE/api/v1/health"

    # STALL_RENICE=1 (as root): the worker's event-loop thread alone at
    # nice -10 (its pool threads, created before, keep 0), so that the
    # machine's other load does not decide what is measured
    if [ "$RENICE" = 1 ]; then
        renice -n -10 -p "$(pgrep -P "$(cat "$PREFIX/nginx.pid")")" \
            >/dev/null || die "renice needs root"
    fi

    echo "  $mode: GET /204 alone, $DUR ..."
    $PROBE wrk -t1 -c1 -d"$DUR" --latency "$BASE/204" \
        > "$OUT/stall-$mode-idle.txt"

    echo "  $mode: GET /204 while $UPLOADS clients upload 12 MB photos ..."
    # the clients stand for phones elsewhere: on this machine they yield
    # the CPU to nginx (nice 19), so what is measured is nginx's own
    for i in $(seq 1 "$UPLOADS"); do
        upload_loop "$mode" "$i" &
        LOOP_PIDS+=($!)
        renice -n 19 -p "$!" >/dev/null
    done
    sleep 2
    # the worker's threads and their policy (TS: normal, IDL: idle, B:
    # batch), to show what the run had
    ps -L -o tid=,cls=,ni= -p "$(pgrep -P "$(cat "$PREFIX/nginx.pid")")" \
        > "$RUN/threads-$mode.txt" 2>/dev/null || true
    SCHED_PID=
    if [ "$SCHED" = 1 ]; then
        perf sched record -o "$RUN/sched-$mode.data" -- sleep 5 \
            >/dev/null 2>&1 &
        SCHED_PID=$!
    fi
    PERF_PID=
    if [ "$PERF" = 1 ]; then
        perf record -g -o "$RUN/perf-$mode.data" \
            -p "$(pgrep -P "$(cat "$PREFIX/nginx.pid")")" -- sleep 5 \
            >/dev/null 2>&1 &
        PERF_PID=$!
    fi
    $PROBE wrk -t1 -c1 -d"$DUR" --latency "$BASE/204" \
        > "$OUT/stall-$mode-load.txt"
    [ -n "$PERF_PID" ] && wait "$PERF_PID"
    [ -n "$SCHED_PID" ] && wait "$SCHED_PID"
    stop_uploads

    # The event-loop thread's CPU from one wake-up to its next sleep (the
    # slices it was preempted in between added up): what it does per
    # round of events, whatever else the machine runs; and the longest it
    # waited for a CPU
    BURST99[$mode]=-
    BURSTMAX[$mode]=-
    WAITMAX[$mode]=-
    if [ -n "$SCHED_PID" ]; then
        WTID=$(pgrep -P "$(cat "$PREFIX/nginx.pid")")
        perf sched timehist -i "$RUN/sched-$mode.data" --tid "$WTID" \
            --state 2>/dev/null \
            | awk -v out="$RUN/wait-$mode.txt" '$3 ~ /^nginx/ {
                   # its first line: a delay that began before the
                   # recording did (a 358 ms "wait" was one), not counted
                   if (seen++ && $5 > w) { w = $5 };
                   run += $6;
                   if ($7 != "R") { print run; run = 0 } }
                   END { printf "%.2f\n", w > out }' \
            | sort -n > "$RUN/bursts-$mode.txt"
        # who held the two CPUs while the event loop waited over 3 ms
        perf sched timehist -i "$RUN/sched-$mode.data" 2>/dev/null \
            | awk -v el="$WTID" -f "$ROOT/bench/stall-waits.awk" \
            > "$RUN/waits-$mode.txt"
        BURST99[$mode]=$(awk '{ a[NR] = $1 } END {
            i = int(NR * 0.99); if (i < 1) { i = 1 }; printf "%.2f", a[i] }' \
            "$RUN/bursts-$mode.txt")
        BURSTMAX[$mode]=$(tail -1 "$RUN/bursts-$mode.txt")
        WAITMAX[$mode]=$(cat "$RUN/wait-$mode.txt")
    fi

    IDLE99[$mode]=$(p99 "$OUT/stall-$mode-idle.txt")
    LOAD99[$mode]=$(p99 "$OUT/stall-$mode-load.txt")
    LOAD50[$mode]=$(p50 "$OUT/stall-$mode-load.txt")
    LOADMAX[$mode]=$(pmax "$OUT/stall-$mode-load.txt")
    GAIN[$mode]=$(awk -v a="${LOAD99[$mode]}" -v b="${IDLE99[$mode]}" \
                  'BEGIN { printf "%.2f", a - b }')
    DONE[$mode]=$(cat "$RUN"/codes-"$mode"-* 2>/dev/null | wc -l)
    OK[$mode]=$(cat "$RUN"/codes-"$mode"-* 2>/dev/null | grep -c '^201$' \
                || true)
    if grep -E '\[(alert|crit|emerg)\]' "$PREFIX/error.log" >/dev/null; then
        die "$mode: [alert]/[crit]/[emerg] in $PREFIX/error.log"
    fi
done

VERDICT=$(awk -v g="${GAIN[pool]:-999}" 'BEGIN { print (g < 5) ? "met" : "NOT met" }')
SETUP="One nginx worker, $(nproc) cores (nproc); $UPLOADS clients POST a \
$PHOTO_BYTES-byte camera JPEG as a new report each, in a loop; wrk -t1 -c1 \
GET /204 for $DUR alone, then during the uploads. Pool: thread_pool pa \
threads=$POOL_THREADS. Event-loop thread reniced: $RENICE. Load average \
before: $LOAD_BEFORE."

{
    echo "# Upload stall (bench/stall.sh)"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD)."
    echo
    echo "$SETUP"
    echo
    echo "| media work | GET /204 p99 alone | p50 under uploads | p99 under uploads | max | p99 gain | uploads (201) |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for mode in "${MODES[@]}"; do
        echo "| $mode | ${IDLE99[$mode]} ms | ${LOAD50[$mode]} ms |" \
             "${LOAD99[$mode]} ms | ${LOADMAX[$mode]} ms | ${GAIN[$mode]} ms |" \
             "${DONE[$mode]} (${OK[$mode]}) |"
    done
    echo
    echo "The worker's threads (scheduling class, nice) during the uploads:"
    for mode in "${MODES[@]}"; do
        echo "$mode: $(awk '{ printf "%s%s/%s", (NR > 1 ? " " : ""), $2, $3 }' \
            "$RUN/threads-$mode.txt")."
    done
    echo
    echo "Goal: p99 gain < 5 ms with the pool: $VERDICT."
    if [ "$SCHED" = 1 ]; then
        echo
        echo "The worker's event-loop thread during 5 s of the uploads" \
             "(perf sched): its CPU from a wake-up to its next sleep, and" \
             "the longest it waited for a CPU."
        echo
        echo "| media work | CPU per wake-up p99 | max | longest wait for a CPU |"
        echo "|---|---:|---:|---:|"
        for mode in "${MODES[@]}"; do
            echo "| $mode | ${BURST99[$mode]} ms | ${BURSTMAX[$mode]} ms |" \
                 "${WAITMAX[$mode]} ms |"
        done
        echo
        echo "What ran on the CPUs while the event loop waited over 3 ms" \
             "for one (CPU time inside those waits; \"pool thread\": this" \
             "worker's own):"
        echo
        for mode in "${MODES[@]}"; do
            echo "- $mode: $(cat "$RUN/waits-$mode.txt" 2>/dev/null)"
        done
    fi
} > "$OUT/stall.md"

echo
cat "$OUT/stall.md"
