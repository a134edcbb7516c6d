/**
 * The mirror layer of the index client (src/index/mirrors.ts,
 * mirrored-http.ts, index-set.ts) against real loopback servers with
 * injected faults: URLs rewritten between servers with different path
 * prefixes and mapped back to the primary's, fail-over on 5xx and on a
 * missing file but not on a missing page, rounds and the final error, a
 * mirror page with absolute links, the probe cache (fresh used, stale
 * ignored), and --mirror-order parsing.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { PyindexEvent } from '../../src/events/index.js';
import { IndexSet } from '../../src/index/index-set.js';
import { baseOf, parseMirrorOrder, MirrorRouter, type MirrorOrder } from '../../src/index/mirrors.js';
import { startStaticServer, type StaticServer } from '../helpers/static-server.js';
import { writePayloadIndex } from '../helpers/wheelhouse-kit.js';

interface Setup {
  a: StaticServer;
  b: StaticServer;
  primary: string;
  mirror: string;
  cacheDir: string;
  events: PyindexEvent[];
  open(order?: MirrorOrder, retries?: number, timeoutMs?: number): IndexSet;
}

/** A (the primary) serves the index at /simple/; B serves the same tree under /pypi/. */
async function setup(t: Test): Promise<Setup> {
  const sets: IndexSet[] = [];
  // Registered before the testdir (teardowns run in order): cache writes land before the directory goes.
  t.teardown(() => Promise.all(sets.map((s) => s.close())));
  const dir = t.testdir({});
  writePayloadIndex(join(dir, 'tree'), [
    { name: 'alpha', version: '1.0', requires: ['beta'] },
    { name: 'beta', version: '2.0' },
  ]);
  mkdirSync(join(dir, 'b'));
  cpSync(join(dir, 'tree'), join(dir, 'b', 'pypi'), { recursive: true });
  const a = await startStaticServer(join(dir, 'tree'), { negotiate: true });
  const b = await startStaticServer(join(dir, 'b'), { negotiate: true });
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const primary = `${a.url}/simple/`;
  const mirror = `${b.url}/pypi/simple/`;
  const events: PyindexEvent[] = [];
  const cacheDir = join(dir, 'cache');
  return {
    a,
    b,
    primary,
    mirror,
    cacheDir,
    events,
    open(order = { kind: 'config' }, retries = 0, timeoutMs = undefined) {
      const set = new IndexSet({ indexes: [{ url: primary, mirrors: [mirror] }], cacheDir, userAgent: 'pyindex-test', mirrorOrder: order, retries, retryDelayMs: 0, timeoutMs, onEvent: (e) => events.push(e) });
      sets.push(set);
      return set;
    },
  };
}

const paths = (s: StaticServer, method = 'GET'): string[] => s.requests.filter((r) => r.method === method).map((r) => r.path);

t.test('bases: a trailing simple/ is the index inside a site', async (t) => {
  t.equal(baseOf('http://h/simple/'), 'http://h/');
  t.equal(baseOf('http://h/pypi/simple'), 'http://h/pypi/');
  t.equal(baseOf('http://h/root/'), 'http://h/root/');
});

t.test('a mirror under another path prefix: requests rewritten onto it, answers in the primary URLs', async (t) => {
  const s = await setup(t);
  const set = s.open({ kind: 'forced', urls: [s.mirror] });
  const page = await set.clients[0]!.getProject('alpha');
  t.equal(page.files[0]!.url, `${s.a.url}/files/alpha-1.0-py3-none-any.whl`, 'file URLs are the primary server\'s');
  const meta = await set.clients[0]!.getMetadata(page.files[0]!);
  t.same(meta.requiresDist.map((r) => r.name), ['beta']);
  t.same(paths(s.a), ['/simple/alpha/'], 'the listing from the primary: the hashes a lock pins are its own');
  t.same(paths(s.b), ['/pypi/files/alpha-1.0-py3-none-any.whl.metadata'], 'metadata from the mirror (first in the order), under its prefix');
  t.match(s.events.filter((e) => e.type === 'mirror:order'), [{ how: 'forced', order: [{ url: s.mirror }, { url: s.primary }] }]);
  t.match(set.mirrorReport(), [{ index: s.primary, order: [s.mirror, s.primary], servers: [{ url: s.primary, primary: true, served: 1 }, { url: s.mirror, primary: false, served: 1, failures: 0 }] }]);
});

t.test('a mirror whose listing names other hashes is not believed while the primary answers', async (t) => {
  const s = await setup(t);
  const set = s.open({ kind: 'forced', urls: [s.mirror] });
  const honest = await set.clients[0]!.getProject('alpha');
  const forged = JSON.stringify({ meta: { 'api-version': '1.1' }, name: 'alpha', files: [{ filename: 'alpha-1.0-py3-none-any.whl', url: '../../files/alpha-1.0-py3-none-any.whl', hashes: { sha256: 'f'.repeat(64) } }] });
  s.b.faults['/pypi/simple/alpha/'] = { kind: 'body', contentType: 'application/vnd.pypi.simple.v1+json', body: forged };
  const again = s.open({ kind: 'forced', urls: [s.mirror] });
  const page = await again.clients[0]!.getProject('alpha');
  t.equal(page.files[0]!.hashes.sha256, honest.files[0]!.hashes.sha256, "the primary's hash, not the mirror's");
  t.notOk(paths(s.b).includes('/pypi/simple/alpha/'), 'the mirror was not asked for the listing');
});

t.test('5xx fails over; a missing page is an answer; a missing file fails over without a strike', async (t) => {
  const s = await setup(t);
  const set = s.open();
  s.a.faults['/simple/alpha/'] = { kind: 'status', status: 503 };
  const page = await set.clients[0]!.getProject('alpha');
  t.equal(page.files.length, 1, 'the page came from the mirror');
  t.match(s.events.filter((e) => e.type === 'mirror:failover'), [{ url: `${s.primary}alpha/`, from: s.primary, to: s.mirror, reason: /HTTP 503/ }]);

  await t.rejects(set.clients[0]!.getProject('nothing-here'), { code: 'E_NOT_FOUND' }, 'a 404 page is not retried elsewhere');
  t.notOk(paths(s.b).includes('/pypi/simple/nothing-here/'), 'the mirror was not asked for a page the primary says does not exist');

  s.a.faults['/files/alpha-1.0-py3-none-any.whl.metadata'] = { kind: 'status', status: 404 };
  const meta = await set.clients[0]!.getMetadata(page.files[0]!);
  t.equal(meta.name, 'alpha', 'a file the primary lacks came from the mirror');
  const primary = set.mirrorReport()[0]!.servers[0]!;
  t.equal(primary.failures, 2);
  t.equal(primary.setAside, undefined, 'a missing file is not a strike towards setting a server aside');
});

t.test('a server that stops answering mid-response times out and the request moves on', async (t) => {
  const s = await setup(t);
  const set = s.open({ kind: 'config' }, 0, 300);
  s.a.faults['/simple/alpha/'] = { kind: 'stall' };
  const page = await set.clients[0]!.getProject('alpha');
  t.equal(page.files.length, 1, 'the page came from the mirror');
  t.match(s.events.filter((e) => e.type === 'mirror:failover'), [{ from: s.primary, to: s.mirror, reason: /no answer within 300 ms|no data/ }]);
});

t.test('every server failing: rounds, then one error naming the servers tried; three strikes set a server aside', async (t) => {
  const s = await setup(t);
  const set = s.open({ kind: 'config' }, 1);
  s.a.faults['/simple/beta/'] = { kind: 'status', status: 500 };
  s.b.faults['/pypi/simple/beta/'] = { kind: 'status', status: 502 };
  const err = await set.clients[0]!.getProject('beta').catch((e: unknown) => e);
  t.match(err, { code: 'E_HTTP', message: new RegExp(`HTTP 502.*\\(tried 2 server\\(s\\) of ${s.primary.replace(/[/.]/g, '\\$&')}: ${s.primary}, ${s.mirror}\\)`) });
  t.equal(paths(s.a).filter((p) => p === '/simple/beta/').length, 2, 'two rounds (retries: 1), one attempt each');
  t.same(s.events.filter((e) => e.type === 'mirror:set-aside'), [], 'two strikes each: nobody set aside yet');
  s.a.faults['/simple/alpha/'] = { kind: 'status', status: 500 };
  await set.clients[0]!.getProject('alpha');
  t.match(s.events.filter((e) => e.type === 'mirror:set-aside'), [{ mirror: s.primary, failures: 3, reason: /HTTP 500/ }]);
  delete s.a.faults['/simple/alpha/'];
  const before = s.a.requests.length;
  await set.http.get(`${s.primary}alpha/`);
  t.equal(s.a.requests.length, before, 'a server set aside is not asked while another is up');
});

t.test('a mirror page linking its files absolutely: mapped back to the primary', async (t) => {
  const s = await setup(t);
  const body = JSON.stringify({
    meta: { 'api-version': '1.1' },
    name: 'beta',
    files: [{ filename: 'beta-2.0-py3-none-any.whl', url: `${s.b.url}/pypi/files/beta-2.0-py3-none-any.whl`, hashes: { sha256: 'a'.repeat(64) } }],
  });
  s.b.faults['/pypi/simple/beta/'] = { kind: 'body', contentType: 'application/vnd.pypi.simple.v1+json', body };
  const set = s.open({ kind: 'forced', urls: [s.mirror] });
  const page = await set.clients[0]!.getProject('beta');
  t.equal(page.files[0]!.url, `${s.a.url}/files/beta-2.0-py3-none-any.whl`);
});

t.test('probe: nearest first, reused while fresh, redone when stale', async (t) => {
  const s = await setup(t);
  s.open({ kind: 'nearest' });
  const first = s.open({ kind: 'nearest' });
  await first.clients[0]!.getProject('alpha');
  t.same(paths(s.a, 'HEAD'), ['/simple/'], 'the primary\'s root probed once');
  t.same(paths(s.b, 'HEAD'), ['/pypi/simple/']);
  const [order] = s.events.filter((e): e is Extract<PyindexEvent, { type: 'mirror:order' }> => e.type === 'mirror:order');
  t.equal(order?.how, 'probe');
  t.ok(order?.order.every((o) => typeof o.rttMs === 'number'), 'both answered');

  // A cache entry says the mirror is nearer: while fresh, it decides (no probe).
  const file = join(s.cacheDir, 'mirrors-v1', `${createHash('sha256').update(JSON.stringify([s.primary, s.mirror])).digest('hex').slice(0, 32)}.json`);
  writeFileSync(file, JSON.stringify({ probedAt: Date.now(), results: { [s.primary]: { rttMs: 90 }, [s.mirror]: { rttMs: 1 } } }));
  s.events.length = 0;
  const cachedSet = s.open({ kind: 'nearest' });
  const betaPage = await cachedSet.clients[0]!.getProject('beta');
  await cachedSet.clients[0]!.getMetadata(betaPage.files[0]!);
  t.match(s.events.filter((e) => e.type === 'mirror:order'), [{ how: 'cached probe', order: [{ url: s.mirror, rttMs: 1 }, { url: s.primary, rttMs: 90 }] }]);
  t.equal(paths(s.a, 'HEAD').length, 1, 'not probed again');
  t.ok(paths(s.b).includes('/pypi/files/beta-2.0-py3-none-any.whl.metadata'), 'the nearer one was asked for the file (listings come from the primary)');

  writeFileSync(file, JSON.stringify({ probedAt: Date.now() - 11 * 60_000, results: { [s.primary]: { rttMs: 90 }, [s.mirror]: { rttMs: 1 } } }));
  s.events.length = 0;
  await s.open({ kind: 'nearest' }).clients[0]!.getProject('beta');
  t.match(s.events.filter((e) => e.type === 'mirror:order'), [{ how: 'probe' }], 'a stale entry is probed again');
  t.equal(paths(s.a, 'HEAD').length, 2);
});

t.test('--mirror-order values', async (t) => {
  t.same(parseMirrorOrder(undefined), { kind: 'nearest' });
  t.same(parseMirrorOrder('nearest'), { kind: 'nearest' });
  t.same(parseMirrorOrder('config'), { kind: 'config' });
  t.same(parseMirrorOrder('http://a/simple/, https://b/simple/'), { kind: 'forced', urls: ['http://a/simple/', 'https://b/simple/'] });
  t.throws(() => parseMirrorOrder('fastest'), { code: 'E_USAGE', message: /"nearest", "config" or comma-separated http\(s\) URLs/ });
  t.throws(() => parseMirrorOrder(''), { code: 'E_USAGE' });
  const ctx = { cacheDir: '/nonexistent', userAgent: 't' };
  t.throws(() => new MirrorRouter([{ url: 'http://a/simple/', mirrors: ['http://b/simple/'] }], { ...ctx, order: { kind: 'forced', urls: ['http://c/simple/'] } }), {
    code: 'E_USAGE',
    message: /--mirror-order names http:\/\/c\/simple\/, which is not a server of any index with mirrors/,
    hint: /http:\/\/a\/simple\/, http:\/\/b\/simple\//,
  });
  t.doesNotThrow(() => new MirrorRouter([{ url: 'http://a/simple/', mirrors: ['http://b/simple/'] }], { ...ctx, order: { kind: 'forced', urls: ['http://b/simple'] } }), 'a trailing slash does not matter');
});
