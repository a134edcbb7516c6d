/**
 * The read side of `pyindex serve`: the simple API (PEP 503 HTML / PEP 691
 * JSON) and the distribution files, straight from the static tree — the
 * bytes served are the files nginx would serve from the same root.
 *
 * - `/simple/` and `/simple/<project>/`: negotiated (negotiate.ts), with
 *   `Vary: Accept`. A name that is not normalized, or a missing trailing
 *   slash, is redirected (301) to the canonical URL (PEP 503: "the
 *   repository SHOULD redirect the non-normalized URLs to the normalized
 *   one"). Redirects are relative, so a path prefix in front still works.
 * - `/files/<project>/<filename>[.metadata]`: only files the project state
 *   lists (an unlisted leftover of a crash is never served), with strong
 *   ETags (their sha256), Range and conditional requests. Every
 *   distribution is `application/octet-stream` and never carries a
 *   Content-Encoding: a `.tar.gz` is the payload itself, and a client told
 *   `Content-Encoding: gzip` would unpack it and fail the hash check.
 */
import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { canonicalizeName, isValidName } from '../pep/names.js';
import { httpDate, notModified, rangeOf } from './conditional.js';
import type { DownloadLog } from './download-log.js';
import { CONTENT_TYPES, negotiatePageFormat } from './negotiate.js';
import { FileBytesCache, PageCache, StateCache, type CachedPage, type Generation } from './read-cache.js';
import { sendText, type Route, type RouteRequest } from './routes.js';
import { projectStatePath, type TreeLayout } from './tree/layout.js';

export interface ReadContext {
  layout: TreeLayout;
  log?: DownloadLog;
  /** The tree's write counter, so this process's own writes show at once (read-cache.ts). */
  generation?: Generation;
}

const PAGE_CACHE_CONTROL = 'max-age=0, must-revalidate';
/** A filename's bytes never change (the tree refuses overwrites). */
const FILE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

function redirect(res: ServerResponse, location: string): void {
  sendText(res, 301, `moved to ${location}`, { Location: location });
}

function noCanonicalProject(name: string): boolean {
  return !isValidName(name);
}

/** 304 / 200 for an in-memory page. */
function sendPage(r: RouteRequest, page: CachedPage, contentType: string, vary: boolean): void {
  const headers: Record<string, string | number> = { 'Content-Type': contentType, ETag: page.etag, 'Last-Modified': page.lastModified, 'Cache-Control': PAGE_CACHE_CONTROL };
  if (vary) headers.Vary = 'Accept';
  if (notModified(r.req.headers, page.etag, page.mtimeMs)) {
    r.res.writeHead(304, headers);
    r.res.end();
    return;
  }
  headers['Content-Length'] = page.body.length;
  r.res.writeHead(200, headers);
  r.res.end(page.body);
}

/**
 * Not async: a page whose cache entry is fresh is answered without a single
 * await (each one is a trip through the microtask queue on the hottest path).
 */
function servePageDir(r: RouteRequest, pages: PageCache, dir: string): void | Promise<void> {
  const format = negotiatePageFormat(r.req.headers.accept, r.search.get('format'));
  if (format === undefined) {
    sendText(r.res, 406, `none of the offered types is acceptable: ${Object.values(CONTENT_TYPES).join(', ')}`, { Vary: 'Accept' });
    return;
  }
  const path = join(dir, format === 'json' ? 'index.json' : 'index.html');
  const answer = (page: CachedPage | undefined): void => {
    if (!page) sendText(r.res, 404, `not found: ${r.segments.join('/')}`, { Vary: 'Accept' });
    else sendPage(r, page, CONTENT_TYPES[format], true);
  };
  const fresh = pages.fresh(path);
  if (fresh !== undefined) return answer(fresh);
  return pages.get(path).then(answer);
}

async function serveFile(r: RouteRequest, ctx: ReadContext, caches: Caches, project: string, requested: string): Promise<void> {
  const isMetadata = requested.endsWith('.metadata');
  const filename = isMetadata ? requested.slice(0, -'.metadata'.length) : requested;
  const entry = await caches.states.file(projectStatePath(ctx.layout, project), filename);
  const sha256 = isMetadata ? entry?.metadataSha256 : entry?.sha256;
  const notFound = () => sendText(r.res, 404, `not found: /files/${project}/${requested}`);
  if (!entry || sha256 === undefined) return notFound();
  const path = join(ctx.layout.filesDir, project, requested);
  // Small files (and every .metadata) come from memory; big ones are streamed from disk.
  let bytes: Buffer | undefined;
  let size: number;
  if (isMetadata || entry.size <= caches.files.maxEntryBytes) {
    bytes = await caches.files.get(path, sha256);
    if (!bytes) return notFound();
    size = bytes.length;
  } else {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) return notFound();
    size = st.size;
  }
  // The upload time is the file's modification time: its bytes never change afterwards.
  const mtimeMs = Date.parse(entry.uploadTime) || 0;
  const etag = `"${sha256}"`;
  const headers: Record<string, string | number> = {
    'Content-Type': isMetadata ? 'text/plain; charset=utf-8' : 'application/octet-stream',
    ETag: etag,
    'Last-Modified': httpDate(mtimeMs),
    'Accept-Ranges': 'bytes',
    'Cache-Control': FILE_CACHE_CONTROL,
  };
  if (notModified(r.req.headers, etag, mtimeMs)) {
    r.res.writeHead(304, headers);
    r.res.end();
    return;
  }
  const range = rangeOf(r.req.headers, size, etag, mtimeMs);
  if (range.kind === 'unsatisfiable') {
    return sendText(r.res, 416, `range not satisfiable: ${r.req.headers.range ?? ''} (size ${size})`, { 'Content-Range': `bytes */${size}`, ETag: etag });
  }
  const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, size - 1];
  if (range.kind === 'partial') r.res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1 });
  else r.res.writeHead(200, { ...headers, 'Content-Length': size });
  if (r.req.method === 'HEAD' || size === 0) {
    r.res.end();
    return;
  }
  // A completed download: the whole file, or the rest of it (a resumed download, `bytes=N-`).
  // Suffix and bounded ranges are partial reads (e.g. a lazy wheel's zip index), not downloads.
  if (ctx.log && !isMetadata && (range.kind === 'full' || range.openEnded)) {
    const log = ctx.log;
    r.res.on('finish', () => log.record({ project, version: entry.version, filename, userAgent: r.req.headers['user-agent'] ?? '' }));
  }
  if (bytes) {
    r.res.end(range.kind === 'full' ? bytes : bytes.subarray(start, end + 1));
    return;
  }
  const stream = createReadStream(path, { start, end, highWaterMark: 1024 * 1024 });
  stream.on('error', () => r.res.destroy());
  r.res.on('close', () => stream.destroy());
  stream.pipe(r.res);
}

interface Caches {
  pages: PageCache;
  states: StateCache;
  files: FileBytesCache;
}

export function readRoutes(ctx: ReadContext): Route[] {
  const caches: Caches = { pages: new PageCache(ctx.generation), states: new StateCache(ctx.generation), files: new FileBytesCache() };
  const { pages } = caches;
  const methods = ['GET', 'HEAD'] as const;
  return [
    {
      // The static page files themselves, as a static server exposes them.
      name: 'simple-page-file',
      methods,
      read: true,
      matches: (s) => s[0] === 'simple' && ((s.length === 2 && /^index\.(html|json)$/.test(s[1] ?? '')) || (s.length === 3 && /^index\.(html|json)$/.test(s[2] ?? ''))),
      handle: (r) => {
        const file = r.segments[r.segments.length - 1] as string;
        const project = r.segments.length === 3 ? (r.segments[1] as string) : undefined;
        if (project !== undefined && (noCanonicalProject(project) || canonicalizeName(project) !== project)) return sendText(r.res, 404, 'not found');
        const path = join(ctx.layout.simpleDir, ...(project ? [project] : []), file);
        const answer = (page: CachedPage | undefined): void => {
          if (!page) sendText(r.res, 404, 'not found');
          else sendPage(r, page, file.endsWith('.json') ? CONTENT_TYPES.json : CONTENT_TYPES.html, false);
        };
        const fresh = pages.fresh(path);
        return fresh !== undefined ? answer(fresh) : pages.get(path).then(answer);
      },
    },
    {
      name: 'simple-root',
      methods,
      read: true,
      matches: (s) => s[0] === 'simple' && (s.length === 1 || (s.length === 2 && s[1] === '')),
      handle: (r) => (r.segments.length === 1 ? redirect(r.res, `simple/${r.rawSearch}`) : servePageDir(r, pages, ctx.layout.simpleDir)),
    },
    {
      name: 'simple-project',
      methods,
      read: true,
      matches: (s) => s[0] === 'simple' && s[1] !== '' && (s.length === 2 || (s.length === 3 && s[2] === '')),
      handle: async (r) => {
        const name = r.segments[1] as string;
        if (noCanonicalProject(name)) return sendText(r.res, 404, `not a project name: ${JSON.stringify(name)}`);
        const canonical = canonicalizeName(name);
        if (r.segments.length === 2) return redirect(r.res, `${canonical}/${r.rawSearch}`);
        if (canonical !== name) return redirect(r.res, `../${canonical}/${r.rawSearch}`);
        return servePageDir(r, pages, join(ctx.layout.simpleDir, canonical));
      },
    },
    {
      name: 'files',
      methods,
      read: true,
      matches: (s) => s[0] === 'files' && s.length === 3,
      handle: async (r) => {
        const [, project = '', filename = ''] = r.segments;
        if (noCanonicalProject(project) || canonicalizeName(project) !== project || filename === '' || filename.startsWith('.')) {
          return sendText(r.res, 404, `not found: /files/${project}/${filename}`);
        }
        return serveFile(r, ctx, caches, project, filename);
      },
    },
  ];
}
