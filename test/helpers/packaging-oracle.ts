/**
 * The `packaging` copy pip 24.2 vendors (packaging 24.1, under pyenv's
 * 3.13.0): the oracle for wheel/sdist filename rules, since pip decides with
 * it which index files it can use. Falls back to `oraclePython()` (whose
 * imported copy may be older) when 3.13.0 is missing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { oraclePython, pyenvRoot } from './python.js';

export function packaging241Python(): string | undefined {
  const root = pyenvRoot();
  const p = root ? join(root, 'versions', '3.13.0', 'bin', 'python') : undefined;
  return p && existsSync(p) ? p : oraclePython();
}
