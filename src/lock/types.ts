/**
 * The lockfile `pyindex.lock.yaml` (schema: schemas/lock.schema.json).
 *
 * Location-independent: a file is identified by filename + sha256 (+ size);
 * the URL it came from is only a hint, so installs work from any mirror or
 * wheelhouse. Byte-identical for the same inputs: everything is sorted and
 * nothing time-dependent is written.
 */

export const LOCK_VERSION = 1;

export interface LockedFile {
  filename: string;
  sha256: string;
  size: number;
  /** Where it was found when locking (a hint, never trusted). */
  url: string;
  /** Profiles that install this file, sorted. */
  profiles: string[];
  /**
   * Only on sdists: per profile (sorted keys), the wheels its PEP 518 build
   * requirements resolved to, sorted by name. `pyindex fetch` builds the
   * sdist into a wheel offline from exactly these (issue 4, point 2); each is
   * also a pinned file of `packages` listing the profile.
   */
  build?: Record<string, LockedBuildRequirement[]>;
}

/** One wheel of an sdist's build closure. */
export interface LockedBuildRequirement {
  name: string;
  version: string;
  /** Filename of one of that package's files (always a wheel). */
  file: string;
}

export interface LockedPackage {
  /** PEP 503 normalized. */
  name: string;
  /** PEP 440 normalized. */
  version: string;
  /** With several indexes (`indexes:`): the URL of the index it was taken from (first-index rule or a `packages:` pin). */
  index?: string;
  files: LockedFile[];
}

export interface LockedRequirement {
  name: string;
  version: string;
  /** The file this profile installs (one of the package's files). */
  file: string;
  /** Extras in use, PEP 685-normalized, sorted. */
  extras: string[];
  /** Why it is there: "job: requests[socks]>=2", "requests: certifi>=2017.4.17", sorted. */
  requiredBy: string[];
}

export interface LockedJob {
  /** The job's requirements and constraints as written in the config. */
  requires: string[];
  constraints: string[];
  /** Profile name → the exact set to install, sorted by name. */
  profiles: Record<string, LockedRequirement[]>;
}

export interface LockedProfile {
  platform: string;
  python: string;
  /** sha256 of the profile's markers and tags: a changed profile makes the lock stale. */
  digest: string;
}

export interface Lockfile {
  version: typeof LOCK_VERSION;
  /** Config digest this lock was made from (Config.digest). */
  configDigest: string;
  /** The index URL used (a hint). */
  index: string;
  profiles: Record<string, LockedProfile>;
  packages: LockedPackage[];
  jobs: Record<string, LockedJob>;
}
