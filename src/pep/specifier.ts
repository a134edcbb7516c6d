/**
 * PEP 440 version specifiers and specifier sets:
 * https://peps.python.org/pep-0440/#version-specifiers
 *
 * Semantics are packaging 24's (`packaging.specifiers`), which is what pip
 * 24 vendors and therefore what decides installs in our CI venvs:
 * - a pre-release is excluded unless asked for, or unless the specifier
 *   itself names one (`>=1.0b1`);
 * - `SpecifierSet.filter` falls back to pre-releases only for the EMPTY set
 *   when nothing else is there. packaging 24 does not apply that fallback
 *   to non-empty sets (`SpecifierSet(">=1").filter(["2.0a1"]) == []`); the
 *   fallback for a non-empty set came with packaging 25, so callers that
 *   want pip 24's behaviour get it here.
 */
import { PyindexError } from '../errors/index.js';
import { Version, compareCodePoints } from './version.js';
import { buildMatcher, canonicalizeVersion, type Matcher } from './specifier-match.js';
import { HINT_SPECIFIER, SPECIFIER_RE } from './specifier-syntax.js';
import { pyStrip } from './version-syntax.js';

export type SpecifierOperator = '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>' | '===';

function invalidSpecifier(text: string, cause?: unknown): PyindexError {
  return new PyindexError('E_INVALID_SPECIFIER', `${JSON.stringify(text)} is not a valid PEP 440 version specifier`, {
    hint: HINT_SPECIFIER,
    cause,
    details: { specifier: text },
  });
}

function coerce(version: Version | string): Version {
  return typeof version === 'string' ? Version.parse(version) : version;
}

export class Specifier {
  readonly operator: SpecifierOperator;
  readonly version: string;
  /** Whether the specifier names a pre-release (packaging's `Specifier.prereleases`). */
  readonly prereleases: boolean;
  private readonly match: Matcher;

  private constructor(operator: SpecifierOperator, version: string) {
    this.operator = operator;
    this.version = version;
    this.match = buildMatcher(operator, version);
    this.prereleases = namesPrerelease(operator, version);
  }

  static parse(text: string): Specifier {
    const m = SPECIFIER_RE.exec(text);
    if (m === null) throw invalidSpecifier(text);
    try {
      return new Specifier(m[1] as SpecifierOperator, pyStrip(m[2] ?? ''));
    } catch (err) {
      // The grammar above only admits parseable versions; this is a safety net.
      throw invalidSpecifier(text, err);
    }
  }

  /** packaging `Specifier.contains`: pre-releases only when allowed or named by the specifier. */
  contains(version: Version | string, prereleases?: boolean): boolean {
    const v = coerce(version);
    if (v.isPrerelease && !(prereleases ?? this.prereleases)) return false;
    return this.match(v);
  }

  /** @internal the operator test alone, pre-release policy already applied. */
  _matches(v: Version): boolean {
    return this.match(v);
  }

  toString(): string {
    return `${this.operator}${this.version}`;
  }
}

/**
 * packaging's `Specifier.prereleases`: `==`, `>=`, `<=`, `~=` and `===`
 * name a pre-release when their version is one. For `===` with a string
 * that is not a version packaging raises InvalidVersion here; we answer
 * "does not name a pre-release" instead of failing a whole resolution.
 */
function namesPrerelease(operator: SpecifierOperator, version: string): boolean {
  if (operator === '!=' || operator === '<' || operator === '>') return false;
  const text = operator === '==' && version.endsWith('.*') ? version.slice(0, -2) : version;
  return Version.tryParse(text)?.isPrerelease ?? false;
}

const SET_CACHE_LIMIT = 20_000;
const setCache = new Map<string, SpecifierSet>();

/** Drops cached specifier sets (for benchmarks). */
export function clearSpecifierSetCache(): void {
  setCache.clear();
}

export class SpecifierSet {
  readonly specifiers: readonly Specifier[];
  private readonly _prereleases: boolean | undefined;
  private _str: string | undefined;

  private constructor(specifiers: Specifier[]) {
    this.specifiers = Object.freeze(specifiers);
    this._prereleases = specifiers.length === 0 ? undefined : specifiers.some((s) => s.prereleases);
  }

  /**
   * Comma-separated clauses; blank clauses are ignored, so '' is the empty,
   * match-all set. Clauses equal after canonicalization (`>=1.0`, `>=1.0.0`)
   * collapse into the first, as in packaging's frozenset.
   */
  static parse(text: string): SpecifierSet {
    const hit = setCache.get(text);
    if (hit !== undefined) return hit;
    const seen = new Set<string>();
    const specifiers: Specifier[] = [];
    for (const part of text.split(',')) {
      const clause = pyStrip(part);
      if (clause === '') continue;
      let spec: Specifier;
      try {
        spec = Specifier.parse(clause);
      } catch (err) {
        throw text === clause ? err : invalidSpecifier(text, err);
      }
      const key = `${spec.operator}${canonicalizeVersion(spec.version, spec.operator !== '~=')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      specifiers.push(spec);
    }
    const set = new SpecifierSet(specifiers);
    if (setCache.size >= SET_CACHE_LIMIT) setCache.clear();
    setCache.set(text, set);
    return set;
  }

  /** True if any clause names a pre-release; undefined for the empty set. */
  get prereleases(): boolean | undefined {
    return this._prereleases;
  }

  get isEmpty(): boolean {
    return this.specifiers.length === 0;
  }

  /** packaging `SpecifierSet.contains`: pre-releases excluded unless allowed or named by the set. */
  contains(version: Version | string, options?: { prereleases?: boolean }): boolean {
    const v = coerce(version);
    if (v.isPrerelease && !(options?.prereleases ?? this._prereleases)) return false;
    for (const s of this.specifiers) if (!s._matches(v)) return false;
    return true;
  }

  /**
   * packaging 24 `SpecifierSet.filter`, order preserved. For a non-empty set
   * this is `contains` per item. For the empty set, when no `prereleases`
   * option is given and every item is a pre-release, all of them are
   * returned (PEP 440: pre-releases are acceptable when nothing else is).
   */
  filter<T>(items: readonly T[], key: (item: T) => Version, options?: { prereleases?: boolean }): T[] {
    const prereleases = options?.prereleases ?? this._prereleases;
    const out: T[] = [];
    if (this.specifiers.length > 0) {
      for (const item of items) if (this.contains(key(item), { prereleases: prereleases === true })) out.push(item);
      return out;
    }
    let sawPrerelease = false;
    for (const item of items) {
      if (key(item).isPrerelease && !prereleases) sawPrerelease = true;
      else out.push(item);
    }
    if (out.length === 0 && sawPrerelease && prereleases === undefined) return items.slice();
    return out;
  }

  /** Clauses sorted as strings and comma-joined, identical to `str(SpecifierSet(text))`. */
  toString(): string {
    this._str ??= this.specifiers
      .map(String)
      .sort(compareCodePoints)
      .join(',');
    return this._str;
  }
}

export function parseSpecifierSet(text: string): SpecifierSet {
  return SpecifierSet.parse(text);
}
