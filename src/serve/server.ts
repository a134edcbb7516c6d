/**
 * `pyindex serve`: one node:http server over a package tree (tree/). The
 * read routes serve the static tree (read-routes.ts), the web UI (web/)
 * and the download statistics (stats/); upload and admin routes come in
 * through `ServeOptions.routes` and are tried first. Routes that change
 * the tree refuse requests a browser made for another site (same-origin.ts).
 *
 * Paths are decoded here, once, segment by segment, and refused (400) when a
 * segment decodes to `.`/`..`, contains a separator or a NUL, or is not
 * valid percent-encoding: node:http does not normalise paths, so this is the
 * only traversal guard routes need (`/files/..%2Fx`, `/files/%2e%2e/x`).
 *
 * Shutdown (SIGTERM, via `close`): stop accepting, let in-flight requests
 * finish for a grace period, then cut what is left, and flush the
 * download log last.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { isPyindexError } from '../errors/index.js';
import { DownloadLog, mirrorIdOf } from './download-log.js';
import { readRoutes } from './read-routes.js';
import { crossSiteReason } from './same-origin.js';
import { statsRoutes } from './stats/routes.js';
import { webRoutes } from './web/routes.js';
import { sendText, type Route, type RouteRequest } from './routes.js';
import { openTree, type Tree } from './tree/index.js';

export interface ServeOptions {
  root: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Overrides the id kept in `.pyindex/mirror-id`. */
  mirrorId?: string;
  /** Record completed downloads in `.pyindex/downloads/` (default true). */
  downloadLog?: boolean;
  /** Routes tried before the read routes (uploads, admin). */
  routes?: (ctx: { tree: Tree }) => Route[];
  /** Gate for read routes (`--read-auth`): false after it has answered the request itself. */
  readGate?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** Unexpected errors (answered 500), for the CLI to report. */
  onError?: (err: unknown, req: IncomingMessage) => void;
  /** Default 5 s, as nginx's keepalive_timeout order of magnitude. */
  keepAliveTimeoutMs?: number;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  tree: Tree;
  /** Pages rebuilt at start (stale after a crash). */
  regenerated: string[];
  log: DownloadLog | undefined;
  /** Stops accepting, waits up to `graceMs` (default 10 s) for in-flight requests, then closes everything. */
  close(graceMs?: number): Promise<void>;
}

type ParsedPath = { segments: string[]; rawSearch: string; search: URLSearchParams } | { error: string };

export function parseRequestPath(rawUrl: string): ParsedPath {
  const q = rawUrl.indexOf('?');
  const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const rawSearch = q === -1 ? '' : rawUrl.slice(q);
  if (!rawPath.startsWith('/')) return { error: 'the request target must be an absolute path' };
  const segments: string[] = [];
  for (const raw of rawPath.slice(1).split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return { error: `bad percent-encoding in ${JSON.stringify(raw)}` };
    }
    if (seg === '.' || seg === '..' || seg.includes('/') || seg.includes('\\') || seg.includes('\0')) {
      return { error: `path segment ${JSON.stringify(seg)} is not allowed` };
    }
    segments.push(seg);
  }
  return { segments, rawSearch, search: new URLSearchParams(rawSearch) };
}

function statusOf(err: unknown): number {
  if (isPyindexError(err)) {
    const s = (err.details as { httpStatus?: unknown } | undefined)?.httpStatus;
    if (typeof s === 'number' && s >= 400 && s < 600) return s;
  }
  return 500;
}

async function dispatch(routes: Route[], options: ServeOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const parsed = parseRequestPath(req.url ?? '/');
  if ('error' in parsed) return sendText(res, 400, parsed.error);
  // The first route for this path and method; one pass, no allocation (every request comes here).
  const method = req.method ?? '';
  let route: Route | undefined;
  let known = false;
  for (const r of routes) {
    if (!r.matches(parsed.segments)) continue;
    known = true;
    if (r.methods.includes(method)) {
      route = r;
      break;
    }
  }
  if (!route) {
    if (!known) return sendText(res, 404, `not found: ${req.url ?? ''}`);
    const allow = [...new Set(routes.filter((r) => r.matches(parsed.segments)).flatMap((r) => r.methods))].join(', ');
    return sendText(res, 405, `method ${req.method ?? ''} not allowed here (allowed: ${allow})`, { Allow: allow });
  }
  if (route.read && options.readGate && !(await options.readGate(req, res))) return;
  if (!route.read) {
    const crossSite = crossSiteReason(req.headers);
    if (crossSite !== undefined) return sendText(res, 403, `refused: ${crossSite}`);
  }
  const r: RouteRequest = { req, res, segments: parsed.segments, search: parsed.search, rawSearch: parsed.rawSearch };
  await route.handle(r);
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const tree = openTree(options.root);
  const regenerated = await tree.regenerateStale();
  const log = options.downloadLog === false ? undefined : new DownloadLog(tree.layout.downloadsDir, options.mirrorId ?? (await mirrorIdOf(tree.layout.stateDir)));
  const generation = (): number => tree.generation;
  const routes = [...(options.routes?.({ tree }) ?? []), ...readRoutes({ layout: tree.layout, log, generation }), ...webRoutes({ layout: tree.layout, generation }), ...statsRoutes({ layout: tree.layout, log })];

  const server: Server = createServer({ keepAliveTimeout: options.keepAliveTimeoutMs ?? 5000 }, (req, res) => {
    dispatch(routes, options, req, res).catch((err: unknown) => {
      const status = statusOf(err);
      if (status === 500) options.onError?.(err, req);
      if (res.headersSent) res.destroy();
      else sendText(res, status, status === 500 ? 'internal server error' : (err as Error).message);
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}/`,
    host: address.address,
    port: address.port,
    tree,
    regenerated,
    log,
    close(graceMs = 10_000) {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const timer = setTimeout(() => {
          server.closeAllConnections();
          for (const s of sockets) s.destroy();
        }, graceMs);
        await closed;
        clearTimeout(timer);
        await log?.flush();
      })();
      return closing;
    },
  };
}
