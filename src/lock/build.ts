/**
 * Turns the resolver's per job × profile results into one Lockfile: every
 * package version once (with the files some profile installs and which
 * profiles install each), and per job × profile the exact set to install.
 *
 * Everything is sorted with code-point comparisons (never locale-dependent)
 * and versions in PEP 440 order, so the same resolutions always give the same
 * lockfile, byte for byte, on any machine.
 */
import type { Config } from '../config/types.js';
import { PyindexError } from '../errors/index.js';
import { canonicalizeName } from '../pep/names.js';
import { compareCodePoints, compareVersions, Version } from '../pep/version.js';
import type { Profile } from '../profile/types.js';
import type { Resolution, ResolvedPackage } from '../resolve/resolve.js';
import type { BuildClosure } from './build-closure.js';
import { LOCK_VERSION, type LockedBuildRequirement, type LockedFile, type LockedJob, type LockedPackage, type LockedProfile, type LockedRequirement, type Lockfile } from './types.js';

export interface BuildLockfileInput {
  config: Pick<Config, 'digest' | 'index' | 'profiles' | 'jobs'>;
  resolutions: Resolution[];
  /** Per locked sdist × profile, the wheels its build requirements resolved to (none: no build entries). */
  builds?: readonly BuildClosure[];
  /** sha256 of a profile's markers and tags (recorded so a changed profile makes the lock stale). */
  profileDigest: (p: Profile) => string;
  /** With several indexes: per package name, the URL of the index it came from (recorded on each package). */
  origins?: Readonly<Record<string, string>>;
}

/** "requests: certifi>=2017.4.17"; the job's own requirements are "job: …". */
export function renderRequiredBy(by: string, requirement: string): string {
  return `${by}: ${requirement}`;
}

/** Sorts strings by code point (JS `<` compares UTF-16 units, which differs above U+FFFF). */
export function sortStrings(values: Iterable<string>): string[] {
  return [...values].sort(compareCodePoints);
}

/** Object with keys in code-point order (insertion order is what YAML writes). */
export function sortedRecord<T>(entries: Iterable<[string, T]>): Record<string, T> {
  const list = [...entries].sort((a, b) => compareCodePoints(a[0], b[0]));
  const out: Record<string, T> = {};
  for (const [k, v] of list) out[k] = v;
  return out;
}

/** Packages by name, then PEP 440 version order (2.9 before 2.10). */
export function comparePackages(a: { name: string; version: string }, b: { name: string; version: string }): number {
  return compareCodePoints(a.name, b.name) || compareVersions(Version.parse(a.version), Version.parse(b.version));
}

interface PackageAccumulator {
  name: string;
  version: string;
  files: Map<string, { file: Omit<LockedFile, 'profiles' | 'build'>; profiles: Set<string>; build?: Map<string, LockedBuildRequirement[]> }>;
}

function internal(message: string, details: Record<string, unknown> = {}): PyindexError {
  return new PyindexError('E_INTERNAL', message, { details });
}

/** The locked file for a resolved package; the orchestrator must have filled in sha256 and size. */
function lockedFileOf(pkg: ResolvedPackage, where: string): Omit<LockedFile, 'profiles' | 'build'> {
  const f = pkg.file.file;
  const sha256 = f.hashes.sha256?.toLowerCase();
  if (!sha256 || !/^[0-9a-f]{64}$/.test(sha256)) {
    throw internal(`${where}: ${f.filename} has no valid sha256 (got ${JSON.stringify(f.hashes.sha256)}); it must be hashed before locking`, { file: f.filename });
  }
  if (f.size === undefined || !Number.isSafeInteger(f.size) || f.size < 0) {
    throw internal(`${where}: ${f.filename} has no size; it must be measured before locking`, { file: f.filename });
  }
  return { filename: f.filename, sha256, size: f.size, url: f.url };
}

function lockedRequirementOf(pkg: ResolvedPackage, name: string, version: string, filename: string): LockedRequirement {
  const requiredBy = new Set(pkg.requiredBy.map((r) => renderRequiredBy(r.by === 'job' ? 'job' : canonicalizeName(r.by), r.requirement)));
  return {
    name,
    version,
    file: filename,
    extras: sortStrings(new Set(pkg.extras.map(canonicalizeName))),
    requiredBy: sortStrings(requiredBy),
  };
}

/** Records that `profile` installs the file of `pkg` (one package version, one entry per file). */
function accumulate(packages: Map<string, PackageAccumulator>, pkg: ResolvedPackage, profile: string, where: string): { name: string; version: string; filename: string } {
  const name = canonicalizeName(pkg.name);
  const version = pkg.version.toString();
  const file = lockedFileOf(pkg, where);
  const key = `${name} ${version}`;
  let acc = packages.get(key);
  if (!acc) packages.set(key, (acc = { name, version, files: new Map() }));
  const known = acc.files.get(file.filename);
  if (!known) {
    acc.files.set(file.filename, { file, profiles: new Set([profile]) });
  } else {
    // One filename, two contents: the index changed while locking (or lies).
    if (known.file.sha256 !== file.sha256 || known.file.size !== file.size) {
      throw new PyindexError('E_HASH_MISMATCH', `${file.filename} was seen with two different contents while locking (sha256 ${known.file.sha256} and ${file.sha256})`, {
        hint: 'The index changed during locking; run `pyindex lock` again.',
        details: { file: file.filename },
      });
    }
    known.profiles.add(profile);
  }
  return { name, version, filename: file.filename };
}

/** Adds each build closure's wheels to the packages and records the closure on its sdist's file entry. */
function addBuildClosures(packages: Map<string, PackageAccumulator>, builds: readonly BuildClosure[]): void {
  const sdists = new Map<string, { build?: Map<string, LockedBuildRequirement[]>; profiles: Set<string> }>();
  for (const acc of packages.values()) for (const [filename, entry] of acc.files) sdists.set(filename, entry);
  for (const closure of builds) {
    const where = `build requirements of ${closure.sdist}, profile ${closure.profile}`;
    const entry = sdists.get(closure.sdist);
    if (!entry || !entry.profiles.has(closure.profile)) throw internal(`${where}: no resolution installs ${closure.sdist} for ${closure.profile}`);
    entry.build ??= new Map();
    if (entry.build.has(closure.profile)) throw internal(`${where}: resolved twice`);
    const list: LockedBuildRequirement[] = [];
    for (const pkg of closure.packages) {
      if (pkg.file.kind !== 'wheel') throw internal(`${where}: ${pkg.file.file.filename} is not a wheel`);
      const { name, version, filename } = accumulate(packages, pkg, closure.profile, where);
      list.push({ name, version, file: filename });
    }
    entry.build.set(closure.profile, list.sort((a, b) => compareCodePoints(a.name, b.name)));
  }
}

export function buildLockfile(input: BuildLockfileInput): Lockfile {
  const { config, resolutions } = input;
  const packages = new Map<string, PackageAccumulator>();
  const jobSets = new Map<string, Map<string, LockedRequirement[]>>();

  for (const res of resolutions) {
    const profile = res.profile.name;
    const where = `job ${res.job}, profile ${profile}`;
    if (!config.jobs.has(res.job)) throw internal(`${where}: the config has no job ${JSON.stringify(res.job)}`);
    if (!config.profiles.has(profile)) throw internal(`${where}: the config has no profile ${JSON.stringify(profile)}`);
    let perProfile = jobSets.get(res.job);
    if (!perProfile) jobSets.set(res.job, (perProfile = new Map()));
    if (perProfile.has(profile)) throw internal(`${where}: resolved twice`);

    const set: LockedRequirement[] = [];
    const seen = new Set<string>();
    for (const pkg of res.packages) {
      const canonical = canonicalizeName(pkg.name);
      if (seen.has(canonical)) throw internal(`${where}: ${canonical} appears twice in one resolution`);
      seen.add(canonical);
      const { name, version, filename } = accumulate(packages, pkg, profile, where);
      set.push(lockedRequirementOf(pkg, name, version, filename));
    }
    set.sort((a, b) => compareCodePoints(a.name, b.name));
    perProfile.set(profile, set);
  }
  addBuildClosures(packages, input.builds ?? []);

  const lockedPackages: LockedPackage[] = [...packages.values()]
    .map((acc) => ({
      name: acc.name,
      version: acc.version,
      ...(input.origins?.[acc.name] !== undefined ? { index: input.origins[acc.name] } : {}),
      files: [...acc.files.values()]
        .map(({ file, profiles, build }): LockedFile => ({ ...file, profiles: sortStrings(profiles), ...(build ? { build: sortedRecord(build) } : {}) }))
        .sort((a, b) => compareCodePoints(a.filename, b.filename)),
    }))
    .sort(comparePackages);

  const profiles = sortedRecord<LockedProfile>(
    [...config.profiles].map(([name, p]) => [name, { platform: p.platform, python: p.python, digest: input.profileDigest(p) }]),
  );

  const jobs = sortedRecord<LockedJob>(
    [...config.jobs].map(([name, job]) => [
      name,
      {
        requires: [...job.requirementTexts],
        constraints: [...job.constraintTexts],
        profiles: sortedRecord([...(jobSets.get(name) ?? new Map<string, LockedRequirement[]>())]),
      },
    ]),
  );

  return { version: LOCK_VERSION, configDigest: config.digest, index: config.index, profiles, packages: lockedPackages, jobs };
}
