/**
 * PEP 440 versions and specifiers: pyindex vs @renovatebot/pep440 vs Python
 * packaging 24.1 (pip 24.2's vendored copy), on the same generated inputs
 * in the same run. Python's figures are timed inside the Python process
 * (perf_counter around the loop), so interpreter start-up is excluded.
 *
 * Also scores correctness: the differential corpora of test/pep/*.test.ts
 * run through pyindex and through @renovatebot/pep440, and every answer
 * that differs from packaging 24.1 is counted. This is the evidence for the
 * decision to keep our own implementation rather than the ecosystem's
 * (docs: the brief says "write your own only where a benchmark shows it matters").
 */
import * as pep440 from '@renovatebot/pep440';
import { Version, clearVersionCache, compareVersions } from '../src/pep/version.js';
import { SpecifierSet, clearSpecifierSetCache } from '../src/pep/specifier.js';
import { medianMs, type Bench, type BenchRow } from './lib.js';
import { runPythonJson } from '../test/helpers/python.js';
import { randomVersions } from '../test/helpers/pep440-corpus.js';
import {
  SPECIFIER_ORACLE, VERSION_ORACLE, buildSpecifierCorpus, pyenvPython, type OracleOutput, type PyVersionResult,
} from '../test/helpers/pep440-oracle.js';

const N = 20_000;
const RUNS = 7;
const WARMUP = 3;

const PY_TIMING = `
import sys, json, time, statistics
from pip._vendor.packaging import version as V, specifiers as S
d = json.load(sys.stdin)
versions, pairs, runs = d['versions'], d['pairs'], d['runs']
def median_ms(fn):
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter(); fn(); times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)
def contains():
    vc, sc = {}, {}
    for v, s in pairs:
        vv = vc.get(v)
        if vv is None:
            vv = vc[v] = V.Version(v)
        ss = sc.get(s)
        if ss is None:
            ss = sc[s] = S.SpecifierSet(s)
        ss.contains(vv)
print(json.dumps({
    'parse': median_ms(lambda: [V.Version(s) for s in versions]),
    'sort': median_ms(lambda: sorted(versions, key=V.Version)),
    'contains': median_ms(contains),
}))
`;

/** satisfies() throws on some specifiers validRange() accepts; those pairs are left out of the timing. */
function renovateCanEvaluate(v: string, spec: string): boolean {
  try {
    pep440.satisfies(v, spec);
    return true;
  } catch {
    return false;
  }
}

function isArbitraryNonVersion(spec: string): boolean {
  return SpecifierSet.parse(spec).specifiers.some((s) => s.operator === '===' && Version.tryParse(s.version) === undefined);
}

interface Score {
  versionValidity: number;
  normalization: number;
  ordering: number;
  orderingPairs: number;
  specValidity: number;
  contains: number;
  containsChecks: number;
  filter: number;
  filterChecks: number;
}

/** Counts answers differing from packaging 24.1 on the differential corpora, for one implementation. */
function score(
  impl: {
    valid(s: string): boolean;
    normalize(s: string): string | null;
    compare(a: string, b: string): number;
    validSpec(s: string): boolean;
    satisfies(v: string, s: string, prereleases: boolean | undefined): boolean;
    filter(vs: string[], s: string, prereleases: boolean | undefined): string[];
  },
  versions: string[],
  vOracle: PyVersionResult,
  corpus: ReturnType<typeof buildSpecifierCorpus>,
  sOracle: OracleOutput,
): Score {
  const s: Score = { versionValidity: 0, normalization: 0, ordering: 0, orderingPairs: 0, specValidity: 0, contains: 0, containsChecks: 0, filter: 0, filterChecks: 0 };
  const attempt = <T>(f: () => T, fallback: T): T => {
    try {
      return f();
    } catch {
      return fallback;
    }
  };
  const validBoth: number[] = [];
  versions.forEach((text, i) => {
    const theirs = vOracle.versions[i];
    const ok = attempt(() => impl.valid(text), false);
    if (ok !== (theirs !== null)) s.versionValidity++;
    if (ok && theirs) {
      if (attempt(() => impl.normalize(text), null) !== theirs[0]) s.normalization++;
      validBoth.push(i);
    }
  });
  // 50 000 random pairs, judged against packaging's sorted ranks.
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let k = 0; k < 50_000; k++) {
    const i = validBoth[Math.floor(rnd() * validBoth.length)] as number;
    const j = validBoth[Math.floor(rnd() * validBoth.length)] as number;
    const want = Math.sign((vOracle.ranks[i] as number) - (vOracle.ranks[j] as number));
    const got = attempt(() => Math.sign(impl.compare(versions[i] as string, versions[j] as string)), NaN);
    s.orderingPairs++;
    if (got !== want) s.ordering++;
  }
  corpus.specs.forEach((spec, si) => {
    if (attempt(() => impl.validSpec(spec), false) !== (sOracle.specs[si] !== null)) s.specValidity++;
  });
  const PRE = [undefined, true, false];
  corpus.grid.forEach(([si, vi], g) => {
    for (let k = 0; k < 3; k++) {
      const want = sOracle.contains[g]?.[k];
      if (want === 'E' || want === undefined) continue; // packaging itself raised (=== with a non-version)
      s.containsChecks++;
      if (attempt(() => impl.satisfies(corpus.versions[vi] as string, corpus.specs[si] as string, PRE[k]), !want) !== want) s.contains++;
    }
  });
  corpus.filters.forEach(([si, items], f) => {
    for (let k = 0; k < 3; k++) {
      const want = sOracle.filters[f]?.[k];
      if (want === 'E' || want === undefined) continue;
      s.filterChecks++;
      const strings = items.map((i) => corpus.versions[i] as string);
      const got = attempt(() => impl.filter(strings, corpus.specs[si] as string, PRE[k]), null);
      if (JSON.stringify(got) !== JSON.stringify(want.map((p) => strings[p]))) s.filter++;
    }
  });
  return s;
}

const ours = {
  valid: (s: string) => Version.tryParse(s) !== undefined,
  normalize: (s: string) => Version.parse(s).toString(),
  compare: (a: string, b: string) => compareVersions(Version.parse(a), Version.parse(b)),
  validSpec: (s: string) => (SpecifierSet.parse(s), true),
  satisfies: (v: string, s: string, prereleases: boolean | undefined) => SpecifierSet.parse(s).contains(v, prereleases === undefined ? undefined : { prereleases }),
  filter: (vs: string[], s: string, prereleases: boolean | undefined) => SpecifierSet.parse(s).filter(vs, (x) => Version.parse(x), prereleases === undefined ? undefined : { prereleases }),
};

const renovate = {
  valid: (s: string) => pep440.valid(s) !== null,
  normalize: (s: string) => pep440.clean(s),
  compare: (a: string, b: string) => pep440.compare(a, b),
  validSpec: (s: string) => pep440.validRange(s),
  satisfies: (v: string, s: string, prereleases: boolean | undefined) => pep440.satisfies(v, s, prereleases === undefined ? {} : { prereleases }),
  filter: (vs: string[], s: string, prereleases: boolean | undefined) => pep440.filter(vs, s, prereleases === undefined ? {} : { prereleases }),
};

const bench: Bench = {
  title: 'PEP 440 versions and specifiers (pyindex vs @renovatebot/pep440 vs packaging 24.1)',
  async run(): Promise<BenchRow[]> {
    const py = pyenvPython('3.13.0');
    // Timing inputs are strings all three accept (@renovatebot/pep440 rejects e.g. surrounding whitespace and throws in compare).
    const versions = randomVersions(2024, N, { invalid: 0 }).filter((s) => Version.tryParse(s) !== undefined && pep440.valid(s) !== null);
    const corpus = buildSpecifierCorpus();
    const pairs = corpus.grid
      .map(([si, vi]) => [corpus.versions[vi] as string, corpus.specs[si] as string] as const)
      .filter(([v, s]) => !isArbitraryNonVersion(s) && pep440.valid(v) !== null && pep440.validRange(s) && renovateCanEvaluate(v, s));
    const M = pairs.length;

    const ourParse = await medianMs(() => {
      clearVersionCache();
      for (const s of versions) Version.parse(s);
    }, RUNS, WARMUP);
    const renParse = await medianMs(() => {
      for (const s of versions) pep440.parse(s);
    }, RUNS, WARMUP);
    const ourSort = await medianMs(() => {
      clearVersionCache();
      versions.map((s) => Version.parse(s)).sort(compareVersions).map(String);
    }, RUNS, WARMUP);
    const renSort = await medianMs(() => [...versions].sort(pep440.compare), RUNS, WARMUP);
    const ourContains = await medianMs(() => {
      clearVersionCache();
      clearSpecifierSetCache();
      for (const [v, s] of pairs) SpecifierSet.parse(s).contains(v);
    }, RUNS, WARMUP);
    const renContains = await medianMs(() => {
      for (const [v, s] of pairs) pep440.satisfies(v, s);
    }, RUNS, WARMUP);

    const rows: BenchRow[] = [];
    const push = (name: string, o: number, r: number, p: number | undefined, note?: string) => {
      rows.push({ name, ours: o, peer: r, peerName: '@renovatebot/pep440', unit: 'ms', higherIsBetter: false, note });
      if (p !== undefined) rows.push({ name, ours: o, peer: p, peerName: 'packaging 24.1 (in-process timing)', unit: 'ms', higherIsBetter: false });
    };
    let timing: { parse: number; sort: number; contains: number } | undefined;
    if (py) timing = runPythonJson(py, PY_TIMING, { versions, pairs, runs: RUNS });
    push(`parse ${versions.length} versions (cold cache)`, ourParse, renParse, timing?.parse);
    push(`parse + sort ${versions.length} version strings`, ourSort, renSort, timing?.sort, 'ours parses once and sorts by key; @renovatebot/pep440.compare re-parses both strings per comparison');
    push(`contains for ${M} (version, specifier set) pairs`, ourContains, renContains, timing?.contains, 'ours and Python parse each distinct string once; satisfies() re-parses per call');

    if (py) {
      const diffVersions = randomVersions(440, 4000);
      const vOracle = runPythonJson<PyVersionResult>(py, VERSION_ORACLE('from pip._vendor.packaging import version as V'), diffVersions);
      const sOracle = runPythonJson<OracleOutput>(py, SPECIFIER_ORACLE, corpus);
      const a = score(ours, diffVersions, vOracle, corpus, sOracle);
      const b = score(renovate, diffVersions, vOracle, corpus, sOracle);
      const wrong = (name: string, key: keyof Score, of: string) =>
        rows.push({ name: `answers differing from packaging 24.1: ${name} (of ${of})`, ours: a[key], peer: b[key], peerName: '@renovatebot/pep440', unit: 'wrong', higherIsBetter: false });
      wrong('version validity', 'versionValidity', `${diffVersions.length} strings`);
      wrong('normalized str', 'normalization', 'strings both accept');
      wrong('ordering', 'ordering', `${a.orderingPairs} random pairs`);
      wrong('specifier-set validity', 'specValidity', `${corpus.specs.length} sets`);
      wrong('contains (prereleases None/True/False)', 'contains', `${a.containsChecks} checks`);
      wrong('filter (prereleases None/True/False)', 'filter', `${a.filterChecks} calls`);
    } else {
      rows.push({ name: 'packaging comparison skipped: no $(pyenv root)/versions/3.13.0/bin/python', ours: NaN, unit: '' });
    }
    return rows;
  },
};

export default bench;
