/**
 * Writers of one project serialise across processes (several `pyindex
 * serve` on one root, or the admin CLI next to a server) with a lock file
 * under `.pyindex/locks/` (src/util/pid-lock.ts: created atomically, stale locks
 * of dead holders broken safely). Inside one process, writers queue on a
 * promise chain first, so the file lock is only ever contended between
 * processes.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PyindexError } from '../../errors/index.js';
import { breakStaleLock, newLockInfo, readLockInfo, releaseLock, tryCreateLock } from '../../util/pid-lock.js';
import { processAlive } from '../../util/process.js';

export interface LockOptions {
  timeoutMs?: number;
  pollMs?: number;
}

const CREATE_HINT = 'Check the permissions of the tree root.';
const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function acquireFileLock(file: string, o: LockOptions): Promise<() => Promise<void>> {
  const timeoutMs = o.timeoutMs ?? 60_000;
  const info = newLockInfo();
  const deadline = Date.now() + timeoutMs;
  let poll = 2;
  for (;;) {
    if (await tryCreateLock(file, info, CREATE_HINT)) break;
    const holder = await readLockInfo(file);
    if (holder && holder.host === info.host && !processAlive(holder.pid)) {
      await breakStaleLock(file, holder);
      continue;
    }
    if (Date.now() > deadline) {
      throw new PyindexError('E_TREE_BUSY', `${file} is held by ${holder ? `pid ${holder.pid} on ${holder.host} since ${holder.started}` : 'another process'}; waited ${Math.round(timeoutMs / 1000)}s`, {
        hint: 'Another pyindex process is writing this project; if it is gone (e.g. on another host), delete the lock file.',
        details: { file, holder },
      });
    }
    // Writes take milliseconds: start polling fast, back off to pollMs.
    await delay(poll);
    poll = Math.min(poll * 2, o.pollMs ?? 50);
  }
  return () => releaseLock(file, info);
}

/** Per-key mutual exclusion within this process and across processes sharing `locksDir`. */
export class KeyedLock {
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly locksDir: string,
    private readonly options: LockOptions = {},
  ) {}

  async with<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(async () => {
      await mkdir(this.locksDir, { recursive: true });
      const release = await acquireFileLock(join(this.locksDir, `${key}.lock`), this.options);
      try {
        return await fn();
      } finally {
        await release();
      }
    });
    this.chains.set(key, run);
    try {
      return await run;
    } finally {
      if (this.chains.get(key) === run) this.chains.delete(key);
    }
  }
}
