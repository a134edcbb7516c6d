/**
 * HTTP proxies (src/index/proxy.ts, wire.ts): which proxy the environment
 * names for a URL (no_proxy rules as curl reads them), then the real CLI
 * through a real proxy — Debian's tinyproxy on loopback — for an http index
 * (absolute-form requests) and an https one (CONNECT tunnel, TLS to the
 * index over it), with no_proxy, proxy credentials (407), a proxy that is
 * down, and a proxy kind pyindex does not speak.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { proxyFor } from '../../src/index/proxy.js';
import { runCli } from '../helpers/cli.js';
import { serverPool, tempDir } from '../helpers/index-client-kit.js';
import { startTinyproxy, tinyproxyMissing, type Tinyproxy } from '../helpers/tinyproxy.js';
import { makeTestPki, opensslMissing } from '../helpers/tls-kit.js';
import { assertWheelsWhole, fetchConfig, twoWheelIndex } from '../helpers/wheelhouse-kit.js';

const u = (s: string) => new URL(s);

t.test('the proxy for a URL: scheme variables, lower case first, all_proxy as fallback', async (t) => {
  t.equal(proxyFor(u('https://pypi.internal/simple/'), {}), undefined, 'no variables: direct');
  const env = { https_proxy: 'http://tls-proxy:3128', HTTPS_PROXY: 'http://ignored:1', HTTP_PROXY: 'plain-proxy:8080' };
  t.match(proxyFor(u('https://pypi.internal/simple/'), env), { origin: 'http://tls-proxy:3128', host: 'tls-proxy', port: 3128 });
  t.match(proxyFor(u('http://pypi.internal/simple/'), env), { origin: 'http://plain-proxy:8080', port: 8080 }, 'upper case when lower is unset; a bare host:port is http://');
  t.match(proxyFor(u('https://x/'), { ALL_PROXY: 'http://all:3128' }), { origin: 'http://all:3128' });
  t.match(proxyFor(u('http://x/'), { all_proxy: 'http://all' }), { port: 80 });
  t.equal(proxyFor(u('https://x/'), { https_proxy: '  ' }), undefined, 'an empty value is unset');
  const auth = proxyFor(u('https://x/'), { https_proxy: 'http://build%40corp:p%3Ass@proxy:3128' });
  t.equal(auth?.origin, 'http://proxy:3128', 'no credentials in the origin (it is printed)');
  t.equal(auth?.authorization, `Basic ${Buffer.from('build@corp:p:ss').toString('base64')}`, 'credentials percent-decoded into Basic');
  t.throws(() => proxyFor(u('https://x/'), { https_proxy: 'socks5://127.0.0.1:1080' }), { code: 'E_PROXY_UNSUPPORTED', message: /https_proxy names a socks5:\/\/ proxy/ });
  t.throws(() => proxyFor(u('https://x/'), { all_proxy: 'https://proxy:443' }), { message: /all_proxy names a https:\/\/ proxy/ });
  t.equal(proxyFor(u('https://x/'), { http_proxy: 'socks5://p' }), undefined, 'only the variable that applies matters');
});

t.test('no_proxy: *, domains and their subdomains, ports, IP addresses and CIDR blocks', async (t) => {
  const p = 'http://proxy:3128';
  const direct = (url: string, noProxy: string) => proxyFor(u(url), { https_proxy: p, http_proxy: p, no_proxy: noProxy }) === undefined;
  t.ok(direct('https://pypi.internal/', '*'));
  t.ok(direct('https://corp.example/', 'corp.example'));
  t.ok(direct('https://pypi.corp.example/', 'corp.example'), 'a subdomain');
  t.ok(direct('https://pypi.corp.example/', '.corp.example'));
  t.ok(direct('https://pypi.corp.example/', '*.corp.example'));
  t.ok(direct('https://PyPI.Corp.Example./', 'corp.example'), 'case and a trailing dot do not matter');
  t.notOk(direct('https://notcorp.example/', 'corp.example'), 'not a mere suffix');
  t.ok(direct('https://pypi.corp.example:8443/', 'other.example, corp.example:8443'));
  t.notOk(direct('https://pypi.corp.example/', 'corp.example:8443'), 'another port');
  t.ok(direct('http://10.1.2.3:8080/', '10.0.0.0/8'));
  t.notOk(direct('http://11.1.2.3/', '10.0.0.0/8'));
  t.ok(direct('http://192.168.0.7/', '192.168.0.7'));
  t.ok(direct('http://[::1]:3141/', '[::1]'));
  t.ok(direct('http://[fd00::5]/', 'fd00::/8'));
  t.notOk(direct('http://127.0.0.1/', 'localhost'), 'localhost and 127.0.0.1 are different entries, as for curl');
  t.notOk(direct('http://127.0.0.1/', ''), 'loopback is proxied unless listed (curl, pip)');
  t.ok(direct('http://127.0.0.1/', ' localhost , 127.0.0.1 '));
});

const missing = tinyproxyMissing() ?? opensslMissing();
if (missing) {
  t.comment(`skipped: ${missing}`);
  t.pass('skipped');
} else {
  const pki = makeTestPki(tempDir('pyindex-proxy-pki-'));
  const root = join(tempDir('pyindex-proxy-index-'), 'index');
  const built = twoWheelIndex(root);
  const wheels = built.map((f) => f.filename).sort();
  // Nothing from this machine's own settings: each case says which proxy variables exist.
  const clean = { http_proxy: '', https_proxy: '', all_proxy: '', no_proxy: '', HTTP_PROXY: '', HTTPS_PROXY: '', ALL_PROXY: '', NO_PROXY: '', NODE_EXTRA_CA_CERTS: pki.caFile };
  const proxies: Tinyproxy[] = [];
  t.teardown(() => Promise.all(proxies.map((p) => p.close())));
  const proxy = async (options?: Parameters<typeof startTinyproxy>[1]) => {
    const p = await startTinyproxy(tempDir('pyindex-tinyproxy-'), options);
    proxies.push(p);
    return p;
  };

  /** lock then fetch in a fresh project against `index`, with `env`; the wheels must arrive whole. */
  const lockAndFetch = async (t: Test, index: string, env: NodeJS.ProcessEnv) => {
    const dir = t.testdir({ 'pyindex.yaml': fetchConfig(index, { build: ['alpha'] }) });
    const all = { ...clean, PYINDEX_CACHE_DIR: join(dir, 'cache'), ...env };
    const locked = await runCli(['lock'], { cwd: dir, env: all });
    t.equal(locked.code, 0, `lock: ${locked.stderr}`);
    const fetched = await runCli(['fetch', '--wheelhouse', join(dir, 'wh')], { cwd: dir, env: all });
    t.equal(fetched.code, 0, `fetch: ${fetched.stderr}`);
    assertWheelsWhole(t, join(dir, 'wh'), built);
  };

  t.test('an http index through http_proxy: absolute-form requests via the proxy; no_proxy goes around it', async (t) => {
    const index = await serverPool(t)(root, { negotiate: true });
    const p = await proxy();
    await lockAndFetch(t, `${index.url}/simple/`, { http_proxy: p.url });
    const through = p.requests();
    t.ok(through.includes(`GET ${index.url}/simple/alpha/ HTTP/1.1`), 'the page went through the proxy');
    for (const w of wheels) t.ok(through.includes(`GET ${index.url}/files/${w} HTTP/1.1`), `${w} went through the proxy`);
    const seen = index.requests.length;

    const before = p.requests().length;
    await lockAndFetch(t, `${index.url}/simple/`, { http_proxy: p.url, no_proxy: '127.0.0.1' });
    t.equal(p.requests().length, before, 'no_proxy: nothing through the proxy');
    t.ok(index.requests.length > seen, 'the index was asked directly');
  });

  t.test('an https index through https_proxy: a CONNECT tunnel, TLS to the index over it', async (t) => {
    const index = await serverPool(t)(root, { negotiate: true, tls: pki.server });
    const p = await proxy();
    await lockAndFetch(t, `${index.url}/simple/`, { https_proxy: p.url });
    const host = index.url.replace(/^https:\/\//, '');
    const connects = p.requests().filter((r) => r === `CONNECT ${host} HTTP/1.1`);
    t.ok(connects.length >= 2, `tunnels opened (${connects.length}) for the lock and the fetch`);
    t.same(p.requests().filter((r) => !r.startsWith('CONNECT ')), [], 'nothing but tunnels: the proxy never saw a request inside them');
    t.ok(index.requests.some((r) => r.path === '/simple/beta/'), 'the index answered over the tunnel');
  });

  t.test('a proxy that wants credentials: 407 is E_NETWORK with the fix, not retried; credentials in the URL work', async (t) => {
    const tlsIndex = await serverPool(t)(root, { negotiate: true, tls: pki.server });
    const plainIndex = await serverPool(t)(root, { negotiate: true });
    const p = await proxy({ basicAuth: { user: 'build', password: 's3cret' } });
    const dir = t.testdir({ 'pyindex.yaml': fetchConfig(`${tlsIndex.url}/simple/`, { build: ['alpha'] }) });
    const env = { ...clean, PYINDEX_CACHE_DIR: join(dir, 'cache') };

    const tunnel = await runCli(['lock'], { cwd: dir, env: { ...env, https_proxy: p.url } });
    t.equal(tunnel.code, 3);
    t.match(tunnel.stderr, /E_NETWORK: GET https:\/\/127\.0\.0\.1:\d+\/simple\/alpha\/ through the proxy http:\/\/127\.0\.0\.1:\d+: the proxy .* refused the tunnel .*407.* \(E_PROXY_AUTH\)/);
    t.match(tunnel.stderr, /hint: The proxy wants credentials: put them in the proxy URL/);
    t.notMatch(tunnel.stderr, /retrying/, 'a 407 is not retried');

    const plainDir = t.testdir({ 'pyindex.yaml': fetchConfig(`${plainIndex.url}/simple/`, { build: ['alpha'] }) });
    const absolute = await runCli(['lock'], { cwd: plainDir, env: { ...env, http_proxy: p.url } });
    t.equal(absolute.code, 3);
    t.match(absolute.stderr, /E_HTTP: GET http:\/\/127\.0\.0\.1:\d+\/simple\/alpha\/: HTTP 407/);
    t.match(absolute.stderr, /hint: The proxy wants credentials/);

    await lockAndFetch(t, `${tlsIndex.url}/simple/`, { https_proxy: p.url.replace('http://', 'http://build:s3cret@') });
  });

  t.test('a proxy that is down, and one pyindex cannot speak to: exit 3 naming the proxy', async (t) => {
    const index = await serverPool(t)(root, { negotiate: true });
    const p = await proxy();
    await p.close();
    const dir = t.testdir({ 'pyindex.yaml': fetchConfig(`${index.url}/simple/`, { build: ['alpha'] }) });
    const env = { ...clean, PYINDEX_CACHE_DIR: join(dir, 'cache') };
    const down = await runCli(['lock'], { cwd: dir, env: { ...env, http_proxy: p.url } });
    t.equal(down.code, 3);
    t.match(down.stderr, new RegExp(`E_NETWORK: GET ${index.url}/simple/alpha/ through the proxy ${p.url}: connection refused \\(ECONNREFUSED\\)`));
    t.match(down.stderr, /hint: The request went through the proxy .*list the index's host in no_proxy/);
    t.equal(index.requests.length, 0, 'the index was never asked directly');

    const socks = await runCli(['lock'], { cwd: dir, env: { ...env, all_proxy: 'socks5://127.0.0.1:1080' } });
    t.equal(socks.code, 3);
    t.match(socks.stderr, /all_proxy names a socks5:\/\/ proxy; pyindex speaks to http:\/\/ proxies only/);
    t.match(socks.stderr, /hint: Point https_proxy \/ http_proxy \/ all_proxy at an http:\/\/ proxy/);
    t.notOk(existsSync(join(dir, 'pyindex.lock.yaml')), 'no lockfile');
  });

  t.test('mirrors are probed through the proxy too (nearest first), as their pages and files are fetched', async (t) => {
    const serve = serverPool(t);
    const primary = await serve(root, { negotiate: true });
    const mirror = await serve(root, { negotiate: true });
    const p = await proxy();
    const config = [
      `index:`,
      `  url: ${primary.url}/simple/`,
      `  mirrors: [${mirror.url}/simple/]`,
      'profiles:',
      '  linux: { platform: linux-x86_64, python: "3.11" }',
      'jobs:',
      '  build:',
      '    requires: ["alpha"]',
      '    profiles: [linux]',
      '',
    ].join('\n');
    const dir = t.testdir({ 'pyindex.yaml': config });
    const res = await runCli(['lock', '--mirror-order', 'nearest'], { cwd: dir, env: { ...clean, PYINDEX_CACHE_DIR: join(dir, 'cache'), http_proxy: p.url } });
    t.equal(res.code, 0, res.stderr);
    const heads = p.requests().filter((r) => r.startsWith('HEAD '));
    t.same(heads.sort(), [`HEAD ${mirror.url}/simple/ HTTP/1.1`, `HEAD ${primary.url}/simple/ HTTP/1.1`].sort(), 'one probe of each server, through the proxy');
    t.ok(p.requests().some((r) => r === `GET ${primary.url}/simple/alpha/ HTTP/1.1`), 'the listing through the proxy');
  });
}
