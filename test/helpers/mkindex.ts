/**
 * Builds a static package index with ../shared/tools/mkindex (once per source
 * and flag set per test process) into a temporary directory.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isolatedEnv, oraclePython } from './python.js';

const here = fileURLToPath(new URL('.', import.meta.url));
export const projectRoot = resolve(here, '..', '..');
export const sharedDir = resolve(projectRoot, '..', 'shared');
export const mkindexTool = join(sharedDir, 'tools', 'mkindex');

export function sharedAvailable(): boolean {
  return existsSync(mkindexTool);
}

const built = new Map<string, string>();

export function buildIndex(source: string, flags: string[] = ['--json', '--metadata']): string {
  const key = `${source}\0${flags.join(' ')}`;
  const have = built.get(key);
  if (have) return have;
  const out = mkdtempSync(join(tmpdir(), 'pyindex-mkindex-'));
  const python = oraclePython() ?? 'python3';
  execFileSync(python, [mkindexTool, resolve(sharedDir, source), out, '-q', ...flags], {
    env: isolatedEnv(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  built.set(key, out);
  return out;
}
