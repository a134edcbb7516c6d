/**
 * JSON Schema (draft-07, ajv) validation of YAML inputs — shared by the
 * profile and config loaders: loading a schema from `schemas/`, mapping an
 * ajv error back to a key path and a LINE of the YAML file, and building the
 * `PyindexError` that names `file:line` and `(at key.path)`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { PyindexError, type ErrorCode } from '../errors/index.js';
import { packageRoot } from './package-root.js';
import { where, type SpecSource } from './yaml-source.js';

/** A key path inside a YAML document: map keys are strings, sequence indexes numbers. */
export type KeyPath = readonly (string | number)[];

const loaded = new Map<string, { ajv: Ajv; id: string }>();

/**
 * The validator for `schemas/<schemaFile>`, or for one of its sub-schemas
 * (`fragment` like `#/definitions/builtin`). Compiled once per process.
 */
export function schemaValidator(schemaFile: string, fragment = ''): ValidateFunction {
  let entry = loaded.get(schemaFile);
  if (!entry) {
    const schema = JSON.parse(readFileSync(join(packageRoot(), 'schemas', schemaFile), 'utf8')) as { $id: string };
    // allErrors: the caller picks the most useful error, not ajv's first.
    // verbose: errors carry `parentSchema`, whose `properties` name the keys allowed next to an unknown one.
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, verbose: true });
    ajv.addSchema(schema);
    entry = { ajv, id: schema.$id };
    loaded.set(schemaFile, entry);
  }
  const validate = entry.ajv.getSchema(`${entry.id}${fragment}`);
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
