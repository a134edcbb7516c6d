/**
 * `pyindex stats SOURCE...`: downloads summed across mirrors — each SOURCE
 * a served root, a download-log directory or file, or the URL of a running
 * `pyindex serve` (src/serve/stats/sources.ts). A mirror given twice (as
 * its root and its URL, say) counts once (sum.ts). Lines that cannot be
 * counted are reported as warnings and in `--json`, and do not fail the
 * command; a source that cannot be read at all does.
 */
import { resolve } from 'node:path';
import { PyindexError } from '../../errors/index.js';
import { GROUPINGS, isDay, isUrlSource, readSource, sumStats, type StatsGrouping, type StatsReport, type StatsRow } from '../../serve/stats/index.js';
import { stringOption, type Command, type CommandContext } from '../command.js';

/** Problems printed one by one before they are summarised. */
const SHOWN_PROBLEMS = 20;

function dayOption(ctx: CommandContext, name: 'since' | 'until'): string | undefined {
  const text = stringOption(ctx, name);
  if (text === undefined) return undefined;
  if (!isDay(text)) throw new PyindexError('E_USAGE', `--${name} must be a day written YYYY-MM-DD, got ${JSON.stringify(text)}`, { hint: 'Days are UTC, as in the logs; both ends are included.' });
  return text;
}

function groupingOption(ctx: CommandContext): StatsGrouping {
  const by = stringOption(ctx, 'by') ?? 'project';
  if (!(GROUPINGS as readonly string[]).includes(by)) throw new PyindexError('E_USAGE', `--by must be one of ${GROUPINGS.join(', ')}, got ${JSON.stringify(by)}`);
  return by as StatsGrouping;
}

const COLUMNS: Record<StatsGrouping, [header: string, get: (r: StatsRow) => string][]> = {
  project: [['PROJECT', (r) => r.project ?? '']],
  version: [
    ['PROJECT', (r) => r.project ?? ''],
    ['VERSION', (r) => r.version ?? ''],
  ],
  file: [
    ['PROJECT', (r) => r.project ?? ''],
    ['VERSION', (r) => r.version ?? ''],
    ['FILE', (r) => r.filename ?? ''],
  ],
  day: [['DAY', (r) => r.day ?? '']],
  mirror: [['MIRROR', (r) => r.mirror ?? '']],
};

export function renderTable(report: StatsReport): string {
  const columns = COLUMNS[report.by];
  const body = report.rows.map((r) => [...columns.map(([, get]) => get(r)), String(r.downloads)]);
  const header = [...columns.map(([h]) => h), 'DOWNLOADS'];
  const footer = ['total', ...columns.slice(1).map(() => ''), String(report.total)];
  const widths = header.map((h, i) => Math.max(h.length, footer[i]?.length ?? 0, ...body.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), ...body.map(line), line(footer)].join('\n');
}

function summary(report: StatsReport): string {
  const range = report.since !== undefined || report.until !== undefined ? `, ${report.since ?? '…'} to ${report.until ?? '…'}` : '';
  const dup = report.duplicates.length > 0 ? `; ${report.duplicates.length} mirror-day(s) found in more than one source, counted once` : '';
  return `${report.total} download(s) from ${report.mirrors.length} mirror(s)${range}${dup}`;
}

export const statsCommand: Command = {
  path: ['stats'],
  summary: 'sum the downloads of pyindex serve mirrors (roots, log files or stats URLs), each mirror counted once',
  usage: 'stats SOURCE... [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--by project|version|file|day|mirror] [--json]',
  options: { since: { type: 'string' }, until: { type: 'string' }, by: { type: 'string' } },
  positionals: [1, 10_000],
  async run(ctx) {
    const since = dayOption(ctx, 'since');
    const until = dayOption(ctx, 'until');
    if (since !== undefined && until !== undefined && since > until) throw new PyindexError('E_USAGE', `--since ${since} is after --until ${until}`);
    const by = groupingOption(ctx);
    const range = { ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}) };
    const sources = ctx.positionals.map((s) => (isUrlSource(s) ? s : resolve(ctx.cwd, s)));
    const counts = await Promise.all(sources.map((s) => readSource(s, range)));
    const report = sumStats(counts, by, range);
    for (const p of report.problems.slice(0, SHOWN_PROBLEMS)) ctx.out.warn(`${p.source}${p.line !== undefined ? `:${p.line}` : ''}: ${p.reason} (line skipped)`);
    if (report.problems.length > SHOWN_PROBLEMS) ctx.out.warn(`… and ${report.problems.length - SHOWN_PROBLEMS} more unreadable line(s)`);
    for (const d of report.duplicates) {
    ctx.out.warn(d.kept === d.ignored ? `${d.kept} is given more than once: mirror ${d.mirror} on ${d.day} counted once` : `mirror ${d.mirror} on ${d.day} is in both ${d.kept} and ${d.ignored}: counted once (from ${d.kept})`);
  }
    ctx.out.json(report);
    ctx.out.print(renderTable(report));
    ctx.out.print(summary(report));
  },
};
