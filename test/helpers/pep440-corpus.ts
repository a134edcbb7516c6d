/**
 * Seeded generators of PEP 440 version and specifier strings for the
 * differential tests (test/pep/version.test.ts, test/pep/specifier.test.ts)
 * and bench/versions.bench.ts. Releases are drawn from a small alphabet so
 * that specifiers and candidates collide often: boundaries (`<1.0` vs
 * `1.0rc1`, `>1.0` vs `1.0.post1`, `==1.*` vs `1`) are what break.
 */

/** mulberry32: tiny, fast, reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;

export function pick<T>(rnd: Rng, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)] as T;
}

const SEPS = ['', '', '', '.', '-', '_'];
const NUMS = ['0', '0', '1', '1', '1', '2', '2', '3', '10', '00', '01', '9', '2024', '999'];
const PRE = ['a', 'a', 'b', 'rc', 'rc', 'c', 'alpha', 'beta', 'pre', 'preview', 'A', 'RC', 'Alpha', 'PREVIEW', 'Beta'];
const POST = ['post', 'post', 'rev', 'r', 'POST', 'Post'];
const LOCAL_PARTS = ['ubuntu', '1', '0', '01', 'abc', 'A', 'x1', '2', 'deb9', 'z', '10'];
const INVALID = [
  '', ' ', 'foo', '1.0.0-foo_bar', '1..0', '1.0.', '.1', '1.0+', '1.0+a..b', '1.0.*', '1.0a1b1', 'v', 'vv1.0', '1!',
  '!1.0', '1!2!3', '1.0-', '1.0+ubuntu_', 'a1.0', '1.0 .dev1', '1.0dev1dev2', '1.0.post', '1,0', '1.0_+local', '1.0+loc al',
  '1.0.x', '1.0-alpha-beta', '1.0.dev-', '=1.0', '1.0ß', 'Ⅷ', '١.٠', '1.0\ufeff', '\u00a01.0\u3000', '1.0po\u017ft1',
  '1.0prev\u0131ew2', '1.0+\u212a', '1.0PREV\u0130EW', '1.0-r', '1.0.rev', '1.0-1-1', '1.0-dev', '1.0rc1-1', '2!v1.0',
  '12345678901234567890.1', '1.99999999999999999999999', '0!0.0.0.0', '1.0+00.0A', '1.0.post-1', '\t1.0\n', '1.0 ',
];

/** A release segment list: mostly short and small so versions collide. */
function release(rnd: Rng): string {
  const len = rnd() < 0.05 ? 4 + Math.floor(rnd() * 5) : 1 + Math.floor(rnd() * 3);
  const out: string[] = [];
  for (let i = 0; i < len; i++) out.push(i === 0 && rnd() < 0.3 ? '1' : pick(rnd, NUMS));
  return out.join('.');
}

function maybeNum(rnd: Rng): string {
  return rnd() < 0.2 ? '' : pick(rnd, NUMS);
}

/** One PEP 440 version string in any of its spellings (some invalid on purpose). */
export function randomVersion(rnd: Rng, opts: { invalid?: number; local?: number } = {}): string {
  if (rnd() < (opts.invalid ?? 0.08)) return pick(rnd, INVALID);
  let s = '';
  if (rnd() < 0.03) s += pick(rnd, [' ', '  ', '\t']);
  if (rnd() < 0.08) s += pick(rnd, ['v', 'V']);
  if (rnd() < 0.12) s += `${pick(rnd, ['0', '1', '1', '2', '01', '10'])}!`;
  s += release(rnd);
  if (rnd() < 0.3) s += pick(rnd, SEPS) + pick(rnd, PRE) + pick(rnd, SEPS) + maybeNum(rnd);
  const r = rnd();
  if (r < 0.06) s += `-${pick(rnd, NUMS)}`;
  else if (r < 0.22) s += pick(rnd, SEPS) + pick(rnd, POST) + pick(rnd, SEPS) + maybeNum(rnd);
  if (rnd() < 0.2) s += pick(rnd, SEPS) + pick(rnd, ['dev', 'dev', 'DEV', 'Dev']) + pick(rnd, SEPS) + maybeNum(rnd);
  if (rnd() < (opts.local ?? 0.15)) {
    const n = 1 + Math.floor(rnd() * 3);
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(pick(rnd, LOCAL_PARTS));
    s += `+${parts.reduce((acc, p) => `${acc}${pick(rnd, ['.', '.', '-', '_'])}${p}`)}`;
  }
  if (rnd() < 0.03) s += pick(rnd, [' ', '\n', ' \t']);
  return s;
}

export function randomVersions(seed: number, n: number, opts: { invalid?: number; local?: number } = {}): string[] {
  const rnd = prng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(randomVersion(rnd, opts));
  return out;
}

const OPS = ['==', '==', '!=', '>=', '>=', '<=', '<', '<', '>', '>', '~=', '~=', '==='];
const ARBITRARY = ['foo', '1.0', '1.0.0', 'V1.0', '1.0+abc', '1.0a1', 'FOO', '1.0;x', '1)', ''];

/** One specifier clause, sometimes invalid (local after `>=`, `~=1`, `>=1.*` …). */
export function randomClause(rnd: Rng): string {
  const op = pick(rnd, OPS);
  const ws = () => (rnd() < 0.1 ? pick(rnd, [' ', '  ', '\t']) : '');
  let version: string;
  if (op === '===') {
    version = rnd() < 0.5 ? pick(rnd, ARBITRARY) : randomVersion(rnd, { invalid: 0.02 }).trim();
  } else if (rnd() < 0.25 && op !== '~=') {
    // prefix match: valid after == and !=, invalid elsewhere
    version = `${rnd() < 0.1 ? 'v' : ''}${rnd() < 0.1 ? '1!' : ''}${release(rnd)}.*`;
  } else if (rnd() < 0.03) {
    version = `${randomVersion(rnd, { invalid: 0, local: 0 }).trim()}.*`;
  } else {
    const local = op === '==' || op === '!=' ? 0.15 : 0.03;
    version = randomVersion(rnd, { invalid: 0.02, local }).trim();
  }
  return `${ws()}${op}${ws()}${version}${ws()}`;
}

export function randomSpecifierSet(rnd: Rng): string {
  const n = rnd() < 0.08 ? 0 : 1 + Math.floor(rnd() * 3);
  const clauses: string[] = [];
  for (let i = 0; i < n; i++) clauses.push(randomClause(rnd));
  if (rnd() < 0.05) clauses.push('');
  return clauses.join(pick(rnd, [',', ',', ', ', ' , ']));
}

export function randomSpecifierSets(seed: number, n: number): string[] {
  const rnd = prng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(randomSpecifierSet(rnd));
  return out;
}
