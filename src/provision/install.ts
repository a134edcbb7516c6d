/**
 * The full provision, run when the stamp does not prove a no-op:
 *
 * 1. read the lock (checked against the config when there is one) or open
 *    the bundle; choose the profile and interpreter and check they fit;
 * 2. make sure the wheelhouse carries the set (or --fetch it);
 * 3. drop the stamp and leave an in-progress marker: from here until the new
 *    stamp, a kill leaves a venv that the next run will not trust;
 * 4. create the venv, or rebuild it when its interpreter is gone or is not
 *    the chosen one;
 * 5. sync: uninstall what the lock does not name, pip-install the locked set
 *    (everything again with --force-reinstall when the marker says the last
 *    run died mid-way: a half-unpacked distribution can look installed);
 * 6. verify the installed set equals the lock, write the stamp, drop the marker.
 */
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import { PyindexError } from '../errors/index.js';
import type { EventSink } from '../events/index.js';
import type { MirroredIndex } from '../index/mirrors.js';
import { exportRequirements } from '../lock/export-requirements.js';
import { readLockfile } from '../lock/read.js';
import { selectJobProfile } from '../lock/select.js';
import type { Lockfile } from '../lock/types.js';
import { chooseInterpreter } from './choose-interpreter.js';
import { describeDiff, diffInstalled, isInSync, queryVenv, type VenvState } from './installed.js';
import { PIP_BASE_OPTIONS, isolatedPythonEnv, pipFailure, pipInstallArgs, runPip } from './pip.js';
import { lockFileFor, type ProvisionOptions, type ProvisionResult } from './provision.js';
import { inProgressPath, markOf, setDigest, sha256File, stampPath, writeStamp, type FileMark, type StampInputs } from './stamp.js';
import type { VenvLock } from './venv-lock.js';
import { clearVenv, createVenv, inspectVenv, venvMadeFrom, type VenvLayout } from './venv.js';
import { lockWithCarriers, readyWheelhouse } from './wheelhouse.js';

interface Resolved extends ProvisionOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  onEvent: EventSink;
}

interface LoadedLock {
  lock: Lockfile;
  wheelhouse: string;
  lockFile: string | null;
  index: string | undefined;
  /** The config's indexes with their mirrors, for --fetch. */
  indexes?: readonly MirroredIndex[] | undefined;
}

async function loadLock(o: Resolved): Promise<LoadedLock> {
  if (o.bundle) {
    const { openBundle } = await import('../bundle/read.js');
    const opened = await openBundle(resolve(o.cwd, o.bundle), { cacheDir: o.cacheDir, onEvent: o.onEvent });
    return { lock: opened.lock, wheelhouse: opened.wheelhouse, lockFile: null, index: undefined };
  }
  const configFile = o.configFile ? resolve(o.cwd, o.configFile) : undefined;
  const lockFile = lockFileFor(o, o.cwd) ?? join(o.cwd, 'pyindex.lock.yaml');
  const lock = readLockfile(lockFile);
  let index: string | undefined;
  let indexes: readonly MirroredIndex[] | undefined;
  if (configFile) {
    const config = loadConfig(configFile);
    if (lock.configDigest !== config.digest) {
      throw new PyindexError('E_LOCK_STALE', `${lockFile} was made from a different ${config.file} (config digest ${lock.configDigest}, now ${config.digest})`, {
        hint: 'Run `pyindex lock` (and commit the new lockfile), then `pyindex fetch`, then provision again.',
        details: { lock: lockFile, lockDigest: lock.configDigest, configDigest: config.digest },
      });
    }
    index = config.index;
    indexes = config.indexes;
  }
  return { lock, wheelhouse: resolve(o.cwd, o.wheelhouse ?? ''), lockFile, index, indexes };
}

function fetchCommandFor(o: Resolved, profile: string, wheelhouse: string): string {
  const config = o.configFile ? ` --config ${resolve(o.cwd, o.configFile)}` : o.lockFile ? ` --config ${join(dirname(resolve(o.cwd, o.lockFile)), 'pyindex.yaml')}` : '';
  return `pyindex fetch --job ${o.job} --profile ${profile} --wheelhouse ${wheelhouse}${config}`;
}

function step(onEvent: EventSink, id: string, title: string): (ok: boolean, detail?: string) => void {
  onEvent({ type: 'task:start', id, title });
  return (ok, detail) => onEvent({ type: 'task:end', id, ok, ...(detail ? { detail } : {}) });
}

/** Milliseconds `fn` took, added to `timings[key]`. */
async function timed<T>(timings: { venvMs: number; pipMs: number }, key: 'venvMs' | 'pipMs', fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    timings[key] += performance.now() - start;
  }
}

/** Runs pip with its pid recorded in the venv lock, throwing the mapped error on failure. */
async function pip(layout: VenvLayout, lock: VenvLock, o: Resolved, args: string[], what: string, wheelhouse?: string): Promise<void> {
  const run = await runPip(layout.python, args, {
    env: o.env,
    cwd: layout.state,
    onSpawn: (pid) => void lock.setChild(pid).catch(() => undefined),
    onLine: (line) => o.onEvent({ type: 'task:progress', id: 'pip', done: 0, detail: line }),
  });
  await lock.setChild(undefined).catch(() => undefined);
  if (run.exitCode !== 0) throw pipFailure(run, what, wheelhouse);
}

export async function provisionFully(o: Resolved, layout: VenvLayout, venvLock: VenvLock, inputs: StampInputs, reason: string): Promise<ProvisionResult> {
  const { lock, wheelhouse, lockFile, index, indexes } = await loadLock(o);
  const chosen = await chooseInterpreter({ lock, job: o.job, profile: o.profile, python: o.python, env: o.env, cwd: o.cwd });
  const { profile, found, detection } = chosen;
  const selected = selectJobProfile(lock, o.job, profile);
  const ready = await readyWheelhouse({
    lock,
    job: o.job,
    profile,
    wheelhouse,
    fetch: Boolean(o.fetch),
    cacheDir: o.cacheDir,
    index,
    indexes,
    python: found.path,
    env: o.env,
    fetchCommand: fetchCommandFor(o, profile, wheelhouse),
    onEvent: o.onEvent,
  });

  const marker = inProgressPath(layout);
  const interrupted = existsSync(marker);
  await rm(stampPath(layout), { force: true });
  await writeFile(marker, JSON.stringify({ pid: process.pid, started: new Date().toISOString() }));

  const pyEnv = isolatedPythonEnv(o.env);
  const timings = { venvMs: 0, pipMs: 0 };
  let created: string | undefined;
  const condition = await inspectVenv(layout);
  if (condition.kind === 'absent') created = 'new venv';
  else if (condition.kind === 'broken') created = `rebuilt: ${condition.reason}`;
  else if (!venvMadeFrom(condition.home, found.path)) created = `rebuilt: it was made from the Python in ${condition.home}, not ${found.path}`;
  if (created) {
    const done = step(o.onEvent, 'venv', `${created === 'new venv' ? 'create' : 'rebuild'} venv ${layout.dir} with ${found.path}`);
    try {
      await timed(timings, 'venvMs', async () => {
        await clearVenv(layout);
        await createVenv(found.path, detection.facts.version, layout, o.env);
      });
      done(true);
    } catch (err) {
      done(false);
      throw err;
    }
  }

  const requirements = join(layout.state, 'requirements.txt');
  await writeFile(requirements, exportRequirements(lockWithCarriers(lock, ready.files), o.job, profile));
  const pins = selected.map((s) => ({ name: s.requirement.name, version: s.requirement.version }));

  let pipRuns = 0;
  const removed: string[] = [];
  let before: VenvState | undefined;
  if (!created) {
    before = await queryVenv(layout.python, pyEnv);
    const extra = diffInstalled(before.dists, pins).extra.filter((d) => d.name);
    if (extra.length) {
      const done = step(o.onEvent, 'uninstall', `remove ${extra.length} distribution(s) the lock does not name`);
      await timed(timings, 'pipMs', () => pip(layout, venvLock, o, ['uninstall', ...PIP_BASE_OPTIONS, '-y', ...extra.map((d) => d.name)], 'pip uninstall'));
      pipRuns++;
      removed.push(...extra.map((d) => `${d.name}==${d.version}`));
      done(true, removed.join(', '));
    }
  }
  const beforeDiff = before ? diffInstalled(before.dists, pins) : undefined;
  const needInstall = !beforeDiff || interrupted || beforeDiff.missing.length > 0 || beforeDiff.wrongVersion.length > 0;
  let installed: string[] = [];
  if (needInstall) {
    installed = interrupted || !beforeDiff ? pins.map((p) => `${p.name}==${p.version}`) : [...beforeDiff.missing.map((p) => `${p.name}==${p.version}`), ...beforeDiff.wrongVersion.map((w) => `${w.name}==${w.locked}`)];
    const done = step(o.onEvent, 'pip', `pip install ${pins.length} locked distribution(s) from ${wheelhouse}${interrupted ? ' (repairing an interrupted provision)' : ''}`);
    try {
      await timed(timings, 'pipMs', () => pip(layout, venvLock, o, pipInstallArgs(wheelhouse, requirements, interrupted), 'pip install', wheelhouse));
      done(true);
    } catch (err) {
      done(false);
      throw err;
    }
    pipRuns++;
  }

  const after = await queryVenv(layout.python, pyEnv);
  const diff = diffInstalled(after.dists, pins);
  if (!isInSync(diff)) {
    throw new PyindexError('E_PIP_FAILED', `after pip, ${layout.dir} does not hold job ${o.job} × ${profile} exactly: ${describeDiff(diff)}`, {
      hint: 'Something else changed the venv while provisioning, or a distribution cannot be uninstalled by pip; remove the venv and provision again.',
      details: { diff },
    });
  }

  const basePython = markOf(found.path);
  const venvPython = markOf(layout.python);
  const cfg = markOf(layout.cfg);
  if (!basePython || !venvPython || !cfg) throw new PyindexError('E_PYTHON_FAILED', `${layout.dir} lost its interpreter while provisioning`, { hint: 'Provision again.' });
  const sitePackages = [...new Set([after.purelib, after.platlib])].map((p) => markOf(p)).filter((m): m is FileMark => m !== undefined);
  await writeStamp(layout, {
    version: 1,
    inputs,
    lockSha256: lockFile ? sha256File(lockFile) : null,
    configSha256: inputs.configFile ? sha256File(inputs.configFile) : null,
    bundle: inputs.bundle ? (markOf(inputs.bundle) ?? null) : null,
    profile,
    pythonVersion: detection.profile.python,
    basePython,
    venvPython: venvPython.path,
    pyvenvCfg: cfg,
    sitePackages,
    setDigest: setDigest(selected.map((s) => ({ name: s.requirement.name, version: s.requirement.version, sha256: s.file.sha256 }))),
    packages: pins.length,
  });
  await rm(marker, { force: true });
  return {
    venv: layout.dir,
    job: o.job,
    profile,
    python: found.path,
    upToDate: false,
    reason,
    repaired: interrupted,
    created,
    installed,
    removed,
    packages: pins.length,
    pipRuns,
    fetched: ready.fetched ? { downloaded: ready.fetched.downloaded, fromCache: ready.fetched.fromCache, quarantined: ready.fetched.quarantined } : undefined,
    timings: { venvMs: Math.round(timings.venvMs), pipMs: Math.round(timings.pipMs) },
  };
}
