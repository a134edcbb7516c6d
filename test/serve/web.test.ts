/**
 * The web UI of `pyindex serve` over real HTTP (the browser test is
 * web-browser.test.ts): the project list and its `?q=` search without
 * scripts, project pages (versions newest first, sizes, sha256, upload
 * times, yank marks and reasons), canonical redirects, everything escaped,
 * the security headers, the static assets, the upload form's target
 * answering with pages (and the same checks as twine's route), the
 * cross-site guard on every route that changes the tree, and a tree on
 * disk that holds no web page.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { openTree } from '../../src/serve/tree/index.js';
import { makeSdist, makeWheel } from '../helpers/serve-dists.js';
import { addTestUsers, basic, httpRequest, multipart, startUploadServer, tempRoot, uploadBody, wheel, type UploadServer } from '../helpers/upload-kit.js';

const work = tempRoot('pyindex-web-');
const root = join(work, 'root');
let server: UploadServer;
const XSS = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'"&`;
const alice = { Authorization: basic('alice', 'alice-pw') };

t.before(async () => {
  const tree = openTree(root);
  const dists = [makeWheel({ name: 'Foo_Bar', version: '1.0' }), makeWheel({ name: 'Foo_Bar', version: '10.0' }), makeWheel({ name: 'Foo_Bar', version: '2.0' }), await makeSdist({ name: 'Foo_Bar', version: '2.0' }), makeWheel({ name: 'other', version: '0.1' })];
  for (const d of dists) await tree.addFile({ filename: d.filename, bytes: d.bytes, sha256: d.sha256, uploader: 'alice', ...(d.filename.endsWith('.tar.gz') ? { requiresPython: XSS } : {}) });
  await tree.setYanked('foo-bar', '1.0', XSS);
  await addTestUsers(root);
  server = await startUploadServer(root);
});
t.teardown(async () => {
  await server.close(0);
  rmSync(work, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}) => httpRequest(`${server.url}${path}`, undefined, { headers });

t.test('the project list and its search work without scripts', async (t) => {
  const all = await get('');
  t.equal(all.status, 200);
  t.equal(all.headers['content-type'], 'text/html; charset=utf-8');
  t.match(all.headers['content-security-policy'], /default-src 'none'; script-src 'self'/, 'no inline script can run');
  t.equal(all.headers['x-content-type-options'], 'nosniff');
  t.match(all.body, /<li data-search="foo-bar foo-bar"><a href="project\/foo-bar\/">Foo_Bar<\/a><\/li>/);
  t.match(all.body, /<li data-search="other other"><a href="project\/other\/">other<\/a><\/li>/);
  t.match(all.body, /2 projects/);

  const foo = await get('?q=FOO.b');
  t.match(foo.body, /<li data-search="foo-bar foo-bar"><a/, 'matched (normalized like a name) and shown');
  t.match(foo.body, /<li data-search="other other" hidden>/, 'the other one is hidden');
  t.match(foo.body, /1 of 2 projects match/);
  t.match(foo.body, /value="FOO\.b"/, 'the query stays in the box');

  const none = await get('?q=zzz');
  t.match(none.body, /0 of 2 projects match/);
  t.match(none.body, /<p class="muted" id="no-match">No project matches\.<\/p>/);

  const evil = await get(`?q=${encodeURIComponent(XSS)}`);
  t.notMatch(evil.body, '<script>window', 'the query is escaped');
  t.match(evil.body, 'value="&lt;script&gt;window.__xss=1&lt;/script&gt;&lt;img src=x onerror=&quot;window.__xss=2&quot;&gt;&#39;&quot;&amp;"');

  const head = await httpRequest(server.url, undefined, { method: 'HEAD' });
  t.equal(head.status, 200);
  t.equal(head.body, '', 'HEAD has no body');
});

t.test('a project page: versions newest first, files with size, sha256, upload time, yank marks, all escaped', async (t) => {
  const page = await get('project/foo-bar/');
  t.equal(page.status, 200);
  const versions = [...page.body.matchAll(/<section class="version" id="v-([^"]+)"/g)].map((m) => m[1]);
  t.same(versions, ['10.0', '2.0', '1.0'], 'PEP 440 order, not string order');
  const state = await server.tree.project('foo-bar');
  for (const f of state?.files ?? []) {
    const row = new RegExp(`<tr class="file( yanked)?" data-filename="${f.filename.replace(/\./g, '\\.')}">([\\s\\S]*?)</tr>`).exec(page.body);
    t.ok(row, `a row for ${f.filename}`);
    const cells = row?.[2] ?? '';
    t.match(cells, `<a href="../../files/foo-bar/${f.filename}">${f.filename}</a>`);
    t.match(cells, `<td class="size" title="${f.size} bytes">${f.size} B</td>`);
    t.match(cells, `<code class="sha256">${f.sha256}</code>`);
    t.match(cells, `<time datetime="${f.uploadTime}">${f.uploadTime.slice(0, 10)} ${f.uploadTime.slice(11, 19)} UTC</time> <span class="muted">by alice</span>`);
    t.equal(row?.[1] !== undefined, f.version === '1.0', `${f.filename}: yanked mark only on the yanked version`);
  }
  t.match(page.body, /<section class="version" id="v-1\.0" data-version="1\.0" data-yanked="">\n<h2>1\.0 <span class="yanked-mark">yanked<\/span><\/h2>/);
  const escaped = '&lt;script&gt;window.__xss=1&lt;/script&gt;&lt;img src=x onerror=&quot;window.__xss=2&quot;&gt;&#39;&quot;&amp;';
  t.match(page.body, `<p class="yank-reason">Yanked: ${escaped}</p>`, 'the yank reason, escaped');
  t.match(page.body, `<td class="requires-python">${escaped}</td>`, 'Requires-Python, escaped');
  t.equal(page.body.match(/<script/g)?.length, 1, 'the only script element is the UI script');
  t.notMatch(page.body, /onerror="/);
  t.match(page.body, `pip install --index-url http://127.0.0.1:${server.port}/simple/ foo-bar`);

  const hostile = await get('project/foo-bar/', { Host: '"><script>x</script>' });
  t.match(hostile.body, 'http://HOST/simple/', 'a Host header that is no host name is not echoed');
});

t.test('canonical project URLs: other spellings and a missing slash redirect; unknown names are 404 pages', async (t) => {
  t.equal((await get('project/Foo.Bar/')).headers.location, '../foo-bar/');
  t.equal((await get('project/foo-bar')).headers.location, 'foo-bar/');
  t.equal((await get('project/')).headers.location, '../');
  t.equal((await get('project')).headers.location, './');
  const missing = await get('project/nope/');
  t.equal(missing.status, 404);
  t.match(missing.body, 'No project &quot;nope&quot; on this index.');
  const bad = await get(`project/${encodeURIComponent('<b>')}/`);
  t.equal(bad.status, 404);
  t.match(bad.body, '&quot;&lt;b&gt;&quot; is not a project name.');
});

t.test('the static assets: types, ETags, 304', async (t) => {
  const css = await get('static/pyindex.css');
  t.equal(css.status, 200);
  t.equal(css.headers['content-type'], 'text/css; charset=utf-8');
  const js = await get('static/pyindex.js');
  t.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
  t.match(js.body, "getElementById('search-q')");
  const again = await get('static/pyindex.css', { 'If-None-Match': String(css.headers.etag) });
  t.equal(again.status, 304);
  t.equal((await get('static/nope.js')).status, 404);
});

t.test('the upload form posts to /upload/, which checks like the legacy route and answers with pages', async (t) => {
  const form = await get('upload/');
  t.equal(form.status, 200);
  t.match(form.body, '<form class="upload" method="post" action="./" enctype="multipart/form-data">');
  t.match(form.body, '<input type="file" id="upload-content" name="content"');
  t.equal((await get('upload')).headers.location, 'upload/');

  const w = wheel({ name: 'WebUp', version: '1.0' });
  const fileOnly = multipart([], { filename: w.filename, data: w.data });
  const anonymous = await httpRequest(`${server.url}upload/`, fileOnly);
  t.equal(anonymous.status, 401);
  t.equal(anonymous.headers['www-authenticate'], 'Basic realm="pyindex"', 'the browser is asked for credentials');
  t.equal(anonymous.headers['content-type'], 'text/html; charset=utf-8');
  t.match(anonymous.body, /<h1>Upload refused: 401 Unauthorized<\/h1>\n<p class="result failed" id="upload-result" data-status="401">authentication required/);
  const wrong = await httpRequest(`${server.url}upload/`, fileOnly, { headers: { Authorization: basic('alice', 'nope') } });
  t.equal(wrong.status, 401);
  t.match(wrong.body, 'invalid credentials');
  t.equal(await server.tree.project('webup'), undefined, 'nothing stored');

  const ok = await httpRequest(`${server.url}upload/`, fileOnly, { headers: alice });
  t.equal(ok.status, 200, 'stored');
  t.match(ok.body, `<p class="result ok" id="upload-result" data-status="200">OK: stored ${w.filename}</p>`);
  t.match(ok.body, '<a href="../project/webup/">webup</a>');
  const state = await server.tree.project('webup');
  t.same(
    state?.files.map((f) => [f.filename, f.uploader]),
    [[w.filename, 'alice']],
  );
  t.equal(state?.name, 'WebUp', 'the display name comes from the metadata, as for twine');

  const same = await httpRequest(`${server.url}upload`, fileOnly, { headers: alice });
  t.equal(same.status, 200, 'POST without the slash is not redirected');
  t.match(same.body, 'was already stored with identical content');

  const other = wheel({ name: 'WebUp', version: '1.0', requires: ['six'] });
  const conflict = await httpRequest(`${server.url}upload/`, multipart([], { filename: other.filename, data: other.data }), { headers: alice });
  t.equal(conflict.status, 409);
  t.match(conflict.body, 'already exists on this index with different content');

  const bob = await httpRequest(`${server.url}upload/`, multipart([], { filename: w.filename, data: w.data }), { headers: { Authorization: basic('bob', 'bob-pw') } });
  t.equal(bob.status, 403, 'ownership applies as for twine');
  t.match(bob.body, 'project webup belongs to alice');

  const evil = await httpRequest(`${server.url}upload/`, multipart([], { filename: '<img src=x onerror=alert(1)>.whl', data: w.data }), { headers: alice });
  t.equal(evil.status, 400);
  t.notMatch(evil.body, '<img src=x', 'a hostile filename is escaped in the answer');
  t.match(evil.body, '&lt;img src=x onerror=alert(1)&gt;.whl');

  const mismatch = await httpRequest(`${server.url}upload/`, uploadBody(wheel({ name: 'WebUp', version: '2.0' }), { sha256_digest: '0'.repeat(64) }), { headers: alice });
  t.equal(mismatch.status, 400, 'fields the form does send are still checked');
  t.match(mismatch.body, 'sha256_digest mismatch');
});

t.test('routes that change the tree refuse requests another site started (CSRF)', async (t) => {
  const w = wheel({ name: 'csrf-victim', version: '1.0' });
  const body = multipart([], { filename: w.filename, data: w.data });
  const cases: [string, Record<string, string>][] = [
    ['Origin of another site', { Origin: 'http://evil.example' }],
    ['Origin "null"', { Origin: 'null' }],
    ['Sec-Fetch-Site cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ['Sec-Fetch-Site same-site', { 'Sec-Fetch-Site': 'same-site' }],
  ];
  for (const [what, headers] of cases) {
    const res = await httpRequest(`${server.url}upload/`, body, { headers: { ...alice, ...headers } });
    t.equal(res.status, 403, what);
    t.match(res.body, 'refused:');
  }
  const legacy = await httpRequest(server.url, uploadBody(w), { headers: { ...alice, Origin: 'http://evil.example' } });
  t.equal(legacy.status, 403, "twine's route too");
  const admin = await httpRequest(`${server.url}admin/yank`, Buffer.from(JSON.stringify({ project: 'foo-bar', version: '2.0' })), { headers: { ...alice, 'Sec-Fetch-Site': 'cross-site' }, contentType: 'application/json' });
  t.equal(admin.status, 403, 'and the admin routes');
  t.equal(await server.tree.project('csrf-victim'), undefined, 'nothing stored');

  const sameOrigin = await httpRequest(`${server.url}upload/`, body, { headers: { ...alice, Origin: `http://127.0.0.1:${server.port}`, 'Sec-Fetch-Site': 'same-origin' } });
  t.equal(sameOrigin.status, 200, 'the form of this index itself is accepted');
});

t.test('the tree on disk stays a pure PEP 503 tree: no web page is written into it', async (t) => {
  t.same(readdirSync(root).sort(), ['.pyindex', 'files', 'simple']);
  t.same(readdirSync(join(root, 'simple')).filter((n) => !n.startsWith('index.')).sort(), ['csrf-victim', 'foo-bar', 'other', 'webup']);
  for (const project of readdirSync(join(root, 'simple')).filter((n) => !n.startsWith('index.'))) {
    t.same(readdirSync(join(root, 'simple', project)).sort(), ['index.html', 'index.json'], project);
  }
});
