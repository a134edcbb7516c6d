/**
 * One provision of a venv at a time: a lock file naming its holder
 * (src/util/pid-lock.ts: created atomically, a dead holder's lock broken safely,
 * another host's never judged stale), plus the holder's pip child: if the
 * holder was killed alone and its pip still runs, a waiter waits for that pip
 * to exit first, since it may still be writing into the venv.
 */
import { PyindexError } from '../errors/index.js';
import { breakStaleLock, newLockInfo, readLockInfo, releaseLock, rewriteLock, tryCreateLock, type PidLockInfo } from '../util/pid-lock.js';
import { processAlive } from '../util/process.js';

export interface VenvLockInfo extends PidLockInfo {
  /** pip's pid while pip runs. */
  child?: number;
}

export interface VenvLock {
  readonly file: string;
  /** Records (or clears) the child process that writes into the venv. */
  setChild(pid: number | undefined): Promise<void>;
  release(): Promise<void>;
}

export interface AcquireOptions {
  timeoutMs?: number;
  pollMs?: number;
  /** Called once when the lock is busy, with its holder. */
  onWait?: (holder: VenvLockInfo | undefined) => void;
  /** Called when a stale lock is broken. */
  onStale?: (holder: VenvLockInfo) => void;
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const CREATE_HINT = 'Check the permissions of the venv directory.';

export async function acquireVenvLock(file: string, o: AcquireOptions = {}): Promise<VenvLock> {
  const timeoutMs = o.timeoutMs ?? 30 * 60_000;
  const pollMs = o.pollMs ?? 100;
  const info: VenvLockInfo = newLockInfo();
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    if (await tryCreateLock(file, info, CREATE_HINT)) break;
    const holder = await readLockInfo<VenvLockInfo>(file);
    if (holder && holder.host === info.host && !processAlive(holder.pid)) {
      if (holder.child === undefined || !processAlive(holder.child)) {
        o.onStale?.(holder);
        await breakStaleLock(file, holder);
        continue;
      }
    }
    if (!told) {
      o.onWait?.(holder);
      told = true;
    }
    if (Date.now() > deadline) {
      throw new PyindexError('E_VENV_BUSY', `the venv is locked by ${holder ? `pid ${holder.pid} on ${holder.host} since ${holder.started}` : 'another process'} (${file}); waited ${Math.round(timeoutMs / 1000)}s`, {
        hint: 'Another provision of this venv is running; if it is gone (e.g. another host died), delete the lock file.',
        details: { file, holder },
      });
    }
    await delay(pollMs);
  }
  let held = true;
  return {
    file,
    async setChild(pid) {
      if (!held) return;
      const next: VenvLockInfo = { ...info };
      if (pid !== undefined) next.child = pid;
      await rewriteLock(file, next, CREATE_HINT);
    },
    async release() {
      if (!held) return;
      held = false;
      await releaseLock(file, info);
    },
  };
}
