/**
 * Looking up one job × profile set in a lockfile (for the exporters and
 * `pyindex why`), with errors that list the names that do exist.
 */
import { PyindexError } from '../errors/index.js';
import type { LockedFile, LockedPackage, LockedRequirement, Lockfile } from './types.js';

export interface SelectedRequirement {
  requirement: LockedRequirement;
  package: LockedPackage;
  file: LockedFile;
}

function list(names: string[]): string {
  return names.length ? names.join(', ') : '(none)';
}

/** The set a profile of a job installs; throws E_UNKNOWN_JOB / E_UNKNOWN_PROFILE. */
export function jobProfileSet(lock: Lockfile, job: string, profile: string): LockedRequirement[] {
  const j = Object.hasOwn(lock.jobs, job) ? lock.jobs[job] : undefined;
  if (!j) {
    throw new PyindexError('E_UNKNOWN_JOB', `the lockfile has no job ${JSON.stringify(job)}`, {
      hint: `Jobs in the lockfile: ${list(Object.keys(lock.jobs))}. If you just added it to pyindex.yaml, run \`pyindex lock\`.`,
      details: { job, jobs: Object.keys(lock.jobs) },
    });
  }
  const set = Object.hasOwn(j.profiles, profile) ? j.profiles[profile] : undefined;
  if (!set) {
    throw new PyindexError('E_UNKNOWN_PROFILE', `job ${JSON.stringify(job)} has no profile ${JSON.stringify(profile)} in the lockfile`, {
      hint: `Profiles of job ${job}: ${list(Object.keys(j.profiles))}.`,
      details: { job, profile, profiles: Object.keys(j.profiles) },
    });
  }
  return set;
}

/** The set with each entry's package and file (a read lockfile is consistent; a hand-built one may not be). */
export function selectJobProfile(lock: Lockfile, job: string, profile: string): SelectedRequirement[] {
  const byKey = new Map(lock.packages.map((p) => [`${p.name} ${p.version}`, p]));
  return jobProfileSet(lock, job, profile).map((requirement) => {
    const pkg = byKey.get(`${requirement.name} ${requirement.version}`);
    const file = pkg?.files.find((f) => f.filename === requirement.file);
    if (!pkg || !file) {
      throw new PyindexError('E_LOCK_INVALID', `job ${job}, profile ${profile}: ${requirement.name} ${requirement.version} (${requirement.file}) is not among the lockfile's packages`, {
        hint: 'Regenerate the lockfile with `pyindex lock`.',
      });
    }
    return { requirement, package: pkg, file };
  });
}
