/**
 * A small TOML 1.0 writer (https://toml.io/en/v1.0.0) for the value types
 * pyindex emits: strings, integers, booleans, arrays, inline tables, and
 * `[table]` / `[[array of tables]]` sections. No reader: pyindex never reads
 * TOML it did not write, and tests check the output with Python's tomllib.
 *
 * Whether a nested mapping is written inline (`hashes = { sha256 = "…" }`) or
 * as a section (`[tool.pyindex]`) is the caller's choice, made explicit with
 * `tomlSection` / `tomlSectionArray`; plain objects are always inline.
 */
import { PyindexError } from '../errors/index.js';

export type TomlValue = string | number | bigint | boolean | readonly TomlValue[] | { readonly [key: string]: TomlValue };

const SECTION = Symbol('toml section');
const SECTION_ARRAY = Symbol('toml section array');

export interface TomlSection {
  readonly [SECTION]: true;
  readonly body: TomlDocument;
}
export interface TomlSectionArray {
  readonly [SECTION_ARRAY]: true;
  readonly items: readonly TomlDocument[];
}

/** A table written with headers: key/value lines first, then its sections in order. */
export type TomlDocument = { readonly [key: string]: TomlValue | TomlSection | TomlSectionArray | undefined };

/** `[key]` header instead of an inline table. */
export function tomlSection(body: TomlDocument): TomlSection {
  return { [SECTION]: true, body };
}

/** `[[key]]` headers, one per item. */
export function tomlSectionArray(items: readonly TomlDocument[]): TomlSectionArray {
  return { [SECTION_ARRAY]: true, items };
}

function isSection(v: unknown): v is TomlSection {
  return typeof v === 'object' && v !== null && SECTION in v;
}
function isSectionArray(v: unknown): v is TomlSectionArray {
  return typeof v === 'object' && v !== null && SECTION_ARRAY in v;
}

function tomlError(message: string): PyindexError {
  return new PyindexError('E_INTERNAL', `cannot write TOML: ${message}`);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };

/**
 * A TOML basic string. TOML forbids raw control characters (U+0000–U+001F
 * except tab, and U+007F) in basic strings, so they are escaped as \uXXXX;
 * lone surrogates are not Unicode scalar values and cannot be written at all.
 */
export function tomlString(s: string): string {
  if (LONE_SURROGATE.test(s)) throw tomlError(`string ${JSON.stringify(s)} contains a lone surrogate`);
  // eslint-disable-next-line no-control-regex
  return `"${s.replace(/["\\\u0000-\u001f\u007f]/g, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)}"`;
}

/** Bare keys are A-Za-z0-9_- (TOML 1.0 "Keys"); anything else is quoted. */
export function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlString(key);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An inline value (no sections allowed inside). */
export function tomlValue(v: TomlValue): string {
  switch (typeof v) {
    case 'string':
      return tomlString(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      // Only integers are needed; TOML floats (and their nan/inf spellings) are not.
      if (!Number.isSafeInteger(v)) throw tomlError(`${v} is not a safe integer`);
      return String(v);
    case 'bigint':
      if (v < INT64_MIN || v > INT64_MAX) throw tomlError(`${v} does not fit TOML's 64-bit integers`);
      return v.toString();
    default:
      break;
  }
  if (isSection(v) || isSectionArray(v)) throw tomlError('a section cannot be nested inside an inline value');
  if (Array.isArray(v)) return `[${(v as readonly TomlValue[]).map(tomlValue).join(', ')}]`;
  const entries = Object.entries(v as { readonly [key: string]: TomlValue });
  return entries.length ? `{ ${entries.map(([k, x]) => `${tomlKey(k)} = ${tomlValue(x)}`).join(', ')} }` : '{}';
}

function writeDocument(doc: TomlDocument, path: readonly string[], out: string[]): void {
  const sections: [string, TomlSection | TomlSectionArray][] = [];
  for (const [key, value] of Object.entries(doc)) {
    if (value === undefined) continue;
    // An empty array of tables has no headers to write; `key = []` keeps the key present.
    if (isSectionArray(value) && value.items.length === 0) out.push(`${tomlKey(key)} = []`);
    else if (isSection(value) || isSectionArray(value)) sections.push([key, value]);
    else out.push(`${tomlKey(key)} = ${tomlValue(value)}`);
  }
  for (const [key, section] of sections) {
    const header = [...path, key].map(tomlKey).join('.');
    if (isSection(section)) {
      // A table holding only sub-tables needs no header of its own (TOML defines it implicitly).
      const hasValues = Object.values(section.body).some((v) => v !== undefined && !isSection(v) && !isSectionArray(v));
      const hasContent = Object.values(section.body).some((v) => v !== undefined);
      if (hasValues || !hasContent) out.push('', `[${header}]`);
      writeDocument(section.body, [...path, key], out);
    } else {
      for (const item of section.items) {
        out.push('', `[[${header}]]`);
        writeDocument(item, [...path, key], out);
      }
    }
  }
}

/** The document as TOML text; `comment` lines go first, each prefixed with "# ". */
export function stringifyToml(doc: TomlDocument, comment: readonly string[] = []): string {
  // Comments may not hold control characters other than tab either (TOML 1.0 "Comment").
  // eslint-disable-next-line no-control-regex
  const out: string[] = comment.map((line) => (line ? `# ${line.replace(/[\u0000-\u0008\u000a-\u001f\u007f]+/g, ' ')}` : '#'));
  writeDocument(doc, [], out);
  while (out[0] === '') out.shift();
  return `${out.join('\n')}\n`;
}
