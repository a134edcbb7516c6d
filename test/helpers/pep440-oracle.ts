/**
 * Python `packaging` oracles for the PEP 440 differential tests and
 * bench/versions.bench.ts: the scripts (one Python process per corpus), the
 * shape of their answers and the seeded specifier corpus they run on.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SpecifierSet } from '../../src/pep/specifier.js';
import { Version } from '../../src/pep/version.js';
import { pyenvRoot } from './python.js';
import { pick, prng, randomSpecifierSets, randomVersions } from './pep440-corpus.js';

/** `$(pyenv root)/versions/<version>/bin/python`, if installed. */
export function pyenvPython(version: string): string | undefined {
  const root = pyenvRoot();
  const p = root ? join(root, 'versions', version, 'bin', 'python') : undefined;
  return p && existsSync(p) ? p : undefined;
}


/** Answers of VERSION_ORACLE: per input [str, public, base_version, is_prerelease, is_devrelease, is_postrelease, epoch, release, pre, post, dev, local] or null, and the rank in sorted order. */
export interface PyVersionResult {
  versions: (null | [string, string, string, boolean, boolean, boolean, number, string[], [string, number] | null, number | null, number | null, string | null])[];
  ranks: (number | null)[];
}

export const VERSION_ORACLE = (importLine: string) => `
import sys, json
${importLine}
data = json.load(sys.stdin)
out = {'versions': [], 'ranks': []}
objs = []
safe = lambda x: str(x) if x <= 2**53 - 1 else 'huge'
for s in data:
    try:
        v = V.Version(s)
    except Exception:  # InvalidVersion; ValueError for >4300-digit ints
        out['versions'].append(None); objs.append(None); continue
    objs.append(v)
    out['versions'].append([str(v), v.public, v.base_version, v.is_prerelease, v.is_devrelease, v.is_postrelease,
        v.epoch, [safe(x) for x in v.release], list(v.pre) if v.pre else None, v.post, v.dev, v.local])
order = sorted((i for i, v in enumerate(objs) if v is not None), key=lambda i: objs[i])
ranks = [None] * len(objs)
rank, prev = -1, None
for i in order:
    if prev is None or objs[i] != objs[prev]:
        rank += 1
    ranks[i] = rank
    prev = i
out['ranks'] = ranks
print(json.dumps(out))
`;

export type Tri = boolean | 'E';
export interface OracleOutput {
  specs: (null | [string, boolean | null | 'E', boolean])[];
  contains: [Tri, Tri, Tri][];
  filters: (number[] | 'E')[][];
}

export interface SpecifierCorpus {
  specs: string[];
  versions: string[];
  /** [spec index, version index] pairs to run `contains` on */
  grid: [number, number][];
  /** [spec index, version indexes] lists to run `filter` on */
  filters: [number, number[]][];
}

export const SPECIFIER_ORACLE = `
import sys, json
from pip._vendor.packaging import version as V, specifiers as S
Legacy = getattr(S, 'LegacySpecifier', None)
d = json.load(sys.stdin)
out = {'specs': [], 'contains': [], 'filters': []}
sets = []
for s in d['specs']:
    try:
        ss = S.SpecifierSet(s)
    except Exception:
        sets.append(None); out['specs'].append(None); continue
    sets.append(ss)
    try:
        pre = ss.prereleases
    except Exception:
        pre = 'E'
    out['specs'].append([str(ss), pre, Legacy is not None and any(isinstance(x, Legacy) for x in ss)])
vs = [V.Version(v) for v in d['versions']]
def call(f):
    try:
        return f()
    except Exception:
        return 'E'
for si, vi in d['grid']:
    ss, v = sets[si], vs[vi]
    out['contains'].append([call(lambda: ss.contains(v)), call(lambda: ss.contains(v, prereleases=True)),
                            call(lambda: ss.contains(v, prereleases=False))])
for si, idxs in d['filters']:
    ss, res = sets[si], []
    for pre in (None, True, False):
        items = [V.Version(d['versions'][i]) for i in idxs]
        pos = {id(x): k for k, x in enumerate(items)}
        res.append(call(lambda: [pos[id(x)] for x in ss.filter(items, prereleases=pre)]))
    out['filters'].append(res)
print(json.dumps(out))
`;

/** Versions around a clause's version: its pre/dev/post/local neighbours and zero padding. */
function neighbours(spec: SpecifierSet): string[] {
  const out: string[] = [];
  for (const s of spec.specifiers) {
    const v = Version.tryParse(s.version.replace(/\.\*$/, ''));
    if (!v) continue;
    const base = v.baseVersion;
    const bumped = v.release.map((n, i) => (i === v.release.length - 1 ? n + 1 : n)).join('.');
    out.push(v.toString(), base, `${base}.0`, `${base}a1`, `${base}rc1`, `${base}.dev0`, `${base}.post1`, `${base}+local`, `${base}.post1+1`, `${base}.1`, bumped, `${bumped}a1`);
    if (v.release.length > 1) out.push(v.release.slice(0, -1).join('.'));
  }
  return out;
}

export function buildSpecifierCorpus(): SpecifierCorpus {
  const specs = randomSpecifierSets(508, 3000);
  const pool = randomVersions(503, 1500, { invalid: 0 }).filter((s) => Version.tryParse(s) !== undefined);
  const versions: string[] = [...pool];
  const index = new Map<string, number>(versions.map((v, i) => [v, i]));
  const idx = (s: string) => {
    let i = index.get(s);
    if (i === undefined) {
      i = versions.length;
      versions.push(s);
      index.set(s, i);
    }
    return i;
  };
  const rnd = prng(99);
  const grid: [number, number][] = [];
  const filters: [number, number[]][] = [];
  specs.forEach((text, si) => {
    let set: SpecifierSet;
    try {
      set = SpecifierSet.parse(text);
    } catch {
      return;
    }
    const near = neighbours(set).filter((s) => Version.tryParse(s) !== undefined).map(idx);
    const sample = [...near, ...Array.from({ length: 8 }, () => Math.floor(rnd() * pool.length))];
    for (const vi of sample) grid.push([si, vi]);
    if (si % 3 === 0) {
      const items = Array.from({ length: 3 + Math.floor(rnd() * 6) }, () => pick(rnd, sample));
      filters.push([si, items]);
      // all pre-releases: exercises the "only pre-releases match" fallback
      const pres = sample.filter((vi) => Version.parse(versions[vi] as string).isPrerelease);
      if (pres.length > 0) filters.push([si, pres.slice(0, 5)]);
    }
  });
  return { specs, versions, grid, filters };
}

