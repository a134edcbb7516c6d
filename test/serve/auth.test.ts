/**
 * Users, tokens and credential checks: scrypt hashes (never the secret) in
 * a 0600 users file, Basic and `__token__` credentials, a running server
 * seeing `pyindex user add` without restart, and the per-address lockout
 * after repeated wrong credentials (unit with an injected clock, and over
 * HTTP: 429 + Retry-After, other addresses unaffected).
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Authenticator, CredentialRateLimiter, createToken, hashSecret, parseBasicAuth, readUsersFile, removeUser, revokeToken, setUser, usersFilePath, verifySecret } from '../../src/serve/auth/index.js';
import { basic, httpRequest, postUpload, startUploadServer, tempRoot, uploadBody, wheel } from '../helpers/upload-kit.js';

const base = tempRoot('pyindex-auth-');
t.teardown(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const freshRoot = () => join(base, `r${n++}`);

t.test('scrypt hashes: verify the right secret only, carry their parameters, never contain the secret', async (t) => {
  const h = await hashSecret('correct horse');
  t.match(h, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  t.notMatch(h, 'horse');
  t.ok(await verifySecret('correct horse', h));
  t.notOk(await verifySecret('correct horsE', h));
  t.notOk(await verifySecret('', h));
  t.not(await hashSecret('correct horse'), h, 'salted: two hashes of one secret differ');
  for (const broken of ['', 'plain', 'scrypt$1$2$3$x', 'bcrypt$16384$8$1$AA$AA', 'scrypt$0$8$1$AAAA$AAAA', `${h.slice(0, -4)}`]) t.notOk(await verifySecret('correct horse', broken), broken);
  t.same(parseBasicAuth(basic('a', 'p:with:colons')), { username: 'a', password: 'p:with:colons' });
  t.same(parseBasicAuth(basic('ünï', 'çødé')), { username: 'ünï', password: 'çødé' });
  t.equal(parseBasicAuth('Bearer x'), undefined);
  t.equal(parseBasicAuth(`Basic ${Buffer.from('nocolon').toString('base64')}`), undefined);
  t.equal(parseBasicAuth(undefined), undefined);
});

t.test('users file: 0600, hashed secrets, names checked, tokens shown once and revocable', async (t) => {
  const root = freshRoot();
  t.equal(await setUser(root, 'alice', 'pw-1', 'uploader'), 'added');
  t.equal(await setUser(root, 'alice', 'pw-2', 'admin'), 'updated');
  t.equal(statSync(usersFilePath(root)).mode & 0o777, 0o600);
  const text = readFileSync(usersFilePath(root), 'utf8');
  t.notMatch(text, 'pw-2');
  const file = await readUsersFile(root);
  t.equal(file.users.alice?.role, 'admin');
  t.ok(await verifySecret('pw-2', file.users.alice?.password ?? ''));
  for (const bad of ['__token__', 'a:b', '', 'x'.repeat(65), '-lead', 'spa ce']) await t.rejects(setUser(root, bad, 'pw', 'uploader'), { code: 'E_USAGE' }, JSON.stringify(bad));
  await t.rejects(setUser(root, 'bob', '', 'uploader'), { code: 'E_USAGE' });
  await t.rejects(createToken(root, 'nobody'), { code: 'E_USAGE' });

  const { id, token } = await createToken(root, 'alice', 'ci');
  t.match(token, new RegExp(`^pyi_${id}_[A-Za-z0-9_-]{43}$`));
  t.notMatch(readFileSync(usersFilePath(root), 'utf8'), token.slice(17));
  t.equal((await readUsersFile(root)).tokens[id]?.description, 'ci');
  t.ok(await revokeToken(root, id));
  t.notOk(await revokeToken(root, id));
  await createToken(root, 'alice');
  t.ok(await removeUser(root, 'alice'));
  t.same(await readUsersFile(root), { version: 1, users: {}, tokens: {} }, 'removing a user removes its tokens');

  writeFileSync(usersFilePath(root), '{"version": 2}');
  await t.rejects(readUsersFile(root), { code: 'E_CONFIG_INVALID' });
});

t.test('Authenticator: password and token, anonymous, wrong; picks up users added while running', async (t) => {
  const root = freshRoot();
  const auth = new Authenticator(root);
  t.same(await auth.check(undefined, 'a'), { kind: 'anonymous' });
  t.match(await auth.check(basic('alice', 'pw'), 'a'), { kind: 'denied' });
  await setUser(root, 'alice', 'pw', 'uploader');
  t.same(await auth.check(basic('alice', 'pw'), 'a'), { kind: 'ok', principal: { user: 'alice', role: 'uploader', via: 'password' } });
  t.same(await auth.check(basic('alice', 'pw'), 'a'), { kind: 'ok', principal: { user: 'alice', role: 'uploader', via: 'password' } }, 'remembered check agrees');
  const { token, id } = await createToken(root, 'alice');
  t.same(await auth.check(basic('__token__', token), 'a'), { kind: 'ok', principal: { user: 'alice', role: 'uploader', via: 'token' } });
  const denied = await auth.check(basic('alice', 'wrong-secret'), 'a');
  t.match(denied, { kind: 'denied' });
  t.notMatch(JSON.stringify(denied), 'wrong-secret');
  // A revoked token stops working at once, even though its check was remembered.
  await revokeToken(root, id);
  t.match(await auth.check(basic('__token__', token), 'a'), { kind: 'denied' });
  // So does a changed password.
  await setUser(root, 'alice', 'pw-new', 'uploader');
  t.match(await auth.check(basic('alice', 'pw'), 'a'), { kind: 'denied' });
  t.match(await auth.check(basic('alice', 'pw-new'), 'a'), { kind: 'ok' });
  // Object prototype names are not users.
  t.match(await auth.check(basic('__proto__', 'x'), 'b'), { kind: 'denied' });
  t.match(await auth.check(basic('constructor', 'x'), 'b'), { kind: 'denied' });
});

t.test('rate limiter: the 5th failure in a minute locks the address out, lockouts double, success clears the window', (t) => {
  let now = 0;
  const rl = new CredentialRateLimiter({ now: () => now, maxAddresses: 3 });
  for (let i = 1; i <= 4; i++) t.equal(rl.fail('a'), 0, `failure ${i}: no lockout yet`);
  t.equal(rl.fail('a'), 60, '5th failure: locked for 60 s');
  t.equal(rl.retryAfter('a'), 60);
  t.equal(rl.retryAfter('b'), 0, 'other addresses unaffected');
  now = 30_000;
  t.equal(rl.retryAfter('a'), 30);
  now = 60_000;
  t.equal(rl.retryAfter('a'), 0, 'lockout over');
  for (let i = 0; i < 4; i++) rl.fail('a');
  t.equal(rl.fail('a'), 120, 'the second lockout is twice as long');
  // Failures spread over more than the window never lock.
  for (let i = 0; i < 10; i++) {
    now += 20_000;
    t.equal(rl.fail('c') > 0 && i < 3, false);
    if (i % 2 === 1) rl.succeed('c');
  }
  t.equal(rl.retryAfter('c'), 0, 'a success clears the failure window');
  rl.fail('d');
  rl.fail('e');
  rl.fail('f');
  t.equal(rl.retryAfter('a'), 0, 'the table is bounded: the oldest address was forgotten');
  t.end();
});

t.test('over HTTP: five wrong passwords, then 429 with Retry-After even for the right one; other clients unaffected', async (t) => {
  const root = freshRoot();
  await setUser(root, 'alice', 'alice-pw', 'uploader');
  const server = await startUploadServer(root);
  t.teardown(() => server.close(0));
  const body = uploadBody(wheel({ name: 'limited', version: '1.0' }));
  const wrong = { headers: { Authorization: basic('alice', 'guess') } };
  for (let i = 1; i <= 5; i++) {
    const res = await postUpload(server, body, wrong);
    t.equal(res.status, 401, `attempt ${i}`);
  }
  const locked = await postUpload(server, body, { headers: { Authorization: basic('alice', 'alice-pw') } });
  t.equal(locked.status, 429);
  t.match(locked.headers['retry-after'], /^\d+$/);
  t.ok(Number(locked.headers['retry-after']) > 0 && Number(locked.headers['retry-after']) <= 60);
  t.match(locked.body, 'too many wrong credentials');
  const other = await postUpload(server, body, { headers: { Authorization: basic('alice', 'alice-pw') }, localAddress: '127.0.0.2' });
  t.equal(other.status, 200, 'another address is not locked out');
  // Reads (open by default) are not affected by the lockout.
  t.equal((await httpRequest(`${server.url}simple/`, undefined)).status, 200);
});
