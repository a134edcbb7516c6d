/**
 * Project and extra names.
 * PEP 503 normalization: https://peps.python.org/pep-0503/#normalized-names
 * PEP 508 name grammar: https://peps.python.org/pep-0508/#names
 * PEP 685 extra normalization: https://peps.python.org/pep-0685/
 */
import { PyindexError } from '../errors/index.js';

const VALID_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;
const SEPARATORS = /[-_.]+/g;

/** PEP 503: lowercase, and runs of `-`, `_`, `.` become one `-`. */
export function canonicalizeName(name: string): string {
  return name.replace(SEPARATORS, '-').toLowerCase();
}

/** PEP 685 normalizes extras exactly as PEP 503 normalizes project names. */
export const canonicalizeExtra = canonicalizeName;

export function isValidName(name: string): boolean {
  return VALID_NAME.test(name);
}

/** Throws `E_INVALID_NAME` unless `name` matches the PEP 508 name grammar. */
export function assertValidName(name: string): string {
  if (!isValidName(name)) {
    throw new PyindexError('E_INVALID_NAME', `${JSON.stringify(name)} is not a valid project name`, {
      hint: 'Names are ASCII letters, digits, and . _ - (not at either end), e.g. "zope.interface".',
    });
  }
  return name;
}
