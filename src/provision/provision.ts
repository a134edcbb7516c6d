/**
 * `provision`: make a venv hold exactly one job × profile of a lockfile,
 * offline, from a wheelhouse — the step a build machine runs before every
 * build. Thousands of runs a day find nothing changed, so the first thing
 * done under the venv lock is the stamp check (stamp.ts), which reads and
 * stats a handful of files; everything else (YAML, Python, pip) lives in
 * install.ts and is loaded only when the stamp does not hold.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PyindexError } from '../errors/index.js';
import { silent, type EventSink } from '../events/index.js';
import { readStamp, stampMismatch, type StampInputs } from './stamp.js';
import { acquireVenvLock } from './venv-lock.js';
import { STATE_DIRNAME, venvLayout } from './venv.js';

export interface ProvisionOptions {
  job: string;
  /** A profile name of the lock, or "auto": the one the interpreter matches. */
  profile: string;
  venv: string;
  /** Directory of wheels (pip --find-links); or use `bundle`. */
  wheelhouse?: string | undefined;
  /** A bundle written by `pyindex bundle` (its lock and wheelhouse are used). */
  bundle?: string | undefined;
  /** Interpreter path or command (default: looked up for the profile's version). */
  python?: string | undefined;
  /** Fetch missing or corrupt wheelhouse files from the index first. */
  fetch?: boolean | undefined;
  /** The lockfile; default: pyindex.lock.yaml beside `configFile`. */
  lockFile?: string | undefined;
  /** The config: the lock must be current for it. */
  configFile?: string | undefined;
  cacheDir: string;
  cwd?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  onEvent?: EventSink | undefined;
  /** How long to wait for another provision of the same venv (default 30 min). */
  lockTimeoutMs?: number | undefined;
}

export interface ProvisionResult {
  venv: string;
  job: string;
  profile: string;
  /** The base interpreter. */
  python: string;
  /** True when the stamp proved nothing changed: no Python or pip was run. */
  upToDate: boolean;
  /** Why the full path ran (undefined for a no-op). */
  reason?: string | undefined;
  /** True when the last provision had been killed mid-way and this one reinstalled everything. */
  repaired?: boolean | undefined;
  /** Why the venv was (re)created, if it was. */
  created?: string | undefined;
  /** name==version pip installed or reinstalled. */
  installed: string[];
  /** name==version removed because the lock does not name them. */
  removed: string[];
  packages: number;
  pipRuns: number;
  /** Set when --fetch fetched files first. */
  fetched?: { downloaded: number; fromCache: number; quarantined: string[] } | undefined;
  /**
   * Wall time (ms) spent in the child processes a bare `python -m venv` +
   * `pip install` would also run: creating the venv, and pip (install and
   * uninstall). The rest of a run is what pyindex adds (bench/provision.bench.ts).
   */
  timings?: { venvMs: number; pipMs: number } | undefined;
}

export const STATE_LOCK = 'lock';
export const LOCK_FILENAME = 'pyindex.lock.yaml';

/** The lockfile provision reads: --lock, else the one beside the config. */
export function lockFileFor(o: Pick<ProvisionOptions, 'lockFile' | 'configFile'>, cwd: string): string | null {
  if (o.lockFile) return resolve(cwd, o.lockFile);
  return o.configFile ? join(dirname(resolve(cwd, o.configFile)), LOCK_FILENAME) : null;
}

/** Refuses a non-empty directory that is neither a venv nor ours before anything is written into it. */
function refuseForeignDirectory(dir: string): void {
  if (!existsSync(dir) || existsSync(join(dir, 'pyvenv.cfg')) || existsSync(join(dir, STATE_DIRNAME))) return;
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  if (entries.length) {
    throw new PyindexError('E_USAGE', `${dir} exists and is not a venv (no pyvenv.cfg)`, {
      hint: 'Point --venv at a new directory or at a venv; pyindex does not delete directories it did not create.',
    });
  }
}

export function stampInputs(o: ProvisionOptions, cwd: string): StampInputs {
  return {
    job: o.job,
    profile: o.profile,
    python: o.python ?? null,
    lockFile: o.bundle ? null : lockFileFor(o, cwd),
    configFile: o.bundle ? null : o.configFile ? resolve(cwd, o.configFile) : null,
    bundle: o.bundle ? resolve(cwd, o.bundle) : null,
  };
}

export async function provision(o: ProvisionOptions): Promise<ProvisionResult> {
  const cwd = o.cwd ?? process.cwd();
  const env = o.env ?? process.env;
  const onEvent = o.onEvent ?? silent;
  if (!o.bundle && !o.lockFile && !o.configFile) throw new PyindexError('E_USAGE', 'provision needs a lockfile: --lock FILE, --config FILE or --bundle FILE', { hint: 'Pass --config pyindex.yaml (the lock beside it is used) or --lock pyindex.lock.yaml.' });
  if (!o.bundle && !o.wheelhouse) throw new PyindexError('E_USAGE', '--wheelhouse DIR (or --bundle FILE) is required', { hint: 'Name the directory `pyindex fetch` filled, e.g. --wheelhouse /var/lib/buildbot/wheelhouse.' });
  const layout = venvLayout(resolve(cwd, o.venv));
  refuseForeignDirectory(layout.dir);
  mkdirSync(layout.state, { recursive: true });
  const lock = await acquireVenvLock(join(layout.state, STATE_LOCK), {
    ...(o.lockTimeoutMs !== undefined ? { timeoutMs: o.lockTimeoutMs } : {}),
    onWait: (holder) => onEvent({ type: 'warning', message: `waiting for another provision of ${layout.dir}${holder ? ` (pid ${holder.pid} on ${holder.host})` : ''}` }),
    onStale: (holder) => onEvent({ type: 'warning', message: `removed the stale venv lock of pid ${holder.pid} (it no longer runs); the venv is checked and repaired` }),
  });
  try {
    const inputs = stampInputs(o, cwd);
    const stamp = readStamp(layout);
    const reason = stampMismatch(stamp, layout, { inputs, env, cwd });
    if (stamp && reason === undefined) {
      return { venv: layout.dir, job: o.job, profile: stamp.profile, python: stamp.basePython.path, upToDate: true, installed: [], removed: [], packages: stamp.packages, pipRuns: 0 };
    }
    const { provisionFully } = await import('./install.js');
    return await provisionFully({ ...o, cwd, env, onEvent }, layout, lock, inputs, reason ?? 'no stamp');
  } finally {
    await lock.release();
  }
}
