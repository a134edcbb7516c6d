/** `pyindex serve`: the package tree and the HTTP server over it. */
export { startServer, parseRequestPath, type RunningServer, type ServeOptions } from './server.js';
export { sendText, type Route, type RouteRequest } from './routes.js';
export { negotiatePageFormat, CONTENT_TYPES, type PageFormat } from './negotiate.js';
export { DownloadLog, mirrorIdOf, type DownloadRecord } from './download-log.js';
export { loadServeConfig, type ServeFileConfig } from './config.js';
export * from './tree/index.js';
