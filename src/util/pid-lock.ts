/**
 * Lock files that name their holder, without native addons: the file is
 * created with O_CREAT|O_EXCL (`open(..., 'wx')`), which exactly one process
 * wins, and holds JSON {pid, host, token, started}.
 *
 * A holder killed with SIGKILL leaves its file behind. A waiter that finds
 * the holder's pid dead on this host breaks the lock by renaming it aside and
 * checking that what it moved carries the token it judged stale; if a live
 * lock slipped in between, it is put back with link(2), which never
 * overwrites. A lock held from another host (a network filesystem) is never
 * judged stale: its pid means nothing here.
 *
 * Users: the venv lock (src/provision/venv-lock.ts) and the per-project tree
 * lock of `pyindex serve` (src/serve/tree/lock.ts); each keeps its own wait
 * loop, stale rule and busy error.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { PyindexError } from '../errors/index.js';

export interface PidLockInfo {
  pid: number;
  host: string;
  token: string;
  started: string;
}

/** This process's claim. */
export function newLockInfo(): PidLockInfo {
  return { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex'), started: new Date().toISOString() };
}

/** The holder's claim, or undefined when the file is missing or caught between open and write (look again next poll). */
export async function readLockInfo<T extends PidLockInfo>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Creates the lock file holding `info`; false when another holder has it. */
export async function tryCreateLock(file: string, info: PidLockInfo, hint: string): Promise<boolean> {
  try {
    const handle = await open(file, 'wx');
    try {
      await handle.writeFile(JSON.stringify(info));
    } finally {
      await handle.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new PyindexError('E_WRITE_FAILED', `cannot create the lock ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { hint, cause: err });
  }
}

/** Breaks `seen` if it is still the lock at `file` (see the module comment). */
export async function breakStaleLock(file: string, seen: PidLockInfo): Promise<void> {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(file, aside);
  } catch {
    return; // someone else moved it first
  }
  const moved = await readLockInfo(aside);
  if (moved?.token !== seen.token) await link(aside, file).catch(() => undefined);
  await rm(aside, { force: true });
}

/** Removes the lock file if it is still `info`'s. */
export async function releaseLock(file: string, info: PidLockInfo): Promise<void> {
  const current = await readLockInfo(file);
  if (current?.token === info.token) await rm(file, { force: true });
}
