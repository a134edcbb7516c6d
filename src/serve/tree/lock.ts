/**
 * Writers of one project serialise across processes (several `pyindex
 * serve` on one root, or the admin CLI next to a server) with a lock file
 * under `.pyindex/locks/`, created with O_CREAT|O_EXCL (`open(..., 'wx')`)
 * which exactly one process wins — no native addon, works on any local
 * filesystem. Inside one process, writers queue on a promise chain first, so
 * the file lock is only ever contended between processes.
 *
 * A holder killed with SIGKILL leaves its file behind: a waiter that finds
 * the holder's pid dead on this host breaks it by renaming it aside and
 * checking that what it moved carries the token it judged stale; if a live
 * lock slipped in between, it is put back with link(2), which never
 * overwrites (the same scheme as src/provision/venv-lock.ts).
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PyindexError } from '../../errors/index.js';

interface LockInfo {
  pid: number;
  host: string;
  token: string;
  started: string;
}

export interface LockOptions {
  timeoutMs?: number;
  pollMs?: number;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readInfo(file: string): Promise<LockInfo | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockInfo;
  } catch {
    return undefined; // missing, or between open and write: look again next poll
  }
}

async function tryCreate(file: string, info: LockInfo): Promise<boolean> {
  try {
    const h = await open(file, 'wx');
    try {
      await h.writeFile(JSON.stringify(info));
    } finally {
      await h.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new PyindexError('E_WRITE_FAILED', `cannot create the lock ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      hint: 'Check the permissions of the tree root.',
      cause: err,
    });
  }
}

async function breakStale(file: string, seen: LockInfo): Promise<void> {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(file, aside);
  } catch {
    return; // someone else moved it first
  }
  const moved = await readInfo(aside);
  if (moved?.token !== seen.token) await link(aside, file).catch(() => undefined);
  await rm(aside, { force: true });
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function acquireFileLock(file: string, o: LockOptions): Promise<() => Promise<void>> {
  const timeoutMs = o.timeoutMs ?? 60_000;
  const info: LockInfo = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex'), started: new Date().toISOString() };
  const deadline = Date.now() + timeoutMs;
  let poll = 2;
  for (;;) {
    if (await tryCreate(file, info)) break;
    const holder = await readInfo(file);
    if (holder && holder.host === info.host && !processAlive(holder.pid)) {
      await breakStale(file, holder);
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
  return async () => {
    const current = await readInfo(file);
    if (current?.token === info.token) await rm(file, { force: true });
  };
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
