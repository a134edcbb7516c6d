/**
 * What `pyindex mirror` must copy. From a lockfile: every file the chosen
 * jobs × profiles install, plus the build closures of their sdists (a build
 * machine's `pyindex fetch` builds those from the mirror too). With
 * `--all-versions`: every file of the named projects (a bandersnatch-style
 * allowlist), each optionally limited by a version specifier.
 */
import type { Lockfile } from '../lock/types.js';
import { canonicalizeName } from '../pep/names.js';
import type { Requirement } from '../pep/requirement.js';
import { SpecifierSet } from '../pep/specifier.js';
import { plannedFiles } from '../wheelhouse/plan.js';

/** One file to have in the target tree: by filename, and by hash and size when the lock pins them. */
export interface WantedFile {
  project: string;
  filename: string;
  sha256?: string;
  size?: number;
}

export type MirrorWants = { kind: 'files'; files: WantedFile[] } | { kind: 'all-versions'; projects: Pick<Requirement, 'name' | 'specifier'>[] };

/** The lock's files for the chosen jobs × profiles (all when empty), with their sdists' build closures. */
export function wantsFromLock(lock: Lockfile, jobs: string[], profiles: string[]): WantedFile[] {
  const planned = plannedFiles(lock, jobs, profiles);
  const byFilename = new Map<string, WantedFile>(planned.map((f) => [f.filename, { project: f.project, filename: f.filename, sha256: f.sha256, size: f.size }]));
  const locked = new Map(lock.packages.map((p) => [`${p.name} ${p.version}`, p]));
  for (const f of planned) {
    const entry = locked.get(`${f.project} ${f.version}`)?.files.find((x) => x.filename === f.filename);
    for (const profile of f.profiles) {
      for (const req of entry?.build?.[profile] ?? []) {
        const file = locked.get(`${req.name} ${req.version}`)?.files.find((x) => x.filename === req.file);
        if (file && !byFilename.has(file.filename)) byFilename.set(file.filename, { project: req.name, filename: file.filename, sha256: file.sha256, size: file.size });
      }
    }
  }
  return [...byFilename.values()].sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
}

/** The projects of the lock's chosen jobs × profiles, for `--all-versions` with `--lock`. */
export function projectsOfLock(lock: Lockfile, jobs: string[], profiles: string[]): Pick<Requirement, 'name' | 'specifier'>[] {
  const names = new Set(wantsFromLock(lock, jobs, profiles).map((f) => canonicalizeName(f.project)));
  return [...names].sort().map((name) => ({ name, specifier: SpecifierSet.parse('') }));
}
