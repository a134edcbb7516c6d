/**
 * Reads a download log (`YYYY-MM-DD.jsonl`, download-log.ts) into counts,
 * incrementally: the log only grows, so a reader keeps its byte offset and
 * on the next call reads only what was appended. The server keeps one per
 * day for `/stats/days/<day>.json`; `pyindex stats` reads each file once.
 *
 * A line is counted once it ends with "\n". A fragment at the end stays
 * pending (a write may be under way) unless the read is `final` — a past
 * day, or a file given to `pyindex stats` — where it is counted if it
 * parses and reported if not. Malformed lines are reported with their line
 * number and skipped; they never stop the count. A file replaced (new
 * inode), truncated, or rewritten in place (its first bytes changed) is
 * read again from the start.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { CountTable, parseLogLine, type DownloadLine, type LogProblem, type MirrorDay } from './counts.js';

const CHUNK = 4 * 1024 * 1024;
const HEAD = 256;

export class LogFileReader {
  private ino = -1;
  private offset = 0;
  private lineNo = 0;
  /** Inside a line longer than CHUNK: skipped to its end. */
  private skipping = false;
  /** The first bytes counted, to notice a file rewritten in place. */
  private head = Buffer.alloc(0);
  private readonly table = new CountTable();
  private problems: LogProblem[] = [];

  constructor(
    readonly path: string,
    /** Lines to count (e.g. a day range); the others are skipped silently. */
    private readonly accept: (line: DownloadLine) => boolean = () => true,
  ) {}

  private running: Promise<unknown> = Promise.resolve();

  /** Reads what was appended since the last call; false when the file does not exist. Calls run one at a time. */
  update(final = false): Promise<boolean> {
    const next = this.running.then(() => this.read(final));
    this.running = next.catch(() => undefined);
    return next;
  }

  private async read(final: boolean): Promise<boolean> {
    let fh: FileHandle;
    try {
      fh = await open(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    try {
      const st = await fh.stat();
      if (st.ino !== this.ino || st.size < this.offset || !(await this.sameHead(fh))) this.reset(st.ino);
      const buffer = Buffer.alloc(Math.min(CHUNK, Math.max(1, st.size - this.offset)));
      while (this.offset < st.size) {
        const { bytesRead } = await fh.read(buffer, 0, Math.min(buffer.length, st.size - this.offset), this.offset);
        if (bytesRead === 0) break;
        const chunk = buffer.subarray(0, bytesRead);
        const end = chunk.lastIndexOf(0x0a);
        if (end === -1) {
          if (bytesRead === buffer.length && bytesRead === CHUNK) {
            // No newline in a whole chunk: one absurdly long line, skipped to its end.
            if (!this.skipping) this.problem(this.lineNo + 1, `line longer than ${CHUNK} bytes`);
            this.skipping = true;
            this.offset += bytesRead;
            continue;
          }
          if (final) {
            this.lines(chunk.toString('utf8'));
            this.offset += bytesRead;
          }
          break;
        }
        if (this.offset === 0) this.head = Buffer.from(chunk.subarray(0, Math.min(HEAD, end + 1)));
        this.lines(chunk.subarray(0, end).toString('utf8'));
        this.offset += end + 1;
      }
    } finally {
      await fh.close();
    }
    return true;
  }

  mirrorDays(): MirrorDay[] {
    return this.table.mirrorDays(this.path);
  }

  issues(): LogProblem[] {
    return [...this.problems];
  }

  /** False when the bytes already read no longer start the file (truncated and rewritten in place). */
  private async sameHead(fh: FileHandle): Promise<boolean> {
    if (this.head.length === 0) return true;
    const now = Buffer.alloc(this.head.length);
    const { bytesRead } = await fh.read(now, 0, now.length, 0);
    return bytesRead === now.length && now.equals(this.head);
  }

  private reset(ino: number): void {
    this.ino = ino;
    this.head = Buffer.alloc(0);
    this.offset = 0;
    this.lineNo = 0;
    this.skipping = false;
    this.table.clear();
    this.problems = [];
  }

  private lines(text: string): void {
    const lines = text.split('\n');
    for (const [i, raw] of lines.entries()) {
      this.lineNo++;
      if (i === 0 && this.skipping) {
        this.skipping = false;
        continue;
      }
      const line = raw.trim();
      if (line === '') continue;
      const parsed = parseLogLine(line);
      if ('problem' in parsed) this.problem(this.lineNo, parsed.problem);
      else if (this.accept(parsed)) this.table.add(parsed);
    }
  }

  private problem(line: number, reason: string): void {
    this.problems.push({ source: this.path, line, reason });
  }
}
