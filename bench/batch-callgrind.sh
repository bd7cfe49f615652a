#!/usr/bin/env bash
# Redis's instructions per report of submit.lua, split (issue 12,
# bench/submit-cost.md "Lua and the per-call overhead, counted"): a
# private redis-server (AOF everysec) under valgrind's callgrind replays
# the captured submission (bench/batch-cost.py, the same input each run:
# ids seeded, the clock 1 ms further at each call) as REPORTS reports in
# calls of BATCH.  Instruction counts do not depend on the machine's load,
# unlike the replay's times: two runs of one script agree within ~0.3 %.
#
#   bench/batch-callgrind.sh [SCRIPT [ARGS_FILE]]
#
# SCRIPT [redis-scripts/submit.lua], ARGS_FILE
# [build/bench/evalsha-submit.args]; environment: CG_REPORTS [3200],
# CG_BATCH [16] (reports a call: 1 shows what each call costs, as the
# small batches of a lightly loaded node pay it).
# Keeps callgrind's output in build/bench/callgrind/ (callgrind_annotate).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCRIPT=$(realpath "${1:-$ROOT/redis-scripts/submit.lua}")
ARGS_FILE=$(realpath "${2:-$ROOT/build/bench/evalsha-submit.args}")
REPORTS=${CG_REPORTS:-3200}
BATCH=${CG_BATCH:-16}
DIR=$ROOT/build/bench/callgrind

. "$ROOT/bench/lib.sh"

[ -s "$ARGS_FILE" ] \
    || die "no $ARGS_FILE: run bench/capture-args.sh (or \`make bench\`) first"
command -v valgrind >/dev/null || die "valgrind is missing"

rm -rf "$DIR"
mkdir -p "$DIR"
PORT=$(free_port) || die "no free port"

valgrind --tool=callgrind --callgrind-out-file="$DIR/callgrind.out" \
    redis-server --bind 127.0.0.1 --port "$PORT" --dir "$DIR" \
    --appendonly yes --appendfsync everysec --save "" \
    --auto-aof-rewrite-percentage 0 $PA_REDIS_SETTINGS > "$DIR/valgrind.log" 2>&1 &
VG=$!
trap 'kill "$VG" 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
    redis-cli -p "$PORT" ping >/dev/null 2>&1 && break
    sleep 0.2
done
redis-cli -p "$PORT" ping >/dev/null 2>&1 \
    || die "redis-server under valgrind does not answer ($DIR/valgrind.log)"

BATCH_MSEC=1 python3 - "$ROOT/bench/batch-cost.py" "$PORT" "$SCRIPT" \
    "$ARGS_FILE" "$REPORTS" "$BATCH" <<'_PY_'
import random, runpy, sys, time
# the same input each run: ids seeded, now's milliseconds 1 ms further at
# each call (no ties in the index scores, as in the timed replay)
random.seed(7)
clock = [1796464251.0]
def tick():
    clock[0] += 0.001
    return clock[0]
time.time = tick
py, port, script, args, reports, batch = sys.argv[1:]
sys.argv = [py, port, script, args, batch, reports]
runpy.run_path(py, run_name='__main__')
_PY_

redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
wait "$VG" || true
trap - EXIT

python3 - "$DIR/callgrind.out" "$REPORTS" "$BATCH" <<'_PY_'
import re, subprocess, sys
out, n, batch = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def annotate(*opts):
    return subprocess.run(['callgrind_annotate', *opts, out],
                          capture_output=True, text=True).stdout
incl = {}
for line in annotate('--inclusive=yes').splitlines():
    m = re.match(r'\s*([\d,]+) \([^)]*\)\s+(\S+) \[', line)
    if m and "'" not in m.group(2):
        incl.setdefault(m.group(2).rsplit(':', 1)[-1],
                        int(m.group(1).replace(',', '')))
# the callees of a function in the calling tree: name -> inclusive
calls, cur = {}, None
for line in annotate('--tree=calling').splitlines():
    m = re.match(r'\s*([\d,]+) \([^)]*\)\s+(\*|>)\s+(\S+) ', line)
    if not m:
        continue
    name = m.group(3).rsplit(':', 1)[-1]
    if m.group(2) == '*':
        cur = name
        calls.setdefault(cur, {})
    elif cur:
        calls[cur][name] = int(m.group(1).replace(',', ''))
def g(f):
    return incl.get(f, 0) / n
# the static luaRedisGenericCommand calls scriptCall and the conversion of
# its arguments (luaArgsToRedisArgv): the largest other callee
conv = 0
for f, callees in calls.items():
    if 'scriptCall' in callees and not f.startswith('scriptCall'):
        rest = [v for k, v in callees.items() if k != 'scriptCall'
                and k.startswith('0x')]
        conv += max(rest, default=0)
conv /= n
CMDS = ('setGenericCommand', 'hsetnxCommand', 'hsetCommand',
        'restoreCommand', 'xaddCommand', 'xtrimCommand',
        'zaddGenericCommand', 'geoaddCommand', 'expireCommand',
        'hmgetCommand', 'existsCommand')
geo_zadd = calls.get('geoaddCommand', {}).get('zaddCommand', 0) / n
cmds = sum(g(c) for c in CMDS) - geo_zadd
script = g('lua_pcall')
rows = [
    ("a request's whole work (readQueryFromClient)",
     g('readQueryFromClient')),
    ('of it the RESP parse of the EVALSHA', g('processMultibulkBuffer')),
    ('of it EVALSHA', g('evalShaCommand')),
    ('- KEYS/ARGV made Lua strings, the reply',
     g('luaCallFunction') - script),
    ('- Lua: VM, libraries, replies made Lua',
     script - g('scriptCall') - conv),
    ("- redis.call's arguments made Redis objects", conv),
    ('  (of which %.17g of Lua numbers)', g('__snprintf_chk')),
    ('- the commands', cmds),
] + [
    ('    ' + c + (' (but GEOADD\'s)' if c == 'zaddGenericCommand' else ''),
     g(c) - (geo_zadd if c == 'zaddGenericCommand' else 0))
    for c in CMDS if g(c)
] + [
    ('- per redis.call: ACL, lookup, call()', g('scriptCall') - cmds),
    ('MULTI/EXEC propagation into the AOF buffer',
     g('propagatePendingCommands')),
]
print(f'instructions per report ({n} reports, calls of {batch}):')
for name, v in rows:
    print(f'  {name:46s} {v / 1000:7.1f}k')
_PY_
