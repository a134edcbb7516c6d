/**
 * `pyindex user add|list|remove` and `pyindex token create|revoke` through
 * the real CLI: the password from stdin (never an argument), the token
 * printed once on stdout and only its hash kept, usage errors as exit 2.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Authenticator, usersFilePath } from '../../src/serve/auth/index.js';
import { runCli } from '../helpers/cli.js';
import { basic, tempRoot } from '../helpers/upload-kit.js';

const work = tempRoot('pyindex-authcli-');
t.teardown(() => rmSync(work, { recursive: true, force: true }));
const root = join(work, 'root');

t.test('user add (stdin), token create, list, revoke, remove', async (t) => {
  const add = await runCli(['user', 'add', 'carol', '--root', root, '--role', 'admin', '--password-stdin'], { input: 's3cret-pw\n' });
  t.equal(add.code, 0, add.stderr);
  t.match(add.stdout, 'added user carol (admin)');
  t.notMatch(add.stdout + add.stderr, 's3cret-pw');
  // Not a terminal: stdin is read even without --password-stdin.
  t.equal((await runCli(['user', 'add', 'dave', '--root', root], { input: 'dave-pw' })).code, 0);
  const auth = new Authenticator(root);
  t.match(await auth.check(basic('carol', 's3cret-pw'), 'x'), { kind: 'ok', principal: { role: 'admin' } });
  t.match(await auth.check(basic('dave', 'dave-pw'), 'x'), { kind: 'ok', principal: { role: 'uploader' } });

  const token = await runCli(['token', 'create', 'carol', '--root', root, '--description', 'ci']);
  t.equal(token.code, 0, token.stderr);
  const printed = token.stdout.trim();
  t.match(printed, /^pyi_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/, 'stdout is exactly the token');
  t.match(token.stderr, /shown once/);
  t.notMatch(readFileSync(usersFilePath(root), 'utf8'), printed.slice(17));
  t.match(await auth.check(basic('__token__', printed), 'x'), { kind: 'ok', principal: { user: 'carol', via: 'token' } });

  const list = await runCli(['user', 'list', '--root', root, '--json']);
  t.equal(list.code, 0);
  const rows = JSON.parse(list.stdout) as { user: string; role: string; tokens: { id: string; description?: string }[] }[];
  t.match(rows, [{ user: 'carol', role: 'admin', tokens: [{ id: printed.slice(4, 16), description: 'ci' }] }, { user: 'dave', role: 'uploader', tokens: [] }]);
  t.notMatch(list.stdout, /scrypt/, 'list shows no hashes');

  t.equal((await runCli(['token', 'revoke', printed.slice(4, 16), '--root', root])).code, 0);
  t.match(await auth.check(basic('__token__', printed), 'y'), { kind: 'denied' });
  t.equal((await runCli(['user', 'remove', 'dave', '--root', root])).code, 0);
  t.match(await auth.check(basic('dave', 'dave-pw'), 'y'), { kind: 'denied' });
});

t.test('usage errors exit 2', async (t) => {
  const cases: [string[], string | undefined, RegExp][] = [
    [['user', 'add', 'x', '--password-stdin'], 'pw', /--root is required/],
    [['user', 'add', '__token__', '--root', root], 'pw', /not a valid user name/],
    [['user', 'add', 'x', '--root', root, '--role', 'god'], 'pw', /--role "god"/],
    [['user', 'add', 'x', '--root', root], '', /one non-empty line on stdin/],
    [['user', 'add', 'x', '--root', root], 'two\nlines\n', /one non-empty line/],
    [['token', 'create', 'nobody', '--root', root], undefined, /no user "nobody"/],
    [['token', 'revoke', 'abc', '--root', root], undefined, /no token "abc"/],
    [['user', 'remove', 'nobody', '--root', root], undefined, /no user "nobody"/],
  ];
  // Independent refusals: run the CLI processes side by side.
  const results = await Promise.all(cases.map(([args, input]) => runCli(args, input === undefined ? {} : { input })));
  cases.forEach(([args, , message], i) => {
    t.equal(results[i]?.code, 2, args.join(' '));
    t.match(results[i]?.stderr, message, args.join(' '));
  });
});
