/**
 * The on-disk page cache: a second client on the same cache directory
 * revalidates (If-None-Match → 304, visible in the server log) instead of
 * refetching; offline mode serves the cache alone and a miss names what is
 * missing; metadata results are reused offline. Entries are not fsynced, so
 * a torn or altered entry must read as a miss (refetched), never as content.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cachedIndex } from '../helpers/cached-index.js';
import { makeClient, rejectsWith, tempDir } from '../helpers/index-client-kit.js';
import { sharedAvailable } from '../helpers/mkindex.js';
import { startStaticServer } from '../helpers/static-server.js';

if (!sharedAvailable()) {
  t.plan(0, 'shared/tools/mkindex not available');
} else {
  const root = cachedIndex('corpus/packse/yanked/package-only-yanked-in-range.json', ['--json', '--metadata']);
  const server = await startStaticServer(root, { negotiate: true });
  t.teardown(() => server.close());

  t.test('second run revalidates with 304; offline runs from the cache; a miss says what is missing', async (t) => {
    const cacheDir = tempDir();
    const first = makeClient(`${server.url}/simple/`, { cacheDir });
    const page1 = await first.client.getProject('a');
    const meta1 = await first.client.getMetadata(page1.files[1]!);
    await first.client.close();
    t.ok(first.events.some((e) => e.type === 'index:response' && e.fromCache === 'miss'), 'first run: miss');

    const before = server.requests.length;
    const second = makeClient(`${server.url}/simple/`, { cacheDir });
    const page2 = await second.client.getProject('a');
    await second.client.close();
    const log = server.requests.slice(before);
    t.same(log.map((r) => [r.path, r.status]), [['/simple/a/', 304]], 'one conditional request, answered 304');
    t.same(page2, page1, 'same page from the revalidated cache');
    t.ok(second.events.some((e) => e.type === 'index:response' && e.fromCache === 'revalidated'));

    const beforeOffline = server.requests.length;
    const offline = makeClient(`${server.url}/simple/`, { cacheDir, offline: true });
    const page3 = await offline.client.getProject('a');
    const meta3 = await offline.client.getMetadata(page3.files[1]!);
    t.same(page3, page1, 'offline: page from cache');
    t.equal(meta3.version.toString(), meta1.version.toString(), 'offline: metadata from cache');
    t.ok(offline.events.some((e) => e.type === 'metadata:fetched' && e.via === 'cache'));
    t.equal(server.requests.length, beforeOffline, 'offline sent no request');
    await rejectsWith(t, offline.client.getProject('b'), 'E_OFFLINE_MISS', `${server.url}/simple/b/`);
    await t.rejects(offline.client.getProject('b'), { name: 'PyindexError', hint: /once online/ });
    await rejectsWith(t, offline.client.getMetadata(page3.files[0]!), 'E_OFFLINE_MISS', page3.files[0]!.url);
    await offline.client.close();
    t.ok(readdirSync(`${cacheDir}/http-v2`).length > 0, 'entries under cacheDir/http-v2');
  });

  t.test('a changed page is refetched, not served stale', async (t) => {
    const cacheDir = tempDir();
    const c1 = makeClient(`${server.url}/simple/`, { cacheDir });
    await c1.client.getProject('a');
    await c1.client.close();
    server.faults['/simple/a/'] = { kind: 'body', contentType: 'application/vnd.pypi.simple.v1+json', body: JSON.stringify({ meta: { 'api-version': '1.0' }, name: 'a', files: [] }) };
    t.teardown(() => delete server.faults['/simple/a/']);
    const c2 = makeClient(`${server.url}/simple/`, { cacheDir });
    t.equal((await c2.client.getProject('a')).files.length, 0, 'new content wins');
    await c2.client.close();
  });

  /** Every entry file under `dir` (two levels: shard/entry). */
  function entries(dir: string): string[] {
    return readdirSync(dir).flatMap((shard) => readdirSync(join(dir, shard)).map((f) => join(dir, shard, f)));
  }

  t.test('a truncated or altered cache entry is a miss: refetched, never used', async (t) => {
    const cacheDir = tempDir();
    const c1 = makeClient(`${server.url}/simple/`, { cacheDir });
    const page = await c1.client.getProject('a');
    const meta = await c1.client.getMetadata(page.files[1]!);
    await c1.client.close();
    const [pageEntry] = entries(join(cacheDir, 'http-v2'));
    const [metaEntry] = entries(join(cacheDir, 'metadata-v2'));
    t.ok(pageEntry && metaEntry, 'one page and one metadata entry written');
    const pageBytes = readFileSync(pageEntry!);
    writeFileSync(pageEntry!, pageBytes.subarray(0, pageBytes.length - 10)); // torn: the tail never reached the disk
    const metaBytes = readFileSync(metaEntry!);
    writeFileSync(metaEntry!, Buffer.concat([metaBytes.subarray(0, metaBytes.length - 1), Buffer.from('X')])); // same length, other bytes

    const offline = makeClient(`${server.url}/simple/`, { cacheDir, offline: true });
    await rejectsWith(t, offline.client.getProject('a'), 'E_OFFLINE_MISS', `${server.url}/simple/a/`);
    await offline.client.close();

    const before = server.requests.length;
    const c2 = makeClient(`${server.url}/simple/`, { cacheDir });
    const again = await c2.client.getProject('a');
    const metaAgain = await c2.client.getMetadata(again.files[1]!);
    await c2.client.close();
    await server.settled();
    t.same(again, page, 'the page is fetched again and equal');
    t.equal(metaAgain.version.toString(), meta.version.toString());
    t.same(
      server.requests.slice(before).map((r) => [r.path, r.status]),
      [['/simple/a/', 200], [new URL(page.files[1]!.url).pathname + '.metadata', 200]],
      'an unconditional page request (the torn entry gave no validator) and a metadata refetch',
    );
    t.ok(c2.events.some((e) => e.type === 'metadata:fetched' && e.via !== 'cache'), 'metadata not taken from the altered entry');
  });

  t.test('after a run, every entry is in place and no temp file is left', async (t) => {
    const cacheDir = tempDir();
    const c = makeClient(`${server.url}/simple/`, { cacheDir });
    const page = await c.client.getProject('a');
    await Promise.all(page.files.map((f) => c.client.getMetadata(f)));
    await c.client.close();
    const files = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name);
    const pages = files(join(cacheDir, 'http-v2'));
    const metadata = files(join(cacheDir, 'metadata-v2'));
    t.same([...pages, ...metadata].filter((n) => n.endsWith('.tmp')), [], 'no temp file left');
    t.equal(pages.length, 1, 'the page entry is in place');
    t.equal(metadata.length, page.files.length, 'one metadata entry per file, in place');
    const before = server.requests.length;
    const offline = makeClient(`${server.url}/simple/`, { cacheDir, offline: true });
    t.same(await offline.client.getProject('a'), page, 'an offline client reads the page from them');
    await offline.client.close();
    t.equal(server.requests.length, before, 'without a request');
  });
}
