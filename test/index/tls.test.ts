/**
 * An index over HTTPS (wire.ts over node:tls), against real loopback HTTPS
 * servers whose certificates openssl makes at test time: a company's
 * internal index signed by its own CA is trusted through NODE_EXTRA_CA_CERTS
 * (the real CLI in a child process, lock and fetch), and each kind of TLS
 * failure is E_TLS (exit 3) with the fix for its kind, asked once — a
 * certificate does not change between attempts, so it is never retried.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { PyindexEvent } from '../../src/events/index.js';
import { HttpClient } from '../../src/index/http.js';
import { IndexSet } from '../../src/index/index-set.js';
import { runCli } from '../helpers/cli.js';
import { serverPool, tempDir } from '../helpers/index-client-kit.js';
import { makeTestPki, opensslMissing } from '../helpers/tls-kit.js';
import { assertWheelsWhole, fetchConfig, twoWheelIndex, wheelsIn } from '../helpers/wheelhouse-kit.js';

const missing = opensslMissing();
if (missing) {
  t.comment(`skipped: ${missing}`);
  t.pass('skipped');
} else {
  const pki = makeTestPki(tempDir('pyindex-tls-'));
  const root = join(tempDir('pyindex-tls-index-'), 'index');
  const built = twoWheelIndex(root);
  // NODE_EXTRA_CA_CERTS empty: this machine's own setting (if any) must not decide what the child trusts.
  const untrusted = { NODE_EXTRA_CA_CERTS: '' };
  const trusted = { NODE_EXTRA_CA_CERTS: pki.caFile };

  t.test('an index with a certificate from an internal CA: trusted through NODE_EXTRA_CA_CERTS, lock and fetch run over HTTPS', async (t) => {
    const server = await serverPool(t)(root, { negotiate: true, tls: pki.server });
    t.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const dir = t.testdir({ 'pyindex.yaml': fetchConfig(`${server.url}/simple/`, { build: ['alpha'] }) });
    const env = { PYINDEX_CACHE_DIR: join(dir, 'cache') };

    const refused = await runCli(['lock'], { cwd: dir, env: { ...env, ...untrusted } });
    t.equal(refused.code, 3, 'exit 3: the index could not be used');
    t.match(refused.stderr, /E_TLS: GET https:\/\/127\.0\.0\.1:\d+\/simple\/alpha\/: the server's certificate is not trusted on this machine/);
    t.match(refused.stderr, /hint: .*export NODE_EXTRA_CA_CERTS=/);
    t.notMatch(refused.stderr, /retrying/, 'a certificate is not retried');
    t.equal(server.connections(), 1, 'one handshake, no retries');
    t.notOk(existsSync(join(dir, 'pyindex.lock.yaml')), 'no lockfile from a failed lock');

    const locked = await runCli(['lock'], { cwd: dir, env: { ...env, ...trusted } });
    t.equal(locked.code, 0, locked.stderr);
    const lockText = readFileSync(join(dir, 'pyindex.lock.yaml'), 'utf8');
    for (const name of ['alpha', 'beta']) t.match(lockText, new RegExp(`name: ${name}\\b`), `${name} locked`);
    t.ok(server.requests.some((r) => r.path === '/simple/beta/'), 'the dependency was read over HTTPS too');

    const wheelhouse = join(dir, 'wh');
    const noTrust = await runCli(['fetch', '--wheelhouse', wheelhouse], { cwd: dir, env: { ...env, ...untrusted } });
    t.equal(noTrust.code, 3);
    t.match(noTrust.stderr, /E_TLS: GET https:.*\.whl: the server's certificate is not trusted/, 'the downloader says the same');
    t.same(wheelsIn(wheelhouse), [], 'nothing fetched');

    const fetched = await runCli(['fetch', '--wheelhouse', wheelhouse], { cwd: dir, env: { ...env, ...trusted } });
    t.equal(fetched.code, 0, fetched.stderr);
    assertWheelsWhole(t, wheelhouse, built);
  });

  t.test('a certificate for another host name: E_TLS that says to use a name the certificate has', async (t) => {
    const server = await serverPool(t)(root, { negotiate: true, tls: pki.otherName });
    const dir = t.testdir({ 'pyindex.yaml': fetchConfig(`${server.url}/simple/`, { build: ['alpha'] }) });
    const res = await runCli(['lock'], { cwd: dir, env: { PYINDEX_CACHE_DIR: join(dir, 'cache'), ...trusted } });
    t.equal(res.code, 3);
    t.match(res.stderr, /E_TLS: .*certificate is for other host names.*\(ERR_TLS_CERT_ALTNAME_INVALID\)/);
    t.match(res.stderr, /hint: Write the index URL with a host name the certificate names/);
    t.equal(server.connections(), 1, 'not retried');
  });

  t.test('in process: a self-signed certificate and a port without TLS are E_TLS, each asked once', async (t) => {
    const serve = serverPool(t);
    const http = new HttpClient({ userAgent: 'pyindex-test', retries: 2, retryDelayMs: 0, timeoutMs: 2000 });
    t.teardown(() => http.close());

    const self = await serve(root, { tls: pki.selfSigned });
    await t.rejects(http.get(`${self.url}/simple/alpha/`), {
      name: 'PyindexError',
      code: 'E_TLS',
      message: /not trusted on this machine.*\(DEPTH_ZERO_SELF_SIGNED_CERT\)$/,
      hint: /NODE_EXTRA_CA_CERTS/,
      details: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
    });
    t.equal(self.connections(), 1, 'self-signed: not retried');

    const plain = await serve(root);
    const asHttps = plain.url.replace(/^http:/, 'https:');
    await t.rejects(http.get(`${asHttps}/simple/alpha/`), { code: 'E_TLS', message: /does not speak TLS on this port/, hint: /http:\/\/ rather than https:\/\// });
    t.equal(plain.connections(), 1, 'wrong protocol: not retried');
  });

  t.test('a mirror set fails over from a server whose certificate is not accepted', async (t) => {
    const serve = serverPool(t);
    const primary = await serve(root, { negotiate: true, tls: pki.selfSigned });
    const mirror = await serve(root, { negotiate: true });
    const events: PyindexEvent[] = [];
    const set = new IndexSet({
      indexes: [{ url: `${primary.url}/simple/`, mirrors: [`${mirror.url}/simple/`] }],
      cacheDir: tempDir('pyindex-tls-cache-'),
      userAgent: 'pyindex-test',
      mirrorOrder: { kind: 'config' },
      retries: 2,
      retryDelayMs: 0,
      onEvent: (e) => events.push(e),
    });
    t.teardown(() => set.close());
    const page = await set.clients[0]!.getProject('alpha');
    t.equal(page.files.length, 1, 'the listing came from the mirror');
    t.match(events.filter((e) => e.type === 'mirror:failover'), [{ from: `${primary.url}/simple/`, to: `${mirror.url}/simple/`, reason: /not trusted.*DEPTH_ZERO_SELF_SIGNED_CERT/ }]);
    t.equal(primary.connections(), 1, 'the primary was asked once, not retried');
  });
}
