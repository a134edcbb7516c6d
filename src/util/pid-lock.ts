/**
 * Lock files that name their holder, without native addons: the claim, JSON
 * {pid, host, token, started}, is written whole to a temp file beside the
 * lock, which is then hard-linked to the lock's name — link(2) fails with
 * EEXIST when the name exists, so exactly one process wins, and the lock
 * file never exists without its whole claim. (It used to be created with
 * `open(..., 'wx')` and then written: a holder killed between the two left
 * an empty lock that no waiter could judge, and every later writer waited
 * for its timeout — seen once in CI as E_TREE_BUSY after `kill -9`.) A lock
 * file without a readable claim — left by a crash of the machine, or by an
 * older pyindex — is therefore no one's, and is broken like a dead holder's.
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
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { PyindexError } from '../errors/index.js';
import { tempPathFor } from './atomic-write.js';

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

/** The holder's claim, or undefined when the file is missing or holds no readable claim. */
export async function readLockInfo<T extends PidLockInfo>(file: string): Promise<T | undefined> {
  const claim = await claimAt(file);
  return typeof claim === 'string' ? undefined : (claim as T);
}

async function claimAt(file: string): Promise<PidLockInfo | 'gone' | 'damaged'> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'damaged';
  }
  try {
    const claim = JSON.parse(text) as Partial<PidLockInfo> | null;
    return typeof claim?.token === 'string' ? (claim as PidLockInfo) : 'damaged';
  } catch {
    return 'damaged';
  }
}

/** Writes `info` to a temp file beside `file` and returns its path. */
async function writeClaim(file: string, info: PidLockInfo, hint: string): Promise<string> {
  const temp = tempPathFor(file);
  try {
    await writeFile(temp, JSON.stringify(info));
  } catch (err) {
    await rm(temp, { force: true });
    throw new PyindexError('E_WRITE_FAILED', `cannot create the lock ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { hint, cause: err });
  }
  return temp;
}

/** Creates the lock file holding `info`; false when another holder has it. A lock file without a claim is broken first. */
export async function tryCreateLock(file: string, info: PidLockInfo, hint: string): Promise<boolean> {
  const temp = await writeClaim(file, info, hint);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(temp, file);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new PyindexError('E_WRITE_FAILED', `cannot create the lock ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { hint, cause: err });
        }
      }
      if (attempt > 0) return false;
      const claim = await claimAt(file);
      if (claim === 'damaged') await breakStaleLock(file, undefined);
      else if (claim !== 'gone') return false;
    }
  } finally {
    await rm(temp, { force: true });
  }
}

/** Replaces the holder's claim in its lock file (temp file and rename: never a moment without the whole claim). */
export async function rewriteLock(file: string, info: PidLockInfo, hint: string): Promise<void> {
  const temp = await writeClaim(file, info, hint);
  try {
    await rename(temp, file);
  } finally {
    await rm(temp, { force: true });
  }
}

/** Breaks `seen` (undefined: a lock without a claim) if it is still the lock at `file` (see the module comment). */
export async function breakStaleLock(file: string, seen: PidLockInfo | undefined): Promise<void> {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(file, aside);
  } catch {
    return; // someone else moved it first
  }
  const moved = await readLockInfo(aside);
  if (moved?.token !== seen?.token) await link(aside, file).catch(() => undefined);
  await rm(aside, { force: true });
}

/** Removes the lock file if it is still `info`'s. */
export async function releaseLock(file: string, info: PidLockInfo): Promise<void> {
  const current = await readLockInfo(file);
  if (current?.token === info.token) await rm(file, { force: true });
}
