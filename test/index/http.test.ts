/**
 * Failure modes of the HTTP layer against a real loopback server with
 * injected faults. Every error asserts its code and that the message names
 * the URL; retries are counted in the server's request log (backoff delay 0).
 */
import { createServer } from 'node:net';
import t from 'tap';
import { HttpClient } from '../../src/index/http.js';
import type { PyindexEvent } from '../../src/events/index.js';
import { rejectsWith, tempDir } from '../helpers/index-client-kit.js';
import { startStaticServer } from '../helpers/static-server.js';

const events: PyindexEvent[] = [];
const http = new HttpClient({ userAgent: 'pyindex-test', retries: 2, retryDelayMs: 0, timeoutMs: 300, onEvent: (e) => events.push(e) });
const server = await startStaticServer(tempDir(), {
  faults: {
    '/missing': { kind: 'status', status: 404 },
    '/gone': { kind: 'status', status: 410 },
    '/boom': { kind: 'status', status: 500, body: 'internal kaboom' },
    '/forbidden': { kind: 'status', status: 403 },
    '/stall': { kind: 'stall' },
    '/truncated': { kind: 'truncate', bytes: 1000 },
    '/loop': { kind: 'redirect', location: '/loop' },
    '/hop': { kind: 'redirect', location: '/target', status: 301 },
    '/target': { kind: 'body', contentType: 'text/plain', body: 'landed' },
    '/to-file': { kind: 'redirect', location: 'file:///etc/passwd' },
  },
});
t.teardown(async () => {
  await http.close();
  await server.close();
});
const count = (path: string) => server.requests.filter((r) => r.path === path).length;

t.test('404 and 410 are E_NOT_FOUND, not retried', async (t) => {
  await rejectsWith(t, http.get(`${server.url}/missing`), 'E_NOT_FOUND', `${server.url}/missing`);
  await rejectsWith(t, http.get(`${server.url}/gone`), 'E_NOT_FOUND', `${server.url}/gone`);
  t.equal(count('/missing'), 1);
});

t.test('500 is retried, then E_HTTP with status and hint', async (t) => {
  await rejectsWith(t, http.get(`${server.url}/boom`), 'E_HTTP', `${server.url}/boom`);
  t.equal(count('/boom'), 3, 'one attempt + 2 retries');
  await t.rejects(http.get(`${server.url}/boom`), { details: { status: 500 }, message: /internal kaboom/, hint: /index is up/ });
  t.ok(events.some((e) => e.type === 'index:retry' && e.url.endsWith('/boom')), 'retry events emitted');
});

t.test('403 is E_HTTP, not retried', async (t) => {
  await rejectsWith(t, http.get(`${server.url}/forbidden`), 'E_HTTP', `${server.url}/forbidden`);
  t.equal(count('/forbidden'), 1);
});

t.test('a stalled body is E_TIMEOUT', async (t) => {
  const once = new HttpClient({ userAgent: 'pyindex-test', retries: 0, timeoutMs: 200 });
  t.teardown(() => once.close());
  await rejectsWith(t, once.get(`${server.url}/stall`), 'E_TIMEOUT', `${server.url}/stall`);
  await t.rejects(once.get(`${server.url}/stall`), { name: 'PyindexError', hint: /--offline/ });
});

t.test('a truncated body is E_NETWORK', async (t) => {
  await rejectsWith(t, http.get(`${server.url}/truncated`), 'E_NETWORK', `${server.url}/truncated`);
  t.equal(count('/truncated'), 3, 'retried');
});

t.test('connection refused is E_NETWORK with the --offline hint', async (t) => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const url = `http://127.0.0.1:${port}/simple/`;
  await rejectsWith(t, http.get(url), 'E_NETWORK', url);
  await t.rejects(http.get(url), { message: /connection refused/, hint: /--offline/ });
});

t.test('redirects: followed with the final URL kept, loops bounded, no jump to file:', async (t) => {
  const res = await http.get(`${server.url}/hop`);
  t.equal(res.finalUrl, `${server.url}/target`);
  t.equal(res.url, `${server.url}/hop`);
  t.equal(res.body.toString(), 'landed');
  await rejectsWith(t, http.get(`${server.url}/loop`), 'E_HTTP', `${server.url}/loop`);
  await rejectsWith(t, http.get(`${server.url}/to-file`), 'E_HTTP', `${server.url}/to-file`);
});

t.test('file: URLs: directories serve index pages, ranges are honoured, missing files are E_NOT_FOUND', async (t) => {
  const { writeFileSync, mkdirSync } = await import('node:fs');
  const { pathToFileURL } = await import('node:url');
  const dir = tempDir();
  mkdirSync(`${dir}/proj`);
  writeFileSync(`${dir}/proj/index.html`, '<a href="x">x</a>');
  writeFileSync(`${dir}/proj/index.json`, '{}');
  writeFileSync(`${dir}/blob`, '0123456789');
  const base = pathToFileURL(dir).href;
  const html = await http.get(`${base}/proj/`);
  t.equal(html.headers['content-type'], 'text/html');
  const json = await http.get(`${base}/proj/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
  t.equal(json.headers['content-type'], 'application/vnd.pypi.simple.v1+json');
  const tail = await http.get(`${base}/blob`, { headers: { range: 'bytes=-4' } });
  t.equal(tail.status, 206);
  t.equal(tail.body.toString(), '6789');
  t.equal(tail.headers['content-range'], 'bytes 6-9/10');
  await rejectsWith(t, http.get(`${base}/nope`), 'E_NOT_FOUND', `${base}/nope`);
});
