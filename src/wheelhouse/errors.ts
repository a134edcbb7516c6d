/**
 * Filesystem failures while filling a wheelhouse or the file cache, as
 * PyindexErrors. A full disk gets its own words: it is the common case on
 * build machines and the fix (free space) differs from a permission problem.
 */
import { PyindexError, isPyindexError } from '../errors/index.js';

export function writeFailed(path: string, err: unknown): PyindexError {
  if (isPyindexError(err)) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new PyindexError('E_WRITE_FAILED', `the disk is full (${code}) while writing ${path}; the partial file was removed`, {
      hint: 'Free space on that filesystem (or point --wheelhouse/--cache-dir elsewhere) and run the command again; files already fetched are kept.',
      cause: err,
      details: { file: path, code },
    });
  }
  return new PyindexError('E_WRITE_FAILED', `cannot write ${path}: ${code ?? String(err)}`, {
    hint: code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'Make the directory writable by this user, or choose another one.' : 'Check the directory and its filesystem.',
    cause: err,
    details: { file: path, code },
  });
}
