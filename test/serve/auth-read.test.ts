/**
 * `--read-auth`: every read answers 401 with the Basic challenge until valid
 * credentials come, so pip (isolated) retries with the user:password of its
 * index URL and installs; without credentials pip fails. Any role may read.
 */
import { execa } from 'execa';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { isolatedEnv, oraclePython } from '../helpers/python.js';
import { addTestUsers, basic, httpRequest, postUpload, sha256, startUploadServer, tempRoot, uploadBody, wheel, type UploadServer } from '../helpers/upload-kit.js';

const work = tempRoot('pyindex-readauth-');
const root = join(work, 'root');
let server: UploadServer;
const w = wheel({ name: 'secret-pkg', version: '1.0' });
t.before(async () => {
  await addTestUsers(root);
  server = await startUploadServer(root, { readAuth: true });
  await server.tree.addFile({ filename: w.filename, bytes: w.data, sha256: sha256(w.data), uploader: 'alice' });
});
t.teardown(async () => {
  await server.close(0);
  rmSync(work, { recursive: true, force: true });
});

t.test('reads need credentials: 401 + WWW-Authenticate without or with wrong ones, 200 with any role', async (t) => {
  for (const path of ['simple/', 'simple/secret-pkg/', `files/secret-pkg/${w.filename}`, 'simple/Secret_Pkg/']) {
    const anon = await httpRequest(`${server.url}${path}`, undefined);
    t.equal(anon.status, 401, path);
    t.equal(anon.headers['www-authenticate'], 'Basic realm="pyindex"', path);
    t.equal((await httpRequest(`${server.url}${path}`, undefined, { headers: { Authorization: basic('alice', 'nope') } })).status, 401, `${path} wrong password`);
  }
  const page = await httpRequest(`${server.url}simple/secret-pkg/`, undefined, { headers: { Authorization: basic('reader', 'reader-pw') } });
  t.equal(page.status, 200);
  t.match(page.body, w.filename);
  // Uploads work as before (and still need an uploader).
  t.equal((await postUpload(server, uploadBody(wheel({ name: 'secret-pkg', version: '2.0' })), { headers: { Authorization: basic('alice', 'alice-pw') } })).status, 200);
  t.equal((await postUpload(server, uploadBody(wheel({ name: 'secret-pkg', version: '3.0' })), { headers: { Authorization: basic('reader', 'reader-pw') } })).status, 403);
});

const python = oraclePython();
t.test('pip retries with the credentials of the index URL after the 401', { skip: python === undefined ? 'no Python with pip' : false }, async (t) => {
  const pip = (indexUrl: string, dest: string) =>
    execa(python as string, ['-m', 'pip', 'download', '--isolated', '--no-input', '--no-deps', '--no-cache-dir', '-d', dest, '--index-url', indexUrl, 'secret-pkg==1.0'], { env: isolatedEnv(), extendEnv: false, reject: false, timeout: 120_000 });
  const hostPort = server.url.replace(/^http:\/\//, '').replace(/\/$/, '');
  const withCreds = await pip(`http://reader:reader-pw@${hostPort}/simple/`, join(work, 'ok'));
  t.equal(withCreds.exitCode, 0, String(withCreds.stderr));
  t.same(readdirSync(join(work, 'ok')), [w.filename]);
  const without = await pip(`http://${hostPort}/simple/`, join(work, 'anon'));
  t.not(without.exitCode, 0);
  t.match(String(without.stderr) + String(without.stdout), /401|No matching distribution|User for/);
});
