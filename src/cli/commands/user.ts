/**
 * `pyindex user add|remove|list` and `pyindex token create|revoke`: the
 * users file of a `pyindex serve` root (src/serve/auth/users-file.ts). They
 * edit `ROOT/.pyindex/users.json` directly — whoever can write the root
 * administers the index — and a running server picks the change up at its
 * next credential check.
 *
 * Passwords are never taken as arguments (they would land in shell history
 * and `ps`): from stdin with --password-stdin or when stdin is not a
 * terminal (one line; a trailing newline is dropped), else prompted twice
 * without echo. A token is printed once, on stdout, and never stored.
 */
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { PyindexError } from '../../errors/index.js';
import { createToken, readUsersFile, removeUser, revokeToken, ROLES, setUser, usersFilePath, type Role } from '../../serve/auth/index.js';
import { booleanOption, stringOption, type Command, type CommandContext } from '../command.js';

const ROOT_OPTION = { root: { type: 'string' } } as const;

export function rootOption(ctx: CommandContext): string {
  const root = stringOption(ctx, 'root');
  if (root === undefined) throw new PyindexError('E_USAGE', '--root is required', { hint: 'Name the directory `pyindex serve --root DIR` serves.' });
  return resolve(ctx.cwd, root);
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a line on a terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolvePrompt, reject) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    // Echo nothing of what is typed: readline writes through _writeToOutput.
    const muted = rl as unknown as { _writeToOutput: (s: string) => void };
    process.stderr.write(question);
    muted._writeToOutput = () => undefined;
    rl.question('', (answer) => {
      process.stderr.write('\n');
      rl.close();
      resolvePrompt(answer);
    });
    rl.on('SIGINT', () => {
      rl.close();
      reject(new PyindexError('E_USAGE', 'cancelled'));
    });
  });
}

/** The password: stdin (--password-stdin, or stdin not a terminal), else a hidden prompt typed twice. */
export async function readPassword(ctx: CommandContext, forWhat: string): Promise<string> {
  if (booleanOption(ctx, 'password-stdin') || !process.stdin.isTTY) {
    const text = await readAllStdin();
    const password = text.replace(/\r?\n$/, '');
    if (password === '' || /[\r\n]/.test(password)) {
      throw new PyindexError('E_USAGE', `expected the password for ${forWhat} as one non-empty line on stdin`, { hint: 'e.g. printf %s "$PASSWORD" | pyindex user add NAME --root DIR --password-stdin' });
    }
    return password;
  }
  const first = await promptHidden(`Password for ${forWhat}: `);
  const second = await promptHidden('Again: ');
  if (first !== second) throw new PyindexError('E_USAGE', 'the two passwords differ', { hint: 'Run the command again.' });
  return first;
}

function roleOption(ctx: CommandContext): Role {
  const role = stringOption(ctx, 'role') ?? 'uploader';
  if (!(ROLES as readonly string[]).includes(role)) throw new PyindexError('E_USAGE', `--role ${JSON.stringify(role)} is not one of ${ROLES.join(', ')}`, { hint: 'reader: read with --read-auth; uploader: upload and administer own projects; admin: everything.' });
  return role as Role;
}

const userAdd: Command = {
  path: ['user', 'add'],
  summary: 'add a user to a pyindex serve root (or change its password and role)',
  usage: 'user add NAME --root DIR [--role reader|uploader|admin] [--password-stdin]',
  options: { ...ROOT_OPTION, role: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
  positionals: [1, 1],
  async run(ctx) {
    const root = rootOption(ctx);
    const name = ctx.positionals[0] as string;
    const role = roleOption(ctx);
    const password = await readPassword(ctx, name);
    const result = await setUser(root, name, password, role);
    ctx.out.print(`${result === 'added' ? 'added' : 'updated'} user ${name} (${role}) in ${usersFilePath(root)}`);
    ctx.out.json({ user: name, role, result, file: usersFilePath(root) });
  },
};

const userRemove: Command = {
  path: ['user', 'remove'],
  summary: 'remove a user and its tokens from a pyindex serve root',
  usage: 'user remove NAME --root DIR',
  options: { ...ROOT_OPTION },
  positionals: [1, 1],
  async run(ctx) {
    const root = rootOption(ctx);
    const name = ctx.positionals[0] as string;
    if (!(await removeUser(root, name))) throw new PyindexError('E_USAGE', `no user ${JSON.stringify(name)} in ${usersFilePath(root)}`, { hint: 'pyindex user list --root DIR shows the users.' });
    ctx.out.print(`removed user ${name} and its tokens`);
    ctx.out.json({ user: name, removed: true });
  },
};

const userList: Command = {
  path: ['user', 'list'],
  summary: 'list the users (and their token ids) of a pyindex serve root',
  usage: 'user list --root DIR [--json]',
  options: { ...ROOT_OPTION },
  async run(ctx) {
    const file = await readUsersFile(rootOption(ctx));
    const rows = Object.entries(file.users)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([user, u]) => ({ user, role: u.role, created: u.created, tokens: Object.entries(file.tokens).filter(([, tk]) => tk.user === user).map(([id, tk]) => ({ id, created: tk.created, description: tk.description })) }));
    ctx.out.json(rows);
    for (const r of rows) ctx.out.print(`${r.user}  ${r.role}  ${r.tokens.length} token(s)${r.tokens.length ? `: ${r.tokens.map((tk) => tk.id).join(', ')}` : ''}`);
  },
};

const tokenCreate: Command = {
  path: ['token', 'create'],
  summary: "create an API token for a user (use it as the password of user __token__); it is shown only once",
  usage: 'token create USER --root DIR [--description TEXT]',
  options: { ...ROOT_OPTION, description: { type: 'string' } },
  positionals: [1, 1],
  async run(ctx) {
    const root = rootOption(ctx);
    const user = ctx.positionals[0] as string;
    const { id, token } = await createToken(root, user, stringOption(ctx, 'description'));
    ctx.out.json({ user, id, token });
    ctx.out.print(token);
    ctx.out.warn(`token ${id} for ${user}: shown once, only its hash is kept. Use it as: twine upload -u __token__ -p <token> …`);
  },
};

const tokenRevoke: Command = {
  path: ['token', 'revoke'],
  summary: 'revoke an API token by its id',
  usage: 'token revoke ID --root DIR',
  options: { ...ROOT_OPTION },
  positionals: [1, 1],
  async run(ctx) {
    const root = rootOption(ctx);
    const id = ctx.positionals[0] as string;
    if (!(await revokeToken(root, id))) throw new PyindexError('E_USAGE', `no token ${JSON.stringify(id)} in ${usersFilePath(root)}`, { hint: 'pyindex user list --root DIR shows token ids.' });
    ctx.out.print(`revoked token ${id}`);
    ctx.out.json({ id, revoked: true });
  },
};

export const userCommands: Command[] = [userAdd, userRemove, userList, tokenCreate, tokenRevoke];
