/**
 * Atomic placement of tree files: write into `.pyindex/tmp/`, fsync, rename
 * into place, fsync the target directory. The temp files live in one hidden
 * directory of the same filesystem (rename(2) is atomic only within one), so
 * a web server serving `simple/` and `files/` can never list or hand out a
 * half-written file, and a crash leaves at worst garbage in `.pyindex/tmp/`.
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { PyindexError } from '../../errors/index.js';
import { syncDirectory } from '../../util/atomic-write.js';

export function tempName(tmpDir: string, hint: string): string {
  return join(tmpDir, `${process.pid}-${randomBytes(6).toString('hex')}-${hint.slice(0, 60)}`);
}

function writeFailed(target: string, err: unknown): PyindexError {
  const code = (err as NodeJS.ErrnoException).code ?? String(err);
  return new PyindexError('E_WRITE_FAILED', `cannot write ${target}: ${code}`, {
    hint: 'Check that the tree root is writable and has free space; the previous file (if any) is unchanged.',
    cause: err,
    details: { file: target },
  });
}

/** Renames a finished, fsynced temp file into place (creating the directory) and makes the rename durable. */
export async function placeFile(temp: string, target: string): Promise<void> {
  try {
    await fsp.mkdir(dirname(target), { recursive: true });
    await fsp.rename(temp, target);
    await syncDirectory(dirname(target));
  } catch (err) {
    await fsp.rm(temp, { force: true });
    throw writeFailed(target, err);
  }
}

/** Writes `data` to `target` atomically via `tmpDir`. */
export async function writeAtomic(tmpDir: string, target: string, data: string | Uint8Array): Promise<void> {
  const temp = tempName(tmpDir, 'w');
  try {
    const h = await fsp.open(temp, 'wx', 0o644);
    try {
      await h.writeFile(data);
      await h.sync();
    } finally {
      await h.close();
    }
  } catch (err) {
    await fsp.rm(temp, { force: true });
    throw writeFailed(target, err);
  }
  await placeFile(temp, target);
}

/** fsyncs `temp` (created by `fill`, when given) and renames it to `target`; on failure the temp is removed. */
async function syncAndPlace(temp: string, target: string, fill?: () => Promise<void>): Promise<void> {
  try {
    await fill?.();
    const h = await fsp.open(temp, 'r+');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch (err) {
    await fsp.rm(temp, { force: true });
    throw writeFailed(target, err);
  }
  await placeFile(temp, target);
}

/** Copies `source` to `target` atomically via `tmpDir` (the source is left alone). */
export async function copyAtomic(tmpDir: string, source: string, target: string): Promise<void> {
  const temp = tempName(tmpDir, 'c');
  await syncAndPlace(temp, target, () => fsp.copyFile(source, temp, constants.COPYFILE_EXCL));
}

/**
 * Moves a finished temp file of `tmpDir` (e.g. a verified download) into
 * place: fsync, rename, fsync of the directory — no second copy of the bytes.
 */
export async function adoptAtomic(temp: string, target: string): Promise<void> {
  await syncAndPlace(temp, target);
}

/** Removes a file and makes the removal durable; a missing file is fine. */
export async function removeDurably(target: string): Promise<void> {
  try {
    await fsp.rm(target, { force: true });
    await syncDirectory(dirname(target)).catch(() => undefined);
  } catch (err) {
    throw writeFailed(target, err);
  }
}
