/**
 * How one PEP 440 specifier clause decides whether it contains a version
 * (https://peps.python.org/pep-0440/#version-specifiers), reproducing
 * packaging 24's `Specifier._compare_*` functions — including the quirks of
 * its string-based prefix matching, since pip decides with that code.
 *
 * Everything derived from the specifier's own text is computed once, when
 * the specifier is parsed; a returned matcher only compares keys.
 */
import { Version, compareBase, comparePublic, compareVersions, parseDigits, type Num } from './version.js';
import type { SpecifierOperator } from './specifier.js';

export type Matcher = (v: Version) => boolean;

const ALL_DIGITS = /^[0-9]+$/;
const PREFIX_SPLIT = /^([0-9]+)((?:a|b|c|rc)[0-9]+)$/;

/** packaging.specifiers._version_split: epoch first, `1rc2` split into `1`, `rc2`. */
function versionSplit(version: string): string[] {
  const bang = version.lastIndexOf('!');
  const result = [bang < 0 ? '0' : version.slice(0, bang) || '0'];
  for (const item of version.slice(bang + 1).split('.')) {
    const m = PREFIX_SPLIT.exec(item);
    if (m) result.push(m[1] as string, m[2] as string);
    else result.push(item);
  }
  return result;
}

function isNotSuffix(segment: string): boolean {
  return !['dev', 'a', 'b', 'rc', 'post'].some((p) => segment.startsWith(p));
}

/** packaging.utils.canonicalize_version(v, strip_trailing_zero=…); invalid versions pass through. */
export function canonicalizeVersion(text: string, stripTrailingZero: boolean): string {
  const v = Version.tryParse(text);
  if (v === undefined) return text;
  if (!stripTrailingZero) return v.toString();
  const s = v.toString();
  const base = v.baseVersion;
  return base.replace(/(\.0)+$/, '') + s.slice(base.length);
}

/**
 * `==X.*` prefix matching. packaging pads the candidate's release with zeros
 * to the prefix's length and compares segment strings; for an all-numeric
 * prefix that is "same epoch and each prefix segment equals the candidate's
 * (zero-padded) segment", which we do on numbers. Prefixes with a non-digit
 * segment (only reachable through odd `~=` spellings like `~=1.4.5.pre1.r1`)
 * take the literal string algorithm.
 */
function wildcardMatcher(prefixText: string): Matcher {
  const split = versionSplit(canonicalizeVersion(prefixText, false));
  if (split.every((s) => ALL_DIGITS.test(s))) {
    const [epoch = 0, ...want] = split.map(parseDigits);
    return (v) => {
      if (v._epoch < epoch || v._epoch > epoch) return false;
      let rel = v._rel;
      // packaging splits `1.0rc1` into `0`, `rc1`, but a pre label it does not
      // know (only reachable through Unicode case folding, `prevıew`) stays
      // glued to the last release segment, which then is not a digit.
      const pre = v.pre;
      if (pre !== undefined && pre[0] !== 'a' && pre[0] !== 'b' && pre[0] !== 'rc') rel = rel.slice(0, v.release.length - 1);
      for (let i = 0; i < want.length; i++) {
        const x = rel[i] ?? 0;
        const y = want[i] as Num;
        if (x < y || x > y) return false;
      }
      return true;
    };
  }
  let numeric = 0;
  while (numeric < split.length && ALL_DIGITS.test(split[numeric] as string)) numeric++;
  return (v) => {
    const left = versionSplit(v.public);
    let leftNumeric = 0;
    while (leftNumeric < left.length && ALL_DIGITS.test(left[leftNumeric] as string)) leftNumeric++;
    const padded = [...left.slice(0, leftNumeric), ...new Array<string>(Math.max(0, numeric - leftNumeric)).fill('0'), ...left.slice(leftNumeric)];
    const shortened = padded.slice(0, split.length);
    return shortened.length === split.length && shortened.every((s, i) => s === split[i]);
  };
}

/** packaging's `_compare_compatible`: `~=V` is `>=V, ==P.*` with P = V minus its last release segment (returned without `.*`). */
function compatiblePrefix(spec: string): string {
  const items = versionSplit(spec);
  const taken: string[] = [];
  for (const item of items) {
    if (!isNotSuffix(item)) break;
    taken.push(item);
  }
  const [epoch, ...rest] = taken.slice(0, -1);
  return `${epoch ?? ''}!${rest.join('.')}`;
}

export function buildMatcher(operator: SpecifierOperator, version: string): Matcher {
  switch (operator) {
    case '===': {
      // Arbitrary equality compares the normalized candidate string, case-insensitively.
      const want = version.toLowerCase();
      return (v) => v.toString().toLowerCase() === want;
    }
    case '==':
    case '!=': {
      let eq: Matcher;
      if (version.endsWith('.*')) {
        eq = wildcardMatcher(version.slice(0, -2));
      } else {
        const spec = Version.parse(version);
        // `==1.0` matches `1.0+anything`; `==1.0+abc` matches only that local.
        eq = spec.local === undefined ? (v) => comparePublic(v, spec) === 0 : (v) => compareVersions(v, spec) === 0;
      }
      return operator === '==' ? eq : (v) => !eq(v);
    }
    case '~=': {
      const spec = Version.parse(version);
      const prefix = wildcardMatcher(compatiblePrefix(version));
      return (v) => comparePublic(v, spec) >= 0 && prefix(v);
    }
    case '<=': {
      const spec = Version.parse(version);
      return (v) => comparePublic(v, spec) <= 0;
    }
    case '>=': {
      const spec = Version.parse(version);
      return (v) => comparePublic(v, spec) >= 0;
    }
    case '<': {
      // `<V` must not match V's own pre-releases unless V is one (PEP 440 "Exclusive ordered comparison").
      const spec = Version.parse(version);
      const specPre = spec.isPrerelease;
      return (v) => compareVersions(v, spec) < 0 && (specPre || !v.isPrerelease || compareBase(v, spec) !== 0);
    }
    case '>': {
      // `>V` must not match V's post-releases (unless V is one) nor V's local versions.
      const spec = Version.parse(version);
      const specPost = spec.isPostrelease;
      return (v) => {
        if (compareVersions(v, spec) <= 0) return false;
        if ((!specPost && v.isPostrelease) || v.local !== undefined) return compareBase(v, spec) !== 0;
        return true;
      };
    }
  }
}
