/**
 * The local download statistics of one server, for `pyindex stats` to sum
 * across mirrors:
 *
 *   GET /stats/days/                 {"pyindex-stats": 1, "mirror", "days": ["YYYY-MM-DD", …]}
 *   GET /stats/days/YYYY-MM-DD.json  {"pyindex-stats": 1, "mirror", "day", "total",
 *                                     "downloads": [{"mirror", "project", "version", "filename", "count"}],
 *                                     "problems": [{"line", "reason"}]}
 *
 * `mirror` at the top is this server's id; each row carries the mirror that
 * recorded it (servers sharing a root share its log). A day without
 * downloads answers an empty list. The pending download records are
 * flushed first, so a download answered before the request is counted.
 * These are reads, behind `--read-auth` like the pages.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DownloadLog } from '../download-log.js';
import { sendText, type Route, type RouteRequest } from '../routes.js';
import type { TreeLayout } from '../tree/layout.js';
import { isDay } from './counts.js';
import { LogFileReader } from './log-file.js';

export const STATS_FORMAT = 1;

export interface StatsContext {
  layout: TreeLayout;
  log?: DownloadLog;
}

function sendJson(r: RouteRequest, value: unknown): void {
  const body = Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
  r.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length, 'Cache-Control': 'no-cache' });
  r.res.end(body);
}

export function statsRoutes(ctx: StatsContext): Route[] {
  const readers = new Map<string, LogFileReader>();
  const mirror = ctx.log?.mirror;

  async function listDays(r: RouteRequest): Promise<void> {
    await ctx.log?.flush();
    const names = await readdir(ctx.layout.downloadsDir).catch(() => [] as string[]);
    const days = names.flatMap((n) => (n.endsWith('.jsonl') && isDay(n.slice(0, -'.jsonl'.length)) ? [n.slice(0, -'.jsonl'.length)] : [])).sort();
    sendJson(r, { 'pyindex-stats': STATS_FORMAT, mirror: mirror ?? null, days });
  }

  async function day(r: RouteRequest, name: string): Promise<void> {
    const day = name.slice(0, -'.json'.length);
    if (!isDay(day)) return sendText(r.res, 404, `not a day: ${JSON.stringify(day)} (expected YYYY-MM-DD.json)`);
    await ctx.log?.flush();
    let reader = readers.get(day);
    if (reader === undefined) {
      // Lines of another day (a log copied under the wrong name) are not this day's.
      reader = new LogFileReader(join(ctx.layout.downloadsDir, `${day}.jsonl`), (line) => line.day === day);
      readers.set(day, reader);
    }
    // Today's log may be mid-write at its end; an earlier day's is complete.
    const final = day < new Date().toISOString().slice(0, 10);
    await reader.update(final);
    const downloads = reader.mirrorDays().flatMap((md) => md.files.map((f) => ({ mirror: md.mirror, ...f })));
    sendJson(r, {
      'pyindex-stats': STATS_FORMAT,
      mirror: mirror ?? null,
      day,
      total: downloads.reduce((n, d) => n + d.count, 0),
      downloads,
      problems: reader.issues().map((p) => ({ line: p.line, reason: p.reason })),
    });
  }

  return [
    {
      name: 'stats',
      methods: ['GET', 'HEAD'],
      read: true,
      matches: (s) => s[0] === 'stats' && (s.length === 1 || (s.length === 2 && (s[1] === '' || s[1] === 'days')) || (s.length === 3 && s[1] === 'days')),
      handle: (r) => {
        const [, second, third] = r.segments;
        if (r.segments.length === 1) return sendText(r.res, 301, 'moved to stats/days/', { Location: 'stats/days/' });
        if (second === '') return sendText(r.res, 301, 'moved to days/', { Location: 'days/' });
        if (third === undefined) return sendText(r.res, 301, 'moved to days/', { Location: 'days/' });
        if (third === '') return listDays(r);
        if (!third.endsWith('.json')) return sendText(r.res, 404, `not found: /stats/days/${third}`);
        return day(r, third);
      },
    },
  ];
}
