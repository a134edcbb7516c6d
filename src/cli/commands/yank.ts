/**
 * `pyindex yank`, `pyindex unyank`, `pyindex remove`: administration of a
 * `pyindex serve` index, in one of two ways —
 *
 * - `--url URL`: through the server's admin routes (`POST URL/admin/<action>`)
 *   with HTTP Basic credentials, which the server checks against the
 *   project's owners (src/serve/auth/policy.ts) and logs. Credentials come
 *   from the URL (`http://user:pass@host/`), or `--user` with the password
 *   on stdin (`--password-stdin`) or in $PYINDEX_PASSWORD, or an API token
 *   in $PYINDEX_TOKEN (sent as user `__token__`).
 * - `--root DIR`: directly on the tree on disk, for whoever can write it
 *   (the operator); logged in the same `.pyindex/admin.log` with the OS user.
 *   Safe next to a running server: the tree's per-project lock serialises
 *   writers across processes.
 *
 * Yank (PEP 592) keeps files installable when pinned with `==`; remove
 * deletes them.
 */
import { userInfo } from 'node:os';
import { PyindexError } from '../../errors/index.js';
import { openTree } from '../../serve/tree/index.js';
import { appendAudit, applyAdminRequest, parseAdminRequest, type AdminAction, type AdminRequest, type AdminResult } from '../../serve/upload/index.js';
import { booleanOption, stringOption, type Command, type CommandContext } from '../command.js';
import { readPassword, rootOption } from './user.js';
import { basicAuthorization, userinfoAuthorization } from '../../index/credentials.js';
import { throughProxy } from '../../index/http-errors.js';
import { requestOnce, type WholeResponse } from '../../index/wire.js';

const TARGET_OPTIONS = {
  root: { type: 'string' },
  url: { type: 'string' },
  user: { type: 'string', short: 'u' },
  'password-stdin': { type: 'boolean' },
} as const;

async function credentials(ctx: CommandContext, url: URL): Promise<string | undefined> {
  if (url.username !== '') return userinfoAuthorization(url);
  const token = ctx.env.PYINDEX_TOKEN;
  const user = stringOption(ctx, 'user');
  if (user === undefined && token !== undefined && token !== '') return basicAuthorization('__token__', token);
  if (user === undefined) return undefined;
  const password = booleanOption(ctx, 'password-stdin') ? await readPassword(ctx, user) : ctx.env.PYINDEX_PASSWORD;
  if (password === undefined || password === '') {
    throw new PyindexError('E_USAGE', `no password for --user ${user}`, { hint: 'Pipe it with --password-stdin or set $PYINDEX_PASSWORD (or use $PYINDEX_TOKEN for an API token).' });
  }
  return basicAuthorization(user, password);
}

function errorFor(status: number, reason: string, url: string, retryAfter: string | null): PyindexError {
  const details = { url, status };
  switch (status) {
    case 401:
      return new PyindexError('E_AUTH_FAILED', `${url} refused the credentials: ${reason}`, { hint: 'Give --user with --password-stdin or $PYINDEX_PASSWORD, or $PYINDEX_TOKEN.', details });
    case 429:
      return new PyindexError('E_AUTH_FAILED', `${url}: ${reason}`, { hint: `Too many wrong credentials from this machine; retry after ${retryAfter ?? 'a minute'} s.`, details });
    case 403:
      return new PyindexError('E_FORBIDDEN', `${url}: ${reason}`, { hint: 'Ask an owner of the project or an admin.', details });
    case 404:
      return new PyindexError('E_NOT_FOUND', `${url}: ${reason}`, { hint: 'Check the project name and version (pyindex serve lists them at /simple/).', details });
    case 400:
      return new PyindexError('E_USAGE', `${url}: ${reason}`, { details });
    default:
      return new PyindexError('E_HTTP', `${url} answered ${status}: ${reason}`, { details });
  }
}

async function remote(ctx: CommandContext, base: string, request: AdminRequest): Promise<AdminResult> {
  let url: URL;
  try {
    url = new URL(`admin/${request.action}`, base.endsWith('/') ? base : `${base}/`);
  } catch {
    throw new PyindexError('E_USAGE', `--url ${JSON.stringify(base)} is not a URL`, { hint: 'e.g. --url http://index.internal:8080/' });
  }
  const authorization = await credentials(ctx, url);
  const shown = `${url.protocol}//${url.host}${url.pathname}`;
  url.username = '';
  url.password = '';
  const body = JSON.stringify({ project: request.project, version: request.version, filename: request.filename, reason: request.reason });
  // pyindex's own client (index/wire.ts): through the environment's proxy and with its trusted CAs, like every index
  // request; no redirects followed (a 3xx is an answer to report, as before).
  let res: WholeResponse;
  try {
    const headers = { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) };
    res = await requestOnce('POST', url, { userAgent: 'pyindex', timeoutMs: 30_000, headers, body: Buffer.from(body, 'utf8') });
  } catch (cause) {
    const err = cause as Error & { code?: string };
    throw new PyindexError('E_NETWORK', `cannot reach ${shown}${throughProxy(err)}: ${err.code ?? err.message}`, { cause, hint: 'Check --url and that pyindex serve runs there.' });
  }
  const text = res.body.toString('utf8');
  if (res.status !== 200) throw errorFor(res.status, text.trim(), shown, res.headers['retry-after'] ?? null);
  return JSON.parse(text) as AdminResult;
}

async function local(ctx: CommandContext, request: AdminRequest): Promise<AdminResult> {
  const root = rootOption(ctx);
  const result = await applyAdminRequest(openTree(root), request);
  await appendAudit(root, {
    action: request.action,
    user: userInfo().username,
    via: 'local',
    address: 'local',
    project: result.project,
    ...(result.version !== undefined ? { version: result.version } : {}),
    ...(result.filename !== undefined ? { filename: result.filename } : {}),
    ...(request.reason !== undefined ? { reason: request.reason } : {}),
    result: `${result.changed} file(s) changed`,
  });
  return result;
}

/** Validates like the server does, so a bad request fails before any network or disk access. */
function buildRequest(action: AdminAction, fields: Record<string, string | undefined>): AdminRequest {
  try {
    return parseAdminRequest(action, fields);
  } catch (err) {
    if (err instanceof PyindexError) throw new PyindexError('E_USAGE', err.message, { hint: err.hint });
    throw err;
  }
}

async function runAdmin(ctx: CommandContext, action: AdminAction, fields: Record<string, string | undefined>): Promise<void> {
  const request = buildRequest(action, fields);
  const url = stringOption(ctx, 'url');
  const root = stringOption(ctx, 'root');
  if ((url === undefined) === (root === undefined)) {
    throw new PyindexError('E_USAGE', `${action} needs exactly one of --url (a running pyindex serve) or --root (its directory)`, { hint: `e.g. pyindex ${action} NAME VERSION --url http://index:8080/ --user alice --password-stdin` });
  }
  const result = url !== undefined ? await remote(ctx, url, request) : await local(ctx, request);
  const what = result.filename ?? `${result.project} ${result.version ?? ''}`.trim();
  const done = { yank: 'yanked', unyank: 'un-yanked', remove: 'removed' }[action];
  ctx.out.print(result.changed === 0 ? `${what}: nothing to change (already ${done})` : `${done} ${what}: ${result.changed} file(s)`);
  ctx.out.json(result);
}

const TARGET_USAGE = '(--url URL [--user U --password-stdin] | --root DIR) [--json]';

const yankCommand: Command = {
  path: ['yank'],
  summary: 'yank every file of a version on a pyindex serve index (PEP 592: skipped by resolvers unless pinned with ==)',
  usage: `yank NAME VERSION [--reason TEXT] ${TARGET_USAGE}`,
  options: { ...TARGET_OPTIONS, reason: { type: 'string' } },
  positionals: [2, 2],
  run: (ctx) => runAdmin(ctx, 'yank', { project: ctx.positionals[0], version: ctx.positionals[1], reason: stringOption(ctx, 'reason') }),
};

const unyankCommand: Command = {
  path: ['unyank'],
  summary: 'undo a yank on a pyindex serve index',
  usage: `unyank NAME VERSION ${TARGET_USAGE}`,
  options: { ...TARGET_OPTIONS },
  positionals: [2, 2],
  run: (ctx) => runAdmin(ctx, 'unyank', { project: ctx.positionals[0], version: ctx.positionals[1] }),
};

const removeCommand: Command = {
  path: ['remove'],
  summary: 'delete a version (or one file with --file) from a pyindex serve index',
  usage: `remove NAME (VERSION | --file FILENAME) ${TARGET_USAGE}`,
  options: { ...TARGET_OPTIONS, file: { type: 'string' } },
  positionals: [1, 2],
  run: (ctx) => runAdmin(ctx, 'remove', { project: ctx.positionals[0], version: ctx.positionals[1], filename: stringOption(ctx, 'file') }),
};

export const adminCommands: Command[] = [yankCommand, unyankCommand, removeCommand];
