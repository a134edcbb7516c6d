/**
 * `pyindex serve` (its own process, the real CLI) against nginx (Debian,
 * one worker, sendfile) serving the SAME static tree, loaded by wrk (a C
 * load generator, neither side's code) over loopback keep-alive connections:
 * requests/s and p99 latency for a project page as JSON and as HTML, and
 * for a 1 MB file. Both get the same requests: nginx runs the README's
 * configuration (test/helpers/nginx.ts), which picks `index.json` or
 * `index.html` by Accept as pyindex does; a third row asks both for
 * `index.json` by name. pyindex runs as users run it (the bundle). Both
 * write their logs (pyindex its download log, nginx its access log).
 *
 * Needs /usr/sbin/nginx and /usr/bin/wrk (apt-get install -y nginx wrk).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTree } from '../src/serve/tree/index.js';
import { nginxSkipReason, startNginx } from '../test/helpers/nginx.js';
import { startServeCli } from '../test/helpers/serve-cli.js';
import { makeSdist, makeWheel } from '../test/helpers/serve-dists.js';
import type { Bench, BenchRow } from './lib.js';
import { bundleForBench } from './lock-tools.js';

const WRK = '/usr/bin/wrk';
const SECONDS = Number(process.env.SERVE_BENCH_SECONDS ?? 4);
/** Rounds of (pyindex, nginx) runs, interleaved so a busy machine hurts both alike; medians are reported. */
const ROUNDS = Number(process.env.SERVE_BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.SERVE_BENCH_CONNECTIONS ?? 32);
const THREADS = Math.max(1, Math.min(2, cpus().length - 2));
const JSON_ACCEPT = 'application/vnd.pypi.simple.v1+json';

interface WrkResult {
  rps: number;
  p99Ms: number;
  errors: number;
  /** CPU time the server process spent per request (user + system), µs. */
  cpuUsPerRequest: number;
}

/**
 * CPU time of a process so far (user + system, /proc/<pid>/stat), µs.
 * Requests/s on this shared 2-core machine follow whatever else runs; the
 * CPU a server spends per request hardly does, so both are reported.
 */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function toMs(value: string, unit: string): number {
  const n = Number(value);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}

function wrk(pid: number, url: string, headers: Record<string, string>, seconds = SECONDS): WrkResult {
  const args = [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url];
  const cpuBefore = cpuMicros(pid);
  const out = execFileSync(WRK, args, { encoding: 'utf8' });
  const cpuUsed = cpuMicros(pid) - cpuBefore;
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s|m)\b/.exec(out);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const socketErrors = /Socket errors:.*?(\d+).*?(\d+).*?(\d+).*?(\d+)/.exec(out);
  if (!rps || !p99) throw new Error(`unexpected wrk output:\n${out}`);
  const errors = Number(non2xx?.[1] ?? 0) + (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  return { rps: Number(rps[1]), p99Ms: toMs(p99[1] as string, p99[2] as string), errors, cpuUsPerRequest: cpuUsed / requests };
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function medianOf(results: WrkResult[]): WrkResult {
  return { rps: median(results.map((r) => r.rps)), p99Ms: median(results.map((r) => r.p99Ms)), errors: results.reduce((n, r) => n + r.errors, 0), cpuUsPerRequest: median(results.map((r) => r.cpuUsPerRequest)) };
}

/** A project page of realistic size (40 releases × wheel + sdist) and a 1 MB file. */
async function buildTree(root: string): Promise<{ project: string; bigFile: string }> {
  const tree = openTree(root);
  for (let i = 0; i < 40; i++) {
    const version = `1.${i}.0`;
    for (const d of [makeWheel({ name: 'benchpkg', version, requiresPython: '>=3.8', requires: ['six>=1.0'] }), await makeSdist({ name: 'benchpkg', version, requiresPython: '>=3.8' })]) {
      await tree.addFile({ filename: d.filename, bytes: d.bytes, sha256: d.sha256 });
    }
  }
  const big = makeWheel({ name: 'bigpkg', version: '1.0', payload: Buffer.alloc(1024 * 1024 - 1200, 0x5a) });
  await tree.addFile({ filename: big.filename, bytes: big.bytes, sha256: big.sha256 });
  return { project: 'benchpkg', bigFile: `files/bigpkg/${big.filename}` };
}

const bench: Bench = {
  title: `pyindex serve vs nginx on the same static tree (wrk -t${THREADS} -c${CONNECTIONS} -d${SECONDS}s, median of ${ROUNDS} interleaved rounds, keep-alive, loopback; nginx 1 worker)`,
  async run(): Promise<BenchRow[]> {
    const missing = nginxSkipReason() || (existsSync(WRK) ? false : `${WRK} is missing (apt-get install -y wrk)`);
    if (missing) throw new Error(`cannot run: ${missing}`);
    const dir = mkdtempSync(join(tmpdir(), 'pyindex-serve-bench-'));
    const root = join(dir, 'tree');
    const { project, bigFile } = await buildTree(root);
    // pyindex as users run it: the bundle `npm run build` makes (tsx adds per-closure helpers on the hot path).
    const bundle = await bundleForBench();
    const ours = await startServeCli(root, [], {}, bundle !== undefined ? [bundle] : undefined);
    console.log(`# pyindex: ${bundle !== undefined ? `the bundle (${bundle})` : 'src through tsx (the bundle did not build)'}; ${cpus().length} cores; load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
    const nginx = await startNginx(root);
    const oursPid = ours.child.pid as number;
    const nginxPid = nginx.child.pid as number; // one process: master_process off
    try {
      const cases = [
        // The same request to both: nginx picks index.json by Accept too (the README's configuration).
        { name: `/simple/${project}/ JSON (PEP 691)`, ours: [`${ours.url}simple/${project}/`, { Accept: JSON_ACCEPT }], peer: [`${nginx.url}simple/${project}/`, { Accept: JSON_ACCEPT }], page: true },
        { name: `/simple/${project}/ HTML (PEP 503)`, ours: [`${ours.url}simple/${project}/`, { Accept: 'text/html' }], peer: [`${nginx.url}simple/${project}/`, { Accept: 'text/html' }], page: true },
        // The JSON page as a plain file (no index lookup, no negotiation): nginx's fastest case.
        { name: `/simple/${project}/index.json (file)`, ours: [`${ours.url}simple/${project}/index.json`, {}], peer: [`${nginx.url}simple/${project}/index.json`, {}], page: true },
        { name: '1 MB file', ours: [`${ours.url}${bigFile}`, {}], peer: [`${nginx.url}${bigFile}`, {}], page: false },
      ] as const;
      const rows: BenchRow[] = [];
      for (const c of cases) {
        wrk(oursPid, c.ours[0], c.ours[1], 1); // warm-up (JIT, page cache)
        wrk(nginxPid, c.peer[0], c.peer[1], 1);
        const runs: { a: WrkResult; b: WrkResult }[] = [];
        for (let i = 0; i < ROUNDS; i++) runs.push({ a: wrk(oursPid, c.ours[0], c.ours[1]), b: wrk(nginxPid, c.peer[0], c.peer[1]) });
        const a = medianOf(runs.map((x) => x.a));
        const b = medianOf(runs.map((x) => x.b));
        const errors = a.errors + b.errors > 0 ? ` | errors: pyindex ${a.errors}, nginx ${b.errors}` : '';
        rows.push({
          name: `${c.name} requests/s`,
          ours: a.rps,
          peer: b.rps,
          peerName: 'nginx',
          unit: 'req/s',
          higherIsBetter: true,
          ...(c.page ? { target: '≥ 50% of nginx' } : {}),
          note: `pyindex at ${((100 * a.rps) / b.rps).toFixed(0)}% of nginx${errors}`,
        });
        rows.push({ name: `${c.name} p99 latency`, ours: a.p99Ms, peer: b.p99Ms, peerName: 'nginx', unit: 'ms', higherIsBetter: false });
        rows.push({
          name: `${c.name} server CPU per request`,
          ours: a.cpuUsPerRequest,
          peer: b.cpuUsPerRequest,
          peerName: 'nginx',
          unit: 'µs',
          higherIsBetter: false,
          note: `at equal CPU pyindex would serve ${((100 * b.cpuUsPerRequest) / a.cpuUsPerRequest).toFixed(0)}% of nginx's requests`,
        });
      }
      return rows;
    } finally {
      await ours.stop('SIGTERM');
      await nginx.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
