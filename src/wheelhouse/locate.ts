/**
 * Finding a locked file on the index by name when the lock's URL hint fails
 * (the file moved, a mirror renamed its paths): the lock identifies a file
 * by filename + sha256, never by URL, so the project's simple page (PEP 503
 * / PEP 691) is asked where that filename lives now.
 */
import type { EventSink } from '../events/index.js';
import type { SimpleIndexClient } from '../index/client.js';
import type { PlannedFile } from './plan.js';

export interface IndexLocatorOptions {
  index: string;
  cacheDir: string;
  userAgent: string;
  onEvent?: EventSink;
  timeoutMs?: number;
  retries?: number;
  retryDelayMs?: number;
}

export class IndexLocator {
  /** Created on first use: a fetch whose hints all work never reads an index page. */
  private client: SimpleIndexClient | undefined;

  constructor(private readonly options: IndexLocatorOptions) {}

  /**
   * The URL the index lists for `file` (same filename; a listed sha256 must
   * agree with the lock's), or undefined when the project page lacks it.
   */
  async locate(file: PlannedFile): Promise<string | undefined> {
    // Loaded on first use: most fetches never need the index client.
    const { SimpleIndexClient: Client } = await import('../index/client.js');
    this.client ??= new Client({
      index: this.options.index,
      cacheDir: this.options.cacheDir,
      userAgent: this.options.userAgent,
      onEvent: this.options.onEvent,
      timeoutMs: this.options.timeoutMs,
      retries: this.options.retries,
      retryDelayMs: this.options.retryDelayMs,
    });
    const page = await this.client.getProject(file.project);
    const listed = page.files.find((f) => f.filename === file.filename && (f.hashes.sha256 === undefined || f.hashes.sha256 === file.sha256));
    return listed?.url;
  }

  async close(): Promise<void> {
    await this.client?.close();
  }
}
