/**
 * Finding a locked file on the index by name when the lock's URL hint fails
 * (the file moved, a mirror renamed its paths): the lock identifies a file
 * by filename + sha256, never by URL, so the project's simple page (PEP 503
 * / PEP 691) is asked where that filename lives now. With several indexes,
 * the one whose servers the hint points at is asked (else the first); its
 * pages fail over between its mirrors like every other request.
 */
import type { EventSink } from '../events/index.js';
import type { IndexSet } from '../index/index-set.js';
import { baseOf, type MirroredIndex, type MirrorRouter } from '../index/mirrors.js';
import type { PlannedFile } from './plan.js';

export interface IndexLocatorOptions {
  index: string;
  /** Every index of the config, in priority order (default: `index` alone). */
  indexes?: readonly MirroredIndex[] | undefined;
  /** Shared with the downloads, so a server set aside there is set aside here too. */
  router?: MirrorRouter | undefined;
  cacheDir: string;
  userAgent: string;
  onEvent?: EventSink;
  timeoutMs?: number;
  retries?: number;
  retryDelayMs?: number;
}

export class IndexLocator {
  /** Created on first use: a fetch whose hints all work never reads an index page. */
  private set: IndexSet | undefined;
  private readonly indexes: readonly MirroredIndex[];

  constructor(private readonly options: IndexLocatorOptions) {
    this.indexes = options.indexes?.length ? options.indexes : [{ url: options.index, mirrors: [] }];
  }

  /** The index whose servers `url` is on (the longest base wins), else the first. */
  private indexFor(url: string): number {
    let best = 0;
    let length = -1;
    this.indexes.forEach((ix, i) => {
      for (const server of [ix.url, ...ix.mirrors]) {
        const base = baseOf(server);
        if (url.startsWith(base) && base.length > length) [best, length] = [i, base.length];
      }
    });
    return best;
  }

  /**
   * The URL the index lists for `file` (same filename; a listed sha256 must
   * agree with the lock's), or undefined when the project page lacks it.
   */
  async locate(file: PlannedFile): Promise<string | undefined> {
    const o = this.options;
    // Loaded on first use: most fetches never need the index client.
    const { IndexSet: IndexSetClass } = await import('../index/index-set.js');
    this.set ??= new IndexSetClass({
      indexes: this.indexes,
      cacheDir: o.cacheDir,
      userAgent: o.userAgent,
      onEvent: o.onEvent,
      timeoutMs: o.timeoutMs,
      retries: o.retries,
      retryDelayMs: o.retryDelayMs,
      router: o.router,
    });
    const page = await this.set.clients[this.indexFor(file.url)]!.getProject(file.project);
    const listed = page.files.find((f) => f.filename === file.filename && (f.hashes.sha256 === undefined || f.hashes.sha256 === file.sha256));
    return listed?.url;
  }

  async close(): Promise<void> {
    await this.set?.close();
  }
}
