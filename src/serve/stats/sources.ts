/**
 * Where `pyindex stats` reads downloads from. A SOURCE is
 *
 * - a served root (a directory with `.pyindex/`): its `.pyindex/downloads/`;
 * - a directory of download logs (`*.jsonl`), or one log file;
 * - the URL of a running `pyindex serve` (`http://host:port/`, or its
 *   `…/stats/days/`): its `/stats/days/` documents (routes.ts), with HTTP
 *   Basic credentials taken from the URL when it has them.
 *
 * Each yields mirror-days (counts.ts) within the day range, and the lines
 * it could not count. A source that cannot be read at all is an error:
 * E_FILE_NOT_FOUND for a path, E_NETWORK / E_TIMEOUT / E_HTTP /
 * E_STATS_INVALID for a URL.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PyindexError } from '../../errors/index.js';
import { isDay, type LogProblem, type MirrorDay } from './counts.js';
import { LogFileReader } from './log-file.js';
import { userinfoAuthorization } from '../../index/credentials.js';
import { throughProxy } from '../../index/http-errors.js';
import { requestOnce, type WholeResponse } from '../../index/wire.js';

export interface DayRange {
  /** Inclusive, YYYY-MM-DD. */
  since?: string;
  until?: string;
}

export interface SourceCounts {
  source: string;
  mirrorDays: MirrorDay[];
  problems: LogProblem[];
}

const inRange = (day: string, range: DayRange): boolean => (range.since === undefined || day >= range.since) && (range.until === undefined || day <= range.until);

export function isUrlSource(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

async function readLogFiles(files: string[], range: DayRange, source: string): Promise<SourceCounts> {
  const out: SourceCounts = { source, mirrorDays: [], problems: [] };
  for (const file of files) {
    const reader = new LogFileReader(file, (line) => inRange(line.day, range));
    await reader.update(true);
    out.mirrorDays.push(...reader.mirrorDays());
    out.problems.push(...reader.issues());
  }
  return out;
}

/** A root, a log directory or a log file. */
export async function readPathSource(path: string, range: DayRange): Promise<SourceCounts> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) {
    throw new PyindexError('E_FILE_NOT_FOUND', `${path} does not exist`, { hint: 'Give a served root, a download-log directory or file, or the URL of a running pyindex serve.' });
  }
  if (info.isFile()) return readLogFiles([path], range, path);
  let dir = path;
  if (existsSync(join(path, '.pyindex'))) dir = join(path, '.pyindex', 'downloads');
  const names = await readdir(dir).catch(() => [] as string[]);
  const logs = names
    .filter((n) => n.endsWith('.jsonl'))
    // A log named by its day holds that day only: skip files outside the range unread.
    .filter((n) => !isDay(n.slice(0, -'.jsonl'.length)) || inRange(n.slice(0, -'.jsonl'.length), range))
    .sort();
  if (dir === path && !names.some((n) => n.endsWith('.jsonl'))) {
    throw new PyindexError('E_FILE_NOT_FOUND', `${path} is neither a served root (no .pyindex/) nor a directory of download logs (no *.jsonl)`, {
      hint: 'Give the --root of a pyindex serve, its .pyindex/downloads/ directory, a log file, or the server URL.',
    });
  }
  return readLogFiles(
    logs.map((n) => join(dir, n)),
    range,
    path,
  );
}

/** `http://host:port/` or `…/stats/days/` → the days listing URL, credentials split off. */
export function statsBaseUrl(source: string): { url: URL; authorization?: string; shown: string } {
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    throw new PyindexError('E_USAGE', `${JSON.stringify(source)} is not a URL`, { hint: 'e.g. http://mirror1.internal:8080/' });
  }
  const authorization = url.username !== '' ? userinfoAuthorization(url) : undefined;
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  let path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  if (path.endsWith('/stats/')) path += 'days/';
  else if (!path.endsWith('/stats/days/')) path += 'stats/days/';
  url.pathname = path;
  return { url, ...(authorization !== undefined ? { authorization } : {}), shown: url.href };
}

export interface FetchOptions {
  timeoutMs?: number;
}

/**
 * GET a stats document through pyindex's own HTTP client (index/wire.ts), so
 * a mirror at another site is read through the proxy the environment names
 * and with the CAs it trusts, like the index itself.
 */
async function getJson(url: URL, authorization: string | undefined, options: FetchOptions): Promise<unknown> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let res: WholeResponse;
  try {
    res = await requestOnce('GET', url, { userAgent: 'pyindex-stats', timeoutMs, headers: { accept: 'application/json', ...(authorization !== undefined ? { authorization } : {}) } });
  } catch (cause) {
    const err = cause as Error & { code?: string };
    const via = throughProxy(err);
    if (err.code === 'ETIMEDOUT') throw new PyindexError('E_TIMEOUT', `${url.href}${via} did not answer within ${timeoutMs / 1000} s`, { cause, hint: 'Check that the mirror is up, or leave it out.' });
    const why = err.code ?? err.message;
    throw new PyindexError('E_NETWORK', `cannot reach ${url.href}${via}: ${why}`, { cause, hint: 'Check the URL and that pyindex serve runs there (or give its root directory instead).', details: { url: url.href } });
  }
  const text = res.body.toString('utf8');
  if (res.status !== 200) {
    const hint = res.status === 401 ? 'The server requires credentials (--read-auth): put them in the URL, http://user:password@host/.' : 'Is this the URL of a pyindex serve?';
    throw new PyindexError(res.status === 401 ? 'E_AUTH_FAILED' : 'E_HTTP', `${url.href} answered ${res.status}: ${text.trim().slice(0, 200)}`, { hint, details: { url: url.href, status: res.status } });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw invalid(url, 'not JSON');
  }
}

function invalid(url: URL, why: string): PyindexError {
  return new PyindexError('E_STATS_INVALID', `${url.href} is not a pyindex stats document: ${why}`, { hint: 'Give the URL of a pyindex serve (its /stats/days/ documents).', details: { url: url.href } });
}

interface DayDocument {
  downloads: { mirror: string; project: string; version: string; filename: string; count: number }[];
  problems?: { line?: number; reason: string }[];
}

function checkDayDocument(url: URL, day: string, value: unknown): DayDocument {
  const doc = value as Partial<DayDocument> & { day?: unknown };
  if (typeof doc !== 'object' || doc === null || doc.day !== day || !Array.isArray(doc.downloads)) throw invalid(url, `expected {"day": "${day}", "downloads": [...]}`);
  for (const d of doc.downloads as unknown[]) {
    const row = d as Record<string, unknown>;
    const ok = typeof row === 'object' && row !== null && ['mirror', 'project', 'version', 'filename'].every((k) => typeof row[k] === 'string') && Number.isSafeInteger(row.count) && (row.count as number) > 0;
    if (!ok) throw invalid(url, `a download row is malformed: ${JSON.stringify(d).slice(0, 200)}`);
  }
  return doc as DayDocument;
}

/** A running server's statistics, day by day (a few days fetched at a time). */
export async function readUrlSource(source: string, range: DayRange, options: FetchOptions = {}): Promise<SourceCounts> {
  const { url, authorization, shown } = statsBaseUrl(source);
  const listing = (await getJson(url, authorization, options)) as { days?: unknown };
  if (typeof listing !== 'object' || listing === null || !Array.isArray(listing.days) || !listing.days.every((d) => typeof d === 'string' && isDay(d))) {
    throw invalid(url, 'expected {"days": ["YYYY-MM-DD", ...]}');
  }
  const days = (listing.days as string[]).filter((d) => inRange(d, range));
  const out: SourceCounts = { source: shown, mirrorDays: [], problems: [] };
  const queue = [...days];
  const worker = async (): Promise<void> => {
    for (let day = queue.shift(); day !== undefined; day = queue.shift()) {
      const dayUrl = new URL(`${day}.json`, url);
      const doc = checkDayDocument(dayUrl, day, await getJson(dayUrl, authorization, options));
      const byMirror = new Map<string, MirrorDay>();
      for (const row of doc.downloads) {
        let md = byMirror.get(row.mirror);
        if (md === undefined) {
          md = { mirror: row.mirror, day, files: [], total: 0, source: dayUrl.href };
          byMirror.set(row.mirror, md);
        }
        md.files.push({ project: row.project, version: row.version, filename: row.filename, count: row.count });
        md.total += row.count;
      }
      out.mirrorDays.push(...byMirror.values());
      for (const p of doc.problems ?? []) out.problems.push({ source: dayUrl.href, ...(p.line !== undefined ? { line: p.line } : {}), reason: p.reason });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return out;
}

export function readSource(source: string, range: DayRange, options: FetchOptions = {}): Promise<SourceCounts> {
  return isUrlSource(source) ? readUrlSource(source, range, options) : readPathSource(source, range);
}
