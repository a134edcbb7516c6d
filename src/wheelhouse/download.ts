/**
 * Streaming, verified downloads. `HttpClient` (src/index/http.ts) buffers
 * whole bodies, which suits index pages but not 100+ MB wheels, so files go
 * through this: keep-alive connection pools, the same retry policy
 * (timeouts, connection errors, 429 and 5xx retried with exponential
 * backoff; a body cut short is retried too), redirects followed by hand, and
 * every byte hashed on its way to a temporary file. The file is not synced
 * here: the caller makes it durable (durable.ts, one syncfs per batch)
 * before any rename may make it visible.
 *
 * Transport: Node's own http/https, not undici. Measured on the fetch bench
 * corpus (32 wheels, 107 MB, loopback, 16 connections): undici spent ~300 ms
 * of CPU to receive it (its llhttp runs as wasm and copies every body chunk
 * into wasm memory), node:http ~150 ms (native llhttp, body chunks are slices
 * of the socket's reads); on a loaded 2-core build machine CPU is the
 * limit, and node:http is built in, so nothing is loaded at start-up either.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import { PyindexError, isPyindexError } from '../errors/index.js';
import { silent, type EventSink } from '../events/index.js';
import { errorCode } from '../index/http.js';
import { writeFailed } from './errors.js';

/** What the bytes must be: the lock's facts. */
export interface ExpectedFile {
  filename: string;
  sha256: string;
  size: number;
}

/** The file calls a download makes, replaceable so tests can fail them (e.g. ENOSPC). */
export interface DownloadFileHandle {
  /** May write fewer bytes than given (a nearly full disk does that without an error). */
  writev(buffers: Buffer[]): Promise<{ bytesWritten: number }>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}
export interface DownloadIo {
  /** Creates `path` exclusively ('wx'). */
  create(path: string): Promise<DownloadFileHandle>;
  unlink(path: string): Promise<void>;
}

export const nodeDownloadIo: DownloadIo = {
  create: (path) => fsp.open(path, 'wx', 0o644),
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
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;
const TIMEOUT_CODES = new Set(['ETIMEDOUT']);
const PERMANENT_NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_FAIL']);
const CUT_SHORT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);
/**
 * Bytes gathered before one writev: fewer syscalls (and worker-thread
 * hand-offs) than a write per socket chunk, small enough to keep 16
 * downloads' buffers modest.
 */
const WRITE_BATCH = 1 << 20;
/** The most of an error body kept for the message. */
const ERROR_BODY_LIMIT = 64 * 1024;
const UP_HINT = 'Check that the index is up and reachable from this machine, then run the command again (files already fetched are kept).';

/** A failure worth another attempt (the next one may well succeed). */
class Retryable extends Error {
  constructor(readonly error: PyindexError) {
    super(error.message);
  }
}

type HttpModule = typeof http;

export class Downloader {
  private readonly agents = new Map<string, Promise<{ module: HttpModule; agent: http.Agent }>>();
  private readonly onEvent: EventSink;
  private readonly io: DownloadIo;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;

  constructor(private readonly options: DownloaderOptions) {
    this.onEvent = options.onEvent ?? silent;
    this.io = options.io ?? nodeDownloadIo;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 250;
  }

  /** The keep-alive pool for a protocol; https (and so TLS) is loaded only when an https URL comes. */
  private pool(protocol: string): Promise<{ module: HttpModule; agent: http.Agent }> {
    let entry = this.agents.get(protocol);
    if (!entry) {
      const module: Promise<HttpModule> = protocol === 'https:' ? import('node:https').then((m) => m.default as unknown as HttpModule) : Promise.resolve(http);
      // Idle pooled sockets are unref'd by the agent, so they never hold the process open.
      entry = module.then((m) => ({ module: m, agent: new m.Agent({ keepAlive: true, maxSockets: this.options.connections ?? 16, timeout: this.timeoutMs }) }));
      this.agents.set(protocol, entry);
    }
    return entry;
  }

  async close(): Promise<void> {
    for (const pool of this.agents.values()) (await pool).agent.destroy();
    this.agents.clear();
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

  private async attempt(url: string, expected: ExpectedFile, temp: string, count: (n: number) => void): Promise<void> {
    if (url.startsWith('file:')) {
      let body: Readable;
      try {
        body = createReadStream(fileURLToPath(url), { highWaterMark: WRITE_BATCH });
      } catch (cause) {
        throw notFound(url, cause);
      }
      return this.writeVerified(body, url, expected, temp, count, (cause) => {
        const code = (cause as NodeJS.ErrnoException).code;
        return code === 'ENOENT' ? notFound(url, cause) : new PyindexError('E_NETWORK', `cannot read ${url}: ${code ?? String(cause)}`, { hint: UP_HINT, cause, details: { url } });
      });
    }
    let current = new URL(url);
    for (let hop = 0; ; hop++) {
      this.onEvent({ type: 'index:request', url: current.href });
      let res: IncomingMessage;
      try {
        res = await this.get(current);
      } catch (err) {
        throw networkError(err, url, this.timeoutMs);
      }
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECTS.has(status) && typeof location === 'string') {
        res.resume();
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
        const text = await bodyText(res).catch(() => '');
        const error = statusError(url, current.href, status, text);
        throw status >= 500 || status === 429 ? new Retryable(error) : error;
      }
      return this.writeVerified(res, url, expected, temp, count, (err) => networkError(err, url, this.timeoutMs));
    }
  }

  /**
   * GET `url` on the pool; resolves with the response once its headers are
   * in. Inactivity longer than the timeout — connecting, waiting for
   * headers, or between body chunks — destroys the exchange with ETIMEDOUT.
   */
  private async get(url: URL): Promise<IncomingMessage> {
    const { module, agent } = await this.pool(url.protocol);
    return new Promise((resolve, reject) => {
      let response: IncomingMessage | undefined;
      const req = module.get(url, { agent, headers: { 'user-agent': this.options.userAgent, 'accept-encoding': 'identity' } }, (res) => {
        response = res;
        resolve(res);
      });
      req.setTimeout(this.timeoutMs, () => {
        const err = Object.assign(new Error(`no data for ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' });
        // Mid-body the reader must see the timeout, not the "aborted" that destroying the request would give.
        if (response) response.destroy(err);
        req.destroy(err);
      });
      req.on('error', reject);
    });
  }

  /** Streams `body` into `temp`, hashing and counting; verifies. Removes `temp` on failure. */
  private async writeVerified(
    body: Readable,
    url: string,
    expected: ExpectedFile,
    temp: string,
    count: (n: number) => void,
    readError: (err: unknown) => PyindexError | Retryable,
  ): Promise<void> {
    let handle: DownloadFileHandle;
    try {
      handle = await this.io.create(temp);
    } catch (err) {
      throw writeFailed(temp, err);
    }
    const hash = createHash('sha256');
    let size = 0;
    let ok = false;
    // One write in flight while the next batch is read: the socket keeps flowing during the disk write,
    // and writev without a position appends in order because the next waits for it.
    let writing: Promise<void> = Promise.resolve();
    try {
      let batch: Buffer[] = [];
      let batched = 0;
      const flush = async (): Promise<void> => {
        if (!batched) return;
        const buffers = batch;
        batch = [];
        batched = 0;
        await writing;
        writing = writeAll(handle, buffers).catch((err: unknown) => {
          throw writeFailed(temp, err);
        });
        // Observed by the next flush or the final await; until then it must not count as unhandled.
        writing.catch(() => undefined);
      };
      try {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > expected.size) {
            body.destroy();
            throw mismatch(url, expected, `more than the locked ${expected.size} bytes`);
          }
          hash.update(chunk);
          batch.push(chunk);
          batched += chunk.length;
          count(chunk.length);
          if (batched >= WRITE_BATCH) await flush();
        }
      } catch (err) {
        if (isPyindexError(err)) throw err;
        // The connection broke mid-body: a truncated download, retried when the cause allows.
        throw readError(err);
      }
      await flush();
      await writing;
      if (size < expected.size) {
        // A body that ends early without a transport error (no Content-Length): truncated.
        throw new Retryable(
          new PyindexError('E_NETWORK', `GET ${url}: the download ended after ${size} of ${expected.size} bytes`, { hint: UP_HINT, details: { url, size, expected: expected.size } }),
        );
      }
      const actual = hash.digest('hex');
      if (actual !== expected.sha256) throw mismatch(url, expected, `sha256 ${actual}`, actual);
      try {
        // What the file holds, not what was hashed on the way: the two must agree before the rename.
        const written = (await handle.stat()).size;
        if (written !== expected.size) throw Object.assign(new Error(`${written} of ${expected.size} bytes on disk`), { code: 'EIO' });
      } catch (err) {
        throw writeFailed(temp, err);
      }
      ok = true;
    } finally {
      await writing.catch(() => undefined);
      await handle.close().catch(() => undefined);
      if (!ok) await this.io.unlink(temp).catch(() => undefined);
    }
  }
}

/** writev until every byte is down: a short write is retried with the rest, and a full disk then fails with ENOSPC. */
async function writeAll(handle: DownloadFileHandle, buffers: Buffer[]): Promise<void> {
  let rest = buffers;
  for (;;) {
    const total = rest.reduce((n, b) => n + b.length, 0);
    const { bytesWritten } = await handle.writev(rest);
    if (bytesWritten >= total) return;
    if (bytesWritten === 0) throw Object.assign(new Error('the write made no progress'), { code: 'EIO' });
    let skip = bytesWritten;
    const next: Buffer[] = [];
    for (const b of rest) {
      if (skip >= b.length) {
        skip -= b.length;
        continue;
      }
      next.push(skip ? b.subarray(skip) : b);
      skip = 0;
    }
    rest = next;
  }
}

/** The start of an error response's body, for the message; the rest is discarded. */
async function bodyText(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= ERROR_BODY_LIMIT) {
      res.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
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

function statusError(url: string, finalUrl: string, status: number, body: string): PyindexError {
  const where = finalUrl === url ? url : `${url} (redirected to ${finalUrl})`;
  const details = { url, finalUrl, status };
  if (status === 404 || status === 410) {
    return new PyindexError('E_NOT_FOUND', `GET ${where}: HTTP ${status}, no such file on the index`, { hint: 'The file may have been removed from the index.', details });
  }
  const snippet = body.slice(0, 200).replace(/\s+/g, ' ').trim();
  return new PyindexError('E_HTTP', `GET ${where}: HTTP ${status}${snippet ? ` (${snippet})` : ''}`, {
    hint: status >= 500 ? UP_HINT : 'Check the index URL and any credentials or proxy it needs.',
    details,
  });
}

function isRetryableError(err: PyindexError): boolean {
  if (err.code === 'E_TIMEOUT') return true;
  if (err.code !== 'E_NETWORK') return false;
  const code = err.details.code;
  return !(typeof code === 'string' && PERMANENT_NETWORK_CODES.has(code));
}

/** A transport failure as a PyindexError, wrapped as Retryable when another attempt may succeed. */
function networkError(err: unknown, url: string, timeoutMs: number): PyindexError | Retryable {
  if (isPyindexError(err)) return err;
  if (err instanceof Retryable) return err;
  const code = errorCode(err);
  let error: PyindexError;
  if (code && TIMEOUT_CODES.has(code)) {
    error = new PyindexError('E_TIMEOUT', `GET ${url}: no data for ${timeoutMs} ms (${code})`, { hint: UP_HINT, cause: err, details: { url, code } });
  } else {
    const what =
      code && CUT_SHORT_CODES.has(code)
        ? 'the connection closed before the whole file arrived'
        : code === 'ECONNREFUSED'
          ? 'connection refused'
          : code && PERMANENT_NETWORK_CODES.has(code)
            ? 'host name not found'
            : err instanceof Error
              ? err.message
              : String(err);
    error = new PyindexError('E_NETWORK', `GET ${url}: ${what}${code ? ` (${code})` : ''}`, { hint: UP_HINT, cause: err, details: { url, code } });
  }
  return isRetryableError(error) ? new Retryable(error) : error;
}
