/**
 * Finding the interpreter a profile needs on a build machine: `--python`,
 * else `pythonX.Y` on PATH, else pyenv's `versions/X.Y.*`, else (Windows)
 * the `py -X.Y` launcher (PEP 397). Only the filesystem is consulted for the
 * first three, so the no-op path of `provision` can repeat the lookup cheaply.
 */
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join, resolve, sep } from 'node:path';
import { PyindexError } from '../errors/index.js';

export interface PythonLookup {
  /** `--python`: a path, or a command name looked up on PATH. */
  python?: string | undefined;
  /** Feature version the profile needs, e.g. "3.11". */
  version: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  platform?: NodeJS.Platform;
}

export interface FoundPython {
  path: string;
  via: 'option' | 'path' | 'pyenv' | 'py-launcher';
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `$(pyenv root)` without starting pyenv: it is $PYENV_ROOT, else ~/.pyenv (pyenv's own default). */
export function pyenvRootOf(env: NodeJS.ProcessEnv): string | undefined {
  const root = env.PYENV_ROOT || join(env.HOME || homedir(), '.pyenv');
  return existsSync(join(root, 'versions')) ? root : undefined;
}

/**
 * Every executable `name` on PATH, in PATH order. pyenv's shims directory is
 * skipped: a shim only runs the versions `pyenv global/local` selects and
 * fails for the others, and pyenv's versions are searched directly anyway.
 */
export function whichAll(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string[] {
  const shims = pyenvRootOf(env);
  const exts = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').map((e) => e.toLowerCase()) : [''];
  const found: string[] = [];
  for (const dir of (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : delimiter)) {
    if (!dir) continue;
    if (shims && resolve(dir) === join(shims, 'shims')) continue;
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      if (isExecutableFile(candidate)) found.push(candidate);
    }
  }
  return found;
}

/** pyenv's final releases of feature version X.Y (`3.11.7`, not `3.11-dev` or `3.110.0`), newest first. */
export function pyenvPythonsFor(root: string, version: string): string[] {
  const pattern = new RegExp(`^${version.replace('.', '\\.')}(?:\\.(\\d+))?$`);
  let names: string[];
  try {
    names = readdirSync(join(root, 'versions'));
  } catch {
    return [];
  }
  return names
    .map((n) => ({ n, m: pattern.exec(n) }))
    .filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => Number(b.m[1] ?? 0) - Number(a.m[1] ?? 0))
    .map((x) => join(root, 'versions', x.n, 'bin', 'python'))
    .filter(isExecutableFile);
}

/** The `--python` value as an absolute path (a bare name is looked up on PATH). */
function explicitPython(python: string, o: PythonLookup): string {
  if (isAbsolute(python) || python.includes('/') || python.includes(sep)) {
    const path = resolve(o.cwd, python);
    if (!existsSync(path)) throw new PyindexError('E_PYTHON_NOT_FOUND', `--python ${python}: ${path} does not exist`, { hint: 'Pass --python with the path of an installed interpreter.' });
    return path;
  }
  const onPath = whichAll(python, o.env, o.platform)[0];
  if (!onPath) throw new PyindexError('E_PYTHON_NOT_FOUND', `--python ${python}: no such command on PATH`, { hint: 'Pass --python with the full path of the interpreter.' });
  return onPath;
}

/** Filesystem-only lookup (no process started); undefined when only `py -X.Y` could still find one. */
export function findPythonOnDisk(o: PythonLookup): FoundPython | undefined {
  if (o.python) return { path: explicitPython(o.python, o), via: 'option' };
  const onPath = whichAll(`python${o.version}`, o.env, o.platform)[0];
  if (onPath) return { path: onPath, via: 'path' };
  const root = pyenvRootOf(o.env);
  const fromPyenv = root ? pyenvPythonsFor(root, o.version)[0] : undefined;
  if (fromPyenv) return { path: fromPyenv, via: 'pyenv' };
  return undefined;
}

/** The interpreter for feature version `o.version`; E_PYTHON_NOT_FOUND says where it looked. */
export async function findPython(o: PythonLookup): Promise<FoundPython> {
  const onDisk = findPythonOnDisk(o);
  if (onDisk) return onDisk;
  const platform = o.platform ?? process.platform;
  if (platform === 'win32' && whichAll('py', o.env, platform).length) {
    // The launcher knows the registered installs (PEP 514); ask it where X.Y lives.
    const { execa } = await import('execa');
    const res = await execa('py', [`-${o.version}`, '-c', 'import sys; print(sys.executable)'], { reject: false, stdin: 'ignore', env: o.env, extendEnv: false });
    const path = String(res.stdout).trim();
    if (res.exitCode === 0 && path) return { path, via: 'py-launcher' };
  }
  const root = pyenvRootOf(o.env);
  const looked = [`python${o.version} on PATH`, root ? `${join(root, 'versions')}/${o.version}.*` : 'pyenv (no pyenv root found)', ...(platform === 'win32' ? [`py -${o.version}`] : [])];
  throw new PyindexError('E_PYTHON_NOT_FOUND', `no Python ${o.version} found (looked for ${looked.join(', ')})`, {
    hint: `Install Python ${o.version} (e.g. \`pyenv install ${o.version}\`) or pass --python with its path.`,
    details: { version: o.version, looked },
  });
}
