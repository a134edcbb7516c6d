/**
 * Running pip inside the venv, cut off from the machine's pip configuration.
 *
 * pip reads options from PIP_* variables and from config files (global
 * /etc/pip.conf, /etc/xdg/pip/pip.conf, user, site); a build machine's config
 * commonly adds `extra-index-url` or `find-links`, which would let an install
 * pick up bytes from somewhere other than the wheelhouse. `--isolated` drops
 * the environment variables and the user config, but NOT the global and site
 * files; only `PIP_CONFIG_FILE=os.devnull` makes pip skip every config file
 * (pip/_internal/configuration.py, "Skipping loading configuration files due
 * to environment's PIP_CONFIG_FILE being os.devnull"). So both, always.
 */
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PyindexError } from '../errors/index.js';

/** The environment pip (and every venv Python we start) gets. */
export function isolatedPythonEnv(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    // PYTHONPATH/PYTHONHOME/PYTHONUSERBASE would change what the venv sees; PIP_* would change what pip does.
    if (k.startsWith('PIP_') || k.startsWith('PYTHON') || k === 'VIRTUAL_ENV' || k === '__PYVENV_LAUNCHER__') continue;
    out[k] = v;
  }
  out.PIP_CONFIG_FILE = platform === 'win32' ? 'nul' : '/dev/null';
  out.PIP_DISABLE_PIP_VERSION_CHECK = '1';
  out.PIP_NO_INPUT = '1';
  out.PYTHONNOUSERSITE = '1';
  return out;
}

/** Options every pip call starts with. */
export const PIP_BASE_OPTIONS = ['--isolated', '--disable-pip-version-check', '--no-input'];

/** `pip install` arguments for exactly the locked set from the wheelhouse, nothing else. */
export function pipInstallArgs(wheelhouse: string, requirementsFile: string, forceReinstall: boolean): string[] {
  return [
    'install',
    ...PIP_BASE_OPTIONS,
    '--no-index',
    '--find-links',
    wheelhouse,
    '--require-hashes',
    '--no-deps',
    // Build machines never compile: an sdist in the wheelhouse is an error, not a build.
    '--only-binary',
    ':all:',
    ...(forceReinstall ? ['--force-reinstall'] : []),
    '-r',
    requirementsFile,
  ];
}

export interface PipRun {
  exitCode: number;
  output: string;
}

export interface PipRunOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Called with pip's pid once started (recorded in the venv lock, see venv-lock.ts). */
  onSpawn?: (pid: number) => void;
  /** Each output line, for progress. */
  onLine?: (line: string) => void;
}

/** Runs `python -m pip ARGS`; returns exit code and combined output without throwing on pip failure. */
export async function runPip(python: string, args: string[], o: PipRunOptions): Promise<PipRun> {
  const { execa } = await import('execa');
  const child = execa(python, ['-m', 'pip', ...args], {
    env: isolatedPythonEnv(o.env),
    extendEnv: false,
    cwd: o.cwd,
    reject: false,
    all: true,
    stdin: 'ignore',
    lines: false,
  });
  if (child.pid !== undefined) o.onSpawn?.(child.pid);
  if (o.onLine && child.all) {
    let buffered = '';
    child.all.setEncoding('utf8');
    child.all.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) o.onLine?.(line);
    });
  }
  const res = await child;
  const code = (res as { code?: string }).code;
  if (code === 'ENOENT' || code === 'EACCES') {
    throw new PyindexError('E_PYTHON_NOT_FOUND', `cannot run ${python}: ${code === 'ENOENT' ? 'not found' : 'not executable'}`, { hint: 'The venv is broken; remove it and provision again.', cause: res });
  }
  return { exitCode: res.exitCode ?? (res.signal ? 128 : 1), output: String(res.all ?? '') };
}

export interface HashMismatch {
  filename: string;
  expected: string;
  got: string;
}

/**
 * pip's hash-checking report (pip/_internal/exceptions.py HashMismatch):
 *     alpha==1.0 from file:///wh/alpha-1.0-py3-none-any.whl (from -r r.txt (line 4)):
 *         Expected sha256 <hex>
 *              Got        <hex>
 */
export function parseHashMismatches(output: string): HashMismatch[] {
  if (!/DO NOT MATCH THE HASHES/.test(output)) return [];
  const found: HashMismatch[] = [];
  const re = /^\s+\S+ from (\S+?)(?: \(from [^\n]*\))?:\s*\n\s+Expected sha256 ([0-9a-f]{64})(?:\s*\n\s+or\s+[0-9a-f]{64})*\s*\n\s+Got\s+([0-9a-f]{64})/gm;
  for (const m of output.matchAll(re)) {
    const where = m[1] ?? '';
    let filename = basename(where);
    try {
      if (where.startsWith('file:')) filename = basename(fileURLToPath(where));
    } catch {
      // keep the basename of the raw text
    }
    found.push({ filename, expected: m[2] ?? '', got: m[3] ?? '' });
  }
  return found;
}

function tail(output: string, lines = 15): string {
  return output.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Turns a failed pip run into the error the user sees: E_HASH_MISMATCH naming the file(s), else E_PIP_FAILED. */
export function pipFailure(run: PipRun, what: string, wheelhouse: string | undefined): PyindexError {
  const mismatches = parseHashMismatches(run.output);
  if (mismatches.length) {
    const names = mismatches.map((m) => `${m.filename} (expected sha256 ${m.expected}, got ${m.got})`).join('; ');
    return new PyindexError('E_HASH_MISMATCH', `${wheelhouse ? `wheelhouse ${wheelhouse}: ` : ''}${mismatches.length === 1 ? 'file does' : 'files do'} not have the locked hash: ${names}`, {
      hint: 'Delete the file(s) and fetch them again (`pyindex provision --fetch` or `pyindex fetch`); if the index serves different bytes, relock.',
      details: { files: mismatches, exitCode: run.exitCode, output: run.output },
    });
  }
  return new PyindexError('E_PIP_FAILED', `${what} failed (pip exit code ${run.exitCode}):\n${tail(run.output)}`, {
    hint: 'Read pip\'s output above; the full output is in the error details (--json).',
    details: { exitCode: run.exitCode, output: run.output },
  });
}
