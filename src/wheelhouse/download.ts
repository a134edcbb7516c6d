/**
 * Streaming, verified downloads. `HttpClient` (src/index/http.ts) buffers
 * whole bodies, which suits index pages but not 100+ MB wheels, so files go
 * through this: one keep-alive undici pool, the same retry policy (timeouts,
 * connection errors, 429 and 5xx retried with exponential backoff; a body
 * cut short is retried too), redirects followed by hand, and every byte
 * hashed on its way to a temporary file that is fsynced before the caller
 * may rename it into view.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import type { Agent } from 'undici';
import { PyindexError, isPyindexError } from '../errors/index.js';
import { silent, type EventSink } from '../events/index.js';
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
  sync(): Promise<void>;
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
  /** Pooled connections (downloads in flight are bounded by the caller). Default 16. */
  connections?: number;
  /** Inactivity limit for headers and body, in ms. Default 30 000. */
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
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);
const PERMANENT_NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_FAIL']);
/** Bytes gathered before one writev: fewer syscalls than a write per socket chunk. */
const WRITE_BATCH = 1 << 20;
const UP_HINT = 'Check that the index is up and reachable from this machine, then run the command again (files already fetched are kept).';

/** A failure worth another attempt (the next one may well succeed). */
class Retryable extends Error {
  constructor(readonly error: PyindexError) {
    super(error.message);
  }
}

export class Downloader {
  private agent: Promise<{ agent: Agent; request: typeof import('undici').request }> | undefined;
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

  private connection(): Promise<{ agent: Agent; request: typeof import('undici').request }> {
    this.agent ??= import('undici').then((mod) => {
      // undici is CommonJS: bundled, its exports may sit under `default`.
      const { Agent, request } = 'Agent' in mod ? mod : (mod as { default: typeof import('undici') }).default;
      const agent = new Agent({
        connections: this.options.connections ?? 16,
        keepAliveTimeout: 10_000,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        connect: { timeout: this.timeoutMs },
      });
      return { agent, request };
    });
    return this.agent;
  }

  async close(): Promise<void> {
    if (this.agent) await (await this.agent).agent.close();
  }

  /**
   * Downloads `url` into the new file `temp` and checks it against `expected`
   * (size and sha256). On success `temp` holds exactly the expected bytes,
   * fsynced; on any failure `temp` does not exist. `onBytes` reports
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
    const { agent, request } = await this.connection();
    let current = url;
    for (let hop = 0; ; hop++) {
      this.onEvent({ type: 'index:request', url: current });
      let res;
      try {
        res = await request(current, { method: 'GET', dispatcher: agent, headers: { 'user-agent': this.options.userAgent, 'accept-encoding': 'identity' } });
      } catch (err) {
        throw networkError(err, url, this.timeoutMs);
      }
      const status = res.statusCode;
      const location = res.headers.location;
      if (REDIRECTS.has(status) && typeof location === 'string') {
        await res.body.dump().catch(() => undefined);
        const next = new URL(location, current);
        if (hop >= MAX_REDIRECTS || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
          throw new PyindexError('E_HTTP', `GET ${url}: bad redirect to ${next.href} (after ${hop + 1} redirects)`, {
            hint: 'The server redirects in a loop or off http(s); check the index.',
            details: { url, status },
          });
        }
        current = next.href;
        continue;
      }
      if (status < 200 || status >= 300) {
        const text = await res.body.text().catch(() => '');
        const error = statusError(url, current, status, text);
        throw status >= 500 || status === 429 ? new Retryable(error) : error;
      }
      return this.writeVerified(res.body, url, expected, temp, count, (err) => networkError(err, url, this.timeoutMs));
    }
  }

  /** Streams `body` into `temp`, hashing and counting; verifies; fsyncs. Removes `temp` on failure. */
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
    try {
      let batch: Buffer[] = [];
      let batched = 0;
      const flush = async (): Promise<void> => {
        if (!batched) return;
        const buffers = batch;
        batch = [];
        batched = 0;
        try {
          await writeAll(handle, buffers);
        } catch (err) {
          throw writeFailed(temp, err);
        }
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
      if (size < expected.size) {
        // A body that ends early without a transport error (no Content-Length): truncated.
        throw new Retryable(
          new PyindexError('E_NETWORK', `GET ${url}: the download ended after ${size} of ${expected.size} bytes`, { hint: UP_HINT, details: { url, size, expected: expected.size } }),
        );
      }
      const actual = hash.digest('hex');
      if (actual !== expected.sha256) throw mismatch(url, expected, `sha256 ${actual}`, actual);
      try {
        await handle.sync();
        // What the disk holds, not what was hashed on the way: the two must agree before the rename.
        const written = (await handle.stat()).size;
        if (written !== expected.size) throw Object.assign(new Error(`${written} of ${expected.size} bytes on disk`), { code: 'EIO' });
      } catch (err) {
        throw writeFailed(temp, err);
      }
      ok = true;
    } finally {
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

function errorCode(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const own = (err as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  const cause = (err as { cause?: unknown }).cause;
  return cause === err ? undefined : errorCode(cause);
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
      code === 'UND_ERR_SOCKET' || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' || code === 'ECONNRESET'
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
