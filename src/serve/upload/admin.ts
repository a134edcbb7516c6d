/**
 * Administration over HTTP: `POST /admin/yank`, `/admin/unyank`,
 * `/admin/remove` with a small JSON body, HTTP Basic credentials and the
 * same ownership rule as uploads (auth/policy.ts). Every change is appended
 * to `.pyindex/admin.log`.
 *
 * Body: `{"project": "Foo", "version": "1.0", "reason": "broken"}` for yank;
 * `{"project", "version"}` for unyank; `{"project", "version"}` or
 * `{"project", "filename"}` for remove. Answers JSON
 * `{"ok": true, "action", "project", "version"?, "filename"?, "changed": n}`;
 * errors are text with the reason (400 bad body, 401/429 credentials,
 * 403 not an owner, 404 no such project/version/file).
 *
 * Yanking (PEP 592) keeps the files downloadable for pinned installs;
 * removing deletes them from the tree for good (the filename stays free to
 * reuse, unlike on PyPI — an internal index sometimes must re-publish).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PyindexError } from '../../errors/index.js';
import { isValidName, canonicalizeName } from '../../pep/names.js';
import { Version } from '../../pep/version.js';
import type { Authenticator, Principal } from '../auth/authenticator.js';
import { clientAddress, requirePrincipal } from '../auth/http.js';
import { mayChangeProject } from '../auth/policy.js';
import type { Tree } from '../tree/index.js';
import { appendAudit } from './audit-log.js';
import { closeAfterResponse, sendError } from './handler.js';
import { sendJson, sendText } from './respond.js';
import { unsafeFilenameReason } from './validate.js';

export type AdminAction = 'yank' | 'unyank' | 'remove';
export const ADMIN_ACTIONS: readonly AdminAction[] = ['yank', 'unyank', 'remove'];

export interface AdminRequest {
  action: AdminAction;
  project: string;
  version?: string;
  filename?: string;
  reason?: string;
}

export interface AdminResult {
  ok: true;
  action: AdminAction;
  project: string;
  version?: string;
  filename?: string;
  changed: number;
}

const MAX_BODY = 64 * 1024;

const badRequest = (message: string): PyindexError => new PyindexError('E_UPLOAD_INVALID', message, { details: { httpStatus: 400 } });
const notFound = (message: string): PyindexError => new PyindexError('E_NOT_FOUND', message, { details: { httpStatus: 404 } });

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw badRequest(`expected Content-Type application/json, got ${JSON.stringify(req.headers['content-type'] ?? '')}`);
  // Read to the end even when too large (discarding the excess), so the 400 reaches the client.
  const chunks: Buffer[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', resolve);
    req.on('error', reject);
  });
  if (size > MAX_BODY) throw badRequest(`the request body is larger than ${MAX_BODY} bytes`);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw badRequest('the request body is not JSON');
  }
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`"${key}" must be a string`);
  return v;
}

/** Checks an admin request body; shared by the HTTP route and the local CLI path. */
export function parseAdminRequest(action: AdminAction, body: unknown): AdminRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the request body must be a JSON object');
  const b = body as Record<string, unknown>;
  const project = optionalString(b, 'project');
  if (project === undefined || !isValidName(project)) throw badRequest(`"project" ${JSON.stringify(project ?? '')} is not a valid project name`);
  const version = optionalString(b, 'version');
  const filename = optionalString(b, 'filename');
  const reason = optionalString(b, 'reason');
  if (version !== undefined && Version.tryParse(version) === undefined) throw badRequest(`"version" ${JSON.stringify(version)} is not a valid PEP 440 version`);
  if (filename !== undefined) {
    const unsafe = unsafeFilenameReason(filename);
    if (unsafe !== undefined) throw badRequest(`"filename" ${JSON.stringify(filename)} is refused: ${unsafe}`);
  }
  if (action === 'remove' ? (version === undefined) === (filename === undefined) : version === undefined) {
    throw badRequest(action === 'remove' ? 'remove needs exactly one of "version" or "filename"' : `${action} needs "version"`);
  }
  if (reason !== undefined && action !== 'yank') throw badRequest(`"reason" only applies to yank`);
  return { action, project, version, filename, reason };
}

/** Applies an admin request to the tree (the caller has checked permission); returns what changed. */
export async function applyAdminRequest(tree: Tree, request: AdminRequest): Promise<AdminResult> {
  const { action, project, version, filename } = request;
  const state = await tree.project(project);
  if (state === undefined || state.files.length === 0) throw notFound(`project ${JSON.stringify(project)} is not on this index`);
  const base = { ok: true as const, action, project: canonicalizeName(project) };
  if (filename !== undefined) {
    if (!state.files.some((f) => f.filename === filename)) throw notFound(`project ${base.project} has no file ${JSON.stringify(filename)}`);
    return { ...base, filename, changed: (await tree.removeFile(project, filename)) ? 1 : 0 };
  }
  const v = Version.parse(version as string);
  if (!state.files.some((f) => Version.tryParse(f.version)?.compare(v) === 0)) throw notFound(`project ${base.project} has no files of version ${v.toString()}`);
  const changed =
    action === 'remove' ? await tree.removeVersion(project, v.toString()) : await tree.setYanked(project, v.toString(), action === 'yank' ? (request.reason ?? true) : false);
  return { ...base, version: v.toString(), changed };
}

export interface AdminContext {
  tree: Tree;
  auth: Authenticator;
}

export async function handleAdmin(req: IncomingMessage, res: ServerResponse, ctx: AdminContext, action: AdminAction): Promise<void> {
  const principal: Principal | undefined = await requirePrincipal(req, res, ctx.auth);
  if (principal === undefined) {
    if (!req.complete) closeAfterResponse(req, res);
    return;
  }
  try {
    const request = parseAdminRequest(action, await readJsonBody(req));
    const permission = mayChangeProject(principal, canonicalizeName(request.project), await ctx.tree.project(request.project));
    if (!permission.ok) return sendText(res, 403, permission.reason);
    const result = await applyAdminRequest(ctx.tree, request);
    await appendAudit(ctx.tree.root, {
      action,
      user: principal.user,
      via: principal.via,
      address: clientAddress(req),
      project: result.project,
      ...(result.version !== undefined ? { version: result.version } : {}),
      ...(result.filename !== undefined ? { filename: result.filename } : {}),
      ...(request.reason !== undefined ? { reason: request.reason } : {}),
      result: `${result.changed} file(s) changed`,
    });
    sendJson(res, 200, result);
  } catch (err) {
    sendError(req, res, err);
  }
}
