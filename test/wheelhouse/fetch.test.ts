/**
 * fetchWheelhouse against a real loopback index (test/helpers/static-server)
 * with injected faults: the wheelhouse only ever shows whole, verified files.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, fstatSync, writeSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { isPyindexError } from '../../src/errors/index.js';
import type { PyindexEvent } from '../../src/events/index.js';
import type { Lockfile } from '../../src/lock/types.js';
import { casPath, casTempDir } from '../../src/wheelhouse/cas.js';
import type { DownloadIo } from '../../src/wheelhouse/download.js';
import { fetchWheelhouse, type FetchOptions } from '../../src/wheelhouse/fetch.js';
import { MANIFEST_FILENAME } from '../../src/wheelhouse/manifest.js';
import { plannedFiles, type PlannedFile } from '../../src/wheelhouse/plan.js';
import { startStaticServer, type StaticServer } from '../helpers/static-server.js';
import { lockFetchProject, writePayloadIndex, type BuiltFile, type PayloadWheelSpec } from '../helpers/wheelhouse-kit.js';

interface Project {
  dir: string;
  root: string;
  server: StaticServer;
  lock: Lockfile;
  files: PlannedFile[];
  built: BuiltFile[];
  cache: string;
  wheelhouse: string;
}

const SPECS: PayloadWheelSpec[] = [
  { name: 'alpha', version: '1.0', payload: 300_000, requires: ['beta', 'gamma'] },
  { name: 'beta', version: '2.0', payload: 20_000 },
  { name: 'gamma', version: '3.0', payload: 70_000 },
];

async function project(t: Test, specs = SPECS, jobs: Record<string, string[]> = { build: ['alpha'] }): Promise<Project> {
  const dir = t.testdir({});
  const root = join(dir, 'index');
  const built = writePayloadIndex(root, specs);
  const server = await startStaticServer(root, { negotiate: true });
  t.teardown(() => server.close());
  const lock = await lockFetchProject(dir, `${server.url}/simple/`, jobs, join(dir, 'lock-cache'));
  server.requests.length = 0;
  return { dir, root, server, lock, files: plannedFiles(lock, [], []), built, cache: join(dir, 'cache'), wheelhouse: join(dir, 'wheelhouse') };
}

function options(p: Project, extra: Partial<FetchOptions> = {}): FetchOptions {
  return { lock: p.lock, files: p.files, wheelhouse: p.wheelhouse, cacheDir: p.cache, retryDelayMs: 0, ...extra };
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Every visible (non-dot) distribution in the wheelhouse is whole and has the locked hash. */
function assertOnlyValidVisible(t: Test, p: Project): string[] {
  const visible = existsSync(p.wheelhouse) ? readdirSync(p.wheelhouse).filter((n) => !n.startsWith('.') && n !== MANIFEST_FILENAME) : [];
  for (const name of visible) {
    const planned = p.files.find((f) => f.filename === name);
    t.ok(planned, `${name} is planned`);
    if (planned) t.equal(sha256(join(p.wheelhouse, name)), planned.sha256, `${name} is whole and verified`);
  }
  return visible.sort();
}

function temps(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.tmp')) : [];
}

async function caught(promise: Promise<unknown>): Promise<{ code: string; message: string; hint?: string; details: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    if (isPyindexError(err)) return { code: err.code, message: err.message, hint: err.hint, details: err.details };
    throw err;
  }
  return { code: 'none', message: 'no error', details: {} };
}

t.test('cold, then present, then from the shared cache as hard links', async (t) => {
  const p = await project(t);
  const events: PyindexEvent[] = [];
  const first = await fetchWheelhouse(options(p, { onEvent: (e) => events.push(e) }));
  t.same(first, { downloaded: 3, fromCache: 0, present: 0, bytes: p.files.reduce((n, f) => n + f.size, 0), pruned: [], quarantined: [], built: 0 });
  t.same(assertOnlyValidVisible(t, p), p.files.map((f) => f.filename));
  t.same(temps(p.wheelhouse), [], 'no temp files left');
  t.same(temps(casTempDir(p.cache)), []);
  const last = events.filter((e) => e.type === 'fetch:progress').pop();
  t.match(last, { files: 3, filesTotal: 3, downloaded: first.bytes, bytesTotal: first.bytes }, 'progress reaches the totals');
  t.same(events.filter((e) => e.type === 'fetch:file').map((e) => (e as { via: string }).via), ['download', 'download', 'download']);

  const manifest = JSON.parse(readFileSync(join(p.wheelhouse, MANIFEST_FILENAME), 'utf8')) as { version: number; files: Record<string, unknown> };
  t.equal(manifest.version, 1);
  t.same(Object.keys(manifest.files), p.files.map((f) => f.filename), 'manifest keys sorted');
  const alpha = p.built.find((b) => b.project === 'alpha')!;
  t.same(manifest.files[alpha.filename], { project: 'alpha', sha256: alpha.sha256, size: alpha.size, version: '1.0' });
  t.match(readFileSync(join(p.wheelhouse, MANIFEST_FILENAME), 'utf8'), /^\{\n {2}"files": \{\n/, '2-space JSON, sorted keys');

  p.server.requests.length = 0;
  const again = await fetchWheelhouse(options(p));
  t.same([again.downloaded, again.fromCache, again.present], [0, 0, 3], 'a complete wheelhouse is left alone');
  t.equal(p.server.requests.length, 0, 'and the index is not asked');

  const second = join(p.dir, 'wheelhouse2');
  const other = await fetchWheelhouse(options(p, { wheelhouse: second }));
  t.same([other.downloaded, other.fromCache], [0, 3], 'another wheelhouse on the machine downloads nothing');
  t.equal(p.server.requests.length, 0);
  for (const f of p.files) {
    t.equal(statSync(join(second, f.filename)).ino, statSync(casPath(p.cache, f.sha256)).ino, `${f.filename} is a hard link to the cache entry`);
  }
});

t.test('a truncated download is retried and never visible', async (t) => {
  const p = await project(t);
  const alpha = p.files.find((f) => f.project === 'alpha')!;
  const path = new URL(alpha.url).pathname;
  p.server.faults[path] = { kind: 'truncate', bytes: 1000 };
  const seen: boolean[] = [];
  const result = await fetchWheelhouse(
    options(p, {
      onEvent: (e) => {
        if (e.type === 'index:retry' && e.url === alpha.url) {
          seen.push(existsSync(join(p.wheelhouse, alpha.filename)));
          delete p.server.faults[path]; // the next attempt gets the whole file
        }
      },
    }),
  );
  t.same(seen, [false], 'one retry; at that moment nothing was visible under the name');
  t.equal(result.downloaded, 3);
  t.equal(p.server.requests.filter((r) => r.path === path).length, 2);
  assertOnlyValidVisible(t, p);
  t.same(temps(casTempDir(p.cache)), []);
});

t.test('a download that stays truncated fails clearly and leaves nothing', async (t) => {
  const p = await project(t);
  const alpha = p.files.find((f) => f.project === 'alpha')!;
  p.server.faults[new URL(alpha.url).pathname] = { kind: 'truncate', bytes: 1000 };
  const err = await caught(fetchWheelhouse(options(p, { retries: 2 })));
  t.equal(err.code, 'E_NETWORK');
  t.match(err.message, alpha.filename);
  t.match(err.message, /closed before the whole file arrived/);
  t.equal(p.server.requests.filter((r) => r.path === new URL(alpha.url).pathname).length, 3, 'first try + 2 retries (the index page lists the same URL)');
  t.notOk(existsSync(join(p.wheelhouse, alpha.filename)));
  t.notOk(existsSync(join(p.wheelhouse, MANIFEST_FILENAME)), 'no manifest for an incomplete wheelhouse');
  t.same(temps(p.wheelhouse), []);
  t.same(temps(casTempDir(p.cache)), []);
  t.notOk(existsSync(casPath(p.cache, alpha.sha256)));
});

t.test('different bytes: E_HASH_MISMATCH naming file and both hashes; nothing visible or cached', async (t) => {
  const p = await project(t);
  const beta = p.files.find((f) => f.project === 'beta')!;
  const evil = Buffer.alloc(beta.size, 0x42);
  p.server.faults[new URL(beta.url).pathname] = { kind: 'body', contentType: 'application/octet-stream', body: evil };
  const err = await caught(fetchWheelhouse(options(p)));
  t.equal(err.code, 'E_HASH_MISMATCH');
  const actual = createHash('sha256').update(evil).digest('hex');
  t.match(err.message, beta.filename);
  t.match(err.message, `expected sha256 ${beta.sha256}`);
  t.match(err.message, `got sha256 ${actual}`);
  t.match(err.details, { filename: beta.filename, expected: beta.sha256, actual });
  t.equal(p.server.requests.filter((r) => r.path === new URL(beta.url).pathname).length, 1, 'not retried: the bytes are wrong, not late');
  t.notOk(existsSync(join(p.wheelhouse, beta.filename)));
  t.notOk(existsSync(casPath(p.cache, beta.sha256)));
  t.same(temps(casTempDir(p.cache)), []);

  // Too many bytes are cut off as soon as they exceed the locked size.
  p.server.faults[new URL(beta.url).pathname] = { kind: 'body', contentType: 'application/octet-stream', body: Buffer.alloc(beta.size * 3, 1) };
  const long = await caught(fetchWheelhouse(options(p)));
  t.equal(long.code, 'E_HASH_MISMATCH');
  t.match(long.message, `more than the locked ${beta.size} bytes`);
});

t.test('a corrupt wheelhouse file is quarantined and replaced', async (t) => {
  const p = await project(t);
  await fetchWheelhouse(options(p));
  const [a, b] = p.files as [PlannedFile, PlannedFile];
  // a: replaced by another file (the cache entry is intact) → relinked from the cache.
  rmSync(join(p.wheelhouse, a.filename));
  writeFileSync(join(p.wheelhouse, a.filename), 'garbage');
  // b: changed in place through the hard link (the cache entry is hit too) → downloaded again.
  chmodSync(join(p.wheelhouse, b.filename), 0o644); // cache entries (and so their links) are read-only
  writeFileSync(join(p.wheelhouse, b.filename), Buffer.alloc(b.size, 0x43));
  const warnings: string[] = [];
  p.server.requests.length = 0;
  const result = await fetchWheelhouse(options(p, { onEvent: (e) => e.type === 'warning' && warnings.push(e.message) }));
  t.equal(result.quarantined.length, 2);
  t.same([result.fromCache, result.downloaded, result.present], [1, 1, 1]);
  t.same(p.server.requests.map((r) => r.path), [new URL(b.url).pathname], 'only the file whose cache entry was hit too is downloaded');
  assertOnlyValidVisible(t, p);
  const quarantined = readdirSync(join(p.wheelhouse, '.quarantine')).sort();
  t.equal(quarantined.length, 2);
  t.ok(quarantined.some((n) => n.startsWith(a.filename) && readFileSync(join(p.wheelhouse, '.quarantine', n), 'utf8') === 'garbage'), 'the bad copy is kept for inspection');
  t.match(warnings.join('\n'), new RegExp(`${a.filename.replace(/\./g, '\\.')} in .* does not match the lockfile`));
});

t.test('5xx: retried with backoff, then a clear E_HTTP', async (t) => {
  const p = await project(t);
  const gamma = p.files.find((f) => f.project === 'gamma')!;
  const path = new URL(gamma.url).pathname;
  p.server.faults[path] = { kind: 'status', status: 503, body: 'upstream down' };
  const retries: number[] = [];
  const err = await caught(fetchWheelhouse(options(p, { retries: 3, onEvent: (e) => e.type === 'index:retry' && e.url === gamma.url && retries.push(e.attempt) })));
  t.equal(err.code, 'E_HTTP');
  t.match(err.message, /HTTP 503 \(upstream down\)/);
  t.match(err.message, gamma.filename);
  t.same(retries, [1, 2, 3]);
  t.equal(p.server.requests.filter((r) => r.path === path).length, 4);
  t.notOk(existsSync(join(p.wheelhouse, gamma.filename)));
});

t.test('a dead URL hint: the file is found by name on the index project page', async (t) => {
  const p = await project(t);
  const beta = p.built.find((b) => b.project === 'beta')!;
  // The index moved the file; its project pages say where.
  mkdirSync(join(p.root, 'moved'));
  renameSync(join(p.root, beta.path), join(p.root, 'moved', beta.filename));
  for (const page of ['index.json', 'index.html']) {
    const file = join(p.root, 'simple', 'beta', page);
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll(`../../files/${beta.filename}`, `../../moved/${beta.filename}`));
  }
  const warnings: string[] = [];
  const result = await fetchWheelhouse(options(p, { index: `${p.server.url}/simple/`, onEvent: (e) => e.type === 'warning' && warnings.push(e.message) }));
  t.equal(result.downloaded, 3);
  assertOnlyValidVisible(t, p);
  t.ok(p.server.requests.some((r) => r.path === `/moved/${beta.filename}`));
  t.match(warnings.join('\n'), /E_NOT_FOUND.*where the index lists it now/);

  // Not on the page either: the original 404 is reported, naming the file.
  rmSync(join(p.root, 'moved', beta.filename));
  writeFileSync(join(p.root, 'simple', 'beta', 'index.json'), JSON.stringify({ meta: { 'api-version': '1.1' }, name: 'beta', files: [] }));
  const err = await caught(fetchWheelhouse(options(p, { wheelhouse: join(p.dir, 'wh2'), cacheDir: join(p.dir, 'cache2') })));
  t.equal(err.code, 'E_NOT_FOUND');
  t.match(err.message, `cannot fetch ${beta.filename}`);
});

/** Real files whose appends (and early writebacks) go through `write` (and `writeback`), to inject short writes and errors. */
function fakeIo(write: (handle: FileHandle, data: Uint8Array) => number, writeback?: (handle: FileHandle) => Promise<void>): DownloadIo {
  return {
    create: async (path) => {
      const handle = await open(path, 'wx', 0o444);
      return { writeSync: (data) => write(handle, data), ...(writeback ? { writeback: () => writeback(handle) } : {}), stat: () => handle.stat(), close: () => handle.close() };
    },
    unlink: (path) => unlink(path),
  };
}

t.test('short writes (a nearly full disk writes less than asked): the rest is written, the file is whole', async (t) => {
  const p = await project(t);
  let calls = 0;
  const io = fakeIo((handle, data) => {
    calls++;
    return writeSync(handle.fd, data.subarray(0, Math.min(data.length, 777)));
  });
  const result = await fetchWheelhouse(options(p, { io }));
  t.equal(result.downloaded, p.files.length);
  t.ok(calls > p.files.reduce((n, f) => n + f.size, 0) / 777 - 1, `every append was short (${calls} writes)`);
  t.same(assertOnlyValidVisible(t, p), p.files.map((f) => f.filename).sort());
});

t.test('a write that makes no progress fails as E_WRITE_FAILED, nothing left behind', async (t) => {
  const p = await project(t);
  const err = await caught(fetchWheelhouse(options(p, { io: fakeIo(() => 0), retries: 0 })));
  t.equal(err.code, 'E_WRITE_FAILED');
  t.match(err.message, /EIO/);
  t.same(assertOnlyValidVisible(t, p), []);
  t.same(temps(casTempDir(p.cache)), []);
});

t.test('disk full (injected ENOSPC): named as such, nothing half-written left', async (t) => {
  const p = await project(t);
  let written = 0;
  const io = fakeIo((handle, data) => {
    written += data.length;
    if (written > 50_000) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    return writeSync(handle.fd, data);
  });
  const err = await caught(fetchWheelhouse(options(p, { io, concurrency: 1 })));
  t.equal(err.code, 'E_WRITE_FAILED');
  t.match(err.message, /the disk is full \(ENOSPC\)/);
  t.match(err.hint, /Free space/);
  assertOnlyValidVisible(t, p);
  t.same(temps(casTempDir(p.cache)), [], 'the partial download was removed');
  t.notOk(existsSync(join(p.wheelhouse, MANIFEST_FILENAME)));
});

t.test('early writeback: each file is written back while it downloads, and the files are whole', async (t) => {
  const p = await project(t);
  const seen = new Map<FileHandle, { at: number[]; final: number }>();
  const io: DownloadIo = {
    create: async (path) => {
      const handle = await open(path, 'wx', 0o444);
      const record = { at: [] as number[], final: 0 };
      seen.set(handle, record);
      return {
        writeSync: (data) => writeSync(handle.fd, data),
        // The size when the writeback starts, read synchronously: what had been appended by then.
        writeback: () => (record.at.push(fstatSync(handle.fd).size), handle.datasync()),
        stat: () => handle.stat(),
        close: async () => {
          record.final = fstatSync(handle.fd).size;
          await handle.close();
        },
      };
    },
    unlink: (path) => unlink(path),
  };
  const writebackBytes = 64 * 1024;
  const result = await fetchWheelhouse(options(p, { io, durability: { writebackBytes } }));
  t.equal(result.downloaded, p.files.length);
  t.same(assertOnlyValidVisible(t, p), p.files.map((f) => f.filename).sort());
  const records = [...seen.values()];
  const largest = Math.max(...p.files.map((f) => f.size));
  const big = records.find((r) => r.final === largest);
  // Deterministic whatever the timing: wire.ts hands over at most 256 KiB per socket read, so the
  // first writeback of a larger file starts before its last bytes are appended.
  t.ok(big && big.at.length >= 1 && big.at[0]! < largest, `the largest file (${largest} bytes) began its writeback while downloading (at ${big?.at[0]} bytes)`);
  for (const r of records) {
    if (r.final >= writebackBytes) t.ok(r.at.length >= 1, `a ${r.final}-byte file was written back early`);
    t.same(r.at, [...r.at].sort((a, b) => a - b), 'writebacks of a file follow its growth');
  }

  // Off: no early writeback at all.
  seen.clear();
  await fetchWheelhouse(options(p, { io, wheelhouse: join(p.dir, 'wh-off'), cacheDir: join(p.dir, 'cache-off'), durability: { writebackBytes: 0 } }));
  t.equal([...seen.values()].reduce((n, r) => n + r.at.length, 0), 0);
});

t.test('a failed early writeback (EIO) fails the file as E_WRITE_FAILED, nothing left behind', async (t) => {
  const p = await project(t);
  const io = fakeIo(
    (handle, data) => writeSync(handle.fd, data),
    () => Promise.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })),
  );
  const err = await caught(fetchWheelhouse(options(p, { io, retries: 0, durability: { writebackBytes: 64 * 1024 } })));
  t.equal(err.code, 'E_WRITE_FAILED');
  t.match(err.message, /EIO/);
  assertOnlyValidVisible(t, p);
  t.same(temps(casTempDir(p.cache)), [], 'the download the disk refused was removed');
});

t.test('disk full on a real, tiny tmpfs', async (t) => {
  const p = await project(t);
  // Outside the testdir: tap removes that before later teardowns run, and a mounted dir cannot be removed.
  const mnt = mkdtempSync(join(tmpdir(), 'pyindex-enospc-'));
  const { spawnSync } = await import('node:child_process');
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=128k', 'tmpfs', mnt], { encoding: 'utf8' });
  if (mount.status !== 0) {
    rmSync(mnt, { recursive: true, force: true });
    t.comment(`skipped: cannot mount a tmpfs here (${(mount.stderr || mount.error?.message || '').trim()}); the injected-ENOSPC test covers the logic`);
    return;
  }
  t.teardown(() => {
    spawnSync('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });
  const wheelhouse = join(mnt, 'wh');
  const err = await caught(fetchWheelhouse(options(p, { wheelhouse, cacheDir: join(mnt, 'cache') })));
  t.equal(err.code, 'E_WRITE_FAILED');
  t.match(err.message, /the disk is full \(ENOSPC\)/);
  const visible = readdirSync(wheelhouse).filter((n) => !n.startsWith('.'));
  for (const name of visible) t.equal(sha256(join(wheelhouse, name)), p.files.find((f) => f.filename === name)?.sha256, `${name} is whole`);
  t.notOk(visible.includes(p.files.find((f) => f.project === 'alpha')!.filename), 'the 300 kB wheel cannot fit');
  t.same(temps(join(mnt, 'cache', 'files', 'tmp')), []);
  t.same(temps(wheelhouse), []);
});

t.test('--prune removes only stale distributions and dead temp files', async (t) => {
  const p = await project(t);
  await fetchWheelhouse(options(p));
  writeFileSync(join(p.wheelhouse, 'old-0.1-py3-none-any.whl'), 'old');
  writeFileSync(join(p.wheelhouse, 'old-0.1.tar.gz'), 'old sdist');
  writeFileSync(join(p.wheelhouse, 'NOTES.txt'), 'ops notes');
  mkdirSync(join(p.wheelhouse, 'dir-1.0-py3-none-any.whl'));
  // A temp file of a process that no longer exists (pid 2^22 + 1 exceeds Linux's pid_max).
  writeFileSync(join(p.wheelhouse, '.x-1.0-py3-none-any.whl.4194305.0123abcd.tmp'), 'partial');
  const kept = await fetchWheelhouse(options(p));
  t.same(kept.pruned, [], 'without --prune nothing is removed');
  t.ok(existsSync(join(p.wheelhouse, 'old-0.1-py3-none-any.whl')));
  t.notOk(existsSync(join(p.wheelhouse, '.x-1.0-py3-none-any.whl.4194305.0123abcd.tmp')), 'a dead writer’s temp file is always removed');
  const manifestBefore = JSON.parse(readFileSync(join(p.wheelhouse, MANIFEST_FILENAME), 'utf8')) as { files: object };

  const pruned = await fetchWheelhouse(options(p, { prune: true, files: p.files.filter((f) => f.project !== 'gamma') }));
  const gamma = p.files.find((f) => f.project === 'gamma')!;
  t.same(pruned.pruned, [gamma.filename, 'old-0.1-py3-none-any.whl', 'old-0.1.tar.gz'].sort());
  t.same(readdirSync(p.wheelhouse).filter((n) => !n.startsWith('.')).sort(), [...p.files.filter((f) => f.project !== 'gamma').map((f) => f.filename), 'NOTES.txt', 'dir-1.0-py3-none-any.whl', MANIFEST_FILENAME].sort());
  const manifest = JSON.parse(readFileSync(join(p.wheelhouse, MANIFEST_FILENAME), 'utf8')) as { files: object };
  t.equal(Object.keys(manifestBefore.files).length, 3);
  t.same(Object.keys(manifest.files), p.files.filter((f) => f.project !== 'gamma').map((f) => f.filename), 'the manifest follows');
});

t.test('bounded concurrency over reused connections', async (t) => {
  const specs = Array.from({ length: 12 }, (_, i) => ({ name: `pkg${i}`, version: '1.0', payload: 30_000 }));
  const p = await project(t, specs, { build: specs.map((s) => s.name) });
  // A second server in front of the same files, counting connections and requests in flight.
  let inFlight = 0;
  let maxInFlight = 0;
  let connections = 0;
  const front = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    const data = readFileSync(join(p.root, decodeURIComponent(req.url ?? '/').slice(1)));
    // Split the body so concurrent downloads overlap.
    res.writeHead(200, { 'content-length': String(data.length) });
    res.write(data.subarray(0, 1000));
    setImmediate(() => res.end(data.subarray(1000)));
  });
  front.on('connection', () => connections++);
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { front.closeAllConnections(); front.close(() => resolve()); }));
  const base = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  const files = p.files.map((f) => ({ ...f, url: `${base}${new URL(f.url).pathname}` }));
  const result = await fetchWheelhouse(options(p, { files, concurrency: 3 }));
  t.equal(result.downloaded, 12);
  t.ok(maxInFlight <= 3, `at most 3 downloads at once (saw ${maxInFlight})`);
  t.ok(connections <= 3, `connections are reused (${connections} for 12 files)`);
  assertOnlyValidVisible(t, p);
});
