/**
 * The HTTP side of authentication: who is asking, and the 401/429 answers.
 *
 * A 401 always carries `WWW-Authenticate: Basic realm="pyindex"` — without
 * the challenge pip would not retry with the credentials of the index URL.
 * The client address is the socket's peer: X-Forwarded-For is not trusted,
 * since anyone can send it (a reverse proxy in front would need its own limit).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendText, type SendReason } from '../upload/respond.js';
import type { Authenticator, Principal } from './authenticator.js';
import { CHALLENGE } from './basic.js';

export function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/** Sends 401 with the Basic challenge. */
export function sendUnauthorized(res: ServerResponse, reason: string, send: SendReason = sendText): void {
  send(res, 401, reason, { 'WWW-Authenticate': CHALLENGE });
}

/**
 * The authenticated principal of `req`, or undefined after answering it
 * (401 without or with wrong credentials, 429 while its address is locked out).
 */
export async function requirePrincipal(req: IncomingMessage, res: ServerResponse, auth: Authenticator, send: SendReason = sendText): Promise<Principal | undefined> {
  const outcome = await auth.check(req.headers.authorization, clientAddress(req));
  switch (outcome.kind) {
    case 'ok':
      return outcome.principal;
    case 'anonymous':
      sendUnauthorized(res, 'authentication required (HTTP Basic: a user and password, or __token__ and an API token)', send);
      return undefined;
    case 'denied':
      sendUnauthorized(res, outcome.reason, send);
      return undefined;
    case 'throttled':
      send(res, 429, `too many wrong credentials from this address; retry in ${outcome.retryAfter} s`, { 'Retry-After': String(outcome.retryAfter) });
      return undefined;
  }
}

/**
 * Gate for the read routes: with `--read-auth` every read needs a valid user
 * (any role); without it reads are open and credentials are not even looked at.
 * Returns false after answering the request.
 */
export async function authorizeRead(req: IncomingMessage, res: ServerResponse, auth: Authenticator, readAuth: boolean): Promise<boolean> {
  if (!readAuth) return true;
  return (await requirePrincipal(req, res, auth)) !== undefined;
}
