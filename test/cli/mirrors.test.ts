/**
 * Mirrors through the real CLI, against several real `pyindex serve`
 * processes serving identical copies of one tree (and the test static
 * server where a fault needs it): a mirror stopped before the run, one
 * killed with SIGKILL while a response is half-delivered (lock and fetch
 * each), one slowed down (it must not be chosen as nearest), one serving a
 * tampered `.metadata` and a tampered wheel (caught by hash, taken from
 * another server). Every time lock and fetch finish, the lockfile is
 * byte-identical to the one locked against the primary alone (it never
 * records which mirror served a file), and every wheel is the locked bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { MirrorReport } from '../../src/index/mirrors.js';
import { readLockfile } from '../../src/lock/read.js';
import { runCli, startCli } from '../helpers/cli.js';
import { copyTree, eventsOf, jsonEvents, serveTree, writeTree } from '../helpers/mirror-kit.js';
import { startServeCli } from '../helpers/serve-cli.js';
import { makeWheel } from '../helpers/serve-dists.js';
import { startStaticServer } from '../helpers/static-server.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

const PROFILE = 'linux-x86_64-py3.11';
const JOBS = `jobs:\n  ci:\n    requires: [app]\n    profiles: [${PROFILE}]\n`;

interface Fixture {
  dir: string;
  /** The tree every server serves a copy of. */
  tree: string;
  primary: string;
  /** pyindex.lock.yaml locked against the primary alone. */
  reference: string;
}

/** A tree (app → lib-a → lib-c, app → lib-b; wheels with 300 kB random payloads), the primary serving it, and the reference lock. */
async function fixture(t: Test): Promise<Fixture> {
  const dir = t.testdir({});
  const tree = join(dir, 'tree');
  const payload = () => randomBytes(300_000);
  await writeTree(tree, [
    makeWheel({ name: 'app', version: '1.0', requires: ['lib-a', 'lib-b'] }),
    makeWheel({ name: 'lib-a', version: '1.0', requires: ['lib-c'], payload: payload() }),
    makeWheel({ name: 'lib-b', version: '1.0', payload: payload() }),
    makeWheel({ name: 'lib-b', version: '2.0', payload: payload() }),
    makeWheel({ name: 'lib-c', version: '1.0', payload: payload() }),
  ]);
  copyTree(tree, join(dir, 'primary'));
  const primary = (await serveTree(t, join(dir, 'primary'))).simple;
  const ref = join(dir, 'reference');
  mkdirSync(ref);
  writeFileSync(join(ref, 'pyindex.yaml'), `index: ${primary}\n${JOBS}`);
  const locked = await runCli(['lock'], { cwd: ref, env: { PYINDEX_CACHE_DIR: join(ref, 'cache') } });
  t.equal(locked.code, 0, locked.stderr);
  return { dir, tree, primary, reference: readFileSync(join(ref, 'pyindex.lock.yaml'), 'utf8') };
}

/** A project directory whose index is the primary with these mirrors. */
function project(f: Fixture, name: string, mirrors: string[]): { cwd: string; env: NodeJS.ProcessEnv; wheelhouse: string } {
  const cwd = join(f.dir, name);
  mkdirSync(cwd);
  writeFileSync(join(cwd, 'pyindex.yaml'), `index:\n  url: ${f.primary}\n  mirrors: ${JSON.stringify(mirrors)}\n${JOBS}`);
  return { cwd, env: { PYINDEX_CACHE_DIR: join(cwd, 'cache') }, wheelhouse: join(cwd, 'wh') };
}

/** The lock equals the reference, and the wheelhouse holds exactly the locked bytes. */
function assertLockAndWheelhouse(t: Test, f: Fixture, cwd: string, wheelhouse?: string): void {
  t.equal(readFileSync(join(cwd, 'pyindex.lock.yaml'), 'utf8'), f.reference, 'the lockfile is byte-identical to the one locked against the primary alone');
  if (!wheelhouse) return;
  const lock = readLockfile(join(cwd, 'pyindex.lock.yaml'));
  const files = lock.packages.flatMap((p) => p.files);
  t.same(readdirSync(wheelhouse).filter((n) => n.endsWith('.whl')).sort(), files.map((x) => x.filename).sort(), 'every locked wheel is in the wheelhouse');
  for (const x of files) t.equal(createHash('sha256').update(readFileSync(join(wheelhouse, x.filename))).digest('hex'), x.sha256, `${x.filename}: the locked bytes`);
}

function mirrorsOf(stdout: string): MirrorReport[] {
  return (JSON.parse(stdout) as { mirrors: MirrorReport[] }).mirrors;
}

function server(report: MirrorReport, url: string): MirrorReport['servers'][number] {
  return report.servers.find((s) => s.url === url)!;
}

t.test('a mirror stopped before the run: failed over, set aside and reported; the probe orders it last', async (t) => {
  const f = await fixture(t);
  copyTree(f.tree, join(f.dir, 'stopped'));
  const stopped = await startServeCli(join(f.dir, 'stopped'));
  await stopped.stop('SIGKILL');
  const down = `${stopped.url}simple/`;
  const p = project(f, 'p', [down]);

  const lock = await runCli(['lock', '--json', '--mirror-order', down], { cwd: p.cwd, env: p.env });
  t.equal(lock.code, 0, lock.stderr);
  assertLockAndWheelhouse(t, f, p.cwd);
  const events = jsonEvents(lock.stderr);
  t.ok(eventsOf(events, 'mirror:failover').some((e) => e.from === down && e.to === f.primary && /refused|ECONNREFUSED/.test(e.reason)), 'requests moved from the dead mirror to the primary');
  t.match(eventsOf(events, 'mirror:set-aside'), [{ index: f.primary, mirror: down, failures: 3 }], 'set aside once, after 3 failures');
  const [report] = mirrorsOf(lock.stdout);
  t.match(server(report!, down), { served: 0, setAside: /refused/ });
  t.ok(server(report!, f.primary).served > 0, 'the primary served the lock');
  const asideAt = events.findIndex((e) => e.type === 'mirror:set-aside');
  const lastTry = events.findLastIndex((e) => e.type === 'index:request' && e.url.startsWith(down.replace(/simple\/$/, '')));
  t.ok(lastTry >= 0 && lastTry < asideAt, 'no request was sent to it after it was set aside');
  t.equal(server(report!, down).requests, eventsOf(events, 'mirror:failover').filter((e) => e.from === down).length, 'every request it got failed over');

  const fetch = await runCli(['fetch', '--wheelhouse', p.wheelhouse, '--mirror-order', down], { cwd: p.cwd, env: p.env });
  t.equal(fetch.code, 0, fetch.stderr);
  assertLockAndWheelhouse(t, f, p.cwd, p.wheelhouse);
  t.match(fetch.stdout, new RegExp(`servers of ${f.primary}: ${down} served 0, \\d+ failed, SET ASIDE \\(.*connection refused.*\\); ${f.primary} served 4\n`), 'the CLI summary line names the mirror set aside');
  t.match(fetch.stderr, `warning: ${down} set aside for the rest of the run after 3 failures`);

  // Nearest first (the default): the probe finds it unreachable and orders it last; nothing fails over.
  const fresh = { PYINDEX_CACHE_DIR: join(p.cwd, 'cache2') };
  const probed = await runCli(['fetch', '--wheelhouse', join(p.cwd, 'wh2'), '--json'], { cwd: p.cwd, env: fresh });
  t.equal(probed.code, 0, probed.stderr);
  const pe = jsonEvents(probed.stderr);
  t.match(eventsOf(pe, 'mirror:order'), [{ how: 'probe', order: [{ url: f.primary }, { url: down, error: 'ECONNREFUSED' }] }]);
  t.same(eventsOf(pe, 'mirror:failover'), [], 'no request went to it');
  t.match(server(mirrorsOf(probed.stdout)[0]!, down), { requests: 0, probeError: 'ECONNREFUSED' });
  assertLockAndWheelhouse(t, f, p.cwd, join(p.cwd, 'wh2'));
});

t.test('a mirror killed (SIGKILL) mid-response during lock, and again during fetch', async (t) => {
  const f = await fixture(t);
  copyTree(f.tree, join(f.dir, 'doomed'));
  let doomed = await startServeCli(join(f.dir, 'doomed'), ['--no-download-log']);
  t.teardown(() => doomed.stop('SIGKILL'));
  const proxy = await startTcpProxy(Number(new URL(doomed.url).port));
  t.teardown(() => proxy.close());
  const mirror = `${proxy.url}simple/`;
  const p = project(f, 'p', [mirror]);

  const held = proxy.holdNext(/\.metadata$/, 10);
  const locking = startCli(['lock', '--json', '--mirror-order', mirror], { cwd: p.cwd, env: p.env });
  const heldPath = await held;
  await doomed.stop('SIGKILL');
  const lock = await locking.done;
  t.equal(lock.code, 0, lock.stderr);
  assertLockAndWheelhouse(t, f, p.cwd);
  const events = jsonEvents(lock.stderr);
  const failovers = eventsOf(events, 'mirror:failover');
  t.ok(failovers.some((e) => e.url.endsWith(heldPath.replace(/^\//, '')) && e.from === mirror && e.to === f.primary), `the half-delivered ${heldPath} was taken from the primary (${JSON.stringify(failovers)})`);
  t.match(eventsOf(events, 'mirror:set-aside'), [{ mirror }], 'the dead mirror was set aside');

  // The mirror comes back (a new process on the same tree), and dies again while serving a wheel.
  doomed = await startServeCli(join(f.dir, 'doomed'), ['--no-download-log']);
  proxy.retarget(Number(new URL(doomed.url).port));
  const heldWheel = proxy.holdNext(/lib_a-1\.0-py3-none-any\.whl$/, 100_000);
  const fetching = startCli(['fetch', '--wheelhouse', p.wheelhouse, '--json', '--mirror-order', mirror], { cwd: p.cwd, env: p.env });
  await heldWheel;
  await doomed.stop('SIGKILL');
  const fetch = await fetching.done;
  t.equal(fetch.code, 0, fetch.stderr);
  assertLockAndWheelhouse(t, f, p.cwd, p.wheelhouse);
  const fe = jsonEvents(fetch.stderr);
  t.ok(eventsOf(fe, 'mirror:failover').some((e) => e.url.endsWith('lib_a-1.0-py3-none-any.whl') && e.from === mirror && /closed|ECONNRESET|aborted/i.test(e.reason)), 'the wheel cut short at 100 kB was fetched again from the primary');
  const [report] = mirrorsOf(fetch.stdout);
  t.ok(server(report!, f.primary).served >= 1, 'the primary served what the mirror could not');
});

t.test('a slowed-down mirror is not chosen as nearest (and the probe is reused from the cache)', async (t) => {
  const f = await fixture(t);
  copyTree(f.tree, join(f.dir, 'far'));
  copyTree(f.tree, join(f.dir, 'near'));
  const far = await startStaticServer(join(f.dir, 'far'), { negotiate: true, delayMs: 400 });
  t.teardown(() => far.close());
  const near = await serveTree(t, join(f.dir, 'near'));
  const slow = `${far.url}/simple/`;
  // Listed first in the config: only the measurement puts it last.
  const p = project(f, 'p', [slow, near.simple]);

  const lock = await runCli(['lock', '--json'], { cwd: p.cwd, env: p.env });
  t.equal(lock.code, 0, lock.stderr);
  assertLockAndWheelhouse(t, f, p.cwd);
  const [order] = eventsOf(jsonEvents(lock.stderr), 'mirror:order');
  t.equal(order?.how, 'probe');
  t.equal(order?.order.at(-1)?.url, slow, `the slow mirror is tried last (${JSON.stringify(order?.order)})`);
  await far.settled();
  t.same(far.requests.map((r) => `${r.method} ${r.path}`), ['HEAD /simple/'], 'it got the probe and nothing else');

  const fetch = await runCli(['fetch', '--wheelhouse', p.wheelhouse, '--json'], { cwd: p.cwd, env: p.env });
  t.equal(fetch.code, 0, fetch.stderr);
  assertLockAndWheelhouse(t, f, p.cwd, p.wheelhouse);
  const [again] = eventsOf(jsonEvents(fetch.stderr), 'mirror:order');
  t.equal(again?.how, 'cached probe', `a run within the probe TTL does not probe again (${JSON.stringify(again)})`);
  t.equal(again?.order.at(-1)?.url, slow);
  t.equal(far.requests.length, 1, 'the slow mirror was not asked for anything');
  t.equal(server(mirrorsOf(fetch.stdout)[0]!, slow).requests, 0);
});

t.test('a mirror serving a tampered .metadata and a tampered wheel: caught by hash, taken from the primary', async (t) => {
  const f = await fixture(t);
  const root = join(f.dir, 'tampered');
  copyTree(f.tree, root);
  const lock0 = readLockfile(join(f.dir, 'reference', 'pyindex.lock.yaml'));
  const wheelOf = (name: string) => lock0.packages.find((p) => p.name === name)!.files[0]!.filename;
  // Same sizes, other bytes: only a hash tells.
  const metadata = join(root, 'files', 'lib-c', `${wheelOf('lib-c')}.metadata`);
  writeFileSync(metadata, readFileSync(metadata, 'utf8').replace('Name: lib-c', 'Name: lib-x'));
  const wheel = join(root, 'files', 'lib-b', wheelOf('lib-b'));
  const bytes = readFileSync(wheel);
  const middle = bytes.length >> 1;
  bytes.writeUInt8(bytes.readUInt8(middle) ^ 0xff, middle);
  writeFileSync(wheel, bytes);
  const bad = await serveTree(t, root);
  const p = project(f, 'p', [bad.simple]);

  const lock = await runCli(['lock', '--json', '--mirror-order', bad.simple], { cwd: p.cwd, env: p.env });
  t.equal(lock.code, 0, lock.stderr);
  assertLockAndWheelhouse(t, f, p.cwd);
  const lf = eventsOf(jsonEvents(lock.stderr), 'mirror:failover');
  t.match(lf, [{ from: bad.simple, to: f.primary, url: new RegExp(`${wheelOf('lib-c')}\\.metadata$`), reason: /sha256 is [0-9a-f]{64}, but the index says/ }], 'the tampered metadata, and only it, failed over');

  const fetch = await runCli(['fetch', '--wheelhouse', p.wheelhouse, '--json', '--mirror-order', bad.simple], { cwd: p.cwd, env: p.env });
  t.equal(fetch.code, 0, fetch.stderr);
  assertLockAndWheelhouse(t, f, p.cwd, p.wheelhouse);
  const ff = eventsOf(jsonEvents(fetch.stderr), 'mirror:failover');
  t.match(ff, [{ from: bad.simple, to: f.primary, url: new RegExp(`${wheelOf('lib-b')}$`), reason: /does not match the lockfile/ }], 'the tampered wheel, and only it, was refused');
  const report = mirrorsOf(fetch.stdout)[0]!;
  t.match(server(report, bad.simple), { failures: 1, setAside: undefined }, 'one bad file does not set the mirror aside');
  t.equal(server(report, bad.simple).served, 3, 'it served the other wheels');
  t.equal(server(report, f.primary).served, 1);
});
