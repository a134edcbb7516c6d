/**
 * Benchmark plumbing shared by bench/*.bench.ts. A benchmark measures pyindex
 * and its peer (Python packaging, pip, curl, nginx …) on the same data in the
 * same run and reports the ratio. Benchmarks are never tests: nothing here
 * asserts on time.
 */
export interface BenchRow {
  /** What is measured, e.g. "parse 5000 versions". */
  name: string;
  /** pyindex's figure. */
  ours: number;
  /** The peer's figure on the same input, when there is one. */
  peer?: number;
  peerName?: string;
  /** Unit of `ours`/`peer`, e.g. "ms", "ops/s", "MB". */
  unit: string;
  /** true when bigger is better (throughput); false for times/sizes. */
  higherIsBetter?: boolean;
  /** The target the issue sets, in words, e.g. "≥ 3× faster". */
  target?: string;
  note?: string;
}

export interface Bench {
  title: string;
  run(): Promise<BenchRow[]>;
}

/** Median wall time in ms of `fn` over `runs` runs after `warmup` runs. */
export async function medianMs(fn: () => unknown | Promise<unknown>, runs = 5, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? NaN;
}

/** "pyindex is N× faster/slower than PEER" for a row. */
export function ratioText(row: BenchRow): string {
  if (row.peer === undefined || !Number.isFinite(row.peer) || row.peer === 0 || row.ours === 0) return '';
  const better = row.higherIsBetter ? row.ours / row.peer : row.peer / row.ours;
  return better >= 1 ? `${better.toFixed(2)}× better than ${row.peerName ?? 'peer'}` : `${(1 / better).toFixed(2)}× worse than ${row.peerName ?? 'peer'}`;
}

export function formatRows(title: string, rows: BenchRow[]): string {
  const fmt = (n: number | undefined) => (n === undefined ? '' : n >= 100 ? n.toFixed(0) : n.toFixed(2));
  const lines = [`## ${title}`];
  for (const r of rows) {
    const peer = r.peer === undefined ? '' : ` | ${r.peerName ?? 'peer'}: ${fmt(r.peer)} ${r.unit}`;
    const target = r.target ? ` | target ${r.target}` : '';
    const note = r.note ? ` | ${r.note}` : '';
    lines.push(`- ${r.name}: pyindex ${fmt(r.ours)} ${r.unit}${peer}${r.peer !== undefined ? ` | ${ratioText(r)}` : ''}${target}${note}`);
  }
  return lines.join('\n');
}
