/**
 * On-disk caches under `cacheDir`:
 *
 * - `http-v1/`: index pages keyed by URL + Accept variant (a PEP 691 server
 *   answers the same URL with JSON or HTML depending on Accept, RFC 9110
 *   §12.5.5 `Vary`). One file per entry: a JSON header line, then the body, so
 *   the header and body can never disagree after a crash.
 * - `metadata-v1/`: core metadata results keyed by the file's sha256 (or its
 *   URL when the index gave no hash), so a lock run never refetches them.
 *
 * Every write goes to a temp file, is fsynced and renamed into place
 * (rename is atomic on POSIX), so concurrent pyindex processes sharing a
 * cache see either the old or the new entry, never a torn one.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { nodeAtomicIo, writeFileAtomic } from '../util/atomic-write.js';

export interface CachedResponseMeta {
  url: string;
  accept: string;
  finalUrl: string;
  status: number;
  contentType: string;
  etag?: string;
  lastModified?: string;
  /** ms since the epoch of the last store (a 304 leaves the entry as it is). */
  storedAt: number;
  /** X-PyPI-Last-Serial, when the index sent it. */
  lastSerial?: number;
}

export interface CachedResponse {
  meta: CachedResponseMeta;
  body: Buffer;
}

/** Cache entries are written like the lockfile (temp file, fsync, rename), minus the directory fsync. */
async function writeEntry(path: string, data: Buffer | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, data, nodeAtomicIo, { syncDirectory: false });
}

/**
 * Cache writes run in the background — an fsync per page or metadata file
 * must not sit on the resolver's critical path — and are awaited before the
 * client closes. A failed write only costs a refetch next time.
 */
export class BackgroundWrites {
  private readonly pending = new Set<Promise<void>>();

  add(write: Promise<void>): void {
    const p = write.catch(() => {}).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  async flush(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class HttpCache {
  constructor(
    private readonly root: string,
    private readonly writes: BackgroundWrites = new BackgroundWrites(),
  ) {}

  private pathFor(url: string, accept: string): string {
    const key = sha256Hex(`${url}\n${accept}`);
    return join(this.root, 'http-v1', key.slice(0, 2), `${key}.entry`);
  }

  async get(url: string, accept: string): Promise<CachedResponse | undefined> {
    const raw = await readIfExists(this.pathFor(url, accept));
    if (!raw) return undefined;
    const nl = raw.indexOf(0x0a);
    if (nl < 0) return undefined;
    try {
      const meta = JSON.parse(raw.subarray(0, nl).toString('utf8')) as CachedResponseMeta;
      // A hash collision or a foreign file: treat as a miss rather than serve the wrong page.
      if (meta.url !== url || meta.accept !== accept) return undefined;
      return { meta, body: raw.subarray(nl + 1) };
    } catch {
      return undefined; // unreadable entry: a miss, the next store replaces it
    }
  }

  put(meta: CachedResponseMeta, body: Buffer): void {
    const header = Buffer.from(`${JSON.stringify(meta)}\n`, 'utf8');
    this.writes.add(writeEntry(this.pathFor(meta.url, meta.accept), Buffer.concat([header, body])));
  }
}

/** Where a metadata result is filed: by content hash when known (stable across mirrors), else by URL. */
export function metadataCacheKey(hashes: Record<string, string>, url: string, variant?: string): string {
  const base = hashes.sha256 ? `sha256-${hashes.sha256.toLowerCase()}` : `url-${sha256Hex(url)}`;
  return variant ? `${base}-${sha256Hex(variant).slice(0, 16)}` : base;
}

export class MetadataCache {
  constructor(
    private readonly root: string,
    private readonly writes: BackgroundWrites = new BackgroundWrites(),
  ) {}

  private pathFor(key: string): string {
    return join(this.root, 'metadata-v1', key.slice(0, 9), `${key}.METADATA`);
  }

  async get(key: string): Promise<string | undefined> {
    return (await readIfExists(this.pathFor(key)))?.toString('utf8');
  }

  put(key: string, text: string): void {
    this.writes.add(writeEntry(this.pathFor(key), text));
  }
}
