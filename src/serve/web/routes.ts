/**
 * The web UI of `pyindex serve`, beside the simple API and never inside it:
 *
 *   /                      the project list, `?q=` searches
 *   /project/<name>/       a project's versions and files
 *   /upload/               the upload form (GET) and its target (POST)
 *   /static/pyindex.css|js the UI's style and script
 *
 * None of these paths is under `/simple/` or `/files/`, and none is a file
 * of the tree: the pages are rendered from the tree's state on request, so
 * the root on disk stays a pure PEP 503 tree that a static server serves
 * as is (a static mirror simply has no web UI — search and uploads need a
 * server anyway). `POST /` stays twine's upload URL; `GET /` is the list.
 */
import type { ServerResponse } from 'node:http';
import { canonicalizeName, isValidName } from '../../pep/names.js';
import { notModified } from '../conditional.js';
import { sendText, type Route, type RouteRequest } from '../routes.js';
import type { Generation } from '../read-cache.js';
import type { TreeLayout } from '../tree/layout.js';
import { handleUpload, type UploadContext } from '../upload/handler.js';
import { completeFormFromFilename } from '../upload/validate.js';
import { ASSETS } from './assets.js';
import { WebData } from './data.js';
import { sendHtml } from './layout.js';
import { renderProjectList } from './list-page.js';
import { renderNotFound, renderProjectPage } from './project-page.js';
import { renderUploadForm, sendUploadResult } from './upload-page.js';

const READ = ['GET', 'HEAD'] as const;

function redirect(res: ServerResponse, location: string): void {
  sendText(res, 301, `moved to ${location}`, { Location: location });
}

function serveAsset(r: RouteRequest): void {
  const asset = ASSETS.get(r.segments[1] ?? '');
  if (asset === undefined) return sendText(r.res, 404, 'not found');
  const headers = { 'Content-Type': asset.type, ETag: asset.etag, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' };
  if (notModified(r.req.headers, asset.etag, 0)) {
    r.res.writeHead(304, headers);
    r.res.end();
    return;
  }
  r.res.writeHead(200, { ...headers, 'Content-Length': asset.body.length });
  r.res.end(asset.body);
}

async function serveProject(r: RouteRequest, data: WebData): Promise<void> {
  const name = r.segments[1] ?? '';
  if (name === '') return redirect(r.res, '../');
  if (!isValidName(name)) return sendHtml(r.res, 404, renderNotFound(`${JSON.stringify(name)} is not a project name.`, '../../'));
  const canonical = canonicalizeName(name);
  if (r.segments.length === 2) return redirect(r.res, `${encodeURIComponent(canonical)}/`);
  if (canonical !== name) return redirect(r.res, `../${encodeURIComponent(canonical)}/`);
  const state = await data.project(canonical);
  if (state === undefined) return sendHtml(r.res, 404, renderNotFound(`No project ${JSON.stringify(name)} on this index.`, '../../'));
  sendHtml(r.res, 200, renderProjectPage(state, r.req.headers.host));
}

/** The pages anyone who may read the index sees. */
export function webRoutes(ctx: { layout: TreeLayout; generation?: Generation }): Route[] {
  const data = new WebData(ctx.layout, ctx.generation);
  return [
    {
      name: 'web-projects',
      methods: READ,
      read: true,
      matches: (s) => s.length === 1 && s[0] === '',
      handle: async (r) => sendHtml(r.res, 200, renderProjectList(await data.projects(), r.search.get('q') ?? '')),
    },
    {
      name: 'web-project',
      methods: READ,
      read: true,
      matches: (s) => s[0] === 'project' && (s.length === 1 || s.length === 2 || (s.length === 3 && s[2] === '')),
      handle: (r) => (r.segments.length === 1 ? redirect(r.res, './') : serveProject(r, data)),
    },
    { name: 'web-static', methods: READ, read: true, matches: (s) => s[0] === 'static' && s.length === 2, handle: serveAsset },
  ];
}

/** The upload form and its target; mounted with the other upload routes (it needs their authenticator). */
export function webUploadRoutes(ctx: UploadContext): Route[] {
  const isUpload = (s: readonly string[]): boolean => s[0] === 'upload' && (s.length === 1 || (s.length === 2 && s[1] === ''));
  return [
    {
      name: 'web-upload-form',
      methods: READ,
      read: true,
      matches: isUpload,
      handle: (r) => (r.segments.length === 1 ? redirect(r.res, 'upload/') : sendHtml(r.res, 200, renderUploadForm())),
    },
    {
      // Never redirected, with or without the slash: a redirected POST loses its body.
      name: 'web-upload',
      methods: ['POST'],
      read: false,
      matches: isUpload,
      handle: (r) => handleUpload(r.req, r.res, ctx, { send: sendUploadResult, complete: completeFormFromFilename }),
    },
  ];
}
