/**
 * A small HTTP/1.1 client (RFC 9112) for everything pyindex reads from an
 * index — pages and metadata (http.ts, `getWhole`), file downloads
 * (wheelhouse/download.ts) and the mirror probe's HEAD (probe.ts): GET and
 * HEAD over pooled keep-alive connections, each socket reading into ONE
 * reused buffer (net/tls `onread`) whose slices go straight to the
 * caller's sink.
 *
 * Why not node:http: on the fetch bench corpus (32 wheels, 107 MB over
 * loopback, 16 connections) node:http took ~0.8 s of CPU just to receive and
 * discard the bodies — a fresh 64 KiB buffer per read, the parser's
 * callbacks, an IncomingMessage stream push and event per chunk, and the GC
 * of 107 MB of short-lived buffers — against ~0.1 s here (scratch
 * measurement, same server, same machine; curl took ~0.15 s). On a loaded
 * 2-core build machine CPU time is wall time. Pages and metadata moved here
 * from node:http for the same reason at a smaller scale (per response:
 * IncomingMessage, stream events, parser callbacks), and so the http module
 * is not loaded at all. undici was dropped before either: its WebAssembly
 * parser held every run's exit 110–170 ms while V8 tiered it up.
 *
 * The sink must consume each slice before it returns (hash it, copy it):
 * the bytes are overwritten by the next read. Returning false pauses the
 * socket until `resume` is called (flow control for a slow disk).
 *
 * What is handled: Content-Length, chunked (extensions and trailers
 * skipped) and close-delimited bodies; 1xx interim responses; keep-alive
 * per HTTP/1.1 and 1.0 rules; a pooled connection the server closed while
 * idle (the request is retried once on a new connection when not a byte of
 * a response came back); inactivity timeouts. Redirects, status handling
 * and retries are the caller's (download.ts, http.ts). Compressed bodies
 * come as sent: a caller that asks for gzip decodes it (http.ts). HTTP
 * proxies from the environment (proxy.ts): absolute-form requests for http
 * URLs, a CONNECT tunnel per connection for https ones. Not handled:
 * pipelining.
 */
import net from 'node:net';
import type { OnReadOpts, Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { authorizationFor } from './credentials.js';
import { proxyFor, type HttpProxy } from './proxy.js';
import { tls } from '../util/lazy-builtins.js';
import { bareHostname, portOf } from '../util/url.js';

export interface ResponseHead {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
}

/** Receives one response's body. `chunk` is only valid during the call. */
export interface BodySink {
  /** Return false to pause reading until the `resume` given with the head is called; throw to abort the exchange. */
  data(chunk: Buffer): boolean;
}

export interface WirePoolOptions {
  userAgent: string;
  /** Connections per host:port. */
  maxSockets: number;
  /** Inactivity limit in ms (connect, waiting for the head, between body reads). */
  timeoutMs: number;
}

/** Largest response head accepted (status line and headers). */
const MAX_HEAD = 64 * 1024;
/** Largest chunk-size line (size, extensions) or trailer line. */
const MAX_LINE = 8 * 1024;
/** Bytes per socket read: fewer, larger reads than libuv's usual 64 KiB. */
const READ_BUFFER = 256 * 1024;

type Method = 'GET' | 'HEAD' | 'POST';

type Framing = { kind: 'length'; remaining: number } | { kind: 'chunked' } | { kind: 'close' } | { kind: 'none' };

export class WireError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

interface Exchange {
  onHead(head: ResponseHead, resume: () => void): BodySink;
  resolve(): void;
  reject(err: unknown): void;
  /** Bytes of a response received so far (0: the request may be replayed on a new connection). */
  received: number;
  /** A HEAD request: the response has no body whatever its headers say (RFC 9112 §6.3). */
  head?: boolean;
}

/**
 * One connection: a socket and the parser state of the exchange on it.
 * Parsing runs in the socket's read callback over (buffer, start, end).
 */
class Connection {
  readonly socket: Socket;
  private exchange: Exchange | undefined;
  private state: 'head' | 'body' | 'idle' = 'idle';
  private headText = '';
  private framing: Framing = { kind: 'none' };
  private keepAlive = false;
  private sink: BodySink | undefined;
  /** Chunked decoding: what the next bytes are. */
  private chunkState: 'size' | 'data' | 'data-cr' | 'trailer' = 'size';
  private chunkRemaining = 0;
  private line = '';
  /** Replies have come on this socket before (a failure with nothing received may be the server's idle close). */
  reused = false;
  dead = false;

  constructor(
    readonly key: string,
    url: URL,
    timeoutMs: number,
    private readonly release: (c: Connection, reusable: boolean) => void,
    /** An http URL's proxy (the socket goes to it), or an https URL's tunnel through one (TLS runs over it). */
    via: { proxy?: HttpProxy; tunnel?: Socket } = {},
  ) {
    const host = bareHostname(url);
    const port = portOf(url);
    const onread: OnReadOpts = { buffer: Buffer.allocUnsafe(READ_BUFFER), callback: (n, buf) => this.onRead(buf as Buffer, n) };
    // tls.connect takes `onread` as net does (documented; @types/node lacks it). tls is loaded only when an https URL comes.
    const tlsOptions: ConnectionOptions & { onread: OnReadOpts } = { host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'], onread };
    if (url.protocol === 'https:' && via.tunnel) {
      // Over an existing socket, tls.connect ignores `onread` (Node 20): reads come as 'data' chunks, parsed the same way.
      const { onread: _unused, ...overTunnel } = tlsOptions;
      this.socket = tls().connect({ ...overTunnel, socket: via.tunnel });
      this.socket.on('data', (chunk: Buffer) => {
        if (!this.onRead(chunk, chunk.length)) this.socket.pause();
      });
    } else if (url.protocol === 'https:') this.socket = tls().connect(tlsOptions);
    else this.socket = via.proxy ? net.connect({ host: via.proxy.host, port: via.proxy.port, onread }) : net.connect({ host, port, onread });
    this.socket.setNoDelay(true);
    this.socket.setTimeout(timeoutMs, () => this.fail(new WireError(`no data for ${timeoutMs} ms`, 'ETIMEDOUT')));
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('end', () => this.onEnd());
    this.socket.on('close', () => this.onEnd());
  }

  send(url: URL, request: string, exchange: Exchange): void {
    this.exchange = exchange;
    this.state = 'head';
    this.headText = '';
    this.socket.ref();
    this.socket.resume();
    this.socket.write(request, 'latin1');
  }

  /** Returns false to pause the socket (the sink asked for it). */
  private onRead(buf: Buffer, n: number): boolean {
    let at = 0;
    if (this.exchange) this.exchange.received += n;
    try {
      while (at < n) {
        if (this.state === 'idle') {
          // Bytes nobody asked for: the connection cannot be trusted with another request.
          this.destroy(new WireError('unexpected data on an idle connection', 'ECONNRESET'));
          return false;
        }
        if (this.state === 'head') at = this.readHead(buf, at, n);
        else {
          const r = this.readBody(buf, at, n);
          at = r.at;
          // Pause only while this body is still coming: a pooled connection must be left reading.
          if (!r.flowing && this.state === 'body' && at >= n) return false;
        }
      }
    } catch (err) {
      this.fail(err);
      return false;
    }
    return true;
  }

  private readHead(buf: Buffer, at: number, n: number): number {
    const before = this.headText.length;
    // Body bytes may follow in the same read: take no more than a head can be.
    const stop = Math.min(n, at + MAX_HEAD + 4 - before);
    this.headText += buf.toString('latin1', at, stop);
    // Search from just before the new bytes: the terminator may straddle two reads.
    const end = this.headText.indexOf('\r\n\r\n', Math.max(0, before - 3));
    if (end < 0) {
      if (this.headText.length >= MAX_HEAD) throw new WireError(`the response head is larger than ${MAX_HEAD} bytes`, 'E_BAD_RESPONSE');
      return stop;
    }
    if (end > MAX_HEAD) throw new WireError(`the response head is larger than ${MAX_HEAD} bytes`, 'E_BAD_RESPONSE');
    const consumed = end + 4 - before;
    const head = parseHead(this.headText.slice(0, end));
    this.headText = '';
    if (head.status >= 100 && head.status < 200) {
      if (head.status === 101) throw new WireError('the server switched protocols', 'E_BAD_RESPONSE');
      return at + consumed; // an interim response (100, 103): the real one follows
    }
    this.startBody(head);
    return at + consumed;
  }

  private startBody(head: ResponseHead & { http10: boolean }): void {
    const connection = (head.headers.connection ?? '').toLowerCase();
    const tokens = connection.split(',').map((s) => s.trim());
    this.keepAlive = head.http10 ? tokens.includes('keep-alive') : !tokens.includes('close');
    this.framing = this.exchange?.head ? { kind: 'none' } : framingOf(head);
    // Close-delimited bodies end the connection; a response with both Transfer-Encoding and
    // Content-Length may be a smuggling attempt and must not be reused (RFC 9112 §6.3).
    if (this.framing.kind === 'close' || (head.headers['transfer-encoding'] !== undefined && head.headers['content-length'] !== undefined)) this.keepAlive = false;
    this.chunkState = 'size';
    this.line = '';
    const exchange = this.exchange;
    if (!exchange) throw new WireError('a response without a request', 'E_BAD_RESPONSE');
    this.sink = exchange.onHead({ status: head.status, headers: head.headers }, () => {
      if (!this.dead && this.exchange === exchange) this.socket.resume();
    });
    this.state = 'body';
    if (this.framing.kind === 'none' || (this.framing.kind === 'length' && this.framing.remaining === 0)) this.finish();
  }

  private deliver(buf: Buffer, from: number, to: number): boolean {
    if (to <= from) return true;
    return (this.sink as BodySink).data(buf.subarray(from, to)) !== false;
  }

  /** Consumes body bytes from buf[at..n); `flowing` false when the sink asked to pause. */
  private readBody(buf: Buffer, at: number, n: number): { at: number; flowing: boolean } {
    const framing = this.framing;
    if (framing.kind === 'close') return { at: n, flowing: this.deliver(buf, at, n) };
    if (framing.kind === 'length') {
      const take = Math.min(n - at, framing.remaining);
      framing.remaining -= take;
      const flowing = this.deliver(buf, at, at + take);
      if (framing.remaining === 0) this.finish();
      return { at: at + take, flowing };
    }
    // chunked (RFC 9112 §7.1)
    let flowing = true;
    while (at < n && this.state === 'body') {
      if (this.chunkState === 'data') {
        const take = Math.min(n - at, this.chunkRemaining);
        this.chunkRemaining -= take;
        if (!this.deliver(buf, at, at + take)) flowing = false;
        at += take;
        if (this.chunkRemaining === 0) this.chunkState = 'data-cr';
        continue;
      }
      const nl = buf.indexOf(10, at);
      const stop = nl < 0 || nl >= n ? n : nl + 1;
      this.line += buf.toString('latin1', at, stop);
      at = stop;
      if (!this.line.endsWith('\n')) {
        if (this.line.length > MAX_LINE) throw new WireError('a chunk-size or trailer line is too long', 'E_BAD_RESPONSE');
        continue;
      }
      if (!this.line.endsWith('\r\n')) throw new WireError('a chunked body line does not end in CRLF', 'E_BAD_RESPONSE');
      const line = this.line.slice(0, -2);
      this.line = '';
      if (this.chunkState === 'data-cr') {
        if (line !== '') throw new WireError('a chunk is longer than its size', 'E_BAD_RESPONSE');
        this.chunkState = 'size';
      } else if (this.chunkState === 'size') {
        const size = /^([0-9A-Fa-f]{1,12})[ \t]*(?:;.*)?$/.exec(line);
        if (!size) throw new WireError(`bad chunk size line ${JSON.stringify(line.slice(0, 40))}`, 'E_BAD_RESPONSE');
        this.chunkRemaining = parseInt(size[1] as string, 16);
        this.chunkState = this.chunkRemaining === 0 ? 'trailer' : 'data';
      } else if (line === '') {
        this.finish(); // the empty line after the trailers
      }
    }
    return { at, flowing };
  }

  /** The response is complete: settle it, then pool or close the connection. */
  private finish(): void {
    const exchange = this.exchange;
    this.exchange = undefined;
    this.sink = undefined;
    this.state = 'idle';
    this.reused = true;
    const reusable = this.keepAlive && !this.dead;
    if (!reusable) this.destroy();
    else this.socket.unref(); // an idle pooled socket must not keep the process alive
    this.release(this, reusable);
    exchange?.resolve();
  }

  private onEnd(): void {
    if (this.state === 'body' && this.framing.kind === 'close') {
      this.keepAlive = false;
      this.finish();
      return;
    }
    this.fail(new WireError('the connection closed before the response was complete', 'ECONNRESET'));
  }

  private fail(err: unknown): void {
    const exchange = this.exchange;
    this.exchange = undefined;
    this.sink = undefined;
    const wasIdle = this.state === 'idle';
    this.state = 'idle';
    this.destroy();
    if (wasIdle && !exchange) this.release(this, false);
    if (exchange) {
      this.release(this, false);
      exchange.reject(Object.assign(err instanceof Error ? err : new Error(String(err)), { replayable: this.reused && exchange.received === 0 }));
    }
  }

  destroy(err?: Error): void {
    if (err) return this.fail(err);
    if (this.dead) return;
    this.dead = true;
    this.socket.destroy();
  }
}

function parseHead(text: string): ResponseHead & { http10: boolean } {
  const lines = text.split('\r\n');
  const status = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!status) throw new WireError(`not an HTTP/1.x response: ${JSON.stringify((lines[0] ?? '').slice(0, 60))}`, 'E_BAD_RESPONSE');
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    // Obsolete line folding (a line starting with whitespace) and nameless lines are errors (RFC 9112 §5.2).
    if (colon <= 0 || line[0] === ' ' || line[0] === '\t') throw new WireError(`bad header line ${JSON.stringify(line.slice(0, 60))}`, 'E_BAD_RESPONSE');
    const name = line.slice(0, colon).toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) throw new WireError(`bad header name ${JSON.stringify(name.slice(0, 60))}`, 'E_BAD_RESPONSE');
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { http10: status[1] === '0', status: Number(status[2]), headers };
}

/** How the body is delimited (RFC 9112 §6.3); GET only, so HEAD's rule does not apply. */
function framingOf(head: ResponseHead): Framing {
  if (head.status === 204 || head.status === 304) return { kind: 'none' };
  const te = head.headers['transfer-encoding'];
  if (te !== undefined) {
    const codings = te.toLowerCase().split(',').map((s) => s.trim());
    if (codings[codings.length - 1] !== 'chunked') return { kind: 'close' };
    if (codings.length > 1) throw new WireError(`unsupported transfer coding ${JSON.stringify(te)}`, 'E_BAD_RESPONSE');
    return { kind: 'chunked' };
  }
  const cl = head.headers['content-length'];
  if (cl !== undefined) {
    // "n, n" from repeated identical headers is allowed; different values or non-digits are not.
    const values = new Set(cl.split(',').map((s) => s.trim()));
    const [only] = values;
    if (values.size !== 1 || only === undefined || !/^\d{1,15}$/.test(only)) throw new WireError(`bad Content-Length ${JSON.stringify(cl)}`, 'E_BAD_RESPONSE');
    return { kind: 'length', remaining: Number(only) };
  }
  return { kind: 'close' };
}

/**
 * The request head: the method, Host, then the defaults (User-Agent, no
 * compression, any type), the credentials this origin has (credentials.ts),
 * and `headers` over them (lower-case names), then a POST's body. A line
 * break in a name or value would start another header or the body: refused.
 */
function requestText(method: Method, url: URL, userAgent: string, headers: Readonly<Record<string, string>>, proxy?: HttpProxy, body?: Buffer): string {
  const fields: Record<string, string> = { 'user-agent': userAgent, 'accept-encoding': 'identity', accept: '*/*' };
  const authorization = authorizationFor(url);
  if (authorization) fields.authorization = authorization;
  if (proxy?.authorization) fields['proxy-authorization'] = proxy.authorization;
  for (const [name, value] of Object.entries(headers)) fields[name.toLowerCase()] = value;
  if (body) fields['content-length'] = String(body.length);
  // Through a proxy, the absolute form (RFC 9112 §3.2.2): the proxy learns the target from it.
  const target = `${proxy ? `${url.protocol}//${url.host}` : ''}${url.pathname || '/'}${url.search}`;
  let text = `${method} ${target} HTTP/1.1\r\nHost: ${url.host}\r\n`;
  for (const [name, value] of Object.entries(fields)) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value) || name === 'host' || name === 'connection') throw new WireError(`header ${JSON.stringify(name)} cannot be sent`, 'E_BAD_REQUEST');
    text += `${fieldName(name)}: ${value}\r\n`;
  }
  // The body rides in the same latin1 string: one byte per char, so its bytes go out unchanged.
  return `${text}Connection: keep-alive\r\n\r\n${body ? body.toString('latin1') : ''}`;
}

/** `if-none-match` → `If-None-Match`: names are case-insensitive, but this is how every client writes them. */
function fieldName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

/** A whole response: status, headers and the body in one buffer. */
export interface WholeResponse extends ResponseHead {
  body: Buffer;
}

/**
 * GET `url` and keep the whole body (index pages and metadata files). With a
 * Content-Length the body is copied once into a buffer of that size; without
 * one, slices are copied and joined at the end.
 */
export function getWhole(pool: WirePool, url: URL, headers: Readonly<Record<string, string>> = {}): Promise<WholeResponse> {
  return requestWhole(pool, 'GET', url, headers);
}

/** Any method, the whole answer kept (a HEAD's body is empty). A POST is not replayed on a fresh connection: not idempotent. */
export async function requestWhole(pool: WirePool, method: Method, url: URL, headers: Readonly<Record<string, string>> = {}, body?: Buffer): Promise<WholeResponse> {
  let head: ResponseHead | undefined;
  let whole: Buffer | undefined;
  let filled = 0;
  const parts: Buffer[] = [];
  await pool.request(
    method,
    url,
    (h) => {
      head = h;
      const length = /^\d{1,12}$/.test(h.headers['content-length'] ?? '') ? Number(h.headers['content-length']) : undefined;
      if (length !== undefined && h.headers['transfer-encoding'] === undefined) whole = Buffer.allocUnsafe(length);
      return {
        data(chunk) {
          if (whole && filled + chunk.length <= whole.length) filled += chunk.copy(whole, filled);
          else parts.push(Buffer.from(chunk));
          return true;
        },
      };
    },
    headers,
    body,
  );
  const received = whole ? (parts.length ? Buffer.concat([whole.subarray(0, filled), ...parts]) : whole.subarray(0, filled)) : parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  return { status: head!.status, headers: head!.headers, body: received };
}

/**
 * One request on a connection of its own, closed after: for the callers
 * that ask a server once (the mirror probe's HEAD, `stats`, `yank --url`),
 * so the connecting is theirs and nothing is left open.
 */
export async function requestOnce(
  method: Method,
  url: URL,
  options: { userAgent: string; timeoutMs: number; headers?: Readonly<Record<string, string>>; body?: Buffer },
): Promise<WholeResponse> {
  const pool = new WirePool({ userAgent: options.userAgent, maxSockets: 1, timeoutMs: options.timeoutMs });
  try {
    return await requestWhole(pool, method, url, options.headers, options.body);
  } finally {
    pool.close();
  }
}

/** Keep-alive connections per origin, at most `maxSockets` busy at once (others wait their turn). */
export class WirePool {
  private readonly idle = new Map<string, Connection[]>();
  private readonly busy = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();
  private closed = false;

  constructor(private readonly options: WirePoolOptions) {}

  /**
   * GET `url`: `onHead` is called once the response head is in and returns
   * the sink for its body; resolves when the body is complete, rejects when
   * the exchange failed (errors carry a `code`: ETIMEDOUT, ECONNRESET,
   * ECONNREFUSED, E_BAD_RESPONSE …).
   */
  get(url: URL, onHead: (head: ResponseHead, resume: () => void) => BodySink, headers: Readonly<Record<string, string>> = {}): Promise<void> {
    return this.request('GET', url, onHead, headers);
  }

  /** One request of any method (`get` and requestWhole are its faces); `body` goes with a Content-Length. */
  async request(method: Method, url: URL, onHead: (head: ResponseHead, resume: () => void) => BodySink, headers: Readonly<Record<string, string>> = {}, body?: Buffer): Promise<void> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WireError(`not an http(s) URL: ${url.href}`, 'E_BAD_URL');
    const proxy = proxyFor(url);
    const request = requestText(method, url, this.options.userAgent, headers, url.protocol === 'http:' ? proxy : undefined, body);
    const key = `${url.protocol}//${url.host}${proxy ? ` via ${proxy.origin}` : ''}`;
    await this.slot(key);
    try {
      for (let attempt = 0; ; attempt++) {
        const conn = this.take(key) ?? (await this.open(key, url, proxy));
        try {
          await new Promise<void>((resolve, reject) => conn.send(url, request, { onHead, resolve, reject, received: 0, head: method === 'HEAD' }));
          return;
        } catch (err) {
          // A pooled connection the server had closed: replay once on a fresh one (nothing was received).
          if (attempt === 0 && method !== 'POST' && (err as { replayable?: boolean }).replayable) continue;
          throw err;
        }
      }
    } catch (err) {
      // Messages and hints name the proxy: a failure may be the proxy's, not the index's (http-errors.ts).
      if (proxy && err instanceof Error) Object.assign(err, { proxy: proxy.origin });
      throw err;
    } finally {
      this.unslot(key);
    }
  }

  private async open(key: string, url: URL, proxy: HttpProxy | undefined): Promise<Connection> {
    const release = (c: Connection, reusable: boolean): void => this.put(c, reusable);
    if (proxy && url.protocol === 'https:') {
      return new Connection(key, url, this.options.timeoutMs, release, { tunnel: await openTunnel(proxy, url, this.options) });
    }
    return new Connection(key, url, this.options.timeoutMs, release, { proxy });
  }

  close(): void {
    this.closed = true;
    for (const list of this.idle.values()) for (const c of list) c.destroy();
    this.idle.clear();
  }

  private async slot(key: string): Promise<void> {
    const busy = this.busy.get(key) ?? 0;
    if (busy >= this.options.maxSockets) await new Promise<void>((resolve) => this.waiting.set(key, [...(this.waiting.get(key) ?? []), resolve]));
    this.busy.set(key, (this.busy.get(key) ?? 0) + 1);
  }

  private unslot(key: string): void {
    this.busy.set(key, (this.busy.get(key) ?? 1) - 1);
    const next = this.waiting.get(key)?.shift();
    next?.();
  }

  private take(key: string): Connection | undefined {
    const list = this.idle.get(key);
    while (list?.length) {
      const c = list.pop() as Connection;
      if (!c.dead) return c;
    }
    return undefined;
  }

  private put(c: Connection, reusable: boolean): void {
    const list = this.idle.get(c.key) ?? [];
    const i = list.indexOf(c);
    if (i >= 0) list.splice(i, 1);
    if (reusable && !this.closed) list.push(c);
    else if (reusable) c.destroy();
    this.idle.set(c.key, list);
  }
}

/**
 * A CONNECT tunnel through `proxy` to an https URL's host (RFC 9110 §9.3.6):
 * resolves with the raw socket once the proxy answers 2xx, for TLS to run
 * over. A refusal names the proxy and its status line (407: credentials).
 */
function openTunnel(proxy: HttpProxy, target: URL, options: WirePoolOptions): Promise<Socket> {
  const authority = `${target.hostname}:${portOf(target)}`;
  return new Promise<Socket>((resolve, reject) => {
    const socket = net.connect({ host: proxy.host, port: proxy.port });
    let head = '';
    const settle = (err?: Error): void => {
      socket.removeListener('data', onData);
      socket.removeListener('error', settle);
      socket.removeListener('close', onClose);
      socket.setTimeout(0);
      if (err) {
        socket.destroy();
        reject(err);
      } else resolve(socket);
    };
    const onClose = (): void => settle(new WireError(`the proxy ${proxy.origin} closed the connection before answering CONNECT ${authority}`, 'ECONNRESET'));
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_HEAD) settle(new WireError(`the proxy's answer to CONNECT is larger than ${MAX_HEAD} bytes`, 'E_BAD_RESPONSE'));
        return;
      }
      // Not paused: TLS takes the socket's handle over (tls.connect({ socket })) before any more I/O runs, and a
      // paused handle would stay stopped under it (the handshake's answer never read).
      const statusLine = head.slice(0, head.indexOf('\r\n'));
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
      if (status >= 200 && status < 300 && end + 4 === head.length) return settle();
      if (status >= 200 && status < 300) return settle(new WireError(`the proxy ${proxy.origin} sent data after its CONNECT answer`, 'E_BAD_RESPONSE'));
      settle(new WireError(`the proxy ${proxy.origin} refused the tunnel to ${authority}: ${statusLine}`, status === 407 ? 'E_PROXY_AUTH' : 'E_PROXY_REFUSED'));
    };
    socket.setTimeout(options.timeoutMs, () => settle(new WireError(`no answer from the proxy ${proxy.origin} to CONNECT ${authority} for ${options.timeoutMs} ms`, 'ETIMEDOUT')));
    socket.on('data', onData);
    socket.on('error', settle);
    socket.on('close', onClose);
    const auth = proxy.authorization ? `Proxy-Authorization: ${proxy.authorization}\r\n` : '';
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\nUser-Agent: ${options.userAgent}\r\n${auth}\r\n`, 'latin1');
  });
}
