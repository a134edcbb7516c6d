/**
 * Byte sources for reading archives in place. A wheel's METADATA is a few KiB
 * at the end of a file that can be hundreds of MiB, so readers ask for byte
 * ranges instead of whole files; the index client implements the same
 * interface with HTTP Range requests (PEP 658 is not served everywhere).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';

export interface RandomAccessSource {
  /** Total size in bytes. */
  readonly size: number;
  /** A label for error messages (a file name or URL). */
  readonly name: string;
  /**
   * Bytes `[offset, offset + length)`. May return fewer bytes only at the end
   * of the source; callers treat a short read as a truncated archive.
   */
  read(offset: number, length: number): Promise<Buffer>;
}

export interface FileSource extends RandomAccessSource {
  close(): Promise<void>;
}

/** A local file, read with positional reads on one open handle. */
export async function fileSource(path: string): Promise<FileSource> {
  const handle: FileHandle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    return {
      size,
      name: basename(path),
      async read(offset: number, length: number): Promise<Buffer> {
        const want = Math.max(0, Math.min(length, size - offset));
        const buf = Buffer.allocUnsafe(want);
        let got = 0;
        while (got < want) {
          const { bytesRead } = await handle.read(buf, got, want - got, offset + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        return got === want ? buf : buf.subarray(0, got);
      },
      close: () => handle.close(),
    };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** Runs `fn` with a file source and closes it afterwards, whatever happens. */
export async function withFileSource<T>(path: string, fn: (source: FileSource) => Promise<T>): Promise<T> {
  const source = await fileSource(path);
  try {
    return await fn(source);
  } finally {
    await source.close();
  }
}

/** An in-memory archive (a download already held in memory, or a test fixture). */
export function bufferSource(buf: Buffer, name = '<buffer>'): RandomAccessSource {
  return {
    size: buf.length,
    name,
    read: async (offset, length) => buf.subarray(offset, Math.min(buf.length, offset + length)),
  };
}
