/**
 * Removes upload temp files left in `.pyindex/tmp/` by a process that died
 * mid-upload (SIGKILL, power loss). Names start with the writer's pid
 * (`<pid>-upload-…`), so files of a live process — another server or CLI on
 * the same root — are kept. The tree never lists these files, so they were
 * never visible; this only reclaims the space.
 */
import { removeLeftoversOfDeadWriters } from '../../util/process.js';

/** Returns the names removed. */
export function sweepUploadTemps(tmpDir: string): Promise<string[]> {
  return removeLeftoversOfDeadWriters(tmpDir, /^(\d+)-upload-[0-9a-f]+\.part$/);
}
