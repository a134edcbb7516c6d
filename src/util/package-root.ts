import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The directory holding pyindex's package.json (and profiles/, schemas/).
 * Walks up from this file so it works from src/ (tsx) and dist/src/ alike.
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'schemas'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('pyindex package root not found');
    dir = up;
  }
  cached = dir;
  return dir;
}
