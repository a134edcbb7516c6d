/**
 * Picking the profile and the interpreter together: a named profile gives
 * the Python version to look for, then the interpreter found must fit it;
 * `--profile auto` goes the other way and takes the job's first profile that
 * the interpreter (given, or found for each profile's version) fits.
 */
import { PyindexError } from '../errors/index.js';
import { jobProfileSet, selectJobProfile } from '../lock/select.js';
import type { LockedFile, Lockfile } from '../lock/types.js';
import { detectInterpreter, type Detection } from '../profile/detect.js';
import { assertInterpreterFits, interpreterMismatch, matchingProfiles } from './interpreter-match.js';
import { findPython, findPythonOnDisk, type FoundPython } from './python.js';

export interface Chosen {
  profile: string;
  found: FoundPython;
  detection: Detection;
}

export interface ChooseOptions {
  lock: Lockfile;
  job: string;
  profile: string;
  python?: string | undefined;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export async function chooseInterpreter(o: ChooseOptions): Promise<Chosen> {
  const filesOf = (p: string): LockedFile[] => selectJobProfile(o.lock, o.job, p).map((s) => s.file);
  if (o.profile !== 'auto') {
    const files = filesOf(o.profile); // E_UNKNOWN_JOB / E_UNKNOWN_PROFILE with the names that exist
    const locked = o.lock.profiles[o.profile];
    if (!locked) throw new PyindexError('E_LOCK_INVALID', `the lockfile has no profiles: entry for ${o.profile}`, { hint: 'Regenerate the lockfile with `pyindex lock`.' });
    const found = await findPython({ python: o.python, version: locked.python, env: o.env, cwd: o.cwd });
    const detection = await detectInterpreter(found.path, { env: o.env });
    assertInterpreterFits(detection, o.lock, o.profile, files);
    return { profile: o.profile, found, detection };
  }
  // An unknown job: E_UNKNOWN_JOB listing the jobs that exist.
  if (!Object.hasOwn(o.lock.jobs, o.job)) jobProfileSet(o.lock, o.job, '');
  const profiles = Object.keys(o.lock.jobs[o.job]?.profiles ?? {});
  if (o.python) {
    const found = await findPython({ python: o.python, version: '', env: o.env, cwd: o.cwd });
    const detection = await detectInterpreter(found.path, { env: o.env });
    const [first] = matchingProfiles(detection, o.lock, o.job, filesOf);
    if (first) return { profile: first, found, detection };
    const why = profiles.map((p) => `${p}: ${interpreterMismatch(detection, o.lock, p, filesOf(p)).reasons.join('; ')}`);
    throw new PyindexError('E_PYTHON_NOT_FOUND', `${detection.facts.executable} (CPython ${detection.facts.version.join('.')}, ${detection.profile.platform}) matches no profile of job ${o.job}: ${why.join(' | ')}`, {
      hint: `Pass --python with an interpreter of one of the job's profiles (${profiles.join(', ')}), or name the profile with --profile.`,
      details: { python: detection.facts.executable, profiles },
    });
  }
  const tried: string[] = [];
  const seen = new Set<string>();
  for (const p of profiles) {
    const version = o.lock.profiles[p]?.python;
    if (!version) continue;
    const found = findPythonOnDisk({ version, env: o.env, cwd: o.cwd });
    if (!found) {
      tried.push(`${p}: no Python ${version} found`);
      continue;
    }
    if (seen.has(`${found.path} ${p}`)) continue;
    seen.add(`${found.path} ${p}`);
    const detection = await detectInterpreter(found.path, { env: o.env });
    const reasons = interpreterMismatch(detection, o.lock, p, filesOf(p)).reasons;
    if (!reasons.length) return { profile: p, found, detection };
    tried.push(`${p}: ${found.path} does not fit (${reasons.join('; ')})`);
  }
  throw new PyindexError('E_PYTHON_NOT_FOUND', `no interpreter on this machine fits a profile of job ${o.job} (${tried.join(' | ') || 'the job has no profiles'})`, {
    hint: 'Install the Python a profile needs, or pass --python and --profile.',
    details: { job: o.job, tried },
  });
}
