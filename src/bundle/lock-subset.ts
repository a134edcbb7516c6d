/**
 * The part of a lockfile a bundle carries: the chosen jobs restricted to one
 * profile, the packages and files those sets install, and that profile. It is
 * still a complete, valid lockfile (readLockfile accepts it), so `provision
 * --bundle` reads it with the same code as the real one; the config digest is
 * kept, so staleness is judged against the same pyindex.yaml.
 */
import { PyindexError } from '../errors/index.js';
import type { LockedJob, LockedPackage, Lockfile } from '../lock/types.js';

/** `jobs` empty means every job that has `profile`. */
export function lockSubset(lock: Lockfile, jobs: string[], profile: string): Lockfile {
  const profileEntry = Object.hasOwn(lock.profiles, profile) ? lock.profiles[profile] : undefined;
  if (!profileEntry) {
    throw new PyindexError('E_UNKNOWN_PROFILE', `the lockfile has no profile ${JSON.stringify(profile)}`, {
      hint: `Profiles in the lockfile: ${Object.keys(lock.profiles).sort().join(', ') || '(none)'}.`,
      details: { profile },
    });
  }
  const chosen = jobs.length ? [...new Set(jobs)].sort() : Object.keys(lock.jobs).sort();
  const outJobs: Record<string, LockedJob> = {};
  const used = new Set<string>(); // "name version file"
  for (const name of chosen) {
    const job = Object.hasOwn(lock.jobs, name) ? lock.jobs[name] : undefined;
    const set = job && Object.hasOwn(job.profiles, profile) ? job.profiles[profile] : undefined;
    if (!job || !set) continue; // plannedFiles has already rejected unknown jobs; a job without this profile is left out
    outJobs[name] = { requires: [...job.requires], constraints: [...job.constraints], profiles: { [profile]: set.map((r) => ({ ...r, extras: [...r.extras], requiredBy: [...r.requiredBy] })) } };
    for (const r of set) used.add(`${r.name} ${r.version} ${r.file}`);
  }
  if (Object.keys(outJobs).length === 0) {
    throw new PyindexError('E_UNKNOWN_PROFILE', `none of the chosen jobs (${chosen.join(', ') || 'none'}) has profile ${JSON.stringify(profile)} in the lockfile`, {
      hint: 'Pick a profile the jobs are locked for (see pyindex.lock.yaml).',
      details: { profile, jobs: chosen },
    });
  }
  const packages: LockedPackage[] = [];
  for (const pkg of lock.packages) {
    // A bundle carries the wheels built from locked sdists, not their build closures (whose packages it leaves out).
    const files = pkg.files.filter((f) => used.has(`${pkg.name} ${pkg.version} ${f.filename}`)).map(({ build: _build, ...f }) => ({ ...f, profiles: [profile] }));
    if (files.length) packages.push({ name: pkg.name, version: pkg.version, ...(pkg.index !== undefined ? { index: pkg.index } : {}), files });
  }
  return { version: lock.version, configDigest: lock.configDigest, index: lock.index, profiles: { [profile]: { ...profileEntry } }, packages, jobs: outJobs };
}
