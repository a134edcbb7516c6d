/**
 * In-memory copies of the tree's pages and project states. The tree is the
 * source of truth and may be changed by this process (uploads, yanks) or by
 * another one (another server on the same root, `pyindex remove --root`):
 *
 * - this process's own writes bump the tree's `generation`, and every
 *   entry validated under an older generation is checked again at once;
 * - other processes' writes are seen by a stat of the file (files are
 *   replaced by rename, so a new version has a new inode), done at most
 *   every `REVALIDATE_MS` per entry — as nginx's `open_file_cache_valid`.
 *   A stat on every page request took about an eighth of the server's CPU
 *   (profiled under wrk); with the window it costs nothing, and a change
 *   made by another process shows within 100 ms.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { readProjectState, type FileState } from './tree/state.js';

export const REVALIDATE_MS = 100;

/** The tree's write counter (`Tree.generation`); a constant 0 when nothing in this process writes. */
export type Generation = () => number;

interface Stamp {
  ino: number;
  mtimeMs: number;
  size: number;
}

const sameStamp = (a: Stamp, b: Stamp): boolean => a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.size === b.size;

/**
 * Synchronous on purpose: a stat of a cached dentry costs microseconds,
 * while a round trip through libuv's thread pool costs tens.
 */
function stampOf(path: string): Stamp | undefined {
  const s = statSync(path, { throwIfNoEntry: false });
  return s?.isFile() ? { ino: s.ino, mtimeMs: s.mtimeMs, size: s.size } : undefined;
}

export interface Stamped<T> {
  value: T;
  stamp: Stamp;
  /** When, and under which generation, the stamp was last compared with the file. */
  checkedAt: number;
  generation: number;
}
export interface CachedPage {
  body: Buffer;
  /** Strong ETag (quoted). */
  etag: string;
  mtimeMs: number;
  /** `Last-Modified`, formatted once. */
  lastModified: string;
}

/** Keeps at most `limit` entries; the oldest inserted is dropped first. */
export class StampedCache<T> {
  private readonly entries = new Map<string, Stamped<T>>();

  constructor(
    private readonly load: (path: string) => Promise<T | undefined>,
    private readonly limit: number,
    private readonly generation: Generation = () => 0,
  ) {}

  /** The entry, when it was validated recently enough to be used without a stat (the hot path: no await). */
  fresh(path: string): Stamped<T> | undefined {
    const hit = this.entries.get(path);
    return hit !== undefined && hit.generation === this.generation() && performance.now() - hit.checkedAt < REVALIDATE_MS ? hit : undefined;
  }

  async get(path: string): Promise<Stamped<T> | undefined> {
    const fresh = this.fresh(path);
    if (fresh !== undefined) return fresh;
    const generation = this.generation();
    const stamp = stampOf(path);
    if (stamp === undefined) {
      this.entries.delete(path);
      return undefined;
    }
    const hit = this.entries.get(path);
    if (hit && sameStamp(hit.stamp, stamp)) {
      hit.checkedAt = performance.now();
      hit.generation = generation;
      return hit;
    }
    const value = await this.load(path);
    if (value === undefined) return undefined;
    const entry = { stamp, value, checkedAt: performance.now(), generation };
    this.entries.delete(path);
    this.entries.set(path, entry);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as string);
    return entry;
  }
}

export class PageCache {
  private readonly cache: StampedCache<{ body: Buffer; etag: string }>;
  private readonly formatted = new WeakMap<object, CachedPage>();

  constructor(generation?: Generation) {
    this.cache = new StampedCache(
      async (p) => {
        const body = await readFile(p).catch(() => undefined);
        return body && { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"` };
      },
      2000,
      generation,
    );
  }

  /** The page without waiting, when its cache entry is fresh; else undefined (use `get`). */
  fresh(path: string): CachedPage | undefined {
    const hit = this.cache.fresh(path);
    return hit && this.format(hit);
  }

  async get(path: string): Promise<CachedPage | undefined> {
    const hit = await this.cache.get(path);
    return hit && this.format(hit);
  }

  private format(hit: Stamped<{ body: Buffer; etag: string }>): CachedPage {
    // Keyed by the value: a revalidated entry keeps its formatted page.
    let page = this.formatted.get(hit.value);
    if (page === undefined) {
      page = { ...hit.value, mtimeMs: hit.stamp.mtimeMs, lastModified: new Date(hit.stamp.mtimeMs).toUTCString() };
      this.formatted.set(hit.value, page);
    }
    return page;
  }
}

export class StateCache {
  private readonly cache: StampedCache<Map<string, FileState>>;

  constructor(generation?: Generation) {
    this.cache = new StampedCache(
      async (p) => {
        const state = await readProjectState(p).catch(() => undefined);
        return state && new Map(state.files.map((f) => [f.filename, f]));
      },
      2000,
      generation,
    );
  }

  async file(statePath: string, filename: string): Promise<FileState | undefined> {
    return (await this.cache.get(statePath))?.value.get(filename);
  }
}

/**
 * Whole distribution files held in memory, most recently used first, within
 * a byte budget. A filename's bytes never change once published, so an entry
 * keyed by path and sha256 never needs revalidation. Node has no sendfile(2);
 * answering from memory is what lets a single process keep up with a static
 * server on the small files an index mostly serves (big ones are streamed).
 */
export class FileBytesCache {
  private readonly entries = new Map<string, Promise<Buffer | undefined>>();
  private readonly sizes = new Map<string, number>();
  private total = 0;

  constructor(
    readonly maxEntryBytes = 4 * 1024 * 1024,
    readonly budgetBytes = 256 * 1024 * 1024,
  ) {}

  get(path: string, sha256: string): Promise<Buffer | undefined> {
    const key = `${sha256}\0${path}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const loading = readFile(path).then(
      (bytes) => {
        this.sizes.set(key, bytes.length);
        this.total += bytes.length;
        this.evict();
        return bytes;
      },
      () => {
        this.entries.delete(key);
        return undefined;
      },
    );
    this.entries.set(key, loading);
    return loading;
  }

  private evict(): void {
    for (const key of this.entries.keys()) {
      if (this.total <= this.budgetBytes) return;
      const size = this.sizes.get(key);
      if (size === undefined) continue; // still loading
      this.entries.delete(key);
      this.sizes.delete(key);
      this.total -= size;
    }
  }
}
