/**
 * PEP 440 versions: https://peps.python.org/pep-0440/
 *
 * Semantics follow `packaging.version.Version` (packaging ≥ 22, i.e. no
 * LegacyVersion: anything that is not PEP 440 is an error). The resolver
 * compares and sorts tens of thousands of versions, so a Version is parsed
 * once, keeps a precomputed comparison key (packaging's `_cmpkey`) and is
 * cached by its source text: instances are immutable, so sharing them is safe.
 */
import { PyindexError } from '../errors/index.js';
import { HINT_VERSION, VERSION_RE } from './version-syntax.js';

export type PreLabel = 'a' | 'b' | 'rc';

/**
 * A number in a comparison key. Segments beyond 2^53 stay exact as bigint:
 * `<`/`>` compare number and bigint exactly, so the hot path needs no check.
 */
export type Num = number | bigint;
type LocalPart = Num | string;

const NEG_INF = -Infinity;
const POS_INF = Infinity;

/** A decimal digit string as a key number, exact beyond 2^53. */
export function parseDigits(digits: string): Num {
  // 15 digits always fit a double exactly; only longer strings can overflow.
  if (digits.length <= 15) return Number(digits);
  const big = BigInt(digits);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

function cmpNum(a: Num, b: Num): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Python `str` ordering (code points) — only differs from `<` on astral characters. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

const PRE_SPELLINGS: Record<string, PreLabel> = { a: 'a', alpha: 'a', b: 'b', beta: 'b', c: 'rc', pre: 'rc', preview: 'rc', rc: 'rc' };

const CACHE_LIMIT = 100_000;
const cache = new Map<string, Version>();

/** Drops cached parses (benchmarks measure cold parsing; nothing else needs this). */
export function clearVersionCache(): void {
  cache.clear();
}

export class Version {
  readonly epoch: number;
  readonly release: readonly number[];
  readonly pre: readonly [PreLabel, number] | undefined;
  readonly post: number | undefined;
  readonly dev: number | undefined;
  readonly local: readonly (string | number)[] | undefined;

  // packaging's _cmpkey, split into fields so compare() never allocates.
  /** @internal release without trailing zeros (1.0 == 1.0.0). */
  readonly _rel: readonly Num[];
  /** @internal */ readonly _epoch: Num;
  /** @internal -1: before any pre (a bare .devN), 0: has pre, 1: final. */
  readonly _preKind: -1 | 0 | 1;
  /** @internal */ readonly _preLabel: string;
  /** @internal */ readonly _preNum: Num;
  /** @internal -Infinity when absent: no post sorts first. */
  readonly _post: Num;
  /**
   * @internal packaging's key holds the post label too: always "post",
   * except "poſt", which Python's case folding admits but lower() keeps.
   */
  readonly _postLabel: string;
  /** @internal +Infinity when absent: no dev sorts last. */
  readonly _dev: Num;
  /** @internal undefined sorts before any local. */
  readonly _local: readonly LocalPart[] | undefined;
  private _str: string | undefined;

  private constructor(m: RegExpExecArray) {
    // Indexed access: array destructuring goes through the iterator protocol, measurably slower here.
    const epoch = m[1];
    const release = m[2] ?? '0';
    const preL = m[3];
    const preN = m[4];
    const postN1 = m[5];
    const postL = m[6];
    const postN2 = m[7];
    const devL = m[8];
    const devN = m[9];
    const local = m[10];
    this._epoch = epoch === undefined ? 0 : parseDigits(epoch);
    this.epoch = Number(this._epoch);
    const parts = release.split('.');
    const rel: Num[] = new Array<Num>(parts.length);
    let big = false;
    for (let i = 0; i < parts.length; i++) {
      const n = parseDigits(parts[i] as string);
      if (typeof n === 'bigint') big = true;
      rel[i] = n;
    }
    this.release = Object.freeze(big ? rel.map(Number) : (rel as number[]));
    let end = rel.length;
    while (end > 0 && rel[end - 1] == 0) end--;
    this._rel = end === rel.length && !big ? this.release : rel.slice(0, end);

    if (preL !== undefined) {
      const lower = preL.toLowerCase();
      // Unknown spellings only arise from Python's Unicode case folding
      // (`prevıew`); packaging keeps them verbatim, and so do we.
      const label = (PRE_SPELLINGS[lower] ?? lower) as PreLabel;
      this._preNum = parseDigits(preN ?? '0');
      this.pre = Object.freeze([label, Number(this._preNum)] as const);
      this._preKind = 0;
      this._preLabel = label;
    } else {
      this.pre = undefined;
      this._preNum = 0;
      this._preLabel = '';
      // 1.0.dev0 < 1.0a0: a dev release of a final sorts before its pre-releases.
      this._preKind = postL === undefined && postN1 === undefined && devL !== undefined ? -1 : 1;
    }

    // PEP 440 implicit post releases: `1.0-1` means 1.0.post1.
    const postDigits = postN1 ?? (postL !== undefined ? postN2 ?? '0' : undefined);
    this._post = postDigits === undefined ? NEG_INF : parseDigits(postDigits);
    this.post = postDigits === undefined ? undefined : Number(this._post);
    const postLabel = postL?.toLowerCase();
    this._postLabel = postDigits === undefined ? '' : postLabel === undefined || postLabel === 'rev' || postLabel === 'r' ? 'post' : postLabel;
    this._dev = devL === undefined ? POS_INF : parseDigits(devN ?? '0');
    this.dev = devL === undefined ? undefined : Number(this._dev);

    if (local !== undefined) {
      const key = local.split(/[-_.]/).map((p): LocalPart => (/^[0-9]+$/.test(p) ? parseDigits(p) : p.toLowerCase()));
      this._local = key;
      this.local = Object.freeze(key.map((p) => (typeof p === 'bigint' ? Number(p) : p)));
    } else {
      this._local = undefined;
      this.local = undefined;
    }
  }

  static parse(text: string): Version {
    const v = Version.tryParse(text);
    if (v === undefined) {
      throw new PyindexError('E_INVALID_VERSION', `${JSON.stringify(text)} is not a valid PEP 440 version`, {
        hint: HINT_VERSION,
        details: { version: text },
      });
    }
    return v;
  }

  static tryParse(text: string): Version | undefined {
    const hit = cache.get(text);
    if (hit !== undefined) return hit;
    const m = VERSION_RE.exec(text);
    if (m === null) return undefined;
    const v = new Version(m);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(text, v);
    return v;
  }

  get isPrerelease(): boolean {
    return this.pre !== undefined || this.dev !== undefined;
  }

  get isDevrelease(): boolean {
    return this.dev !== undefined;
  }

  get isPostrelease(): boolean {
    return this.post !== undefined;
  }

  /** The version without its local segment, like packaging's `.public`. */
  get public(): string {
    const s = this.toString();
    const plus = s.indexOf('+');
    return plus < 0 ? s : s.slice(0, plus);
  }

  /** Epoch and release only, like packaging's `.base_version`. */
  get baseVersion(): string {
    const release = this.releaseText();
    return this._epoch == 0 ? release : `${this._epoch}!${release}`;
  }

  /** Release digits without leading zeros, exact even past 2^53 (padding `_rel` back to full length). */
  private releaseText(): string {
    const n = this.release.length;
    if (this._rel.length === n) return this._rel.join('.');
    return this._rel.length === 0 ? `0${'.0'.repeat(n - 1)}` : this._rel.join('.') + '.0'.repeat(n - this._rel.length);
  }

  compare(other: Version): number {
    return compareVersions(this, other);
  }

  equals(other: Version): boolean {
    return compareVersions(this, other) === 0;
  }

  /** The normalized form (PEP 440 "Normalization"), identical to `str(Version(text))`. */
  toString(): string {
    if (this._str !== undefined) return this._str;
    let s = this.baseVersion;
    if (this._preKind === 0) s += `${this._preLabel}${this._preNum}`;
    if (this._post !== NEG_INF) s += `.post${this._post}`;
    if (this._dev !== POS_INF) s += `.dev${this._dev}`;
    if (this._local !== undefined) s += `+${this._local.join('.')}`;
    this._str = s;
    return s;
  }
}

/** Compares epoch and release only (packaging's `Version(x.base_version)` comparisons). */
export function compareBase(a: Version, b: Version): number {
  if (a._epoch !== b._epoch) {
    const c = cmpNum(a._epoch, b._epoch);
    if (c !== 0) return c;
  }
  const ar = a._rel;
  const br = b._rel;
  const n = ar.length > br.length ? ar.length : br.length;
  for (let i = 0; i < n; i++) {
    const x = ar[i] ?? 0;
    const y = br[i] ?? 0;
    if (x !== y) {
      const c = cmpNum(x, y);
      if (c !== 0) return c;
    }
  }
  return 0;
}

/** Compares everything but the local segment (packaging's `Version(x.public)` comparisons). */
export function comparePublic(a: Version, b: Version): number {
  const c = compareBase(a, b);
  if (c !== 0) return c;
  if (a._preKind !== b._preKind) return a._preKind - b._preKind;
  if (a._preKind === 0) {
    if (a._preLabel !== b._preLabel) return compareCodePoints(a._preLabel, b._preLabel);
    const p = cmpNum(a._preNum, b._preNum);
    if (p !== 0) return p;
  }
  if (a._postLabel !== b._postLabel && a._postLabel !== '' && b._postLabel !== '') return compareCodePoints(a._postLabel, b._postLabel);
  const post = cmpNum(a._post, b._post);
  if (post !== 0) return post;
  return cmpNum(a._dev, b._dev);
}

/**
 * The PEP 440 total order, identical to comparing packaging's `_cmpkey`
 * tuples: dev < pre < final < post for the same release, and a local
 * version sorts after its public version, numeric local segments after
 * alphanumeric ones, shorter before longer when one is a prefix.
 */
export function compareVersions(a: Version, b: Version): number {
  if (a === b) return 0;
  const c = comparePublic(a, b);
  if (c !== 0) return c;
  const al = a._local;
  const bl = b._local;
  if (al === undefined) return bl === undefined ? 0 : -1;
  if (bl === undefined) return 1;
  const n = Math.min(al.length, bl.length);
  for (let i = 0; i < n; i++) {
    const x = al[i] as LocalPart;
    const y = bl[i] as LocalPart;
    const xs = typeof x === 'string';
    const ys = typeof y === 'string';
    if (xs !== ys) return xs ? -1 : 1;
    if (xs) {
      if (x !== y) return compareCodePoints(x, y as string);
    } else {
      const d = cmpNum(x, y as Num);
      if (d !== 0) return d;
    }
  }
  return al.length - bl.length;
}
