/**
 * The one transport under pyindex's HTTP: Node's own http/https with a
 * keep-alive pool per protocol. Both the buffered client for index pages
 * (http.ts) and the streaming file downloader (wheelhouse/download.ts) ask it
 * for a response and read the body their own way.
 *
 * Why not undici (measured, `pyindex lock` on the pandas[test] snapshot, warm
 * cache, 19 revalidated pages): undici parses HTTP with llhttp compiled to
 * WebAssembly; V8 tiers that module up on a background thread, and a
 * process cannot exit before the job ends — 110–170 ms of a 420 ms run were
 * spent waiting for it after the work was done (strace: the main thread in
 * futex while a V8 worker mprotects wasm code pages; `node --liftoff-only`
 * alone took the run to 310 ms). Its module also cost ~40 ms to load, and
 * for streamed files twice node:http's CPU. node:http's llhttp is native and
 * already in the binary.
 */
import http, { type IncomingMessage } from 'node:http';

type HttpModule = typeof http;

export interface TransportOptions {
  /** Pooled connections per origin. */
  connections: number;
  /** Inactivity limit (connect, headers, between body chunks), in ms. */
  timeoutMs: number;
}

/** What a timed-out exchange is destroyed with (an errno-style code the callers map to E_TIMEOUT). */
export const TIMEOUT_CODE = 'ETIMEDOUT';

export class HttpTransport {
  private readonly pools = new Map<string, Promise<{ module: HttpModule; agent: http.Agent }>>();

  constructor(private readonly options: TransportOptions) {}

  /** The keep-alive pool for a protocol; https (and so TLS) is loaded only when an https URL comes. */
  private pool(protocol: string): Promise<{ module: HttpModule; agent: http.Agent }> {
    let entry = this.pools.get(protocol);
    if (!entry) {
      const module: Promise<HttpModule> = protocol === 'https:' ? import('node:https').then((m) => m.default as unknown as HttpModule) : Promise.resolve(http);
      // Idle pooled sockets are unref'd by the agent, so they never hold the process open.
      entry = module.then((m) => ({
        module: m,
        agent: new m.Agent({ keepAlive: true, maxSockets: this.options.connections, timeout: this.options.timeoutMs, scheduling: 'lifo' }),
      }));
      this.pools.set(protocol, entry);
    }
    return entry;
  }

  /**
   * GET `url`; resolves with the response once its headers are in.
   * Inactivity longer than the timeout — connecting, waiting for headers, or
   * between body chunks — destroys the exchange with ETIMEDOUT, which the
   * body's reader sees as an error too.
   */
  async get(url: URL, headers: Record<string, string>): Promise<IncomingMessage> {
    const { module, agent } = await this.pool(url.protocol);
    const timeoutMs = this.options.timeoutMs;
    return new Promise((resolve, reject) => {
      let response: IncomingMessage | undefined;
      const req = module.get(url, { agent, headers }, (res) => {
        response = res;
        resolve(res);
      });
      req.setTimeout(timeoutMs, () => {
        const err = Object.assign(new Error(`no data for ${timeoutMs} ms`), { code: TIMEOUT_CODE });
        // Mid-body the reader must see the timeout, not the "aborted" that destroying the request would give.
        if (response) response.destroy(err);
        req.destroy(err);
      });
      req.on('error', reject);
    });
  }

  /** Closes pooled connections; requests still running fail. */
  async close(): Promise<void> {
    for (const pool of this.pools.values()) (await pool).agent.destroy();
    this.pools.clear();
  }
}

/**
 * The whole body. A connection that closes before Content-Length bytes
 * arrived rejects (node:http: "aborted", ECONNRESET), as does a timeout.
 */
export async function readWholeBody(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

/** Response headers flattened: lower-case names, repeated headers joined with ", " (set-cookie included). */
export function flatHeaders(res: IncomingMessage): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return flat;
}
