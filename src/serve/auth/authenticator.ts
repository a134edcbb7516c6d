/**
 * Checks HTTP Basic credentials against the root's users file.
 *
 * - `user:password` checks the user's scrypt hash; `__token__:<token>` (the
 *   convention of PyPI, which twine and pip follow) checks the token's hash
 *   and acts as the token's user.
 * - The users file is re-read when it changes on disk, so `pyindex user add`
 *   takes effect on a running server without a restart.
 * - A successful check is remembered (keyed by a SHA-256 of stored hash and
 *   secret, never the secret itself) until the file changes: scrypt costs
 *   tens of milliseconds by design, and pip sends the same credentials with
 *   every request.
 * - Wrong credentials count against the client address (rate-limit.ts).
 * Secrets are never logged, echoed or put in error messages.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { parseBasicAuth } from './basic.js';
import { CredentialRateLimiter, type RateLimitOptions } from './rate-limit.js';
import { tokenId, verifySecret } from './secret.js';
import { emptyUsersFile, parseUsersFile, TOKEN_USERNAME, usersFilePath, type Role, type UsersFile } from './users-file.js';

export interface Principal {
  user: string;
  role: Role;
  via: 'password' | 'token';
}

export type AuthOutcome =
  | { kind: 'ok'; principal: Principal }
  /** No (Basic) credentials were sent. */
  | { kind: 'anonymous' }
  /** Credentials were sent and are wrong. The reason never contains the secret. */
  | { kind: 'denied'; reason: string }
  /** Too many wrong credentials from this address; try again in `retryAfter` seconds. */
  | { kind: 'throttled'; retryAfter: number };

export interface AuthenticatorOptions {
  rateLimit?: RateLimitOptions;
}

const MAX_REMEMBERED = 1000;

export class Authenticator {
  readonly limiter: CredentialRateLimiter;
  private readonly path: string;
  private file: UsersFile = emptyUsersFile();
  private fileStamp = '';
  private readonly remembered = new Set<string>();

  constructor(readonly root: string, options: AuthenticatorOptions = {}) {
    this.path = usersFilePath(root);
    this.limiter = new CredentialRateLimiter(options.rateLimit);
  }

  /** Whether the root has any user at all (an index without users accepts no uploads). */
  async hasUsers(): Promise<boolean> {
    await this.refresh();
    return Object.keys(this.file.users).length > 0;
  }

  async check(authorization: string | undefined, address: string): Promise<AuthOutcome> {
    const credentials = parseBasicAuth(authorization);
    if (credentials === undefined) return { kind: 'anonymous' };
    const wait = this.limiter.retryAfter(address);
    if (wait > 0) return { kind: 'throttled', retryAfter: wait };
    await this.refresh();
    const principal = await this.verify(credentials.username, credentials.password);
    if (principal !== undefined) {
      this.limiter.succeed(address);
      return { kind: 'ok', principal };
    }
    // This attempt was checked, so it is answered 401; a lockout it causes applies from the next one.
    this.limiter.fail(address);
    return { kind: 'denied', reason: `invalid credentials for ${JSON.stringify(credentials.username.slice(0, 64))}` };
  }

  private async verify(username: string, secret: string): Promise<Principal | undefined> {
    if (username === TOKEN_USERNAME) {
      const id = tokenId(secret);
      const token = id === undefined ? undefined : this.file.tokens[id];
      const user = token === undefined ? undefined : this.file.users[token.user];
      if (token === undefined || user === undefined) return undefined;
      return (await this.matches(secret, token.secret)) ? { user: token.user, role: user.role, via: 'token' } : undefined;
    }
    const user = Object.hasOwn(this.file.users, username) ? this.file.users[username] : undefined;
    if (user === undefined) return undefined;
    return (await this.matches(secret, user.password)) ? { user: username, role: user.role, via: 'password' } : undefined;
  }

  private async matches(secret: string, stored: string): Promise<boolean> {
    const key = createHash('sha256').update(stored).update('\0').update(secret).digest('base64');
    if (this.remembered.has(key)) return true;
    if (!(await verifySecret(secret, stored))) return false;
    if (this.remembered.size >= MAX_REMEMBERED) this.remembered.clear();
    this.remembered.add(key);
    return true;
  }

  /** Re-reads the users file when its identity, size or mtime changed. */
  private async refresh(): Promise<void> {
    let stamp: string;
    try {
      const st = await fsp.stat(this.path);
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      stamp = 'absent';
    }
    if (stamp === this.fileStamp) return;
    const text = stamp === 'absent' ? undefined : await fsp.readFile(this.path, 'utf8').catch(() => undefined);
    this.file = text === undefined ? emptyUsersFile() : parseUsersFile(text, this.path);
    this.fileStamp = stamp;
    this.remembered.clear();
  }
}
