#!/usr/bin/env python3
# bench/batch-cost.py PORT SCRIPT ARGS_FILE N1,N2,... [REPORTS]
#
# Redis's cost per report of submit.lua in calls of N reports (group
# commit, pa_submit_batch): replays the module's own EVALSHA of one report
# (build/bench/evalsha-submit.args, which `make bench` captures; its
# __rand_int__ made unique per report) as calls of N copies of that
# report's group, 16 calls pipelined, from an empty Redis each time, and
# prints per report Redis's own time (EVALSHA usec of INFO commandstats
# over the reports) and Redis's CPU (INFO cpu).  Each call must store its
# N reports (bad_calls counts those that did not).  Run by
# bench/batch-cost.sh against a private Redis.
#
# BATCH_SPREAD=1 gives each report its own position (as a province's are)
# instead of the captured one: with one position for all, every insert
# into the hints' geo index ties on the score and Redis compares members
# at each step of the skiplist.  Printed: the CPU split into Redis's own
# user and system time and its children's (the AOF rewrites' forks), the
# rewrites, and what each report adds to the AOF.
#
# BATCH_MSEC=1: the index scores (the deadline pairs' and the group's last
# argument but the hints' time to live, issue 12) and the hints' member
# made again for each report as the worker makes them (ngx_pa_qscore.c,
# ngx_pa_duplicate.c): the captured whole score, its fraction from the
# wall clock's milliseconds, as the worker's cached clock gives them, and
# the report's place in its call (the captured "now" stays as it is: the
# replay's reports all share its second).
#
# Against a loaded province (bench/scale-replay.sh, the data bench/scale.sh
# generated): BATCH_KEEP=1 keeps the data (no FLUSHALL before a size),
# BATCH_TENANT=<t> puts the reports in that tenant's keys (the captured
# {bench} replaced), and BATCH_BUCKETS=1 gives each report a phone hash of
# its own (random hex) whose print goes to its bucket dup:<4 hex>, as the
# module names it (ngx_pa_print.h), so the prints join the loaded buckets.
import math, os, subprocess, sys, time, random
port = int(sys.argv[1]); script_path = sys.argv[2]; argsf = sys.argv[3]
Ns = [int(x) for x in sys.argv[4].split(',')]
TOTAL = int(sys.argv[5]) if len(sys.argv) > 5 else 4000
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import resp
a = resp.array(open(argsf, 'rb').read())
TENANT = os.environ.get('BATCH_TENANT')
if TENANT:
    a = [x.replace(b'{bench}', b'{%s}' % TENANT.encode()) for x in a]
nk = int(a[2]); keys = a[3:3+nk]; argv = a[3+nk:]
# the batch's shared keys, then the report's own (argv: N, nk, na, ...)
nown = int(argv[1])
shared, own = keys[:nk - nown], keys[nk - nown:]
# after N, nk, na: na of them (an args file captured with the call's
# deadline after the group has it left out: lib/late.lua)
gargs = argv[3:3 + int(argv[2])]
conn = resp.Conn(port)
enc, cmd = resp.enc, conn.cmd
def read():
    return conn.read()
# the script as the module loads it: with its prelude (redis-scripts/lib/)
text = subprocess.check_output([os.path.join(os.path.dirname(
    os.path.abspath(__file__)), '..', 'build', 'pa-script'), script_path])
sha = cmd('SCRIPT', 'LOAD', text).decode()
ctr = [0]
SPREAD = os.environ.get('BATCH_SPREAD') == '1'
MSEC = os.environ.get('BATCH_MSEC') == '1'
# the report's keys end with a hints' day key (pa:{t}:near:<YYYYMMDD>)
DAY_KEY = b':near:' in own[-1]
BUCKETS = os.environ.get('BATCH_BUCKETS') == '1'
DUP = 2                   # the report's dup: key (submit.lua's +2)
KEEP = os.environ.get('BATCH_KEEP') == '1'
def within(base, f):
    # submit.lua's within() of before, ngx_pa_qscore_within()
    e = math.frexp(base + 1)[1]
    grain = 2.0 ** (e - 53)
    return base + math.floor(f / grain) * grain
def text(d):
    # the shortest of %.15g to %.17g that reads back (ngx_pa_qscore_text)
    for p in (15, 16):
        t = '%.*g' % (p, d)
        if float(t) == d:
            return t.encode()
    return ('%.17g' % d).encode()
def scores(g, pos, ms):
    # the group's arguments: id now urgent phone hint-score hint-member
    # seen agency entry
    # np prints... nd (member score)... nh record qscore ttl
    us = min(ms * 1000 + pos, 999999)
    sec = float(g[1])
    # (a deadline's fraction: of the minute, ngx_pa_qscore.h)
    day = (sec - math.floor(sec / 60) * 60 + us / 1e6) / 60
    # the hints' member "<created_at><ms>|<id>", ms in two base-32 digits
    # (ngx_pa_duplicate.c)
    if g[5]:
        b32 = b'0123456789abcdefghijklmnopqrstuv'
        g[5] = (g[5][:10] + b32[ms // 32:ms // 32 + 1]
                + b32[ms % 32:ms % 32 + 1] + g[5][g[5].index(b'|'):])
    # (+8: the proof ik with pa_record_compat off, the idem: key's value
    # with it on, and in the args of before: the same places after it)
    i = 10 + int(g[9])
    nd = int(g[i])
    for d in range(i + 2, i + 1 + 2 * nd, 2):
        g[d] = text(within(math.floor(float(g[d])), day))
    q = -2
    g[q] = text(within(math.floor(float(g[q])), day if nd else us / 1e6))
def spread(v):
    # the 32 bits of v at the even places of the result
    v = (v | (v << 16)) & 0x0000ffff0000ffff
    v = (v | (v << 8)) & 0x00ff00ff00ff00ff
    v = (v | (v << 4)) & 0x0f0f0f0f0f0f0f0f
    v = (v | (v << 2)) & 0x3333333333333333
    return (v | (v << 1)) & 0x5555555555555555
def geoscore(lng, lat):
    # the 52-bit geohash GEOADD stores, as ngx_pa_geohash.c makes it
    lat_off = (lat - -85.05112878) / (85.05112878 - -85.05112878)
    lng_off = (lng - -180.0) / (180.0 - -180.0)
    return (spread(int(lat_off * (1 << 26)))
            | (spread(int(lng_off * (1 << 26))) << 1))
def group(pos=0):
    ctr[0] += 1
    u = b'%d%06d' % (random.randint(1, 10**9), ctr[0])
    rep = lambda x: x.replace(b'__rand_int__', u)
    g = [rep(x) for x in gargs]
    if SPREAD and g[-1]:
        # the report's position in the hints' day key (submit.lua's +6,
        # after nk and na; +7, its member, is the captured one with this
        # report's id): GEOADD's score of a random lng, lat
        g[4] = b'%d' % geoscore(102.2 + random.random() * 1.6,
                                21.6 + random.random() * 1.2)
    if MSEC:
        scores(g, pos, int(time.time() * 1000) % 1000)
    ks = [rep(k) for k in own]
    if BUCKETS:
        # the phone hash (+5) and its 128-bit cut in the print's field
        old = g[3]
        ph = b'%064x' % random.getrandbits(256)
        # (not in the record, the group's third from the end: a DUMP
        # payload, its CRC would no longer match)
        g = [x if i == len(g) - 3 else
             x.replace(old, ph).replace(old[:32], ph[:32])
             for i, x in enumerate(g)]
        ks = [k.replace(old, ph) for k in ks]
        ks[DUP] = ks[DUP][:ks[DUP].index(b':dup:') + 5] + ph[:4]
    return ks, g
def info(sec):
    r = cmd('INFO', sec).decode()
    return dict(l.split(':',1) for l in r.split('\r\n') if ':' in l)
for N in Ns:
    if not KEEP:
        cmd('FLUSHALL')
    cmd('CONFIG', 'RESETSTAT')
    c0 = info('cpu'); p0 = info('persistence')
    calls = TOTAL // N
    t0 = time.time()
    pipe = 16
    sent = 0; got = 0
    bad = 0
    while got < calls:
        while sent < calls and sent - got < pipe:
            ks, as_ = [], [str(N)]
            for pos in range(N):
                k, g = group(pos); ks += k; as_ += [str(len(k)), str(len(g))] + g
            conn.send(enc(['EVALSHA', sha, str(len(shared)+len(ks))] + shared + ks + as_)); sent += 1
        r = read(); got += 1
        if not isinstance(r, list) or any(x != b':1\r\n' for x in r[:N]): bad += 1
    wall = time.time() - t0
    # a rewrite still running is waited for: its child's CPU is the run's
    while info('persistence').get('aof_rewrite_in_progress') == '1':
        time.sleep(0.1)
    c1 = info('cpu'); p1 = info('persistence')
    d = {k: float(c1[k]) - float(c0[k]) for k in c1 if k.startswith('used_cpu_')}
    cpu = d['used_cpu_user'] + d['used_cpu_sys']
    kids = d['used_cpu_user_children'] + d['used_cpu_sys_children']
    st = info('commandstats')
    ev = st.get('cmdstat_evalsha','')
    usec = int(ev.split('usec=')[1].split(',')[0])
    n = calls * N
    rw = int(p1['aof_rewrites']) - int(p0['aof_rewrites'])
    # (with a rewrite in between the AOF shrank: no figure)
    aof = ('%.0f' % ((int(p1.get('aof_current_size', 0)) - int(p0.get('aof_current_size', 0))) / n)
           if rw == 0 else '-')
    print(f"N={N:3d} reports={n} usec/report={usec/n:6.2f} cpu_us/report={cpu*1e6/n:6.2f}"
          f" (user {d['used_cpu_user']*1e6/n:.1f} sys {d['used_cpu_sys']*1e6/n:.1f})"
          f" children_us/report={kids*1e6/n:6.2f} rewrites={rw} aof_B/report={aof}"
          f" wall={wall:.2f}s bad_calls={bad}")
    if os.environ.get('BATCH_BY_COMMAND') == '1':
        # Redis also times each command a script runs: the parts
        for k, v in sorted(st.items()):
            c = int(v.split('calls=')[1].split(',')[0])
            u = int(v.split('usec=')[1].split(',')[0])
            print(f"    {k[8:]:10s} calls/report={c/n:5.2f} usec/report={u/n:6.2f}")
