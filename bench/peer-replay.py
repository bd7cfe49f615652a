#!/usr/bin/env python3
# bench/peer-replay.py PORT [REPORTS]
#
# The lua peer's Redis script (../shared/bench/peer-lua/redis-submit.lua)
# replayed against a private Redis the way bench/batch-cost.py replays
# submit.lua: its own 8 arguments as peer.lua sends them (a new id each
# call, the bench's report text), one report a call, 16 calls
# pipelined, from an empty Redis; prints its EVALSHA usec per report and
# Redis's CPU per report.  Beside batch-cost.py's figure (run it against
# the same Redis settings) it tells what the two scripts cost Redis when
# nothing else wants its cores (make bench's figures are taken while
# nginx and wrk share them).
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import resp

port = int(sys.argv[1])
total = int(sys.argv[2]) if len(sys.argv) > 2 else 30000
peer = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                    'shared', 'bench', 'peer-lua', 'redis-submit.lua')
conn = resp.Conn(port)
sha = conn.cmd('SCRIPT', 'LOAD', open(peer, 'rb').read()).decode()
conn.cmd('FLUSHALL')
conn.cmd('CONFIG', 'RESETSTAT')
cpu0 = conn.info('cpu')

TEXT = ('Ổ gà lớn trên đường Trần Hưng Đạo, gần số nhà 12; nước đọng, '
        'xe máy dễ ngã (bench status)')
seq = [0]


def call():
    seq[0] += 1
    now = time.time()
    i = 'LC-0-%d-%d' % (int(now), seq[0])
    return resp.enc(['EVALSHA', sha, '4', 'pa:{lc}:r:' + i,
                     'pa:{lc}:st:submitted', 'pa:{lc}:events',
                     'pa:{lc}:h:' + i, i, '%.3f' % now, TEXT,
                     'aGFzaCBvZiB0aGUgcGhvbmUgbnVtYmVy', '22.396',
                     '103.458', 'aGFzaCBvZiB0aGUgdG9rZW4gMTIzNA==',
                     '%.3f' % (now + 86400)])


sent = got = bad = 0
while got < total:
    reqs = []
    while sent < total and sent - got < 16:
        reqs.append(call())
        sent += 1
    if reqs:
        conn.send(*reqs)
    r = conn.read()
    got += 1
    bad += r != b':1\r\n'

stat = conn.info('commandstats').get('cmdstat_evalsha', '')
usec = dict(kv.split('=') for kv in stat.split(','))['usec']
cpu1 = conn.info('cpu')
cpu = sum(float(cpu1[k]) - float(cpu0[k])
          for k in ('used_cpu_user', 'used_cpu_sys'))
print('peer reports=%d usec/report=%6.2f cpu_us/report=%6.2f bad_calls=%d'
      % (total, int(usec) / total, cpu * 1e6 / total, bad))
