/**
 * Telling whether a writer is still running, for the leftovers and locks
 * that name their writer's pid: temp files of a killed download, upload or
 * build, and lock files of a killed provision or tree write.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';

/** True while `pid` runs on this machine (EPERM: it runs, but as another user). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the entries of `dir` whose name matches `pattern` (capture group 1:
 * the writer's pid) and whose writer is gone; a live writer's are kept, and a
 * missing `dir` is fine. Returns the names removed.
 */
export async function removeLeftoversOfDeadWriters(dir: string, pattern: RegExp): Promise<string[]> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = pattern.exec(name)?.[1];
    if (pid === undefined || processAlive(Number(pid))) continue;
    await fsp.rm(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
