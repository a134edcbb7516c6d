/**
 * What a wheelhouse already holds of a plan. A file counts as present only
 * when its size matches and (with `hash`) its bytes re-hash to the locked
 * sha256: the manifest is a record, never the proof.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { PlannedFile } from './plan.js';

export interface WheelhouseCheck {
  present: PlannedFile[];
  missing: PlannedFile[];
  /** On disk under the right name but with the wrong size or hash. */
  mismatched: PlannedFile[];
}

/** sha256 of a file's bytes, streamed (wheels can be hundreds of MB). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), hash);
  return hash.digest('hex');
}

export type FileState = 'present' | 'missing' | 'mismatched';

/** The state of one planned file in `dir`; a non-regular file counts as mismatched. */
export async function checkFile(dir: string, file: PlannedFile, hash: boolean): Promise<FileState> {
  const path = join(dir, file.filename);
  let stat;
  try {
    stat = await fsp.stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  if (!stat.isFile() || stat.size !== file.size) return 'mismatched';
  if (hash && (await sha256File(path)) !== file.sha256) return 'mismatched';
  return 'present';
}

/** Parallelism for re-hashing: I/O bound on cold caches, CPU bound on warm ones. */
const CHECK_CONCURRENCY = 8;

export async function checkWheelhouse(dir: string, files: PlannedFile[], options: { hash: boolean }): Promise<WheelhouseCheck> {
  const states: FileState[] = new Array<FileState>(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      states[i] = await checkFile(dir, files[i] as PlannedFile, options.hash);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CHECK_CONCURRENCY, files.length) }, worker));
  const result: WheelhouseCheck = { present: [], missing: [], mismatched: [] };
  files.forEach((f, i) => result[states[i] as FileState].push(f));
  return result;
}
