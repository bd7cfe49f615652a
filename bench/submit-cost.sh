#!/usr/bin/env bash
# make bench-cost: where submit.lua's Redis time goes, part by part.
#
#   bench/submit-cost.sh [EVALSHA_ARGS]
#
# Replays the module's own EVALSHA of submit.lua (the argument list that
# `make bench` captured with MONITOR: build/bench/evalsha-submit.args, one
# argument per NUL, __rand_int__ where each call must differ) against a
# private Redis (free port, AOF everysec as in production), first with the
# real script, then with variants: SCRATCH copies of redis-scripts/submit.lua
# in build/bench/cost/, each without one part (or with one part done
# another way).  redis-scripts/ itself is never changed.  Each variant
# starts from an empty Redis, runs COST_CALLS calls (redis-benchmark -c 8)
# COST_ROUNDS times, interleaved with the other variants, and keeps the
# lowest and the median of Redis's own time per call (INFO commandstats,
# evalsha usec_per_call: what issue 12 compares with the lua peer) and the
# median of Redis's CPU per call (INFO cpu), which a busy machine disturbs
# less.  The peer's
# script (../shared/bench/peer-lua/redis-submit.lua) runs in the same
# Redis as the reference.
#
# A variant whose edit no longer matches the script (someone changed that
# part) is reported as "n/a", never measured on the wrong text.
#
# Writes build/bench/submit-cost.md (and prints it).
#
# Environment: COST_CALLS [10000], COST_ROUNDS [5].

set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ARGS_FILE=${1:-$ROOT/build/bench/evalsha-submit.args}
CALLS=${COST_CALLS:-10000}
ROUNDS=${COST_ROUNDS:-5}
PEER_LUA=${PEER_LUA:-$ROOT/../shared/bench/peer-lua/redis-submit.lua}
OUT=$ROOT/build/bench
WORK=$OUT/cost
REDIS_DIR=$WORK/redis

. "$ROOT/bench/lib.sh"     # die, free_port

[ -s "$ARGS_FILE" ] \
    || die "no $ARGS_FILE: run \`make bench\` first (it captures the" \
           "module's EVALSHA)"
for t in redis-server redis-cli redis-benchmark perl; do
    command -v "$t" >/dev/null 2>&1 || die "$t is missing"
done

REDIS_PORT=
cleanup() {
    set +e
    if [ -n "$REDIS_PORT" ]; then
        redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1
    fi
    rm -rf "$REDIS_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

rm -rf "$WORK"
mkdir -p "$REDIS_DIR"
REDIS_PORT=$(free_port) || die "no free port"
# at nice -10: on a shared machine, a call during which Redis's thread
# waits for a CPU is counted whole in usec_per_call
nice -n -10 redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
    --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" \
    --logfile "$REDIS_DIR/redis.log" \
    --appendonly yes --appendfsync everysec --save "" \
    >/dev/null || die "redis-server did not start"
for _ in $(seq 1 50); do
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
done

# ------------------------------------------------------------ variants
# NAME|WHAT|EDIT|ARGS: EDIT is perl run on the script's text (each s///
# must match: "or die"), ARGS a transformation of the argument list (see
# transform below).  The parts follow submit.lua's order.
S='s/^'
E_IDEM_GET="${S}local seen = redis\\.call\\('GET', KEYS\\[12\\]\\)\\n.*?^end\\n//ms or die"
E_IDEM_SET="${S}redis\\.call\\('SET', KEYS\\[12\\].*\\n//m or die"
E_IDEM_NX="${S}local seen = redis\\.call\\('GET', KEYS\\[12\\]\\)/local seen = redis.call('SET', KEYS[12], ARGV[8], 'NX', 'EX', IDEM_TTL, 'GET')/m or die"
E_LOCKED="${S}if redis\\.call\\('HEXISTS'.*?^end\\n//ms or die"
E_EXISTS="${S}if redis\\.call\\('EXISTS', KEYS\\[1\\]\\).*?^end\\n//ms or die"
E_DUP_CHECK="${S}for k = i, i \\+ np - 1 do\\n    local other.*?^end\\n//ms or die"
E_DUP_SET="${S}for k = i, i \\+ np - 1 do\\n    redis\\.call\\('HSET', KEYS\\[7\\].*?^end\\n//ms or die"
E_DUE="${S}    redis\\.call\\('ZADD', KEYS\\[4\\].*\\n//m or die"
E_RECORD="${S}redis\\.call\\('HSET', KEYS\\[1\\], 'id', id, unpack\\(ARGV, i\\)\\)\$"
# with the record as one value, what the script read back from the hash
# (urgent, for the events) comes from the worker, which knows it: "0"
# here, as the captured report is not urgent (no "or die": older scripts
# did not read it)
E_URGENT="s/redis\\.call\\('HGET', KEYS\\[1\\], 'urgent'\\)/'0'/g"
E_BLOB="$E_RECORD/redis.call('SET', KEYS[1], ARGV[i])/m or die; $E_URGENT"
E_BLOB_NX="$E_RECORD/if not redis.call('SET', KEYS[1], ARGV[i], 'NX') then return redis.error_reply('exists') end/m or die; $E_URGENT"
E_HISTORY="${S}redis\\.call\\('RPUSH', KEYS\\[2\\], ARGV\\[3\\]\\)\\n//m or die"
E_STATE="${S}redis\\.call\\('ZADD', KEYS\\[3\\], now, id\\)\\n//m or die"
E_ALL="${S}redis\\.call\\('ZADD', KEYS\\[6\\], now, id\\)\\n//m or die"
E_TOKEN="${S}redis\\.call\\('SET', KEYS\\[11\\], id\\)\\n//m or die"
E_EVENT="${S}redis\\.call\\('XADD', KEYS\\[5\\][^)]*\\)\\n//m or die"
E_PRUNE="${S}    local old = redis\\.call\\('ZRANGE'.*?^    end\\n//ms or die"
E_NEAR_AT="${S}    redis\\.call\\('ZADD', KEYS\\[10\\], now, id\\)\\n//m or die"
# the lean script's own parts (issue 12's rewrite; its keys moved by one)
E_IDEM1="${S}local seen = redis\\.call\\('SET', KEYS\\[11\\], ARGV\\[7\\], 'NX'.*?^end\\n//ms or die"
E_DUP1="${S}for k = i, i \\+ np - 1 do\\n    if redis\\.call\\('HSETNX'.*?^end\\n//ms or die"
E_TOKEN10="${S}redis\\.call\\('SET', KEYS\\[10\\], id\\)\\n//m or die"
E_NEAR_AT9="${S}    redis\\.call\\('ZADD', KEYS\\[9\\], now, id\\)\\n//m or die"
E_LEAN="$E_EXISTS; $E_BLOB_NX; $E_IDEM_NX; $E_IDEM_SET; $E_HISTORY; $E_ALL; $E_PRUNE"
VARIANTS=(
"full|the real submit.lua||"
"floor|return 1 at once (the arguments reach Lua, nothing else)|\$_ = \"return 1\\n\"|"
"floor-blob|return 1 at once, with the record as one argument|\$_ = \"return 1\\n\"|blob"
"no-idem|without the idempotency key (GET, then SET EX)|$E_IDEM_GET; $E_IDEM_SET|"
"idem-nx|the idempotency key in one SET NX EX GET|$E_IDEM_NX; $E_IDEM_SET|"
"no-locked|without the locked-phone check (HEXISTS)|$E_LOCKED|"
"no-exists|without the id check (EXISTS)|$E_EXISTS|"
"no-dup|without the duplicate prints (HGET per print, then HSET per print)|$E_DUP_CHECK; $E_DUP_SET|"
"no-due|without the deadlines (ZADD due)|$E_DUE|"
"blob|the record as one value (SET of a pre-serialised JSON), not HSET of every field|$E_BLOB|blob"
"few|the record as 8 hot fields + one JSON value of the rest (HSET of 9 fields)||few"
"no-history|without the first history entry (RPUSH)|$E_HISTORY|"
"no-state|without the state index (ZADD st:submitted)|$E_STATE|"
"no-all|without the index of every report (ZADD all)|$E_ALL|"
"no-token|without the token index (SET tok)|$E_TOKEN|"
"no-event|without the event (XADD events)|$E_EVENT|"
"no-prune|without pruning the hints' index (ZRANGE BYSCORE)|$E_PRUNE|"
"no-geo|without the geo index (the real script; lng, lat \"\")||nogeo"
"lean|every feature kept: record as one value written with SET NX (no EXISTS), idempotency in one SET NX GET, first history entry implied by the record, no all index, no prune (to the sweeper)|$E_LEAN|blob"
"lean-few|lean, but the record as 8 hot fields + one JSON value (HSET, EXISTS kept)|$E_IDEM_NX; $E_IDEM_SET; $E_HISTORY; $E_ALL; $E_PRUNE|few"
"lean-nogeo|lean, for a profile without duplicate hints (no geo index)|$E_LEAN|blob,nogeo"
"lean-min|lean, and out of the script: locked phones (cached by the workers), the token index (the token names its report), the hints' time index (a geo key per day)|$E_LEAN; $E_LOCKED; $E_TOKEN; $E_NEAR_AT|blob"
"no-idem1|lean script: without the idempotency key (one SET NX GET)|$E_IDEM1|"
"no-dup1|lean script: without the duplicate prints (one HSETNX per print)|$E_DUP1|"
"min|lean script without what lean-min moves out: locked phones (cached by the workers), the token index, the hints' time index|$E_LOCKED; $E_TOKEN10; $E_NEAR_AT9|"
"min-nogeo|min, for a profile without duplicate hints|$E_LOCKED; $E_TOKEN10; $E_NEAR_AT9|nogeo"
"peer|the lua peer's script (its own 8 arguments), for reference|PEER|peer"
)

# transform NAME: the argument list (NUL-separated, stdin -> stdout) for
# a variant.  EVALSHA SHA NKEYS KEYS... ARGV...; ARGV[11] = n prints, the
# prints, n deadlines, the pairs, n pre-upload handles (since they came),
# then the record's field/value pairs.  The lean script (issue 12: ARGV[3]
# is urgent, not a history entry) has n prints at ARGV[10] and the record
# as hot fields plus "doc": blob and few do not apply to it.
transform() {
    perl -e '
        use strict; use warnings;
        my %how = map { $_ => 1 } split /,/, shift // "";
        local $/; my @a = split /\0/, <STDIN>, -1;
        my $nk = $a[2];
        my @k = @a[3 .. 2 + $nk];
        my @v = @a[3 + $nk .. $#a];
        my $lean = $v[2] !~ /^\{/;          # ARGV[3]: urgent, or an entry
        my $at = $lean ? 9 : 10;            # index of n prints (0-based)
        my $p = $at + $v[$at] + 1;          # index of n deadlines
        my $f = $p + 1 + 2 * $v[$p];        # first field name, or n handles
        # the pre-upload handles bound (their count; never a field name)
        $f++ if $v[$f] =~ /^[0-9]+$/;
        my @pairs = @v[$f .. $#v];
        sub js { my $s = shift; $s =~ s/(["\\])/\\$1/g;
                 $s =~ s/([\x00-\x1f])/sprintf("\\u%04x", ord $1)/ge;
                 return "\"$s\"" }
        sub obj { my @p = @_; my @o;
                  while (@p) { my ($n, $x) = splice @p, 0, 2;
                               push @o, js($n) . ":" . js($x) }
                  return "{" . join(",", @o) . "}" }
        @v[4, 5] = ("", "") if $how{nogeo};
        if ($how{blob}) {
            @v = (@v[0 .. $f - 1], obj("id", $v[0], @pairs));
        } elsif ($how{few}) {
            # what the queue, the sweeper and act.lua test on every
            # report stays a field; the rest is read only as a whole
            my %hot = map { $_ => 1 } qw(status updated_at created_at urgent
                                         hidden published token_hash);
            my (@h, @c);
            for (my $j = 0; $j < @pairs; $j += 2) {
                my ($n, $x) = @pairs[$j, $j + 1];
                if ($hot{$n} || $n =~ /^dl:/) { push @h, $n, $x }
                else { push @c, $n, $x }
            }
            @v = (@v[0 .. $f - 1], @h, "doc", obj(@c));
        } elsif ($how{peer}) {
            my %r = @pairs;
            if ($lean) {
                require JSON::PP;
                %r = (%r, %{ JSON::PP->new->decode($r{doc}) });
            }
            @k = map { "pa:{bench}:$_" } ("r:__rand_int__", "st:submitted",
                                           "events", "h:__rand_int__");
            @v = ("__rand_int__", $v[1], $r{content}, $r{phone_hash},
                  $r{lat}, $r{lng}, $r{token_hash}, $v[1] + 86400);
            $nk = 4;
        }
        print join("\0", $a[0], $a[1], $nk, @k, @v);
    ' "$1"
}

# ------------------------------------------------------------ measuring
declare -A SHA USEC CPU WHAT OKV
# Redis's CPU seconds so far (all its threads): INFO cpu
redis_cpu() {
    redis-cli -p "$REDIS_PORT" info cpu | tr -d '\r' \
        | awk -F: '/^used_cpu_(sys|user):/ { s += $2 } END { printf "%.6f", s }'
}
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
echo "submit-cost: Redis on $REDIS_PORT (AOF everysec), $CALLS calls x" \
     "$ROUNDS rounds per variant, redis-benchmark -c 8; load" \
     "$(cut -d' ' -f1 /proc/loadavg)"

names=()
for v in "${VARIANTS[@]}"; do
    IFS='|' read -r name what edit how <<< "$v"
    names+=("$name")
    WHAT[$name]=$what
    script=$WORK/$name.lua
    if [ "$edit" = PEER ]; then
        cp "$PEER_LUA" "$script"
    elif [ -n "$edit" ]; then
        if ! perl -0777 -pe "$edit" "$ROOT/redis-scripts/submit.lua" \
            > "$script" 2>/dev/null; then
            OKV[$name]=no
            echo "  $name: n/a (its edit no longer matches submit.lua)"
            continue
        fi
    else
        cp "$ROOT/redis-scripts/submit.lua" "$script"
    fi
    OKV[$name]=yes
    SHA[$name]=$(redis-cli -p "$REDIS_PORT" -x script load < "$script")
    # the captured sha is the real script's: this variant's replaces it
    transform "$how" < "$ARGS_FILE" \
        | perl -0 -pe 'BEGIN { $n = 0 } $n++ == 1 and s/^[0-9a-f]{40}/'"${SHA[$name]}"'/' \
        > "$WORK/$name.args"
done

for round in $(seq 1 "$ROUNDS"); do
    for name in "${names[@]}"; do
        [ "${OKV[$name]}" = yes ] || continue
        mapfile -d '' EVAL < "$WORK/$name.args"
        redis-cli -p "$REDIS_PORT" flushall >/dev/null
        redis-cli -p "$REDIS_PORT" script load \
            "$(cat "$WORK/$name.lua")" >/dev/null
        redis-cli -p "$REDIS_PORT" config resetstat >/dev/null
        c0=$(redis_cpu)
        redis-benchmark -p "$REDIS_PORT" -c 8 -n "$CALLS" -P 1 \
            -r 100000000000 -q "${EVAL[@]}" > "$WORK/$name.$round.out" \
            2>&1 || die "redis-benchmark failed ($name)"
        if grep -q 'ERR\|error' "$WORK/$name.$round.out"; then
            die "$name: Redis answered an error: $(head -3 \
                "$WORK/$name.$round.out")"
        fi
        redis-cli -p "$REDIS_PORT" info commandstats | tr -d '\r' \
            > "$WORK/$name.$round.cmdstats"
        u=$(sed -n 's/^cmdstat_evalsha:.*usec_per_call=\([0-9.]*\).*/\1/p' \
            "$WORK/$name.$round.cmdstats")
        c=$(awk -v a="$c0" -v b="$(redis_cpu)" -v n="$CALLS" \
            'BEGIN { printf "%.1f", (b - a) * 1e6 / n }')
        n=$(redis-cli -p "$REDIS_PORT" dbsize)
        [ "$n" -gt 0 ] || [ "${name%%-*}" = floor ] || die "$name stored nothing"
        USEC[$name]="${USEC[$name]:-} $u"
        CPU[$name]="${CPU[$name]:-} $c"
        printf '  round %s %-10s %7s µs per call, Redis CPU %6s µs\n' \
            "$round" "$name" "$u" "$c"
    done
done

# ------------------------------------------------------------ the table
# per variant: the lowest and the median usec_per_call of the rounds (the
# lowest is the round least disturbed by the machine's other work), and
# the median of Redis's CPU per call (its whole process: the command's
# parsing and the event loop too, but not its waits for a CPU)
stat() { tr ' ' '\n' | grep . | sort -n | awk -v w="$1" '{ a[NR] = $1 }
    END { printf "%.1f", (w == "min") ? a[1] : a[int((NR + 1) / 2)] }'; }
FULL=$(echo "${USEC[full]}" | stat min)
FULL_CPU=$(echo "${CPU[full]}" | stat median)
{
    echo "| variant | what | µs per call: lowest | median | part = full - variant (lowest) | Redis CPU µs per call | part (CPU) |"
    echo "|---|---|---:|---:|---:|---:|---:|"
    for name in "${names[@]}"; do
        if [ "${OKV[$name]}" != yes ]; then
            echo "| $name | ${WHAT[$name]} | n/a | | | | |"
            continue
        fi
        lo=$(echo "${USEC[$name]}" | stat min)
        me=$(echo "${USEC[$name]}" | stat median)
        cp=$(echo "${CPU[$name]}" | stat median)
        d=$(awk -v f="$FULL" -v m="$lo" 'BEGIN { printf "%.1f", f - m }')
        dc=$(awk -v f="$FULL_CPU" -v m="$cp" 'BEGIN { printf "%.1f", f - m }')
        case $name in full|floor*|peer) d=-; dc=- ;; esac
        echo "| $name | ${WHAT[$name]} | $lo | $me | $d | $cp | $dc |"
    done
} > "$OUT/submit-cost-table.md"
# Inside one variant's calls, by command: Redis counts the commands a
# script runs in INFO commandstats too, each with its own time.  Per
# submit (calls / COST_CALLS, usec / COST_CALLS), the median of the
# rounds; what EVALSHA took beyond its commands is Lua: the arguments
# turned into Lua strings, the interpreter, redis.call's conversions.
by_command() {
    perl -e '
        my ($calls, @files) = @ARGV;
        my (%c, %u, $ev);
        for my $f (@files) {
            open my $h, "<", $f or die;
            my ($sum, $evu) = (0, 0);
            while (<$h>) {
                next unless /^cmdstat_([a-z|]+):calls=(\d+),usec=(\d+)/;
                my ($cmd, $n, $us) = ($1, $2, $3);
                next if $cmd =~ /^(info|config|flushall|script|ping)(\|.*)?$/;
                if ($cmd eq "evalsha") { $evu = $us / $calls; next }
                push @{$c{$cmd}}, $n / $calls;
                push @{$u{$cmd}}, $us / $calls;
                $sum += $us / $calls;
            }
            push @{$u{"(Lua: EVALSHA minus its commands)"}}, $evu - $sum;
            push @{$u{"(EVALSHA, whole)"}}, $evu;
        }
        sub med { my @a = sort { $a <=> $b } @_; $a[int($#a / 2)] }
        for my $cmd (sort { med(@{$u{$b}}) <=> med(@{$u{$a}}) } keys %u) {
            printf "| %s | %s | %.1f |\n", $cmd,
                $c{$cmd} ? sprintf("%.2f", med(@{$c{$cmd}})) : "",
                med(@{$u{$cmd}});
        }
    ' "$CALLS" "$WORK/$1".*.cmdstats
}
for name in full lean lean-min peer; do
    [ "${OKV[$name]:-}" = yes ] || continue
    {
        echo "| command | calls per submit | µs per submit (median) |"
        echo "|---|---:|---:|"
        by_command "$name"
    } > "$OUT/submit-cost-$name-commands.md"
done

{
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit" \
         "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')," \
         "load average $LOAD_BEFORE before, $(cut -d' ' -f1 /proc/loadavg)" \
         "after; $CALLS calls x $ROUNDS rounds per variant (interleaved)," \
         "redis-benchmark -c 8, Redis AOF everysec at nice -10, each" \
         "round from an empty data set."
    echo
    cat "$OUT/submit-cost-table.md"
    for name in full lean lean-min peer; do
        [ -s "$OUT/submit-cost-$name-commands.md" ] || continue
        echo
        echo "By command, $name ($(echo "${WHAT[$name]}" | cut -c1-60)...):"
        echo
        cat "$OUT/submit-cost-$name-commands.md"
    done
} > "$OUT/submit-cost.md"
echo
cat "$OUT/submit-cost.md"
