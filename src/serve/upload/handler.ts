/**
 * `POST /` and `POST /legacy/`: the legacy upload API twine uses
 * (https://docs.pypi.org/api/upload/). Order of checks, cheapest first:
 * credentials (from the headers alone, before any body byte is read), the
 * declared size, then the streamed body (size, idle timeout), the form and
 * digests, the archive and its metadata, project ownership, and finally the
 * tree, which stores atomically and never overwrites.
 *
 * Answers: 200 stored (or identical bytes already stored), 400 malformed or
 * inconsistent, 401/429 credentials, 403 not allowed, 408 client too slow,
 * 409 a different file under the name, 413 too large, 503 tree busy. The
 * reason is in the body and in the status line (twine prints the latter).
 * The route never redirects: a redirected POST would be replayed as a GET
 * by most clients and the upload lost.
 */
import { promises as fsp } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isPyindexError, type PyindexError } from '../../errors/index.js';
import { clientAddress, requirePrincipal } from '../auth/http.js';
import type { Authenticator, Principal } from '../auth/authenticator.js';
import { mayChangeProject } from '../auth/policy.js';
import type { Tree } from '../tree/index.js';
import { appendAudit } from './audit-log.js';
import { DEFAULT_MAX_BODY_BYTES, readUploadForm, type UploadForm, type UploadLimits } from './form.js';
import { sendText, type SendReason } from './respond.js';
import { validateUploadForm, verifyArchive } from './validate.js';

export interface UploadContext {
  tree: Tree;
  auth: Authenticator;
  limits?: UploadLimits;
}

/** HTTP status for an error raised while handling an upload or admin request. */
export function statusForError(err: PyindexError): number {
  const explicit = err.details.httpStatus;
  if (typeof explicit === 'number') return explicit;
  switch (err.code) {
    case 'E_UPLOAD_CONFLICT':
      return 409;
    case 'E_UPLOAD_TOO_LARGE':
      return 413;
    case 'E_AUTH_FAILED':
      return 401;
    case 'E_FORBIDDEN':
      return 403;
    case 'E_NOT_FOUND':
      return 404;
    case 'E_TREE_BUSY':
      return 503;
    case 'E_UPLOAD_INVALID':
    case 'E_HASH_MISMATCH':
    case 'E_BAD_ARCHIVE':
    case 'E_INVALID_METADATA':
    case 'E_INVALID_WHEEL_FILENAME':
    case 'E_INVALID_SDIST_FILENAME':
    case 'E_INVALID_NAME':
    case 'E_INVALID_VERSION':
      return 400;
    default:
      return 500;
  }
}

/**
 * After refusing a request whose body was not read to the end: ask the
 * client to close, and discard what it still sends, so it finishes writing
 * and reads the answer instead of hitting a connection reset ("lingering
 * close", as nginx does). Bounded in bytes, and cut when the client pauses
 * for `idleMs`.
 */
export function closeAfterResponse(req: IncomingMessage, res: ServerResponse, maxDrainBytes = 16 * 1024 * 1024, idleMs = 2000): void {
  if (req.complete) return;
  if (!res.headersSent) res.setHeader('Connection', 'close');
  let drained = 0;
  const stop = (): void => {
    clearTimeout(timer);
    req.socket.destroy();
  };
  let timer = setTimeout(stop, idleMs);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > maxDrainBytes) return stop();
    clearTimeout(timer);
    timer = setTimeout(stop, idleMs);
    timer.unref();
  });
  req.on('end', () => clearTimeout(timer));
  req.on('error', () => undefined);
  req.resume();
}

export function sendError(req: IncomingMessage, res: ServerResponse, err: unknown, send: SendReason = sendText): void {
  if (isPyindexError(err) && err.details.aborted === true) {
    // The client is gone; there is nobody to answer.
    req.socket.destroy();
    return;
  }
  const status = isPyindexError(err) ? statusForError(err) : 500;
  const message = status === 500 ? `internal error: ${err instanceof Error ? err.message : String(err)}` : (err as PyindexError).message;
  const headers: Record<string, string> = status === 503 ? { 'Retry-After': '5' } : {};
  if (!req.complete) closeAfterResponse(req, res);
  send(res, status, message, headers);
}

/**
 * How an upload is read and answered. The legacy API (twine) answers in
 * text; the web form (web/upload-page.ts) answers with pages and sends only
 * the file, so `complete` fills in the fields twine would have sent.
 */
export interface UploadFlavour {
  send: SendReason;
  complete?: (form: UploadForm) => void;
}

const LEGACY: UploadFlavour = { send: sendText };

export async function handleUpload(req: IncomingMessage, res: ServerResponse, ctx: UploadContext, flavour: UploadFlavour = LEGACY): Promise<void> {
  const { send } = flavour;
  // Refused before the body is read: twine sends the whole file before it
  // reads the answer, so drain up to the upload limit to let it see the 401/403.
  const drainLimit = ctx.limits?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const principal = await requirePrincipal(req, res, ctx.auth, send);
  if (principal === undefined) {
    closeAfterResponse(req, res, drainLimit);
    return;
  }
  if (principal.role === 'reader') {
    closeAfterResponse(req, res, drainLimit);
    send(res, 403, `user ${JSON.stringify(principal.user)} has the reader role and may not upload`);
    return;
  }
  let tempPath: string | undefined;
  // The answer is sent only after the temp file is gone, so a client that
  // sees it can rely on the tree holding nothing of a refused upload.
  let answer: () => void;
  try {
    const form = await readUploadForm(req, ctx.tree.layout.tmpDir, ctx.limits);
    tempPath = form.file?.path;
    flavour.complete?.(form);
    const upload = validateUploadForm(form);
    const facts = await verifyArchive(upload);
    const project = upload.dist.project;
    const existing = await ctx.tree.project(project);
    const permission = mayChangeProject(principal, project, existing);
    if (!permission.ok) {
      answer = () => send(res, 403, permission.reason, {}, { project });
    } else {
      const result = await ctx.tree.addFile({
        filename: upload.dist.filename,
        bytes: upload.file.path,
        sha256: upload.file.sha256,
        metadata: Buffer.from(facts.text, 'utf8'),
        uploader: principal.user,
      });
      await audit(ctx, req, principal, project, upload.version, upload.dist.filename, result);
      const filename = upload.dist.filename;
      answer = () => send(res, 200, result === 'added' ? `OK: stored ${filename}` : `OK: ${filename} was already stored with identical content`, {}, { project });
    }
  } catch (err) {
    answer = () => sendError(req, res, err, send);
  }
  if (tempPath !== undefined) await fsp.rm(tempPath, { force: true });
  answer();
}

async function audit(ctx: UploadContext, req: IncomingMessage, principal: Principal, project: string, version: string, filename: string, result: string): Promise<void> {
  await appendAudit(ctx.tree.root, { action: 'upload', user: principal.user, via: principal.via, address: clientAddress(req), project, version, filename, result });
}
