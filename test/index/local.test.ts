/**
 * Local indexes: a PEP 503 tree given as a directory path or a file:// URL,
 * a tree without a root page, and a flat find-links folder — each must list
 * the same files (and hashes) as the same tree served over HTTP.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { cachedIndex } from '../helpers/cached-index.js';
import { makeClient, tempDir } from '../helpers/index-client-kit.js';
import { sharedAvailable } from '../helpers/mkindex.js';
import { startStaticServer } from '../helpers/static-server.js';

if (!sharedAvailable()) {
  t.plan(0, 'shared/tools/mkindex not available');
} else {
  const root = cachedIndex('corpus/pypi-2020/index/pypi-2020-11-17-cheroot.json', ['--json', '--metadata', '--sdists']);
  const server = await startStaticServer(root, { negotiate: true });
  const http = makeClient(`${server.url}/simple/`);
  t.teardown(async () => {
    await http.client.close();
    await server.close();
  });
  const reference = await http.client.getProject('cheroot');
  const strip = (url: string) => url.replace(/^.*\/files\//, '');

  for (const [label, index] of [
    ['directory path', join(root, 'simple')],
    ['file:// URL', pathToFileURL(join(root, 'simple')).href],
  ] as const) {
    t.test(`simple tree as a ${label}`, async (t) => {
      const { client, events } = makeClient(index, { offline: true });
      t.teardown(() => client.close());
      t.equal((await client.listProjects()).length, 775);
      const page = await client.getProject('cheroot');
      t.same(
        page.files.map((f) => ({ ...f, url: strip(f.url) })),
        reference.files.map((f) => ({ ...f, url: strip(f.url) })),
        'same files as over HTTP (JSON page preferred locally too)',
      );
      t.match(page.files[0]!.url, /^file:\/\/\/.*\/files\/cheroot-5\.0\.0-py3-none-any\.whl$/);
      const meta = await client.getMetadata(page.files[0]!);
      t.equal(meta.version.toString(), '5.0.0');
      t.ok(events.some((e) => e.type === 'metadata:fetched' && e.via === 'pep658'), 'PEP 658 file read from disk, offline');
    });
  }

  t.test('a simple tree without a root page lists its project directories', async (t) => {
    const dir = tempDir();
    for (const p of ['alpha', 'beta']) {
      mkdirSync(join(dir, p));
      writeFileSync(join(dir, p, 'index.html'), `<a href="${p}-1.0.tar.gz">${p}-1.0.tar.gz</a>`);
    }
    const { client } = makeClient(dir);
    t.teardown(() => client.close());
    t.same(await client.listProjects(), ['alpha', 'beta']);
    t.equal((await client.getProject('beta')).files[0]!.url, pathToFileURL(join(dir, 'beta', 'beta-1.0.tar.gz')).href);
  });

  t.test('a flat find-links folder: files grouped by project, hashes computed, .metadata siblings offered', async (t) => {
    const { client, events } = makeClient(join(root, 'files'), { offline: true });
    t.teardown(() => client.close());
    const names = await client.listProjects();
    t.ok(names.includes('cheroot') && names.includes('jaraco-functools'), 'canonical project names from filenames');
    const page = await client.getProject('CHEROOT');
    t.equal(page.files.length, reference.files.length);
    const byName = new Map(page.files.map((f) => [f.filename, f]));
    let same = 0;
    for (const f of reference.files) {
      const local = byName.get(f.filename);
      if (local && local.hashes.sha256 === f.hashes.sha256 && JSON.stringify(local.coreMetadata) === JSON.stringify(f.coreMetadata)) same++;
    }
    t.equal(same, reference.files.length, 'sha256 and PEP 658 hashes equal the index page');
    const wheel = page.files.find((f) => f.kind === 'wheel')!;
    t.equal((await client.getMetadata(wheel)).name, 'cheroot');
    t.ok(events.some((e) => e.type === 'metadata:fetched' && e.via === 'pep658'));
  });

  t.test("this machine's file:///opt/pypi/simple", { skip: !existsSync('/opt/pypi/simple/index.html') && 'no /opt/pypi' }, async (t) => {
    const { client } = makeClient('file:///opt/pypi/simple', { offline: true });
    t.teardown(() => client.close());
    const names = await client.listProjects();
    t.ok(names.length > 100);
    const page = await client.getProject(names[0]!);
    t.ok(page.files.length > 0);
    t.ok(page.files.every((f) => f.url.startsWith('file:///opt/pypi/files/') && f.hashes.sha256), 'links resolved to files with hashes');
  });
}
