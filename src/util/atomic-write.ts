/**
 * Replaces a file atomically: readers see the old bytes or the new bytes,
 * never a mix, and a crash or a failed write leaves the old file in place.
 *
 * The recipe (as in npm's write-file-atomic and git's lockfiles): write a
 * temporary file in the SAME directory (rename is only atomic within one
 * filesystem), fsync it (so the rename cannot reach the disk before the data),
 * rename it over the target, then fsync the directory (so the rename itself
 * survives a power loss; POSIX rename(2), Linux fsync(2) notes).
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { PyindexError } from '../errors/index.js';

export interface AtomicFileHandle {
  writeFile(data: string | Uint8Array): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The filesystem calls used, replaceable so tests can make any step fail. */
export interface AtomicWriteIo {
  open(path: string, flags: number | string, mode?: number): Promise<AtomicFileHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Mode of an existing target (kept on the new file), undefined when absent. */
  modeOf(path: string): Promise<number | undefined>;
}

export const nodeAtomicIo: AtomicWriteIo = {
  open: (path, flags, mode) => fsp.open(path, flags, mode),
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
  modeOf: async (path) => {
    try {
      return (await fsp.stat(path)).mode & 0o7777;
    } catch {
      return undefined;
    }
  },
};

let tempPrefix: string | undefined;
let tempCounter = 0;

/**
 * A hidden temp name beside `path`, unique to this process and call: pid, a random
 * tag drawn once per process (pids are reused across machines sharing a
 * cache over NFS, and after restarts), and a counter.
 */
export function tempPathFor(path: string): string {
  tempPrefix ??= `${process.pid}.${randomBytes(4).toString('hex')}`;
  return join(dirname(path), `.${basename(path)}.${tempPrefix}.${(tempCounter++).toString(36)}.tmp`);
}

/** fsync a directory so the renames into it survive a power loss. */
export async function syncDirectory(dir: string, io: AtomicWriteIo = nodeAtomicIo): Promise<void> {
  // Windows cannot open a directory for fsync; NTFS's rename is journaled anyway.
  if (process.platform === 'win32') return;
  const handle = await io.open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface AtomicWriteOptions {
  /**
   * fsync the directory after the rename (default true). A cache can skip it:
   * losing a just-renamed entry on power loss only costs a refetch.
   */
  syncDirectory?: boolean;
}

export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  io: AtomicWriteIo = nodeAtomicIo,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const temp = tempPathFor(path);
  let created = false;
  let renamed = false;
  try {
    const mode = (await io.modeOf(path)) ?? 0o666;
    // 'wx': never follow or reuse an existing file at the temp name.
    const handle = await io.open(temp, 'wx', mode);
    created = true;
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await io.rename(temp, path);
    renamed = true;
    if (options.syncDirectory !== false) await syncDirectory(dirname(path), io);
  } catch (err) {
    if (created && !renamed) await io.unlink(temp).catch(() => undefined);
    if (renamed) {
      // The new file is in place; only its durability is unconfirmed.
      throw new PyindexError('E_WRITE_FAILED', `wrote ${path} but could not sync its directory: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
        hint: 'Check the filesystem; the file may not survive a power loss.',
        cause: err,
        details: { file: path },
      });
    }
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new PyindexError('E_WRITE_FAILED', `cannot write ${path}: ${code}`, {
      hint: code === 'EISDIR' ? 'The path is a directory; name a file.' : 'Check that the directory exists, is writable and has free space; the previous file (if any) is unchanged.',
      cause: err,
      details: { file: path },
    });
  }
}
