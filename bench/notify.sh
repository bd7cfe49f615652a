#!/usr/bin/env bash
# make bench-notify: event-to-webhook latency, the issue 14 target (p99 <
# 100 ms with a healthy receiver).
#
#   bench/notify.sh MODULE_SO
#
# Starts a private Redis and nginx (2 workers, pa_notify to the reference
# receiver tests/receiver/pa-receiver.pl), submits BENCH_NOTIFY_N reports
# at BENCH_NOTIFY_RATE a second, and measures, for each "submitted" event,
# the time from its stream entry (the entry id is Redis' clock in ms when
# submit.lua wrote it) to the receiver reading the webhook.  Prints p50,
# p99 and max; writes build/bench/notify.md; stops everything it started.
#
# Environment: BENCH_NOTIFY_N [300], BENCH_NOTIFY_RATE [50], NGINX.

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODULE=${1:?usage: bench/notify.sh MODULE_SO}
NGINX=${NGINX:-/usr/sbin/nginx}
N=${BENCH_NOTIFY_N:-300}
RATE=${BENCH_NOTIFY_RATE:-50}

OUT=$ROOT/build/bench
RUN=$OUT/notify
. "$ROOT/bench/lib.sh"     # die, free_port, redis_start, nginx_start

bench_module

RCV_PID=

cleanup() {
    nginx_stop "$RUN/nginx"
    [ -n "$RCV_PID" ] && kill "$RCV_PID" 2>/dev/null
    redis_stop
}
trap cleanup EXIT INT TERM

rm -rf "$RUN"
mkdir -p "$RUN/nginx/tmp"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$RUN/hook.key"

redis_start "$RUN/redis"
HTTP_PORT=$(free_port "$REDIS_PORT") || die "no free port"
HOOK_PORT=$(free_port "$REDIS_PORT" "$HTTP_PORT") || die "no free port"

perl "$ROOT/tests/receiver/pa-receiver.pl" --port "$HOOK_PORT" \
    --secret-file "$RUN/hook.key" --log "$RUN/hook.jsonl" &
RCV_PID=$!

{
bench_conf_head "$RUN/nginx" "$MODULE" 2 1024
cat <<EOC
    pa_redis 127.0.0.1:$REDIS_PORT;
    pa_redis_scripts $ROOT/redis-scripts;
    pa_tenant bench_notify;
    pa_media_dir $RUN/media;
    pa_auth_secret_file $ROOT/t/keys/auth.key;
    pa_pii_key_file $ROOT/t/keys/pii.key;
    pa_sla verify 1d;
    pa_notify bench http://127.0.0.1:$HOOK_PORT/hook
              secret_file=$RUN/hook.key events=submitted timeout=2s;
    server {
        listen 127.0.0.1:$HTTP_PORT;
        location /api/v1/ { pa_api; }
    }
}
EOC
} > "$RUN/nginx/nginx.conf"

nginx_start "$RUN/nginx" "http://127.0.0.1:$HTTP_PORT/api/v1/health"

gap=$(awk "BEGIN { print 1 / $RATE }")
echo "notify: $N reports at $RATE/s to a local receiver..."
for i in $(seq 1 "$N"); do
    printf -v phone '09%08d' "$i"
    curl -s -o /dev/null -H 'Content-Type: application/json' \
        -d "{\"content\":\"bench $i\",\"lat\":22.39,\"lng\":103.45,\"reporter_name\":\"B\",\"reporter_phone\":\"$phone\"}" \
        "http://127.0.0.1:$HTTP_PORT/api/v1/reports" &
    sleep "$gap"
done
wait_for=$((SECONDS + 60))
while [ "$(wc -l < "$RUN/hook.jsonl" 2>/dev/null || echo 0)" -lt "$N" ] \
      && [ $SECONDS -lt $wait_for ]; do
    sleep 0.2
done

perl -MJSON::PP -e '
    my @l;
    while (<>) {
        my $d = decode_json($_);
        my ($ms) = decode_json($d->{body})->{event_id} =~ /^(\d+)-/;
        push @l, $d->{at_ms} - $ms;
    }
    @l = sort { $a <=> $b } @l;
    die "no deliveries\n" unless @l;
    my $p = sub { $l[int($_[0] * $#l + 0.5)] };
    printf "| deliveries | p50 ms | p99 ms | max ms | goal p99 < 100 ms |\n"
         . "|---|---|---|---|---|\n| %d | %d | %d | %d | %s |\n",
           scalar @l, $p->(0.5), $p->(0.99), $l[-1],
           $p->(0.99) < 100 ? "met" : "NOT met";
' "$RUN/hook.jsonl" | tee "$OUT/notify.md"
