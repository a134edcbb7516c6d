/**
 * A reproducible .tar.gz writer: the same entries give the same bytes on any
 * machine, whoever runs it, whatever the files' mtimes, owners or the umask.
 *
 * Tar headers are written by hand (POSIX.1-2001 ustar, with a pax `path`
 * record for names that do not fit) so that nothing is taken from the
 * environment: mtime is a fixed epoch, uid/gid 0, uname/gname empty, mode
 * 0644, entries in the caller's (sorted) order. This is the recipe of
 * reproducible-builds.org/docs/archives (`--sort=name --mtime --owner=0
 * --group=0 --numeric-owner`, `gzip -n`).
 *
 * The gzip member header (RFC 1952 §2.3) carries no name and MTIME 0 ("no
 * time stamp available"); its OS byte is what zlib was compiled for (3 on
 * Unix, 10 on Windows: zlib's zutil.h OS_CODE), so it is pinned to 3.
 * Caveat: the deflate stream itself is only as stable as the zlib build; the
 * same Node release gives the same bytes.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { PyindexError } from '../errors/index.js';
import { syncDirectory } from '../util/atomic-write.js';

/** 1980-01-01T00:00:00Z: the zip epoch that wheels use for reproducible builds (SOURCE_DATE_EPOCH=315532800). */
export const FIXED_MTIME = 315_532_800;
export const FILE_MODE = 0o644;
/** gzip OS byte for Unix (RFC 1952 §2.3.1). */
export const GZIP_OS_UNIX = 3;
const BLOCK = 512;

export interface TarEntry {
  /** Path inside the archive (forward slashes, relative). */
  name: string;
  size: number;
  /** The entry's bytes; must yield exactly `size` bytes. */
  data: () => AsyncIterable<Buffer>;
}

function octal(value: number, width: number): string {
  // width-1 digits then NUL, as GNU and BSD tar write numeric fields.
  const digits = value.toString(8);
  if (digits.length > width - 1) throw new PyindexError('E_INTERNAL', `tar field overflow: ${value} does not fit ${width - 1} octal digits`);
  return `${digits.padStart(width - 1, '0')}\0`;
}

function header(name: string, size: number, typeflag: string, prefix = ''): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(FILE_MODE, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(FIXED_MTIME, 12), 136, 'ascii');
  h.write(' '.repeat(8), 148, 'ascii');
  h.write(typeflag, 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write(octal(0, 8), 329, 'ascii');
  h.write(octal(0, 8), 337, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** ustar splits a long path at a '/' into prefix (≤ 155 bytes) and name (≤ 100 bytes). */
function ustarSplit(path: string): { prefix: string; name: string } | undefined {
  if (!/^[\x20-\x7e]*$/.test(path)) return undefined; // non-ASCII: use pax so the UTF-8 is explicit
  if (path.length <= 100) return { prefix: '', name: path };
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    if (i <= 155 && path.length - i - 1 <= 100 && path.length - i - 1 > 0) return { prefix: path.slice(0, i), name: path.slice(i + 1) };
  }
  return undefined;
}

/** A pax record "<len> path=<value>\n", where len counts the whole record (POSIX pax, "extended header"). */
function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  const bodyLength = Buffer.byteLength(body);
  let length = bodyLength + String(bodyLength).length;
  if (String(length).length !== String(bodyLength).length) length = bodyLength + String(length).length;
  return Buffer.from(`${length}${body}`, 'utf8');
}

/** The header block(s) of one regular file. */
export function fileHeader(path: string, size: number): Buffer {
  const split = ustarSplit(path);
  if (split) return header(split.name, size, '0', split.prefix);
  const record = paxRecord('path', path);
  const shortName = path.replace(/[^\x20-\x7e]/g, '_').slice(-100);
  return Buffer.concat([header(`PaxHeader/${basename(shortName)}`.slice(0, 100), record.length, 'x'), record, padding(record.length), header(shortName, size, '0')]);
}

/** The tar stream of `entries`, in order, ending with the two zero blocks. */
export async function* tarBlocks(entries: TarEntry[]): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    yield fileHeader(entry.name, entry.size);
    let written = 0;
    for await (const chunk of entry.data()) {
      written += chunk.length;
      if (written > entry.size) break;
      yield chunk;
    }
    if (written !== entry.size) {
      throw new PyindexError('E_HASH_MISMATCH', `${entry.name} changed while it was packed: expected ${entry.size} bytes, read ${written}`, {
        hint: 'Do not modify the wheelhouse while a bundle is written; run the command again.',
        details: { entry: entry.name },
      });
    }
    yield padding(entry.size);
  }
  yield Buffer.alloc(2 * BLOCK);
}

/**
 * Writes `entries` as a .tar.gz at `path`, atomically: a temp file beside it,
 * fsync, rename, fsync of the directory. On any failure (including an entry
 * that changed size while read) nothing is left at `path` or beside it.
 */
export async function writeTarGzAtomic(path: string, entries: TarEntry[]): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let renamed = false;
  try {
    const handle = await open(temp, 'wx', 0o666);
    try {
      // A fixed level (the XFL header byte follows it); 6, not 9: wheels are already deflated, 9 only costs time.
      let offset = 0;
      await pipeline(Readable.from(tarBlocks(entries)), createGzip({ level: 6 }), async (gzipped: AsyncIterable<Buffer>) => {
        for await (let chunk of gzipped) {
          // The gzip header's OS byte (offset 9) says which platform zlib was built for: pin it.
          if (offset <= 9 && offset + chunk.length > 9) {
            chunk = Buffer.from(chunk);
            chunk[9 - offset] = GZIP_OS_UNIX;
          }
          offset += chunk.length;
          await handle.write(chunk);
        }
      });
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    renamed = true;
    await syncDirectory(dirname(path));
  } catch (err) {
    if (!renamed) await unlink(temp).catch(() => undefined);
    if (err instanceof PyindexError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new PyindexError('E_WRITE_FAILED', code === 'ENOSPC' ? `no space left on the device to write ${path}` : `cannot write ${path}: ${code}`, {
      hint: code === 'ENOSPC' ? 'Free some disk space or write the bundle elsewhere (-o); nothing was left behind.' : 'Check that the directory exists and is writable.',
      cause: err,
      details: { file: path },
    });
  }
}
