/**
 * Which kind of archive a file is, from its magic bytes: old sdists' file
 * extensions lie too often (a ".tar.gz" that is a plain tar, a ".zip" that is
 * a tarball) to trust them.
 */
import { open } from 'node:fs/promises';
import { badArchive } from './entry-name.js';

export type ArchiveFormat = 'zip' | 'tar' | 'gzip' | 'bzip2' | 'xz' | 'unknown';

export function sniffArchiveFormat(head: Buffer): ArchiveFormat {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) return 'zip';
  // An empty zip starts with its EOCD record.
  if (head.length >= 4 && head.readUInt32LE(0) === 0x06054b50) return 'zip';
  if (head.length >= 3 && head.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  return 'unknown';
}

/** The archive format of an sdist at `input`, from its first bytes. */
export async function sdistFormat(input: string | Buffer): Promise<ArchiveFormat> {
  if (Buffer.isBuffer(input)) return sniffArchiveFormat(input.subarray(0, 512));
  const fh = await open(input, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await fh.read(head, 0, 512, 0);
    return sniffArchiveFormat(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

export function unsupportedFormat(archive: string, format: ArchiveFormat): Error {
  return badArchive(archive, format === 'bzip2' || format === 'xz' ? `${format}-compressed sdists cannot be read (Node has no ${format} decompressor)` : 'not a tar, tar.gz or zip archive', {
    hint: format === 'bzip2' || format === 'xz' ? 'Use a wheel or a .tar.gz sdist of this project.' : 'The file is corrupt or not an sdist; download it again.',
  });
}

