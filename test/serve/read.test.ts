/**
 * The read routes of `pyindex serve` over real HTTP on 127.0.0.1: content
 * negotiation, canonical redirects, files with Range and conditional
 * requests, path traversal, the download log and graceful close.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import { openTree } from '../../src/serve/tree/index.js';
import { makeSdist, makeWheel, sha256Hex, type BuiltDist } from '../helpers/serve-dists.js';
import { waitUntil } from '../helpers/upload-kit.js';

const base = mkdtempSync(join(tmpdir(), 'pyindex-read-'));
t.teardown(() => rmSync(base, { recursive: true, force: true }));
const root = join(base, 'root');
const SECRET = 'top-secret-outside-the-root';
writeFileSync(join(base, 'secret.txt'), SECRET);

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let server: RunningServer;
let wheel: BuiltDist;
let sdist: BuiltDist;
let big: BuiltDist;
let huge: BuiltDist;

function call(method: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends bytes no HTTP client library would send (a raw NUL in the target). */
function rawCall(target: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(server.port, '127.0.0.1', () => sock.end(Buffer.concat([Buffer.from('GET '), target, Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')])));
    let out = '';
    sock.setEncoding('latin1').on('data', (d: string) => (out += d));
    sock.on('end', () => resolve(out));
    sock.on('error', reject);
  });
}

t.before(async () => {
  const tree = openTree(root);
  wheel = makeWheel({ name: 'Foo.Bar', version: '1.0', requiresPython: '>=3.8' });
  sdist = await makeSdist({ name: 'foo-bar', version: '1.0' });
  big = makeWheel({ name: 'big', version: '1.0', payload: Buffer.alloc(300_000, 7) });
  // Big enough that the server is still writing it when close() begins.
  huge = makeWheel({ name: 'huge', version: '1.0', payload: Buffer.alloc(24 * 1024 * 1024, 1) });
  for (const d of [wheel, sdist, big, huge]) await tree.addFile({ filename: d.filename, bytes: d.bytes, sha256: d.sha256 });
  server = await startServer({ root, port: 0, mirrorId: 'mirror-a' });
});
t.teardown(() => server?.close(100));

const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';
const V1_HTML = 'application/vnd.pypi.simple.v1+html';
const HTML = 'text/html; charset=utf-8';
const PIP_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01';

t.test('Accept negotiation on /simple/ and /simple/<project>/ (q-values, wildcards, ?format=)', async (t) => {
  const cases: [string | undefined, string, string | 406][] = [
    [undefined, '', HTML],
    ['*/*', '', HTML],
    [PIP_ACCEPT, '', JSON_TYPE],
    [V1_HTML, '', V1_HTML],
    ['text/html', '', HTML],
    ['application/vnd.pypi.simple.v1+json;q=0.5, text/html', '', HTML],
    ['application/vnd.pypi.simple.v1+json;q=0.5, text/html;q=0.4', '', JSON_TYPE],
    ['text/html;q=0, */*', '', V1_HTML],
    ['application/*', '', JSON_TYPE],
    ['application/json', '', 406],
    ['application/vnd.pypi.simple.v1+json;q=0, text/html;q=0', '', 406],
    ['text/html', '?format=application/vnd.pypi.simple.v1+json', JSON_TYPE],
    [undefined, '?format=json', JSON_TYPE],
    [PIP_ACCEPT, '?format=text/html', HTML],
    [undefined, '?format=application/xml', 406],
  ];
  const onDisk = {
    json: readFileSync(join(root, 'simple', 'foo-bar', 'index.json')),
    html: readFileSync(join(root, 'simple', 'foo-bar', 'index.html')),
    rootJson: readFileSync(join(root, 'simple', 'index.json')),
  };
  for (const [accept, query, expected] of cases) {
    for (const path of ['/simple/', '/simple/foo-bar/']) {
      const r = await call('GET', `${path}${query}`, accept === undefined ? {} : { accept });
      const label = `${path}${query} Accept: ${accept ?? '(none)'}`;
      t.equal(r.headers.vary, 'Accept', `${label}: Vary`);
      t.ok(r.headers['content-type'], `${label}: Content-Type set`);
      if (expected === 406) {
        t.equal(r.status, 406, label);
        continue;
      }
      t.equal(r.status, 200, label);
      t.equal(r.headers['content-type'], expected, label);
      if (path === '/simple/foo-bar/') t.same(r.body, expected === JSON_TYPE ? onDisk.json : onDisk.html, `${label}: the static file's bytes`);
      else if (expected === JSON_TYPE) t.same(r.body, onDisk.rootJson);
    }
  }
  const head = await call('HEAD', '/simple/foo-bar/', { accept: PIP_ACCEPT });
  t.equal(head.status, 200);
  t.equal(head.headers['content-length'], String(onDisk.json.length));
  t.equal(head.body.length, 0);
});

t.test('non-normalized names and missing slashes redirect (301) to the canonical URL, query kept', async (t) => {
  const cases: [string, string][] = [
    ['/simple', 'simple/'],
    ['/simple?format=json', 'simple/?format=json'],
    ['/simple/foo-bar', 'foo-bar/'],
    ['/simple/Foo.Bar', 'foo-bar/'],
    ['/simple/Foo.Bar/', '../foo-bar/'],
    ['/simple/FOO__bar/?format=json', '../foo-bar/?format=json'],
  ];
  for (const [path, location] of cases) {
    const r = await call('GET', path);
    t.equal(r.status, 301, path);
    t.equal(r.headers.location, location, path);
    t.equal(new URL(location, `http://h${path}`).pathname, path.startsWith('/simple/') ? '/simple/foo-bar/' : '/simple/', `${path} resolves to the canonical page`);
  }
  t.equal((await call('GET', '/simple/nope/')).status, 404);
  t.equal((await call('GET', '/simple/-bad-/')).status, 404);
  t.equal((await call('GET', '/nothing-here')).status, 404);
  t.equal((await call('GET', '/')).status, 200, '/ is the web UI (web.test.ts)');
  const post = await call('POST', '/simple/foo-bar/');
  t.equal(post.status, 405);
  t.equal(post.headers.allow, 'GET, HEAD');
  // The static page files are served as a static server would.
  const direct = await call('GET', '/simple/foo-bar/index.json');
  t.equal(direct.headers['content-type'], JSON_TYPE);
  t.equal((await call('GET', '/simple/index.html')).headers['content-type'], HTML);
});

t.test('files: bytes, types, ETag/304, If-Modified-Since, HEAD, .metadata, unlisted files', async (t) => {
  const path = `/files/foo-bar/${sdist.filename}`;
  const full = await call('GET', path, { 'accept-encoding': 'gzip, br' });
  t.equal(full.status, 200);
  t.same(full.body, sdist.bytes);
  t.equal(full.headers['content-type'], 'application/octet-stream');
  t.equal(full.headers['content-encoding'], undefined, '.tar.gz is never sent as Content-Encoding: gzip');
  t.equal(full.headers.etag, `"${sdist.sha256}"`);
  t.equal(full.headers['accept-ranges'], 'bytes');
  t.equal(full.headers['content-length'], String(sdist.bytes.length));
  for (const inm of [`"${sdist.sha256}"`, `W/"${sdist.sha256}"`, `"other", "${sdist.sha256}"`, '*']) {
    const r = await call('GET', path, { 'if-none-match': inm });
    t.equal(r.status, 304, `If-None-Match ${inm}`);
    t.equal(r.body.length, 0);
    t.equal(r.headers.etag, `"${sdist.sha256}"`);
  }
  t.equal((await call('GET', path, { 'if-none-match': '"other"' })).status, 200);
  const lastModified = full.headers['last-modified'] as string;
  t.equal((await call('GET', path, { 'if-modified-since': lastModified })).status, 304);
  t.equal((await call('GET', path, { 'if-modified-since': new Date(Date.parse(lastModified) - 10_000).toUTCString() })).status, 200);
  t.equal((await call('GET', path, { 'if-none-match': '"other"', 'if-modified-since': lastModified })).status, 200, 'If-None-Match wins');
  const head = await call('HEAD', path);
  t.equal(head.status, 200);
  t.equal(head.headers['content-length'], String(sdist.bytes.length));
  t.equal(head.body.length, 0);

  const meta = await call('GET', `/files/foo-bar/${wheel.filename}.metadata`);
  t.equal(meta.status, 200);
  t.equal(meta.body.toString(), wheel.metadata);
  t.equal(meta.headers.etag, `"${sha256Hex(wheel.metadata)}"`);
  // Pages are validated too.
  const page = await call('GET', '/simple/foo-bar/', { accept: PIP_ACCEPT });
  t.equal((await call('GET', '/simple/foo-bar/', { accept: PIP_ACCEPT, 'if-none-match': page.headers.etag as string })).status, 304);

  writeFileSync(join(root, 'files', 'foo-bar', 'foo_bar-9.0.tar.gz'), 'a leftover of a crashed add');
  t.equal((await call('GET', '/files/foo-bar/foo_bar-9.0.tar.gz')).status, 404, 'files the state does not list are not served');
  t.equal((await call('GET', '/files/foo-bar/nope-1.0.tar.gz')).status, 404);
  t.equal((await call('GET', `/files/Foo.Bar/${sdist.filename}`)).status, 404, 'file URLs are canonical only');
  t.equal((await call('PUT', path)).status, 405);
});

t.test('Range: single, suffix, open-ended, multi (ignored), unsatisfiable (416), If-Range', async (t) => {
  const path = `/files/big/${big.filename}`;
  const size = big.bytes.length;
  const cases: [string, number, number, number][] = [
    ['bytes=0-9', 206, 0, 9],
    ['bytes=100-199', 206, 100, 199],
    ['bytes=-10', 206, size - 10, size - 1],
    [`bytes=-${size + 50}`, 206, 0, size - 1],
    [`bytes=${size - 5}-`, 206, size - 5, size - 1],
    [`bytes=10-${size + 1000}`, 206, 10, size - 1],
    ['bytes=0-1,5-6', 200, 0, size - 1],
    ['items=0-1', 200, 0, size - 1],
  ];
  for (const [range, status, start, end] of cases) {
    const r = await call('GET', path, { range });
    t.equal(r.status, status, range);
    t.same(r.body, big.bytes.subarray(start, end + 1), `${range}: bytes`);
    if (status === 206) t.equal(r.headers['content-range'], `bytes ${start}-${end}/${size}`, range);
  }
  for (const range of [`bytes=${size}-`, `bytes=${size + 10}-${size + 20}`, 'bytes=-0']) {
    const r = await call('GET', path, { range });
    t.equal(r.status, 416, range);
    t.equal(r.headers['content-range'], `bytes */${size}`, range);
  }
  t.equal((await call('GET', path, { range: 'bytes=0-9', 'if-range': `"${big.sha256}"` })).status, 206);
  const stale = await call('GET', path, { range: 'bytes=0-9', 'if-range': '"not-it"' });
  t.equal(stale.status, 200);
  t.equal(stale.body.length, size);
  // A file above the in-memory limit is streamed from disk: same rules.
  const streamed = await call('GET', `/files/huge/${huge.filename}`, { range: 'bytes=1000-1009' });
  t.equal(streamed.status, 206);
  t.same(streamed.body, huge.bytes.subarray(1000, 1010));
  t.equal(streamed.headers['content-range'], `bytes 1000-1009/${huge.bytes.length}`);
  const headRange = await call('HEAD', path, { range: 'bytes=0-9' });
  t.equal(headRange.status, 206);
  t.equal(headRange.headers['content-length'], '10');
});

t.test('no path traversal: dot segments, encoded dots and slashes, NUL', async (t) => {
  for (const path of ['/files/../secret.txt', '/files/%2e%2e/secret.txt', '/files/foo-bar/..%2F..%2F..%2Fsecret.txt', '/simple/%2E%2E/', '/files/foo-bar/%00', '/files/foo-bar/a%5c..%5csecret.txt', '/files/%zz/x', '/../secret.txt']) {
    const r = await call('GET', path);
    t.equal(r.status, 400, path);
    t.notMatch(r.body.toString(), SECRET, path);
  }
  t.equal((await call('GET', '/files/foo-bar/.hidden')).status, 404);
  const raw = await rawCall(Buffer.from('/files/foo-bar/\0secret', 'latin1'));
  t.match(raw, /^HTTP\/1\.1 400/, 'a raw NUL in the target is refused');
  t.notMatch(raw, SECRET);
});

t.test('pages follow tree changes made by another writer (stat revalidation)', async (t) => {
  const before = JSON.parse((await call('GET', '/simple/foo-bar/', { accept: JSON_TYPE })).body.toString()) as { files: { yanked: unknown }[] };
  t.same(before.files.map((f) => f.yanked), [false, false]);
  await openTree(root).setYanked('foo-bar', '1.0', 'bad build');
  const after = JSON.parse((await call('GET', '/simple/foo-bar/', { accept: JSON_TYPE })).body.toString()) as { files: { yanked: unknown }[] };
  t.same(after.files.map((f) => f.yanked), ['bad build', 'bad build']);
  t.equal((await call('GET', `/files/foo-bar/${sdist.filename}`)).status, 200, 'yanked files are still served (PEP 592)');
  await openTree(root).setYanked('foo-bar', '1.0', false);
});

t.test('download log: completed downloads only, one JSON line each', async (t) => {
  const own = await startServer({ root: join(base, 'logroot'), port: 0 });
  const tree = own.tree;
  await tree.addFile({ filename: wheel.filename, bytes: wheel.bytes, sha256: wheel.sha256 });
  const saved = server;
  server = own;
  try {
    await call('GET', `/files/foo-bar/${wheel.filename}`, { 'user-agent': 'pip/24.2 test' }); // counted
    await call('HEAD', `/files/foo-bar/${wheel.filename}`); // not a download
    await call('GET', `/files/foo-bar/${wheel.filename}`, { range: 'bytes=-20' }); // a partial read
    await call('GET', `/files/foo-bar/${wheel.filename}`, { range: 'bytes=0-9' }); // a partial read
    await call('GET', `/files/foo-bar/${wheel.filename}`, { range: 'bytes=100-', 'user-agent': 'resume' }); // the rest: counted
    await call('GET', `/files/foo-bar/${wheel.filename}.metadata`); // metadata, not a download
    await call('GET', `/files/foo-bar/${wheel.filename}`, { 'if-none-match': `"${wheel.sha256}"` }); // 304
  } finally {
    server = saved;
    await own.close(100);
  }
  const day = new Date().toISOString().slice(0, 10);
  const lines = readFileSync(join(base, 'logroot', '.pyindex', 'downloads', `${day}.jsonl`), 'utf8').trimEnd().split('\n');
  const records = lines.map((l) => JSON.parse(l) as Record<string, string>);
  const mirror = readFileSync(join(base, 'logroot', '.pyindex', 'mirror-id'), 'utf8').trim();
  t.match(records, [
    { project: 'foo-bar', version: '1.0', filename: wheel.filename, userAgent: 'pip/24.2 test', mirror },
    { project: 'foo-bar', version: '1.0', filename: wheel.filename, userAgent: 'resume', mirror },
  ]);
  t.equal(records.length, 2);
  t.match(records[0]?.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  t.match(mirror, /^[0-9a-f-]{36}$/, 'a mirror id is made once per root');
});

t.test('cached pages: this process\'s writes show at once, another process\'s within the revalidation window', async (t) => {
  const page = async () => JSON.parse((await call('GET', '/simple/foo-bar/', { Accept: JSON_TYPE })).body.toString('utf8')) as { files: { filename: string; yanked: unknown }[] };
  t.same((await page()).files.map((f) => f.yanked), [false, false], 'cached, not yanked');
  // Another Tree object of this process (as the upload and admin routes use): seen at the next request.
  await openTree(root).setYanked('foo-bar', '1.0', 'cache test');
  t.same((await page()).files.map((f) => f.yanked), ['cache test', 'cache test']);
  // Another process replaces the page (rename, as the tree writes): seen once the entry is revalidated.
  const json = join(root, 'simple', 'foo-bar', 'index.json');
  const text = readFileSync(json, 'utf8');
  writeFileSync(`${json}.tmp`, text.replace(/"cache test"/g, '"by another process"'));
  renameSync(`${json}.tmp`, json);
  await waitUntil(async () => (await page()).files.every((f) => f.yanked === 'by another process'), 'the replaced page is served');
  await openTree(root).setYanked('foo-bar', '1.0', false);
  t.same((await page()).files.map((f) => f.yanked), [false, false]);
});

t.test('close(): idle keep-alive connections do not hold it up, an in-flight download finishes, new connections are refused', async (t) => {
  const own = await startServer({ root, port: 0, downloadLog: false });
  const saved = server;
  server = own;
  // A keep-alive connection left idle.
  const { Agent } = await import('node:http');
  const agent = new Agent({ keepAlive: true });
  await new Promise<void>((resolve) => httpRequest({ host: '127.0.0.1', port: own.port, path: '/simple/', agent }, (res) => res.resume().on('end', resolve)).end());
  // An in-flight download: close() begins after its first chunk arrived.
  const received: Buffer[] = [];
  let closing: Promise<void> | undefined;
  const status = await new Promise<number>((resolve) => {
    httpRequest({ host: '127.0.0.1', port: own.port, path: `/files/huge/${huge.filename}`, agent: false }, (res) => {
      res.on('data', (c: Buffer) => {
        received.push(c);
        closing ??= own.close(30_000);
      });
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).end();
  });
  t.equal(status, 200);
  t.ok(Buffer.concat(received).equals(huge.bytes), 'the in-flight download completed after close() began');
  await closing;
  agent.destroy();
  await t.rejects(call('GET', '/simple/'), { code: 'ECONNREFUSED' });
  server = saved;
});
