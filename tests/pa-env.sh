#!/usr/bin/env bash
# Starts and stops the development server: Redis (AOF on, data in var/redis)
# and Debian's nginx with conf-examples/dev.conf, prefix = the repo.
#
#   tests/pa-env.sh run PROFILE TEST_CLOCK REDIS_PORT MODULE_SO
#   tests/pa-env.sh stop
#
# Running "run" again restarts nginx cleanly and keeps Redis and its data.

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VAR=$ROOT/var
NGINX=${NGINX:-/usr/sbin/nginx}

die() { echo "pa-env: $*" >&2; exit 1; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_nginx() {
    if alive "$VAR/nginx.pid"; then
        local pid
        pid=$(cat "$VAR/nginx.pid")
        kill -QUIT "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null || true
        sleep 0.2
    fi
    rm -f "$VAR/nginx.pid"
}

stop_redis() {
    if alive "$VAR/redis/redis.pid"; then
        local pid
        pid=$(cat "$VAR/redis/redis.pid")
        # SHUTDOWN flushes the AOF before exiting
        redis-cli -p "$(cat "$VAR/redis/port")" shutdown >/dev/null 2>&1 \
            || kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
}

secrets() {
    mkdir -p "$VAR/secrets"
    chmod 700 "$VAR/secrets"
    if [ ! -s "$VAR/secrets/auth.key" ]; then
        openssl rand -hex 32 > "$VAR/secrets/auth.key"
    fi
    if [ ! -s "$VAR/secrets/pii.key" ]; then
        {
            echo "# ngx_pa personal-data keys: '<id> <64 hex>', first seals"
            echo "k$(date +%Y%m%d) $(openssl rand -hex 32)"
        } > "$VAR/secrets/pii.key"
    fi
    # one Open311 client for trying GeoReport clients against `make run`
    if [ ! -s "$VAR/secrets/open311.keys" ]; then
        {
            echo "# Open311 API keys: '<key> <client> <rate>' (pa_open311_keys)"
            echo "dev-$(openssl rand -hex 16) dev-client 60r/m"
        } > "$VAR/secrets/open311.keys"
    fi
    chmod 600 "$VAR/secrets/"*
}

start_redis() {
    local port=$1
    if alive "$VAR/redis/redis.pid" \
        && [ "$(cat "$VAR/redis/port" 2>/dev/null)" = "$port" ]; then
        return
    fi
    stop_redis
    mkdir -p "$VAR/redis" "$VAR/log"
    echo "$port" > "$VAR/redis/port"
    redis-server --bind 127.0.0.1 --port "$port" --daemonize yes \
        --dir "$VAR/redis" --pidfile "$VAR/redis/redis.pid" \
        --logfile "$VAR/log/redis.log" \
        --appendonly yes --appendfsync everysec --save "" \
        --hash-max-listpack-value 1024 \
        >/dev/null || die "redis-server did not start (see var/log/redis.log)"
    for _ in $(seq 1 50); do
        redis-cli -p "$port" ping >/dev/null 2>&1 && return
        sleep 0.1
    done
    die "redis did not answer on port $port"
}

run() {
    local profile=$1 clock=$2 port=$3 module=$4
    [ -f "$ROOT/conf-examples/profiles/$profile.conf" ] \
        || die "no profile conf-examples/profiles/$profile.conf"
    [ -f "$module" ] || die "module not built: $module"

    mkdir -p "$VAR/log" "$VAR/tmp" "$VAR/media" "$VAR/cache"
    secrets
    start_redis "$port"

    {
        echo "# written by make run: PROFILE=$profile TEST_CLOCK=$clock"
        echo "include profiles/$profile.conf;"
        if [ "$clock" = 1 ]; then
            echo "pa_test_clock on;"
        fi
    } > "$VAR/run.conf"

    # the workers (www-data) write the media store and body temp files
    if id www-data >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        chown -R www-data "$VAR/media" "$VAR/tmp" "$VAR/cache"
    fi

    stop_nginx
    "$NGINX" -p "$ROOT/" -c conf-examples/dev.conf -t -q \
        || die "nginx configuration test failed"
    "$NGINX" -p "$ROOT/" -c conf-examples/dev.conf \
        || die "nginx did not start (see var/log/error.log)"

    for _ in $(seq 1 50); do
        if curl -fsS -o /dev/null http://127.0.0.1:8080/api/v1/health \
            2>/dev/null; then
            break
        fi
        sleep 0.1
    done

    cat <<EOT
ngx_pa is running (profile $profile, test clock $clock)
  portal:   http://127.0.0.1:8080/
  API:      http://127.0.0.1:8080/api/v1/health
  tokens:   bin/pa-token --role ioc
  logs:     var/log/error.log, var/log/access.log
  stop:     make stop
EOT
}

case "${1:-}" in
    run)  shift; run "$@" ;;
    stop) stop_nginx; stop_redis; echo "stopped" ;;
    *)    die "usage: $0 run PROFILE TEST_CLOCK REDIS_PORT MODULE_SO | stop" ;;
esac
