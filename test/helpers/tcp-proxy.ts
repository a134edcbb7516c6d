/**
 * A TCP proxy on a loopback port in front of a real server (e.g. a
 * `pyindex serve` process), so a test can kill that server while one of its
 * responses is half-delivered — deterministically, without sleeps: the
 * proxy forwards a chosen response only up to a number of body bytes, holds
 * the rest back, and says so. Whatever then happens to the server (kill -9)
 * reaches the client as it would without the proxy: the connection drops
 * mid-body, and later connections fail.
 */
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  /** http://127.0.0.1:PORT/ */
  url: string;
  /** Request paths seen, in order. */
  paths: string[];
  /** New connections go to this upstream port from now on (a restarted server). */
  retarget(port: number): void;
  /**
   * The next response to a request whose path matches is forwarded with
   * only `bodyBytes` of its body; resolves (with the path) once it is held.
   */
  holdNext(path: RegExp, bodyBytes?: number): Promise<string>;
  close(): Promise<void>;
}

const REQUEST_LINE = /^(?:GET|HEAD) (\S+) HTTP\/1\.[01]\r\n/m;

export async function startTcpProxy(upstreamPort: number): Promise<TcpProxy> {
  let target = upstreamPort;
  const paths: string[] = [];
  const sockets = new Set<Socket>();
  let hold: { path: RegExp; bodyBytes: number; resolve: (path: string) => void } | undefined;

  const server = createServer((client) => {
    sockets.add(client);
    const upstream = connect(target, '127.0.0.1');
    sockets.add(upstream);
    // Set once a held request passed: its response's body bytes still to forward (-1: holding, the rest is dropped).
    let holding: { header: Buffer; budget: number; path: string; resolve: (path: string) => void } | undefined;
    client.on('data', (chunk: Buffer) => {
      const m = REQUEST_LINE.exec(chunk.toString('latin1'));
      if (m?.[1]) {
        paths.push(m[1]);
        if (hold && hold.path.test(m[1])) {
          holding = { header: Buffer.alloc(0), budget: hold.bodyBytes, path: m[1], resolve: hold.resolve };
          hold = undefined;
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      const h = holding;
      if (!h) return void client.write(chunk);
      if (h.budget < 0) return; // held: dropped
      // Forward the headers whole, then `budget` body bytes, then hold.
      h.header = Buffer.concat([h.header, chunk]);
      const end = h.header.indexOf('\r\n\r\n');
      if (end < 0) return;
      const upTo = Math.min(h.header.length, end + 4 + h.budget);
      client.write(h.header.subarray(0, upTo));
      h.budget = -1;
      h.resolve(h.path);
    });
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', drop);
    upstream.on('close', drop);
    client.on('error', drop);
    client.on('close', drop);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    paths,
    retarget: (p) => void (target = p),
    holdNext: (path, bodyBytes = 1024) => new Promise<string>((resolve) => (hold = { path, bodyBytes, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
