/**
 * Turns ajv's errors for pyindex.yaml (schemas/config.schema.json) into ONE
 * `E_CONFIG_INVALID` a person can act on: the first problem in the file,
 * with its line, its key path and, for a misspelt key, the key meant.
 */
import type { ErrorObject } from 'ajv';
import type { PyindexError } from '../errors/index.js';
import { closestNames } from '../profile/resolve.js';
import { describeValue, formatKeyPath, pointerToPath, schemaError, typeWord, valueAt, type KeyPath } from '../util/schema-error.js';
import type { SpecSource } from '../util/yaml-source.js';

interface Described {
  path: KeyPath;
  text: string;
  hint: string;
}

const EXAMPLE_JOB = 'e.g. jobs: { talos: { requires: ["mozrunner>=5"], profiles: [linux-x86_64-py3.11] } }';

/** "in job "talos"", "in options", "at the top level" — the mapping a key belongs to. */
function owner(path: KeyPath): string {
  if (path.length === 0) return 'at the top level';
  if (path.length === 2 && path[0] === 'jobs') return `in job ${JSON.stringify(path[1])}`;
  return `in ${formatKeyPath(path)}`;
}

function unknownKey(err: ErrorObject, path: KeyPath): Described {
  const key = String((err.params as { additionalProperty: string }).additionalProperty);
  const allowed = Object.keys((err.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
  const [close] = closestNames(key, allowed);
  return {
    path: [...path, key],
    text: `unknown key ${JSON.stringify(key)} ${owner(path)}${close ? ` (did you mean ${JSON.stringify(close)}?)` : ''}`,
    hint: close ? `Rename it to ${JSON.stringify(close)}.` : `Keys allowed here: ${allowed.join(', ')}.`,
  };
}

const INDEX_FORMS = 'Write the index URL (index: http://pypi.internal/simple/) or a mapping with its mirrors (index: { url: http://pypi.internal/simple/, mirrors: [http://mirror2.internal/simple/] }).';

/** `index:` or an `indexes:` entry: a location or a mapping. A scalar there must be a string (what it always was). */
function wrongLocationType(path: KeyPath, got: unknown): Described {
  const scalar = got !== null && got !== undefined && typeof got !== 'object';
  const quote = scalar ? `Quote it: "${String(got)}". ` : '';
  return { path, text: `${formatKeyPath(path)} must be ${scalar ? 'a string' : 'a string or a mapping'}, got ${describeValue(got)}`, hint: `${quote}${INDEX_FORMS}` };
}

function wrongType(err: ErrorObject, path: KeyPath, got: unknown): Described {
  const types = (err.params as { type: string | string[] }).type;
  if (Array.isArray(types)) return wrongLocationType(path, got);
  const want = String(types);
  const last = path[path.length - 1];
  if (path.length === 0) return { path, text: `the config must be a mapping, got ${describeValue(got)}`, hint: `Start with keys "index:" and "jobs:", ${EXAMPLE_JOB}.` };
  let hint = 'Fix the value type.';
  if (want === 'array' && typeof got === 'string') hint = `Write a list, e.g. ${String(last)}: [${JSON.stringify(got)}].`;
  else if (want === 'string' && (typeof got === 'number' || typeof got === 'boolean')) hint = `Quote it: ${typeof last === 'number' ? '' : `${String(last)}: `}"${String(got)}".`;
  else if (path[0] === 'jobs' && path.length === 2) hint = `Give the job its requirements and profiles, ${EXAMPLE_JOB}.`;
  else if (path[0] === 'profiles' && path.length === 2) hint = 'An inline profile is a mapping, e.g. { platform: linux-x86_64, python: "3.11" }.';
  return { path, text: `${formatKeyPath(path)} must be ${typeWord(want)}, got ${describeValue(got)}`, hint };
}

function missingKey(err: ErrorObject, path: KeyPath): Described {
  const key = String((err.params as { missingProperty: string }).missingProperty);
  if (path.length === 0 && key === 'index') {
    return { path, text: 'missing "index"', hint: 'Name the package index, e.g. index: http://pypi.internal/simple/ (or a directory of wheels, relative to this file), or list several under "indexes:".' };
  }
  if (path.length === 0) return { path, text: `missing ${JSON.stringify(key)}`, hint: `Say what to lock, ${EXAMPLE_JOB}.` };
  if (path[0] === 'jobs' && key === 'profiles') {
    return { path, text: `job ${JSON.stringify(path[1])} has no "profiles"`, hint: 'List the target profiles to lock it for, e.g. profiles: [linux-x86_64-py3.11] ("pyindex profile list" shows the built-ins).' };
  }
  if (key === 'url') return { path, text: `missing "url" ${owner(path)}`, hint: `Give the index's own URL beside its mirrors. ${INDEX_FORMS}` };
  return { path, text: `missing ${JSON.stringify(key)} ${owner(path)}`, hint: 'Add the key.' };
}

function describe(err: ErrorObject, value: unknown): Described {
  const path = pointerToPath(err.instancePath, value);
  const got = valueAt(value, path);
  const at = formatKeyPath(path);
  switch (err.keyword) {
    case 'additionalProperties':
      return unknownKey(err, path);
    case 'type':
      return wrongType(err, path, got);
    case 'required':
      return missingKey(err, path);
    case 'anyOf':
      if (path.length === 0) return missingKey({ ...err, params: { missingProperty: 'index' } }, path);
      return { path, text: `job ${JSON.stringify(path[1])} has neither "requires" nor "requires-file"`, hint: 'Say what the job installs: requires: ["pkg>=1"], requires-file: requirements.txt, or both.' };
    case 'pattern':
      return { path, text: `invalid index name ${JSON.stringify(got)}`, hint: 'An index name is letters, digits, ".", "_" and "-", starting with a letter or digit.' };
    case 'propertyNames': {
      const name = String((err.params as { propertyName: string }).propertyName);
      const what = path[0] === 'jobs' ? 'job' : 'profile';
      return { path: [...path, name], text: `invalid ${what} name ${JSON.stringify(name)}`, hint: `A ${what} name is letters, digits, ".", "_" and "-", starting with a letter or digit.` };
    }
    case 'enum': {
      const allowed = (err.params as { allowedValues: unknown[] }).allowedValues.map(String);
      return { path, text: `${JSON.stringify(got)} is not a valid ${at}`, hint: `Use one of: ${allowed.join(', ')}.` };
    }
    case 'minItems':
      return path[0] === 'jobs'
        ? { path, text: `job ${JSON.stringify(path[1])} lists no profiles`, hint: 'A job is locked per target profile: list at least one, e.g. profiles: [linux-x86_64-py3.11].' }
        : { path, text: `${at} must not be empty`, hint: 'Add an entry or remove the key.' };
    case 'minProperties':
      return { path, text: `"${at}" is empty`, hint: `Define at least one job, ${EXAMPLE_JOB}.` };
    case 'uniqueItems': {
      const { j } = err.params as { i: number; j: number };
      return { path: [...path, j], text: `${JSON.stringify(valueAt(got, [j]))} is listed twice in ${at}`, hint: 'Remove the duplicate.' };
    }
    case 'minLength':
      return { path, text: `${at} must not be empty`, hint: 'Give a value or remove the key.' };
    default:
      return { path, text: `${at || 'the config'} ${err.message ?? 'is invalid'}`, hint: 'See schemas/config.schema.json.' };
  }
}

/** Errors that say something is absent; another error in the same mapping (a misspelt key) usually explains them. */
const MISSING = new Set(['required', 'anyOf']);

/** Among errors on the same line, the more telling keyword first. */
const KEYWORD_RANK: Record<string, number> = { additionalProperties: 0, propertyNames: 0, type: 1 };

/**
 * The error to report: the earliest in the file (by the line of the key it
 * concerns), preferring a telling keyword, then the shallowest path. A
 * "missing key" error yields to any other error inside the same mapping
 * (`profile:` misspelt explains the missing `profiles:`). Errors inside an
 * `anyOf` branch or a `propertyNames` check are dropped: their parent error
 * says the same thing better.
 */
export function pickConfigError(errors: readonly ErrorObject[], value: unknown, source: SpecSource): ErrorObject | undefined {
  // Errors of a name checked by propertyNames carry `propertyName`; the propertyNames error itself says it better.
  const candidates = errors.filter((e) => !/\/anyOf\//.test(e.schemaPath) && (e.propertyName === undefined || e.keyword === 'propertyNames'));
  const explained = (e: ErrorObject): boolean =>
    MISSING.has(e.keyword) && candidates.some((o) => !MISSING.has(o.keyword) && o.instancePath === e.instancePath);
  const keyed = candidates
    .filter((e) => !explained(e))
    .map((e) => {
      const d = describe(e, value);
      return { e, line: source.lineOf([...source.prefix, ...d.path]) ?? 0, rank: KEYWORD_RANK[e.keyword] ?? 2, depth: d.path.length };
    });
  keyed.sort((a, b) => a.line - b.line || a.rank - b.rank || a.depth - b.depth);
  return keyed[0]?.e;
}

/** The `E_CONFIG_INVALID` for a config that fails its schema. */
export function configSchemaError(errors: readonly ErrorObject[], value: unknown, source: SpecSource): PyindexError {
  const err = pickConfigError(errors, value, source);
  const d = err ? describe(err, value) : { path: [], text: 'the config is invalid', hint: 'See schemas/config.schema.json.' };
  return schemaError('E_CONFIG_INVALID', source, d.path, d.text, d.hint);
}
