/**
 * `ROOT/.pyindex/users.json`: the users and API tokens of a `pyindex serve`
 * root. Secrets are stored only as scrypt hashes (secret.ts); the file is
 * created with mode 0600 all the same, since the hashes are still worth
 * guarding, and replaced atomically so a running server never reads half a file.
 *
 * ```json
 * { "version": 1,
 *   "users":  { "alice": { "password": "scrypt$…", "role": "uploader", "created": "2025-01-01T00:00:00.000Z" } },
 *   "tokens": { "0123456789ab": { "user": "alice", "secret": "scrypt$…", "created": "…", "description": "ci" } } }
 * ```
 *
 * Roles: `reader` may only read (matters with `--read-auth`), `uploader` may
 * upload and administer the projects it owns (the first uploader of a project
 * owns it), `admin` may upload to and administer every project.
 */
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { PyindexError } from '../../errors/index.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { hashSecret, newToken } from './secret.js';

export const ROLES = ['reader', 'uploader', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface UserEntry {
  password: string;
  role: Role;
  created: string;
}

export interface TokenEntry {
  user: string;
  secret: string;
  created: string;
  description?: string;
}

export interface UsersFile {
  version: 1;
  users: Record<string, UserEntry>;
  tokens: Record<string, TokenEntry>;
}

/** The username PyPI uses for API tokens; twine and pip send it as is. */
export const TOKEN_USERNAME = '__token__';

/** Names travel in HTTP Basic credentials, where the first ":" ends the username. */
const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;

export function usersFilePath(root: string): string {
  return join(root, '.pyindex', 'users.json');
}

export function emptyUsersFile(): UsersFile {
  return { version: 1, users: {}, tokens: {} };
}

function invalidFile(path: string, what: string): PyindexError {
  return new PyindexError('E_CONFIG_INVALID', `${path} is not a valid users file: ${what}`, {
    hint: 'Fix or remove the file and add the users again with `pyindex user add`.',
    details: { file: path },
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the shape field by field: the server trusts nothing it did not write itself. */
export function parseUsersFile(text: string, path: string): UsersFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw invalidFile(path, `not JSON (${(err as Error).message})`);
  }
  if (!isRecord(raw) || raw.version !== 1 || !isRecord(raw.users) || !isRecord(raw.tokens)) {
    throw invalidFile(path, 'expected {"version": 1, "users": {…}, "tokens": {…}}');
  }
  const out = emptyUsersFile();
  for (const [name, u] of Object.entries(raw.users)) {
    if (!isRecord(u) || typeof u.password !== 'string' || !ROLES.includes(u.role as Role)) throw invalidFile(path, `user ${JSON.stringify(name)} is malformed`);
    out.users[name] = { password: u.password, role: u.role as Role, created: typeof u.created === 'string' ? u.created : '' };
  }
  for (const [id, t] of Object.entries(raw.tokens)) {
    if (!isRecord(t) || typeof t.user !== 'string' || typeof t.secret !== 'string') throw invalidFile(path, `token ${JSON.stringify(id)} is malformed`);
    out.tokens[id] = { user: t.user, secret: t.secret, created: typeof t.created === 'string' ? t.created : '' };
    if (typeof t.description === 'string') (out.tokens[id] as TokenEntry).description = t.description;
  }
  return out;
}

/** The users file of `root`, or an empty one when the root has none yet. */
export async function readUsersFile(root: string): Promise<UsersFile> {
  const path = usersFilePath(root);
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyUsersFile();
    throw new PyindexError('E_WRITE_FAILED', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err, details: { file: path } });
  }
  return parseUsersFile(text, path);
}

async function writeUsersFile(root: string, file: UsersFile): Promise<void> {
  const path = usersFilePath(root);
  await fsp.mkdir(dirname(path), { recursive: true });
  // Create it 0600 first: writeFileAtomic keeps the mode of the file it replaces.
  await fsp.writeFile(path, '', { flag: 'wx', mode: 0o600 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  await writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
}

export function assertUserName(name: string): void {
  if (name === TOKEN_USERNAME || !USER_NAME.test(name)) {
    throw new PyindexError('E_USAGE', `${JSON.stringify(name)} is not a valid user name`, {
      hint: `User names are 1–64 characters of letters, digits and . _ @ + - (starting with a letter or digit); ${TOKEN_USERNAME} is reserved for tokens.`,
    });
  }
}

/** Adds a user, or replaces its password (and role) when it exists. Returns whether it was new. */
export async function setUser(root: string, name: string, password: string, role: Role, now = new Date()): Promise<'added' | 'updated'> {
  assertUserName(name);
  if (password === '') throw new PyindexError('E_USAGE', `the password for ${JSON.stringify(name)} is empty`, { hint: 'Give a non-empty password.' });
  const file = await readUsersFile(root);
  const existed = file.users[name] !== undefined;
  file.users[name] = { password: await hashSecret(password), role, created: file.users[name]?.created ?? now.toISOString() };
  await writeUsersFile(root, file);
  return existed ? 'updated' : 'added';
}

/** Removes a user and its tokens. Returns false when there was no such user. */
export async function removeUser(root: string, name: string): Promise<boolean> {
  const file = await readUsersFile(root);
  if (file.users[name] === undefined) return false;
  delete file.users[name];
  for (const [id, t] of Object.entries(file.tokens)) if (t.user === name) delete file.tokens[id];
  await writeUsersFile(root, file);
  return true;
}

/** Creates an API token for an existing user; the token itself is returned once and never stored. */
export async function createToken(root: string, user: string, description?: string, now = new Date()): Promise<{ id: string; token: string }> {
  const file = await readUsersFile(root);
  if (file.users[user] === undefined) {
    throw new PyindexError('E_USAGE', `no user ${JSON.stringify(user)} in ${usersFilePath(root)}`, { hint: `Add it first: pyindex user add ${user} --root ${root}` });
  }
  const { id, token } = newToken();
  const entry: TokenEntry = { user, secret: await hashSecret(token), created: now.toISOString() };
  if (description !== undefined) entry.description = description;
  file.tokens[id] = entry;
  await writeUsersFile(root, file);
  return { id, token };
}

/** Revokes a token by id. Returns false when there was none. */
export async function revokeToken(root: string, id: string): Promise<boolean> {
  const file = await readUsersFile(root);
  if (file.tokens[id] === undefined) return false;
  delete file.tokens[id];
  await writeUsersFile(root, file);
  return true;
}
