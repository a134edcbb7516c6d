/**
 * Real Pythons for tests: pyenv's interpreters, run isolated from this
 * machine's pip configuration (which adds extra indexes and find-links).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function pyenvRoot(): string | undefined {
  if (process.env.PYENV_ROOT && existsSync(process.env.PYENV_ROOT)) return process.env.PYENV_ROOT;
  try {
    return execFileSync('pyenv', ['root'], { encoding: 'utf8' }).trim();
  } catch {
    const guess = join(process.env.HOME ?? '/root', '.pyenv');
    return existsSync(guess) ? guess : undefined;
  }
}

/** Every `$(pyenv root)/versions/X/bin/python`, sorted by version. */
export function pyenvPythons(): { version: string; path: string }[] {
  const root = pyenvRoot();
  if (!root) return [];
  const dir = join(root, 'versions');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((version) => ({ version, path: join(dir, version, 'bin', 'python') }))
    .filter((p) => existsSync(p.path))
    .sort((a, b) => compareDotted(a.version, b.version));
}

function compareDotted(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The Python whose `packaging` is the oracle for differential tests. */
export function oraclePython(): string | undefined {
  const root = pyenvRoot();
  const p = root ? join(root, 'versions', '3.11.7', 'bin', 'python') : undefined;
  if (p && existsSync(p)) return p;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : undefined;
}

/** The environment every Python/pip we run gets: no PIP_* leaking in, no user site. */
export function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('PIP_') || k.startsWith('PYTHON')) continue;
    env[k] = v;
  }
  env.PYTHONNOUSERSITE = '1';
  env.PIP_CONFIG_FILE = '/dev/null';
  env.PIP_DISABLE_PIP_VERSION_CHECK = '1';
  return { ...env, ...extra };
}

/**
 * Runs a Python script with `input` as JSON on stdin and returns its stdout
 * parsed as JSON. Batch many cases into one call: starting Python is slow.
 */
export function runPythonJson<T>(python: string, script: string, input: unknown): T {
  const res = spawnSync(python, ['-c', script], {
    input: JSON.stringify(input),
    env: isolatedEnv(),
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  if (res.status !== 0) {
    throw new Error(`python failed (${res.status}): ${res.stderr}`);
  }
  return JSON.parse(res.stdout) as T;
}

/**
 * Python source that imports `packaging` as `P` (with submodules version,
 * specifiers, requirements, markers, utils, tags), preferring pip's vendored
 * copy, then a top-level install, then Debian's.
 */
export const IMPORT_PACKAGING = `
import sys, json
try:
    from pip._vendor.packaging import version as V, specifiers as S, requirements as R, markers as M, utils as U, tags as T
except ImportError:
    from packaging import version as V, specifiers as S, requirements as R, markers as M, utils as U, tags as T
`;
