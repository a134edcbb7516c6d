/**
 * Downloads with mirror fail-over: a locked file whose URL hint belongs to
 * an index with mirrors is fetched from that index's servers in order
 * (src/index/mirrors.ts), each attempt streamed and verified against the
 * lock's sha256 and size by the Downloader, so a truncated body, a dead
 * server or a tampered file moves that one file to the next server while
 * the rest of the fetch goes on. Without mirrors it is the plain Downloader.
 */
import { MirrorRouter, type MirroredIndex, type MirrorOrder, type MirrorReport } from '../index/mirrors.js';
import { Downloader, type DownloaderOptions, type ExpectedFile } from './download.js';

export interface MirroredDownloaderOptions extends DownloaderOptions {
  cacheDir: string;
  /** The config's indexes with their mirrors (none: no fail-over). */
  indexes?: readonly MirroredIndex[] | undefined;
  mirrorOrder?: MirrorOrder | undefined;
}

export class MirroredDownloader {
  readonly router: MirrorRouter;
  private readonly plain: Downloader;
  /** One attempt per server per round: the mirror set does the retrying. */
  private readonly single: Downloader | undefined;

  constructor(options: MirroredDownloaderOptions) {
    this.router = new MirrorRouter(options.indexes ?? [], {
      cacheDir: options.cacheDir,
      userAgent: options.userAgent,
      order: options.mirrorOrder,
      onEvent: options.onEvent,
      retries: options.retries,
      retryDelayMs: options.retryDelayMs,
    });
    this.plain = new Downloader(options);
    this.single = this.router.sets.length ? new Downloader({ ...options, retries: 0 }) : undefined;
  }

  download(url: string, expected: ExpectedFile, temp: string, onBytes?: (delta: number) => void): Promise<void> {
    const set = this.router.setFor(url);
    const single = this.single;
    if (!set || !single) return this.plain.download(url, expected, temp, onBytes);
    return set.run(url, 'file', (serverUrl) => single.download(serverUrl, expected, temp, onBytes));
  }

  report(): MirrorReport[] {
    return this.router.report();
  }

  async close(): Promise<void> {
    await this.plain.close();
    await this.single?.close();
  }
}
