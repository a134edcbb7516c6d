/**
 * JSON Schema (draft-07, ajv) validation of YAML inputs — shared by the
 * profile and config loaders: loading a schema from `schemas/`, mapping an
 * ajv error back to a key path and a LINE of the YAML file, and building the
 * `PyindexError` that names `file:line` and `(at key.path)`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { Ajv as AjvClass, ValidateFunction } from 'ajv';
import { PyindexError, type ErrorCode } from '../errors/index.js';
import * as precompiled from './generated/schema-validators.js';
import { packageRoot } from './package-root.js';
import { AJV_OPTIONS, SCHEMA_ENTRIES } from './schema-options.js';
import { where, type SpecSource } from './yaml-source.js';

/** A key path inside a YAML document: map keys are strings, sequence indexes numbers. */
export type KeyPath = readonly (string | number)[];

const loaded = new Map<string, { ajv: AjvClass; id: string; text: string }>();
const precompiledByRef = new Map<string, keyof typeof SCHEMA_ENTRIES>(
  Object.entries(SCHEMA_ENTRIES).map(([name, e]) => [`${e.file}${e.fragment}`, name as keyof typeof SCHEMA_ENTRIES]),
);

/**
 * The validator for `schemas/<schemaFile>`, or for one of its sub-schemas
 * (`fragment` like `#/definitions/builtin`). Uses the validator precompiled
 * by scripts/compile-schemas.ts when the schema file is the one it was made
 * from (start-up speed), else compiles it once per process.
 */
export function schemaValidator<T = unknown>(schemaFile: string, fragment = ''): ValidateFunction<T> {
  let entry = loaded.get(schemaFile);
  const text = entry?.text ?? readFileSync(join(packageRoot(), 'schemas', schemaFile), 'utf8');
  const name = precompiledByRef.get(`${schemaFile}${fragment}`);
  const hashes = precompiled.schemaHashes as Record<string, string>;
  if (name && hashes[schemaFile] === createHash('sha256').update(text).digest('hex')) {
    return precompiled[name] as unknown as ValidateFunction<T>;
  }
  if (!entry) {
    const schema = JSON.parse(text) as { $id: string };
    // The compiler is only needed when a schema changed since the build (see scripts/compile-schemas.ts).
    const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    const ajv = new Ajv({ ...AJV_OPTIONS });
    ajv.addSchema(schema);
    entry = { ajv, id: schema.$id, text };
    loaded.set(schemaFile, entry);
  }
  const validate = entry.ajv.getSchema<T>(`${entry.id}${fragment}`);
  if (!validate) throw new PyindexError('E_INTERNAL', `schemas/${schemaFile} lacks ${fragment || 'a root schema'}`);
  return validate;
}

/** The value at `path` inside `value` (undefined when absent). */
export function valueAt(value: unknown, path: KeyPath): unknown {
  return path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined), value);
}

/**
 * A JSON pointer (ajv's `instancePath`) as a key path: `/jobs/talos/requires/2`
 * -> ['jobs', 'talos', 'requires', 2]. Segments indexing a list become numbers,
 * because the YAML line lookup walks sequences by number.
 */
export function pointerToPath(pointer: string, value: unknown): (string | number)[] {
  if (!pointer) return [];
  const path: (string | number)[] = [];
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path.push(Array.isArray(valueAt(value, path)) && /^\d+$/.test(seg) ? Number(seg) : seg);
  }
  return path;
}

/** `jobs.talos.requires[2]`. */
export function formatKeyPath(path: KeyPath): string {
  return path.reduce<string>((out, seg) => (typeof seg === 'number' ? `${out}[${seg}]` : out ? `${out}.${seg}` : seg), '');
}

/** What a YAML value is, for "must be X, got Y" messages. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a mapping' : `${typeof v} ${JSON.stringify(v)}`;
}

/** JSON Schema type names in YAML words. */
export function typeWord(type: string): string {
  const words: Record<string, string> = { array: 'a list', object: 'a mapping', string: 'a string', integer: 'an integer', number: 'a number', boolean: 'true or false' };
  return words[type] ?? `a ${type}`;
}

/**
 * `<file>:<line>: <text> (at <key.path>)` with `details: { file, line, path }`.
 * `path` is relative to `source.prefix`; the line is that of the key (or of
 * the closest existing parent, for a missing key).
 */
export function schemaError(
  code: ErrorCode,
  source: SpecSource,
  path: KeyPath,
  text: string,
  hint: string,
  details: Record<string, unknown> = {},
): PyindexError {
  const full = [...source.prefix, ...path];
  const keyPath = formatKeyPath(full);
  return new PyindexError(code, `${where(source, path)}: ${text}${keyPath ? ` (at ${keyPath})` : ''}`, {
    hint,
    details: { file: source.file, line: source.lineOf(full), path: keyPath, ...details },
  });
}
