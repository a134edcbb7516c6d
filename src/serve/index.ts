/**
 * `pyindex serve`: the package tree and the HTTP server over it.
 *
 * Scale-out: the tree root is a static PEP 503 tree with relative links, so
 * reads need no pyindex at all. Serve `simple/` and `files/` from nginx, a
 * static host, or object storage with a CDN in front (sync the root after
 * each upload, `files/` first so no page links a file not yet there; hide
 * `.pyindex/`; map `index.html` as the directory index). Uploads, yanks and
 * removals go through ONE `pyindex serve` (or several on one shared local
 * filesystem: writers lock per project under `.pyindex/locks/`). A static
 * server gives HTML only (no Accept negotiation — JSON stays reachable as
 * `index.json`; PEP 691 clients fall back to HTML) and no download log: sum
 * its access logs separately, or keep a `pyindex serve` per mirror.
 * test/helpers/nginx.ts has a working nginx configuration.
 */
export { startServer, parseRequestPath, type RunningServer, type ServeOptions } from './server.js';
export { sendText, type Route, type RouteRequest } from './routes.js';
export { negotiatePageFormat, CONTENT_TYPES, type PageFormat } from './negotiate.js';
export { DownloadLog, mirrorIdOf, type DownloadRecord } from './download-log.js';
export { loadServeConfig, type ServeFileConfig } from './config.js';
export * from './tree/index.js';
