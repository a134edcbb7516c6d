/**
 * Administration: the admin routes over real HTTP (yank with a reason,
 * unyank, remove a file or a version; 400/401/403/404), the pages changing
 * accordingly, every change in .pyindex/admin.log; the CLI commands against
 * the server (--url, password on stdin or $PYINDEX_TOKEN) and on the tree
 * (--root); and `pyindex lock` skipping a yanked version unless pinned with ==.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { createToken } from '../../src/serve/auth/index.js';
import { readAuditLog } from '../../src/serve/upload/index.js';
import { runCli } from '../helpers/cli.js';
import { startTinyproxy, tinyproxyMissing } from '../helpers/tinyproxy.js';
import { addTestUsers, basic, httpRequest, postUpload, sdist, startUploadServer, tempRoot, uploadBody, wheel, type UploadServer } from '../helpers/upload-kit.js';

const work = tempRoot('pyindex-admin-');
const root = join(work, 'root');
let server: UploadServer;
const alice = { Authorization: basic('alice', 'alice-pw') };
const w1 = wheel({ name: 'adm', version: '1.0' });
const w2 = wheel({ name: 'adm', version: '2.0' });
let s2: Awaited<ReturnType<typeof sdist>>;

t.before(async () => {
  await addTestUsers(root);
  server = await startUploadServer(root);
  s2 = await sdist('adm', '2.0');
  for (const d of [w1, w2, s2]) {
    const res = await postUpload(server, uploadBody(d), { headers: alice });
    if (res.status !== 200) throw new Error(`setup upload failed: ${res.body}`);
  }
});
t.teardown(async () => {
  await server.close(0);
  rmSync(work, { recursive: true, force: true });
});

const admin = (action: string, body: unknown, headers: Record<string, string> = alice) =>
  httpRequest(`${server.url}admin/${action}`, Buffer.from(JSON.stringify(body)), { headers, contentType: 'application/json' });

type JsonPage = { files: { filename: string; yanked: boolean | string }[]; versions: string[] };
async function jsonPage(project = 'adm'): Promise<JsonPage> {
  const res = await httpRequest(`${server.url}simple/${project}/`, undefined, { headers: { Accept: 'application/vnd.pypi.simple.v1+json' } });
  return JSON.parse(res.body) as JsonPage;
}

t.test('admin routes: yank with a reason and unyank change both pages; refusals are 400/401/403/404 with reasons', async (t) => {
  const yank = await admin('yank', { project: 'ADM', version: '2.0', reason: 'broken build' });
  t.equal(yank.status, 200, yank.body);
  t.same(JSON.parse(yank.body), { ok: true, action: 'yank', project: 'adm', version: '2.0', changed: 2 });
  const page = await jsonPage();
  t.same(
    page.files.map((f) => [f.filename, f.yanked]),
    [
      [w1.filename, false],
      [w2.filename, 'broken build'],
      [s2.filename, 'broken build'],
    ],
  );
  const html = await httpRequest(`${server.url}simple/adm/`, undefined, { headers: { Accept: 'text/html' } });
  t.match(html.body, new RegExp(`${w2.filename.replace(/\./g, '\\.')}#sha256=[0-9a-f]+"[^>]*data-yanked="broken build"`));
  t.equal((await admin('yank', { project: 'adm', version: '2.0', reason: 'broken build' })).status, 200, 'yanking again is a no-op');

  const refusals: [string, unknown, Record<string, string> | undefined, number, RegExp][] = [
    ['yank', { project: 'adm', version: '2.0' }, {}, 401, /authentication required/],
    ['yank', { project: 'adm', version: '2.0' }, { Authorization: basic('alice', 'nope') }, 401, /invalid credentials/],
    ['yank', { project: 'adm', version: '1.0' }, { Authorization: basic('bob', 'bob-pw') }, 403, /belongs to alice/],
    ['yank', { project: 'adm', version: '1.0' }, { Authorization: basic('reader', 'reader-pw') }, 403, /reader role/],
    ['yank', { project: 'nope', version: '1.0' }, undefined, 404, /not on this index/],
    ['yank', { project: 'adm', version: '9.9' }, undefined, 404, /no files of version 9\.9/],
    ['yank', { project: 'adm' }, undefined, 400, /needs "version"/],
    ['yank', { project: '../etc', version: '1.0' }, undefined, 400, /not a valid project name/],
    ['remove', { project: 'adm', version: '1.0', filename: w1.filename }, undefined, 400, /exactly one of/],
    ['remove', { project: 'adm', filename: '../../x.whl' }, undefined, 400, /path separator/],
    ['unyank', { project: 'adm', version: '2.0', reason: 'x' }, undefined, 400, /only applies to yank/],
    ['yank', [1, 2], undefined, 400, /must be a JSON object/],
  ];
  for (const [action, body, headers, status, reason] of refusals) {
    const res = await admin(action, body, headers);
    t.equal(res.status, status, `${action} ${JSON.stringify(body)}`);
    t.match(res.body, reason);
    if (status === 401) t.equal(res.headers['www-authenticate'], 'Basic realm="pyindex"');
  }
  const notJson = await httpRequest(`${server.url}admin/yank`, Buffer.from('project=adm'), { headers: alice, contentType: 'application/x-www-form-urlencoded' });
  t.equal(notJson.status, 400);
  t.equal((await httpRequest(`${server.url}admin/yank`, undefined, { headers: alice })).status, 405, 'GET is not an admin action');
  // An admin may change any project.
  t.equal((await admin('unyank', { project: 'adm', version: '2.0' }, { Authorization: basic('root', 'root-pw') })).status, 200);
  t.same((await jsonPage()).files.map((f) => f.yanked), [false, false, false]);

  const log = await readAuditLog(root);
  t.match(log.filter((e) => e.action !== 'upload'), [
    { action: 'yank', user: 'alice', via: 'password', project: 'adm', version: '2.0', reason: 'broken build', result: '2 file(s) changed' },
    { action: 'yank', user: 'alice', result: '0 file(s) changed' },
    { action: 'unyank', user: 'root', project: 'adm', version: '2.0', result: '2 file(s) changed' },
  ]);
  t.notMatch(readFileSync(join(root, '.pyindex', 'admin.log'), 'utf8'), /-pw/, 'no password in the log');
});

t.test('pyindex yank/unyank/remove --url: credentials on stdin or as a token; refusals map to exit codes', async (t) => {
  const env = { PYINDEX_CACHE_DIR: join(work, 'cache') };
  const y = await runCli(['yank', 'adm', '2.0', '--reason', 'cve', '--url', server.url, '--user', 'alice', '--password-stdin'], { env, input: 'alice-pw\n' });
  t.equal(y.code, 0, y.stderr);
  t.match(y.stdout, 'yanked adm 2.0: 2 file(s)');
  t.same((await jsonPage()).files.map((f) => f.yanked), [false, 'cve', 'cve']);

  const { token } = await createToken(root, 'alice');
  const u = await runCli(['unyank', 'adm', '2.0', '--url', server.url, '--json'], { env: { ...env, PYINDEX_TOKEN: token } });
  t.equal(u.code, 0, u.stderr);
  t.same(JSON.parse(u.stdout), { ok: true, action: 'unyank', project: 'adm', version: '2.0', changed: 2 });

  const hostPort = server.url.replace(/^http:\/\//, '');
  const viaUrl = await runCli(['yank', 'adm', '2.0', '--url', `http://alice:alice-pw@${hostPort}`], { env });
  t.equal(viaUrl.code, 0, viaUrl.stderr);
  t.notMatch(viaUrl.stdout + viaUrl.stderr, 'alice-pw');

  // Independent refusals: run the CLI processes side by side.
  const [wrong, bob, none, usage] = await Promise.all([
    runCli(['unyank', 'adm', '2.0', '--url', server.url, '--user', 'alice', '--password-stdin'], { env, input: 'bad\n' }),
    runCli(['unyank', 'adm', '2.0', '--url', server.url, '--user', 'bob', '--password-stdin'], { env, input: 'bob-pw\n' }),
    runCli(['unyank', 'adm', '9.0', '--url', server.url, '--user', 'alice', '--password-stdin'], { env, input: 'alice-pw\n' }),
    runCli(['yank', 'adm', '2.0'], { env }),
  ]);
  t.equal(wrong?.code, 2);
  t.match(wrong?.stderr, /E_AUTH_FAILED|refused the credentials/);
  t.equal(bob?.code, 2);
  t.match(bob?.stderr, /belongs to alice/);
  t.equal(none?.code, 3);
  t.match(none?.stderr, /no files of version 9\.0/);
  t.equal(usage?.code, 2);
  t.match(usage?.stderr, /exactly one of --url .* or --root/);
  const badVersion = await runCli(['yank', 'adm', 'x y', '--root', root], { env });
  t.equal(badVersion.code, 2);

  const missing = tinyproxyMissing();
  if (missing) t.comment(`proxy case skipped: ${missing}`);
  else {
    const proxy = await startTinyproxy(work);
    t.teardown(() => proxy.close());
    const proxyEnv = { ...env, http_proxy: proxy.url, no_proxy: '', NO_PROXY: '' };
    // 2.0 stays yanked without a reason, as the lock test below expects.
    const through = await runCli(['yank', 'adm', '2.0', '--url', server.url, '--user', 'alice', '--password-stdin', '--json'], { env: proxyEnv, input: 'alice-pw\n' });
    t.equal(through.code, 0, through.stderr);
    t.match(JSON.parse(through.stdout), { ok: true, action: 'yank', project: 'adm', version: '2.0' }, "the server's answer came back");
    t.ok(proxy.requests().includes(`POST ${server.url}admin/yank HTTP/1.1`), 'the POST went through the proxy in the environment');
    await proxy.close();
    const down = await runCli(['unyank', 'adm', '2.0', '--url', server.url, '--user', 'alice', '--password-stdin'], { env: proxyEnv, input: 'alice-pw\n' });
    t.equal(down.code, 3);
    t.match(down.stderr, `error E_NETWORK: cannot reach ${server.url}admin/unyank through the proxy ${proxy.url}: ECONNREFUSED`);
  }
});

t.test('pyindex remove --root acts on the tree and is logged as a local change; the pages follow', async (t) => {
  const env = { PYINDEX_CACHE_DIR: join(work, 'cache') };
  const rmFile = await runCli(['remove', 'adm', '--file', s2.filename, '--root', root], { env });
  t.equal(rmFile.code, 0, rmFile.stderr);
  t.notOk(existsSync(join(root, 'files', 'adm', s2.filename)));
  t.notOk((await jsonPage()).files.some((f) => f.filename === s2.filename));
  const log = await readAuditLog(root);
  t.match(log[log.length - 1], { action: 'remove', via: 'local', address: 'local', filename: s2.filename, result: '1 file(s) changed' });
  // Remove over HTTP removes a whole version.
  const extra = wheel({ name: 'adm', version: '3.0' });
  t.equal((await postUpload(server, uploadBody(extra), { headers: alice })).status, 200);
  const res = await admin('remove', { project: 'adm', version: '3.0' });
  t.equal(res.status, 200);
  t.notOk(existsSync(join(root, 'files', 'adm', extra.filename)));
  t.same((await jsonPage()).versions, ['1.0', '2.0']);
});

t.test('pyindex lock skips the yanked version unless it is pinned with ==', async (t) => {
  // Inside the checkout (tap's testdir): the CLI child loads tsx relative to its cwd.
  const dir = t.testdir({});
  const env = { PYINDEX_CACHE_DIR: join(work, 'lock-cache') };
  // 2.0 is yanked (by the CLI test above); 1.0 is not.
  t.same((await jsonPage()).files.filter((f) => f.filename === w2.filename).map((f) => f.yanked), [true]);
  const config = (req: string) => `index: ${server.url}simple/\nprofiles:\n  linux: { platform: linux-x86_64, python: "3.11" }\njobs:\n  build:\n    requires: [${JSON.stringify(req)}]\n    profiles: [linux]\n`;
  writeFileSync(join(dir, 'pyindex.yaml'), config('adm'));
  const floating = await runCli(['lock'], { cwd: dir, env });
  t.equal(floating.code, 0, floating.stderr);
  t.match(readFileSync(join(dir, 'pyindex.lock.yaml'), 'utf8'), /name: adm\n\s+version: "?1\.0"?/);
  writeFileSync(join(dir, 'pyindex.yaml'), config('adm==2.0'));
  const pinned = await runCli(['lock'], { cwd: dir, env });
  t.equal(pinned.code, 0, pinned.stderr);
  t.match(readFileSync(join(dir, 'pyindex.lock.yaml'), 'utf8'), /name: adm\n\s+version: "?2\.0"?/);
});
