/**
 * Robustness of uploads: concurrent uploads of different files (all stored)
 * and of the same file (one stored, every identical one 200, different
 * bytes under one name: one wins, the rest 409); and a `pyindex serve`
 * process SIGKILLed mid-upload leaves no file in the tree, the index
 * unchanged, and only a temp file that the next start removes.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import t from 'tap';
import { projectRoot } from '../helpers/mkindex.js';
import { addTestUsers, basic, BOUNDARY, httpRequest, postUpload, sha256, startUploadServer, tempRoot, uploadBody, uploadFields, waitUntil, wheel } from '../helpers/upload-kit.js';

const work = tempRoot('pyindex-robust-');
t.teardown(() => rmSync(work, { recursive: true, force: true }));
const alice = { headers: { Authorization: basic('alice', 'alice-pw') } };

t.test('concurrent uploads: different files all stored; the same file stored once; conflicting bytes: one wins, the rest 409', async (t) => {
  const root = join(work, 'concurrent');
  await addTestUsers(root, [['alice', 'uploader']]);
  const server = await startUploadServer(root);
  t.teardown(() => server.close(0));

  const different = [...['a', 'b', 'c'].flatMap((p) => ['1.0', '1.1', '2.0', '3.0'].map((v) => wheel({ name: `proj-${p}`, version: v })))];
  const results = await Promise.all(different.map((d) => postUpload(server, uploadBody(d), alice)));
  t.same(results.map((r) => r.status), different.map(() => 200), 'all 12 stored');
  for (const p of ['a', 'b', 'c']) {
    const state = await server.tree.project(`proj-${p}`);
    t.equal(state?.files.length, 4, `proj-${p} lists all four`);
    const page = JSON.parse((await httpRequest(`${server.url}simple/proj-${p}/`, undefined, { headers: { Accept: 'application/vnd.pypi.simple.v1+json' } })).body) as { versions: string[] };
    t.same(page.versions, ['1.0', '1.1', '2.0', '3.0']);
  }
  const rootPage = JSON.parse((await httpRequest(`${server.url}simple/`, undefined, { headers: { Accept: 'application/vnd.pypi.simple.v1+json' } })).body) as { projects: { name: string }[] };
  t.same(rootPage.projects.map((p) => p.name).sort(), ['proj-a', 'proj-b', 'proj-c']);

  const same = wheel({ name: 'same-file', version: '1.0' });
  const sameResults = await Promise.all(Array.from({ length: 8 }, () => postUpload(server, uploadBody(same), alice)));
  t.same(sameResults.map((r) => r.status), Array(8).fill(200));
  t.equal(sameResults.filter((r) => r.body.startsWith('OK: stored')).length, 1, 'exactly one stored it');
  t.equal(sameResults.filter((r) => r.body.includes('identical')).length, 7, 'the others found it identical');
  t.same(readdirSync(join(root, 'files', 'same-file')).sort(), [same.filename, `${same.filename}.metadata`]);
  t.equal((await server.tree.project('same-file'))?.files.length, 1);

  const variants = Array.from({ length: 5 }, (_, i) => wheel({ name: 'contested', version: '1.0', requires: [`dep${i}`] }));
  t.equal(new Set(variants.map((v) => v.filename)).size, 1);
  const contested = await Promise.all(variants.map((v) => postUpload(server, uploadBody(v), alice)));
  t.equal(contested.filter((r) => r.status === 200).length, 1, 'one variant wins');
  t.equal(contested.filter((r) => r.status === 409).length, 4, 'the others conflict');
  const winner = variants[contested.findIndex((r) => r.status === 200)];
  const stored = readFileSync(join(root, 'files', 'contested', variants[0]?.filename ?? ''));
  t.equal(sha256(stored), sha256(winner?.data ?? Buffer.alloc(0)), 'the stored bytes are the winner\'s');
  t.equal((await server.tree.project('contested'))?.files[0]?.sha256, sha256(stored), 'and the state agrees');
  t.same(readdirSync(join(root, '.pyindex', 'tmp')), []);
});

/** Starts the real CLI `pyindex serve --port 0` in a child process and resolves with its URL. */
function serveChild(root: string): Promise<{ url: string; pid: number; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import=tsx', join(projectRoot, 'src', 'cli', 'bin.ts'), 'serve', '--root', root, '--port', '0', '--no-download-log'], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /at (http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1] as string, pid: child.pid as number, exited });
    });
    child.on('exit', (code) => reject(new Error(`pyindex serve exited ${code}: ${err}`)));
  });
}

t.test('SIGKILL mid-upload: nothing published, index unchanged, the temp file is swept at the next start', async (t) => {
  const root = join(work, 'killed');
  await addTestUsers(root, [['alice', 'uploader']]);
  const before = wheel({ name: 'victim', version: '0.9' });
  const child = await serveChild(root);
  t.equal((await postUpload({ url: child.url }, uploadBody(before), alice)).status, 200, 'an earlier upload is published');

  const big = wheel({ name: 'victim', version: '1.0' });
  const head = Buffer.concat([
    ...uploadFields(big).map(([k, v]) => Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)),
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="content"; filename="${big.filename}"\r\n\r\n`),
  ]);
  const req = request(child.url, { method: 'POST', agent: false, headers: { ...alice.headers, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': head.length + 4 * 1024 * 1024 + 100 } });
  req.on('error', () => undefined);
  req.write(head);
  req.write(Buffer.alloc(1024 * 1024, 1));
  const tmp = join(root, '.pyindex', 'tmp');
  const partial = () => (existsSync(tmp) ? readdirSync(tmp).filter((n) => n.includes('-upload-')) : []);
  await waitUntil(() => partial().length === 1 && statSync(join(tmp, partial()[0] as string)).size > 0, 'the upload is streaming into its temp file');
  process.kill(child.pid, 'SIGKILL');
  await child.exited;
  req.destroy();

  t.equal(partial().length, 1, 'the killed upload left its temp file (outside the published tree)');
  t.same(readdirSync(join(root, 'files', 'victim')).sort(), [before.filename, `${before.filename}.metadata`], 'no partial distribution in files/');
  t.same((await startUploadServer(root).then(async (s) => {
    try {
      t.equal(s.swept.length, 1, 'the next start sweeps the dead upload\'s temp file');
      t.same(partial(), []);
      const page = JSON.parse((await httpRequest(`${s.url}simple/victim/`, undefined, { headers: { Accept: 'application/vnd.pypi.simple.v1+json' } })).body) as { files: { filename: string }[] };
      t.same(page.files.map((f) => f.filename), [before.filename], 'the index lists only what was published');
      const retry = await postUpload(s, uploadBody(big), alice);
      t.equal(retry.status, 200, 'the same upload succeeds afterwards');
      return (await s.tree.project('victim'))?.files.map((f) => f.filename);
    } finally {
      await s.close(0);
    }
  })), [before.filename, big.filename]);
});
