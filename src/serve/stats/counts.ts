/**
 * Download counts, as read from download logs (download-log.ts) and as
 * served by `/stats/days/<day>.json`.
 *
 * The unit is a MIRROR-DAY: the downloads one mirror (its id, kept in its
 * root's `.pyindex/mirror-id`) recorded on one UTC day. Summing the
 * statistics of a fleet adds mirror-days, and a mirror-day met twice (the
 * same mirror given as a directory and as a URL, or twice) is counted once.
 */

export interface FileCount {
  project: string;
  version: string;
  filename: string;
  count: number;
}

export interface MirrorDay {
  mirror: string;
  /** YYYY-MM-DD, UTC. */
  day: string;
  files: FileCount[];
  total: number;
  /** Where it was read (a log file, or a stats URL). */
  source: string;
}

/** A log line that could not be counted: reported, never fatal. */
export interface LogProblem {
  source: string;
  line?: number;
  reason: string;
}

export interface DownloadLine {
  mirror: string;
  day: string;
  project: string;
  version: string;
  filename: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar day written YYYY-MM-DD. */
export function isDay(text: string): boolean {
  if (!DAY.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** One line of a download log, or the reason it cannot be counted. */
export function parseLogLine(line: string): DownloadLine | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { problem: `not JSON: ${JSON.stringify(line.slice(0, 80))}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: 'not a JSON object' };
  const r = value as Record<string, unknown>;
  for (const key of ['time', 'project', 'version', 'filename', 'mirror'] as const) {
    if (typeof r[key] !== 'string' || r[key] === '') return { problem: `"${key}" is missing or not a string` };
  }
  const day = (r.time as string).slice(0, 10);
  if (!isDay(day) || Number.isNaN(Date.parse(r.time as string))) return { problem: `"time" ${JSON.stringify(r.time)} is not an ISO 8601 time` };
  return { mirror: r.mirror as string, day, project: r.project as string, version: r.version as string, filename: r.filename as string };
}

/** Counts of one source, by mirror-day and file. */
export class CountTable {
  private readonly days = new Map<string, { mirror: string; day: string; files: Map<string, FileCount> }>();

  add(line: DownloadLine, count = 1): void {
    const dayKey = `${line.mirror}\0${line.day}`;
    let entry = this.days.get(dayKey);
    if (entry === undefined) {
      entry = { mirror: line.mirror, day: line.day, files: new Map() };
      this.days.set(dayKey, entry);
    }
    const fileKey = `${line.project}\0${line.version}\0${line.filename}`;
    const file = entry.files.get(fileKey);
    if (file) file.count += count;
    else entry.files.set(fileKey, { project: line.project, version: line.version, filename: line.filename, count });
  }

  clear(): void {
    this.days.clear();
  }

  mirrorDays(source: string): MirrorDay[] {
    return [...this.days.values()].map((d) => {
      const files = [...d.files.values()].map((f) => ({ ...f })).sort((a, b) => cmp(a.project, b.project) || cmp(a.version, b.version) || cmp(a.filename, b.filename));
      return { mirror: d.mirror, day: d.day, files, total: files.reduce((n, f) => n + f.count, 0), source };
    });
  }
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
