#!/usr/bin/env bash
# make bench-scale: do the hot reads and submit stay as fast at a million
# stored reports (ten years of a province) as at ten thousand, and how much
# Redis memory does a report take?  (issue 12.4)
#
#   bench/scale.sh MODULE_SO
#
# Starts two nodes side by side, each a private Redis (free port; no AOF,
# no snapshots: this measures the size of the data, not durability, and a
# 1M load would write GBs) and a private nginx with the module (2
# workers, the laichau-2026 profile as shipped).  One real report is
# submitted with curl: its stored fields and history entry are the
# template of bench/scale-gen.lua, which loads SCALE_SMALL reports into
# the first node's Redis and SCALE_LARGE into the second's, in the
# module's data layout (EVAL, batches of SCALE_BATCH), spread over ten
# years with a province's mix of states; and Redis memory per report.
# Then, with wrk (short runs): submit, the IOC's queue, an agency's queue,
# a reporter's read, the public list (uncached: the miss nginx's cache
# would send) and the stats of the last 30 days, each SCALE_RUNS times on
# each node, the nodes taking turns (small, large, then large, small,
# ...): what the machine does meanwhile weighs on both sizes alike (one
# size after the other, minutes apart, gave 0.73 to 1.52 for the same
# code on one afternoon).  Prints the figures and the ratios, writes
# build/bench/scale.md.
#
# Environment (defaults in brackets):
#   SCALE_SMALL    [10000]    reports of the first load
#   SCALE_LARGE    [1000000]  reports in all after the second
#   SCALE_BATCH    [2000]     reports per EVAL of the generator
#   SCALE_DURATION [5s]       wrk measuring time per case (1 s warm-up)
#   SCALE_CONNS    [32]       wrk connections (one thread)
#   SCALE_RUNS     [5]        runs of each case on each node: the
#                             verdict is the median of the pairs (pairs);
#                             the submit case's commands are those of
#                             its run of the median Redis time
#   SCALE_REDIS    []         more redis-server options, after bench/lib.sh's
#                             PA_REDIS_SETTINGS (production.conf's: a
#                             report's hash stays a listpack);
#                             "--hash-max-listpack-value 64" measures
#                             Redis' default
#   SCALE_PIN      [1]        each node's Redis on the last CPU, its nginx
#                             and wrk on the others (taskset; 0: as the
#                             scheduler likes, see "pin" below)
#   NGINX          [/usr/sbin/nginx]
#   SCALE_KEEP_RDB [""]       a folder: each stage's data, as loaded, is
#                             saved there (scale-<reports>.rdb) for a
#                             replay of submit.lua against it
#                             (bench/scale-replay.sh)

set -euo pipefail
# (a failure inside $(wrk_case ...) stops the run, as it did outside one)
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODULE=${1:?usage: bench/scale.sh MODULE_SO}
NGINX=${NGINX:-/usr/sbin/nginx}
SMALL=${SCALE_SMALL:-10000}
LARGE=${SCALE_LARGE:-1000000}
BATCH=${SCALE_BATCH:-2000}
DUR=${SCALE_DURATION:-5s}
CONNS=${SCALE_CONNS:-32}
RUNS=${SCALE_RUNS:-5}
case $RUNS in ''|*[!0-9]*|0) echo "SCALE_RUNS must be 1 or more" >&2; exit 1 ;; esac
REDIS_OPTS=${SCALE_REDIS:-}
PIN=${SCALE_PIN:-1}
NCPU=$(nproc)
{ [ "$NCPU" -ge 2 ] && command -v taskset >/dev/null; } || PIN=0

OUT=$ROOT/build/bench
LOAD_START=$(cut -d' ' -f1 /proc/loadavg)   # before this run's own load
RUN=$OUT/scale-run
P='pa:{laichau}:'     # the profile's pa_tenant

. "$ROOT/bench/lib.sh"     # die, free_port, redis_start, nginx_start

bench_module
[ "$LARGE" -gt "$SMALL" ] || die "SCALE_LARGE must be more than SCALE_SMALL"
bench_needs wrk redis-server redis-cli curl jq "$NGINX"

# ------------------------------------------------------------ the nodes
# Node s holds SMALL reports, node l LARGE; use_node makes one the
# current: what REDIS_DIR, REDIS_PORT (rcli, bench/lib.sh), NGX_PREFIX,
# BASE and FILLED (the headroom's fillers) name.
declare -A N_RDIR N_RPORT N_NGX N_BASE N_FILLED N_SIZE N_ID N_TOK
CUR=
use_node() {
    [ -n "$CUR" ] && N_FILLED[$CUR]=$FILLED
    CUR=$1
    REDIS_DIR=${N_RDIR[$1]} REDIS_PORT=${N_RPORT[$1]}
    NGX_PREFIX=${N_NGX[$1]} BASE=${N_BASE[$1]} FILLED=${N_FILLED[$1]}
}

cleanup() {
    set +e
    local n
    for n in "${!N_RDIR[@]}"; do
        nginx_stop "${N_NGX[$n]}"
        REDIS_DIR=${N_RDIR[$n]} REDIS_PORT=${N_RPORT[$n]}
        redis_stop
    done
    rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

rm -rf "$RUN" "$OUT"/scale-wrk-* "$OUT"/scale-cmd-* "$OUT/scale.md" \
    "$OUT/scale-headroom.txt" "$OUT/scale-runs.txt"
mkdir -p "$OUT" "$RUN"
cp "$MODULE" "$RUN/ngx_http_pa_module.so"

rcli() { redis-cli -p "$REDIS_PORT" "$@"; }

# Pinned (SCALE_PIN): the current node's Redis alone on the last CPU, its
# nginx (master and workers, with their pool threads) and wrk on the
# others.  Left to the
# scheduler, four busy threads on two CPUs land as they land, and a run
# keeps its placement: the same case read 211-223 or 279-317 µs a call
# on either node, the mode flipping from run to run, the Redis thread
# waiting 82-97 or 118-141 µs a call for a CPU; pinned, 1-5 µs, and the
# stats case's pairs read 1.05-1.10 where they had read 0.79-1.50
# (2026-12-06).  The figures are then a Redis with a CPU of its own.
pin() {
    local pid m
    [ "$PIN" = 1 ] || return 0
    pid=$(rcli INFO server | tr -d '\r' | sed -n 's/^process_id://p')
    taskset -a -cp $((NCPU - 1)) "$pid" >/dev/null \
        || die "taskset of Redis $pid failed"
    m=$(cat "$NGX_PREFIX/nginx.pid")
    for pid in $m $(pgrep -P "$m"); do
        taskset -a -cp 0-$((NCPU - 2)) "$pid" >/dev/null \
            || die "taskset of nginx $pid failed"
    done
}

# wrk beside the nginx it loads
wrk() {
    if [ "$PIN" = 1 ]; then
        taskset -c 0-$((NCPU - 2)) "$(type -P wrk)" "$@"
    else
        command wrk "$@"
    fi
}

# start_node NAME SIZE: its Redis and nginx, made the current node
start_node() {
    local name=$1 prefix=$RUN/nginx-$1 port
    mkdir -p "$prefix/tmp" "$prefix/media"
    # shellcheck disable=SC2086
    redis_start "$RUN/redis-$name" --enable-debug-command local \
        --latency-monitor-threshold 5 $REDIS_OPTS
    # known to cleanup from here on, whatever fails next
    N_RDIR[$name]=$REDIS_DIR N_RPORT[$name]=$REDIS_PORT N_NGX[$name]=$prefix
    port=$(free_port "$REDIS_PORT" "${N_RPORT[@]}") || die "no free port"
    {
    bench_conf_head "$prefix" "$RUN/ngx_http_pa_module.so" 2 4096 \
        "$BENCH_POOL"
    cat <<EOF

$(bench_profile "$prefix")
    pa_archive_dir $prefix/archive;
    pa_thread_pool pa;
    pa_sweep_interval 0;

    server {
        listen 127.0.0.1:$port;
        location /api/v1/ {
            pa_api;
        }
    }
}
EOF
    } > "$prefix/nginx.conf"
    nginx_start "$prefix" "http://127.0.0.1:$port/api/v1/health"
    N_BASE[$name]=http://127.0.0.1:$port N_FILLED[$name]=0 N_SIZE[$name]=$2
    CUR=
    use_node "$name"
    pin
}

start_node s "$SMALL"

# ------------------------------------------------------------ the template

submit_one() {
    curl -fsS -H 'Content-Type: application/json' \
        --data-binary "{\"content\":\"Ổ gà lớn trên đường Trần Hưng Đạo, gần số nhà $1; nước đọng, xe máy dễ ngã\",\"title\":\"Ổ gà\",\"category\":\"traffic\",\"lat\":22.396,\"lng\":103.458,\"reporter_name\":\"Nguyễn Văn A\",\"reporter_phone\":\"09$(printf '%08d' "$1")\",\"channel\":\"app\"}" \
        "$BASE/api/v1/reports"
}

AGENCIES=$(jq -r '[.agencies[] | select(.kind != "province" and .id != "ioc")
                   | .id]
                  | .[0:20] | join(",")' \
           "$ROOT/conf-examples/directory/laichau.json")
BUSY=${AGENCIES%%,*}
CATS=traffic,environment,urban-order,lighting,water,construction
IOC=$("$ROOT/bin/pa-token" --role ioc --secret-file "$ROOT/t/keys/auth.key")
HANDLER=$("$ROOT/bin/pa-token" --role handler --agency "$BUSY" \
          --secret-file "$ROOT/t/keys/auth.key")
# both with the module's qscore (redis-scripts/lib/, their prelude)
GEN_SHA=$(rcli SCRIPT LOAD "$("$ROOT/build/pa-script" \
    --lib "$ROOT/redis-scripts/lib" "$ROOT/bench/scale-gen.lua")")
SHAPE_SHA=$(rcli SCRIPT LOAD "$("$ROOT/build/pa-script" \
    --lib "$ROOT/redis-scripts/lib" "$ROOT/bench/scale-shape.lua")")
NOW=$(date +%s)
SPAN=$((10 * 365 * 86400))
KEEP_NEAR=$((72 * 3600 + 30 * 86400))  # the profile's duplicate window + 30d

. "$ROOT/bench/scale-check.sh"   # layout_check: the generator's drift

layout_reports      # FIELDS, ENTRIES: the generator's templates

used() { rcli INFO memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p'; }

# load N reports (numbered from BASE_ID + 1), evenly over the ten years,
# the last OPEN of them the open work of the last weeks
load() {
    local n=$1 base=$2 open=$3 first=1 c out
    while [ "$first" -le "$n" ]; do
        c=$((n - first + 1))
        [ "$c" -gt "$BATCH" ] && c=$BATCH
        # (redis-cli exits 0 on a script's error: its reply is read)
        out=$(rcli EVALSHA "$GEN_SHA" 1 "${P}st:submitted" "$first" "$c" \
            "$n" "$NOW" "$SPAN" "$AGENCIES" "$CATS" "$ENTRIES" "$base" \
            "$open" "$KEEP_NEAR" "${FIELDS[@]}") \
            || die "the generator failed"
        case "$out" in
            ERR*) die "the generator failed: $out" ;;
        esac
        first=$((first + c))
    done
}

# Redis main thread's CPU seconds (user + sys)
rcpu() {
    rcli INFO cpu | tr -d '\r' | awk -F: '
        /^used_cpu_(user|sys)_main_thread:/ { s += $2 } END { printf "%.6f", s }'
}

# Redis main thread's time waiting for a CPU (ns, /proc schedstat): what
# Redis time per call counts that its CPU time does not
rwait() { cut -d' ' -f2 "/proc/$(cat "$REDIS_DIR/redis.pid")/schedstat"; }

# wrk: requests/s and p99 (ms) of one case, Redis time and CPU per EVALSHA
# (µs), the load average during it; fails on any non-2xx answer.  A
# submit's warm-up sends other reports (its own tag) than the measured
# run: the same ones would be replays (idem:), not submissions.
wrk_case() {
    local name=$1 size=$2 out rps p99 bad usec calls c0 c1 cpu warm w0 w1 wait n
    shift 2
    warm=("$@")
    [ "$name" = submit ] && warm[-1]=$((size + 1))
    wrk -t1 -c"$CONNS" -d1s "${warm[@]}" >/dev/null 2>&1 || true
    out=$OUT/scale-wrk-$name-$size.txt
    {
        echo "# before: $(cut -d' ' -f1-3 /proc/loadavg)"
        rcli INFO persistence | grep -E 'rdb_bgsave_in|aof_rewrite_in'
        rcli DEBUG HTSTATS 0 | grep -E 'Hash table|table size|elements'
    } > "$out.redis" 2>&1
    rcli CONFIG RESETSTAT >/dev/null
    c0=$(rcpu); w0=$(rwait)
    wrk -t1 -c"$CONNS" -d"$DUR" --latency "$@" > "$out" 2>&1 \
        || die "wrk failed ($out)"
    c1=$(rcpu); w1=$(rwait)
    {
        echo "# after: $(cut -d' ' -f1-3 /proc/loadavg)"
        rcli INFO stats | grep -E 'expired_keys|evicted|total_forks'
        rcli DEBUG HTSTATS 0 | grep -E 'Hash table|table size|elements'
        rcli LATENCY LATEST
    } >> "$out.redis" 2>&1
    bad=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$out")
    [ -z "$bad" ] || die "$name at $size: $bad answers not 2xx ($out)"
    rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$out")
    p99=$(awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u);
               sub(/[a-z]+$/, "", v);
               if (u == "us") v /= 1000; if (u == "s") v *= 1000;
               printf "%.2f", v }' "$out")
    usec=$(rcli INFO commandstats \
           | sed -n 's/^cmdstat_evalsha:.*usec_per_call=\([0-9.]*\).*/\1/p')
    calls=$(rcli INFO commandstats \
            | sed -n 's/^cmdstat_evalsha:calls=\([0-9]*\).*/\1/p')
    if [ "$name" = submit ]; then
        # group commit (pa_submit_batch): one call stores a batch, whose
        # size follows the load; the figures are per report stored (all
        # 2xx, each a new report), as bench/run.sh's
        n=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$out")
        echo "reports $n in $calls calls" >> "$out.redis"
        # by command (a script's commands are timed too): where the
        # growth is, printed in scale.md
        { echo "# reports $n load $(cut -d' ' -f1 /proc/loadavg)"
          rcli INFO commandstats | tr -d '\r' | grep '^cmdstat_'
        } > "$OUT/scale-cmd-submit-$size.txt"
        usec=$(awk -v u="$usec" -v c="$calls" -v n="$n" \
               'BEGIN { printf "%.2f", (n > 0) ? u * c / n : 0 }')
        calls=$n
    fi
    cpu=$(awk -v a="$c0" -v b="$c1" -v n="${calls:-0}" \
          'BEGIN { if (n > 0) printf "%.2f", (b - a) * 1e6 / n; else print 0 }')
    wait=$(awk -v a="$w0" -v b="$w1" -v n="${calls:-0}" \
          'BEGIN { if (n > 0) printf "%.2f", (b - a) / 1e3 / n; else print 0 }')
    # (a figure not read is no figure: a ratio of 0 would read "met")
    awk -v u="${usec:-0}" -v c="$cpu" 'BEGIN { exit !(u > 0 && c > 0) }' \
        || die "$name at $size: no Redis time or CPU read ($out.redis)"
    echo "$name $size ${rps:-0} ${p99:-0} ${usec:-0} $cpu" \
         "$(cut -d' ' -f1 /proc/loadavg) $wait"
}

FROM=$(date -u -d '@'"$((NOW - 30 * 86400 + 25200))" +%Y-%m-%d)
TO=$(date -u -d '@'"$((NOW + 25200))" +%Y-%m-%d)

# the submit case's own reports (tens of thousands, all "submitted") leave
# again: the next stage's IOC queue reads the loaded province, not them.
# Their one index, q:submitted, is in the queue's order: a page of it
# (ZSCAN from the cursor ARGV[3]), those created since ARGV[2] taken out;
# returns the next cursor ("0": done)
UNSUBMIT='
local page = redis.call("ZSCAN", KEYS[1], ARGV[3], "COUNT", 5000)
local ids = {}
for n = 1, #page[2], 2 do
    local id = page[2][n]
    local at = redis.call("HGET", ARGV[1] .. "r:" .. id, "created_at")
    if tonumber(at or "") and tonumber(at) >= tonumber(ARGV[2]) then
        ids[#ids + 1] = id
    end
end
for _, id in ipairs(ids) do
    local r = ARGV[1] .. "r:" .. id
    local th = redis.call("HMGET", r, "token_hash", "phone_hash",
                          "created_at")
    redis.call("DEL", r, ARGV[1] .. "h:" .. id)
    if th[1] then redis.call("DEL", ARGV[1] .. "tok:" .. th[1]) end
    -- its prints in the phone'"'"'s bucket (ngx_pa_print.h)
    if th[2] then
        local b = ARGV[1] .. "dup:" .. string.sub(th[2], 1, 4)
        local f = redis.call("HGETALL", b)
        for k = 1, #f, 2 do
            if f[k + 1] == id then redis.call("HDEL", b, f[k]) end
        end
    end
    redis.call("ZREM", ARGV[1] .. "due", id .. "|verify")
end
if #ids > 0 then
    redis.call("ZREM", ARGV[1] .. "q:submitted", unpack(ids))
end
return page[1]'

# ... and their positions in the hints' day key (KEYS[1]): the member
# "<created_at><ms>|<id>" (ngx_pa_duplicate.c) holds a millisecond no
# record does, so those submitted at ARGV[1] or after are taken by the
# time that leads them.  Returns how many left
UNNEAR='
local c, n = "0", 0
repeat
    local r = redis.call("ZSCAN", KEYS[1], c, "COUNT", 10000)
    c = r[1]
    for i = 1, #r[2], 2 do
        local m = r[2][i]
        if (tonumber(string.sub(m, 1, 10)) or 0) >= tonumber(ARGV[1]) then
            redis.call("ZREM", KEYS[1], m)
            n = n + 1
        end
    end
until c == "0"
return n'

# the main dict's headroom before the submit case: headroom, unfill
# (bench/lib.sh; each node's own: use_node)
FILLED=0

# Of RUNS lines of wrk_case (a run's index last), the run of the median
# Redis time per call (its index ends the line: the submit case's
# commands are that run's).  Single runs on this kind of machine meet its
# stalls (an O(1) command descheduled for 5-16 ms: the host takes the
# CPU).
median_run() {
    LC_ALL=C sort -k5,5g | sed -n "$(( (RUNS + 1) / 2 ))p"
}

# the same lines, each figure's own median (req/s, p99, Redis µs, CPU µs,
# load, wait): a verdict of Redis time and CPU takes each from its median,
# not both from one run; an even count takes the upper middle
# (awk) the median of a[1..n], a sorted in place (insertion sort: n is
# the runs); medians and pairs share it
AWK_MED='
function med(a, n,    i, j, t) {
    for (i = 2; i <= n; i++)
        for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
            t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return a[int(n / 2) + 1]
}'

medians() {
    LC_ALL=C awk "$AWK_MED"'
        { name = $1; size = $2
          for (f = 3; f <= 8; f++) v[f, NR] = $f }
        END {
            printf "%s %s", name, size
            for (f = 3; f <= 8; f++) {
                for (i = 1; i <= NR; i++) a[i] = v[f, i] + 0
                printf " %s", med(a, NR)
            }
            printf "\n"
        }'
}

# the nodes' turns in run I: small first in even runs, large in odd
turns() { if [ $(($1 % 2)) = 0 ]; then echo s l; else echo l s; fi; }

# one run of a read case on the current node: wrk_case's line
one_case() {
    local size=${N_SIZE[$CUR]}
    case $1 in
    queue_ioc)
        wrk_case queue_ioc "$size" -s "$ROOT/bench/get.lua" \
            "$BASE/api/v1/queue" -- "Authorization: Bearer $IOC" ;;
    queue_agency)
        wrk_case queue_agency "$size" -s "$ROOT/bench/get.lua" \
            "$BASE/api/v1/queue" -- "Authorization: Bearer $HANDLER" ;;
    reporter_read)
        wrk_case reporter_read "$size" -s "$ROOT/bench/get.lua" \
            "$BASE/api/v1/reports/${N_ID[$CUR]}" \
            -- "X-Report-Token: ${N_TOK[$CUR]}" ;;
    public_list)
        wrk_case public_list "$size" -s "$ROOT/bench/get.lua" \
            "$BASE/api/v1/public/reports" ;;
    stats)
        wrk_case stats "$size" -s "$ROOT/bench/get.lua" \
            "$BASE/api/v1/stats?from=$FROM&to=$TO" \
            -- "Authorization: Bearer $IOC" ;;
    esac
}

# The verdict's ratios, for Redis µs and CPU µs: the median of the runs'
# pairs' ratios, run i of the large node against run i of the small,
# measured one right after the other (turns), so that the machine's
# drift weighs on both figures of a pair alike.  The ratio of the two
# sizes' medians took each from another minute: it read 0.82 to 1.51 for
# the same code and data (reporter_read, six runs on 2026-12-05/06).  The
# best runs' ratio is printed too: what else the machine runs only adds,
# but one lucky run decides it (stats 1.47 where its pairs read 1.07-1.47,
# median 1.10).  "pair <case> <Redis median of pairs> <CPU median of
# pairs> <Redis best runs> <Redis lowest pair> <highest> <CPU best runs>
# <lowest pair> <highest>" (an even count: the upper middle).
pairs() {
    LC_ALL=C awk -v small="$SMALL" "$AWK_MED"'
        { i = $NF; name = $1
          if ($2 == small) {
              u[i] = $5; c[i] = $6
              if (bu == "" || $5 < bu) bu = $5
              if (bc == "" || $6 < bc) bc = $6
          } else {
              U[i] = $5; C[i] = $6
              if (BU == "" || $5 < BU) BU = $5
              if (BC == "" || $6 < BC) BC = $6
          } }
        END {
            n = 0
            for (i in u) if ((i in U) && u[i] > 0 && c[i] > 0) {
                n++; qu[n] = U[i] / u[i]; qc[n] = C[i] / c[i] }
            if (n == 0 || bu <= 0 || bc <= 0) {
                printf "pair %s 99 99 99 99 99 99 99 99\n", name; exit }
            mu = med(qu, n); mc = med(qc, n)
            printf "pair %s %.2f %.2f %.2f %.2f %.2f %.2f %.2f %.2f\n",
                   name, mu, mc, BU / bu, qu[1], qu[n], BC / bc, qc[1], qc[n]
        }'
}

# RUNS runs of a read case on each node, the nodes taking turns; each
# node's median run; and the pairs' ratios (pairs)
read_case() {
    local i n l
    local -A lines=([s]='' [l]='')
    for ((i = 0; i < RUNS; i++)); do
        for n in $(turns "$i"); do
            use_node "$n"
            l=$(one_case "$1") || exit 1
            lines[$n]+="$l $i"$'\n'
        done
    done
    for n in s l; do
        printf '%s' "${lines[$n]}" | medians
    done
    printf '%s' "${lines[s]}${lines[l]}" | tee -a "$OUT/scale-runs.txt" | pairs
}

# the submit case's reports leave again after each run (the next run
# measures the loaded province, not them)
unsubmit() {
    local t=$1 cur=0
    while cur=$(rcli EVAL "$UNSUBMIT" 1 "${P}q:submitted" "$P" "$t" "$cur") \
          && [ "$cur" != 0 ]
    do :; done
    # (the local days, UTC+7, from t to now: the case's day keys)
    for d in $(date -u -d "@$((t + 25200))" +%Y%m%d) \
             $(date -u -d "@$(($(date +%s) + 25200))" +%Y%m%d); do
        rcli EVAL "$UNNEAR" 1 "${P}near:$d" "$t" >/dev/null
    done
    unfill
    # and their one-day idempotency keys (pa_record_compat on): else the
    # next run would start with tens of thousands, where a province holds
    # a day's, and the expires dict would double during the case
    rcli EVAL 'local c = "0"
               repeat
                   local r = redis.call("SCAN", c, "MATCH", KEYS[1] .. "*",
                                        "COUNT", 10000)
                   c = r[1]
                   for _, k in ipairs(r[2]) do redis.call("DEL", k) end
               until c == "0"
               return 0' 1 "${P}idem:" >/dev/null
}

# submit as read_case takes the others, each run its own reports (the tag
# after the warm-up's, size + 1); the median run's commands are the ones
# by_command prints
submit_case() {
    local i n l t size cmd
    local -A lines=([s]='' [l]='')
    for ((i = 0; i < RUNS; i++)); do
        for n in $(turns "$i"); do
            use_node "$n"
            size=${N_SIZE[$n]}
            cmd=$OUT/scale-cmd-submit-$size.txt
            t=$(date +%s)
            headroom 300000 >> "$OUT/scale-headroom.txt"
            l=$(wrk_case submit "$size" -s "$ROOT/bench/submit.lua" "$BASE" \
                -- "$((size + 2 + i))") || exit 1
            cp "$cmd" "$cmd.$i"
            lines[$n]+="$l $i"$'\n'
            unsubmit "$t"
        done
    done
    for n in s l; do
        cmd=$OUT/scale-cmd-submit-${N_SIZE[$n]}.txt
        l=$(printf '%s' "${lines[$n]}" | median_run)
        cp "$cmd.${l##* }" "$cmd"
        printf '%s' "${lines[$n]}" | medians
    done
    printf '%s' "${lines[s]}${lines[l]}" | tee -a "$OUT/scale-runs.txt" | pairs
}

measure() {
    local n a c
    for n in s l; do
        use_node "$n"
        a=$(submit_one "$((N_SIZE[$n] + 7))") \
            || die "a submit was refused at ${N_SIZE[$n]}"
        N_ID[$n]=$(printf '%s' "$a" | jq -r .id)
        N_TOK[$n]=$(printf '%s' "$a" | jq -r .access_token)
    done
    for c in queue_ioc queue_agency reporter_read public_list stats; do
        read_case "$c"
    done
    submit_case
}

# bytes per report: used_memory's growth over the load (the large node's
# second load alone, scaled to all, as when one node grew in two stages),
# and MEMORY USAGE
# of 500 reports' hashes and history lists (the history excluded from the
# per-report figure, as the goal says)
memory() {
    local size=$1 grown=$2 r h n=0 sr=0 sh=0
    # resolved reports: nine in ten of a province's (no index holds all)
    for id in $(rcli ZRANDMEMBER "${P}st:resolved" 500); do
        r=$(rcli MEMORY USAGE "${P}r:$id" SAMPLES 0)
        h=$(rcli MEMORY USAGE "${P}h:$id" SAMPLES 0)
        sr=$((sr + ${r:-0})); sh=$((sh + ${h:-0})); n=$((n + 1))
    done
    echo "mem $size $((grown / size)) $(((grown - sh * size / n) / size)) \
$((sr / n)) $((sh / n))"
}

# the data as loaded, for bench/scale-replay.sh (SCALE_KEEP_RDB)
keep_rdb() {
    [ -n "${SCALE_KEEP_RDB:-}" ] || return 0
    mkdir -p "$SCALE_KEEP_RDB"
    # (dir and dbfilename are protected configs: Redis's own file, moved)
    [ "$(rcli SAVE)" = OK ] || die "SAVE of the $1 stage failed"
    mv "$REDIS_DIR/dump.rdb" "$SCALE_KEEP_RDB/scale-$1.rdb"
}

# the generator against the module: a small load, its shape compared
load 600 9000000 300
layout_check
[ -n "${SCALE_CHECK_ONLY:-}" ] && exit 0

RESULTS=$RUN/results.txt
: > "$RESULTS"

U0=$(used)
T0=$(date +%s)
load "$SMALL" 0 300
echo "loaded $SMALL reports in $(( $(date +%s) - T0 )) s"
U1=$(used)
memory "$SMALL" $((U1 - U0)) | tee -a "$RESULTS"

# one resolved report as stored: what its bytes are
SAMPLE=$(rcli ZRANGE "${P}st:resolved" 0 0)
{
    echo "report $SAMPLE: $(rcli HLEN "${P}r:$SAMPLE") fields," \
         "$(rcli OBJECT ENCODING "${P}r:$SAMPLE")," \
         "$(rcli MEMORY USAGE "${P}r:$SAMPLE") bytes"
    rcli HGETALL "${P}r:$SAMPLE" | paste - - \
        | awk -F'\t' '{ printf "%6d  %s\n", length($1) + length($2), $1 }' \
        | sort -rn
} > "$OUT/scale-sample.txt"
[ -n "${SCALE_INSPECT:-}" ] && { cat "$OUT/scale-sample.txt"; exit 0; }
keep_rdb "$SMALL"

# the large node: the same first load, then the rest
start_node l "$LARGE"
[ "$(rcli SCRIPT LOAD "$("$ROOT/build/pa-script" \
    --lib "$ROOT/redis-scripts/lib" "$ROOT/bench/scale-gen.lua")")" \
    = "$GEN_SHA" ] || die "the generator's script differs on the large node"
load "$SMALL" 0 300
U1B=$(used)
T0=$(date +%s)
load $((LARGE - SMALL)) "$SMALL" 0
echo "loaded $((LARGE - SMALL)) more in $(( $(date +%s) - T0 )) s"
U2=$(used)
memory "$LARGE" $(((U2 - U1B) * LARGE / (LARGE - SMALL))) | tee -a "$RESULTS"
keep_rdb "$LARGE"

measure | tee -a "$RESULTS"

# ------------------------------------------------------------ the table

# the submit case by command (INFO commandstats, per report stored): Redis
# times each command a script runs as well as the EVALSHA around them; the
# EVALSHA's own minus its commands is Lua and the call's overhead
by_command() {
    local a=$OUT/scale-cmd-submit-$SMALL.txt b=$OUT/scale-cmd-submit-$LARGE.txt
    [ -s "$a" ] && [ -s "$b" ] || return 0
    echo
    echo "The submit case by command (INFO commandstats over the case, per" \
         "report stored; \"lua+call\": EVALSHA's time minus its commands';" \
         "load average at the case's end: $S $(sed -n '1s/.* load //p' "$a")," \
         "$L $(sed -n '1s/.* load //p' "$b")):"
    echo
    echo "| command | $S calls/report | $S µs/report | $L calls/report |" \
         "$L µs/report | µs $L - $S |"
    echo "|---|---|---|---|---|---|"
    awk -v S="$S" -v L="$L" '
        FNR == 1 { f++; n[f] = $3; next }
        # (the bench itself: INFO, DEBUG HTSTATS, CONFIG, LATENCY)
        /^cmdstat_(info|debug|config|latency)/ { next }
        { split($0, kv, ":"); c = substr(kv[1], 9)
          match($0, /calls=[0-9]+/); k = substr($0, RSTART + 6, RLENGTH - 6)
          match($0, /usec=[0-9]+/); u = substr($0, RSTART + 5, RLENGTH - 5)
          if (!(c in seen)) { seen[c] = 1; order[++m] = c }
          calls[f, c] = k / n[f]; us[f, c] = u / n[f]
          if (c != "evalsha") { inner[f] += u / n[f] } }
        END {
          for (i = 1; i <= m; i++) {
              c = order[i]
              printf "| %s | %.2f | %.2f | %.2f | %.2f | %+.2f |\n", c,
                     calls[1, c], us[1, c], calls[2, c], us[2, c],
                     us[2, c] - us[1, c]
          }
          a = us[1, "evalsha"] - inner[1]; b = us[2, "evalsha"] - inner[2]
          printf "| lua+call | | %.2f | | %.2f | %+.2f |\n", a, b, b - a
        }' "$a" "$b"
}

fmt() { awk -v n="$1" 'BEGIN { if (n >= 1000000) printf "%gM", n / 1000000;
                               else printf "%gk", n / 1000 }'; }
S=$(fmt "$SMALL"); L=$(fmt "$LARGE")

{
    echo "# Scale of data: $S vs $L stored reports"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores," \
         "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)," \
         "shared with other work; wrk -t1 -c$CONNS -d$DUR (1 s warm-up)," \
         "each case $RUNS times on each of two nodes (one Redis and nginx" \
         "for each size, side by side, taking turns), each figure the" \
         "median of its runs (the submit case by command: the run of the" \
         "median Redis time; build/bench/scale-wrk-*: the last run's)," \
         "Redis $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/')" \
         "without persistence."
    echo
    echo "Verdict per case: Redis time per call (INFO commandstats," \
         "EVALSHA usec_per_call) and Redis main-thread CPU per call" \
         "(INFO cpu), $L against $S, both at most 1.20 (no more than 20%" \
         "slower): each the median of the $RUNS pairs' ratios (a pair: a" \
         "run on each node, one right after the other); in brackets the" \
         "best run at $L against the best at $S, and the pairs' lowest" \
         "and highest (the runs: build/bench/scale-runs.txt)." \
         "$([ "$PIN" = 1 ] && echo "Each node's Redis pinned to a CPU of" \
            "its own, its nginx and wrk to the other(s) (SCALE_PIN).")" \
         "Throughput and p99 are the machine's as much as the" \
         "data's (load average, 1 min, at the end of each case); wait:" \
         "the Redis thread's time waiting for a CPU per call (schedstat)," \
         "which its time per call counts and its CPU time does not."
    echo
    echo "| case | $S req/s | $S p99 ms | $S Redis µs | $S CPU µs |" \
         "$L req/s | $L p99 ms | $L Redis µs | $L CPU µs |" \
         "Redis µs $L/$S | CPU µs $L/$S |" \
         "req/s $L/$S | load $S; $L |" \
         "wait µs $S; $L | goal ≤ 1.20 |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    for c in submit queue_ioc queue_agency reporter_read public_list stats; do
        read -r _ _ r1 p1 u1 c1 l1 w1 < <(grep "^$c $SMALL " "$RESULTS")
        read -r _ _ r2 p2 u2 c2 l2 w2 < <(grep "^$c $LARGE " "$RESULTS")
        read -r _ _ qu qc mu u0 u9 mc c0 c9 < <(grep "^pair $c " "$RESULTS")
        awk -v c="$c" -v r1="$r1" -v p1="$p1" -v u1="$u1" -v r2="$r2" \
            -v p2="$p2" -v u2="$u2" -v c1="$c1" -v c2="$c2" -v l1="$l1" \
            -v l2="$l2" -v w1="$w1" -v w2="$w2" -v qu="$qu" -v qc="$qc" \
            -v ur="best $mu, pairs $u0-$u9" \
            -v cr="best $mc, pairs $c0-$c9" 'BEGIN {
            qr = r1 > 0 ? r2 / r1 : 0
            v = (qu + 0 <= 1.2 && qc + 0 <= 1.2) ? "met" : "missed"
            printf "| %s | %.0f | %s | %s | %s | %.0f | %s | %s | %s |" \
                   " %s (%s) | %s (%s) | %.2f | %s; %s | %s; %s | %s |\n",
                   c, r1, p1, u1, c1, r2, p2, u2, c2, qu, ur, qc, cr, qr,
                   l1, l2, w1, w2, v
        }'
    done
    echo
    echo "Redis memory per report (bytes): used_memory's growth over the" \
         "load / reports; the same without the history lists (MEMORY" \
         "USAGE of 500 sampled h: keys, scaled); MEMORY USAGE of a" \
         "sampled report hash r: and history list h: (text reports, no" \
         "media). Goal: ≤ 1536 without history."
    echo
    echo "| reports | all per report | without history | r: hash | h: list | goal ≤ 1536 |"
    echo "|---|---|---|---|---|---|"
    grep '^mem ' "$RESULTS" | while read -r _ n all nohist r h; do
        echo "| $(fmt "$n") | $all | $nohist | $r | $h |" \
             "$([ "$nohist" -le 1536 ] && echo met || echo missed) |"
    done
    by_command
} > "$OUT/scale.md"

# what make bench's table shows (bench/run.sh): the slowest case, the
# memory at the large size, when and on which commit.  Only a run at the
# issue's sizes, 10k and 1M: a short check's would stand in the table
# (it did once, 2026-12-05); other sizes write scale-summary-<s>-<l>.txt
SUMMARY=$OUT/scale-summary.txt
[ "$SMALL" = 10000 ] && [ "$LARGE" = 1000000 ] \
    || SUMMARY=$OUT/scale-summary-$SMALL-$LARGE.txt
{
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "dirty=$({ git -C "$ROOT" status --porcelain -- ngx_pa_module \
                    redis-scripts bench/scale*.{sh,lua} 2>/dev/null \
                    || true; } | wc -l)"
    echo "small=$S"
    echo "large=$L"
    echo "load=$LOAD_START $(cut -d' ' -f1 /proc/loadavg)"
    echo "runs=$RUNS"
    for c in submit queue_ioc queue_agency reporter_read public_list stats; do
        grep "^pair $c " "$RESULTS"
    done | awk '{ q = $3; if ($4 > q) q = $4
                  if (q > w) { w = q; n = $2 } }
                END { printf "slowest=%s\nratio=%.2f\n", n, w }'
    grep "^mem $LARGE " "$RESULTS" \
        | awk '{ printf "mem_all=%s\nmem_nohist=%s\n", $3, $4 }'
} > "$SUMMARY"

echo
cat "$OUT/scale.md"
