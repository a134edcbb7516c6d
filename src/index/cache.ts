/**
 * On-disk caches under `cacheDir`:
 *
 * - `http-v2/`: index pages keyed by URL + Accept variant (a PEP 691 server
 *   answers the same URL with JSON or HTML depending on Accept, RFC 9110
 *   §12.5.5 `Vary`). One file per entry: a JSON header line, then the body.
 * - `metadata-v2/`: core metadata results keyed by the file's sha256 (or its
 *   URL when the index gave no hash), so a lock run never refetches them.
 *
 * Every entry carries the length and sha256 of its body and is checked on
 * read: a torn, truncated or foreign file is a miss, never a wrong answer.
 * Entries are written to a temp file and renamed into place (atomic on
 * POSIX), so concurrent pyindex processes sharing a cache see the old entry
 * or the new one — but not fsynced: a cache entry lost to a power cut costs
 * one refetch, while an fsync per page and metadata file (hundreds in a cold
 * lock) held threadpool threads that reads and downloads waited for. The v1
 * layout relied on fsync instead of the check, hence the new directories.
 *
 * Reads are synchronous: entries are small and a lock reads hundreds of
 * them; one readFileSync costs less than the four threadpool round trips and
 * the FileHandle of an async read.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempPathFor } from '../util/atomic-write.js';

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

/** Directories already made by this process (one mkdir per shard, not per entry; 16 shards per cache, since a cold lock makes them all). */
const madeDirs = new Set<string>();

/**
 * Temp file + rename; no fsync (see the module comment). Synchronous, like
 * the reads: without fsync this is a copy into the page cache, cheaper than
 * the promise machinery and FileHandle of an async write (fs.promises'
 * writeFile was 8% of a cold lock's CPU profile, dask[distributed] snapshot).
 * A failed write only costs a refetch next time, so it is not reported.
 */
function writeEntry(path: string, data: Buffer): void {
  const dir = dirname(path);
  if (!madeDirs.has(dir)) {
    mkdirSync(dir, { recursive: true });
    madeDirs.add(dir);
  }
  const temp = tempPathFor(path);
  try {
    writeFileSync(temp, data, { flag: 'wx' });
    renameSync(temp, path);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // never created
    }
    if ((err as NodeJS.ErrnoException).code === undefined) throw err; // not a filesystem error: a bug
  }
}

function readIfExists(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The integrity line of an entry: what the body must be for the entry to count. */
interface BodyCheck {
  bodyLength: number;
  bodySha256: string;
}

/** An entry's bytes: its header line, with the body's check added, then the body. */
function entryBytes(header: object, body: Buffer): Buffer {
  const check: BodyCheck = { bodyLength: body.length, bodySha256: createHash('sha256').update(body).digest('hex') };
  return Buffer.concat([Buffer.from(`${JSON.stringify({ ...header, ...check })}\n`, 'utf8'), body]);
}

function bodyMatches(body: Buffer, check: Partial<BodyCheck>): boolean {
  return body.length === check.bodyLength && createHash('sha256').update(body).digest('hex') === check.bodySha256;
}

/** Splits `<JSON header>\n<body>`; undefined when the entry is unreadable. */
function splitEntry<T>(raw: Buffer): { header: T; body: Buffer } | undefined {
  const nl = raw.indexOf(0x0a);
  if (nl < 0) return undefined;
  try {
    return { header: JSON.parse(raw.subarray(0, nl).toString('utf8')) as T, body: raw.subarray(nl + 1) };
  } catch {
    return undefined;
  }
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class HttpCache {
  constructor(private readonly root: string) {}

  private pathFor(url: string, accept: string): string {
    const key = sha256Hex(`${url}\n${accept}`);
    return join(this.root, 'http-v2', key.slice(0, 1), `${key}.entry`);
  }

  get(url: string, accept: string): CachedResponse | undefined {
    const raw = readIfExists(this.pathFor(url, accept));
    const entry = raw && splitEntry<CachedResponseMeta & BodyCheck>(raw);
    if (!entry) return undefined;
    const { bodyLength: _length, bodySha256: _sha256, ...meta } = entry.header;
    // A torn write, a hash collision or a foreign file: a miss rather than the wrong page.
    if (meta.url !== url || meta.accept !== accept || !bodyMatches(entry.body, entry.header)) return undefined;
    return { meta, body: entry.body };
  }

  put(meta: CachedResponseMeta, body: Buffer): void {
    writeEntry(this.pathFor(meta.url, meta.accept), entryBytes(meta, body));
  }
}

/** Where a metadata result is filed: by content hash when known (stable across mirrors), else by URL. */
export function metadataCacheKey(hashes: Record<string, string>, url: string, variant?: string): string {
  const base = hashes.sha256 ? `sha256-${hashes.sha256.toLowerCase()}` : `url-${sha256Hex(url)}`;
  return variant ? `${base}-${sha256Hex(variant).slice(0, 16)}` : base;
}

export class MetadataCache {
  constructor(private readonly root: string) {}

  private pathFor(key: string): string {
    // Keys end in hex (`sha256-<hex>`, `url-<hex>`, a variant's `-<hex>`): 16 shard directories.
    return join(this.root, 'metadata-v2', key.slice(-1), `${key}.METADATA`);
  }

  get(key: string): string | undefined {
    const raw = readIfExists(this.pathFor(key));
    const entry = raw && splitEntry<BodyCheck & { key: string }>(raw);
    if (!entry || entry.header.key !== key || !bodyMatches(entry.body, entry.header)) return undefined;
    return entry.body.toString('utf8');
  }

  put(key: string, text: string): void {
    writeEntry(this.pathFor(key), entryBytes({ key }, Buffer.from(text, 'utf8')));
  }
}
