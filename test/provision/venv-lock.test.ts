/**
 * The venv lock: one holder at a time, stale locks of dead processes broken,
 * a dead holder's still-running pip waited for.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { acquireVenvLock } from '../../src/provision/venv-lock.js';
import { processAlive } from '../../src/util/process.js';

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

t.test('exclusive: the second acquirer waits until the first releases', async (t) => {
  const file = join(t.testdir({}), 'lock');
  const first = await acquireVenvLock(file);
  t.same(JSON.parse(readFileSync(file, 'utf8')).pid, process.pid);
  let waitedFor: number | undefined;
  let secondHeld = false;
  const second = acquireVenvLock(file, { pollMs: 5, onWait: (h) => (waitedFor = h?.pid) }).then((l) => {
    secondHeld = true;
    return l;
  });
  // Let the second acquirer find the lock held (its claim is written and linked first: a few I/O rounds).
  while (waitedFor === undefined) await new Promise((r) => setImmediate(r));
  t.equal(secondHeld, false, 'not acquired while held');
  await first.release();
  const lock2 = await second;
  t.equal(waitedFor, process.pid, 'told whom it waited for');
  await lock2.release();
  t.notOk(existsSync(file), 'released');
});

t.test('a lock left by a dead process is broken', async (t) => {
  const file = join(t.testdir({}), 'lock');
  const pid = deadPid();
  t.notOk(processAlive(pid));
  writeFileSync(file, JSON.stringify({ pid, host: hostname(), token: 'dead', started: '2020-01-01T00:00:00Z' }));
  let stale: number | undefined;
  const lock = await acquireVenvLock(file, { onStale: (h) => (stale = h.pid) });
  t.equal(stale, pid);
  t.not(JSON.parse(readFileSync(file, 'utf8')).token, 'dead');
  await lock.release();
});

t.test("a dead holder's pip that still runs is waited for", async (t) => {
  const file = join(t.testdir({}), 'lock');
  const child = spawn(process.execPath, ['-e', 'process.stdin.resume()'], { stdio: ['pipe', 'ignore', 'ignore'] });
  t.teardown(() => child.kill());
  writeFileSync(file, JSON.stringify({ pid: deadPid(), host: hostname(), token: 'dead', started: 'x', child: child.pid }));
  await t.rejects(acquireVenvLock(file, { timeoutMs: 50, pollMs: 5 }), { code: 'E_VENV_BUSY', message: /locked by pid \d+/ });
  const exited = new Promise((r) => child.on('exit', r));
  child.stdin.end();
  await exited;
  const lock = await acquireVenvLock(file, { pollMs: 5 });
  t.ok(lock, 'acquired once the orphaned child is gone');
  await lock.release();
});

t.test('a lock held from another host is never judged stale', async (t) => {
  const file = join(t.testdir({}), 'lock');
  writeFileSync(file, JSON.stringify({ pid: deadPid(), host: 'elsewhere.example', token: 't', started: 'x' }));
  await t.rejects(acquireVenvLock(file, { timeoutMs: 30, pollMs: 5 }), { code: 'E_VENV_BUSY', message: /on elsewhere\.example/ });
});
