/**
 * Runners for the lock benchmark: pip and pyindex each resolve in a child
 * process of their own (start-up counted for both), timed here with the
 * wall clock and measured by GNU time for peak RSS; the loopback index server
 * runs in a third process so neither tool shares an event loop with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { canonicalizeName } from '../src/pep/names.js';
import { isolatedEnv, pyenvRoot } from '../test/helpers/python.js';
import { parse, stringify } from 'yaml';
import { PIP_PROFILE, PIP_PROFILE_SPEC, type LockChildInput, type LockChildOutput } from './lock-profile.js';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const GNU_TIME = '/usr/bin/time';

export interface Measured {
  ms: number;
  /** Peak RSS in MB (MiB), NaN when GNU time is missing. */
  rssMb: number;
  timedOut: boolean;
  error: string | undefined;
}

/** name → version for one resolution. */
export type Pins = Record<string, string>;

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `pyindex-bench-${prefix}-`));
}

/**
 * Runs `command args` under `/usr/bin/time -f %M` (peak RSS of the process and
 * its descendants, from wait4) and `timeout`, so a slow pip is stopped and
 * still measured. Async: the bench process must stay responsive.
 */
export async function measure(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutS: number): Promise<Measured & { stdout: string }> {
  const dir = tempDir('time');
  const timeFile = join(dir, 'time.txt');
  const withTime = existsSync(GNU_TIME);
  const argv = ['timeout', '-s', 'KILL', String(timeoutS), command, ...args];
  const start = process.hrtime.bigint();
  const res = withTime
    ? await execa(GNU_TIME, ['-f', '%M', '-o', timeFile, ...argv], { env, extendEnv: false, reject: false, maxBuffer: 1 << 28 })
    : await execa(argv[0]!, argv.slice(1), { env, extendEnv: false, reject: false, maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  let rssMb = NaN;
  if (withTime && existsSync(timeFile)) {
    const kb = Number(/(\d+)\s*$/.exec(readFileSync(timeFile, 'utf8').trim())?.[1]);
    rssMb = kb / 1024;
  }
  rmSync(dir, { recursive: true, force: true });
  // timeout(1) exits 137 when it had to KILL (128 + 9); time(1) passes the status through.
  const timedOut = res.exitCode === 137 || res.exitCode === 124;
  const error = res.exitCode === 0 ? undefined : timedOut ? `timed out after ${timeoutS}s` : lastLines(`${res.stderr}`);
  return { ms, rssMb, timedOut, error, stdout: `${res.stdout}` };
}

function lastLines(text: string): string {
  return text.split('\n').filter((l) => l.trim() && !l.startsWith('Command exited')).slice(-3).join(' | ');
}

export interface PipTarget {
  /** pip --platform value, e.g. manylinux2014_x86_64. */
  platform: string;
  pythonVersion: string;
}

export function pipPython(): string | undefined {
  const root = pyenvRoot();
  const python = root ? join(root, 'versions', '3.13.0', 'bin', 'python') : undefined;
  return python && existsSync(python) ? python : undefined;
}

/**
 * `pip install --dry-run --report` with its HTTP cache in `cacheDir` (fresh
 * for cold, reused for warm). With `target`, pip resolves for another
 * platform (tags only: markers other than python_version still come from the
 * running interpreter), which needs --only-binary=:all: and --target.
 */
export async function runPip(python: string, index: string, cacheDir: string, requirements: string[], timeoutS: number, target?: PipTarget): Promise<Measured & { pins: Pins | undefined }> {
  const dir = tempDir('pip');
  const report = join(dir, 'report.json');
  const args = ['-m', 'pip', 'install', '--isolated', '--dry-run', '--ignore-installed', '--quiet', '--report', report, '--cache-dir', cacheDir, '--index-url', index];
  if (target) args.push('--platform', target.platform, '--python-version', target.pythonVersion, '--only-binary=:all:', '--target', join(dir, 'target'));
  const m = await measure(python, [...args, ...requirements], isolatedEnv(), timeoutS);
  let pins: Pins | undefined;
  if (!m.error && existsSync(report)) {
    const rep = JSON.parse(readFileSync(report, 'utf8')) as { install: { metadata: { name: string; version: string } }[] };
    pins = Object.fromEntries(rep.install.map((i) => [canonicalizeName(i.metadata.name), i.metadata.version]));
  }
  rmSync(dir, { recursive: true, force: true });
  return { ...m, pins };
}

/**
 * How pyindex is run: the `pyindex lock` CLI, built as users get it
 * (bundleForBench), else compiled by tsc (tsx would add ~0.4 s of
 * transpiling to every run). `lock-child` drives resolveJob directly (no
 * config loading, no lockfile written): kept as a cross-check.
 */
export interface PyindexRunner {
  describe: string;
  /** Node arguments that start it (before the command's own). */
  argv: string[];
  run(input: LockChildInput, timeoutS: number): Promise<Measured & { out: LockChildOutput | undefined }>;
}

/** Compiles src/cli/bin.ts and bench/lock-child.ts with tsc into bench/out/lock-build (gitignored). */
async function compileForBench(): Promise<string> {
  const outDir = join(repoRoot, 'bench', 'out', 'lock-build');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../../tsconfig.json',
      compilerOptions: { outDir: '.', declaration: false, sourceMap: false, incremental: false },
      include: [],
      files: ['../../lock-child.ts', '../../../src/cli/bin.ts'],
    }),
  );
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  // tsc emits even with type errors in files others are editing; only a missing output matters.
  await execa(process.execPath, [tsc, '-p', join(outDir, 'tsconfig.json')], { reject: false });
  return outDir;
}

export async function childRunner(): Promise<PyindexRunner> {
  const outDir = await compileForBench();
  const compiled = join(outDir, 'bench', 'lock-child.js');
  const useTsx = !existsSync(compiled);
  const argv = useTsx ? ['--import=tsx', join(repoRoot, 'bench', 'lock-child.ts')] : [compiled];
  return {
    describe: useTsx ? 'resolveJob via tsx (tsc build failed)' : 'resolveJob, tsc-compiled child (bench/lock-child.ts)',
    argv,
    async run(input, timeoutS) {
      const m = await measure(process.execPath, [...argv, JSON.stringify(input)], { ...process.env }, timeoutS);
      const line = m.stdout.trim().split('\n').pop();
      const out = !m.error && line ? (JSON.parse(line) as LockChildOutput) : undefined;
      return { ...m, out };
    },
  };
}

interface LockJson {
  pairs: { profile: string; decisions: number; conflicts: number; backtracks: number; candidatesTried: number }[];
}
interface Lockfile {
  jobs: Record<string, { profiles: Record<string, { name: string; version: string }[]> }>;
}

/**
 * The CLI as users run it: `npm run build` bundles the CLI with
 * scripts/bundle.mjs into dist/cli/ (the launcher bin/pyindex.js imports,
 * which keeps a V8 code cache per command in ~/.cache/pyindex/code — made
 * by the smoke run, as by a build machine's first run). That is run here
 * with its working directory in bench/out/lock-build/stage (src symlinked),
 * so the bench
 * measures today's sources and is not disturbed by someone rebuilding dist/
 * mid-run. Falls back to tsc output, then tsx.
 */
export async function bundleForBench(): Promise<string | undefined> {
  const script = join(repoRoot, 'scripts', 'bundle.mjs');
  if (!existsSync(script)) return undefined;
  const stage = join(repoRoot, 'bench', 'out', 'lock-build', 'stage');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  symlinkSync(join(repoRoot, 'src'), join(stage, 'src'));
  const res = await execa(process.execPath, [script], { cwd: stage, reject: false });
  const bin = join(stage, 'dist', 'cli', 'pyindex.mjs');
  return res.exitCode === 0 && existsSync(bin) ? bin : undefined;
}

/**
 * `pyindex lock --config F --cache-dir D --json` on a fresh config (no
 * previous lockfile), in order of preference: the bundle users run, tsc's
 * output, tsx. The bench takes the first that passes a smoke lock.
 */
export async function cliRunners(): Promise<PyindexRunner[]> {
  const runners: PyindexRunner[] = [];
  const bundle = await bundleForBench();
  if (bundle) runners.push(cliRunner([bundle], '`pyindex lock`, bundled by scripts/bundle.mjs (as npm run build does) into bench/out/lock-build, its V8 code cache made by the smoke run'));
  const compiled = join(await compileForBench(), 'src', 'cli', 'bin.js');
  if (existsSync(compiled)) runners.push(cliRunner([compiled], '`pyindex lock`, src/cli/bin.ts compiled by tsc into bench/out/lock-build'));
  runners.push(cliRunner(['--import=tsx', join(repoRoot, 'src', 'cli', 'bin.ts')], '`pyindex lock` via tsx'));
  return runners;
}

function cliRunner(argv: string[], describe: string): PyindexRunner {
  return {
    describe,
    argv,
    async run(input, timeoutS) {
      const dir = input.workDir ?? tempDir('cli');
      const profiles = Object.fromEntries(input.profiles.filter((p) => p === PIP_PROFILE).map((p) => [p, PIP_PROFILE_SPEC]));
      const config = stringify({ index: input.index, profiles, jobs: { bench: { requires: input.requirements, profiles: input.profiles } } });
      writeFileSync(join(dir, 'pyindex.yaml'), config);
      const m = await measure(process.execPath, [...argv, 'lock', '--json', '--config', join(dir, 'pyindex.yaml'), '--cache-dir', input.cacheDir], { ...process.env }, timeoutS);
      let out: LockChildOutput | undefined;
      if (!m.error) {
        const summary = JSON.parse(m.stdout) as LockJson;
        const lock = parse(readFileSync(join(dir, 'pyindex.lock.yaml'), 'utf8')) as Lockfile;
        const sets = lock.jobs.bench?.profiles ?? {};
        out = {
          pins: Object.fromEntries(Object.entries(sets).map(([p, set]) => [p, Object.fromEntries(set.map((r) => [r.name, r.version]))])),
          stats: Object.fromEntries(summary.pairs.map(({ profile, decisions, conflicts, backtracks, candidatesTried }) => [profile, { decisions, conflicts, backtracks, candidatesTried }])),
          requests: NaN,
          maxRssKb: NaN,
        };
      }
      if (!input.workDir) rmSync(dir, { recursive: true, force: true });
      return { ...m, out };
    },
  };
}

/** The static server (test/helpers/static-server.ts) in its own Node process. */
export async function startServerProcess(root: string): Promise<{ url: string; stop(): void }> {
  const helper = new URL('../test/helpers/static-server.ts', import.meta.url).href;
  const code = `import { startStaticServer } from ${JSON.stringify(helper)}; const s = await startStaticServer(${JSON.stringify(root)}, { negotiate: true }); console.log(s.url);`;
  const child: ChildProcess = spawn(process.execPath, ['--import=tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (c) => reject(new Error(`static server exited with ${c}`)));
  });
  return { url, stop: () => child.kill() };
}

/** "" when equal, else a short list of the differences. */
export function pinDiff(a: Pins, b: Pins, aName: string, bName: string): string {
  const diffs: string[] = [];
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (a[k] !== b[k]) diffs.push(`${k} ${aName}=${a[k] ?? '-'} ${bName}=${b[k] ?? '-'}`);
  }
  if (diffs.length === 0) return '';
  return `${diffs.length} pins differ: ${diffs.slice(0, 4).join(', ')}${diffs.length > 4 ? ', …' : ''}`;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
}
