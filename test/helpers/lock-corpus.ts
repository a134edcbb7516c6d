/**
 * The scaling corpus of the lock benchmark (and of
 * test/resolve/preference.test.ts): N projects × V versions with a realistic
 * dependency shape, written as a resolvelib-style PyPI snapshot
 * (`{name: {version: {"dependencies": ["name>=1.0; marker", ...]}}}`) so that
 * ../shared/tools/mkindex builds it exactly like the pypi-2020 snapshots.
 *
 * Shape (deterministic for a seed, mulberry32):
 * - project i depends only on projects j > i (no cycles), 2–6 of them, mostly
 *   near neighbours plus "foundation" projects at the end (the six/setuptools
 *   of the corpus that many projects share);
 * - a dependency may appear only from some version on; its lower bound rises
 *   with the dependent's version (newer releases need newer dependencies),
 *   sometimes capped at the next major of its time (`>=2.3,<4`), sometimes
 *   `~=`/`!=`;
 * - ~10% carry a marker that differs between profiles (win32, aarch64,
 *   Darwin, old Pythons), ~15% of projects declare an extra that others ask for;
 * - a few late releases (~1% of edges, last 3 versions) cap a dependency at
 *   an old major (`<2.0`) while other projects need it newer: these conflicts
 *   force the resolver to backtrack. (At 4% of edges, and onto foundation
 *   projects, pip 24.2 did not finish 50 projects in 150 s: too pathological
 *   to compare anything.)
 *
 * Every version 0 asks only for specifiers that admit each dependency's first
 * version (1.0), so "all first versions" is always a solution: both resolvers
 * must succeed, and the work is in how fast they find the newest solution.
 */
import { prng } from './pep440-corpus.js';

export type Snapshot = Record<string, Record<string, { dependencies: string[] }>>;

export interface LockCorpus {
  snapshot: Snapshot;
  /** The job's requirements: the top projects, unpinned. */
  roots: string[];
}

const MARKERS = ['python_version < "3.8"', 'sys_platform == "win32"', 'platform_machine == "aarch64"', 'python_version >= "3.9"', 'platform_system == "Darwin"'];
const EXTRA = 'speedups';

export function projectName(i: number): string {
  return `lib-${String(i).padStart(4, '0')}`;
}

/** Version index k (0-based) as a PEP 440 normal-form version: 1.0 … 1.9, 2.0 … */
export function versionText(k: number): string {
  return `${1 + Math.floor(k / 10)}.${k % 10}`;
}

interface Edge {
  target: number;
  /** First version index of the dependent that has this dependency. */
  since: number;
  /** How fast the lower bound follows the dependent's version (0.3–1). */
  slope: number;
  marker: string | undefined;
  withExtra: boolean;
  capNextMajor: boolean;
  compatible: boolean;
  exclude: boolean;
  /** The last 3 releases pin it below 2.0: a conflict to back out of (~1% of edges). */
  conflict: boolean;
  /** The lower bound lags the dependent's version by this many releases. */
  jitter: number;
}

export function generateLockCorpus(projects: number, versions = 30, seed = 20240601): LockCorpus {
  const rand = prng(seed ^ (projects * 7919));
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const hasExtra = Array.from({ length: projects }, () => rand() < 0.15);
  const foundation = Math.max(1, Math.floor(projects * 0.05));

  const pickTarget = (i: number): number => {
    const rest = projects - i - 1;
    if (rand() < 0.25 && projects - foundation > i) return int(projects - foundation, projects - 1);
    // Mostly near neighbours: r² skews towards small offsets.
    return i + 1 + Math.floor(rand() * rand() * rest);
  };

  const edgesOf = (i: number, count: number): Edge[] => {
    const edges: Edge[] = [];
    const seen = new Set<number>();
    for (let tries = 0; edges.length < count && tries < count * 4; tries++) {
      const target = pickTarget(i);
      if (target >= projects || seen.has(target)) continue;
      seen.add(target);
      edges.push({
        target,
        since: rand() < 0.7 ? 0 : int(1, Math.min(20, versions - 1)),
        slope: 0.3 + rand() * 0.7,
        marker: rand() < 0.1 ? MARKERS[int(0, MARKERS.length - 1)] : undefined,
        withExtra: hasExtra[target] === true && rand() < 0.3,
        capNextMajor: rand() < 0.06,
        compatible: rand() < 0.02,
        exclude: rand() < 0.03,
        // Rare, and never on a foundation project (that would drag half the graph back).
        conflict: rand() < 0.01 && target < projects - foundation,
        jitter: int(0, 3),
      });
    }
    return edges;
  };

  const requirement = (e: Edge, k: number, extraMarker?: string): string => {
    const lo = Math.max(0, Math.min(versions - 1, Math.floor(k * e.slope) - e.jitter));
    const loText = versionText(lo);
    // Releases are in lock-step: when version k of the dependent came out,
    // the dependency's newest was version k too. `~=` and caps are written
    // against that newest (`~=3.4`, `<4`), so they bind only for old releases.
    let spec: string;
    if (e.conflict && k >= versions - 3) spec = '<2.0';
    else if (e.compatible) spec = `~=${versionText(k)}`;
    else if (e.capNextMajor) spec = `>=${loText},<${2 + Math.floor(k / 10)}`;
    else spec = `>=${loText}`;
    // Excluding a version above the lower bound keeps version 1.0 admissible.
    if (e.exclude && lo + 1 < versions) spec += `,!=${versionText(lo + 1)}`;
    const name = `${projectName(e.target)}${e.withExtra ? `[${EXTRA}]` : ''}`;
    const markers = [e.marker, extraMarker].filter((m): m is string => m !== undefined);
    return `${name}${spec}${markers.length ? `; ${markers.map((m) => (markers.length > 1 ? `(${m})` : m)).join(' and ')}` : ''}`;
  };

  const snapshot: Snapshot = {};
  for (let i = 0; i < projects; i++) {
    const edges = edgesOf(i, Math.min(int(2, 6), projects - i - 1));
    const extraEdges = hasExtra[i] ? edgesOf(i, Math.min(int(1, 2), projects - i - 1)) : [];
    const byVersion: Record<string, { dependencies: string[] }> = {};
    for (let k = 0; k < versions; k++) {
      const dependencies = edges.filter((e) => e.since <= k).map((e) => requirement(e, k));
      for (const e of extraEdges) dependencies.push(requirement({ ...e, conflict: false, withExtra: false }, k, `extra == "${EXTRA}"`));
      byVersion[versionText(k)] = { dependencies };
    }
    snapshot[projectName(i)] = byVersion;
  }
  const rootCount = Math.max(2, Math.round(projects / 40));
  return { snapshot, roots: Array.from({ length: rootCount }, (_, i) => projectName(i)) };
}
