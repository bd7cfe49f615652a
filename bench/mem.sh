#!/usr/bin/env bash
# make bench-mem: Redis memory per report, measured on reports the module
# itself made (issue 12.4).  Each report is submitted over HTTP and taken
# through its life by the staff as a province's reports are: verify,
# receive, dispatch, accept, resolve, publish, and the reporter's rating
# (every other one), so the record holds what ten years of closed reports
# hold.  Then every key is measured (MEMORY USAGE ... SAMPLES 0) and
# grouped by kind, and used_memory's growth is divided by the reports.
#
#   bench/mem.sh MODULE_SO
#
# Redis runs as `make run` and production.conf recommend
# (--hash-max-listpack-value 1024; no AOF: it does not change the data's
# size).  Not per report, so left out of "without history": the capped
# streams (events, audit), the one-day idem: keys, the day counters.
#
# Environment: MEM_REPORTS [300], MEM_REDIS (more redis-server options,
# after bench/lib.sh's PA_REDIS_SETTINGS), NGINX [/usr/sbin/nginx].  Writes build/bench/mem.md.

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODULE=${1:?usage: bench/mem.sh MODULE_SO}
NGINX=${NGINX:-/usr/sbin/nginx}
N=${MEM_REPORTS:-300}
REDIS_OPTS=${MEM_REDIS:-}

OUT=$ROOT/build/bench
RUN=$OUT/mem-run
NGX_PREFIX=$RUN/nginx
REDIS_DIR=$RUN/redis
P='pa:{laichau}:'     # the profile's pa_tenant

. "$ROOT/bench/lib.sh"     # die, free_port, redis_start, nginx_start

bench_module
bench_needs redis-server redis-cli curl jq "$NGINX"

cleanup() {
    set +e
    nginx_stop "$NGX_PREFIX"
    redis_stop
    rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

rm -rf "$RUN" "$OUT/mem.md"
mkdir -p "$OUT" "$NGX_PREFIX/tmp" "$NGX_PREFIX/media" "$REDIS_DIR"

rcli() { redis-cli -p "$REDIS_PORT" "$@"; }

# shellcheck disable=SC2086
redis_start "$REDIS_DIR" $REDIS_OPTS

NGX_PORT=$(free_port "$REDIS_PORT") || die "no free port"
cp "$MODULE" "$RUN/ngx_http_pa_module.so"
{
bench_conf_head "$NGX_PREFIX" "$RUN/ngx_http_pa_module.so" 1 256 \
    "thread_pool pa threads=2;"
cat <<EOC
$(bench_profile "$NGX_PREFIX")
    pa_thread_pool pa;
    pa_sweep_interval 0;
    server {
        listen 127.0.0.1:$NGX_PORT;
        location /api/v1/ { pa_api; }
    }
}
EOC
} > "$NGX_PREFIX/nginx.conf"

BASE=http://127.0.0.1:$NGX_PORT/api/v1
nginx_start "$NGX_PREFIX" "$BASE/health"

AGENCY=so-khcn
KEY=$ROOT/t/keys/auth.key
IOC=$("$ROOT/bin/pa-token" --role ioc --secret-file "$KEY")
HANDLER=$("$ROOT/bin/pa-token" --role handler --agency "$AGENCY" \
          --secret-file "$KEY")

used() { rcli INFO memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p'; }

post() {        # post URL AUTH-HEADER BODY: the answer, or die
    curl -fsS -H 'Content-Type: application/json' -H "$2" \
        --data-binary "$3" "$1" || die "refused: $1 $3"
}

act() {         # act ID AUTH-HEADER JSON
    post "$BASE/reports/$1/actions" "$2" "$3" >/dev/null
}

# Texts of several lengths (about 60 to 300 bytes): a hash is allocated in
# jemalloc's size classes (256 bytes apart at this size), so one text
# length for every report would show a saving only when it crosses a class
# boundary; mixed lengths show the average a province sees.
MORE="; đề nghị cơ quan chức năng sớm kiểm tra, xử lý"

text() {        # text N: the N-th report's content
    local t="Ổ gà lớn trên đường Trần Hưng Đạo, gần số nhà $1" k
    for k in $(seq 1 $(( $1 % 5 ))); do t="$t$MORE"; done
    printf '%s' "$t"
}

life() {        # one report, submitted and taken to resolved + published
    local n=$1 a id tok
    a=$(post "$BASE/reports" "Accept: application/json" "{\"content\":\"$(text "$n")\",\"title\":\"Ổ gà\",\"category\":\"traffic\",\"lat\":22.396,\"lng\":103.458,\"reporter_name\":\"Nguyễn Văn A\",\"reporter_phone\":\"09$(printf '%08d' "$n")\",\"channel\":\"app\"}")
    id=$(printf '%s' "$a" | jq -r .id)
    tok=$(printf '%s' "$a" | jq -r .access_token)
    act "$id" "Authorization: Bearer $IOC" '{"action":"verify"}'
    act "$id" "Authorization: Bearer $IOC" '{"action":"receive"}'
    act "$id" "Authorization: Bearer $IOC" \
        "{\"action\":\"dispatch\",\"agencies\":[\"$AGENCY\"]}"
    act "$id" "Authorization: Bearer $HANDLER" '{"action":"accept"}'
    act "$id" "Authorization: Bearer $HANDLER" \
        '{"action":"resolve","salutation":"Ông","summary":"Đã vá ổ gà, hoàn trả mặt đường."}'
    act "$id" "Authorization: Bearer $IOC" '{"action":"publish"}'
    if [ $((n % 2)) = 0 ]; then
        act "$id" "X-Report-Token: $tok" \
            '{"action":"rate","rating":"satisfied"}'
    fi
}

BEFORE=$(used)
for n in $(seq 1 "$N"); do
    life "$n"
done
AFTER=$(used)

# every key, by kind: the name up to its first variable part
rcli --scan --pattern "${P}*" > "$RUN/keys"
while read -r k; do
    printf '%s %s\n' "$k" "$(rcli MEMORY USAGE "$k" SAMPLES 0)"
done < "$RUN/keys" \
| awk -v P="$P" -v N="$N" '
    { k = substr($1, length(P) + 1); b = $2
      if (k ~ /^(r|h|tok|dup|idem|aidem|stats|late|o311:c|up|upa|rl):/) {
          sub(/:.*/, ":*", k)
      } else if (k ~ /^aq:/) { k = "aq:*" }
      keys[k]++; bytes[k] += b }
    END { for (k in keys) printf "%s %d %d %.0f\n", k, keys[k], bytes[k],
                                  bytes[k] / N }' \
| sort -k3 -n -r > "$RUN/kinds"

kind() { awk -v k="$1" '$1 == k { print $3 }' "$RUN/kinds"; }
GROWTH=$(( (AFTER - BEFORE) ))
NOTPER=0
for k in events audit 'idem:*' 'aidem:*' 'stats:*' 'late:*' gauge pubver \
         'h:*'; do
    v=$(kind "$k"); NOTPER=$((NOTPER + ${v:-0}))
done
PER=$((GROWTH / N))
LEAN=$(( (GROWTH - NOTPER) / N ))
R=$(( $(kind 'r:*') / N ))

{
    echo "| reports | used_memory growth / report | without history, streams, idem:, day counters | \`r:\` hash | goal ≤ 1536 |"
    echo "|---|---|---|---|---|"
    echo "| $N | $PER | $LEAN | $R | $([ "$LEAN" -le 1536 ] && echo met || echo missed) |"
    echo
    echo "| key kind | keys | MEMORY USAGE | per report |"
    echo "|---|---|---|---|"
    awk '{ printf "| `%s` | %s | %s | %s |\n", $1, $2, $3, $4 }' "$RUN/kinds"
    echo
    echo "One resolved report's fields (name, value bytes):"
    echo
    id=$(rcli ZRANGE "${P}st:resolved" 0 0)
    rcli HGETALL "${P}r:$id" | paste - - -d '\t' \
        | LC_ALL=C awk -F"\t" '{ printf "    %-24s %d\n", $1, length($2) }'
} | tee "$OUT/mem.md"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/mem.md"
