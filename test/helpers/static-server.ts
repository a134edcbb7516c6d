/**
 * A real HTTP server on an ephemeral loopback port that serves a directory
 * (e.g. a mkindex tree) the way a static host or a PEP 691 index would, with
 * injectable faults (after pacote's fake registry): 404, 500, truncated body,
 * stalled response, ranges ignored, custom bodies, and a slow server (every
 * response delayed, as a far-away mirror).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

export type Fault =
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'truncate'; bytes: number }
  | { kind: 'stall' }
  | { kind: 'body'; contentType: string; body: string | Buffer; status?: number }
  | { kind: 'redirect'; location: string; status?: number };

export interface StaticServerOptions {
  /** Serve `index.json` for `Accept: application/vnd.pypi.simple.v1+json` (PEP 691). */
  negotiate?: boolean;
  /** Ignore Range headers (answer 200 with the whole file), as some servers do. */
  ignoreRange?: boolean;
  /** Faults by URL path (exact match, without query). */
  faults?: Record<string, Fault>;
  /** Answer every request (HEAD included) only after this many ms: a distant server. */
  delayMs?: number;
  /** Serve HTTPS with this key and certificate chain (PEM); the URL is then https://127.0.0.1:PORT. */
  tls?: { key: string; cert: string };
}

export interface RequestRecord {
  method: string;
  path: string;
  range: string | undefined;
  accept: string | undefined;
  status: number;
}

export interface StaticServer {
  url: string;
  requests: RequestRecord[];
  faults: Record<string, Fault>;
  /** TCP connections accepted so far (with TLS: handshakes begun, whether or not the client accepted the certificate). */
  connections(): number;
  /**
   * Resolves once every response begun so far has finished or closed. A
   * client can hold a whole body before the server's 'finish' event runs,
   * so a test that reads `requests[i].status` right after a request awaits
   * this first (stalled responses are excluded: they never settle).
   */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.whl': 'application/octet-stream',
  '.gz': 'application/octet-stream',
  '.zip': 'application/zip',
  '.metadata': 'application/octet-stream',
};

export async function startStaticServer(root: string, options: StaticServerOptions = {}): Promise<StaticServer> {
  const requests: RequestRecord[] = [];
  const faults: Record<string, Fault> = { ...(options.faults ?? {}) };
  const stalled = new Set<ServerResponse>();
  const open = new Set<ServerResponse>();
  let waiters: (() => void)[] = [];
  const release = () => {
    if ([...open].every((r) => stalled.has(r))) {
      const ready = waiters;
      waiters = [];
      for (const w of ready) w();
    }
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    const record: RequestRecord = {
      method: req.method ?? 'GET',
      path,
      range: req.headers.range,
      accept: req.headers.accept,
      status: 0,
    };
    requests.push(record);
    open.add(res);
    res.on('finish', () => (record.status = res.statusCode));
    res.on('close', () => {
      open.delete(res);
      release();
    });
    const answer = (): void => {
      if (res.destroyed) return;
      const fault = faults[path];
      if (fault) return applyFault(fault, res, stalled, record);
      serveFile(root, path, req, res, options);
    };
    if (options.delayMs) setTimeout(answer, options.delayMs);
    else answer();
  };
  const server: Server = options.tls ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createServer(handler);
  let connections = 0;
  server.on('connection', () => connections++);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    faults,
    connections: () => connections,
    settled: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        release();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of stalled) r.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function applyFault(fault: Fault, res: ServerResponse, stalled: Set<ServerResponse>, record: RequestRecord): void {
  switch (fault.kind) {
    case 'status':
      record.status = fault.status;
      res.writeHead(fault.status, { 'content-type': 'text/plain' });
      res.end(fault.body ?? `status ${fault.status}\n`);
      return;
    case 'truncate': {
      // Promise more bytes than we send, then drop the connection.
      const body = Buffer.alloc(fault.bytes, 0x41);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(fault.bytes * 2) });
      res.write(body, () => res.destroy());
      return;
    }
    case 'stall':
      stalled.add(res);
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write(' ');
      return; // never ends
    case 'body':
      res.writeHead(fault.status ?? 200, { 'content-type': fault.contentType });
      res.end(fault.body);
      return;
    case 'redirect':
      res.writeHead(fault.status ?? 302, { location: fault.location });
      res.end();
      return;
  }
}

function serveFile(root: string, urlPath: string, req: IncomingMessage, res: ServerResponse, options: StaticServerOptions): void {
  const rel = normalize(urlPath).replace(/^([/\\])+/, '');
  if (rel.split(sep).includes('..')) {
    res.writeHead(400).end();
    return;
  }
  let file = join(root, rel);
  if (existsSync(file) && statSync(file).isDirectory()) {
    if (!urlPath.endsWith('/')) {
      res.writeHead(301, { location: `${urlPath}/` }).end();
      return;
    }
    const wantsJson = options.negotiate && /application\/vnd\.pypi\.simple\.v1\+json/.test(req.headers.accept ?? '');
    const jsonFile = join(file, 'index.json');
    if (wantsJson && existsSync(jsonFile)) {
      file = jsonFile;
    } else {
      file = join(file, 'index.html');
    }
  }
  if (!existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  const st = statSync(file);
  const etag = `"${createHash('sha1').update(`${file}:${st.size}:${st.mtimeMs}`).digest('hex').slice(0, 16)}"`;
  const lastModified = st.mtime.toUTCString();
  let type = TYPES[extname(file)] ?? 'application/octet-stream';
  if (file.endsWith('index.json')) type = 'application/vnd.pypi.simple.v1+json';
  const headers: Record<string, string> = {
    'content-type': type,
    etag,
    'last-modified': lastModified,
    'accept-ranges': options.ignoreRange ? 'none' : 'bytes',
  };
  if (options.negotiate) headers.vary = 'Accept';
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers).end();
    return;
  }
  const range = options.ignoreRange ? undefined : parseRange(req.headers.range, st.size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'content-range': `bytes */${st.size}` }).end();
    return;
  }
  if (range) {
    const [start, end] = range;
    res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${st.size}`, 'content-length': String(end - start + 1) });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file, { start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': String(st.size) });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}

function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const [, a, b] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const n = Number(b);
    if (n === 0) return 'unsatisfiable';
    return [Math.max(0, size - n), size - 1];
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return [start, end];
}
