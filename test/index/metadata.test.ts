/**
 * getMetadata picks the cheapest correct source, proven by the loopback
 * server's request log: PEP 658 files when offered (no wheel bytes fetched),
 * HTTP Range reads of the zip tail otherwise, a whole download when the
 * server ignores Range, PKG-INFO for Metadata-Version 2.2 sdists. Bad inputs
 * (hash mismatch, not a zip, traversal names, zip bombs) fail with the URL.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cachedIndex } from '../helpers/cached-index.js';
import { makeClient, rejectsWith, serverPool, tempDir } from '../helpers/index-client-kit.js';
import { makeTar, makeZip } from '../helpers/make-archive.js';
import { sharedAvailable } from '../helpers/mkindex.js';
import type { IndexFile } from '../../src/index/types.js';

const CHEROOT = 'corpus/pypi-2020/index/pypi-2020-11-17-cheroot.json';

if (!sharedAvailable()) {
  t.plan(0, 'shared/tools/mkindex not available');
} else {
  const serve = serverPool(t);
  const wheelOf = (files: IndexFile[], name: string) => {
    const f = files.find((x) => x.filename === name);
    if (!f) throw new Error(`no ${name}`);
    return f;
  };

  t.test('PEP 658 metadata is used when offered: no wheel bytes are fetched', async (t) => {
    const s = await serve(cachedIndex(CHEROOT, ['--json', '--metadata', '--sdists']), { negotiate: true });
    const { client, events } = makeClient(`${s.url}/simple/`);
    t.teardown(() => client.close());
    const page = await client.getProject('cheroot');
    const wheels = page.files.filter((f) => f.kind === 'wheel');
    const metas = await Promise.all(wheels.map((f) => client.getMetadata(f)));
    t.equal(metas.length, 60);
    t.equal(metas.at(-1)!.version.toString(), '8.4.7');
    t.ok(metas.at(-1)!.requiresDist.some((r) => r.name === 'jaraco.functools'));
    t.equal(s.requests.filter((r) => r.path.endsWith('.whl')).length, 0, 'no request for a .whl');
    t.equal(s.requests.filter((r) => r.path.endsWith('.whl.metadata')).length, 60);
    t.equal(events.filter((e) => e.type === 'metadata:fetched' && e.via === 'pep658' && e.project === 'cheroot').length, 60);
  });

  t.test('without PEP 658: only small ranged requests hit the wheel', async (t) => {
    const s = await serve(cachedIndex(CHEROOT, ['--json']), { negotiate: true });
    const { client, events } = makeClient(`${s.url}/simple/`);
    t.teardown(() => client.close());
    const page = await client.getProject('cheroot');
    const wheel = wheelOf(page.files, 'cheroot-8.4.7-py3-none-any.whl');
    t.equal(wheel.coreMetadata, false);
    const meta = await client.getMetadata(wheel);
    t.equal(meta.name, 'cheroot');
    t.equal(meta.version.toString(), '8.4.7');
    const hits = s.requests.filter((r) => r.path.endsWith('.whl'));
    t.ok(hits.length >= 1, 'the wheel was read');
    t.ok(hits.every((r) => r.range !== undefined && r.status === 206), 'every wheel request was a 206 Range request');
    t.equal(hits[0]!.range, 'bytes=-65536', 'suffix range first');
    t.ok(events.some((e) => e.type === 'metadata:fetched' && e.via === 'range'));
  });

  t.test('a server that ignores Range: the whole body is used, hash-checked', async (t) => {
    const s = await serve(cachedIndex(CHEROOT, ['--json']), { negotiate: true, ignoreRange: true });
    const { client, events } = makeClient(`${s.url}/simple/`);
    t.teardown(() => client.close());
    const page = await client.getProject('cheroot');
    const meta = await client.getMetadata(wheelOf(page.files, 'cheroot-8.4.7-py3-none-any.whl'));
    t.equal(meta.version.toString(), '8.4.7');
    await s.settled();
    const hits = s.requests.filter((r) => r.path.endsWith('.whl'));
    t.same(hits.map((r) => r.status), [200], 'one request, answered 200 with the whole file');
    t.ok(events.some((e) => e.type === 'metadata:fetched' && e.via === 'download'));
  });

  t.test('metadata results are cached by sha256: a second client asks the server nothing', async (t) => {
    const s = await serve(cachedIndex(CHEROOT, ['--json']), { negotiate: true });
    const cacheDir = tempDir();
    const a = makeClient(`${s.url}/simple/`, { cacheDir });
    const file = wheelOf((await a.client.getProject('cheroot')).files, 'cheroot-8.4.7-py3-none-any.whl');
    await a.client.getMetadata(file);
    await a.client.close();
    const before = s.requests.length;
    const b = makeClient(`${s.url}/simple/`, { cacheDir });
    const meta = await b.client.getMetadata(file);
    await b.client.close();
    t.equal(meta.version.toString(), '8.4.7');
    t.equal(s.requests.length, before, 'no request');
    t.ok(b.events.some((e) => e.type === 'metadata:fetched' && e.via === 'cache'));
  });

  t.test('a .metadata file whose hash does not match is E_HASH_MISMATCH', async (t) => {
    const s = await serve(cachedIndex(CHEROOT, ['--json', '--metadata', '--sdists']), { negotiate: true });
    const path = '/files/cheroot-8.4.7-py3-none-any.whl.metadata';
    s.faults[path] = { kind: 'body', contentType: 'application/octet-stream', body: 'Metadata-Version: 2.1\nName: cheroot\nVersion: 8.4.7\n' };
    const { client } = makeClient(`${s.url}/simple/`);
    t.teardown(() => client.close());
    const file = wheelOf((await client.getProject('cheroot')).files, 'cheroot-8.4.7-py3-none-any.whl');
    await rejectsWith(t, client.getMetadata(file), 'E_HASH_MISMATCH', `${s.url}${path}`);
  });

  t.test('hostile archives through HTTP: not a zip, ../ entries, a zip bomb, a wheel whose hash lies', async (t) => {
    const root = tempDir();
    mkdirSync(join(root, 'files'));
    mkdirSync(join(root, 'simple', 'evil'), { recursive: true });
    const metadata = 'Metadata-Version: 2.1\nName: evil\nVersion: 1.0\n';
    const wheelMembers = (v: string) => [
      { name: `evil-${v}.dist-info/WHEEL`, data: 'Wheel-Version: 1.0\n' },
      { name: `evil-${v}.dist-info/RECORD`, data: '' },
    ];
    const files: Record<string, Buffer> = {
      'evil-1.0-py3-none-any.whl': Buffer.from('this is not a zip file at all, just text'),
      'evil-2.0-py3-none-any.whl': makeZip([{ name: '../../etc/evil', data: 'x' }, { name: 'evil-2.0.dist-info/METADATA', data: metadata.replace('1.0', '2.0') }, ...wheelMembers('2.0')]),
      'evil-3.0-py3-none-any.whl': makeZip([{ name: 'evil-3.0.dist-info/METADATA', data: Buffer.concat([Buffer.from(metadata.replace('1.0', '3.0')), Buffer.alloc(4 * 1024 * 1024)]) }, ...wheelMembers('3.0')]),
      'evil-4.0-py3-none-any.whl': makeZip([{ name: 'evil-4.0.dist-info/METADATA', data: metadata.replace('1.0', '4.0') }, ...wheelMembers('4.0')]),
    };
    const links: string[] = [];
    for (const [name, body] of Object.entries(files)) {
      writeFileSync(join(root, 'files', name), body);
      // 4.0 lies about its hash; the others carry none so the archive checks are what fails.
      links.push(`<a href="../../files/${name}${name.includes('4.0') ? `#sha256=${'0'.repeat(64)}` : ''}">${name}</a>`);
    }
    writeFileSync(join(root, 'simple', 'evil', 'index.html'), links.join('\n'));
    const plain = await serve(root);
    const noRange = await serve(root, { ignoreRange: true });
    for (const s of [plain, noRange]) {
      const { client } = makeClient(`${s.url}/simple/`);
      const page = await client.getProject('evil');
      const url = (n: string) => `${s.url}/files/${n}`;
      await rejectsWith(t, client.getMetadata(page.files[0]!), 'E_BAD_ARCHIVE', url('evil-1.0-py3-none-any.whl'));
      await rejectsWith(t, client.getMetadata(page.files[1]!), 'E_BAD_ARCHIVE', url('evil-2.0-py3-none-any.whl'));
      await rejectsWith(t, client.getMetadata(page.files[2]!), 'E_BAD_ARCHIVE', url('evil-3.0-py3-none-any.whl'));
      if (s === noRange) {
        await rejectsWith(t, client.getMetadata(page.files[3]!), 'E_HASH_MISMATCH', url('evil-4.0-py3-none-any.whl'));
      } else {
        // Ranged reads cannot check a whole-file hash (as pip's lazy wheel); the metadata is still read.
        t.equal((await client.getMetadata(page.files[3]!)).version.toString(), '4.0', 'range path reads metadata');
      }
      await client.close();
    }
    const bombReads = plain.requests.filter((r) => r.path.endsWith('evil-3.0-py3-none-any.whl'));
    t.ok(bombReads.every((r) => r.range !== undefined), 'the bomb was refused from its headers, not downloaded');
  });

  t.test('sdist with Metadata-Version 2.2 PKG-INFO: used as is, no Python needed', async (t) => {
    const root = tempDir();
    mkdirSync(join(root, 'files'));
    mkdirSync(join(root, 'simple', 'demo'), { recursive: true });
    const pkgInfo = 'Metadata-Version: 2.2\nName: demo\nVersion: 1.0\nRequires-Python: >=3.8\nRequires-Dist: six>=1.0\nProvides-Extra: fast\nRequires-Dist: cython; extra == "fast"\n\nA demo.\n';
    const dynamicInfo = pkgInfo.replace('2.2', '2.2\nDynamic: Requires-Dist').replace(/1\.0\n/, '2.0\n');
    writeFileSync(join(root, 'files', 'demo-1.0.tar.gz'), await makeTar([{ name: 'demo-1.0/PKG-INFO', data: pkgInfo }, { name: 'demo-1.0/setup.py', data: 'raise SystemExit(1)\n' }]));
    writeFileSync(join(root, 'files', 'demo-2.0.tar.gz'), await makeTar([{ name: 'demo-2.0/PKG-INFO', data: dynamicInfo }]));
    writeFileSync(join(root, 'simple', 'demo', 'index.html'), '<a href="../../files/demo-1.0.tar.gz">demo-1.0.tar.gz</a><a href="../../files/demo-2.0.tar.gz">demo-2.0.tar.gz</a>');
    const s = await serve(root);
    const { client, events } = makeClient(`${s.url}/simple/`);
    t.teardown(() => client.close());
    const page = await client.getProject('demo');
    const meta = await client.getMetadata(page.files[0]!);
    t.equal(meta.metadataVersion, '2.2');
    t.same(meta.requiresDist.map((r) => r.name), ['six', 'cython']);
    t.same(meta.providesExtra, ['fast']);
    t.ok(events.some((e) => e.type === 'metadata:fetched' && e.via === 'pkg-info'));
    // Dynamic Requires-Dist: PKG-INFO cannot be trusted and no Python was given.
    await rejectsWith(t, client.getMetadata(page.files[1]!), 'E_PYTHON_NOT_FOUND', `${s.url}/files/demo-2.0.tar.gz`);
  });
}
