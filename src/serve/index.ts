/**
 * `pyindex serve`: the package tree and the HTTP server over it.
 *
 * Scale-out: the tree root is a static PEP 503 tree with relative links, so
 * reads need no pyindex at all. Serve `simple/` and `files/` from nginx, a
 * static host, or object storage with a CDN in front (sync the root after
 * each upload, `files/` first so no page links a file not yet there; hide
 * `.pyindex/`; map `index.html` as the directory index). Uploads, yanks and
 * removals go through ONE `pyindex serve` (or several on one shared local
 * filesystem: writers lock per project under `.pyindex/locks/`). A plain
 * static host gives HTML (JSON stays reachable as `index.json`; PEP 691
 * clients fall back to HTML); nginx can pick `index.json` by Accept. A
 * static server writes no download log and has no web UI: keep a `pyindex
 * serve` per mirror for those, and sum the mirrors with `pyindex stats`.
 * test/helpers/nginx.ts has the nginx configuration the README shows.
 */
export { startServer, parseRequestPath, type RunningServer, type ServeOptions } from './server.js';
export { sendText, type Route, type RouteRequest } from './routes.js';
export { negotiatePageFormat, CONTENT_TYPES, type PageFormat } from './negotiate.js';
export { DownloadLog, mirrorIdOf, type DownloadRecord } from './download-log.js';
export { loadServeConfig, type ServeFileConfig } from './config.js';
export * from './tree/index.js';
