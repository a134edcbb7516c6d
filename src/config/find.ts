/**
 * Where the config is when no --config names it. Kept apart from load.ts so
 * that finding the file does not load the YAML parser and schema validators.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PyindexError } from '../errors/index.js';

export const CONFIG_FILENAMES = ['pyindex.yaml', 'pyindex.yml'] as const;

/** `<cwd>/pyindex.yaml` (or `.yml`); throws `E_FILE_NOT_FOUND` if neither exists. */
export function findConfig(cwd: string): string {
  for (const name of CONFIG_FILENAMES) {
    const file = join(cwd, name);
    if (existsSync(file)) return file;
  }
  throw new PyindexError('E_FILE_NOT_FOUND', `no pyindex.yaml in ${cwd}`, {
    hint: 'Create pyindex.yaml there (index:, jobs: with requires and profiles), or pass --config <file>.',
    details: { dir: cwd, tried: CONFIG_FILENAMES.map((n) => join(cwd, n)) },
  });
}
