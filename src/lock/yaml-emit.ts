/**
 * A dedicated YAML emitter for the lockfile's fixed shape. It writes the
 * same bytes as `yaml` 2.x `stringify(lockfileToDocument(lock), options)`
 * with the options the lockfile writer always pinned (kept as the test
 * oracle in test/helpers/lock-yaml-oracle.ts), an order of magnitude faster
 * (bench/lock-write.bench.ts): a lock of hundreds of packages is rewritten on
 * every `pyindex lock`, and the generic stringifier builds a node tree,
 * resolves a tag and runs its folding machinery for every scalar.
 *
 * Byte-identity is the contract (test/lock/yaml-emit.test.ts checks it
 * differentially against `yaml.stringify`, so a yaml upgrade that changes its
 * output shows up there), and the scalar rules below are a port of yaml
 * 2.9's `stringifyString.js` restricted to those options: YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#103-core-schema —
 * `yes`/`no`/`on`/`off` and dates are plain strings there), `lineWidth: 0`
 * (never fold), `doubleQuotedAsJSON`, default `singleQuote: null`, default
 * `blockQuote: true` with literal (`|`) blocks for multi-line strings.
 */
import { CORE_NON_STRING } from '../util/yaml-core.js';
import type { LockedBuildRequirement, LockedFile, LockedJob, LockedPackage, LockedProfile, LockedRequirement, Lockfile } from './types.js';

/** yaml's "cannot be plain" test: indicators at the start, `: `/` #` inside, whitespace or `:` at the end. */
const PLAIN_UNSAFE = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
/** Control characters and lone surrogates are only representable double-quoted. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_ESCAPE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
/** A run of newlines not at the start of the text and not the last thing in it (yaml's blockEndNewlines). */
const BLOCK_END_NEWLINES = /(^|(?<!\n))\n+(?!\n|$)/g;
/** yaml writes a single-line implicit key longer than this as an explicit `? key`. */
const MAX_IMPLICIT_KEY = 1024;

function resolvesToNonString(s: string): boolean {
  const c = s.charCodeAt(0);
  // Fast path: a string starting with a letter other than n/N/t/T/f/F is never null, bool or a number.
  if (((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) && c !== 110 && c !== 78 && c !== 116 && c !== 84 && c !== 102 && c !== 70) return false;
  for (const re of CORE_NON_STRING) if (re.test(s)) return true;
  return false;
}

function singleQuoted(value: string, indent: string, implicitKey: boolean): string {
  if ((implicitKey && value.includes('\n')) || /[ \t]\n|\n[ \t]/.test(value)) return JSON.stringify(value);
  return "'" + value.replace(/'/g, "''").replace(/\n+/g, `$&\n${indent}`) + "'";
}

/** Double quotes (as JSON) unless the text has `"` but no `'`. */
function quoted(value: string, indent: string, implicitKey: boolean): string {
  const hasDouble = value.includes('"');
  if (hasDouble && !value.includes("'")) return singleQuoted(value, indent, implicitKey);
  return JSON.stringify(value);
}

/** A multi-line value as a literal block (yaml never folds with lineWidth 0); chomping keeps trailing newlines exact. */
function literalBlock(text: string, indent: string): string {
  if (/\n[\t ]+$/.test(text)) return quoted(text, indent, false);
  let value = text;
  let endStart = value.length;
  for (; endStart > 0; --endStart) {
    const ch = value[endStart - 1];
    if (ch !== '\n' && ch !== '\t' && ch !== ' ') break;
  }
  let end = value.substring(endStart);
  const endNlPos = end.indexOf('\n');
  const chomp = endNlPos === -1 ? '-' : value === end || endNlPos !== end.length - 1 ? '+' : '';
  if (end) {
    value = value.slice(0, -end.length);
    if (end.endsWith('\n')) end = end.slice(0, -1);
    end = end.replace(BLOCK_END_NEWLINES, `$&${indent}`);
  }
  let startWithSpace = false;
  let startNlPos = -1;
  for (let i = 0; i < value.length; ++i) {
    const ch = value[i];
    if (ch === ' ') startWithSpace = true;
    else if (ch === '\n') startNlPos = i;
    else break;
  }
  let start = value.substring(0, startNlPos + 1);
  if (start) {
    value = value.substring(start.length);
    start = start.replace(/\n+/g, `$&${indent}`);
  }
  // yaml writes indentation indicator 2 whenever the scalar is indented at all (never at the root here).
  const header = (startWithSpace ? '2' : '') + chomp;
  return `|${header}\n${indent}${start}${value.replace(/\n+/g, `$&${indent}`)}${end}`;
}

/**
 * True when none of the context-dependent rules can apply, so the string is
 * plain unless the core schema would read it as another type: no control
 * characters or surrogates, no space, tab, newline, `:` or `#` anywhere
 * (they decide `: `, ` #`, trailing-space and block-scalar cases), and a
 * first character that is not an indicator (`-`/`?` included). Most lockfile
 * strings (names, versions, filenames, hashes) pass, skipping the regexes.
 */
function isContextFreePlain(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  switch (s.charCodeAt(0)) {
    // , [ ] { } # & * ! | > ' " % @ ` ? -
    case 44: case 91: case 93: case 123: case 125: case 35: case 38: case 42: case 33: case 124: case 62: case 39: case 34: case 37: case 64: case 96: case 63: case 45:
      return false;
  }
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c === 58 || c === 35 || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

/**
 * A string as yaml writes it in value position; `indent` is the scalar's
 * context indent (its parent's indent plus one step), used by block scalars.
 */
export function yamlValue(value: string, indent: string): string {
  if (isContextFreePlain(value)) return resolvesToNonString(value) ? JSON.stringify(value) : value;
  if (NEEDS_ESCAPE.test(value)) return JSON.stringify(value);
  if (PLAIN_UNSAFE.test(value)) return value.includes('\n') ? literalBlock(value, indent) : quoted(value, indent, false);
  if (value.includes('\n')) return literalBlock(value, indent);
  return resolvesToNonString(value) ? quoted(value, indent, false) : value;
}

/** A string as yaml writes it as an implicit mapping key (never a block scalar). */
export function yamlKey(value: string): string {
  if (isContextFreePlain(value)) return resolvesToNonString(value) ? JSON.stringify(value) : value;
  if (NEEDS_ESCAPE.test(value)) return JSON.stringify(value);
  if (value.includes('\n') || PLAIN_UNSAFE.test(value) || resolvesToNonString(value)) return quoted(value, '', true);
  return value;
}

/** The number tags' output (yaml's stringifyNumber, no format or minFractionDigits on created nodes). */
function yamlNumber(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? '.nan' : n < 0 ? '-.inf' : '.inf';
  return Object.is(n, -0) ? '-0' : JSON.stringify(n);
}

/**
 * A pair of a mapping at `indent` whose key is free-form (a profile or job
 * name) and whose value is a collection: `body` is its block text ('' when
 * empty, then written as `empty`, i.e. `[]`/`{}`, on the key's line); a
 * non-empty block starts on the next line. yaml writes a key longer than
 * 1024 characters as an explicit `? key`, the value then following `: `.
 */
function collectionPair(key: string, body: string, empty: string, indent: string): string {
  const k = yamlKey(key);
  if (k.length > MAX_IMPLICIT_KEY) return `? ${k}\n${indent}: ${body || empty}`;
  return body ? `${k}:\n${indent}  ${body}` : `${k}: ${empty}`;
}

/** Block sequence of strings whose context indent is `indent`; '' when empty. */
function stringSeq(items: readonly string[], indent: string): string {
  const itemIndent = indent + '  ';
  let out = '';
  for (let i = 0; i < items.length; i++) out += (i ? `\n${indent}- ` : '- ') + yamlValue(items[i]!, itemIndent);
  return out;
}

/** `key:` (a fixed, plain key) and a list of strings, in a mapping at `indent`. */
function stringListPair(key: string, items: readonly string[], indent: string): string {
  return items.length ? `${key}:\n${indent}  ${stringSeq(items, indent + '  ')}` : `${key}: []`;
}

/** Block sequence of mappings (each item's mapping indented one step past `- `). */
function mapSeq<T>(items: readonly T[], indent: string, item: (x: T, indent: string) => string): string {
  const itemIndent = indent + '  ';
  let out = '';
  for (let i = 0; i < items.length; i++) out += (i ? `\n${indent}- ` : '- ') + item(items[i]!, itemIndent);
  return out;
}

/** Block mapping with free-form keys whose context indent is `indent`; '' when empty. */
function recordMap<T>(record: Record<string, T>, indent: string, value: (key: string, x: T, indent: string) => string): string {
  let out = '';
  for (const [k, x] of Object.entries(record)) out += (out ? `\n${indent}` : '') + value(k, x, indent);
  return out;
}

// The fixed keys below (filename, required-by, …) are plain in yaml's eyes; values sit one step deeper than their mapping.

function buildRequirementMap(r: LockedBuildRequirement, indent: string): string {
  const v = indent + '  ';
  const nl = '\n' + indent;
  return `name: ${yamlValue(r.name, v)}${nl}version: ${yamlValue(r.version, v)}${nl}file: ${yamlValue(r.file, v)}`;
}

/** `build:` of an sdist's file entry: profile → closure (absent on wheels). */
function buildPair(build: Record<string, LockedBuildRequirement[]>, indent: string): string {
  const nl = '\n' + indent;
  const sets = recordMap(build, indent + '  ', (profile, reqs, at) => collectionPair(profile, mapSeq(reqs, at + '  ', buildRequirementMap), '[]', at));
  return sets ? `build:${nl}  ${sets}` : 'build: {}';
}

function fileMap(f: LockedFile, indent: string): string {
  const v = indent + '  ';
  const nl = '\n' + indent;
  return (
    `filename: ${yamlValue(f.filename, v)}${nl}sha256: ${yamlValue(f.sha256, v)}${nl}size: ${yamlNumber(f.size)}${nl}` +
    `url: ${yamlValue(f.url, v)}${nl}${stringListPair('profiles', f.profiles, indent)}` +
    (f.build ? `${nl}${buildPair(f.build, indent)}` : '')
  );
}

function requirementMap(r: LockedRequirement, indent: string): string {
  const v = indent + '  ';
  const nl = '\n' + indent;
  return (
    `name: ${yamlValue(r.name, v)}${nl}version: ${yamlValue(r.version, v)}${nl}file: ${yamlValue(r.file, v)}${nl}` +
    `${stringListPair('extras', r.extras, indent)}${nl}${stringListPair('required-by', r.requiredBy, indent)}`
  );
}

function packageMap(p: LockedPackage, indent: string): string {
  const v = indent + '  ';
  const nl = '\n' + indent;
  const files = mapSeq(p.files, v, fileMap);
  const index = p.index !== undefined ? `index: ${yamlValue(p.index, v)}${nl}` : '';
  return `name: ${yamlValue(p.name, v)}${nl}version: ${yamlValue(p.version, v)}${nl}${index}${files ? `files:${nl}  ${files}` : 'files: []'}`;
}

function profileMap(p: LockedProfile, indent: string): string {
  const v = indent + '  ';
  const nl = '\n' + indent;
  return `platform: ${yamlValue(p.platform, v)}${nl}python: ${yamlValue(p.python, v)}${nl}digest: ${yamlValue(p.digest, v)}`;
}

function jobMap(j: LockedJob, indent: string): string {
  const nl = '\n' + indent;
  const sets = recordMap(j.profiles, indent + '  ', (profile, reqs, at) => collectionPair(profile, mapSeq(reqs, at + '  ', requirementMap), '[]', at));
  return `${stringListPair('requires', j.requires, indent)}${nl}${stringListPair('constraints', j.constraints, indent)}${nl}${sets ? `profiles:${nl}  ${sets}` : 'profiles: {}'}`;
}

/** The YAML text of the lockfile document (without the header comment). */
export function emitLockYaml(lock: Lockfile): string {
  const profiles = recordMap(lock.profiles, '  ', (name, p, at) => collectionPair(name, profileMap(p, at + '  '), '{}', at));
  const packages = mapSeq(lock.packages, '  ', packageMap);
  const jobs = recordMap(lock.jobs, '  ', (name, j, at) => collectionPair(name, jobMap(j, at + '  '), '{}', at));
  return (
    `version: ${yamlNumber(lock.version)}\n` +
    `config-digest: ${yamlValue(lock.configDigest, '  ')}\n` +
    `index: ${yamlValue(lock.index, '  ')}\n` +
    (profiles ? `profiles:\n  ${profiles}\n` : 'profiles: {}\n') +
    (packages ? `packages:\n  ${packages}\n` : 'packages: []\n') +
    (jobs ? `jobs:\n  ${jobs}\n` : 'jobs: {}\n')
  );
}
