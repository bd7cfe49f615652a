# What the bench scripts share; sourced, not run: die, the checks of their
# start (bench_needs, bench_module), free_port, the private Redis and
# nginx each bench starts and stops, and what their nginx.conf share
# (bench_conf_head, bench_settings, bench_profile, bench_steps).

die() { echo "bench: $*" >&2; exit 1; }

# bench_needs TOOL...: dies naming the first TOOL not installed
bench_needs() {
    local t
    for t; do
        command -v "$t" >/dev/null 2>&1 || die "$t is missing"
    done
}

# bench_module: MODULE, the script's argument, made absolute (a relative
# one is from the repository, ROOT); dies when it is not built
bench_module() {
    case "$MODULE" in /*) ;; *) MODULE=$ROOT/$MODULE ;; esac
    [ -f "$MODULE" ] || die "module not built: $MODULE (make build)"
}

# a port nobody listens on (connect refused), none of the arguments (ports
# chosen for a server that is not listening yet), below the kernel's
# ephemeral range: a port of that range may be the local end of some
# connection (the wrk runs of a bench make thousands), and bind() then
# fails with "Address already in use"
free_port() {
    local p lo
    read -r lo _ < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null \
        || lo=32768
    [ "$lo" -gt 11024 ] || lo=32768
    for _ in $(seq 1 200); do
        p=$((10000 + RANDOM % (lo - 10000)))
        case " $* " in *" $p "*) continue ;; esac
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# until_ok WHAT CMD...: runs CMD every 0.1 s until it succeeds, 5 s at the
# most; dies naming WHAT when it never does
until_ok() {
    local what=$1
    shift
    for _ in $(seq 1 50); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    "$@" >/dev/null 2>&1 || die "$what"
}

# The Redis settings the project asks of every Redis it runs on, beyond
# AOF (conf-examples/production.conf; make run's, tests/pa-env.sh): a
# report hash holds values longer than Redis' default 64 bytes of a
# listpack value (its text, its doc), which would store each as a hash
# table.  Every bench's Redis has them, so submit is timed on the data
# layout whose memory bench/mem.sh and scale.sh report (redis_start
# passes them; bench/batch-callgrind.sh too).  Set in the environment,
# it replaces them (PA_REDIS_SETTINGS="--hash-max-listpack-value 64":
# Redis' default, to compare).
PA_REDIS_SETTINGS=${PA_REDIS_SETTINGS---hash-max-listpack-value 1024}

# redis_start DIR [redis-server options]: a private Redis on a free port
# (sets REDIS_PORT and REDIS_DIR), its pid file, log and data in DIR, no
# persistence unless the options ask for it, PA_REDIS_SETTINGS (a later
# option wins), up and answering when this returns
redis_start() {
    REDIS_DIR=$1
    shift
    mkdir -p "$REDIS_DIR"
    REDIS_PORT=$(free_port) || die "no free port"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
        --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" \
        --logfile "$REDIS_DIR/redis.log" --appendonly no --save "" \
        $PA_REDIS_SETTINGS "$@" \
        >/dev/null || die "redis-server did not start"
    until_ok "redis-server does not answer ($REDIS_DIR/redis.log)" \
        redis-cli -p "$REDIS_PORT" ping
}

# redis_stop: the Redis of redis_start, if it runs (SHUTDOWN NOSAVE, else
# TERM; KILL after 10 s); for an EXIT trap, so never fails
redis_stop() {
    local pid
    [ -n "${REDIS_DIR:-}" ] && [ -s "$REDIS_DIR/redis.pid" ] || return 0
    pid=$(cat "$REDIS_DIR/redis.pid")
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 \
        || kill -TERM "$pid" 2>/dev/null
    stopped "$pid"
}

# nginx_start PREFIX URL: $NGINX (default /usr/sbin/nginx) with
# PREFIX/nginx.conf, its error log PREFIX/error.log (the conf writes its
# pid to PREFIX/nginx.pid), answering URL when this returns (the
# module's health: it sees Redis)
nginx_start() {
    local prefix=$1 url=$2
    "${NGINX:-/usr/sbin/nginx}" -e "$prefix/error.log" -p "$prefix/" \
        -c "$prefix/nginx.conf" \
        || die "nginx did not start ($prefix/error.log)"
    until_ok "$url does not answer ($prefix/error.log)" \
        curl -fsS -o /dev/null "$url"
}

# nginx_stop PREFIX: the nginx of nginx_start, if it runs (QUIT, KILL
# after 10 s); never fails
nginx_stop() {
    local pid
    [ -s "$1/nginx.pid" ] || return 0
    pid=$(cat "$1/nginx.pid")
    kill -QUIT "$pid" 2>/dev/null
    stopped "$pid"
    rm -f "$1/nginx.pid"
}

# stopped PID: waits up to 10 s for PID to exit, then kills it
stopped() {
    for _ in $(seq 1 100); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$1" 2>/dev/null
    return 0
}

# headroom NEED: the main dict made ready for NEED new keys (bench/scale.sh
# before its submit case, bench/scale-replay.sh); the caller defines rcli
# (its Redis), P (the tenant's prefix) and FILLED=0; prints what it made.
# unfill: the fillers left, after the case.
#
# The main dict (every key) doubles its table when it holds as many keys as
# buckets, then moves the keys over one bucket per command (and 1 ms per
# cron tick): while that lasts, every command pays a step and a lookup in
# both tables.  A province crosses a power of two once in years; the
# bench's submit case (four new keys a report: r:, tok:, dup:, idem:)
# crossed one in most runs (4.06M keys after the 1M load, 2^22 buckets),
# and Redis time per submit then measured the rehash, not the data.  So
# before it the table is doubled until the case cannot fill it: filler
# keys cross each line, the rehash is waited for (hz 100 meanwhile: ten
# times the cron's rehashing), then the fillers leave but for those that
# keep the table a tenth full (below, the cron shrinks it); those leave
# after the case.
ht() { rcli DEBUG HTSTATS 0 | tr -d '\r'; }
rehashing() { ht | grep -q '^Hash table 1 '; }
# (Redis's cron rehashes only while no child runs, and an AOF rewrite of
# the 1M province is one: the wait once ran out, 120 s, at the 10k node's
# shrink after a case.  Each lookup of a key moves a bucket too, so each
# poll makes 20,000.)
rehash_steps() {
    rcli EVAL 'for i = 1, 20000 do redis.call("EXISTS", KEYS[1]) end
               return 0' 1 "${P}fill:none" >/dev/null
}
ht_read() {
    for _ in $(seq 1 1200); do
        rehashing || break
        rehash_steps
        sleep 0.1
    done
    rehashing && die "the main dict did not finish its rehash"
    size=$(ht | sed -n 's/^ table size: //p' | head -1)
    n=$(ht | sed -n 's/^ number of elements: //p' | head -1)
}
fill() {   # $1 from, $2 to (excluded): SET, or DEL with $3
    local r
    r=$(rcli EVAL 'for k = ARGV[1], ARGV[2] - 1 do
                       if ARGV[3] == "SET" then
                           redis.call("SET", KEYS[1] .. k, 1)
                       else
                           redis.call("DEL", KEYS[1] .. k)
                       end
                   end
                   return 0' 1 "${P}fill:" "$1" "$2" "$3")
    [ "$r" = 0 ] || die "the fillers: $r"
}
headroom() {
    local need=$1 size n real target keep
    rcli CONFIG SET hz 100 >/dev/null
    ht_read
    real=$n target=$size
    while [ "$target" -le $((real + need)) ]; do target=$((target * 2)); done
    while [ "$size" -lt "$target" ]; do
        fill "$FILLED" $((FILLED + size - n + 1)) SET
        FILLED=$((FILLED + size - n + 1))
        ht_read
    done
    keep=$((target / 10 + 1 - real))
    [ "$keep" -gt 0 ] || keep=0
    [ "$FILLED" -gt "$keep" ] && fill "$keep" "$FILLED" DEL
    [ "$FILLED" -gt "$keep" ] && FILLED=$keep
    rcli CONFIG SET hz 10 >/dev/null
    ht_read
    echo "main dict before the submit case: $size buckets, $n keys" \
         "($FILLED fillers)"
}
unfill() { fill 0 "$FILLED" DEL; FILLED=0; }

# bench_photo FILE: the photo of the ingestion case, what a phone app sends
# once it has scaled a picture down, about 1 MB (2048x1536, 4:2:0, quality
# 88; noise, so that it compresses like a photo and not like a drawing),
# with a camera's EXIF written by exiftool as in tests/fixtures/make-media.sh:
# DateTimeOriginal now on the province's +07:00 clock (fresh for the
# profile's Điều 7.1 rule, pa_photo_max_age 24h), GPS inside Lai Châu, a
# thumbnail in IFD1, and an ImageUniqueID of 32 zeros that bench/photo.lua
# replaces in each request, so that every report brings a new photo.
# ~2 s of CPU (bench/run.sh, bench/photo.sh)
bench_photo() {
    local photo=$1 taken
    taken=$(date -u -d '+7 hours' '+%Y:%m:%d %H:%M:%S')
    convert -seed 4 -size 2048x1536 plasma:'#6a8'-'#a63' -attenuate 0.6 \
            +noise Gaussian -sampling-factor 2x2 -quality 88 "$photo" \
        && convert "$photo" -thumbnail 160x120 -strip "$photo.thumb" \
        && exiftool -q -q -overwrite_original -ExifByteOrder=Little-endian \
            -Make=samsung -Model=SM-A525F -Software=A525FXXS4CWF1 \
            "-DateTimeOriginal=$taken" "-CreateDate=$taken" \
            "-ModifyDate=$taken" -OffsetTimeOriginal=+07:00 \
            -OffsetTime=+07:00 -GPSLatitude=22.3912 -GPSLatitudeRef=N \
            -GPSLongitude=103.4517 -GPSLongitudeRef=E \
            -ImageUniqueID=00000000000000000000000000000000 \
            "-ThumbnailImage<=$photo.thumb" "$photo" \
        || die "could not make the photo $photo"
    rm -f "$photo.thumb"
}

# bench_conf_head PREFIX MODULE WORKERS CONNECTIONS [LINE...]: a bench's
# nginx.conf up to the inside of its http{}: MODULE loaded, the workers as
# the invoking user when that is root (everything lives in a private
# prefix), WORKERS workers, pid and error log in PREFIX, the LINEs
# (main-context directives: BENCH_POOL, worker_rlimit_nofile),
# CONNECTIONS per worker; in http{} no access log and every temp file in
# PREFIX/tmp (the caller makes it), not in nginx's compiled-in folders
bench_conf_head() {
    local prefix=$1 module=$2 workers=$3 conns=$4 user=
    shift 4
    [ "$(id -u)" = 0 ] && user="user $(id -un) $(id -gn);"
    cat <<EOF
load_module $module;
$user
worker_processes $workers;
pid $prefix/nginx.pid;
error_log $prefix/error.log warn;
EOF
    [ $# -eq 0 ] || printf '%s\n' "$@"
    cat <<EOF
events { worker_connections $conns; }
http {
    access_log off;
    client_body_temp_path $prefix/tmp/body;
    proxy_temp_path $prefix/tmp/proxy;
    fastcgi_temp_path $prefix/tmp/fastcgi;
    uwsgi_temp_path $prefix/tmp/uwsgi;
    scgi_temp_path $prefix/tmp/scgi;
EOF
}

# the media work off the event loop, as in conf-examples/*.conf
BENCH_POOL="thread_pool pa threads=4 max_queue=65536;"

# bench_profile PREFIX [OPTIONS]: http{} settings of the benches that run
# laichau-2026 as shipped (bench/mem.sh, scale.sh, sse.sh, stall.sh), its
# default tenant: the profile, Redis on REDIS_PORT (pa_redis OPTIONS), the
# media store in PREFIX/media, the test keys
bench_profile() {
    local prefix=$1 opts=${2:+ $2}
    cat <<EOF
    include $ROOT/conf-examples/profiles/laichau-2026.conf;
    pa_redis 127.0.0.1:$REDIS_PORT$opts;
    pa_record_compat off;     # every node of this version (t/086)
    pa_redis_scripts $ROOT/redis-scripts;
    pa_media_dir $prefix/media;
    pa_auth_secret_file $ROOT/t/keys/auth.key;
    pa_pii_key_file $ROOT/t/keys/pii.key;
EOF
}

# bench_steps: the deadlines of the steps after verification (an agency
# accepts only a report whose accept deadline it has open) and the
# directory's agencies (the bench's reports are dispatched to so-xd):
# bench/run.sh, and worker-cpu.sh, whose submit is run.sh's
bench_steps() {
    cat <<EOF
    pa_sla receive 1d urgent=1h;
    pa_sla dispatch 1d urgent=1h;
    pa_sla accept 1d urgent=1h;
    pa_sla resolve 5d urgent=1h;
    pa_sla publish 1d urgent=1h;
    pa_directory $ROOT/conf-examples/directory/laichau.json;
EOF
}

# bench_settings PREFIX: the http{} settings of the bench tenant, for the
# nginx.conf of bench/run.sh, bench/photo.sh and bench/worker-cpu.sh (the
# same module settings in each, so that their figures compare): its media
# store in PREFIX/media, Redis on REDIS_PORT, the sweeper off (nothing
# falls due within a run: Redis hears only the requests)
bench_settings() {
    local prefix=$1
    cat <<EOF
    # as laichau-2026 (conf-examples/profiles), tenant "bench"
    pa_profile laichau-2026;
    pa_tenant bench;
    pa_record_compat off;     # every node of this version (t/086)
    pa_utc_offset +07:00;
    pa_calendar_hours 07:30-11:30 13:30-17:00;
    pa_calendar_weekdays mon-fri;
    pa_calendar_file $ROOT/conf-examples/holidays-vn-2026.txt
                     $ROOT/conf-examples/holidays-vn-2027.txt;
    pa_content_max 5000;
    pa_sla verify 1d urgent=1h;

    pa_redis 127.0.0.1:$REDIS_PORT;
    pa_redis_scripts $ROOT/redis-scripts;
    pa_media_dir $prefix/media;
    pa_thread_pool pa;
    pa_auth_secret_file $ROOT/t/keys/auth.key;
    pa_pii_key_file $ROOT/t/keys/pii.key;
    pa_sweep_interval 0;
EOF
}

# capture_submit BASE DIR: make bench's one report, sent by curl to BASE
# while MONITOR writes what Redis runs into DIR/monitor.txt (for
# evalsha_args); sets SHA (submit.lua as the module loads it, with its
# prelude: build/pa-script; -x: the text as is, "$(cat)" would drop the
# final newline and change the sha) and ANSWER (the module's 201 body).
# MON_PID names the monitor while it runs, for the caller's cleanup.
capture_submit() {
    SHA=$("$ROOT/build/pa-script" "$ROOT/redis-scripts/submit.lua" \
          | redis-cli -p "$REDIS_PORT" -x script load)
    redis-cli -p "$REDIS_PORT" monitor > "$2/monitor.txt" 2>/dev/null &
    MON_PID=$!
    sleep 0.3
    ANSWER=$(curl -sS -H 'Content-Type: application/json' \
        --data-binary '{"content":"Ổ gà lớn trên đường Trần Hưng Đạo, gần số nhà 12; nước đọng, xe máy dễ ngã (bench status)","title":"Ổ gà","lat":22.396,"lng":103.458,"reporter_name":"Nguyễn Văn A","reporter_phone":"0912345678","channel":"app"}' \
        "$1/api/v1/reports")
    sleep 0.3
    kill "$MON_PID" 2>/dev/null || true
    wait "$MON_PID" 2>/dev/null || true
    MON_PID=
}

# evalsha_shape FILE: "<n> keys, <m> args" of a captured EVALSHA
evalsha_shape() {
    python3 -c '
import sys
sys.path.insert(0, sys.argv[1])
import resp
a = resp.array(open(sys.argv[2], "rb").read())
print("%d keys, %d args" % (int(a[2]), len(a) - 3 - int(a[2])))' \
        "$ROOT/bench" "$1"
}

# evalsha_args SHA ID MONITOR_FILE: the module's first EVALSHA of SHA in
# the MONITOR output, un-escaped from MONITOR's quoting, as one RESP array
# (binary-safe: the record is a DUMP payload; build/bench/
# evalsha-submit.args: bench/run.sh, bench/capture-args.sh, read by
# bench/replay.c and bench/batch-cost.py); the report id ID, the content
# print and the phone hash become __rand_int__ so each call stores a new
# report, as the module's calls do (not in the record: its length and
# CRC would no longer match; its fields need not differ), and the call's
# deadline is left out.  Fails when there is none.
evalsha_args() {
    grep -F "\"EVALSHA\" \"$1\"" "$3" | head -1 \
        | perl -e '
        my $id = shift; my $line = <STDIN>; defined $line or exit 1;
        $line =~ s/^[^"]*//;
        my @a;
        while ($line =~ /"((?:[^"\\]|\\.)*)"/g) {
            my $s = $1;
            $s =~ s{\\x([0-9a-fA-F]{2})|\\(.)}{defined $1 ? chr(hex $1)
                : ({n=>"\n",r=>"\r",t=>"\t",a=>"\a",b=>"\b"}->{$2} // $2)}ge;
            push @a, $s;
        }
        my $nk = $a[2];
        my @keys = @a[3 .. 2 + $nk];
        my @argv = @a[3 + $nk .. $#a];
        # after the N groups, the deadline of the call (redis-scripts/lib/
        # late.lua): a replay sends none, or every call would be late
        my $end = 1;
        $end += 2 + $argv[$end + 1] for 1 .. $argv[0];
        splice @argv, $end if $end < @argv;
        # the record (third argument from the end of the group: the score
        # and the time to live of the hints follow it) is kept as it is
        my $rec = splice @argv, -3, 1;
        # two placeholders: one repeated id answers "exists" (bench/replay
        # draws 12 digits for each, as redis-benchmark -r did)
        my $rid = "__rand_int__-__rand_int__";
        my ($ph) = map { /:dup:(.*)$/ ? $1 : () } @keys;
        s/\Q$id\E/$rid/g for @keys, @argv;
        if (defined $ph && length $ph) {
            s/\Q$ph\E/__rand_int__/g for @keys, @argv;
        }
        # the duplicate prints "c:<sha256>": 12 random digits up front
        s/^([cm]:)[0-9a-f]{12}([0-9a-f]{52})$/$1__rand_int__$2/ for @argv;
        # the idempotency key (pa_record_compat on): a repeated one answers
        # "replay", not a submit
        s/(:idem:)[0-9a-f]{12}([0-9a-f]{52})$/$1__rand_int__$2/ for @keys;
        # the candidate of the day before (the 8 characters of the id
        # after the date of the day before): a new one each report, as its id
        my ($cut) = $id =~ /-(\w{8})$/;
        if (defined $cut) {
            s/^(.*:r:\d{6}-)\Q$cut\E$/$1__rand_int__/ for @keys;
        }
        splice @argv, -2, 0, $rec;
        my @out = (@a[0 .. 2], @keys, @argv);
        print "*" . scalar(@out) . "\r\n",
              map { "\$" . length($_) . "\r\n$_\r\n" } @out;
    ' "$2"
}
