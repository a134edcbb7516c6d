/**
 * The distance to an index server: one HEAD of its simple root on a fresh
 * connection (connect + request + headers), the cheapest request every
 * simple index answers. Any status below 500 means the server is up (some
 * indexes do not serve a root page, and answer 404); 5xx or no connection
 * means it is not.
 */
import type http from 'node:http';
import { SIMPLE_ACCEPT } from './types.js';

export type ProbeResult = { rttMs: number } | { error: string; unreachable: boolean };

export interface ProbeOptions {
  userAgent: string;
  timeoutMs: number;
}

export async function probeRoot(root: string, options: ProbeOptions): Promise<ProbeResult> {
  const url = new URL(root);
  // Loaded here, not at the top: only an index with mirrors is probed, and
  // lock and fetch otherwise never load node:http (~5 ms of start-up).
  const module: typeof http = url.protocol === 'https:' ? (process.getBuiltinModule('node:https') as unknown as typeof http) : process.getBuiltinModule('node:http');
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const req = module.request(url, { method: 'HEAD', agent: false, headers: { 'user-agent': options.userAgent, accept: SIMPLE_ACCEPT }, timeout: options.timeoutMs }, (res) => {
      const rttMs = Number(process.hrtime.bigint() - started) / 1e6;
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 500 ? { error: `HTTP ${status}`, unreachable: true } : { rttMs: Math.round(rttMs * 10) / 10 });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    // A timeout says "far", not "down": such a server is still tried, after the ones that answered.
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code === 'ETIMEDOUT' ? `no answer within ${options.timeoutMs} ms` : (err.code ?? err.message), unreachable: err.code !== 'ETIMEDOUT' }));
    req.end();
  });
}
