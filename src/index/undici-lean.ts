/**
 * The two parts of undici pyindex uses — the keep-alive `Agent` and the
 * promise `request` API — imported from their own modules. undici's
 * index.js also loads fetch, WebSocket, cookies, mocks and the cache
 * interceptor (and through them Node's own bundled undici): ~40 ms of a
 * ~300 ms warm `pyindex lock` went there (CPU profile, `npm run bench -- lock`).
 *
 * undici 7 has no "exports" map, so these paths are public to Node's
 * resolver; the version is pinned by package-lock.json and a moved file
 * fails the build (esbuild) and every HTTP test, never silently.
 */
import type { Agent as AgentType, Dispatcher } from 'undici';
// @ts-expect-error -- CommonJS module without its own .d.ts; typed below.
import AgentModule from 'undici/lib/dispatcher/agent.js';
// @ts-expect-error -- CommonJS module without its own .d.ts; typed below.
import requestModule from 'undici/lib/api/api-request.js';

export const Agent = AgentModule as typeof AgentType;

type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { origin: string; path: string };

/** `dispatcher.request(options)` without undici's index.js, which would attach it to Dispatcher.prototype. */
export function request(dispatcher: AgentType, options: RequestOptions): Promise<Dispatcher.ResponseData> {
  return (requestModule as (this: AgentType, opts: RequestOptions) => Promise<Dispatcher.ResponseData>).call(dispatcher, options);
}
