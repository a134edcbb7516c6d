/**
 * Evaluating PEP 508 markers against a target environment
 * (https://peps.python.org/pep-0508/#environment-markers), with the
 * semantics of packaging 24.1's `Marker.evaluate` (what pip 24.2 runs):
 *
 * - A comparison first tries to read `<op><right>` as a PEP 440 specifier
 *   (packaging's `_eval_op` does this for every variable, not only the
 *   version ones); when that parses and the left side is a version, the
 *   specifier decides, pre-releases included (`prereleases=True`).
 * - Otherwise `in`/`not in` are substring tests and `<`, `<=`, `==`, `!=`,
 *   `>=`, `>` compare the strings (Python order: by code point).
 * - `extra` comparisons normalize both sides (PEP 685). With no extras
 *   requested the marker sees `extra == ""`, as pip does; with extras it is
 *   true when any requested extra makes it true.
 * - `python_full_version` ending in "+" (CPython built from a non-tagged
 *   checkout, e.g. "3.11.7+") is read as "3.11.7+local", the repair packaging
 *   applies to the running interpreter.
 *
 * Where packaging 24.1 raises instead of answering, pyindex answers — the
 * resolver evaluates metadata of thousands of packages and one odd marker
 * must not abort a lock (packaging 26 stopped raising in most of them too):
 * - left side not a version although `<op><right>` is a valid specifier
 *   (`platform_release >= "5.0"` on "6.1.0-18-amd64"; 24.1: InvalidVersion):
 *   the string comparison above, so `==`/`!=` still work on such values;
 * - `~=` without two versions (24.1: UndefinedComparison): false;
 * - `===` without two versions (24.1: InvalidVersion/UndefinedComparison):
 *   case-insensitive string equality, which is what `===` means (PEP 440
 *   "arbitrary equality") and how packaging compares it;
 * - two quoted strings (`"a" == "b"`; 24.1 looks the right one up as a
 *   variable and raises KeyError): the two strings are compared;
 * - two variables (`python_version == python_full_version`; 24.1 compares
 *   the left value with the right variable's *name*): both values compared.
 *
 * The resolver evaluates each marker once per target profile and extra, so
 * a marker is compiled once into closures (cached per AST object: treat
 * parsed markers as immutable), specifiers built from the marker's literals
 * are parsed at compile time, and versions read from the environment are
 * parsed once per distinct string.
 */
import { PyindexError } from '../errors/index.js';
import { canonicalizeExtra } from './names.js';
import { Specifier } from './specifier.js';
import { Version, compareCodePoints } from './version.js';
import type { Marker, MarkerComparison, MarkerEnvironment, MarkerGroup, MarkerNode, MarkerOperand, MarkerOperator, MarkerVariable } from './markers.js';

type Predicate = (env: MarkerEnvironment, extra: string) => boolean;
type ValueOf = (env: MarkerEnvironment, extra: string) => string;

interface Compiled {
  predicate: Predicate;
  readsExtra: boolean;
}

const compiledMarkers = new WeakMap<Marker, Compiled>();

/**
 * Whether `marker` holds for `env`. `extras` are the extras requested of
 * the distribution whose metadata holds the marker.
 */
export function evaluateMarker(marker: Marker, env: MarkerEnvironment, extras?: readonly string[]): boolean {
  let compiled = compiledMarkers.get(marker);
  if (compiled === undefined) {
    compiled = { predicate: compileGroup(marker), readsExtra: readsExtra(marker) };
    compiledMarkers.set(marker, compiled);
  }
  if (!compiled.readsExtra || extras === undefined || extras.length === 0) return compiled.predicate(env, '');
  for (const extra of extras) {
    if (compiled.predicate(env, canonicalizeExtra(extra))) return true;
  }
  return false;
}

function readsExtra(node: MarkerNode): boolean {
  if (node.type === 'group') return node.items.some(readsExtra);
  return (node.left.kind === 'variable' && node.left.name === 'extra') || (node.right.kind === 'variable' && node.right.name === 'extra');
}

function compileNode(node: MarkerNode): Predicate {
  return node.type === 'group' ? compileGroup(node) : compileComparison(node);
}

/** Python's boolean precedence: `a and b or c and d` is `(a and b) or (c and d)`. */
function compileGroup(group: MarkerGroup): Predicate {
  const alternatives: Predicate[][] = [[]];
  group.items.forEach((item, i) => {
    if (i > 0 && group.ops[i - 1] === 'or') alternatives.push([]);
    alternatives[alternatives.length - 1]?.push(compileNode(item));
  });
  if (alternatives.length === 1 && alternatives[0]?.length === 1) return alternatives[0][0] as Predicate;
  return (env, extra) => {
    for (const all of alternatives) {
      let ok = true;
      for (const p of all) {
        if (!p(env, extra)) {
          ok = false;
          break;
        }
      }
      if (ok) return true;
    }
    return false;
  };
}

function compileComparison(c: MarkerComparison): Predicate {
  const isExtra = isVariable(c.left, 'extra') || isVariable(c.right, 'extra');
  const { op } = c;
  const left = valueOf(c.left, isExtra);
  if (c.right.kind === 'value') {
    // The usual `variable op "literal"`: build the specifier once, here.
    const r = isExtra ? canonicalizeExtra(c.right.value) : c.right.value;
    const spec = specifierFor(op, r);
    return (env, extra) => compare(left(env, extra), op, r, spec);
  }
  const right = valueOf(c.right, isExtra);
  return (env, extra) => {
    const r = right(env, extra);
    return compare(left(env, extra), op, r, specifierFor(op, r));
  };
}

function isVariable(o: MarkerOperand, name: MarkerVariable | 'extra'): boolean {
  return o.kind === 'variable' && o.name === name;
}

function valueOf(o: MarkerOperand, isExtra: boolean): ValueOf {
  if (o.kind === 'value') {
    const v = isExtra ? canonicalizeExtra(o.value) : o.value;
    return () => v;
  }
  if (o.name === 'extra') return (_env, extra) => extra;
  const name = o.name;
  return (env) => environmentValue(env, name);
}

function environmentValue(env: MarkerEnvironment, name: MarkerVariable): string {
  const value = env[name] as string | undefined;
  if (typeof value !== 'string') {
    throw new PyindexError('E_PROFILE_INVALID', `The marker environment has no value for ${JSON.stringify(name)}`, {
      hint: `Give every target profile all PEP 508 marker variables, including ${name}.`,
      details: { variable: name },
    });
  }
  // packaging's repair for CPython dev builds reporting e.g. "3.11.7+".
  return name === 'python_full_version' && value.endsWith('+') ? `${value}local` : value;
}

function compare(l: string, op: MarkerOperator, r: string, spec: Specifier | null): boolean {
  if (spec !== null) {
    const version = versionFor(l);
    if (version !== null) return spec.contains(version, true);
  }
  switch (op) {
    case 'in':
      return r.includes(l);
    case 'not in':
      return !r.includes(l);
    case '==':
      return l === r;
    case '!=':
      return l !== r;
    case '<':
      return compareCodePoints(l, r) < 0;
    case '<=':
      return compareCodePoints(l, r) <= 0;
    case '>=':
      return compareCodePoints(l, r) >= 0;
    case '>':
      return compareCodePoints(l, r) > 0;
    case '~=':
      return false;
    case '===':
      return l.toLowerCase() === r.toLowerCase();
  }
}


/*
 * Caches keyed by the exact strings packaging would parse. Bounded so a
 * long-running process that sees endless distinct values cannot grow them
 * without limit.
 */
const CACHE_LIMIT = 20_000;
const specifierCache = new Map<MarkerOperator, Map<string, Specifier | null>>();
const versionCache = new Map<string, Version | null>();

function specifierFor(op: MarkerOperator, r: string): Specifier | null {
  if (op === 'in' || op === 'not in') return null;
  let byValue = specifierCache.get(op);
  if (byValue === undefined) specifierCache.set(op, (byValue = new Map()));
  let spec = byValue.get(r);
  if (spec === undefined) {
    try {
      spec = Specifier.parse(`${op}${r}`);
    } catch {
      spec = null;
    }
    if (byValue.size >= CACHE_LIMIT) byValue.clear();
    byValue.set(r, spec);
  }
  return spec;
}

function versionFor(text: string): Version | null {
  let v = versionCache.get(text);
  if (v === undefined) {
    v = Version.tryParse(text) ?? null;
    if (versionCache.size >= CACHE_LIMIT) versionCache.clear();
    versionCache.set(text, v);
  }
  return v;
}
