/**
 * Every index of a config, opened together: one SimpleIndexClient per index
 * (their pages and metadata cached apart) sharing ONE HTTP client, which
 * knows every index's mirrors — so a request for any index's file, whoever
 * makes it (metadata reads, the lock's hash and size checks, build
 * closures), fails over between that index's servers.
 */
import type { EventSink } from '../events/index.js';
import { SimpleIndexClient } from './client.js';
import { HttpClient } from './http.js';
import { MirroredHttpClient } from './mirrored-http.js';
import { MirrorRouter, type MirroredIndex, type MirrorOrder, type MirrorReport } from './mirrors.js';

export interface IndexSetOptions {
  /** In priority order. */
  indexes: readonly MirroredIndex[];
  cacheDir: string;
  userAgent: string;
  offline?: boolean;
  onEvent?: EventSink;
  mirrorOrder?: MirrorOrder;
  /** An existing router to share (its servers' order and set-aside state); else one is made from `indexes`. */
  router?: MirrorRouter | undefined;
  timeoutMs?: number;
  retries?: number;
  retryDelayMs?: number;
}

export class IndexSet {
  readonly http: HttpClient;
  readonly clients: SimpleIndexClient[];
  readonly router: MirrorRouter;

  constructor(options: IndexSetOptions) {
    const { cacheDir, userAgent, onEvent } = options;
    const ctx = { cacheDir, userAgent, order: options.mirrorOrder, offline: options.offline, onEvent, retries: options.retries, retryDelayMs: options.retryDelayMs };
    this.router = options.router ?? new MirrorRouter(options.indexes, ctx);
    const httpOptions = { userAgent, concurrency: 16, timeoutMs: options.timeoutMs, retries: options.retries, retryDelayMs: options.retryDelayMs, onEvent };
    // Without mirrors, exactly the plain client (and its retries) as before.
    this.http = this.router.sets.length ? new MirroredHttpClient(httpOptions, this.router) : new HttpClient(httpOptions);
    const toPrimary = this.router.sets.length ? (url: string) => this.router.toPrimary(url) : undefined;
    this.clients = options.indexes.map(
      (ix) =>
        new SimpleIndexClient({
          index: ix.url,
          cacheDir,
          userAgent,
          offline: options.offline,
          onEvent,
          timeoutMs: options.timeoutMs,
          http: this.http,
          ...(toPrimary ? { toPrimary } : {}),
        }),
    );
  }

  mirrorReport(): MirrorReport[] {
    return this.router.report();
  }

  /** Closes every client, then the shared connections. */
  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
    await this.http.close();
  }
}
