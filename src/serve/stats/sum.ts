/**
 * Sums the downloads of several sources (sources.ts) without counting a
 * mirror twice: every mirror-day is taken from ONE source. When two
 * sources hold the same mirror-day — the same mirror given as its root and
 * as its URL, the same root twice, a copied log — they are copies of one
 * append-only log, possibly read at different moments, so the one with
 * more downloads (the later copy) is kept and the other is reported as a
 * duplicate. Mirrors are told apart by their id alone, so two mirrors must
 * not share one (each root makes its own; `--mirror-id` overrides it).
 */
import { cmp, type LogProblem, type MirrorDay } from './counts.js';
import type { DayRange, SourceCounts } from './sources.js';

export const GROUPINGS = ['project', 'version', 'file', 'day', 'mirror'] as const;
export type StatsGrouping = (typeof GROUPINGS)[number];

export interface StatsRow {
  project?: string;
  version?: string;
  filename?: string;
  day?: string;
  mirror?: string;
  downloads: number;
}

export interface StatsReport {
  by: StatsGrouping;
  since?: string;
  until?: string;
  total: number;
  rows: StatsRow[];
  /** Each mirror counted: its days and downloads in the range. */
  mirrors: { mirror: string; days: number; downloads: number }[];
  /** Mirror-days met in more than one source, counted once. */
  duplicates: { mirror: string; day: string; kept: string; ignored: string }[];
  problems: LogProblem[];
  sources: string[];
}

function rowKey(by: StatsGrouping, md: MirrorDay, f: MirrorDay['files'][number]): Omit<StatsRow, 'downloads'> {
  switch (by) {
    case 'project':
      return { project: f.project };
    case 'version':
      return { project: f.project, version: f.version };
    case 'file':
      return { project: f.project, version: f.version, filename: f.filename };
    case 'day':
      return { day: md.day };
    case 'mirror':
      return { mirror: md.mirror };
  }
}

/** Most downloads first; days and mirrors in their natural order. */
function sortRows(by: StatsGrouping, rows: StatsRow[]): StatsRow[] {
  if (by === 'day') return rows.sort((a, b) => cmp(a.day ?? '', b.day ?? ''));
  return rows.sort((a, b) => b.downloads - a.downloads || cmp(a.project ?? a.mirror ?? '', b.project ?? b.mirror ?? '') || cmp(a.version ?? '', b.version ?? '') || cmp(a.filename ?? '', b.filename ?? ''));
}

export function sumStats(sources: SourceCounts[], by: StatsGrouping, range: DayRange = {}): StatsReport {
  const chosen = new Map<string, MirrorDay>();
  const duplicates: StatsReport['duplicates'] = [];
  for (const source of sources) {
    for (const md of source.mirrorDays) {
      const key = `${md.mirror}\0${md.day}`;
      const seen = chosen.get(key);
      if (seen === undefined) {
        chosen.set(key, md);
        continue;
      }
      const [kept, ignored] = md.total > seen.total ? [md, seen] : [seen, md];
      chosen.set(key, kept);
      duplicates.push({ mirror: md.mirror, day: md.day, kept: kept.source, ignored: ignored.source });
    }
  }
  const rows = new Map<string, StatsRow>();
  const mirrors = new Map<string, { mirror: string; days: number; downloads: number }>();
  let total = 0;
  for (const md of chosen.values()) {
    const m = mirrors.get(md.mirror) ?? { mirror: md.mirror, days: 0, downloads: 0 };
    m.days++;
    m.downloads += md.total;
    mirrors.set(md.mirror, m);
    total += md.total;
    for (const f of md.files) {
      const key = rowKey(by, md, f);
      const id = JSON.stringify(key);
      const row = rows.get(id);
      if (row) row.downloads += f.count;
      else rows.set(id, { ...key, downloads: f.count });
    }
  }
  return {
    by,
    ...(range.since !== undefined ? { since: range.since } : {}),
    ...(range.until !== undefined ? { until: range.until } : {}),
    total,
    rows: sortRows(by, [...rows.values()]),
    mirrors: [...mirrors.values()].sort((a, b) => cmp(a.mirror, b.mirror)),
    duplicates,
    // A source given twice reports its problems once.
    problems: [...new Map(sources.flatMap((s) => s.problems).map((p) => [JSON.stringify([p.source, p.line, p.reason]), p])).values()],
    sources: sources.map((s) => s.source),
  };
}
