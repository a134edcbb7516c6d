/**
 * Which versions of a project a profile can install, and from which file.
 * A version is usable when it has a wheel whose tags the profile accepts, or
 * an sdist when building is allowed; files whose Requires-Python (PEP 345 /
 * PEP 503 data-requires-python) excludes the profile's Python do not count.
 * Yanked files (PEP 592) are kept but marked: only exact pins may take them.
 */
import type { IndexFile, ProjectPage } from '../index/types.js';
import { isPyindexError } from '../errors/index.js';
import { parseSdistFilename } from '../pep/sdist-filename.js';
import { SpecifierSet } from '../pep/specifier.js';
import { Version } from '../pep/version.js';
import { parseWheelFilename } from '../pep/wheel-filename.js';
import type { Profile } from '../profile/types.js';
import { inNameSet, type ResolveOptions } from './options.js';

export interface CandidateFile {
  file: IndexFile;
  kind: 'wheel' | 'sdist';
  /** Position of the wheel's best tag in the profile's tag list (lower is better); Infinity for sdists. */
  rank: number;
  build: number;
}

export interface CandidateVersion {
  version: Version;
  /** Every file of this version on the index (all profiles). */
  files: IndexFile[];
  /** The file this profile would install, when there is one. */
  best: CandidateFile | undefined;
  /** Why no file can be used, when `best` is undefined. */
  unusable: string | undefined;
  /** Only yanked files are usable. */
  yanked: boolean;
  prerelease: boolean;
}

export interface ProfileView {
  profile: Profile;
  tagRank: ReadonlyMap<string, number>;
  pythonVersion: Version;
  /** Best rank of an expanded tag set, by array identity (parseWheelFilename shares one array per tag set). */
  setRank: WeakMap<readonly string[], number>;
}

const rankCache = new WeakMap<Profile, ProfileView>();

export function profileView(profile: Profile): ProfileView {
  let view = rankCache.get(profile);
  if (!view) {
    view = {
      profile,
      tagRank: new Map(profile.tags.map((t, i) => [t, i])),
      setRank: new WeakMap(),
      pythonVersion: Version.parse(profile.markers.python_full_version.replace(/\+$/, '')),
    };
    rankCache.set(profile, view);
  }
  return view;
}

const requiresPythonCache = new Map<string, SpecifierSet | null>();

/** pip ignores a Requires-Python it cannot parse; so do we. */
export function requiresPythonAllows(spec: string | undefined, python: Version): boolean {
  if (!spec || !spec.trim()) return true;
  let parsed = requiresPythonCache.get(spec);
  if (parsed === undefined) {
    try {
      parsed = SpecifierSet.parse(spec);
    } catch {
      parsed = null;
    }
    requiresPythonCache.set(spec, parsed);
  }
  return parsed === null || parsed.contains(python, { prereleases: true });
}

interface Parsed {
  file: IndexFile;
  version: Version;
  kind: 'wheel' | 'sdist';
  tags: readonly string[];
  build: number;
}

/** Parses a project page's filenames once; shared by every profile. */
export function parseProjectFiles(page: ProjectPage): { parsed: Parsed[]; skipped: string[] } {
  const parsed: Parsed[] = [];
  const skipped: string[] = [];
  for (const file of page.files) {
    try {
      if (file.kind === 'wheel') {
        const w = parseWheelFilename(file.filename);
        if (w.canonicalName !== page.name) {
          skipped.push(file.filename);
          continue;
        }
        parsed.push({ file, version: w.version, kind: 'wheel', tags: w.tags, build: w.build?.number ?? -1 });
      } else if (file.kind === 'sdist') {
        const s = parseSdistFilename(file.filename, page.name);
        if (s.canonicalName !== page.name) {
          skipped.push(file.filename);
          continue;
        }
        parsed.push({ file, version: s.version, kind: 'sdist', tags: [], build: -1 });
      }
    } catch (err) {
      if (!isPyindexError(err)) throw err;
      skipped.push(file.filename);
    }
  }
  return { parsed, skipped };
}

function better(a: CandidateFile, b: CandidateFile): boolean {
  if (a.kind !== b.kind) return a.kind === 'wheel';
  if (a.rank !== b.rank) return a.rank < b.rank;
  return a.build > b.build;
}

/** "CPython 3.11 on linux-x86_64, manylinux glibc 2.17 (profile linux64)": what a wheel must fit. */
export function describeTarget(profile: Profile): string {
  const libc = profile.musl ? `, musllinux ${profile.musl}` : profile.glibc ? `, manylinux glibc ${profile.glibc}` : profile.macos ? `, macOS ${profile.macos}` : '';
  return `CPython ${profile.python} on ${profile.platform}${libc} (profile ${profile.name})`;
}

function fileListing(files: readonly Parsed[]): string {
  const names = files.map((f) => f.file.filename);
  return names.length > 6 ? `${names.slice(0, 6).join(', ')} and ${names.length - 6} more` : names.join(', ');
}

export function selectCandidates(
  name: string,
  parsed: readonly Parsed[],
  view: ProfileView,
  options: ResolveOptions,
): CandidateVersion[] {
  const byVersion = new Map<string, Parsed[]>();
  for (const p of parsed) {
    const key = p.version.toString();
    let list = byVersion.get(key);
    if (!list) byVersion.set(key, (list = []));
    list.push(p);
  }
  const noBinary = inNameSet(options.noBinary, name);
  const sdistAllowed = !inNameSet(options.onlyBinary, name) && !inNameSet(options.noBuild, name);
  const cutoff = options.excludeNewer?.getTime();
  const result: CandidateVersion[] = [];
  for (const files of byVersion.values()) {
    const version = files[0]!.version;
    let best: CandidateFile | undefined;
    let bestYanked: CandidateFile | undefined;
    const reasons = new Set<string>();
    for (const p of files) {
      if (cutoff !== undefined && p.file.uploadTime && Date.parse(p.file.uploadTime) > cutoff) {
        reasons.add('uploaded after exclude-newer');
        continue;
      }
      if (!requiresPythonAllows(p.file.requiresPython, view.pythonVersion)) {
        reasons.add(`requires Python ${p.file.requiresPython!.trim()}`);
        continue;
      }
      let c: CandidateFile;
      if (p.kind === 'wheel') {
        if (noBinary) {
          reasons.add('wheels are disabled by no-binary');
          continue;
        }
        let rank = view.setRank.get(p.tags);
        if (rank === undefined) {
          rank = Infinity;
          for (const t of p.tags) rank = Math.min(rank, view.tagRank.get(t) ?? Infinity);
          view.setRank.set(p.tags, rank);
        }
        if (rank === Infinity) {
          reasons.add(`no wheel for ${describeTarget(view.profile)}`);
          continue;
        }
        c = { file: p.file, kind: 'wheel', rank, build: p.build };
      } else {
        if (!sdistAllowed) {
          reasons.add(inNameSet(options.noBuild, name) ? 'only an sdist, and no-build forbids building it' : 'only an sdist, and only-binary forbids it');
          continue;
        }
        c = { file: p.file, kind: 'sdist', rank: Infinity, build: -1 };
      }
      if (p.file.yanked !== false) {
        if (!bestYanked || better(c, bestYanked)) bestYanked = c;
      } else if (!best || better(c, best)) {
        best = c;
      }
    }
    const chosen = best ?? bestYanked;
    result.push({
      version,
      files: files.map((f) => f.file),
      best: chosen,
      unusable: chosen ? undefined : `${[...reasons].join('; ') || 'no installable files'}; files: ${fileListing(files)}`,
      yanked: !best && bestYanked !== undefined,
      prerelease: version.isPrerelease,
    });
  }
  return result.sort((a, b) => a.version.compare(b.version));
}
