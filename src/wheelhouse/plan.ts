/**
 * Which files a wheelhouse must hold: the union of the files the chosen
 * job × profile sets of a lockfile install. A file shared by several sets (a
 * pure-Python wheel used by every profile) is planned once, with every profile
 * that needs it.
 */
import { PyindexError } from '../errors/index.js';
import { jobProfileSet, selectJobProfile } from '../lock/select.js';
import type { Lockfile } from '../lock/types.js';

export interface PlannedFile {
  filename: string;
  sha256: string;
  size: number;
  /** Where the lock found it: a hint, tried first, never trusted. */
  url: string;
  project: string;
  version: string;
  /** Profiles (among the chosen ones) that install it, sorted. */
  profiles: string[];
}

/**
 * Files of the chosen jobs × profiles, sorted by filename. Empty `jobs` or
 * `profiles` means all of them; a profile a chosen job lacks is skipped unless
 * no chosen job has it (then E_UNKNOWN_PROFILE), so `--profile linux` over
 * several jobs means "linux wherever it applies".
 */
export function plannedFiles(lock: Lockfile, jobs: string[], profiles: string[]): PlannedFile[] {
  const jobNames = jobs.length ? jobs : Object.keys(lock.jobs).sort();
  const byFilename = new Map<string, PlannedFile>();
  const profilesSeen = new Set<string>();
  for (const job of jobNames) {
    const lockedJob = Object.hasOwn(lock.jobs, job) ? lock.jobs[job] : undefined;
    const jobProfiles = lockedJob ? Object.keys(lockedJob.profiles).sort() : [];
    const chosen = profiles.length ? profiles.filter((p) => jobProfiles.includes(p)) : jobProfiles;
    // An unknown job: jobProfileSet raises E_UNKNOWN_JOB listing the jobs.
    if (!lockedJob) jobProfileSet(lock, job, '');
    for (const profile of chosen) {
      profilesSeen.add(profile);
      for (const { package: pkg, file } of selectJobProfile(lock, job, profile)) {
        const planned = byFilename.get(file.filename);
        if (planned) {
          if (planned.sha256 !== file.sha256) {
            throw new PyindexError('E_LOCK_INVALID', `the lockfile names ${file.filename} with two different hashes (${planned.sha256}, ${file.sha256})`, {
              hint: 'Regenerate the lockfile with `pyindex lock`.',
            });
          }
          if (!planned.profiles.includes(profile)) planned.profiles.push(profile);
        } else {
          byFilename.set(file.filename, {
            filename: file.filename,
            sha256: file.sha256,
            size: file.size,
            url: file.url,
            project: pkg.name,
            version: pkg.version,
            profiles: [profile],
          });
        }
      }
    }
  }
  for (const profile of profiles) {
    if (!profilesSeen.has(profile)) {
      throw new PyindexError('E_UNKNOWN_PROFILE', `no chosen job has profile ${JSON.stringify(profile)} in the lockfile`, {
        hint: `Profiles in the lockfile: ${Object.keys(lock.profiles).sort().join(', ') || '(none)'}.`,
        details: { profile, jobs: jobNames },
      });
    }
  }
  const files = [...byFilename.values()].sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
  for (const f of files) f.profiles.sort();
  return files;
}
