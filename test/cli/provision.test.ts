/**
 * `pyindex provision` through the real CLI (tsx): exit codes and --json, the
 * interpreter check naming both sides, --profile auto, and a venv whose
 * interpreter was removed (concurrency and SIGKILL: test/provision/concurrency.test.ts).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { runCli, type CliResult } from '../helpers/cli.js';
import { BASIC_WHEELS, makeKit, pyenvPython } from '../helpers/provision-kit.js';
import { isolatedEnv } from '../helpers/python.js';

const py311 = pyenvPython('3.11');
const py312 = pyenvPython('3.12');
const P311 = 'linux-x86_64-py3.11';
const P312 = 'linux-x86_64-py3.12';

function json(r: CliResult): Record<string, unknown> {
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

function imports(venv: string, code: string): string {
  return spawnSync(join(venv, 'bin', 'python'), ['-c', code], { env: isolatedEnv(), encoding: 'utf8' }).stdout.trim();
}

t.test('interpreter check, --profile auto, --json', { skip: py311 && py312 ? false : 'needs pyenv 3.11 and 3.12' }, async (t) => {
  const dir = t.testdir({});
  const kit = await makeKit(dir, BASIC_WHEELS, { ci: { requires: ['alpha'], profiles: [P311, P312] } });
  const env = { PYINDEX_CACHE_DIR: kit.cache };
  const args = ['provision', '--job', 'ci', '--venv', 'venv', '--wheelhouse', kit.wheelhouse, '--config', kit.config];

  const wrong = await runCli([...args, '--profile', P311, '--python', py312!], { cwd: dir, env });
  t.equal(wrong.code, 5, 'environment error');
  t.match(wrong.stderr, /E_PYTHON_NOT_FOUND/);
  t.match(wrong.stderr, `${py312!.replace(/\/bin\/python$/, '')}`, 'names the interpreter');
  t.match(wrong.stderr, /CPython 3\.12\.\d+, linux-x86_64\) does not match profile linux-x86_64-py3\.11 \(CPython 3\.11, linux-x86_64\): python_version is 3\.12, the profile needs 3\.11/);
  t.notOk(existsSync(join(dir, 'venv', 'pyvenv.cfg')), 'no venv made');

  const unknown = await runCli([...args, '--profile', 'linux-x86_64-py3.9'], { cwd: dir, env });
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /E_UNKNOWN_PROFILE[\s\S]*Profiles of job ci: linux-x86_64-py3\.11, linux-x86_64-py3\.12/);

  const auto = await runCli([...args, '--profile', 'auto', '--python', py312!, '--json'], { cwd: dir, env });
  t.equal(auto.code, 0, auto.stderr);
  t.match(json(auto), { profile: P312, upToDate: false, created: 'new venv', packages: 2, pipRuns: 1, installed: ['alpha==1.0', 'beta==2.0'] });
  t.equal(imports(join(dir, 'venv'), 'import sys, alpha; print(sys.version_info[:2] == (3, 12), alpha.VALUE)'), 'True alpha 1.0');

  const again = await runCli([...args, '--profile', 'auto', '--python', py312!, '--json'], { cwd: dir, env });
  t.equal(again.code, 0);
  t.match(json(again), { profile: P312, upToDate: true, pipRuns: 0 });
  const human = await runCli([...args, '--profile', 'auto', '--python', py312!], { cwd: dir, env });
  t.match(human.stdout, /venv: up to date \(job ci × linux-x86_64-py3\.12, 2 packages\)/);
});

t.test('a venv whose interpreter disappeared is rebuilt', { skip: py311 ? false : 'needs pyenv 3.11' }, async (t) => {
  const dir = t.testdir({});
  const kit = await makeKit(dir, BASIC_WHEELS, { ci: { requires: ['beta'], profiles: [P311] } });
  // A Python reached through a symlink in a directory we can delete: the venv records that directory as its home.
  const bin = join(dir, 'pybin');
  mkdirSync(bin);
  symlinkSync(py311!, join(bin, 'python3.11'));
  const venv = join(dir, 'venv');
  const args = ['provision', '--job', 'ci', '--profile', P311, '--venv', venv, '--wheelhouse', kit.wheelhouse, '--config', kit.config, '--json'];
  const env = { PYINDEX_CACHE_DIR: kit.cache };
  const first = await runCli([...args, '--python', join(bin, 'python3.11')], { cwd: dir, env });
  t.equal(first.code, 0, first.stderr);
  t.match(readFileSync(join(venv, 'pyvenv.cfg'), 'utf8'), `home = ${bin}`);
  rmSync(bin, { recursive: true });
  const gone = await runCli([...args, '--python', join(bin, 'python3.11')], { cwd: dir, env });
  t.equal(gone.code, 5, 'the interpreter asked for is gone: an error, not a no-op');
  t.match(gone.stderr, /E_PYTHON_NOT_FOUND/);
  const rebuilt = await runCli([...args, '--python', py311!], { cwd: dir, env });
  t.equal(rebuilt.code, 0, rebuilt.stderr);
  t.match(json(rebuilt), { upToDate: false, created: /^rebuilt: its interpreter .* no longer runs/ });
  t.equal(imports(venv, 'import beta; print(beta.VALUE)'), 'beta 2.0');
});
