/**
 * In-memory copies of the tree's pages and project states, revalidated
 * against the file's stat on every use: the tree is the source of truth and
 * may be changed by another process (another server, the admin CLI), and a
 * stat is far cheaper than a read. Files are replaced by rename, so a new
 * version always has a new inode.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { readProjectState, type FileState } from './tree/state.js';

interface Stamp {
  ino: number;
  mtimeMs: number;
  size: number;
}

const sameStamp = (a: Stamp, b: Stamp): boolean => a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.size === b.size;

async function stampOf(path: string): Promise<Stamp | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? { ino: s.ino, mtimeMs: s.mtimeMs, size: s.size } : undefined;
  } catch {
    return undefined;
  }
}

export interface CachedPage {
  body: Buffer;
  /** Strong ETag (quoted). */
  etag: string;
  mtimeMs: number;
}

/** Keeps at most `limit` entries; the oldest inserted is dropped first. */
class StampedCache<T> {
  private readonly entries = new Map<string, { stamp: Stamp; value: T }>();

  constructor(
    private readonly load: (path: string) => Promise<T | undefined>,
    private readonly limit: number,
  ) {}

  async get(path: string): Promise<{ value: T; stamp: Stamp } | undefined> {
    const stamp = await stampOf(path);
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
  private readonly cache = new StampedCache<Buffer>(async (p) => readFile(p).catch(() => undefined), 2000);
  private readonly etags = new WeakMap<Buffer, string>();

  async get(path: string): Promise<CachedPage | undefined> {
    const hit = await this.cache.get(path);
    if (!hit) return undefined;
    let etag = this.etags.get(hit.value);
    if (etag === undefined) {
      etag = `"${createHash('sha256').update(hit.value).digest('hex').slice(0, 32)}"`;
      this.etags.set(hit.value, etag);
    }
    return { body: hit.value, etag, mtimeMs: hit.stamp.mtimeMs };
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
