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
import socket, sys, time, random
port = int(sys.argv[1]); script_path = sys.argv[2]; argsf = sys.argv[3]
Ns = [int(x) for x in sys.argv[4].split(',')]
TOTAL = int(sys.argv[5]) if len(sys.argv) > 5 else 4000
a = open(argsf, 'rb').read().split(b'\0')
nk = int(a[2]); keys = a[3:3+nk]; argv = a[3+nk:]
shared, own = keys[:5], keys[5:]
gargs = argv[3:]          # after N, nk, na
s = socket.create_connection(('127.0.0.1', port))
f = s.makefile('rb')
def enc(parts):
    out = [b'*%d\r\n' % len(parts)]
    for p in parts:
        if isinstance(p, str): p = p.encode()
        out.append(b'$%d\r\n%s\r\n' % (len(p), p))
    return b''.join(out)
def read():
    line = f.readline()
    t = line[:1]
    if t in b'+-:': return line
    if t == b'$':
        n = int(line[1:]); 
        if n < 0: return None
        d = f.read(n+2); return d[:-2]
    if t == b'*':
        n = int(line[1:]); return [read() for _ in range(max(n,0))]
def cmd(*p):
    s.sendall(enc(p)); return read()
sha = cmd('SCRIPT', 'LOAD', open(script_path,'rb').read()).decode()
ctr = [0]
def group():
    ctr[0] += 1
    u = b'%d%06d' % (random.randint(1, 10**9), ctr[0])
    rep = lambda x: x.replace(b'__rand_int__', u)
    return [rep(k) for k in own], [rep(x) for x in gargs]
def info(sec):
    r = cmd('INFO', sec).decode()
    return dict(l.split(':',1) for l in r.split('\r\n') if ':' in l)
for N in Ns:
    cmd('FLUSHALL'); cmd('CONFIG', 'RESETSTAT')
    c0 = info('cpu')
    calls = TOTAL // N
    t0 = time.time()
    pipe = 16
    sent = 0; got = 0
    bad = 0
    while got < calls:
        while sent < calls and sent - got < pipe:
            ks, as_ = [], [str(N)]
            for _ in range(N):
                k, g = group(); ks += k; as_ += [str(len(k)), str(len(g))] + g
            s.sendall(enc(['EVALSHA', sha, str(5+len(ks))] + shared + ks + as_)); sent += 1
        r = read(); got += 1
        if not isinstance(r, list) or any(x != b':1\r\n' for x in r[:N]): bad += 1
    wall = time.time() - t0
    c1 = info('cpu')
    cpu = (float(c1['used_cpu_user'])+float(c1['used_cpu_sys']) - float(c0['used_cpu_user'])-float(c0['used_cpu_sys']))
    st = info('commandstats')
    ev = st.get('cmdstat_evalsha','')
    usec = int(ev.split('usec=')[1].split(',')[0])
    n = calls * N
    print(f"N={N:3d} reports={n} usec/report={usec/n:6.2f} cpu_us/report={cpu*1e6/n:6.2f} wall={wall:.2f}s bad_calls={bad}")
