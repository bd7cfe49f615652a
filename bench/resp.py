# RESP on a socket, for the Python replays of bench/ (batch-cost.py,
# peer-replay.py): a request as bytes, an answer read back (simple and
# error lines as they are, bulk strings, arrays), a captured EVALSHA file
# (one RESP array, bench/lib.sh evalsha_args) as its arguments.
import socket


def enc(parts):
    out = [b'*%d\r\n' % len(parts)]
    for p in parts:
        if isinstance(p, str):
            p = p.encode()
        out.append(b'$%d\r\n%s\r\n' % (len(p), p))
    return b''.join(out)


def read(f):
    line = f.readline()
    t = line[:1]
    if t in b'+-:':
        return line
    if t == b'$':
        n = int(line[1:])
        if n < 0:
            return None
        return f.read(n + 2)[:-2]
    if t == b'*':
        return [read(f) for _ in range(max(int(line[1:]), 0))]
    raise ValueError('RESP: %r' % line)


def array(data):
    assert data[:1] == b'*', 'not a RESP array: capture it again'
    n, _ = data[1:].split(b'\r\n', 1)
    out, i = [], len(n) + 3
    for _ in range(int(n)):
        j = data.index(b'\r\n', i)
        size = int(data[i + 1:j])
        out.append(data[j + 2:j + 2 + size])
        i = j + 4 + size
    return out


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(('127.0.0.1', port))
        self.f = self.s.makefile('rb')

    def send(self, *reqs):
        self.s.sendall(b''.join(reqs))

    def read(self):
        return read(self.f)

    def cmd(self, *p):
        self.send(enc(p))
        return self.read()

    def info(self, section):
        r = self.cmd('INFO', section).decode()
        return dict(l.split(':', 1) for l in r.split('\r\n') if ':' in l)
