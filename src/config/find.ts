/**
 * Finding pyindex.yaml in a directory. Apart from load.ts so the CLI can
 * locate the config without loading the config reader (start-up).
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
