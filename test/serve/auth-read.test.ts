/**
 * `--read-auth`: every read answers 401 with the Basic challenge until valid
 * credentials come, so pip (isolated) retries with the user:password of its
 * index URL and installs; without credentials pip fails. Any role may read.
 */
import { execa } from 'execa';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { runCli } from '../helpers/cli.js';
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

t.test('pyindex lock and fetch read with credentials from the index URL or from netrc; none reach the lockfile or the output', async (t) => {
  const hostPort = server.url.replace(/^http:\/\//, '').replace(/\/$/, '');
  const host = hostPort.replace(/:\d+$/, '');
  const project = (name: string, index: string): string => {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'pyindex.yaml'), `index: ${index}\nprofiles:\n  p: { platform: linux-x86_64, python: "3.11" }\njobs:\n  j: { requires: ["secret-pkg==1.0"], profiles: [p] }\n`);
    return dir;
  };
  const noNetrc = join(work, 'no-such-netrc');
  const run = (dir: string, args: string[], netrc = noNetrc) => runCli([...args, '--json', '--config', join(dir, 'pyindex.yaml'), '--cache-dir', join(dir, 'cache')], { env: { NETRC: netrc } });

  // 1. In the index URL.
  const inUrl = project('in-url', `http://reader:reader-pw@${hostPort}/simple/`);
  const locked = await run(inUrl, ['lock']);
  t.equal(locked.code, 0, locked.stderr);
  const lockText = readFileSync(join(inUrl, 'pyindex.lock.yaml'), 'utf8');
  t.match(lockText, `url: http://${hostPort}/files/secret-pkg/${w.filename}`, 'the URL hint has no userinfo');
  t.notMatch(lockText, /reader/, 'no user name or password in the lockfile');
  const fetched = await run(inUrl, ['fetch', '--wheelhouse', join(inUrl, 'wh')]);
  t.equal(fetched.code, 0, fetched.stderr);
  t.same(readdirSync(join(inUrl, 'wh')).filter((f) => f.endsWith('.whl')), [w.filename], 'the download sent them too');
  for (const r of [locked, fetched]) t.notMatch(r.stdout + r.stderr, /reader-pw|cmVhZGVy/, 'neither the password nor the header in any output');

  // 2. From netrc, the config's URL plain.
  const viaNetrc = project('netrc', `http://${hostPort}/simple/`);
  const netrcFile = join(work, 'netrc-file');
  writeFileSync(netrcFile, `machine other.invalid login x password y\n\nmacdef init\ncd /\n\nmachine ${host}\n  login reader\n  password reader-pw\n`);
  const lockedNetrc = await run(viaNetrc, ['lock'], netrcFile);
  t.equal(lockedNetrc.code, 0, lockedNetrc.stderr);
  const fetchedNetrc = await run(viaNetrc, ['fetch', '--wheelhouse', join(viaNetrc, 'wh')], netrcFile);
  t.equal(fetchedNetrc.code, 0, fetchedNetrc.stderr);
  t.same(readdirSync(join(viaNetrc, 'wh')).filter((f) => f.endsWith('.whl')), [w.filename]);
  t.equal(readFileSync(join(viaNetrc, 'pyindex.lock.yaml'), 'utf8'), lockText, 'the same lockfile as with credentials in the URL');

  // 3. None: the 401 says where credentials go.
  const none = project('none', `http://${hostPort}/simple/`);
  const refused = await run(none, ['lock']);
  t.equal(refused.code, 3, 'an index error');
  t.match(refused.stderr, /HTTP 401/);
  t.match(refused.stderr, /\.netrc/, 'the hint names netrc');
  const wrong = project('wrong', `http://reader:nope@${hostPort}/simple/`);
  const denied = await run(wrong, ['lock']);
  t.equal(denied.code, 3);
  t.notMatch(denied.stdout + denied.stderr, /nope/, 'a wrong password is not echoed either');
});
