/**
 * `pyindex provision` vs bare pip on the same wheelhouse of real wheels
 * (requests, flask, numpy, pytest, rich, pydantic … and their closure, from
 * the machine's mirror /opt/pypi; generated wheels when it is absent):
 *
 * - cold: a fresh venv each run. pyindex: the bundled CLI (`python -m venv`,
 *   interpreter check, pip install, sync check, verify, stamp). pip: the same
 *   `python -m venv` then `pip install --isolated --no-index --find-links WH
 *   --no-deps -r req.txt` with the same generated requirements file. Five
 *   paired rounds, the order swapped each round; the overhead is the median
 *   of the rounds' own overheads (a round's two runs are moments apart, so
 *   they share the machine's load), the medians of the runs shown too.
 * - no-op: provision again on the stamped venv vs pip's own "Requirement
 *   already satisfied" run of the same command; medians of 10 and 5.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { exportRequirements } from '../src/lock/export-requirements.js';
import { readLockfile } from '../src/lock/read.js';
import { provision } from '../src/provision/index.js';
import { isolatedPythonEnv } from '../src/provision/pip.js';
import { pyenvPython, relock, writeConfig, type Kit } from '../test/helpers/provision-kit.js';
import { makeUniversalWheels } from '../test/helpers/universal-wheels.js';
import { medianMs, type Bench, type BenchRow } from './lib.js';
import { bundleForBench, repoRoot } from './lock-tools.js';

const MIRROR = '/opt/pypi/simple';
const PROFILE = 'linux-x86_64-py3.11';
/** Cold rounds (each a pip run and a pyindex run, in alternating order). */
const ROUNDS = 5;
const REAL = ['requests', 'flask', 'numpy', 'pytest', 'rich', 'pydantic', 'pyyaml', 'python-dateutil', 'tabulate', 'tqdm', 'attrs', 'packaging'];

/** The CLI as users run it (bundleForBench: scripts/bundle.mjs on today's sources), else the sources through tsx. */
async function bundledCli(): Promise<string[]> {
  const bin = await bundleForBench();
  return bin ? [bin] : ['--import=tsx', join(repoRoot, 'src', 'cli', 'bin.ts')];
}

async function corpus(dir: string): Promise<{ kit: Kit; note: string }> {
  const kit: Kit = { dir, config: '', lockFile: join(dir, 'pyindex.lock.yaml'), wheelhouse: join(dir, 'wheelhouse'), cache: join(dir, 'cache') };
  if (existsSync(MIRROR)) {
    kit.config = writeConfig(dir, { bench: { requires: REAL, profiles: [PROFILE] } }, MIRROR);
    await relock(kit);
    return { kit, note: `real wheels from ${MIRROR}` };
  }
  const wheels = join(dir, 'wheels');
  mkdirSync(wheels);
  makeUniversalWheels(wheels, Array.from({ length: 25 }, (_, i) => ({ name: `pkg${i}`, version: '1.0', body: 'X = 1\n'.repeat(2000) })));
  kit.config = writeConfig(dir, { bench: { requires: Array.from({ length: 25 }, (_, i) => `pkg${i}`), profiles: [PROFILE] } });
  await relock(kit);
  return { kit, note: 'generated wheels (no mirror here)' };
}

const bench: Bench = {
  title: 'provision: pyindex provision vs bare pip install --no-index --find-links (same wheelhouse, same venv creation)',
  async run(): Promise<BenchRow[]> {
    const python = pyenvPython('3.11');
    if (!python) throw new Error('needs pyenv Python 3.11');
    const dir = join(tmpdir(), `pyindex-provision-bench-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      const { kit, note } = await corpus(dir);
      // Fill the wheelhouse once (not measured).
      await provision({ job: 'bench', profile: PROFILE, venv: join(dir, 'warm'), wheelhouse: kit.wheelhouse, python, configFile: kit.config, cacheDir: kit.cache, fetch: true });
      const wheels = readdirSync(kit.wheelhouse).filter((f) => f.endsWith('.whl')).length;
      const requirements = join(dir, 'req.txt');
      writeFileSync(requirements, exportRequirements(readLockfile(kit.lockFile), 'bench', PROFILE));
      const cli = await bundledCli();
      const env = isolatedPythonEnv(process.env);
      let n = 0;
      const ours = (venv: string) => execa(process.execPath, [...cli, 'provision', '--json', '--job', 'bench', '--profile', PROFILE, '--python', python, '--venv', venv, '--wheelhouse', kit.wheelhouse, '--config', kit.config, '--cache-dir', kit.cache], { env: process.env });
      /** What pyindex reports it spent in `python -m venv` and pip (the rest of its wall time is its own). */
      const children = (stdout: string): number => {
        const t = (JSON.parse(stdout) as { timings?: { venvMs: number; pipMs: number } }).timings;
        return t ? t.venvMs + t.pipMs : NaN;
      };
      const pipInstall = (venv: string) => execa(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--isolated', '--no-index', '--find-links', kit.wheelhouse, '--no-deps', '-r', requirements], { env, extendEnv: false });
      const pipCold = async (venv: string) => {
        await execa(python, ['-m', 'venv', venv], { env, extendEnv: false });
        await pipInstall(venv);
      };
      let lastStdout = '';
      const timeOnce = async (fn: () => Promise<unknown>): Promise<number> => {
        const start = process.hrtime.bigint();
        const out = await fn();
        lastStdout = typeof out === 'object' && out !== null && 'stdout' in out ? String(out.stdout) : '';
        return Number(process.hrtime.bigint() - start) / 1e6;
      };
      // Paired rounds, the order swapped each round: load from other work on the machine comes and goes
      // within seconds, and each round's overhead compares two runs made moments apart.
      const coldOurs: number[] = [];
      const coldPip: number[] = [];
      const overheads: number[] = [];
      /** Per round: pyindex's wall time outside venv creation and pip, relative to those two. */
      const added: number[] = [];
      const load = [loadavg()[0] ?? NaN];
      let lastOurs = '';
      let lastPip = '';
      for (let i = 0; i < ROUNDS; i++) {
        const a = join(dir, `pip-${n++}`);
        const b = join(dir, `ours-${n++}`);
        const pipFirst = i % 2 === 0;
        let inChildren = NaN;
        const runOurs = async (): Promise<number> => {
          const ms = await timeOnce(() => ours(b));
          inChildren = children(lastStdout);
          return ms;
        };
        const first = pipFirst ? await timeOnce(() => pipCold(a)) : await runOurs();
        const second = pipFirst ? await runOurs() : await timeOnce(() => pipCold(a));
        const [p, o] = pipFirst ? [first, second] : [second, first];
        coldPip.push(p);
        coldOurs.push(o);
        overheads.push(((o - p) / p) * 100);
        added.push(((o - inChildren) / inChildren) * 100);
        if (i < ROUNDS - 1) {
          rmSync(a, { recursive: true, force: true });
          rmSync(b, { recursive: true, force: true });
        } else {
          lastOurs = b;
          lastPip = a;
        }
      }
      load.push(loadavg()[0] ?? NaN);
      const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
      const noopOurs = await medianMs(() => ours(lastOurs), 10, 1);
      const noopPip = await medianMs(() => pipInstall(lastPip), 5, 1);
      const coldO = median(coldOurs);
      const coldP = median(coldPip);
      return [
        {
          name: `cold: fresh venv + install ${wheels} wheels (${note}; medians of ${ROUNDS} paired rounds)`,
          ours: coldO,
          peer: coldP,
          peerName: 'python -m venv + pip install',
          unit: 'ms',
          target: 'overhead ≤ 15%',
          note:
            `overhead: median of the rounds' ${median(overheads).toFixed(1)}% (of the medians ${(((coldO - coldP) / coldP) * 100).toFixed(1)}%); ` +
            `rounds ${overheads.map((x) => `${x.toFixed(1)}%`).join('/')}; runs ours ${coldOurs.map((x) => x.toFixed(0)).join('/')}, pip ${coldPip.map((x) => x.toFixed(0)).join('/')}; load ${load.map((x) => x.toFixed(1)).join('→')}`,
        },
        {
          name: "cold, pyindex's own share: its wall time outside `python -m venv` and pip (as it reports them), relative to those two steps",
          ours: median(added),
          unit: '%',
          target: '≤ 15%',
          note: `rounds ${added.map((x) => `${x.toFixed(1)}%`).join('/')}; the same two steps a bare install runs, so the machine's noise in them cancels; pip's own --require-hashes checking counts as pip here`,
        },
        { name: 'no-op: nothing changed (whole CLI process)', ours: noopOurs, peer: noopPip, peerName: 'pip install (already satisfied)', unit: 'ms', target: '≤ 300 ms', note: `CLI: ${cli.length === 1 ? 'bundled (scripts/bundle.mjs)' : 'tsx (bundling failed)'}` },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
