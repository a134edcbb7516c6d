/**
 * The venv itself: where its files are, whether it is usable, and creating it.
 *
 * Python 3 makes venvs with `python -m venv` (PEP 405), which seeds pip with
 * ensurepip from the wheels CPython ships, offline. Python 2.7 has no venv
 * module; virtualenv < 20.22 still creates 2.7 environments (from inside the
 * 2.7 interpreter, or a Python 3 `virtualenv -p python2.7`). Its own seeding
 * downloads pip from PyPI, which a build machine must not do, so it runs
 * with --no-seed and pyindex copies the base interpreter's installed pip
 * (package + dist-info, so pip can later uninstall itself) into the venv.
 */
import { cp, mkdir, readdir, rm, writeFile, chmod } from 'node:fs/promises';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PyindexError } from '../errors/index.js';
import { isolatedPythonEnv } from './pip.js';
import { whichAll } from './python.js';

export interface VenvLayout {
  dir: string;
  python: string;
  bin: string;
  cfg: string;
  /** pyindex's own files: lock, stamp, in-progress marker, generated requirements. */
  state: string;
}

export const STATE_DIRNAME = '.pyindex';

export function venvLayout(dir: string, platform: NodeJS.Platform = process.platform): VenvLayout {
  const bin = join(dir, platform === 'win32' ? 'Scripts' : 'bin');
  return { dir, bin, python: join(bin, platform === 'win32' ? 'python.exe' : 'python'), cfg: join(dir, 'pyvenv.cfg'), state: join(dir, STATE_DIRNAME) };
}

/** `key = value` lines of pyvenv.cfg (PEP 405). */
export function readPyvenvCfg(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  }
  return out;
}

export type VenvCondition =
  | { kind: 'absent' }
  | { kind: 'usable'; home: string }
  | { kind: 'broken'; reason: string };

function realpathOrUndefined(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

/**
 * absent: nothing there (or only pyindex's state); broken: a venv pyindex may
 * rebuild; a non-empty directory that is not a venv is refused, never wiped.
 */
export async function inspectVenv(layout: VenvLayout): Promise<VenvCondition> {
  let entries: string[];
  try {
    entries = await readdir(layout.dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw new PyindexError('E_WRITE_FAILED', `cannot read ${layout.dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { hint: 'Check the --venv path and its permissions.', cause: err });
  }
  const others = entries.filter((e) => e !== STATE_DIRNAME);
  if (!others.length) return { kind: 'absent' };
  if (!existsSync(layout.cfg)) {
    if (entries.includes(STATE_DIRNAME)) return { kind: 'broken', reason: 'pyvenv.cfg is missing (an interrupted creation)' };
    throw new PyindexError('E_USAGE', `${layout.dir} exists and is not a venv (no pyvenv.cfg)`, {
      hint: 'Point --venv at a new directory or at a venv; pyindex does not delete directories it did not create.',
    });
  }
  const home = readPyvenvCfg(layout.cfg).home;
  if (!home) return { kind: 'broken', reason: 'pyvenv.cfg has no "home"' };
  // statSync follows the venv's python symlink: a base interpreter that was removed shows here.
  try {
    statSync(layout.python);
  } catch {
    return { kind: 'broken', reason: `its interpreter ${layout.python} no longer runs (the Python it was made from, in ${home}, is gone)` };
  }
  return { kind: 'usable', home };
}

/** Is the usable venv made from `basePython` (same directory as pyvenv.cfg's `home`)? */
export function venvMadeFrom(home: string, basePython: string): boolean {
  const a = realpathOrUndefined(home);
  const b = realpathOrUndefined(dirname(basePython));
  return a !== undefined && a === b;
}

/** Removes everything in the venv directory but pyindex's state (which holds the lock we are holding). */
export async function clearVenv(layout: VenvLayout): Promise<void> {
  let entries: string[] = [];
  try {
    entries = await readdir(layout.dir);
  } catch {
    return;
  }
  await Promise.all(entries.filter((e) => e !== STATE_DIRNAME).map((e) => rm(join(layout.dir, e), { recursive: true, force: true })));
}

async function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ok: boolean; output: string; exitCode: number | undefined }> {
  const { execa } = await import('execa');
  const res = await execa(cmd, args, { env: isolatedPythonEnv(env), extendEnv: false, cwd: tmpdir(), reject: false, all: true, stdin: 'ignore' });
  return { ok: !res.failed, output: String(res.all ?? ''), exitCode: res.exitCode };
}

function creationFailed(what: string, r: { output: string; exitCode: number | undefined }, hint: string): PyindexError {
  return new PyindexError('E_PYTHON_FAILED', `${what} failed (exit ${String(r.exitCode)}):\n${r.output.trimEnd().split('\n').slice(-15).join('\n')}`, { hint, details: { output: r.output, exitCode: r.exitCode } });
}

/** How to make a 2.7 environment here: virtualenv in that Python, else a `virtualenv` command that can target it. */
async function virtualenvFor(python: string, env: NodeJS.ProcessEnv): Promise<string[] | undefined> {
  if ((await run(python, ['-m', 'virtualenv', '--version'], env)).ok) return [python, '-m', 'virtualenv'];
  const command = whichAll('virtualenv', env)[0];
  if (command && (await run(command, ['--version'], env)).ok) return [command, '-p', python];
  return undefined;
}

const PIP_SCRIPT = '#!/bin/sh\n# written by pyindex: pip copied from the base interpreter, run by this venv\'s python\nexec "$(dirname "$0")/python" -m pip "$@"\n';

/** Copies the base interpreter's installed pip into the venv's site-packages (see the file comment). */
async function seedPipFromBase(basePython: string, layout: VenvLayout, env: NodeJS.ProcessEnv): Promise<void> {
  const where = await run(basePython, ['-c', 'import os, pip, sys; sys.stdout.write(os.path.dirname(os.path.dirname(os.path.abspath(pip.__file__))))'], env);
  if (!where.ok) {
    throw new PyindexError('E_PYTHON_FAILED', `${basePython} has no pip to put into the new venv`, {
      hint: `Install pip into that interpreter (\`${basePython} -m ensurepip\`).`,
      details: { output: where.output },
    });
  }
  const site = where.output.trim();
  const distInfo = (await readdir(site)).filter((n) => /^pip-[^-]+\.dist-info$/.test(n));
  const target = await run(layout.python, ['-c', 'import sys, sysconfig; sys.stdout.write(sysconfig.get_paths()["purelib"])'], env);
  if (!target.ok) throw creationFailed(`${layout.python} (the new venv)`, target, 'Remove the venv directory and provision again.');
  const purelib = target.output.trim();
  await mkdir(purelib, { recursive: true });
  for (const name of ['pip', ...distInfo]) await cp(join(site, name), join(purelib, name), { recursive: true, filter: (src) => !src.endsWith('.pyc') });
  for (const name of ['pip', 'pip2', 'pip2.7']) {
    const script = join(layout.bin, name);
    await writeFile(script, PIP_SCRIPT);
    await chmod(script, 0o755);
  }
}

/** Creates the venv at `layout.dir` from `basePython` (version `[major, minor]`). */
export async function createVenv(basePython: string, version: readonly number[], layout: VenvLayout, env: NodeJS.ProcessEnv): Promise<void> {
  await mkdir(layout.dir, { recursive: true });
  if ((version[0] ?? 3) >= 3) {
    const r = await run(basePython, ['-m', 'venv', layout.dir], env);
    if (!r.ok) throw creationFailed(`${basePython} -m venv ${layout.dir}`, r, 'Debian/Ubuntu system Pythons need the python3-venv package; pyenv Pythons have venv built in.');
    return;
  }
  const virtualenv = await virtualenvFor(basePython, env);
  if (!virtualenv) {
    throw new PyindexError('E_PYTHON_FAILED', `${basePython} is Python 2, which has no venv module, and no virtualenv that can create a Python 2 environment was found (neither \`${basePython} -m virtualenv\` nor \`virtualenv\` on PATH)`, {
      hint: `Install virtualenv older than 20.22 (the last that creates 2.7 environments): \`${basePython} -m pip install "virtualenv<20.22"\`, or the Debian package python3-virtualenv (20.17).`,
    });
  }
  const [cmd, ...args] = virtualenv as [string, ...string[]];
  const r = await run(cmd, [...args, '--no-seed', layout.dir], env);
  if (!r.ok) throw creationFailed(`${virtualenv.join(' ')} ${layout.dir}`, r, 'virtualenv 20.22 and later cannot create Python 2 environments; use an older one.');
  await seedPipFromBase(basePython, layout, env);
}
