/**
 * The one ajv configuration for every schema in schemas/, shared by the
 * run-time compiler (schema-error.ts) and the build-time precompiler
 * (scripts/compile-schemas.ts) so both produce the same validators.
 */
export const AJV_OPTIONS = {
  // allErrors: callers pick the most useful error, not ajv's first.
  allErrors: true,
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
  // verbose: errors carry `parentSchema`, whose `properties` name the keys allowed next to an unknown one.
  verbose: true,
} as const;

/** Exported validator name → schema file and fragment. */
export const SCHEMA_ENTRIES = {
  config: { file: 'config.schema.json', fragment: '' },
  lock: { file: 'lock.schema.json', fragment: '' },
  profile: { file: 'profile.schema.json', fragment: '' },
  profileBuiltin: { file: 'profile.schema.json', fragment: '#/definitions/builtin' },
  pep691Project: { file: 'pep691-project.schema.json', fragment: '' },
  pep691Root: { file: 'pep691-root.schema.json', fragment: '' },
} as const;

export type SchemaName = keyof typeof SCHEMA_ENTRIES;
