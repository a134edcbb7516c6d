/**
 * The HTTP client for index pages and metadata: bodies read whole, over the
 * keep-alive HTTP/1.1 pool of wire.ts, with a request limiter, timeouts,
 * retries with exponential backoff and
 * redirects followed by hand (so the final URL is known: PEP 503 relative
 * links resolve against the page's URL *after* redirects, as browsers and pip
 * do). Every failure becomes a PyindexError naming the URL.
 */
import { PyindexError, isPyindexError } from '../errors/index.js';
import { silent, type EventSink } from '../events/index.js';
import { readFileUrl } from './file-url.js';
import { isRetryable, REDIRECTS, statusError, transportError } from './http-errors.js';
import { Limiter } from './limiter.js';
import { getWhole, WirePool } from './wire.js';
import { zlib } from '../util/lazy-builtins.js';

export interface HttpClientOptions {
  userAgent: string;
  /** Requests in flight at once (and pooled connections per origin). Default 16. */
  concurrency?: number;
  /** Per-request inactivity limit for headers and body, in ms. Default 30 000. */
  timeoutMs?: number;
  /** Extra attempts after a connection error, timeout, 429 or 5xx. Default 3. */
  retries?: number;
  /** First backoff delay in ms, doubled each retry. Default 250 (tests pass 0). */
  retryDelayMs?: number;
  maxRedirects?: number;
  onEvent?: EventSink;
}

export interface HttpRequestOptions {
  headers?: Record<string, string>;
  /** Ask for gzip/deflate/br and decode it (pages; never with Range). */
  compress?: boolean;
  /** Extra attempts for this request (default: the client's). Mirror fail-over asks for 0 and moves on instead. */
  retries?: number;
  /** Checks a successful response (e.g. its hash); what it throws is the request's error, so a mirror serving bad bytes can be failed over. */
  verify?: (res: HttpResponse) => void;
}

export interface HttpResponse {
  /** The URL asked for. */
  url: string;
  /** The URL that answered, after redirects. */
  finalUrl: string;
  status: number;
  /** Lower-case names, repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

const UP_HINT = 'Check that the index is up and reachable from this machine, or use --offline to work from the cache.';
const STATUS_WORDING = { missing: 'page or file', missingHint: 'Check the project name and the index URL.', upHint: UP_HINT };

export class HttpClient {
  private readonly pool: WirePool;
  private readonly limiter: Limiter;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly maxRedirects: number;
  private readonly timeoutMs: number;
  private readonly onEvent: EventSink;

  constructor(private readonly options: HttpClientOptions) {
    const concurrency = options.concurrency ?? 16;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 250;
    this.maxRedirects = options.maxRedirects ?? 10;
    this.onEvent = options.onEvent ?? silent;
    this.limiter = new Limiter(concurrency);
    this.pool = new WirePool({ userAgent: options.userAgent, maxSockets: concurrency, timeoutMs: this.timeoutMs });
  }

  /**
   * GET `url`, following redirects. Resolves for 2xx, 304 and (for Range
   * requests) 416; throws E_NOT_FOUND for 404/410, E_HTTP for other
   * statuses, E_NETWORK / E_TIMEOUT when the exchange itself fails.
   */
  async get(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent, ...(options.headers ?? {}) };
    if (url.startsWith('file:')) {
      this.onEvent({ type: 'index:request', url });
      const res = await this.limiter.run(() => readFileUrl(url, headers));
      options.verify?.(res);
      return res;
    }
    let current = url;
    for (let hop = 0; ; hop++) {
      const res = await this.getWithRetries(current, headers, options.compress === true, options.retries ?? this.retries);
      const location = res.headers.location;
      if (REDIRECTS.has(res.status) && location) {
        if (hop >= this.maxRedirects) {
          throw new PyindexError('E_HTTP', `GET ${url}: more than ${this.maxRedirects} redirects (last to ${current})`, {
            hint: 'The index redirects in a loop; check its URL.',
            details: { url, status: res.status },
          });
        }
        const next = new URL(location, current);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new PyindexError('E_HTTP', `GET ${url}: redirect to unsupported URL ${next.href}`, {
            hint: 'An HTTP index may only redirect to http(s) URLs.',
            details: { url, status: res.status },
          });
        }
        current = next.href;
        continue;
      }
      const out: HttpResponse = { ...res, url, finalUrl: current };
      if ((res.status >= 200 && res.status < 300) || res.status === 304 || (res.status === 416 && headers.range)) {
        options.verify?.(out);
        return out;
      }
      throw statusError(url, current, res.status, res.body.subarray(0, 200).toString('utf8'), STATUS_WORDING);
    }
  }

  async close(): Promise<void> {
    this.pool.close();
  }

  private async getWithRetries(url: string, headers: Record<string, string>, compress: boolean, retries: number): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      let reason: string;
      let failure: PyindexError | undefined;
      try {
        const res = await this.limiter.run(() => this.once(url, headers, compress));
        if (!(res.status >= 500 || res.status === 429) || attempt >= retries) return res;
        reason = `HTTP ${res.status}`;
      } catch (err) {
        failure = toPyindexError(err, url, this.timeoutMs);
        if (!isRetryable(failure) || attempt >= retries) throw failure;
        reason = failure.message;
      }
      this.onEvent({ type: 'index:retry', url, attempt: attempt + 1, reason });
      const delay = this.retryDelayMs * 2 ** attempt;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private async once(url: string, headers: Record<string, string>, compress: boolean): Promise<HttpResponse> {
    this.onEvent({ type: 'index:request', url });
    // Credentials for the origin are added by wire.ts (credentials.ts).
    const sent = compress ? { ...headers, 'accept-encoding': 'gzip, deflate, br' } : headers;
    const res = await getWhole(this.pool, new URL(url), sent);
    let body = res.body;
    const status = res.status;
    const flat = { ...res.headers };
    const encoding = flat['content-encoding']?.trim().toLowerCase();
    if (encoding && encoding !== 'identity' && status !== 304) {
      body = decode(body, encoding, url);
      delete flat['content-encoding'];
    }
    return { url, finalUrl: url, status, headers: flat, body };
  }
}

function decode(body: Buffer, encoding: string, url: string): Buffer {
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return zlib().gunzipSync(body);
    if (encoding === 'deflate') return zlib().inflateSync(body);
    if (encoding === 'br') return zlib().brotliDecompressSync(body);
  } catch (cause) {
    throw new PyindexError('E_NETWORK', `GET ${url}: the ${encoding}-encoded body is corrupt or truncated`, { hint: UP_HINT, cause, details: { url } });
  }
  throw new PyindexError('E_HTTP', `GET ${url}: unsupported Content-Encoding ${JSON.stringify(encoding)}`, {
    hint: 'The server sent an encoding pyindex did not ask for; check any proxy in between.',
    details: { url },
  });
}

function toPyindexError(err: unknown, url: string, timeoutMs: number): PyindexError {
  if (isPyindexError(err)) return err;
  return transportError(err, url, {
    body: 'response',
    timeout: `no answer within ${timeoutMs} ms`,
    timeoutHint: 'Check that the index is up and reachable, raise the timeout, or use --offline to work from the cache.',
    upHint: UP_HINT,
  });
}
