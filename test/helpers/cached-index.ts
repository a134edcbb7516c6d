/**
 * mkindex builds shared across test processes: `buildIndex` caches per
 * process only, and the cheroot snapshot takes ~15 s to build, so the result
 * is moved to a stable temp directory keyed by source, flags and the mkindex
 * script itself (rename is atomic: concurrent test files either win the
 * rename or reuse the winner's tree).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildIndex, mkindexTool, sharedDir } from './mkindex.js';

export function cachedIndex(source: string, flags: string[] = ['--json', '--metadata']): string {
  const key = createHash('sha256')
    .update(readFileSync(mkindexTool))
    .update('\0')
    .update(readFileSync(resolve(sharedDir, source)))
    .update('\0')
    .update(flags.join(' '))
    .digest('hex')
    .slice(0, 24);
  const root = join(tmpdir(), 'pyindex-test-indexes');
  const dest = join(root, key);
  if (existsSync(join(dest, 'mkindex.json'))) return dest;
  mkdirSync(root, { recursive: true });
  const built = buildIndex(source, flags);
  try {
    renameSync(built, dest);
  } catch {
    // Another process won the race; its tree is identical (mkindex is deterministic).
    rmSync(built, { recursive: true, force: true });
  }
  return dest;
}
