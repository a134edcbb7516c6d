/**
 * Streaming, verified downloads. `HttpClient` (src/index/http.ts) buffers
 * whole bodies, which suits index pages but not 100+ MB wheels, so files go
 * through this: keep-alive connection pools (index/wire.ts), the same retry policy
 * (timeouts, connection errors, 429 and 5xx retried with exponential
 * backoff; a body cut short is retried too), redirects followed by hand, and
 * every byte hashed on its way to a temporary file. The file is not synced
 * here: the caller makes it durable (durable.ts, fdatasync per batch)
 * before any rename may make it visible.
 *
 * Transport: index/wire.ts, a minimal HTTP/1.1 client whose sockets read into
 * one reused buffer per connection; each slice is hashed and appended to the
 * temp file here before the socket reads again (FileSink). Measured
 * on the fetch bench corpus (32 wheels, 107 MB, loopback, 16 connections),
 * receiving alone took ~0.8 s of CPU with node:http and ~0.3 s with
 * undici (its wasm llhttp copies every chunk), against ~0.1 s this way; on
 * a loaded 2-core build machine CPU time is wall time.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, promises as fsp, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PyindexError, isPyindexError } from '../errors/index.js';
import { silent, type EventSink } from '../events/index.js';
import { writeFailed } from './errors.js';
import { WirePool, type BodySink, type ResponseHead } from '../index/wire.js';
import { isRetryable, REDIRECTS, statusError, transportError } from '../index/http-errors.js';

/** What the bytes must be: the lock's facts. */
export interface ExpectedFile {
  filename: string;
  sha256: string;
  size: number;
}

/** The file calls a download makes, replaceable so tests can fail them (e.g. ENOSPC). */
export interface DownloadFileHandle {
  /**
   * Appends `data`, synchronously; returns the bytes written, which may be
   * fewer than given (a nearly full disk does that without an error).
   */
  writeSync(data: Uint8Array): number;
  /**
   * Starts writing what was appended so far to the disk (fdatasync(2) on
   * this descriptor, off the main thread), while appending goes on.
   */
  writeback?(): Promise<void>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}
export interface DownloadIo {
  /** Creates `path` exclusively ('wx'), read-only for everyone (it becomes a cache entry that wheelhouses hard-link). */
  create(path: string): Promise<DownloadFileHandle>;
  unlink(path: string): Promise<void>;
}

export const nodeDownloadIo: DownloadIo = {
  create: async (path) => {
    // The mode applies to later opens; this descriptor may write.
    const handle = await fsp.open(path, 'wx', 0o444);
    return { writeSync: (data) => writeSync(handle.fd, data), writeback: () => handle.datasync(), stat: () => handle.stat(), close: () => handle.close() };
  },
  unlink: (path) => fsp.unlink(path),
};

export interface DownloaderOptions {
  userAgent: string;
  /**
   * Pooled connections per host (downloads in flight are bounded by the
   * caller). Default 16, as the bench's curl --parallel-max. On loopback 4–8
   * took ~10% less CPU than 16 (520/530/590 ms median) for the same wall
   * time; a remote index needs the parallel streams more, so 16 stays.
   */
  connections?: number;
  /** Inactivity limit (connect, headers, body), in ms. Default 30 000. */
  timeoutMs?: number;
  /** Extra attempts after a retryable failure. Default 3. */
  retries?: number;
  /** First backoff delay in ms, doubled each retry. Default 250 (tests pass 0). */
  retryDelayMs?: number;
  onEvent?: EventSink;
  io?: DownloadIo;
  /**
   * Start writing a file's bytes to the disk each time this many more have
   * been appended (one writeback in flight per file). Default 2 MiB; 0 turns
   * it off (everything is written back by the caller's sync at the end).
   */
  writebackBytes?: number;
}

/**
 * Early writeback. A download's bytes sit in the page cache until the
 * caller's fdatasync (durable.ts); the kernel starts writing them on its own
 * only past the dirty-memory thresholds (10% of RAM by default), so with
 * sixteen downloads advancing together nearly all of a fetch was written
 * to the disk after the transfer, while the run waited. An fdatasync of the
 * file's descriptor every 2 MiB appended (the next one only once the last
 * returned, so a slow disk paces itself) keeps the disk writing during the
 * transfer, and the final sync has only the tail left. Bench corpus (32
 * wheels, 107 MB, loopback), 12 alternating runs: 528 ms median without,
 * 457 with 2 MiB, 457 with 1 MiB; 4 MiB (above the 3.5 MB files) = none.
 */
const WRITEBACK_BYTES = 2 * 1024 * 1024;

const MAX_REDIRECTS = 10;
/** Read size for file: URLs. */
const LOCAL_READ = 1 << 20;
/** The most of an error body kept for the message. */
const ERROR_BODY_LIMIT = 64 * 1024;
const UP_HINT = 'Check that the index is up and reachable from this machine, then run the command again (files already fetched are kept).';
const STATUS_WORDING = { missing: 'file', missingHint: 'The file may have been removed from the index.', upHint: UP_HINT };

/** A failure worth another attempt (the next one may well succeed). */
class Retryable extends Error {
  constructor(readonly error: PyindexError) {
    super(error.message);
  }
}

export class Downloader {
  private pool: WirePool | undefined;
  private readonly onEvent: EventSink;
  private readonly io: DownloadIo;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly writebackBytes: number;

  constructor(private readonly options: DownloaderOptions) {
    this.onEvent = options.onEvent ?? silent;
    this.io = options.io ?? nodeDownloadIo;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 250;
    this.writebackBytes = options.writebackBytes ?? WRITEBACK_BYTES;
  }

  async close(): Promise<void> {
    this.pool?.close();
    this.pool = undefined;
  }

  /**
   * Downloads `url` into the new file `temp` and checks it against `expected`
   * (size and sha256). On success `temp` holds exactly the expected bytes,
   * written and closed but NOT yet durable (the caller syncs before any
   * rename); on any failure `temp` does not exist. `onBytes` reports
   * progress (negative after a failed attempt, to take its bytes back).
   */
  async download(url: string, expected: ExpectedFile, temp: string, onBytes: (delta: number) => void = () => {}): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      let counted = 0;
      const count = (n: number): void => {
        counted += n;
        onBytes(n);
      };
      try {
        await this.attempt(url, expected, temp, count);
        return;
      } catch (err) {
        if (counted) onBytes(-counted);
        if (!(err instanceof Retryable)) throw err;
        if (attempt >= this.retries) throw err.error;
        this.onEvent({ type: 'index:retry', url, attempt: attempt + 1, reason: err.error.message });
        const delay = this.retryDelayMs * 2 ** attempt;
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** One try: the temp file is created first, filled by the final response of the redirect chain, verified; removed on failure. */
  private async attempt(url: string, expected: ExpectedFile, temp: string, count: (n: number) => void): Promise<void> {
    let handle: DownloadFileHandle;
    try {
      handle = await this.io.create(temp);
    } catch (err) {
      throw writeFailed(temp, err);
    }
    const file = new FileSink(handle, temp, url, expected, count, this.writebackBytes);
    let ok = false;
    try {
      if (url.startsWith('file:')) await readLocal(url, file);
      else await this.fetchInto(url, file);
      await file.finish();
      ok = true;
    } finally {
      await file.settle();
      await handle.close().catch(() => undefined);
      if (!ok) await this.io.unlink(temp).catch(() => undefined);
    }
  }

  /** GETs `url` (following redirects) and streams the final 2xx body into `file`. */
  private async fetchInto(url: string, file: FileSink): Promise<void> {
    this.pool ??= new WirePool({ userAgent: this.options.userAgent, maxSockets: this.options.connections ?? 16, timeoutMs: this.timeoutMs });
    let current = new URL(url);
    for (let hop = 0; ; hop++) {
      this.onEvent({ type: 'index:request', url: current.href });
      let head: ResponseHead | undefined;
      let errorBody = '';
      try {
        await this.pool.get(current, (h): BodySink => {
          head = h;
          if (h.status >= 200 && h.status < 300 && !REDIRECTS.has(h.status)) return file;
          // A redirect's or an error's body: the start of it is kept for the message, the rest read and dropped.
          return {
            data: (chunk) => {
              if (errorBody.length < ERROR_BODY_LIMIT) errorBody += chunk.toString('utf8', 0, Math.min(chunk.length, ERROR_BODY_LIMIT - errorBody.length));
              return true;
            },
          };
        });
      } catch (err) {
        if (isPyindexError(err)) throw err;
        throw networkError(err, url, this.timeoutMs);
      }
      const status = head?.status ?? 0;
      const location = head?.headers.location;
      if (REDIRECTS.has(status) && location !== undefined) {
        const next = new URL(location, current);
        if (hop >= MAX_REDIRECTS || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
          throw new PyindexError('E_HTTP', `GET ${url}: bad redirect to ${next.href} (after ${hop + 1} redirects)`, {
            hint: 'The server redirects in a loop or off http(s); check the index.',
            details: { url, status },
          });
        }
        current = next;
        continue;
      }
      if (status < 200 || status >= 300) {
        const error = statusError(url, current.href, status, errorBody, STATUS_WORDING);
        throw status >= 500 || status === 429 ? new Retryable(error) : error;
      }
      return;
    }
  }
}

/** A file: URL's bytes through the same sink (mirrors on a shared filesystem). */
async function readLocal(url: string, file: FileSink): Promise<void> {
  let stream;
  try {
    stream = createReadStream(fileURLToPath(url), { highWaterMark: LOCAL_READ });
  } catch (cause) {
    throw notFound(url, cause);
  }
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) file.data(chunk);
  } catch (cause) {
    if (isPyindexError(cause)) throw cause;
    const code = (cause as NodeJS.ErrnoException).code;
    throw code === 'ENOENT' ? notFound(url, cause) : new PyindexError('E_NETWORK', `cannot read ${url}: ${code ?? String(cause)}`, { hint: UP_HINT, cause, details: { url } });
  } finally {
    stream.destroy();
  }
}

/**
 * The receiving end of one download attempt: each slice is counted, checked
 * against the locked size, hashed and appended to the temp file before the
 * socket reads again (the slice's memory is the socket's, reused on its
 * next read). Appending synchronously, straight from that memory: on the
 * bench corpus 107 MB took ~20 ms of CPU this way against ~50 ms as queued
 * asynchronous writes of copied buffers (plus the copies), and a write to
 * the page cache does not wait for the disk. A write failure (ENOSPC)
 * aborts the transfer from inside the sink.
 *
 * Hashing stays here, on the main thread, though it is ~20% of the
 * transfer's wall time (bench corpus, 8 interleaved runs under load ~6:
 * transfer median 552 ms hashing inline, 383 ms not hashing at all). Tried
 * and not kept: a worker thread reading the file back as it grows and
 * hashing it — 598 ms median and more CPU (thread start-up, the reads) on
 * this 2-core machine, where the index server and the machine's other work
 * leave no core idle for it.
 */
class FileSink implements BodySink {
  private readonly hash: Hash = createHash('sha256');
  private size = 0;
  private unsynced = 0;
  private writingBack: Promise<void> | undefined;
  private writebackError: unknown;

  constructor(
    private readonly handle: DownloadFileHandle,
    private readonly temp: string,
    private readonly url: string,
    private readonly expected: ExpectedFile,
    private readonly count: (n: number) => void,
    private readonly writebackBytes: number,
  ) {}

  data(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.size > this.expected.size) throw mismatch(this.url, this.expected, `more than the locked ${this.expected.size} bytes`);
    this.hash.update(chunk);
    try {
      appendAll(this.handle, chunk);
    } catch (err) {
      throw writeFailed(this.temp, err);
    }
    this.count(chunk.length);
    this.unsynced += chunk.length;
    if (this.writebackBytes > 0 && this.unsynced >= this.writebackBytes && !this.writingBack) this.startWriteback();
    return true;
  }

  /** See WRITEBACK_BYTES. An error is kept for finish(): bytes the disk refused must fail the file. */
  private startWriteback(): void {
    const started = this.handle.writeback?.();
    if (!started) return;
    this.unsynced = 0;
    this.writingBack = started.then(
      () => {
        this.writingBack = undefined;
      },
      (err: unknown) => {
        this.writingBack = undefined;
        this.writebackError ??= err;
      },
    );
  }

  /** Waits for an early writeback still running (before the descriptor is closed). */
  async settle(): Promise<void> {
    await this.writingBack;
  }

  /** After the body ended: size, hash and the file on disk checked. */
  async finish(): Promise<void> {
    if (this.size < this.expected.size) {
      // A body that ends early without a transport error (no Content-Length): truncated.
      throw new Retryable(
        new PyindexError('E_NETWORK', `GET ${this.url}: the download ended after ${this.size} of ${this.expected.size} bytes`, {
          hint: UP_HINT,
          details: { url: this.url, size: this.size, expected: this.expected.size },
        }),
      );
    }
    await this.settle();
    if (this.writebackError) throw writeFailed(this.temp, this.writebackError);
    const actual = this.hash.digest('hex');
    if (actual !== this.expected.sha256) throw mismatch(this.url, this.expected, `sha256 ${actual}`, actual);
    try {
      // What the file holds, not what was hashed on the way: the two must agree before the rename.
      const written = (await this.handle.stat()).size;
      if (written !== this.expected.size) throw Object.assign(new Error(`${written} of ${this.expected.size} bytes on disk`), { code: 'EIO' });
    } catch (err) {
      throw writeFailed(this.temp, err);
    }
  }
}

/** Appends until every byte is down: a short write is retried with the rest, and a full disk then fails with ENOSPC. */
function appendAll(handle: DownloadFileHandle, data: Uint8Array): void {
  for (let at = 0; at < data.length; ) {
    const n = handle.writeSync(at ? data.subarray(at) : data);
    if (n <= 0) throw Object.assign(new Error('the write made no progress'), { code: 'EIO' });
    at += n;
  }
}

function mismatch(url: string, expected: ExpectedFile, got: string, actual?: string): PyindexError {
  return new PyindexError(
    'E_HASH_MISMATCH',
    `${expected.filename} from ${url} does not match the lockfile: expected sha256 ${expected.sha256} (${expected.size} bytes), got ${got}`,
    {
      hint: 'The index serves different bytes than when the lock was made. If the file was legitimately replaced, run `pyindex lock --upgrade-package` for it; otherwise report it to the index operators.',
      details: { filename: expected.filename, url, expected: expected.sha256, actual, size: expected.size },
    },
  );
}

function notFound(url: string, cause: unknown): PyindexError {
  return new PyindexError('E_NOT_FOUND', `${url} does not exist`, { hint: 'Check the index path.', cause, details: { url, status: 404 } });
}

/** A transport failure as a PyindexError, wrapped as Retryable when another attempt may succeed. */
function networkError(err: unknown, url: string, timeoutMs: number): PyindexError | Retryable {
  if (isPyindexError(err)) return err;
  if (err instanceof Retryable) return err;
  const error = transportError(err, url, { body: 'file', timeout: `no data for ${timeoutMs} ms`, timeoutHint: UP_HINT, upHint: UP_HINT });
  return isRetryable(error) ? new Retryable(error) : error;
}
