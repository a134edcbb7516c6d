/**
 * The stamp: written last by a successful provision, it lets the next run
 * prove "nothing changed" with file reads and stats only — no YAML, no
 * Python, no pip.
 *
 * What must be covered for a no-op to be correct:
 * - the locked set: the lockfile's bytes (sha256; a few KB) and, with
 *   --config, the config's bytes (the lock was checked against it when the
 *   stamp was written). Any byte change takes the slow path, which re-reads
 *   both and skips pip when the venv still matches.
 * - the interpreter: what --python or the lookup finds now must be the same
 *   file (realpath) with the same size and mtime as when stamped, and the
 *   venv's python must still resolve (a removed base Python breaks it).
 * - the venv's contents: site-packages' own mtime changes when any
 *   distribution is added or removed (a dist-info directory is created or
 *   deleted in it), and pyvenv.cfg's when the venv is recreated. Edits inside
 *   an installed package are not detected; they are not provisioning's job.
 * - no provision was interrupted (the in-progress marker is absent).
 * Not covered, on purpose: the wheelhouse. Its files were only the source of
 * the install and pip verified each one against the locked sha256 then; the
 * stamp's set digest holds those sha256s. A wheelhouse pruned or moved later
 * does not make the venv wrong.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { findPythonOnDisk } from './python.js';
import type { VenvLayout } from './venv.js';

export const STAMP_VERSION = 1;

/** The command line as given: a no-op must have been asked the same thing. */
export interface StampInputs {
  job: string;
  profile: string;
  python: string | null;
  lockFile: string | null;
  configFile: string | null;
  bundle: string | null;
}

export interface FileMark {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface Stamp {
  version: typeof STAMP_VERSION;
  inputs: StampInputs;
  lockSha256: string | null;
  configSha256: string | null;
  bundle: FileMark | null;
  /** The profile provisioned (the answer to --profile auto). */
  profile: string;
  pythonVersion: string;
  basePython: FileMark;
  venvPython: string;
  pyvenvCfg: FileMark;
  sitePackages: FileMark[];
  /** sha256 of the sorted name, version, file sha256 triples. */
  setDigest: string;
  packages: number;
}

export function stampPath(layout: VenvLayout): string {
  return join(layout.state, 'stamp.json');
}

export function inProgressPath(layout: VenvLayout): string {
  return join(layout.state, 'in-progress');
}

export function sha256File(path: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return null;
  }
}

/** realpath + size + mtime, or undefined when it does not resolve. */
export function markOf(path: string): FileMark | undefined {
  try {
    const real = realpathSync(path);
    const st = statSync(real);
    return { path: real, size: st.size, mtimeMs: st.mtimeMs };
  } catch {
    return undefined;
  }
}

function sameMark(a: FileMark | undefined | null, b: FileMark | undefined | null): boolean {
  return !!a && !!b && a.path === b.path && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

export function setDigest(set: readonly { name: string; version: string; sha256: string }[]): string {
  const rows = set.map((p) => [p.name, p.version, p.sha256]).sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(rows)).digest('hex');
}

export function readStamp(layout: VenvLayout): Stamp | undefined {
  try {
    const s = JSON.parse(readFileSync(stampPath(layout), 'utf8')) as Stamp;
    return s.version === STAMP_VERSION ? s : undefined;
  } catch {
    return undefined;
  }
}

export async function writeStamp(layout: VenvLayout, stamp: Stamp): Promise<void> {
  await writeFileAtomic(stampPath(layout), `${JSON.stringify(stamp, null, 2)}\n`);
}

export interface CurrentInputs {
  inputs: StampInputs;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Why the stamp does not prove a no-op, or undefined when it does. Only reads and stats files. */
export function stampMismatch(stamp: Stamp | undefined, layout: VenvLayout, now: CurrentInputs): string | undefined {
  if (!stamp) return 'no stamp (first provision, or the last one did not finish)';
  if (existsSync(inProgressPath(layout))) return 'a previous provision was interrupted';
  const a = stamp.inputs;
  const b = now.inputs;
  if (a.job !== b.job || a.profile !== b.profile || a.python !== b.python || a.lockFile !== b.lockFile || a.configFile !== b.configFile || a.bundle !== b.bundle) return 'different options';
  if (b.bundle) {
    if (!sameMark(stamp.bundle, markOf(b.bundle))) return 'the bundle changed';
  } else if (b.lockFile && sha256File(b.lockFile) !== stamp.lockSha256) return 'the lockfile changed';
  if (b.configFile && sha256File(b.configFile) !== stamp.configSha256) return 'the config changed';
  let found: string | undefined;
  try {
    found = findPythonOnDisk({ python: b.python ?? undefined, version: stamp.pythonVersion, env: now.env, cwd: now.cwd })?.path;
  } catch {
    return 'the interpreter is gone';
  }
  if (!found || !sameMark(markOf(found), stamp.basePython)) return 'the interpreter changed';
  if (markOf(layout.python)?.path !== stamp.venvPython) return "the venv's interpreter changed";
  if (!sameMark(markOf(layout.cfg), stamp.pyvenvCfg)) return 'the venv was recreated';
  for (const mark of stamp.sitePackages) if (!sameMark(markOf(mark.path), mark)) return `${mark.path} changed`;
  return undefined;
}
