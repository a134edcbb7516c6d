/**
 * Digests of what a lock depends on. A lock records them; `pyindex lock
 * --check` recomputes them to tell whether the lock is stale. They hash the
 * MEANING, not the bytes: comments, key order, quoting and requirement
 * spelling (`Requests >= 2.0` vs `requests>=2.0`) do not count.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { canonicalizeExtra, canonicalizeName } from '../pep/names.js';
import { requirementToString, type Requirement } from '../pep/requirement.js';
import type { Profile } from '../profile/types.js';
import type { NameSet, ResolveOptions } from '../resolve/options.js';
import { sha256OfJson } from '../util/canonical-json.js';
import type { JobConfig } from './types.js';

/** Bump when the digest's inputs change shape, so old locks read as stale rather than wrongly fresh. */
const DIGEST_SCHEME = 1;

/** sha256 of a resolved profile's marker values and ordered tags: what resolution for it depends on. */
export function profileDigest(profile: Pick<Profile, 'markers' | 'tags'>): string {
  return sha256OfJson({ markers: profile.markers, tags: profile.tags });
}

/**
 * PEP 503 name and PEP 685 extras normalized, then packaging's str(): specifier
 * and marker spacing/quoting are already canonical in `requirementToString`.
 */
export function normalizedRequirement(req: Requirement): string {
  return requirementToString({ ...req, name: canonicalizeName(req.name), extras: req.extras.map(canonicalizeExtra) });
}

function nameSetMeaning(set: NameSet): string[] {
  return set.all ? [':all:'] : [...set.names].sort();
}

/**
 * The index as the digest sees it: a URL as written; a relative directory
 * relative to the config (so a checkout elsewhere, e.g. another CI
 * workspace, is not stale); an absolute directory as is.
 */
export function indexMeaning(written: string, resolved: string, configDir: string): string {
  // An http(s) URL means itself — without the credentials it may be written with, so rotating a password leaves the lock fresh.
  if (resolved === written || isAbsolute(written) || /^https?:\/\//i.test(resolved)) return resolved;
  return relative(configDir, resolved).split(sep).join('/') || '.';
}

export interface DigestInput {
  index: string;
  /**
   * Several indexes: each one's location and `explicit` flag, and the
   * `packages:` pins. Absent for a single index, so a config written before
   * `indexes:` existed keeps its digest; mirrors never count (they serve the
   * same files, and the lock never records which one answered).
   */
  indexes?: { indexes: { url: string; explicit: boolean }[]; packages: Record<string, string> };
  jobs: ReadonlyMap<string, JobConfig>;
  profiles: ReadonlyMap<string, Profile>;
  options: ResolveOptions;
}

/**
 * `options.build-python` is left out on purpose: it names an interpreter on
 * the machine that locks, and two machines with the same config must agree
 * on whether a lock is current.
 */
export function configDigest(input: DigestInput): string {
  const jobs: Record<string, unknown> = {};
  for (const [name, job] of input.jobs) {
    jobs[name] = {
      // Written order is kept: it is the order the resolver visits requirements in.
      requires: job.requirements.map(normalizedRequirement),
      constraints: job.constraints.map(normalizedRequirement),
      profiles: job.profiles,
    };
  }
  const profiles: Record<string, string> = {};
  for (const [name, profile] of input.profiles) profiles[name] = profileDigest(profile);
  const o = input.options;
  return sha256OfJson({
    scheme: DIGEST_SCHEME,
    index: input.index,
    jobs,
    profiles,
    options: {
      prereleases: o.prereleases,
      onlyBinary: nameSetMeaning(o.onlyBinary),
      noBinary: nameSetMeaning(o.noBinary),
      noBuild: nameSetMeaning(o.noBuild),
      excludeNewer: o.excludeNewer?.toISOString() ?? null,
    },
    ...(input.indexes ? { indexes: input.indexes } : {}),
  });
}
