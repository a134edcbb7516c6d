/**
 * `fetchWheelhouse`: make a directory hold exactly-verified copies of the
 * planned files. Each file is, in order of cost: already present (size
 * matches and the bytes re-hash to the lock's sha256), in the machine's
 * content-addressed cache (re-hashed, then hard-linked), or downloaded —
 * streamed to a temp file while hashing, checked, made durable with its batch
 * (durable.ts), renamed into the cache, then linked into view. A reader (pip
 * `--find-links`) therefore only ever sees whole, verified, synced files; a
 * kill at any moment leaves dot-named temp files that the next run removes.
 * Downloads do not wait for their batch's sync: the next file starts while
 * the finished ones are synced and placed in the background.
 *
 * Locked sdists are not placed: each is built into a wheel for its profiles
 * (build-sdist.ts) from its build closure, both fetched into the cache only,
 * and the wheel is placed instead, its provenance in the manifest.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { PyindexError, isPyindexError } from '../errors/index.js';
import { silent, type EventSink } from '../events/index.js';
import { fileKind } from '../index/types.js';
import { isServerFailure } from '../index/http-errors.js';
import type { Lockfile } from '../lock/types.js';
import { isWheelFilename } from '../pep/wheel-filename.js';
import type { BuildSdistsResult } from './build-sdist.js';
import { cacheInsert, cacheLookup, casTempDir, placeFile, removeStaleTemps, tempName } from './cas.js';
import type { MirroredIndex, MirrorOrder, MirrorReport } from '../index/mirrors.js';
import type { DownloadIo } from './download.js';
import { DurableBatch, type DurableBatchOptions } from './durable.js';
import { writeFailed } from './errors.js';
import { MANIFEST_FILENAME, readManifest, writeManifest, type WheelhouseManifest } from './manifest.js';
import type { PlannedFile } from './plan.js';
import { IndexLocator } from './locate.js';
import { MirroredDownloader } from './mirror-download.js';
import { checkFile } from './verify.js';

export interface FetchOptions {
  lock: Lockfile;
  files: PlannedFile[];
  wheelhouse: string;
  cacheDir: string;
  /** The config's index: where a file is looked up by name when the lock's URL hint fails. Default: the lock's index. */
  index?: string;
  /** The config's indexes with their mirrors: downloads fail over between an index's servers (mirror-download.ts). */
  indexes?: readonly MirroredIndex[] | undefined;
  mirrorOrder?: MirrorOrder | undefined;
  /** Remove distribution files the plan does not name (and stale temp files). */
  prune?: boolean;
  /** Files fetched at once. Default 16. */
  concurrency?: number;
  onEvent?: EventSink;
  userAgent?: string;
  timeoutMs?: number;
  retries?: number;
  retryDelayMs?: number;
  /** File calls of downloads, for fault-injection tests. */
  io?: DownloadIo;
  /** How downloads are made durable: batches (durable.ts) and early writeback (download.ts); defaults suit most machines. */
  durability?: DurableBatchOptions & { writebackBytes?: number };
  /** Interpreters that build locked sdists (`--python`); a profile without one that fits gets its Python looked up. */
  python?: readonly string[] | undefined;
  /** Environment and directory for finding and running those Pythons. */
  env?: NodeJS.ProcessEnv | undefined;
  cwd?: string | undefined;
  /** Per sdist build, in ms. Default 20 minutes. */
  buildTimeoutMs?: number | undefined;
}

export interface FetchResult {
  downloaded: number;
  fromCache: number;
  present: number;
  /** Bytes downloaded. */
  bytes: number;
  pruned: string[];
  /** Files found corrupt and moved to DIR/.quarantine/ (by their name there). */
  quarantined: string[];
  /** Wheels built from locked sdists by this run (reused builds not counted). */
  built: number;
  /** Per index with mirrors (absent when none has): the order its servers were tried in, what each served, what was set aside. */
  mirrors?: MirrorReport[];
}

export const QUARANTINE_DIR = '.quarantine';
/** Progress events at most this often while bytes flow (files finishing always report). */
const PROGRESS_INTERVAL_MS = 200;

export async function fetchWheelhouse(options: FetchOptions): Promise<FetchResult> {
  const { files, wheelhouse, cacheDir } = options;
  const onEvent = options.onEvent ?? silent;
  const result: FetchResult = { downloaded: 0, fromCache: 0, present: 0, bytes: 0, pruned: [], quarantined: [], built: 0 };
  // Both directories at once, then the leftovers of a killed run in both (never visible to pip, dot names, but they take space).
  const ready = (dir: string): Promise<unknown> =>
    fsp.mkdir(dir, { recursive: true }).then(
      () => removeStaleTemps(dir),
      (err: unknown) => {
        throw writeFailed(dir, err);
      },
    );
  await Promise.all([ready(wheelhouse), ready(casTempDir(cacheDir))]);

  const downloader = new MirroredDownloader({
    cacheDir,
    indexes: options.indexes,
    mirrorOrder: options.mirrorOrder,
    userAgent: options.userAgent ?? 'pyindex',
    connections: options.concurrency ?? 16,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    retryDelayMs: options.retryDelayMs,
    onEvent,
    io: options.io,
    writebackBytes: options.durability?.writebackBytes,
  });
  const locator = new IndexLocator({ index: options.index ?? options.lock.index, indexes: options.indexes, router: downloader.router, cacheDir, userAgent: options.userAgent ?? 'pyindex', onEvent, timeoutMs: options.timeoutMs, retries: options.retries, retryDelayMs: options.retryDelayMs });

  const progress = { files: 0, filesTotal: files.length, bytes: 0, bytesTotal: files.reduce((n, f) => n + f.size, 0), downloaded: 0 };
  let lastReport = 0;
  const report = (force: boolean): void => {
    const now = Date.now();
    if (!force && now - lastReport < PROGRESS_INTERVAL_MS) return;
    lastReport = now;
    onEvent({ type: 'fetch:progress', ...progress });
  };
  report(true);

  const batch = new DurableBatch(options.durability);
  /** Downloaded files on their way to durability and view; the first failure stops new work. */
  const placing: Promise<void>[] = [];
  let placeFailure: { error: unknown } | undefined;
  const placed = (file: PlannedFile, via: 'present' | 'cache' | 'download'): void => {
    if (via === 'present') result.present++;
    else if (via === 'cache') result.fromCache++;
    else {
      result.downloaded++;
      result.bytes += file.size;
    }
    onEvent({ type: 'fetch:file', filename: file.filename, via, bytes: file.size });
    progress.files++;
    progress.bytes += file.size;
    report(true);
  };

  const fetchOne = async (file: PlannedFile): Promise<void> => {
    if (placeFailure) throw placeFailure.error;
    const state = await checkFile(wheelhouse, file, true);
    if (state === 'present') return placed(file, 'present');
    if (state === 'mismatched') {
      const moved = await quarantine(wheelhouse, file.filename);
      result.quarantined.push(moved);
      onEvent({
        type: 'warning',
        message: `${file.filename} in ${wheelhouse} does not match the lockfile (sha256 ${file.sha256}, ${file.size} bytes); moved to ${join(QUARANTINE_DIR, moved)}`,
        hint: 'It is fetched again; inspect the quarantined copy to find out what changed it.',
      });
    }
    const cached = await cacheLookup(cacheDir, file);
    if (cached) {
      await placeFile(cached, wheelhouse, file.filename);
      return placed(file, 'cache');
    }
    const temp = await download(file);
    // Not awaited: the worker goes on to its next file while this one waits for its batch's sync.
    const done = place(file, temp);
    placing.push(done);
    done.catch((error: unknown) => {
      placeFailure ??= { error };
    });
  };

  /** A verified temp file: durable first, then into the cache, then into view. The temp is gone either way. */
  const place = async (file: PlannedFile, temp: string): Promise<void> => {
    try {
      await batch.durable(temp, file.size);
    } catch (err) {
      await fsp.rm(temp, { force: true });
      throw writeFailed(temp, err);
    }
    await placeFile(await cacheInsert(cacheDir, file.sha256, temp, { readOnly: true }), wheelhouse, file.filename);
    placed(file, 'download');
  };

  /**
   * The verified cache entry of a locked file that is not placed (an sdist, a
   * build requirement), downloaded when absent — once per run: builds running
   * side by side often share a requirement (setuptools), and two downloads of
   * it racing into one cache entry are neither needed nor safe to look up
   * while the other is replacing it.
   */
  const toCacheOnce = new Map<string, Promise<string>>();
  const toCache = (file: PlannedFile): Promise<string> => {
    let entry = toCacheOnce.get(file.sha256);
    if (!entry) {
      entry = fetchToCache(file);
      toCacheOnce.set(file.sha256, entry);
      entry.catch(() => toCacheOnce.delete(file.sha256));
    }
    return entry;
  };
  const fetchToCache = async (file: PlannedFile): Promise<string> => {
    const cached = await cacheLookup(cacheDir, file);
    if (cached) return cached;
    const temp = await download(file);
    const durable = batch.durable(temp, file.size);
    batch.flush(); // a build is waiting for it
    try {
      await durable;
    } catch (err) {
      await fsp.rm(temp, { force: true });
      throw writeFailed(temp, err);
    }
    result.downloaded++;
    result.bytes += file.size;
    return cacheInsert(cacheDir, file.sha256, temp, { readOnly: true });
  };

  const download = async (file: PlannedFile): Promise<string> => {
    const temp = join(casTempDir(cacheDir), tempName(file.sha256));
    const onBytes = (n: number): void => {
      progress.downloaded += n;
      report(false);
    };
    try {
      await downloader.download(file.url, file, temp, onBytes);
    } catch (err) {
      // The URL is a hint (the lock is location-independent): ask the index where the file lives now.
      if (!isPyindexError(err) || !(isServerFailure(err) || err.code === 'E_NOT_FOUND')) throw err;
      const found = await locator.locate(file).catch((lookupError: unknown) => {
        throw new PyindexError(err.code, `${err.message}; looking ${file.filename} up on the index failed too: ${lookupError instanceof Error ? lookupError.message : String(lookupError)}`, {
          hint: err.hint,
          cause: err,
          details: { ...err.details, filename: file.filename },
        });
      });
      if (!found || found === file.url) throw withFilename(err, file);
      onEvent({ type: 'warning', message: `${file.url} failed (${err.code}); fetching ${file.filename} from ${found}, where the index lists it now` });
      await downloader.download(found, file, temp, onBytes);
    }
    return temp;
  };

  try {
    let poolFailure: { error: unknown } | undefined;
    const wheels = files.filter((f) => isWheelFilename(f.filename));
    const sdists = files.filter((f) => !isWheelFilename(f.filename));
    await runPool(wheels, options.concurrency ?? 16, fetchOne).catch((error: unknown) => {
      poolFailure = { error };
    });
    // Nothing more will be queued: sync the last batch now rather than when its timer fires.
    batch.flush();
    // Even after a failure, files already verified are made durable and placed: the re-run has less to do.
    await Promise.allSettled(placing);
    if (poolFailure) throw poolFailure.error;
    if (placeFailure) throw placeFailure.error;
    // The build machinery (archives, interpreters) is loaded only for a lock with sdists.
    let builds: BuildSdistsResult = { wheels: [], built: 0, reused: 0 };
    if (sdists.length) {
      const { buildSdists } = await import('./build-sdist.js');
      builds = await buildSdists({
        lock: options.lock,
        sdists,
        wheelhouse,
        cacheDir,
        previous: await readManifest(wheelhouse),
        cached: toCache,
        pythons: options.python,
        env: options.env,
        cwd: options.cwd,
        timeoutMs: options.buildTimeoutMs,
        onEvent,
      });
    }
    result.built = builds.built;
    for (const s of sdists) {
      progress.files++;
      progress.bytes += s.size;
    }
    if (sdists.length) report(true);
    if (options.prune) result.pruned = await prune(wheelhouse, new Set([...wheels, ...builds.wheels].map((f) => f.filename)));
    // No separate fsync of the wheelhouse directory for the links made above: writing the manifest
    // (writeFileAtomic) ends with one, which makes every entry of the directory durable.
    const manifest = await nextManifest(wheelhouse, wheels, result.pruned);
    for (const { filename, ...entry } of builds.wheels) manifest.files[filename] = entry;
    await writeManifest(wheelhouse, manifest);
  } finally {
    const mirrors = downloader.report();
    if (mirrors.length) result.mirrors = mirrors;
    await downloader.close();
    await locator.close();
  }
  return result;
}

function withFilename(err: PyindexError, file: PlannedFile): PyindexError {
  return new PyindexError(err.code, `cannot fetch ${file.filename}: ${err.message}`, { hint: err.hint, cause: err.cause, details: { ...err.details, filename: file.filename } });
}

/**
 * Runs `task` over `items` with at most `limit` at once. After the first
 * failure nothing new starts (the index is likely down, or the disk full);
 * tasks in flight finish, then the first error is thrown.
 */
async function runPool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}

/** Moves a corrupt file out of view (kept for inspection) and returns its name inside the quarantine. */
async function quarantine(wheelhouse: string, filename: string): Promise<string> {
  const dir = join(wheelhouse, QUARANTINE_DIR);
  const moved = `${filename}.${new Date().toISOString().replace(/[:.]/g, '-')}.${process.pid}`;
  try {
    await fsp.mkdir(dir, { recursive: true });
    await fsp.rename(join(wheelhouse, filename), join(dir, moved));
  } catch (err) {
    throw writeFailed(join(dir, moved), err);
  }
  return moved;
}

/**
 * Removes regular files that look like distributions (wheels, sdists) and
 * that the plan does not name. Anything else — the manifest, the quarantine,
 * a README someone left — is not ours to delete.
 */
async function prune(wheelhouse: string, keep: Set<string>): Promise<string[]> {
  const removed: string[] = [];
  for (const entry of await fsp.readdir(wheelhouse, { withFileTypes: true })) {
    const name = entry.name;
    if (!entry.isFile() || keep.has(name) || name === MANIFEST_FILENAME || name.startsWith('.')) continue;
    if (fileKind(name) === 'other') continue;
    await fsp.rm(join(wheelhouse, name), { force: true });
    removed.push(name);
  }
  return removed.sort();
}

/** The manifest after this fetch: planned files (re)recorded, entries of other files kept while they exist. */
async function nextManifest(wheelhouse: string, files: PlannedFile[], pruned: string[]): Promise<WheelhouseManifest> {
  const previous = await readManifest(wheelhouse);
  const manifest: WheelhouseManifest = { version: 1, files: {} };
  const gone = new Set(pruned);
  for (const [name, entry] of Object.entries(previous?.files ?? {})) {
    if (gone.has(name)) continue;
    const exists = await fsp.stat(join(wheelhouse, name)).then((s) => s.isFile(), () => false);
    if (exists) manifest.files[name] = entry;
  }
  for (const f of files) {
    const old = manifest.files[f.filename];
    manifest.files[f.filename] = {
      sha256: f.sha256,
      size: f.size,
      project: f.project,
      version: f.version,
      ...(old?.builtFrom && old.sha256 === f.sha256 ? { builtFrom: old.builtFrom } : {}),
    };
  }
  return manifest;
}
