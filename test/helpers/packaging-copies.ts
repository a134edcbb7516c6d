/**
 * Copies of `packaging` importable from ANY pyenv Python, for tag oracles:
 *
 * - `packaging24`: packaging 24.1 as vendored by pip 24.2 under 3.13.0
 *   (the version pyindex ports). Imports on Python ≥ 3.8 only (3.7 chokes
 *   on a bare `@functools.lru_cache`, 3.6 on `from __future__ import annotations`).
 * - `packaging_oracle`: packaging 20.4 as vendored by setuptools under 3.8.18 —
 *   the only copy here with a `tags` module that still runs on Python 2.7 and
 *   3.6 (their pips vendor packaging 19.0/18.0, which predate `tags`).
 *
 * Both are copied into a temp dir as top-level packages (their internal
 * imports are relative, so renaming works); put the dir on sys.path.
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pyenvRoot } from './python.js';

export interface PackagingCopies {
  dir: string;
  has24: boolean;
  has20: boolean;
  cleanup(): void;
}

export function packagingCopies(): PackagingCopies {
  const root = pyenvRoot() ?? '';
  const dir = mkdtempSync(join(tmpdir(), 'pyindex-packaging-'));
  const src24 = join(root, 'versions', '3.13.0', 'lib', 'python3.13', 'site-packages', 'pip', '_vendor', 'packaging');
  const src20 = join(root, 'versions', '3.8.18', 'lib', 'python3.8', 'site-packages', 'setuptools', '_vendor', 'packaging');
  const skipCache = (p: string): boolean => !p.includes('__pycache__');
  const has24 = existsSync(src24);
  const has20 = existsSync(src20);
  if (has24) cpSync(src24, join(dir, 'packaging24'), { recursive: true, filter: skipCache });
  if (has20) cpSync(src20, join(dir, 'packaging_oracle'), { recursive: true, filter: skipCache });
  return { dir, has24, has20, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
