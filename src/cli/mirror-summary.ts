/**
 * What the CLI says about indexes at the end of a run: each mirror set's
 * servers (what each served, which were set aside or unreachable), where
 * each locked project came from when there are several indexes, and the
 * dependency-confusion warnings.
 */
import type { MirrorReport } from '../index/mirrors.js';
import type { ConfusionWarning } from '../resolve/multi-index.js';
import { stringOption, type CommandContext } from './command.js';
import { parseMirrorOrder, type MirrorOrder } from '../index/mirrors.js';

export const MIRROR_ORDER_OPTION = { 'mirror-order': { type: 'string' } } as const;

export function mirrorOrderOption(ctx: Pick<CommandContext, 'values'>): MirrorOrder {
  return parseMirrorOrder(stringOption(ctx, 'mirror-order'));
}

/** One line per index with mirrors: "servers of X: a served 12, b set aside after 3 failures (…), c unreachable at probe (…)". */
export function mirrorLines(reports: readonly MirrorReport[]): string[] {
  return reports.map((r) => {
    const byUrl = new Map(r.servers.map((s) => [s.url, s]));
    const parts = r.order.map((url) => {
      const s = byUrl.get(url)!;
      const what = [`served ${s.served}`];
      if (s.failures) what.push(`${s.failures} failed`);
      if (s.setAside !== undefined) what.push(`SET ASIDE (${s.setAside})`);
      else if (s.probeError !== undefined && s.requests === 0) what.push(`unreachable at probe (${s.probeError})`);
      return `${url} ${what.join(', ')}`;
    });
    return `servers of ${r.index}: ${parts.join('; ')}`;
  });
}

/** Per index, the locked projects taken from it (only worth printing when there are several indexes). */
export function originLines(origins: Readonly<Record<string, string>>): string[] {
  const byIndex = new Map<string, string[]>();
  for (const [name, index] of Object.entries(origins)) byIndex.set(index, [...(byIndex.get(index) ?? []), name]);
  return [...byIndex].map(([index, names]) => `from ${index}: ${names.sort().join(', ')}`);
}

export function confusionLine(w: ConfusionWarning): string {
  return (
    `${w.project}: locked ${w.version} from ${w.index} (highest there ${w.highest}), but ${w.laterIndex} lists ${w.laterVersion} — ` +
    'not taken (first-index rule); a higher version of the same name on a later index is how dependency confusion starts: check who published it'
  );
}
