/**
 * The HTTP/1.1 body transport (src/index/wire.ts) against real loopback
 * servers that write exact bytes (node:net), so framing, keep-alive and
 * faults are what the test says: Content-Length, chunked and close-delimited
 * bodies split at awkward places, interim responses, connection reuse and a
 * pooled connection the server closed, malformed responses, a body cut short,
 * a stall, flow control, and TLS.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { getWhole, requestWhole, WirePool, type BodySink, type ResponseHead } from '../../src/index/wire.js';

interface RawServer {
  url: string;
  /** Connections accepted so far. */
  connections: number;
  /** Request heads received, in order. */
  requests: string[];
}

/** A server that answers each request head with `respond(socket, index)`; it may write anything. */
async function rawServer(t: Test, respond: (socket: Socket, index: number, head: string) => void): Promise<RawServer> {
  const state: RawServer = { url: '', connections: 0, requests: [] };
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (d: Buffer) => {
      buffered += d.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        state.requests.push(head);
        respond(socket, state.requests.length - 1, head);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return state;
}

function pool(t: Test, timeoutMs = 10_000): WirePool {
  const p = new WirePool({ userAgent: 'pyindex-test', maxSockets: 4, timeoutMs });
  t.teardown(() => p.close());
  return p;
}

/** GETs url and collects the head and body (copying each slice: the transport reuses its buffer). */
async function get(p: WirePool, url: string): Promise<{ head: ResponseHead; body: Buffer }> {
  let head: ResponseHead | undefined;
  const chunks: Buffer[] = [];
  await p.get(new URL(url), (h): BodySink => {
    head = h;
    return { data: (chunk) => (chunks.push(Buffer.from(chunk)), true) };
  });
  return { head: head as ResponseHead, body: Buffer.concat(chunks) };
}

async function failure(promise: Promise<unknown>): Promise<{ code: string | undefined; message: string }> {
  try {
    await promise;
  } catch (err) {
    return { code: (err as { code?: string }).code, message: (err as Error).message };
  }
  return { code: 'none', message: 'no error' };
}

/** Writes `data` one piece at a time on separate ticks, so the client sees many small reads. */
function dribble(socket: Socket, pieces: (string | Buffer)[], then?: () => void): void {
  const [first, ...rest] = pieces;
  if (first === undefined) return then?.();
  socket.write(first, () => setImmediate(() => dribble(socket, rest, then)));
}

const BODY = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251));

t.test('Content-Length bodies over one reused connection; request line and headers', async (t) => {
  const server = await rawServer(t, (socket, i) => {
    const body = i === 0 ? BODY : Buffer.from('second');
    socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nX-Two: a\r\nx-two: b\r\n\r\n`);
    socket.write(body);
  });
  const p = pool(t);
  const first = await get(p, `${server.url}/files/a.whl?x=1`);
  t.equal(first.head.status, 200);
  t.equal(first.head.headers['x-two'], 'a, b', 'repeated headers joined, names lower-cased');
  t.ok(first.body.equals(BODY), 'body intact');
  const second = await get(p, `${server.url}/files/b.whl`);
  t.equal(second.body.toString(), 'second');
  t.equal(server.connections, 1, 'the keep-alive connection was reused');
  t.match(server.requests[0], /^GET \/files\/a\.whl\?x=1 HTTP\/1\.1\r\n/);
  t.match(server.requests[0], /\r\nHost: 127\.0\.0\.1:\d+/);
  t.match(server.requests[0], /\r\nUser-Agent: pyindex-test/);
  t.match(server.requests[0], /\r\nAccept-Encoding: identity/);
});

t.test('getWhole: request headers over the defaults, a whole body by Content-Length or chunked; a header with a line break is refused', async (t) => {
  const server = await rawServer(t, (socket, _index, head) => {
    if (head.includes('/chunked')) socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
    else socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\nETag: "e1"\r\n\r\n`, 'latin1'), BODY]));
  });
  const p = pool(t);
  const sized = await getWhole(p, new URL(`${server.url}/simple/a/`), { accept: 'application/vnd.pypi.simple.v1+json', 'if-none-match': '"e0"', 'user-agent': 'pyindex/9' });
  t.equal(sized.status, 200);
  t.equal(sized.headers.etag, '"e1"');
  t.ok(sized.body.equals(BODY), 'the whole body, intact');
  t.match(server.requests[0], /\r\nAccept: application\/vnd\.pypi\.simple\.v1\+json\r\n/);
  t.match(server.requests[0], /\r\nIf-None-Match: "e0"\r\n/);
  t.match(server.requests[0], /\r\nUser-Agent: pyindex\/9\r\n/, "the caller's value replaces the default");
  t.equal(server.requests[0]!.match(/\r\nUser-Agent:/gi)?.length, 1, 'sent once');
  const chunked = await getWhole(p, new URL(`${server.url}/chunked`));
  t.equal(chunked.body.toString(), 'abcde');
  const refused = await failure(getWhole(p, new URL(`${server.url}/x`), { 'x-evil': 'a\r\nInjected: 1' }));
  t.equal(refused.code, 'E_BAD_REQUEST');
  t.equal(server.requests.length, 2, 'nothing sent for the refused request');
});

t.test('chunked bodies split at every awkward place, with extensions and trailers', async (t) => {
  const wire = '5;name=value\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nTrailer-One: x\r\n\r\n';
  const server = await rawServer(t, (socket) => {
    dribble(socket, ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', ...wire.split('')]);
  });
  const p = pool(t);
  const { body } = await get(p, `${server.url}/x`);
  t.equal(body.toString(), 'hello 0123456789');
  const again = await get(p, `${server.url}/y`);
  t.equal(again.body.toString(), 'hello 0123456789', 'the connection is reusable after the trailers');
  t.equal(server.connections, 1);
});

t.test('head split byte by byte, 1xx interim responses skipped', async (t) => {
  const server = await rawServer(t, (socket) => {
    const text = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc';
    dribble(socket, text.split(''));
  });
  const { head, body } = await get(pool(t), `${server.url}/x`);
  t.equal(head.status, 200);
  t.equal(body.toString(), 'abc');
});

t.test('close-delimited bodies (no length) end at EOF; the connection is not reused', async (t) => {
  const server = await rawServer(t, (socket) => {
    socket.write('HTTP/1.0 200 OK\r\n\r\n');
    socket.end(BODY);
  });
  const p = pool(t);
  t.ok((await get(p, `${server.url}/a`)).body.equals(BODY));
  t.ok((await get(p, `${server.url}/b`)).body.equals(BODY));
  t.equal(server.connections, 2, 'a new connection for each');
});

t.test('Connection: close and HTTP/1.0 without keep-alive are not pooled; 1.0 with keep-alive is', async (t) => {
  const server = await rawServer(t, (socket, i) => {
    const heads = ['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n', 'HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n', 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n'];
    socket.write(`${heads[i] ?? heads[3]}x`);
    if (i < 2) socket.end();
  });
  const p = pool(t);
  for (let i = 0; i < 4; i++) await get(p, `${server.url}/${i}`);
  t.equal(server.connections, 3, 'closed twice, then one connection kept for the last two');
});

t.test('Transfer-Encoding wins over Content-Length, and such a connection is not reused', async (t) => {
  const server = await rawServer(t, (socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'));
  const p = pool(t);
  t.equal((await get(p, `${server.url}/a`)).body.toString(), 'hello');
  t.equal((await get(p, `${server.url}/b`)).body.toString(), 'hello');
  t.equal(server.connections, 2);
});

t.test('204/304 have no body; a zero Content-Length ends at once', async (t) => {
  const server = await rawServer(t, (socket, i) => {
    socket.write(['HTTP/1.1 204 No Content\r\n\r\n', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'][i] ?? '');
  });
  const p = pool(t);
  for (const status of [204, 304, 200]) {
    const r = await get(p, `${server.url}/x`);
    t.equal(r.head.status, status);
    t.equal(r.body.length, 0);
  }
  t.equal(server.connections, 1);
});

t.test('HEAD: the answer has no body whatever its Content-Length says; the connection serves a GET next', async (t) => {
  const server = await rawServer(t, (socket, i) => {
    if (i === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 123456\r\nContent-Type: text/html\r\n\r\n');
    else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nafter');
  });
  const p = pool(t);
  const head = await requestWhole(p, 'HEAD', new URL(`${server.url}/simple/`), { accept: 'text/html' });
  t.equal(head.status, 200);
  t.equal(head.headers['content-length'], '123456');
  t.match(server.requests[0], /^HEAD \/simple\/ HTTP\/1\.1\r\n/);
  t.match(server.requests[0], /\r\nAccept: text\/html/);
  const next = await get(p, `${server.url}/x`);
  t.equal(next.body.toString(), 'after', 'the GET read its own body, not bytes the HEAD was waiting for');
  t.equal(server.connections, 1, 'one keep-alive connection for both');
});

t.test('a pooled connection the server closed while idle: the request is replayed on a new one', async (t) => {
  let sockets: Socket[] = [];
  const server = await rawServer(t, (socket) => {
    sockets.push(socket);
    socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  });
  const p = pool(t);
  await get(p, `${server.url}/a`);
  // The server drops its idle keep-alive connection (its keep-alive timeout, a restart …).
  const closed = new Promise<void>((resolve) => sockets[0]?.once('close', () => resolve()));
  for (const s of sockets) s.destroy();
  sockets = [];
  await closed;
  const r = await get(p, `${server.url}/b`);
  t.equal(r.body.toString(), 'ok');
  t.equal(server.connections, 2);
});

t.test('a body cut short: ECONNRESET, nothing pooled', async (t) => {
  const server = await rawServer(t, (socket) => {
    socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n');
    socket.end(Buffer.alloc(10));
  });
  const err = await failure(get(pool(t), `${server.url}/x`));
  t.equal(err.code, 'ECONNRESET');
  t.match(err.message, /closed before the response was complete/);
});

t.test('malformed responses: E_BAD_RESPONSE', async (t) => {
  const cases: [string, RegExp][] = [
    ['SSH-2.0-OpenSSH\r\n\r\n', /not an HTTP\/1\.x response/],
    ['HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n', /bad Content-Length/],
    ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /bad Content-Length/],
    ['HTTP/1.1 200 OK\r\nBad Header\r\n\r\n', /bad header line/],
    ['HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n', /bad header line/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', /unsupported transfer coding/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /bad chunk size/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n', /longer than its size/],
    [`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70_000)}\r\n\r\n`, /larger than 65536 bytes/],
  ];
  for (const [response, message] of cases) {
    const server = await rawServer(t, (socket) => socket.write(response));
    const err = await failure(get(pool(t), `${server.url}/x`));
    t.equal(err.code, 'E_BAD_RESPONSE', JSON.stringify(response.slice(0, 50)));
    t.match(err.message, message);
  }
});

t.test('a response that stalls: ETIMEDOUT after the inactivity limit', async (t) => {
  const server = await rawServer(t, (socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab'));
  const err = await failure(get(pool(t, 150), `${server.url}/x`));
  t.equal(err.code, 'ETIMEDOUT');
});

t.test('connection refused', async (t) => {
  const server = await rawServer(t, () => undefined);
  const url = server.url;
  const closing = createServer();
  await new Promise<void>((resolve) => closing.listen(0, '127.0.0.1', resolve));
  const port = (closing.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closing.close(() => resolve()));
  t.ok(url);
  const err = await failure(get(pool(t), `http://127.0.0.1:${port}/x`));
  t.equal(err.code, 'ECONNREFUSED');
});

t.test('flow control: a sink that pauses gets every byte, in order, after resume', async (t) => {
  const big = Buffer.from(Array.from({ length: 4_000_000 }, (_, i) => (i * 13) % 256));
  const server = await rawServer(t, (socket) => {
    socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n`);
    socket.write(big);
  });
  const hash = createHash('sha256');
  let pauses = 0;
  let size = 0;
  const p = pool(t);
  await p.get(new URL(`${server.url}/x`), (_head, resume): BodySink => ({
    data(chunk) {
      hash.update(chunk);
      size += chunk.length;
      if (pauses < 1000) {
        pauses++;
        setTimeout(resume, 1);
        return false;
      }
      return true;
    },
  }));
  t.equal(size, big.length);
  t.equal(hash.digest('hex'), createHash('sha256').update(big).digest('hex'));
  t.ok(pauses >= 10, `paused after every read (${pauses} times)`);
  // Paused on its last read too, the connection went back to the pool reading: the next exchange works on it.
  t.equal((await get(p, `${server.url}/y`)).body.length, big.length);
  t.equal(server.connections, 1);
});

t.test('a sink that throws aborts the exchange with its error', async (t) => {
  const server = await rawServer(t, (socket) => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY.toString('latin1')}`));
  const err = await failure(
    pool(t).get(new URL(`${server.url}/x`), () => ({
      data() {
        throw Object.assign(new Error('too big'), { code: 'E_MINE' });
      },
    })),
  );
  t.equal(err.code, 'E_MINE');
});

t.test('more requests than connections wait their turn', async (t) => {
  const server = await rawServer(t, (socket) => setTimeout(() => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx'), 5));
  const p = new WirePool({ userAgent: 'pyindex-test', maxSockets: 2, timeoutMs: 10_000 });
  t.teardown(() => p.close());
  const bodies = await Promise.all(Array.from({ length: 10 }, (_, i) => get(p, `${server.url}/${i}`)));
  t.equal(bodies.length, 10);
  t.ok(server.connections <= 2, `at most 2 connections (${server.connections})`);
});

t.test('https: the same transport over TLS', async (t) => {
  const dir = t.testdir({});
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  } catch {
    t.comment('skipped: openssl is not available to make a certificate');
    return;
  }
  t.ok(existsSync(cert));
  const server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    res.setHeader('content-length', BODY.length);
    res.end(BODY);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
  // An untrusted certificate is refused …
  const refused = await failure(get(pool(t), url));
  t.match(refused.code, /SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/);
  // … and trusted through NODE_EXTRA_CA_CERTS in a child process (the default CA store is read at start-up).
  const script = `import { WirePool } from ${JSON.stringify(new URL('../../src/index/wire.ts', import.meta.url).href)};
    const p = new WirePool({ userAgent: 'x', maxSockets: 2, timeoutMs: 10000 });
    const h = (await import('node:crypto')).createHash('sha256');
    for (let i = 0; i < 2; i++) await p.get(new URL(${JSON.stringify(url)}), () => ({ data: (c) => (h.update(c), true) }));
    p.close(); console.log(h.digest('hex'));`;
  // Asynchronously: this process serves the requests meanwhile.
  const { stdout: out } = await promisify(execFile)(process.execPath, ['--import=tsx', '--input-type=module', '-e', script], { env: { ...process.env, NODE_EXTRA_CA_CERTS: cert }, encoding: 'utf8' });
  t.equal(out.trim(), createHash('sha256').update(BODY).update(BODY).digest('hex'), 'both bodies intact over TLS');
});
