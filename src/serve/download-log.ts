/**
 * The download log: `.pyindex/downloads/YYYY-MM-DD.jsonl` (UTC day), one
 * JSON object per completed file download, append-only. Appends use
 * O_APPEND, so several servers sharing a root interleave whole lines (each
 * batch is one write(2)); lines are batched per event-loop turn so a busy
 * server does one write per turn, not one per download.
 *
 * The mirror id tells logs of different servers apart when their statistics
 * are summed (the same mirror given twice must not count twice). It is made
 * once per tree root and kept in `.pyindex/mirror-id`.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface DownloadRecord {
  /** ISO 8601 UTC. */
  time: string;
  project: string;
  version: string;
  filename: string;
  userAgent: string;
  mirror: string;
}

export async function mirrorIdOf(stateDir: string): Promise<string> {
  const file = join(stateDir, 'mirror-id');
  try {
    const id = (await readFile(file, 'utf8')).trim();
    if (id !== '') return id;
  } catch {
    // first start
  }
  const id = randomUUID();
  await mkdir(stateDir, { recursive: true });
  try {
    await writeFile(file, `${id}\n`, { flag: 'wx' });
    return id;
  } catch {
    return (await readFile(file, 'utf8')).trim(); // another process made it first
  }
}

export class DownloadLog {
  private pending: DownloadRecord[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private scheduled = false;
  /** The last write error, kept so the server can report it without failing downloads. */
  lastError: unknown;

  constructor(
    readonly dir: string,
    readonly mirror: string,
  ) {}

  record(entry: Omit<DownloadRecord, 'mirror' | 'time'> & { time?: Date }): void {
    const { time, ...rest } = entry;
    this.pending.push({ time: (time ?? new Date()).toISOString(), ...rest, mirror: this.mirror });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
  }

  /** Writes what is pending; resolves when everything recorded so far is on disk (in the page cache). */
  flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) this.flushing = this.flushing.then(() => this.write(batch));
    return this.flushing;
  }

  private async write(batch: DownloadRecord[]): Promise<void> {
    const byDay = new Map<string, string[]>();
    for (const r of batch) {
      const day = r.time.slice(0, 10);
      byDay.set(day, [...(byDay.get(day) ?? []), JSON.stringify(r)]);
    }
    try {
      await mkdir(this.dir, { recursive: true });
      for (const [day, lines] of byDay) await appendFile(join(this.dir, `${day}.jsonl`), `${lines.join('\n')}\n`, { flag: 'a' });
    } catch (err) {
      this.lastError = err;
    }
  }
}
