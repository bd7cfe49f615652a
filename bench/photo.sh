#!/usr/bin/env bash
# make bench-photo: make bench's photo-ingestion case alone, next to two
# baselines of nginx itself on the same 1 MB POST, to see where the time
# of a photo goes.
#
#   bench/photo.sh MODULE_SO
#
# A private Redis (AOF, appendfsync everysec) and nginx (2 workers,
# client_body_buffer_size 128k, pa_thread_pool, as bench/run.sh), the
# same photo as run.sh (ImageMagick, exiftool), then three wrk runs of
# PHOTO_DUR each, wrk -t2 -c64:
#   discard  POST of the same multipart body to "return 204" (nginx reads
#            and drops it): what wrk and the socket cost
#   put      the same body PUT by the dav module, client_body_in_file_only:
#            nginx writes it to a temp file and renames it into a folder
#   photo    POST /api/v1/reports with bench/photo.lua: a new report with
#            a new photo each time (stream, SHA-256, libmagic, EXIF,
#            rename, submit)
# Prints MB/s (requests/s x photo size), CPU µs per request of the nginx
# workers, Redis and wrk, and the load average before and after.
#
# Environment: PHOTO_DUR [10s], PHOTO_WARM [2s], PHOTO_PERF [0] (1: perf
# -g of the workers during the photo run, into build/bench/photo/perf.txt),
# PHOTO_BASELINES [1] (0: the photo case only), PHOTO_THUMB_WAIT [180]
# (seconds to wait for the thumbnails after the run), NGINX.

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODULE=${1:?usage: bench/photo.sh MODULE_SO}
NGINX=${NGINX:-/usr/sbin/nginx}
DUR=${PHOTO_DUR:-10s}
WARM=${PHOTO_WARM:-2s}
OUT=$ROOT/build/bench/photo
RUN=$OUT/run
NGX_PREFIX=$RUN/nginx

. "$ROOT/bench/lib.sh"

bench_module

cleanup() {
    set +e
    nginx_stop "$NGX_PREFIX"
    redis_stop
    rm -rf "$RUN/redis" "$NGX_PREFIX/media" "$NGX_PREFIX/put"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

rm -rf "$RUN"
mkdir -p "$NGX_PREFIX/tmp" "$NGX_PREFIX/media" "$NGX_PREFIX/put"

# the photo, as bench/run.sh makes it (bench/lib.sh)
PHOTO=$RUN/photo.jpg
bench_photo "$PHOTO"
PHOTO_BYTES=$(stat -c %s "$PHOTO")

redis_start "$RUN/redis" --appendonly yes --appendfsync everysec
NGX_PORT=$(free_port "$REDIS_PORT") || die "no free port"
cp "$MODULE" "$RUN/ngx_http_pa_module.so"
{
bench_conf_head "$NGX_PREFIX" "$RUN/ngx_http_pa_module.so" 2 4096 \
    "$BENCH_POOL"
cat <<EOF
    client_max_body_size 120m;
    client_body_buffer_size 128k;

$(bench_settings "$NGX_PREFIX")

    server {
        listen 127.0.0.1:$NGX_PORT;
        location = /discard { return 204; }
        location /put/ {
            root $NGX_PREFIX;
            dav_methods PUT;
            client_body_in_file_only on;
            create_full_put_path on;
        }
        location /api/v1/ { pa_api; }
    }
}
EOF
} > "$NGX_PREFIX/nginx.conf"
nginx_start "$NGX_PREFIX" "http://127.0.0.1:$NGX_PORT/api/v1/health"

# the same body for the baselines: photo.lua's request, as it sends it
cat > "$RUN/same.lua" <<EOF
dofile("$ROOT/bench/photo.lua")
local base_init, base_request = init, request
-- args: TAG PHOTO METHOD; the path is the URL's
function init(args)
    base_init(args)
    method = args[3]
    fixed = base_request():gsub("^POST /api/v1/reports", method .. " "
                                .. wrk.path, 1)
end
n = 0
function request()
    if method == "PUT" then
        n = n + 1
        return (fixed:gsub("^PUT [^ ]*", "PUT /put/" .. tid .. "/" .. n, 1))
    end
    return fixed
end
EOF

ngx_cpu() {
    local pid
    pid=$(cat "$NGX_PREFIX/nginx.pid")
    # utime + stime of the workers, in seconds
    for w in $(pgrep -P "$pid"); do cat "/proc/$w/stat"; done \
        | awk -v hz="$(getconf CLK_TCK)" '{ s += $14 + $15 } END {
              printf "%.3f", s / hz }'
}
redis_cpu() {
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' \
        "/proc/$(cat "$RUN/redis/redis.pid")/stat"
}

# run NAME URL [wrk args]: warm-up, then measured; one line of figures
run() {
    local name=$1 url=$2 n0 r0 c0 n1 r1 c1 la0 la1 reqs rps
    shift 2
    local -a warm=() meas=()
    for a in "$@"; do
        warm+=("${a//@TAG@/1$$}")
        meas+=("${a//@TAG@/2$$}")
    done
    wrk -t2 -c64 -d"$WARM" "$url" "${warm[@]}" >/dev/null
    la0=$(cut -d' ' -f1 /proc/loadavg)
    n0=$(ngx_cpu); r0=$(redis_cpu)
    c0=$(awk '{ print $14 + $15 + $16 + $17 }' /proc/self/stat)
    /usr/bin/time -f '%U %S' -o "$OUT/time-$name.txt" \
        wrk -t2 -c64 -d"$DUR" --latency "$url" "${meas[@]}" > "$OUT/wrk-$name.txt"
    n1=$(ngx_cpu); r1=$(redis_cpu)
    la1=$(cut -d' ' -f1 /proc/loadavg)
    reqs=$(awk '/requests in/ { print $1 }' "$OUT/wrk-$name.txt")
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$OUT/wrk-$name.txt")
    awk -v name="$name" -v rps="$rps" -v b="$PHOTO_BYTES" -v n="$reqs" \
        -v ng="$(awk -v a="$n0" -v b="$n1" 'BEGIN { print b - a }')" \
        -v rd="$(awk -v a="$r0" -v b="$r1" 'BEGIN { print b - a }')" \
        -v wk="$(awk '{ print $1 + $2 }' "$OUT/time-$name.txt")" \
        -v la="$la0 -> $la1" -v non="$(grep -c 'Non-2xx' \
                                        "$OUT/wrk-$name.txt" || true)" \
        'BEGIN { printf "%-8s %8.1f MB/s %7.0f req/s  CPU us/req: nginx %5.0f" \
                 "  redis %4.0f  wrk %4.0f  load %s%s\n", name,
                 rps * b / 1e6, rps, ng * 1e6 / n, rd * 1e6 / n,
                 wk * 1e6 / n, la, non ? "  NON-2xx!" : "" }' \
        | tee -a "$OUT/results.txt"
}

: > "$OUT/results.txt"
echo "photo $PHOTO_BYTES bytes; $(nproc) cores; module $MODULE" \
    | tee -a "$OUT/results.txt"
BASE=http://127.0.0.1:$NGX_PORT
if [ "${PHOTO_BASELINES:-1}" = 1 ]; then
    run discard "$BASE/discard" -s "$RUN/same.lua" -- 1 "$PHOTO" POST
    run put "$BASE/put/" -s "$RUN/same.lua" -- 1 "$PHOTO" PUT
fi
sleep 1; rm -rf "$NGX_PREFIX/put" 2>/dev/null || true
if [ "${PHOTO_PERF:-0}" = 1 ]; then
    # the workers alone (their threads too): other work on the machine
    # stays out of the profile
    ( sleep "$(( ${WARM%s} + 2 ))"
      perf record -g -e cpu-clock -o "$OUT/perf.data" \
          -p "$(pgrep -d, -P "$(cat "$NGX_PREFIX/nginx.pid")")" -- sleep 5 \
          >/dev/null 2>&1
      perf report -i "$OUT/perf.data" --no-children --sort dso,symbol \
          -g none --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | cut -c1-100 \
          | head -60 > "$OUT/perf.txt" ) &
    PERF_PID=$!
fi
run photo "$BASE/api/v1/reports" -s "$ROOT/bench/photo.lua" -- @TAG@ "$PHOTO"
[ -n "${PERF_PID:-}" ] && wait "$PERF_PID"

# the thumbnails follow the photos (made once the uploads stop): how long
# until each stored photo has its own, PHOTO_THUMB_WAIT at the most
files() {
    find "$NGX_PREFIX/media" -path "$NGX_PREFIX/media/tmp" -prune \
        -o -type f -name "$1" -print | wc -l
}
T0=$(date +%s)
C0=$(ngx_cpu)
N0=$(files '*.thumb.jpg')
while :; do
    PHOTOS=$(files '[0-9a-f]*[0-9a-f]')
    THUMBS=$(files '*.thumb.jpg')
    [ "$THUMBS" -ge "$PHOTOS" ] && break
    [ $(( $(date +%s) - T0 )) -ge "${PHOTO_THUMB_WAIT:-180}" ] && break
    sleep 1
done
echo "thumbnails: $THUMBS for $PHOTOS photos, $(( $(date +%s) - T0 )) s" \
     "after the run (load $(cut -d' ' -f1 /proc/loadavg)); CPU us per" \
     "thumbnail made then: $(awk -v a="$C0" -v b="$(ngx_cpu)" \
        -v n=$(( THUMBS - N0 )) 'BEGIN { printf "%.0f", n ? (b - a) * 1e6 / n : 0 }')" \
    | tee -a "$OUT/results.txt"
grep -E '\[(alert|crit|emerg)\]' "$NGX_PREFIX/error.log" | head -5 || true
echo "results: $OUT/results.txt"
