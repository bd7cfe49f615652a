// Real faults on `make run`'s server (tests/pa-env.sh) for the e2e suite:
// its Redis stopped (SIGSTOP) while the browser works, its nginx
// reloaded.  Only against that server: a test skips when faultable() is
// false (another server under PA_BASE_URL, or no pid files).
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { BASE, ROOT } from './browser.mjs';

// the pid of `make run`'s Redis or nginx: 0 unless the pid file names a
// live process of that program and the tests run against that server
export function pidOf(file, comm) {
  if (BASE !== 'http://127.0.0.1:8080') return 0;
  try {
    const pid = Number(fs.readFileSync(path.join(ROOT, 'var', file), 'utf8').trim());
    const name = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    return name.startsWith(comm) ? pid : 0;
  } catch (e) {
    return 0;
  }
}

export const faultable = () => Boolean(pidOf('redis/redis.pid', 'redis-server')
  && pidOf('nginx.pid', 'nginx'));

export function reloadNginx() {
  process.kill(pidOf('nginx.pid', 'nginx'), 'SIGHUP');
}

// redisStopped(during): `make run`'s Redis stopped while during() runs,
// and going on after it, whatever happens.  Should this process die with
// Redis stopped, the next test files (and `make stop`) would hang on it:
// a guard lets it go on anyway, and is ended with the outage (left
// running, it would cut the next test's outage short).
export async function redisStopped(during) {
  const pid = pidOf('redis/redis.pid', 'redis-server');
  const guard = spawn('sh', ['-c', `sleep 60; kill -CONT ${pid}`], { detached: true, stdio: 'ignore' });
  guard.unref();
  process.kill(pid, 'SIGSTOP');
  try {
    return await during();
  } finally {
    process.kill(pid, 'SIGCONT');
    try { process.kill(-guard.pid, 'SIGKILL'); } catch (e) { /* gone */ }
  }
}

// fn() until its answer is not 503: the module's calls that met Redis
// stopped time out, then its link comes back (a 503 meanwhile is the
// contract's, and stores nothing)
export async function until503Over(fn) {
  let r;
  for (let i = 0; i < 20; i++) {
    r = await fn();
    if (r.status !== 503) break;
    await new Promise((ok) => setTimeout(ok, 500));
  }
  return r;
}
