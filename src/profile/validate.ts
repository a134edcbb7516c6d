/**
 * Validates profile specs against schemas/profile.schema.json (ajv) and turns
 * the first failure into an `E_PROFILE_INVALID` naming file:line and the key.
 */
import type { ErrorObject } from 'ajv';
import type { PyindexError } from '../errors/index.js';
import { MARKER_NAMES, type ProfileSpec, type SpecSource } from './types.js';
import { describeValue as typeOf, pointerToPath, schemaError, schemaValidator, valueAt } from '../util/schema-error.js';

function describe(err: ErrorObject, value: unknown): { path: (string | number)[]; text: string; hint: string } {
  const path = pointerToPath(err.instancePath, value);
  const got = valueAt(value, path);
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String((err.params as { additionalProperty: string }).additionalProperty);
      const inMarkers = path[path.length - 1] === 'markers';
      return {
        path: [...path, key],
        text: inMarkers ? `unknown marker ${JSON.stringify(key)}` : `unknown key ${JSON.stringify(key)}`,
        hint: inMarkers
          ? `PEP 508 markers are: ${MARKER_NAMES.join(', ')}.`
          : 'Profile keys are: extends, description, platform, python, glibc, musl, macos, markers.',
      };
    }
    case 'enum': {
      const allowed = (err.params as { allowedValues: unknown[] }).allowedValues.map((v) => String(v));
      return {
        path,
        text: `${JSON.stringify(got)} is not a known ${path.join('.') || 'value'}`,
        hint: `Use one of: ${allowed.join(', ')}${typeof got === 'number' ? ' (quoted: "3.10" is a string, 3.10 a number)' : ''}.`,
      };
    }
    case 'type':
      return {
        path,
        text: `${path.join('.') || 'profile'} must be a ${String((err.params as { type: string }).type)}, got ${typeOf(got)}`,
        hint: typeof got === 'number' ? 'Quote version numbers in YAML, e.g. python: "3.10".' : 'Fix the value type.',
      };
    case 'pattern':
      return {
        path,
        text: `${path.join('.')} ${JSON.stringify(got)} does not look like a ${path[path.length - 1] ?? ''} version`,
        hint: 'Use major.minor, e.g. glibc: "2.28", musl: "1.2", macos: "11.0".',
      };
    case 'required': {
      const key = String((err.params as { missingProperty: string }).missingProperty);
      return { path, text: `missing ${path.length ? `${path.join('.')}.` : ''}${key}`, hint: 'Built-in profiles must be complete: platform, python and all 11 markers.' };
    }
    case 'false schema':
      return { path, text: `built-in profiles cannot use ${JSON.stringify(path[path.length - 1])}`, hint: 'Write the platform, python and markers out in full.' };
    case 'minLength':
      return { path, text: `${path.join('.')} must not be empty`, hint: 'Name the profile to extend.' };
    default:
      return { path, text: `${path.join('.') || 'profile'} ${err.message ?? 'is invalid'}`, hint: 'See schemas/profile.schema.json.' };
  }
}

/** Ajv reports an `allOf`/`$ref` failure once per branch; prefer the most specific error. */
function pickError(errors: readonly ErrorObject[]): ErrorObject | undefined {
  const rank = (e: ErrorObject): number => (e.keyword === 'required' ? 1 : e.keyword === 'false schema' ? 2 : 3);
  return [...errors].sort((a, b) => rank(b) - rank(a) || b.instancePath.length - a.instancePath.length)[0];
}

/** Throws `E_PROFILE_INVALID` with file:line and key path. */
export function profileError(name: string, source: SpecSource, path: readonly (string | number)[], text: string, hint: string): PyindexError {
  return schemaError('E_PROFILE_INVALID', source, path, `profile ${JSON.stringify(name)}: ${text}`, hint, { profile: name });
}

/**
 * Validates one spec: `builtin` requires a complete standalone profile.
 * Cross-field rules the schema does not express (glibc only on Linux, …)
 * are checked when the profile is resolved, because `platform` may be inherited.
 */
export function validateProfileSpec(name: string, value: unknown, source: SpecSource, kind: 'builtin' | 'inline'): ProfileSpec {
  const validate = schemaValidator('profile.schema.json', kind === 'builtin' ? '#/definitions/builtin' : '');
  if (validate(value)) return value as ProfileSpec;
  const err = pickError(validate.errors ?? []);
  const d = err ? describe(err, value) : { path: [], text: 'is invalid', hint: 'See schemas/profile.schema.json.' };
  throw profileError(name, source, d.path, d.text, d.hint);
}
