/**
 * In-memory copies of the tree's pages and project states, revalidated
 * against the file's stat on every use: the tree is the source of truth and
 * may be changed by another process (another server, the admin CLI), and a
 * stat is far cheaper than a read. Files are replaced by rename, so a new
 * version always has a new inode.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { readProjectState, type FileState } from './tree/state.js';

interface Stamp {
  ino: number;
  mtimeMs: number;
  size: number;
}

const sameStamp = (a: Stamp, b: Stamp): boolean => a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.size === b.size;

/**
 * Synchronous on purpose: a stat of a cached dentry costs about a
 * microsecond, while a round trip through libuv's thread pool costs tens —
 * on the hot path of every page request that halved the throughput.
 */
function stampOf(path: string): Stamp | undefined {
  const s = statSync(path, { throwIfNoEntry: false });
  return s?.isFile() ? { ino: s.ino, mtimeMs: s.mtimeMs, size: s.size } : undefined;
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
  private readonly entries = new Map<string, { stamp: Stamp; value: T }>();

  constructor(
    private readonly load: (path: string) => Promise<T | undefined>,
    private readonly limit: number,
  ) {}

  async get(path: string): Promise<{ value: T; stamp: Stamp } | undefined> {
    const stamp = stampOf(path);
    if (stamp === undefined) {
      this.entries.delete(path);
      return undefined;
    }
    const hit = this.entries.get(path);
    if (hit && sameStamp(hit.stamp, stamp)) return hit;
    const value = await this.load(path);
    if (value === undefined) return undefined;
    const entry = { stamp, value };
    this.entries.delete(path);
    this.entries.set(path, entry);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as string);
    return entry;
  }
}

export class PageCache {
  private readonly cache = new StampedCache<{ body: Buffer; etag: string }>(async (p) => {
    const body = await readFile(p).catch(() => undefined);
    return body && { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"` };
  }, 2000);
  private readonly formatted = new WeakMap<object, CachedPage>();

  async get(path: string): Promise<CachedPage | undefined> {
    const hit = await this.cache.get(path);
    if (!hit) return undefined;
    let page = this.formatted.get(hit);
    if (page === undefined) {
      page = { ...hit.value, mtimeMs: hit.stamp.mtimeMs, lastModified: new Date(hit.stamp.mtimeMs).toUTCString() };
      this.formatted.set(hit, page);
    }
    return page;
  }
}

export class StateCache {
  private readonly cache = new StampedCache<Map<string, FileState>>(async (p) => {
    const state = await readProjectState(p).catch(() => undefined);
    return state && new Map(state.files.map((f) => [f.filename, f]));
  }, 2000);

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
