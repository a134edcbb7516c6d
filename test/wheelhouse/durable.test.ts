/**
 * Batched durability (src/wheelhouse/durable.ts) through fetchWheelhouse:
 * nothing enters the cache or the wheelhouse before its batch is synced — not
 * after a kill -9 between a batch's writes and its sync, not when the sync
 * fails — and the node:http transport's timeouts and redirects.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t, { type Test } from 'tap';
import { isPyindexError } from '../../src/errors/index.js';
import type { Lockfile } from '../../src/lock/types.js';
import { casPath, casTempDir } from '../../src/wheelhouse/cas.js';
import { DurableBatch } from '../../src/wheelhouse/durable.js';
import { fetchWheelhouse, type FetchOptions } from '../../src/wheelhouse/fetch.js';
import { MANIFEST_FILENAME } from '../../src/wheelhouse/manifest.js';
import { plannedFiles, type PlannedFile } from '../../src/wheelhouse/plan.js';
import { projectRoot } from '../helpers/mkindex.js';
import { startStaticServer, type StaticServer } from '../helpers/static-server.js';
import { lockFetchProject, writePayloadIndex, type PayloadWheelSpec } from '../helpers/wheelhouse-kit.js';

interface Project {
  dir: string;
  root: string;
  server: StaticServer;
  lock: Lockfile;
  files: PlannedFile[];
  cache: string;
  wheelhouse: string;
}

const SPECS: PayloadWheelSpec[] = [
  { name: 'alpha', version: '1.0', payload: 200_000 },
  { name: 'beta', version: '2.0', payload: 150_000 },
  { name: 'gamma', version: '3.0', payload: 100_000 },
];

async function project(t: Test): Promise<Project> {
  const dir = t.testdir({});
  const root = join(dir, 'index');
  writePayloadIndex(root, SPECS);
  const server = await startStaticServer(root, { negotiate: true });
  t.teardown(() => server.close());
  const lock = await lockFetchProject(dir, `${server.url}/simple/`, { build: SPECS.map((s) => s.name) }, join(dir, 'lock-cache'));
  server.requests.length = 0;
  return { dir, root, server, lock, files: plannedFiles(lock, [], []), cache: join(dir, 'cache'), wheelhouse: join(dir, 'wheelhouse') };
}

function options(p: Project, extra: Partial<FetchOptions> = {}): FetchOptions {
  return { lock: p.lock, files: p.files, wheelhouse: p.wheelhouse, cacheDir: p.cache, retryDelayMs: 0, ...extra };
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function visible(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith('.')).sort() : [];
}

/** Every visible file is a planned one with the locked bytes. */
function assertOnlyValidVisible(t: Test, p: Project): void {
  for (const name of visible(p.wheelhouse)) {
    if (name === MANIFEST_FILENAME) continue;
    t.equal(sha256(join(p.wheelhouse, name)), p.files.find((f) => f.filename === name)?.sha256, `${name} is whole and verified`);
  }
}

async function caught(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    if (isPyindexError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  return { code: 'none', message: 'no error' };
}

t.test('nothing is in the cache or in view before its batch is synced', async (t) => {
  const p = await project(t);
  const seen: { batch: PlannedFile[]; inView: string[]; inCache: string[] }[] = [];
  const result = await fetchWheelhouse(
    options(p, {
      // Small batches, so that several are synced while others are placed.
      durability: {
        bytes: 1,
        sync: async (paths) => {
          seen.push({
            // Temp names start with the sha256 they must have.
            batch: paths.map((path) => p.files.find((f) => path.slice(casTempDir(p.cache).length + 1).startsWith(`.${f.sha256}.`))!),
            inView: visible(p.wheelhouse),
            inCache: p.files.filter((f) => existsSync(casPath(p.cache, f.sha256))).map((f) => f.filename),
          });
        },
      },
    }),
  );
  t.equal(result.downloaded, 3);
  t.same(seen.flatMap((s) => s.batch.map((f) => f?.filename)).sort(), p.files.map((f) => f.filename), 'every download was synced, once, as its dot-named temp file');
  for (const { batch, inView, inCache } of seen) {
    for (const f of batch) {
      t.notOk(inView.includes(f.filename), `${f.filename} is not in view before its sync`);
      t.notOk(inCache.includes(f.filename), `${f.filename} is not in the cache before its sync`);
    }
  }
  t.same(visible(p.wheelhouse), [...p.files.map((f) => f.filename), MANIFEST_FILENAME].sort());
  assertOnlyValidVisible(t, p);
});

t.test('a failed sync: E_WRITE_FAILED, the batch removed, nothing visible or cached', async (t) => {
  const p = await project(t);
  const err = await caught(
    fetchWheelhouse(
      options(p, {
        durability: {
          sync: async () => {
            throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
          },
        },
      }),
    ),
  );
  t.equal(err.code, 'E_WRITE_FAILED');
  t.match(err.message, /EIO/);
  t.same(visible(p.wheelhouse), [], 'no file and no manifest in view');
  for (const f of p.files) t.notOk(existsSync(casPath(p.cache, f.sha256)), `${f.filename} not cached`);
  t.same(readdirSync(casTempDir(p.cache)), [], 'the unsynced temp files were removed');
});

t.test('kill -9 between a batch being written and its sync; the next run cleans up and completes', async (t) => {
  const p = await project(t);
  const marker = join(p.dir, 'blocked.jsonl');
  // A child fetches one file per batch; the first batch is really synced, later syncs never return.
  const child = join(p.dir, 'child.mts');
  writeFileSync(
    child,
    `import { appendFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { fetchWheelhouse } from ${JSON.stringify(pathToFileURL(join(projectRoot, 'src', 'wheelhouse', 'fetch.ts')).href)};
const input = JSON.parse(process.argv[2]);
let batches = 0;
await fetchWheelhouse({ ...input, retryDelayMs: 0, concurrency: 1, durability: { bytes: 1, sync: async (paths) => {
  if (++batches === 1) {
    for (const path of paths) { const h = await open(path, 'r'); await h.datasync(); await h.close(); }
    return;
  }
  appendFileSync(${JSON.stringify(marker)}, JSON.stringify(paths) + '\\n');
  setInterval(() => {}, 1 << 30);
  return new Promise(() => {});
} } });
`,
  );
  const input = { lock: p.lock, files: p.files, wheelhouse: p.wheelhouse, cacheDir: p.cache };
  const proc = spawn(process.execPath, ['--import=tsx', child, JSON.stringify(input)], { cwd: projectRoot, stdio: 'ignore' });
  const exited = new Promise<string | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
  t.teardown(() => void proc.kill('SIGKILL'));
  const [first, second] = p.files as [PlannedFile, PlannedFile, PlannedFile];
  for (let i = 0; i < 1500; i++) {
    if (existsSync(marker) && visible(p.wheelhouse).includes(first.filename)) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const blocked = existsSync(marker) ? readFileSync(marker, 'utf8').trim().split('\n').flatMap((l) => JSON.parse(l) as string[]) : [];
  t.ok(blocked.length >= 1, 'the second batch is waiting for its sync');
  proc.kill('SIGKILL');
  t.equal(await exited, 'SIGKILL');

  t.same(visible(p.wheelhouse), [first.filename], 'only the synced batch is in view (no manifest)');
  t.equal(sha256(join(p.wheelhouse, first.filename)), first.sha256, 'and it is complete');
  t.ok(existsSync(casPath(p.cache, first.sha256)), 'and cached');
  t.notOk(existsSync(casPath(p.cache, second.sha256)), 'the unsynced file is not cached');
  for (const path of blocked) t.ok(existsSync(path), `unsynced ${path.slice(casTempDir(p.cache).length + 1)} stays a dot-named temp file`);
  t.ok(readdirSync(casTempDir(p.cache)).every((n) => /^\..*\.tmp$/.test(n)), 'the temp directory holds only dot-named temp files');

  p.server.requests.length = 0;
  const rerun = await fetchWheelhouse(options(p));
  t.same([rerun.present, rerun.downloaded], [1, 2], 'the re-run keeps the synced file and fetches the rest');
  t.same(readdirSync(casTempDir(p.cache)), [], "the killed run's temp files are removed");
  t.same(visible(p.wheelhouse), [...p.files.map((f) => f.filename), MANIFEST_FILENAME].sort());
  assertOnlyValidVisible(t, p);
});

t.test('batches close by size, by time and on flush', async (t) => {
  const synced: string[][] = [];
  const sync = async (paths: string[]): Promise<void> => {
    synced.push(paths);
  };
  const bySize = new DurableBatch({ bytes: 100, ms: 60_000, sync });
  const a = bySize.durable('a', 60);
  const b = bySize.durable('b', 60);
  await Promise.all([a, b]);
  t.same(synced, [['a', 'b']], 'closed when it reached the size');

  synced.length = 0;
  const byTime = new DurableBatch({ bytes: 1 << 30, ms: 1, sync });
  await byTime.durable('c', 1);
  t.same(synced, [['c']], 'closed by its timer');

  synced.length = 0;
  const byFlush = new DurableBatch({ bytes: 1 << 30, ms: 60_000, sync });
  const d = byFlush.durable('d', 1);
  byFlush.flush();
  await d;
  byFlush.flush();
  t.same(synced, [['d']], 'closed by flush; an empty flush syncs nothing');
});

t.test('the default sync: fdatasync of each file', async (t) => {
  const dir = t.testdir({ one: 'x', two: 'y' });
  const batch = new DurableBatch({ ms: 60_000 });
  const done = Promise.all([batch.durable(join(dir, 'one'), 1), batch.durable(join(dir, 'two'), 1)]);
  batch.flush();
  await done;
  const missing = batch.durable(join(dir, 'nope'), 1);
  batch.flush();
  await t.rejects(missing, { code: 'ENOENT' }, 'a file that cannot be synced rejects its batch');
});

t.test('a stalled body times out (E_TIMEOUT), retried, and leaves nothing', async (t) => {
  const p = await project(t);
  const beta = p.files.find((f) => f.project === 'beta')!;
  const path = new URL(beta.url).pathname;
  p.server.faults[path] = { kind: 'stall' };
  const err = await caught(fetchWheelhouse(options(p, { timeoutMs: 300, retries: 1 })));
  t.equal(err.code, 'E_TIMEOUT');
  t.match(err.message, beta.filename);
  t.match(err.message, /no data for 300 ms/);
  t.equal(p.server.requests.filter((r) => r.path === path).length, 2, 'first try + 1 retry');
  t.notOk(visible(p.wheelhouse).includes(beta.filename));
  t.notOk(existsSync(casPath(p.cache, beta.sha256)));
  t.same(readdirSync(casTempDir(p.cache)), [], 'no temp file left');
});

t.test('redirects are followed to the file', async (t) => {
  const p = await project(t);
  const gamma = p.files.find((f) => f.project === 'gamma')!;
  mkdirSync(join(p.root, 'moved'));
  copyFileSync(join(p.root, 'files', gamma.filename), join(p.root, 'moved', gamma.filename));
  p.server.faults[new URL(gamma.url).pathname] = { kind: 'redirect', status: 301, location: `/moved/${gamma.filename}` };
  const result = await fetchWheelhouse(options(p));
  t.equal(result.downloaded, 3);
  t.ok(p.server.requests.some((r) => r.path === `/moved/${gamma.filename}`), 'the redirect target was fetched');
  assertOnlyValidVisible(t, p);
});
