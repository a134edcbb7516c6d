/**
 * Does a real interpreter fit a locked profile? The lock records the
 * profile's platform and Python feature version, and the files it chose; an
 * interpreter fits when its `python_version` marker and platform are the
 * profile's and it accepts every locked wheel's tags (PEP 425: a wheel
 * installs when one of its expanded tags is among the interpreter's
 * `sys_tags()`), which is exactly what pip will check when installing.
 */
import { PyindexError } from '../errors/index.js';
import type { LockedFile, Lockfile } from '../lock/types.js';
import { isWheelFilename, parseWheelFilename } from '../pep/wheel-filename.js';
import type { Detection } from '../profile/detect.js';

export interface InterpreterMismatch {
  /** Human reasons, e.g. "python_version is 3.12, the profile needs 3.11". */
  reasons: string[];
  /** Locked wheels none of whose tags the interpreter accepts. */
  unsupportedWheels: string[];
}

/** Why `detection` does not fit `profile` of `lock` for `files` (empty reasons: it fits). */
export function interpreterMismatch(detection: Detection, lock: Lockfile, profile: string, files: readonly LockedFile[]): InterpreterMismatch {
  const locked = lock.profiles[profile];
  const found = detection.profile;
  const reasons: string[] = [];
  if (locked && locked.python !== found.python) reasons.push(`python_version is ${found.python}, the profile needs ${locked.python}`);
  if (locked && locked.platform !== found.platform) reasons.push(`the platform is ${found.platform}, the profile needs ${locked.platform}`);
  const tags = new Set(found.tags);
  const unsupportedWheels = files
    .filter((f) => isWheelFilename(f.filename))
    .filter((f) => !parseWheelFilename(f.filename).tags.some((t) => tags.has(t)))
    .map((f) => f.filename);
  if (unsupportedWheels.length) {
    const shown = unsupportedWheels.slice(0, 5).join(', ');
    reasons.push(`it accepts none of the tags of ${unsupportedWheels.length} locked wheel(s): ${shown}${unsupportedWheels.length > 5 ? ', …' : ''}`);
  }
  return { reasons, unsupportedWheels };
}

function describe(detection: Detection): string {
  const v = detection.facts.version.join('.');
  return `${detection.facts.executable} (CPython ${v}, ${detection.profile.platform})`;
}

/** Throws E_PYTHON_NOT_FOUND naming the interpreter and the profile when they do not fit. */
export function assertInterpreterFits(detection: Detection, lock: Lockfile, profile: string, files: readonly LockedFile[]): void {
  const { reasons, unsupportedWheels } = interpreterMismatch(detection, lock, profile, files);
  if (!reasons.length) return;
  const locked = lock.profiles[profile];
  const wanted = locked ? `profile ${profile} (CPython ${locked.python}, ${locked.platform})` : `profile ${profile}`;
  throw new PyindexError('E_PYTHON_NOT_FOUND', `${describe(detection)} does not match ${wanted}: ${reasons.join('; ')}`, {
    hint: locked ? `Pass --python with a CPython ${locked.python} interpreter for ${locked.platform}, or choose the profile that matches this interpreter (--profile auto).` : 'Choose the profile that matches this interpreter (--profile auto).',
    details: { python: detection.facts.executable, detected: { python: detection.profile.python, platform: detection.profile.platform }, profile, locked, unsupportedWheels },
  });
}

/**
 * `--profile auto`: the job's profiles (in lockfile order) whose recorded
 * platform and Python match, and whose files the interpreter accepts.
 */
export function matchingProfiles(detection: Detection, lock: Lockfile, job: string, filesOf: (profile: string) => LockedFile[]): string[] {
  const profiles = Object.keys(lock.jobs[job]?.profiles ?? {});
  return profiles.filter((p) => interpreterMismatch(detection, lock, p, filesOf(p)).reasons.length === 0);
}
