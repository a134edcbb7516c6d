/**
 * Through the real CLI: two provisions of one venv at once serialise on the
 * venv lock, and a provision killed with SIGKILL during pip is detected and
 * repaired by the next run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { runCli, type CliResult } from '../helpers/cli.js';
import { projectRoot } from '../helpers/mkindex.js';
import { BASIC_WHEELS, makeKit, pyenvPython } from '../helpers/provision-kit.js';
import { isolatedEnv } from '../helpers/python.js';

const py311 = pyenvPython('3.11');
const P311 = 'linux-x86_64-py3.11';

function json(r: CliResult): Record<string, unknown> {
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

function imports(venv: string, code: string): string {
  return spawnSync(join(venv, 'bin', 'python'), ['-c', code], { env: isolatedEnv(), encoding: 'utf8' }).stdout.trim();
}

t.test('two provisions of one venv at once: one installs, the other waits and finds it done', { skip: py311 ? false : 'needs pyenv 3.11' }, async (t) => {
  const dir = t.testdir({});
  const kit = await makeKit(dir, BASIC_WHEELS, { ci: { requires: ['alpha', 'delta'], profiles: [P311] } });
  const env = { PYINDEX_CACHE_DIR: kit.cache };
  const args = ['provision', '--job', 'ci', '--profile', P311, '--python', py311!, '--venv', 'venv', '--wheelhouse', kit.wheelhouse, '--config', kit.config, '--json'];
  const [a, b] = await Promise.all([runCli(args, { cwd: dir, env }), runCli(args, { cwd: dir, env })]);
  t.equal(a!.code, 0, a!.stderr);
  t.equal(b!.code, 0, b!.stderr);
  const results = [json(a!), json(b!)].sort((x, y) => Number(x.upToDate) - Number(y.upToDate));
  t.match(results[0], { upToDate: false, created: 'new venv', pipRuns: 1 });
  t.match(results[1], { upToDate: true, pipRuns: 0 });
  t.match(a!.stderr + b!.stderr, /waiting for another provision of .*venv \(pid \d+/);
  t.equal(imports(join(dir, 'venv'), 'import alpha, delta; print(delta.VALUE)'), 'delta 1.5');
});

t.test('killed with SIGKILL during pip: the next run detects it and repairs the venv', { skip: py311 ? false : 'needs pyenv 3.11' }, async (t) => {
  const dir = t.testdir({});
  const kit = await makeKit(dir, BASIC_WHEELS, { ci: { requires: ['alpha', 'delta', 'gamma.pkg'], profiles: [P311] } });
  const venv = join(dir, 'venv');
  const args = ['provision', '--job', 'ci', '--profile', P311, '--python', py311!, '--venv', venv, '--wheelhouse', kit.wheelhouse, '--config', kit.config, '--json'];
  const child = spawn(process.execPath, ['--import=tsx', join(projectRoot, 'src', 'cli', 'bin.ts'), ...args], { cwd: dir, env: { ...process.env, PYINDEX_CACHE_DIR: kit.cache }, stdio: 'ignore', detached: true });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  // The venv lock records pip's pid while pip runs: kill the whole process group (provision and pip) then.
  const lockFile = join(venv, '.pyindex', 'lock');
  let pipPid: number | undefined;
  while (pipPid === undefined) {
    try {
      pipPid = (JSON.parse(readFileSync(lockFile, 'utf8')) as { child?: number }).child;
    } catch {
      // not there yet
    }
    if (pipPid === undefined) await new Promise((r) => setTimeout(r, 10));
  }
  process.kill(-child.pid!, 'SIGKILL');
  await exited;
  t.ok(existsSync(join(venv, '.pyindex', 'in-progress')), 'the in-progress marker is left behind');
  t.notOk(existsSync(join(venv, '.pyindex', 'stamp.json')), 'no stamp');

  const next = await runCli(args, { cwd: dir, env: { PYINDEX_CACHE_DIR: kit.cache } });
  t.equal(next.code, 0, next.stderr);
  t.match(json(next), { upToDate: false, repaired: true, pipRuns: 1 });
  t.match(next.stderr, /stale venv lock of pid \d+/);
  t.equal(imports(venv, 'import alpha, delta, gamma_pkg; print(gamma_pkg.VALUE)'), 'Gamma.Pkg 0.3');
  const after = await runCli(args, { cwd: dir, env: { PYINDEX_CACHE_DIR: kit.cache } });
  t.match(json(after), { upToDate: true });
});

