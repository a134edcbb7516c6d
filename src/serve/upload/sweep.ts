/**
 * Removes upload temp files left in `.pyindex/tmp/` by a process that died
 * mid-upload (SIGKILL, power loss). Names start with the writer's pid
 * (`<pid>-upload-…`), so files of a live process — another server or CLI on
 * the same root — are kept. The tree never lists these files, so they were
 * never visible; this only reclaims the space.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Returns the names removed. */
export async function sweepUploadTemps(tmpDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fsp.readdir(tmpDir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = /^(\d+)-upload-[0-9a-f]+\.part$/.exec(name);
    if (m === null || alive(Number(m[1]))) continue;
    await fsp.rm(join(tmpDir, name), { force: true });
    removed.push(name);
  }
  return removed;
}
