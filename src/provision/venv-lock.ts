/**
 * One provision of a venv at a time, without native addons: the lock is a
 * file created with O_CREAT|O_EXCL (`open(..., 'wx')`), which exactly one
 * process wins, holding JSON {pid, host, token, child}.
 *
 * Stale locks: a holder killed with SIGKILL leaves its file behind. A waiter
 * that finds the holder's pid dead on this host breaks the lock — by renaming
 * it away and checking that what it moved carries the token it judged stale
 * (if a live lock slipped in between, it is put back with link(2), which
 * never overwrites). If the dead holder's pip child is still alive (the
 * parent was killed alone), the waiter first waits for that pip to exit: it
 * may still be writing into the venv. A lock held from another host (a venv
 * on a network filesystem) is never judged stale; the wait times out instead.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { PyindexError } from '../errors/index.js';

export interface VenvLockInfo {
  pid: number;
  host: string;
  token: string;
  started: string;
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

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readInfo(file: string): Promise<VenvLockInfo | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as VenvLockInfo;
  } catch {
    // Missing, or caught between open and write: treat as busy, look again next poll.
    return undefined;
  }
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function tryCreate(file: string, info: VenvLockInfo): Promise<boolean> {
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
    throw new PyindexError('E_WRITE_FAILED', `cannot create the venv lock ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { hint: 'Check the permissions of the venv directory.', cause: err });
  }
}

/** Breaks `seen` if it is still the lock at `file`; true when the slot may be free now. */
async function breakStale(file: string, seen: VenvLockInfo): Promise<boolean> {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(file, aside);
  } catch {
    return true; // someone else moved it first
  }
  const moved = await readInfo(aside);
  if (moved?.token !== seen.token) await link(aside, file).catch(() => undefined);
  await rm(aside, { force: true });
  return true;
}

export async function acquireVenvLock(file: string, o: AcquireOptions = {}): Promise<VenvLock> {
  const timeoutMs = o.timeoutMs ?? 30 * 60_000;
  const pollMs = o.pollMs ?? 100;
  const info: VenvLockInfo = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex'), started: new Date().toISOString() };
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    if (await tryCreate(file, info)) break;
    const holder = await readInfo(file);
    if (holder && holder.host === info.host && !processAlive(holder.pid)) {
      if (holder.child === undefined || !processAlive(holder.child)) {
        o.onStale?.(holder);
        await breakStale(file, holder);
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
      await writeFile(file, JSON.stringify(next));
    },
    async release() {
      if (!held) return;
      held = false;
      const current = await readInfo(file);
      if (current?.token === info.token) await rm(file, { force: true });
    },
  };
}
