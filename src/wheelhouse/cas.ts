/**
 * The per-machine content-addressed file cache shared by every wheelhouse:
 * `<cacheDir>/files/sha256/<first 2 hex>/<sha256>`. An entry appears only by
 * rename after its bytes were hashed, sized and fsynced, so a name in the
 * cache always promises verified bytes; the entry is still re-hashed before
 * use, because wheelhouse files are hard links to it and anyone with write
 * access to a wheelhouse could have changed them in place.
 *
 * Wheelhouse files are placed by link (or copy across filesystems) into a
 * dot-named temp file that is then renamed over the final name: pip's
 * `--find-links` never lists dot files, so a reader sees a whole file or none.
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { writeFailed } from './errors.js';
import { removeLeftoversOfDeadWriters } from '../util/process.js';
import type { ExpectedFile } from './download.js';
import { sha256File } from './verify.js';

export function casPath(cacheDir: string, sha256: string): string {
  return join(cacheDir, 'files', 'sha256', sha256.slice(0, 2), sha256);
}

/** Where downloads land before they are verified (same filesystem as the entries, so rename is atomic). */
export function casTempDir(cacheDir: string): string {
  return join(cacheDir, 'files', 'tmp');
}

/** `.<name>.<pid>.<random>.tmp`: hidden, unique, and naming its writer so leftovers can be told apart. */
export function tempName(name: string): string {
  return `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

const TEMP_RE = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** Removes temp files left by writers that are gone (killed mid-download); a live writer's are kept. */
export function removeStaleTemps(dir: string): Promise<string[]> {
  return removeLeftoversOfDeadWriters(dir, TEMP_RE);
}

/**
 * The verified cache entry for `file`, or undefined. An entry whose bytes
 * no longer match is removed (it cannot be trusted, and a fresh download
 * must be able to take its name).
 */
export async function cacheLookup(cacheDir: string, file: ExpectedFile): Promise<string | undefined> {
  const path = casPath(cacheDir, file.sha256);
  let size: number;
  try {
    size = (await fsp.stat(path)).size;
  } catch {
    return undefined;
  }
  if (size === file.size && (await sha256File(path)) === file.sha256) return path;
  await fsp.rm(path, { force: true });
  return undefined;
}

/** Prefix directories (`files/sha256/ab`) this process made or found: one mkdir each, not one per file. */
const madeDirs = new Set<string>();

/**
 * Moves a verified temp file into the cache; entries are read-only because
 * wheelhouses hard-link them (downloads are created read-only, so their
 * chmod is skipped).
 */
export async function cacheInsert(cacheDir: string, sha256: string, temp: string, options: { readOnly?: boolean } = {}): Promise<string> {
  const path = casPath(cacheDir, sha256);
  const dir = join(cacheDir, 'files', 'sha256', sha256.slice(0, 2));
  try {
    if (!options.readOnly) await fsp.chmod(temp, 0o444);
    if (!madeDirs.has(dir)) {
      await fsp.mkdir(dir, { recursive: true });
      madeDirs.add(dir);
    }
    // A concurrent fetch may have inserted the same bytes: rename replaces them with identical ones.
    await fsp.rename(temp, path).catch(async (err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // The prefix directory was removed since (a cache cleanup): make it again.
      await fsp.mkdir(dir, { recursive: true });
      await fsp.rename(temp, path);
    });
  } catch (err) {
    await fsp.rm(temp, { force: true });
    throw writeFailed(path, err);
  }
  return path;
}

const LINK_FALLBACK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS']);

/**
 * Makes `dir/filename` a hard link to (or, across filesystems, a copy of)
 * `source`. A new name is linked in place (link(2) makes it appear whole,
 * at once); an existing one is replaced by linking a dot-named temp and
 * renaming it over.
 */
export async function placeFile(source: string, dir: string, filename: string): Promise<'link' | 'copy'> {
  const final = join(dir, filename);
  try {
    await fsp.link(source, final);
    return 'link';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code !== 'EEXIST' && !LINK_FALLBACK.has(code)) throw writeFailed(final, err);
  }
  const temp = join(dir, tempName(filename));
  let how: 'link' | 'copy' = 'link';
  try {
    try {
      await fsp.link(source, temp);
    } catch (err) {
      if (!LINK_FALLBACK.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
      how = 'copy';
      await fsp.copyFile(source, temp, constants.COPYFILE_EXCL);
      const handle = await fsp.open(temp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    await fsp.rename(temp, final);
    // rename(2): when both names already link the same inode it succeeds doing nothing, leaving temp behind.
    await fsp.rm(temp, { force: true });
  } catch (err) {
    await fsp.rm(temp, { force: true });
    throw writeFailed(final, err);
  }
  return how;
}
