/**
 * The distance to an index server: one HEAD of its simple root on a fresh
 * connection (connect + request + headers), the cheapest request every
 * simple index answers. Any status below 500 means the server is up (some
 * indexes do not serve a root page, and answer 404); 5xx or no connection
 * means it is not.
 *
 * Through the same client as the pages and files it ranks (wire.ts): the
 * same proxy from the environment, the same trusted CAs — a mirror reached
 * through the proxy is measured through it, not found "unreachable" directly.
 */
import { SIMPLE_ACCEPT } from './types.js';
import { requestOnce } from './wire.js';

export type ProbeResult = { rttMs: number } | { error: string; unreachable: boolean };

export interface ProbeOptions {
  userAgent: string;
  timeoutMs: number;
}

export async function probeRoot(root: string, options: ProbeOptions): Promise<ProbeResult> {
  const started = process.hrtime.bigint();
  try {
    // A connection of its own: connecting is part of the distance.
    const { status } = await requestOnce('HEAD', new URL(root), { userAgent: options.userAgent, timeoutMs: options.timeoutMs, headers: { accept: SIMPLE_ACCEPT } });
    const rttMs = Number(process.hrtime.bigint() - started) / 1e6;
    return status >= 500 ? { error: `HTTP ${status}`, unreachable: true } : { rttMs: Math.round(rttMs * 10) / 10 };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    // A timeout says "far", not "down": such a server is still tried, after the ones that answered.
    if (code === 'ETIMEDOUT') return { error: `no answer within ${options.timeoutMs} ms`, unreachable: false };
    return { error: typeof code === 'string' ? code : err instanceof Error ? err.message : String(err), unreachable: true };
  }
}
