/**
 * Index pages over a real loopback HTTP server: PEP 691 JSON (negotiated)
 * and PEP 503 HTML parse to the same files; the details each format encodes
 * differently (escaping, yank marks, relative links, base href, PEP 714 key
 * names) come out right; junk is reported with the URL.
 */
import t from 'tap';
import { cachedIndex } from '../helpers/cached-index.js';
import { makeClient, rejectsWith, serverPool } from '../helpers/index-client-kit.js';
import { sharedAvailable } from '../helpers/mkindex.js';
import type { IndexFile } from '../../src/index/types.js';

if (!sharedAvailable()) {
  t.plan(0, 'shared/tools/mkindex not available');
} else {
  const CHEROOT = 'corpus/pypi-2020/index/pypi-2020-11-17-cheroot.json';
  const root = cachedIndex(CHEROOT, ['--json', '--metadata', '--sdists']);
  const serve = serverPool(t);

  // The HTML page carries no size (PEP 700 is JSON-only); everything else must agree.
  const comparable = (f: IndexFile) => ({ ...f, size: undefined, uploadTime: undefined });

  t.test('JSON (negotiated) and HTML pages give the same files for every cheroot-snapshot project', async (t) => {
    const json = await serve(root, { negotiate: true });
    const html = await serve(root, { negotiate: false });
    const a = makeClient(`${json.url}/simple/`);
    const b = makeClient(`${html.url}/simple`);
    t.teardown(() => Promise.all([a.client.close(), b.client.close()]));
    const names = await a.client.listProjects();
    t.same(await b.client.listProjects(), names, 'root pages list the same projects');
    t.equal(names.length, 775);
    let files = 0;
    let mismatches = 0;
    for (const name of names) {
      const [pj, ph] = await Promise.all([a.client.getProject(name), b.client.getProject(name)]);
      files += pj.files.length;
      const left = pj.files.map(comparable).map((f) => ({ ...f, url: f.url.replace(json.url, '') }));
      const right = ph.files.map(comparable).map((f) => ({ ...f, url: f.url.replace(html.url, '') }));
      if (JSON.stringify(left) !== JSON.stringify(right)) {
        mismatches++;
        t.same(right, left, `${name}: HTML == JSON`);
      }
    }
    t.equal(mismatches, 0, `all ${names.length} projects agree`);
    t.equal(files, 13273 * 2, 'every wheel and sdist is listed');
    t.ok(json.requests.every((r) => r.accept?.startsWith('application/vnd.pypi.simple.v1+json')), 'PEP 691 Accept header sent');

    const page = await a.client.getProject('CherOot'); // PEP 503 normalization picks the URL
    t.equal(page.name, 'cheroot');
    t.equal(page.meta.apiVersion, '1.1');
    t.equal(page.versions?.length, 60, 'PEP 700 versions from JSON');
    const wheel = page.files[0]!;
    t.equal(wheel.url, `${json.url}/files/cheroot-5.0.0-py3-none-any.whl`, '../../files/ resolved against the page URL');
    t.match(wheel.hashes.sha256, /^[0-9a-f]{64}$/);
    t.equal(wheel.kind, 'wheel');
    t.equal(wheel.size, 1047);
    t.match(wheel.coreMetadata, { sha256: /^[0-9a-f]{64}$/ });
    const htmlWheel = (await b.client.getProject('cheroot')).files[0]!;
    t.same(htmlWheel.hashes, wheel.hashes, '#sha256= fragment read and stripped');
    t.equal(htmlWheel.url, `${html.url}/files/cheroot-5.0.0-py3-none-any.whl`);
    t.equal(page.files[1]!.kind, 'sdist');
    t.equal(page.files[1]!.coreMetadata, false);
  });

  t.test('yanked files (packse scenario) in both formats', async (t) => {
    const dir = cachedIndex('corpus/packse/yanked/package-only-yanked-in-range.json', ['--json', '--metadata']);
    const s = await serve(dir, { negotiate: true });
    for (const negotiate of [true, false]) {
      const { client } = makeClient(negotiate ? `${s.url}/simple/` : `${(await serve(dir)).url}/simple/`);
      const page = await client.getProject('a');
      const byVersion = Object.fromEntries(page.files.map((f) => [f.filename, f.yanked]));
      t.same(byVersion, { 'a-0.1.0-py3-none-any.whl': false, 'a-1.0.0-py3-none-any.whl': true }, negotiate ? 'JSON' : 'HTML');
      await client.close();
    }
  });

  t.test('data-requires-python is HTML-unescaped; JSON needs no escaping', async (t) => {
    const dir = cachedIndex('corpus/packse/requires_python/python-less-than-current.json', ['--json', '--metadata']);
    const s = await serve(dir, { negotiate: true });
    const h = await serve(dir);
    const a = makeClient(`${s.url}/simple/`);
    const b = makeClient(`${h.url}/simple/`);
    t.teardown(() => Promise.all([a.client.close(), b.client.close()]));
    t.equal((await a.client.getProject('a')).files[0]!.requiresPython, '<=3.8');
    t.equal((await b.client.getProject('a')).files[0]!.requiresPython, '<=3.8', '&lt;=3.8 decoded');
  });

  t.test('HTML details: <base href>, anchors without href, yank reasons, PEP 714 legacy attribute, redirects', async (t) => {
    const sha = 'a'.repeat(64);
    const page = `<!DOCTYPE html><html><head><base href="https://files.example/pkgs/"><title>x</title></head><body>
      <a>no href at all</a>
      <a href="">empty href</a>
      <a href="demo-1.0-py3-none-any.whl#sha256=${sha}" data-yanked="broken &amp; bad" data-dist-info-metadata="true">demo-1.0-py3-none-any.whl</a>
      <A HREF="sub/demo-1.1.tar.gz#md5=${'b'.repeat(32)}" data-requires-python="&gt;=3.8,&lt;4" data-core-metadata="sha256=${'c'.repeat(64)}" data-dist-info-metadata="true">demo-1.1.tar.gz</A>
      <a href="demo-1.2.tar.gz#egg=whatever">demo-1.2.tar.gz</a>
      <<<this is > not < html>>>
    </body></html>`;
    const s = await serve(root, {
      faults: {
        '/simple/demo/': { kind: 'body', contentType: 'text/html; charset=utf-8', body: page },
        '/old/simple/moved/': { kind: 'redirect', location: '/mirror/x/y/' },
        '/mirror/x/y/': { kind: 'body', contentType: 'text/html', body: '<a href="../files/moved-1.0.tar.gz">moved-1.0.tar.gz</a>' },
      },
    });
    const { client } = makeClient(`${s.url}/simple/`);
    t.teardown(() => client.close());
    const files = (await client.getProject('demo')).files;
    t.equal(files.length, 3, 'anchors without href are skipped');
    t.same(files[0], {
      filename: 'demo-1.0-py3-none-any.whl',
      url: 'https://files.example/pkgs/demo-1.0-py3-none-any.whl',
      hashes: { sha256: sha },
      requiresPython: undefined,
      yanked: 'broken & bad',
      coreMetadata: true,
      kind: 'wheel',
    });
    t.equal(files[1]!.url, 'https://files.example/pkgs/sub/demo-1.1.tar.gz', 'uppercase tags/attributes, base href honoured');
    t.same(files[1]!.hashes, { md5: 'b'.repeat(32) });
    t.equal(files[1]!.requiresPython, '>=3.8,<4');
    t.same(files[1]!.coreMetadata, { sha256: 'c'.repeat(64) }, 'data-core-metadata wins over data-dist-info-metadata');
    t.same(files[2]!.hashes, {}, 'a non-hash fragment is not a hash');

    // Relative links resolve against the URL after the redirect.
    const { client: c2 } = makeClient(`${s.url}/old/simple/`);
    const moved = await c2.getProject('moved');
    t.equal(moved.files[0]!.url, `${s.url}/mirror/x/files/moved-1.0.tar.gz`);
    await c2.close();
  });

  t.test('junk and unsupported pages fail with E_INDEX_PAGE_INVALID naming the URL', async (t) => {
    const json = 'application/vnd.pypi.simple.v1+json';
    const s = await serve(root, {
      negotiate: true,
      faults: {
        '/simple/notjson/': { kind: 'body', contentType: json, body: '{"meta": {"api-version": "1.0"}, "name": "x", "files": [' },
        '/simple/badschema/': { kind: 'body', contentType: json, body: JSON.stringify({ meta: { 'api-version': '1.0' }, name: 'x', files: [{ filename: 'x-1.tar.gz', hashes: {} }] }) },
        '/simple/badhash/': { kind: 'body', contentType: json, body: JSON.stringify({ meta: { 'api-version': '1.0' }, name: 'x', files: [{ filename: 'x-1.tar.gz', url: 'x-1.tar.gz', hashes: { sha256: 'abc' } }] }) },
        '/simple/v2/': { kind: 'body', contentType: json, body: JSON.stringify({ meta: { 'api-version': '2.0' }, name: 'x', projects: 'whatever' }) },
        '/simple/v1x/': { kind: 'body', contentType: json, body: JSON.stringify({ meta: { 'api-version': '1.7' }, name: 'x', files: [], 'future-key': 1 }) },
        '/simple/v2type/': { kind: 'body', contentType: 'application/vnd.pypi.simple.v2+json', body: '{}' },
        '/simple/binary/': { kind: 'body', contentType: 'application/octet-stream', body: Buffer.from([0, 1, 2, 3]) },
        '/simple/htmlv2/': { kind: 'body', contentType: 'text/html', body: '<meta name="pypi:repository-version" content="2.0"><a href="x-1.tar.gz">x</a>' },
        '/simple/': { kind: 'body', contentType: json, body: '{"meta": {"api-version": "1.0"}, "projects": [{"nom": "x"}]}' },
      },
    });
    const { client } = makeClient(`${s.url}/simple/`);
    t.teardown(() => client.close());
    const url = (p: string) => `${s.url}/simple/${p}/`;
    await rejectsWith(t, client.getProject('notjson'), 'E_INDEX_PAGE_INVALID', url('notjson'));
    await t.rejects(client.getProject('badschema'), { message: /\/files\/0 must have required property 'url'/ }, 'says what is wrong');
    await rejectsWith(t, client.getProject('badhash'), 'E_INDEX_PAGE_INVALID', url('badhash'));
    await rejectsWith(t, client.getProject('v2'), 'E_INDEX_PAGE_INVALID', url('v2'));
    await t.rejects(client.getProject('v2'), { message: /unsupported repository API version 2\.0/ });
    await rejectsWith(t, client.getProject('v2type'), 'E_INDEX_PAGE_INVALID', url('v2type'));
    await rejectsWith(t, client.getProject('binary'), 'E_INDEX_PAGE_INVALID', url('binary'));
    await rejectsWith(t, client.getProject('htmlv2'), 'E_INDEX_PAGE_INVALID', url('htmlv2'));
    await rejectsWith(t, client.listProjects(), 'E_INDEX_PAGE_INVALID', `${s.url}/simple/`);
    const newer = await client.getProject('v1x');
    t.equal(newer.meta.apiVersion, '1.7', 'a newer minor version is accepted (PEP 629)');
  });
}
