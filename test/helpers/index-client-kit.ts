/**
 * Small conveniences for the index client tests: a fresh cache directory per
 * client, retries without backoff delays, and a helper that asserts an async
 * failure's code AND that its message names the URL involved.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimpleIndexClient, type SimpleIndexClientOptions } from '../../src/index/client.js';
import type { PyindexEvent } from '../../src/events/index.js';
import type { Test } from 'tap';
import { startStaticServer, type StaticServer, type StaticServerOptions } from './static-server.js';

export function tempDir(prefix = 'pyindex-index-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function makeClient(index: string, options: Partial<SimpleIndexClientOptions> = {}): { client: SimpleIndexClient; events: PyindexEvent[] } {
  const events: PyindexEvent[] = [];
  const client = new SimpleIndexClient({
    index,
    cacheDir: tempDir('pyindex-cache-'),
    userAgent: 'pyindex-test',
    retries: 2,
    retryDelayMs: 0,
    timeoutMs: 5_000,
    onEvent: (e) => events.push(e),
    ...options,
  });
  return { client, events };
}

/** Asserts that `p` rejects with a PyindexError of `code` whose message names `url`. */
export async function rejectsWith(t: Test, p: Promise<unknown>, code: string, url: string): Promise<void> {
  await t.rejects(p, { name: 'PyindexError', code, message: new RegExp(url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }, `${code} naming ${url}`);
}

/** `serve(dir, opts)` starts a loopback server that `t` stops when it ends. */
export function serverPool(t: Test): (dir: string, opts?: StaticServerOptions) => Promise<StaticServer> {
  const servers: StaticServer[] = [];
  t.teardown(async () => {
    for (const s of servers) await s.close();
  });
  return async (dir, opts = {}) => {
    const s = await startStaticServer(dir, opts);
    servers.push(s);
    return s;
  };
}
