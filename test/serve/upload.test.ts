/**
 * Uploads through the legacy upload API over real HTTP on 127.0.0.1: stored,
 * listed and served; identical re-upload 200; a different file under a
 * taken name 409; credentials (401 + challenge), tokens, roles and project
 * ownership (403); both upload paths, never a redirect.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { createToken } from '../../src/serve/auth/index.js';
import { readAuditLog } from '../../src/serve/upload/index.js';
import { addTestUsers, basic, httpRequest, postUpload, sdist, sha256, startUploadServer, tempRoot, uploadBody, wheel, type UploadServer } from '../helpers/upload-kit.js';

const root = tempRoot();
let server: UploadServer;
t.before(async () => {
  await addTestUsers(root);
  server = await startUploadServer(root);
});
t.teardown(async () => {
  await server.close(0);
  rmSync(root, { recursive: true, force: true });
});

const alice = { headers: { Authorization: basic('alice', 'alice-pw') } };
const bob = { headers: { Authorization: basic('bob', 'bob-pw') } };
const admin = { headers: { Authorization: basic('root', 'root-pw') } };

t.test('a wheel upload is stored, listed with its hash and served byte for byte with its .metadata', async (t) => {
  const w = wheel({ name: 'Foo.Bar', version: '1.0', requiresPython: '>=3.8' });
  const res = await postUpload(server, uploadBody(w), alice);
  t.equal(res.status, 200, res.body);
  t.match(res.body, `stored ${w.filename}`);
  const page = await httpRequest(`${server.url}simple/foo-bar/`, undefined, { headers: { Accept: 'application/vnd.pypi.simple.v1+json' } });
  t.equal(page.status, 200);
  const json = JSON.parse(page.body) as { name: string; files: { filename: string; hashes: { sha256: string }; 'requires-python': string; yanked: boolean }[] };
  t.match(json.files, [{ filename: w.filename, hashes: { sha256: sha256(w.data) }, 'requires-python': '>=3.8', yanked: false }]);
  const html = await httpRequest(`${server.url}simple/foo-bar/`, undefined, { headers: { Accept: 'text/html' } });
  t.match(html.body, `${w.filename}#sha256=${sha256(w.data)}`);
  t.same(readFileSync(join(root, 'files', 'foo-bar', w.filename)), w.data);
  t.ok(existsSync(join(root, 'files', 'foo-bar', `${w.filename}.metadata`)), 'PEP 658 metadata extracted');
  const state = await server.tree.project('foo-bar');
  t.equal(state?.files[0]?.uploader, 'alice');
  t.same(readdirSync(join(root, '.pyindex', 'tmp')), [], 'no temp file left');
});

t.test('re-uploading identical bytes is 200; different bytes under the same filename is 409 with the reason, nothing overwritten', async (t) => {
  const w = wheel({ name: 'same', version: '1.0' });
  t.equal((await postUpload(server, uploadBody(w), alice)).status, 200);
  const again = await postUpload(server, uploadBody(w), alice);
  t.equal(again.status, 200);
  t.match(again.body, 'identical');
  const other = wheel({ name: 'same', version: '1.0', requires: ['six'] });
  t.equal(other.filename, w.filename);
  t.not(sha256(other.data), sha256(w.data));
  const conflict = await postUpload(server, uploadBody(other), alice);
  t.equal(conflict.status, 409);
  t.match(conflict.body, /already exists.*never overwritten/);
  t.match(conflict.statusMessage, /^Conflict: /, 'the reason is in the status line too (twine prints it)');
  t.same(readFileSync(join(root, 'files', 'same', w.filename)), w.data);
});

t.test('an sdist upload is stored; its PKG-INFO is served as .metadata only from Metadata-Version 2.2', async (t) => {
  const old = await sdist('oldstyle', '1.0', { metadataVersion: '2.1' });
  const modern = await sdist('modern', '2.0', { metadataVersion: '2.2' });
  t.equal((await postUpload(server, uploadBody(old), alice)).status, 200);
  t.equal((await postUpload(server, uploadBody(modern), alice)).status, 200);
  t.ok(existsSync(join(root, 'files', 'oldstyle', old.filename)));
  t.notOk(existsSync(join(root, 'files', 'oldstyle', `${old.filename}.metadata`)));
  t.ok(existsSync(join(root, 'files', 'modern', `${modern.filename}.metadata`)));
});

t.test('without or with wrong credentials: 401 with the Basic challenge, nothing stored', async (t) => {
  const w = wheel({ name: 'anon', version: '1.0' });
  for (const options of [{}, { headers: { Authorization: basic('alice', 'wrong') } }, { headers: { Authorization: basic('nobody', 'x') } }, { headers: { Authorization: 'Bearer abc' } }]) {
    const res = await postUpload(server, uploadBody(w), options);
    t.equal(res.status, 401);
    t.equal(res.headers['www-authenticate'], 'Basic realm="pyindex"');
    t.notMatch(res.body, 'wrong', 'the secret is not echoed');
  }
  t.notOk(existsSync(join(root, 'files', 'anon')));
});

t.test('__token__ with an API token uploads as the token user; a revoked-looking or malformed token is 401', async (t) => {
  const { token } = await createToken(root, 'alice', 'ci');
  const w = wheel({ name: 'tokened', version: '1.0' });
  const res = await postUpload(server, uploadBody(w), { headers: { Authorization: basic('__token__', token) } });
  t.equal(res.status, 200, res.body);
  t.equal((await server.tree.project('tokened'))?.files[0]?.uploader, 'alice');
  const wrong = token.slice(0, -4) + 'AAAA';
  t.equal((await postUpload(server, uploadBody(wheel({ name: 'tokened', version: '2.0' })), { headers: { Authorization: basic('__token__', wrong) } })).status, 401);
  t.equal((await postUpload(server, uploadBody(wheel({ name: 'tokened', version: '2.0' })), { headers: { Authorization: basic('__token__', 'pyi_nonsense') } })).status, 401);
  const log = await readAuditLog(root);
  t.match(log.find((e) => e.project === 'tokened'), { action: 'upload', user: 'alice', via: 'token', result: 'added' });
  t.notMatch(readFileSync(join(root, '.pyindex', 'admin.log'), 'utf8'), token.slice(17), 'the token is never logged');
  t.notMatch(readFileSync(join(root, '.pyindex', 'users.json'), 'utf8'), token.slice(17), 'the token is stored hashed only');
});

t.test('roles and ownership: reader 403, another uploader 403 on an owned project, the owner and an admin may add', async (t) => {
  const w1 = wheel({ name: 'owned', version: '1.0' });
  t.equal((await postUpload(server, uploadBody(w1), { headers: { Authorization: basic('reader', 'reader-pw') } })).status, 403);
  t.equal((await postUpload(server, uploadBody(w1), alice)).status, 200);
  const w2 = wheel({ name: 'owned', version: '2.0' });
  const denied = await postUpload(server, uploadBody(w2), bob);
  t.equal(denied.status, 403);
  t.match(denied.body, 'belongs to alice');
  t.notOk(existsSync(join(root, 'files', 'owned', w2.filename)));
  t.equal((await postUpload(server, uploadBody(w2), admin)).status, 200);
  t.equal((await postUpload(server, uploadBody(wheel({ name: 'owned', version: '3.0' })), alice)).status, 200);
});

t.test('/legacy/ and /legacy accept uploads too; the upload URL never redirects', async (t) => {
  const a = wheel({ name: 'legacy-path', version: '1.0' });
  const b = wheel({ name: 'legacy-path', version: '2.0' });
  const r1 = await httpRequest(`${server.url}legacy/`, uploadBody(a), alice);
  const r2 = await httpRequest(`${server.url}legacy`, uploadBody(b), alice);
  t.equal(r1.status, 200, r1.body);
  t.equal(r2.status, 200, r2.body);
  // An unauthenticated POST is refused in place (401), not redirected.
  const r3 = await httpRequest(server.url, uploadBody(a));
  t.equal(r3.status, 401);
  t.equal(r3.headers.location, undefined);
});
