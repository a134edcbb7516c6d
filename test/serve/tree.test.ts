import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { parseHtmlProjectPage } from '../../src/index/html-page.js';
import { parseJsonProjectPage } from '../../src/index/json-page.js';
import { openTree } from '../../src/serve/tree/index.js';
import { projectRoot } from '../helpers/mkindex.js';
import { makeSdist, makeWheel, sha256Hex } from '../helpers/serve-dists.js';

const base = mkdtempSync(join(tmpdir(), 'pyindex-tree-'));
t.teardown(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const freshRoot = () => join(base, `root${n++}`);
const read = (p: string) => readFileSync(p, 'utf8');

t.test('addFile publishes a wheel: file, .metadata, state, both pages, root', async (t) => {
  const root = freshRoot();
  const tree = openTree(root);
  const w = makeWheel({ name: 'Foo.Bar', version: '1.0', requiresPython: '>=3.8', requires: ['six'] });
  t.equal(await tree.addFile({ filename: w.filename, bytes: w.bytes, sha256: w.sha256, uploader: 'alice' }), 'added');
  const file = join(root, 'files', 'foo-bar', w.filename);
  t.same(readFileSync(file), w.bytes);
  t.equal(read(`${file}.metadata`), w.metadata);
  const state = await tree.project('FOO_bar');
  t.equal(state?.name, 'Foo.Bar');
  t.match(state?.files[0], { filename: w.filename, version: '1.0', sha256: w.sha256, size: w.bytes.length, requiresPython: '>=3.8', metadataSha256: sha256Hex(w.metadata), uploader: 'alice' });

  const html = read(join(root, 'simple', 'foo-bar', 'index.html'));
  t.match(html, `href="../../files/foo-bar/${w.filename}#sha256=${w.sha256}"`);
  t.match(html, 'data-requires-python="&gt;=3.8"');
  t.match(html, `data-core-metadata="sha256=${sha256Hex(w.metadata)}" data-dist-info-metadata="sha256=${sha256Hex(w.metadata)}"`);
  // pyindex's own page parsers read them back (relative URLs resolved against the page URL).
  const pageUrl = 'http://h/simple/foo-bar/';
  const fromHtml = parseHtmlProjectPage(html, pageUrl, 'foo-bar');
  t.equal(fromHtml.files[0]?.url, `http://h/files/foo-bar/${w.filename}`);
  t.equal(fromHtml.files[0]?.requiresPython, '>=3.8');
  const json = JSON.parse(read(join(root, 'simple', 'foo-bar', 'index.json'))) as Record<string, unknown>;
  t.match(json, { meta: { 'api-version': '1.1' }, name: 'foo-bar', versions: ['1.0'] });
  t.match((json.files as unknown[])[0], { filename: w.filename, hashes: { sha256: w.sha256 }, 'requires-python': '>=3.8', size: w.bytes.length, yanked: false, 'core-metadata': { sha256: sha256Hex(w.metadata) }, 'dist-info-metadata': { sha256: sha256Hex(w.metadata) } });
  t.match((json.files as { 'upload-time': string }[])[0]?.['upload-time'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  const fromJson = parseJsonProjectPage(read(join(root, 'simple', 'foo-bar', 'index.json')), pageUrl);
  t.equal(fromJson.files[0]?.url, `http://h/files/foo-bar/${w.filename}`);
  t.same(JSON.parse(read(join(root, 'simple', 'index.json'))), { meta: { 'api-version': '1.1' }, projects: [{ name: 'Foo.Bar' }] });
  t.match(read(join(root, 'simple', 'index.html')), '<a href="foo-bar/">Foo.Bar</a>');
  t.same(await tree.projects(), [{ project: 'foo-bar', name: 'Foo.Bar' }]);
});

t.test('identical re-add, conflicting bytes, bad digests and unsafe names', async (t) => {
  const root = freshRoot();
  const tree = openTree(root);
  const w = makeWheel({ name: 'pkg', version: '1.0' });
  await tree.addFile({ filename: w.filename, bytes: w.bytes, sha256: w.sha256 });
  const before = read(join(root, '.pyindex', 'projects', 'pkg.json'));
  t.equal(await tree.addFile({ filename: w.filename, bytes: w.bytes, sha256: w.sha256.toUpperCase() }), 'identical');
  t.equal(read(join(root, '.pyindex', 'projects', 'pkg.json')), before, 'identical add leaves the state (and its upload time) alone');
  const other = makeWheel({ name: 'pkg', version: '1.0', payload: 'different' });
  await t.rejects(tree.addFile({ filename: other.filename, bytes: other.bytes, sha256: other.sha256 }), { code: 'E_UPLOAD_CONFLICT' });
  t.same(readFileSync(join(root, 'files', 'pkg', w.filename)), w.bytes, 'never overwritten');
  const w2 = makeWheel({ name: 'pkg', version: '2.0' });
  await t.rejects(tree.addFile({ filename: w2.filename, bytes: w2.bytes, sha256: w.sha256 }), { code: 'E_HASH_MISMATCH' });
  t.notOk(existsSync(join(root, 'files', 'pkg', w2.filename)));
  for (const bad of ['../pkg-1.0-py3-none-any.whl', '/etc/pkg-1.0.tar.gz', 'pkg-1.0\0-py3-none-any.whl', '.pkg-1.0.tar.gz', 'pkg-1.0.exe']) {
    await t.rejects(tree.addFile({ filename: bad, bytes: w.bytes, sha256: w.sha256 }), { code: /^E_INVALID_(WHEEL|SDIST)_FILENAME$/ }, JSON.stringify(bad));
  }
  const liar = makeWheel({ name: 'other', version: '1.0' });
  await t.rejects(tree.addFile({ filename: 'pkg-3.0-py3-none-any.whl', bytes: liar.bytes, sha256: liar.sha256 }), { code: 'E_BAD_ARCHIVE' }, 'no dist-info for the filename');
  t.same(readdirNames(join(root, 'files', 'pkg')), [w.filename, `${w.filename}.metadata`]);
  t.same(readdirNames(join(root, '.pyindex', 'tmp')), [], 'no temp files left');
});

function readdirNames(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

t.test('sdists: .metadata only from PKG-INFO with Metadata-Version >= 2.2; a path input is copied', async (t) => {
  const root = freshRoot();
  const tree = openTree(root);
  const new22 = await makeSdist({ name: 'sd', version: '1.0', metadataVersion: '2.2' });
  const old21 = await makeSdist({ name: 'sd', version: '0.9', metadataVersion: '2.1' });
  const tmp = join(base, old21.filename);
  writeFileSync(tmp, old21.bytes);
  await tree.addFile({ filename: new22.filename, bytes: new22.bytes, sha256: new22.sha256 });
  await tree.addFile({ filename: old21.filename, bytes: tmp, sha256: old21.sha256 });
  t.ok(existsSync(tmp), 'the source path is left in place');
  t.equal(read(join(root, 'files', 'sd', `${new22.filename}.metadata`)), new22.metadata);
  t.notOk(existsSync(join(root, 'files', 'sd', `${old21.filename}.metadata`)));
  const json = JSON.parse(read(join(root, 'simple', 'sd', 'index.json'))) as { versions: string[]; files: Record<string, unknown>[] };
  t.same(json.versions, ['0.9', '1.0']);
  t.notOk('core-metadata' in (json.files.find((f) => f.filename === old21.filename) ?? {}));
  t.ok('core-metadata' in (json.files.find((f) => f.filename === new22.filename) ?? {}));
});

t.test('yank, unyank, removeFile, removeVersion are reflected in the pages', async (t) => {
  const root = freshRoot();
  const tree = openTree(root);
  const a = makeWheel({ name: 'ya', version: '1.0' });
  const b = await makeSdist({ name: 'ya', version: '1.0' });
  const c = makeWheel({ name: 'ya', version: '2.0' });
  const keep = makeWheel({ name: 'keep', version: '1.0' });
  for (const d of [a, b, c, keep]) await tree.addFile({ filename: d.filename, bytes: d.bytes, sha256: d.sha256 });
  t.equal(await tree.setYanked('YA', '1.0.0', 'broken <build> & "bad"'), 2);
  let html = read(join(root, 'simple', 'ya', 'index.html'));
  t.match(html, 'data-yanked="broken &lt;build&gt; &amp; &quot;bad&quot;"');
  t.equal(JSON.parse(read(join(root, 'simple', 'ya', 'index.json'))).files[0].yanked, 'broken <build> & "bad"');
  await tree.setYanked('ya', '2.0', true);
  t.match(read(join(root, 'simple', 'ya', 'index.html')), `${c.filename}#sha256=${c.sha256}" data-core-metadata`.replace('" data-core', '" data-yanked="" data-core'));
  t.equal(await tree.setYanked('ya', '1.0', false), 2);
  html = read(join(root, 'simple', 'ya', 'index.html'));
  t.equal((html.match(/data-yanked/g) ?? []).length, 1, 'only 2.0 still yanked');

  t.equal(await tree.removeFile('ya', b.filename), true);
  t.equal(await tree.removeFile('ya', b.filename), false);
  t.notOk(existsSync(join(root, 'files', 'ya', b.filename)));
  t.notMatch(read(join(root, 'simple', 'ya', 'index.html')), b.filename);
  t.equal(await tree.removeVersion('ya', '1.0'), 1);
  t.equal(await tree.removeVersion('ya', '2.0'), 1);
  t.notOk(existsSync(join(root, 'simple', 'ya')), 'an empty project has no pages');
  t.same(JSON.parse(read(join(root, 'simple', 'index.json'))).projects, [{ name: 'keep' }]);
  await t.rejects(tree.setYanked('nope', '1.0', 'x'), { code: 'E_NOT_FOUND' });
});

t.test('regenerate and regenerateStale rebuild pages from state', async (t) => {
  const root = freshRoot();
  const tree = openTree(root);
  const a = makeWheel({ name: 'rg', version: '1.0' });
  await tree.addFile({ filename: a.filename, bytes: a.bytes, sha256: a.sha256 });
  const page = join(root, 'simple', 'rg', 'index.html');
  const good = read(page);
  t.same(await tree.regenerateStale(), [], 'nothing stale after a clean add');
  // A crash after the state write: pages older than the state.
  writeFileSync(page, 'stale');
  const old = new Date(Date.now() - 60_000);
  utimesSync(page, old, old);
  writeFileSync(join(root, 'simple', 'index.json'), 'stale');
  utimesSync(join(root, 'simple', 'index.json'), old, old);
  // A crash while dropping a project: pages without a state.
  writeFileSync(join(root, 'simple', 'gone.html'), 'not a dir, left alone');
  await tree.regenerate('nothing-here');
  // Temp files of a dead writer are swept at start; a live writer's are kept.
  writeFileSync(join(root, '.pyindex', 'tmp', '4194305-0123456789ab-w'), 'half');
  writeFileSync(join(root, '.pyindex', 'tmp', `${process.pid}-0123456789ab-w`), 'mine');
  t.same(await tree.regenerateStale(), ['rg']);
  t.same(readdirNames(join(root, '.pyindex', 'tmp')), [`${process.pid}-0123456789ab-w`]);
  t.equal(read(page), good);
  t.same(JSON.parse(read(join(root, 'simple', 'index.json'))).projects, [{ name: 'rg' }]);
  writeFileSync(page, 'broken');
  await tree.regenerate();
  t.equal(read(page), good);
  t.ok(statSync(page).mtimeMs >= statSync(join(root, '.pyindex', 'projects', 'rg.json')).mtimeMs);
});

t.test('two processes adding different files of one project both land (cross-process lock)', async (t) => {
  const root = freshRoot();
  const dir = join(base, 'conc');
  mkdirSync(dir, { recursive: true });
  const batches = [0, 1].map((p) =>
    Array.from({ length: 8 }, (_, i) => {
      const w = makeWheel({ name: 'shared', version: `${p}.${i}` });
      const path = join(dir, w.filename);
      writeFileSync(path, w.bytes);
      return { filename: w.filename, bytes: path, sha256: w.sha256 };
    }),
  );
  const script = join(dir, 'add.mts');
  writeFileSync(
    script,
    `import { openTree } from ${JSON.stringify(pathToFileURL(join(projectRoot, 'src', 'serve', 'tree', 'index.ts')).href)};
const [root, list] = [process.argv[2], JSON.parse(process.argv[3])];
const tree = openTree(root);
for (const f of list) await tree.addFile(f);
`,
  );
  const run = (list: unknown) =>
    new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import=tsx', script, root, JSON.stringify(list)], { cwd: projectRoot, stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('error', reject);
      child.on('close', (code) => resolve(code ?? -1));
    });
  t.same(await Promise.all(batches.map(run)), [0, 0]);
  const state = await openTree(root).project('shared');
  t.equal(state?.files.length, 16);
  const json = JSON.parse(read(join(root, 'simple', 'shared', 'index.json'))) as { files: unknown[] };
  t.equal(json.files.length, 16, 'the last page written lists every file');
  t.same(readdirNames(join(root, '.pyindex', 'locks')), [], 'locks released');
});

t.test('a stale lock of a dead process is broken', async (t) => {
  const root = freshRoot();
  mkdirSync(join(root, '.pyindex', 'locks'), { recursive: true });
  // pid 2^22+1 is above Linux's pid_max default range and so never alive.
  writeFileSync(join(root, '.pyindex', 'locks', 'st.lock'), JSON.stringify({ pid: 4194305, host: hostname(), token: 'dead', started: 'then' }));
  const w = makeWheel({ name: 'st', version: '1.0' });
  t.equal(await openTree(root, { timeoutMs: 5000 }).addFile({ filename: w.filename, bytes: w.bytes, sha256: w.sha256 }), 'added');
  // A live holder (ourselves, on this host) is waited for, then reported.
  writeFileSync(join(root, '.pyindex', 'locks', 'st.lock'), JSON.stringify({ pid: process.pid, host: hostname(), token: 'live', started: 'now' }));
  const w2 = makeWheel({ name: 'st', version: '2.0' });
  await t.rejects(openTree(root, { timeoutMs: 50 }).addFile({ filename: w2.filename, bytes: w2.bytes, sha256: w2.sha256 }), { code: 'E_TREE_BUSY' });
});
