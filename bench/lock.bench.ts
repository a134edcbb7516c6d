/**
 * `pyindex lock` vs `pip install --dry-run --report` on the same loopback
 * index (mkindex --json --metadata, served by test/helpers/static-server.ts in
 * its own process), each tool in a child process of its own so start-up,
 * wall time and peak RSS (GNU time, wait4) are per run and comparable:
 *
 * 1. pypi-2020 snapshots (pandas[test], chalice, dask[distributed], pytest on
 *    the cheroot snapshot), cold (empty cache) and warm (same cache again:
 *    pip's HTTP cache, pyindex's page/metadata cache; no lockfile either time);
 * 2. one profile vs four (linux x86_64/aarch64, windows amd64, macOS arm64,
 *    Python 3.11) for one job; pip has no multi-target mode, so its figure is
 *    four runs with --platform/--python-version/--only-binary=:all:;
 * 3. a generated corpus (test/helpers/lock-corpus.ts) of 50/200/800 projects × 30
 *    versions: how time and peak RSS grow.
 *
 * Both tools must pin the same versions; where they differ (a conflict both
 * solved, differently) the row says so. pip runs are capped by a timeout and
 * reported as "> N s" when they hit it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cachedIndex } from '../test/helpers/cached-index.js';
import { isolatedEnv } from '../test/helpers/python.js';
import type { Bench, BenchRow } from './lib.js';
import { generateLockCorpus } from '../test/helpers/lock-corpus.js';
import { PIP_PROFILE, type LockChildOutput } from './lock-profile.js';
import { cliRunners, measure, median, pinDiff, pipPython, runPip, startServerProcess, tempDir, type Measured, type Pins, type PipTarget, type PyindexRunner } from './lock-tools.js';

const FLAGS = ['--json', '--metadata'];
const SNAPSHOTS = [
  { label: 'pandas[test]', source: 'pypi-2020-02-15-pandas', requirements: ['pandas[test]'] },
  { label: 'chalice', source: 'pypi-2020-02-13-chalice', requirements: ['chalice'] },
  { label: 'dask[distributed]', source: 'pypi-2020-02-13-dask', requirements: ['dask[distributed]'] },
  { label: 'pytest (cheroot snapshot)', source: 'pypi-2020-11-17-cheroot', requirements: ['pytest'] },
];
const FOUR_PROFILES: { profile: string; pip: PipTarget }[] = [
  { profile: 'linux-x86_64-py3.11', pip: { platform: 'manylinux2014_x86_64', pythonVersion: '3.11' } },
  { profile: 'linux-aarch64-py3.11', pip: { platform: 'manylinux2014_aarch64', pythonVersion: '3.11' } },
  { profile: 'windows-amd64-py3.11', pip: { platform: 'win_amd64', pythonVersion: '3.11' } },
  { profile: 'macos-arm64-py3.11', pip: { platform: 'macosx_11_0_arm64', pythonVersion: '3.11' } },
];
const SCALES = [
  { projects: 50, runs: 3 },
  { projects: 200, runs: 3 },
  { projects: 800, runs: 1 },
];
const RUNS = 3;
const PIP_TIMEOUT_S = 150;
const OURS_TIMEOUT_S = 150;

const mb = (x: number) => `${x.toFixed(0)} MB`;

interface Side {
  ms: number[];
  rss: number[];
  error: string | undefined;
  timedOut: boolean;
}
const side = (): Side => ({ ms: [], rss: [], error: undefined, timedOut: false });
/** Failed runs count only as an error (their time would flatter the failing tool); timeouts as the timeout. */
function add(s: Side, m: Measured): void {
  if (!m.error || m.timedOut) {
    s.ms.push(m.ms);
    s.rss.push(m.rssMb);
  }
  s.error ??= m.error;
  s.timedOut ||= m.timedOut;
}

/** Cold then warm, `runs` times (fresh cache each round), for pip and pyindex; pins of the last successful runs. */
async function coldWarm(runner: PyindexRunner, python: string, index: string, requirements: string[], runs: number) {
  const r = { pipCold: side(), pipWarm: side(), oursCold: side(), oursWarm: side(), oursWarmLock: side(), pipPins: undefined as Pins | undefined, ourOut: undefined as LockChildOutput | undefined };
  for (let i = 0; i < runs; i++) {
    const pipCache = tempDir('pip-cache');
    const cold = await runPip(python, index, pipCache, requirements, PIP_TIMEOUT_S);
    add(r.pipCold, cold);
    // A pip that timed out cold gets no warm run (it would time out again and double the bench time).
    if (!cold.timedOut) add(r.pipWarm, await runPip(python, index, pipCache, requirements, PIP_TIMEOUT_S));
    r.pipPins = cold.pins ?? r.pipPins;
    const cache = tempDir('pyindex-cache');
    const input = { index, cacheDir: cache, profiles: [PIP_PROFILE], requirements };
    const oc = await runner.run(input, OURS_TIMEOUT_S);
    add(r.oursCold, oc);
    const workDir = tempDir('cli');
    add(r.oursWarm, await runner.run({ ...input, workDir }, OURS_TIMEOUT_S));
    // The everyday case: `pyindex lock` again with its cache and the lockfile it wrote.
    add(r.oursWarmLock, await runner.run({ ...input, workDir }, OURS_TIMEOUT_S));
    r.ourOut = oc.out ?? r.ourOut;
  }
  return r;
}

/** The peer figure, or the timeout as a lower bound. */
function peerMs(s: Side): number {
  return s.timedOut ? PIP_TIMEOUT_S * 1000 : median(s.ms);
}

function agreement(ours: LockChildOutput | undefined, pip: Pins | undefined, profile = PIP_PROFILE): string {
  const mine = ours?.pins[profile];
  if (!mine || !pip) return 'no pins to compare';
  const diff = pinDiff(mine, pip, 'pyindex', 'pip');
  return diff ? `PINS DIFFER (${diff})` : `same ${Object.keys(mine).length} pins`;
}

function errors(...sides: [string, Side][]): string {
  return sides
    .filter(([, s]) => s.error)
    .map(([n, s]) => `${n}: ${s.timedOut ? `> ${PIP_TIMEOUT_S} s (timed out)` : s.error}`)
    .join('; ');
}

async function snapshotRows(runner: PyindexRunner, python: string): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const snap of SNAPSHOTS) {
    const server = await startServerProcess(cachedIndex(`corpus/pypi-2020/index/${snap.source}.json`, FLAGS));
    try {
      const r = await coldWarm(runner, python, `${server.url}/simple/`, snap.requirements, RUNS);
      const stats = r.ourOut?.stats[PIP_PROFILE];
      const note = [agreement(r.ourOut, r.pipPins), stats ? `${stats.conflicts} conflicts` : '', errors(['pip cold', r.pipCold], ['pyindex', r.oursCold])].filter(Boolean).join('; ');
      rows.push({ name: `${snap.label}: cold (empty cache), median of ${RUNS}`, ours: median(r.oursCold.ms), peer: peerMs(r.pipCold), peerName: 'pip 24.2', unit: 'ms', target: '≥ 3× faster', note: `${note}; peak RSS pyindex ${mb(median(r.oursCold.rss))}, pip ${mb(median(r.pipCold.rss))}` });
      rows.push({ name: `${snap.label}: warm (populated cache, no lockfile)`, ours: median(r.oursWarm.ms), peer: peerMs(r.pipWarm), peerName: 'pip 24.2', unit: 'ms', target: '≥ 10× faster' });
      rows.push({ name: `${snap.label}: warm, lockfile kept (re-lock)`, ours: median(r.oursWarmLock.ms), peer: peerMs(r.pipWarm), peerName: 'pip 24.2 (warm)', unit: 'ms', target: '≥ 10× faster' });
    } finally {
      server.stop();
    }
  }
  return rows;
}

async function profileRows(runner: PyindexRunner, python: string): Promise<BenchRow[]> {
  const snap = SNAPSHOTS[2]!; // dask[distributed]: the largest of the four sets
  const server = await startServerProcess(cachedIndex(`corpus/pypi-2020/index/${snap.source}.json`, FLAGS));
  const index = `${server.url}/simple/`;
  try {
    const one = { cold: side(), warm: side() };
    const four = { cold: side(), warm: side() };
    const pip = { cold: side(), warm: side() };
    let fourOut: LockChildOutput | undefined;
    let pipLinux: Pins | undefined;
    for (let i = 0; i < RUNS; i++) {
      for (const [profiles, acc] of [[[FOUR_PROFILES[0]!.profile], one], [FOUR_PROFILES.map((p) => p.profile), four]] as const) {
        const input = { index, cacheDir: tempDir('pyindex-cache'), profiles: [...profiles], requirements: snap.requirements };
        const cold = await runner.run(input, OURS_TIMEOUT_S);
        add(acc.cold, cold);
        add(acc.warm, await runner.run(input, OURS_TIMEOUT_S));
        if (profiles.length === 4) fourOut = cold.out ?? fourOut;
      }
      // pip: one run per target, cold caches each, then the same four warm; the sum is pip's time for four targets.
      const caches = FOUR_PROFILES.map(() => tempDir('pip-cache'));
      let coldSum = 0;
      let warmSum = 0;
      for (const [j, p] of FOUR_PROFILES.entries()) {
        const c = await runPip(python, index, caches[j]!, snap.requirements, PIP_TIMEOUT_S, p.pip);
        coldSum += c.ms;
        pip.cold.error ??= c.error;
        pip.cold.rss.push(c.rssMb);
        pip.cold.timedOut ||= c.timedOut;
        if (j === 0) pipLinux = c.pins ?? pipLinux;
      }
      for (const [j, p] of FOUR_PROFILES.entries()) warmSum += (await runPip(python, index, caches[j]!, snap.requirements, PIP_TIMEOUT_S, p.pip)).ms;
      pip.cold.ms.push(coldSum);
      pip.warm.ms.push(warmSum);
    }
    const stats = fourOut ? Object.values(fourOut.stats).map((s) => s.conflicts) : [];
    const same = agreement(fourOut, pipLinux, FOUR_PROFILES[0]!.profile).replace('pins', 'linux-x86_64 pins vs pip --platform manylinux2014_x86_64 --python-version 3.11');
    const pipNote = 'pip: 4 runs (--platform manylinux2014_x86_64/manylinux2014_aarch64/win_amd64/macosx_11_0_arm64 --python-version 3.11 --only-binary=:all:; markers other than python_version are pip\'s own interpreter\'s)';
    return [
      { name: `${snap.label}: 4 profiles vs 1, cold`, ours: median(four.cold.ms), peer: median(one.cold.ms), peerName: 'pyindex, 1 profile', unit: 'ms', target: '4 profiles ≤ 1.5× one', note: `${same}; conflicts per profile ${stats.join('/')}; peak RSS 4 profiles ${mb(median(four.cold.rss))}, 1 profile ${mb(median(one.cold.rss))}${errors(['pyindex', four.cold]) ? `; ${errors(['pyindex', four.cold])}` : ''}` },
      { name: `${snap.label}: 4 profiles vs 1, warm`, ours: median(four.warm.ms), peer: median(one.warm.ms), peerName: 'pyindex, 1 profile', unit: 'ms', target: '4 profiles ≤ 1.5× one' },
      { name: `${snap.label}: 4 profiles, cold`, ours: median(four.cold.ms), peer: median(pip.cold.ms), peerName: 'pip × 4 targets', unit: 'ms', target: '≥ 3× faster', note: `${pipNote}${pip.cold.error ? `; pip: ${pip.cold.error}` : ''}` },
      { name: `${snap.label}: 4 profiles, warm`, ours: median(four.warm.ms), peer: median(pip.warm.ms), peerName: 'pip × 4 targets', unit: 'ms', target: '≥ 10× faster' },
    ];
  } finally {
    server.stop();
  }
}

async function scalingRows(runner: PyindexRunner, python: string): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dir = tempDir('corpus');
  for (const { projects, runs } of SCALES) {
    const corpus = generateLockCorpus(projects);
    const file = join(dir, `lock-corpus-${projects}.json`);
    writeFileSync(file, JSON.stringify(corpus.snapshot));
    // cachedIndex keys on the content: an unchanged generator reuses the tree of the previous run.
    const server = await startServerProcess(cachedIndex(file, FLAGS));
    try {
      const r = await coldWarm(runner, python, `${server.url}/simple/`, corpus.roots, runs);
      const stats = r.ourOut?.stats[PIP_PROFILE];
      const label = `${projects} projects × 30 versions (${corpus.roots.length} roots)`;
      const note = [agreement(r.ourOut, r.pipPins), stats ? `pyindex: ${stats.decisions} decisions, ${stats.conflicts} conflicts, ${stats.backtracks} backtracks` : '', errors(['pip', r.pipCold], ['pyindex', r.oursCold])].filter(Boolean).join('; ');
      const ofRuns = runs > 1 ? `, median of ${runs}` : ', 1 run';
      rows.push({ name: `${label}: cold${ofRuns}`, ours: median(r.oursCold.ms), peer: peerMs(r.pipCold), peerName: r.pipCold.timedOut ? `pip 24.2 (> ${PIP_TIMEOUT_S} s, timed out)` : 'pip 24.2', unit: 'ms', target: '≥ 3× faster', note });
      rows.push({ name: `${label}: warm, lockfile kept`, ours: median(r.oursWarmLock.ms), peer: r.pipWarm.ms.length ? peerMs(r.pipWarm) : undefined, peerName: 'pip 24.2 (warm)', unit: 'ms', target: '≥ 10× faster' });
      rows.push({ name: `${label}: warm`, ours: median(r.oursWarm.ms), peer: r.pipWarm.ms.length ? peerMs(r.pipWarm) : undefined, peerName: 'pip 24.2', unit: 'ms', target: '≥ 10× faster' });
      rows.push({
        name: `${label}: peak RSS, cold`,
        ours: median(r.oursCold.rss),
        peer: r.pipCold.timedOut ? undefined : median(r.pipCold.rss),
        peerName: 'pip 24.2',
        unit: 'MB',
        ...(projects === 800 ? { target: '< 150 MB' } : {}),
        note: `warm: pyindex ${mb(median(r.oursWarm.rss))}${r.pipWarm.rss.length ? `, pip ${mb(median(r.pipWarm.rss))}` : ''}`,
      });
    } finally {
      server.stop();
    }
  }
  return rows;
}

/** The floor under every run: starting the runtime and loading the tool. */
async function startupRows(runner: PyindexRunner, python: string): Promise<BenchRow[]> {
  const runs = 5;
  const ours: number[] = [];
  const pip: number[] = [];
  const bin = runner.argv;
  for (let i = 0; i < runs; i++) {
    ours.push((await measure(process.execPath, [...bin, '--version'], { ...process.env }, 30)).ms);
    pip.push((await measure(python, ['-m', 'pip', '--version'], isolatedEnv(), 30)).ms);
  }
  return [{ name: `start-up: pyindex --version vs python -m pip --version, median of ${runs}`, ours: median(ours), peer: median(pip), peerName: 'pip 24.2', unit: 'ms', note: `pyindex = ${runner.describe}; this fixed cost is inside every row` }];
}

/** The first runner that can lock `six` from the pandas snapshot; the ones that could not are named in its description. */
async function pickRunner(): Promise<PyindexRunner> {
  const server = await startServerProcess(cachedIndex(`corpus/pypi-2020/index/${SNAPSHOTS[0]!.source}.json`, FLAGS));
  const failed: string[] = [];
  try {
    for (const runner of await cliRunners()) {
      const smoke = await runner.run({ index: `${server.url}/simple/`, cacheDir: tempDir('smoke'), profiles: [PIP_PROFILE], requirements: ['six'] }, 60);
      if (!smoke.error) return failed.length ? { ...runner, describe: `${runner.describe} (${failed.join('; ')})` } : runner;
      failed.push(`${runner.describe} FAILED a smoke lock: ${smoke.error.split(' | ').find((l) => l.includes('error')) ?? smoke.error}`);
    }
  } finally {
    server.stop();
  }
  throw new Error(failed.join('\n'));
}

const bench: Bench = {
  title: 'pyindex lock vs pip install --dry-run --report (same loopback index, child processes, wall time and peak RSS)',
  async run(): Promise<BenchRow[]> {
    const python = pipPython();
    if (!python) throw new Error('pyenv CPython 3.13.0 (the pip to compare with) is not installed');
    const runner = await pickRunner();
    const rows: BenchRow[] = [];
    rows.push(...(await startupRows(runner, python)));
    rows.push(...(await snapshotRows(runner, python)));
    rows.push(...(await profileRows(runner, python)));
    rows.push(...(await scalingRows(runner, python)));
    return rows;
  },
};

export default bench;
