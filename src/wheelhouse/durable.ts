/**
 * Making verified downloads durable in batches, before anything renames them
 * into view. The first fetch fsynced each file right after writing it, in
 * the download's own path: the download worker waited for the journal
 * commit before starting its next file, and the fsync held one of libuv's
 * four threads while other downloads' writes queued behind it. On this
 * machine under load from other work that was ~450 ms of a ~1.1 s cold fetch
 * (32 wheels, 107 MB); on a quiet moment far less — fsync latency is what
 * other writers make it, which is why it must stay off the download path.
 *
 * So a verified file joins a batch and its worker moves on. A batch closes
 * `ms` (default 100) after its first file, at `bytes` (default 64 MiB), or
 * when the caller flushes (the end of the run); then every file in it gets
 * fdatasync(2) at once, whose journal commits the filesystem shares (ext4
 * and xfs group concurrent commits). Files still appear progressively during
 * a long fetch. Most of the bytes are already on the disk by then: the
 * downloader writes each file back every 2 MiB while it downloads (early
 * writeback, download.ts), so a batch's sync is mostly the files' tails.
 * 100 ms rather than 250: a long batch syncs many files at
 * once, and those fdatasyncs hold every libuv thread while the downloads
 * still running wait to write (in-process fetch of the bench corpus, 18
 * interleaved runs each: median 601 ms at 250, 551 at 100, 557 at 50; the
 * wait after the last byte was 10–40 ms in all three).
 *
 * Measured and not kept: one syncfs(2) per batch (`sync -f DIR`, as Node has
 * no binding) was no faster on this fetch (~630 vs ~580 ms median, noise
 * of the same size), costs a process spawn per batch (7–15 ms of the main
 * thread in the CPU profile), and writes back every dirty page on the
 * filesystem — on a build machine, other jobs' gigabytes — so its latency is
 * not ours to bound. fdatasync rather than fsync: for a new file it still
 * writes the size and block map the data needs to be read back, skipping
 * only timestamps. (macOS's F_FULLFSYNC is not reachable from Node.)
 */
import { promises as fsp } from 'node:fs';

export interface DurableBatchOptions {
  /** Close a batch once it holds this many bytes. Default 64 MiB. */
  bytes?: number;
  /** Close a batch this long after its first file. Default 100 ms. */
  ms?: number;
  /** Makes the files of a closed batch durable (default: fdatasync each, all at once); replaceable for tests. */
  sync?: (paths: string[]) => Promise<void>;
}

interface Waiter {
  path: string;
  resolve(): void;
  reject(err: unknown): void;
}

const DEFAULT_BYTES = 64 * 1024 * 1024;
const DEFAULT_MS = 100;

export class DurableBatch {
  private pending: Waiter[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly bytes: number;
  private readonly ms: number;
  private readonly sync: (paths: string[]) => Promise<void>;

  constructor(options: DurableBatchOptions = {}) {
    this.bytes = options.bytes ?? DEFAULT_BYTES;
    this.ms = options.ms ?? DEFAULT_MS;
    this.sync = options.sync ?? datasyncAll;
  }

  /**
   * Queues `path` (fully written and closed) and resolves once its bytes are
   * on stable storage; rejects when they could not be made so.
   */
  durable(path: string, size: number): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.pending.push({ path, resolve, reject }));
    this.pendingBytes += size;
    if (this.pendingBytes >= this.bytes) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.ms);
    return done;
  }

  /** Closes the current batch now (nothing more is coming soon) and starts its sync. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.length) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.sync(batch.map((w) => w.path)).then(
      () => batch.forEach((w) => w.resolve()),
      (err: unknown) => batch.forEach((w) => w.reject(err)),
    );
  }
}

async function datasyncAll(paths: string[]): Promise<void> {
  await Promise.all(paths.map(datasyncPath));
}

/**
 * fdatasync(2) through a new descriptor: it flushes the inode's pages
 * whoever wrote them, and (Linux ≥ 4.16) reports a writeback error that no
 * descriptor has seen yet.
 */
async function datasyncPath(path: string): Promise<void> {
  const handle = await fsp.open(path, 'r');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
