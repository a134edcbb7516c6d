/**
 * Streaming tar(.gz) reading for sdists, with the safety checks applied to
 * every member header before its data is looked at: unsafe names, member
 * count, and total declared size (a gzip bomb inflates to exactly what the tar
 * headers declare, since tar-stream reads no more than that per member).
 * Callers may stop early; the file and gunzip streams are torn down then.
 */
import { createReadStream } from 'node:fs';
import type tarStream from 'tar-stream';
import { isPyindexError } from '../errors/index.js';
import { assertSafeEntryName, badArchive } from './entry-name.js';
import { stream, zlib } from '../util/lazy-builtins.js';

export { sniffArchiveFormat, type ArchiveFormat } from './archive-format.js';

export interface TarLimits {
  /** Default 100 000. */
  maxEntries?: number;
  /** Sum of declared member sizes. Default 4 GiB. */
  maxTotalSize?: number;
}

export interface TarMember {
  header: tarStream.Header;
  /** The member data; read it (or not) before asking for the next member. */
  stream: AsyncIterable<Buffer>;
}

/**
 * Yields the members of a tar or tar.gz given as a path or buffer. Breaking
 * out of the loop stops reading the input.
 */
export async function* tarMembers(input: string | Buffer, archive: string, gzip: boolean, limits: TarLimits = {}): AsyncGenerator<TarMember> {
  const maxEntries = limits.maxEntries ?? 100_000;
  const maxTotal = limits.maxTotalSize ?? 4 * 1024 ** 3;
  const source = typeof input === 'string' ? createReadStream(input) : stream().Readable.from([input]);
  const { default: tarStreamModule } = await import('tar-stream');
  const extract = tarStreamModule.extract();
  const gunzip = gzip ? zlib().createGunzip() : undefined;
  const fail = (fact: string) => (cause: unknown) => extract.destroy(badArchive(archive, fact, { cause }));
  source.on('error', fail('could not read the file'));
  if (gunzip) {
    gunzip.on('error', fail('the gzip stream is corrupt or truncated'));
    source.pipe(gunzip).pipe(extract);
  } else {
    source.pipe(extract);
  }
  let count = 0;
  let total = 0;
  try {
    for await (const entry of extract) {
      const header = entry.header;
      count++;
      total += header.size ?? 0;
      if (count > maxEntries) throw badArchive(archive, `has more than ${maxEntries} members`);
      if (total > maxTotal) throw badArchive(archive, `declares more than ${maxTotal} bytes of member data (tar/gzip bomb?)`, { entry: header.name });
      assertSafeEntryName(archive, header.name);
      yield { header, stream: entry as AsyncIterable<Buffer> };
      entry.resume();
    }
  } catch (err) {
    if (isPyindexError(err)) throw err;
    throw badArchive(archive, `not a valid tar archive (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  } finally {
    source.destroy();
    gunzip?.destroy();
    extract.destroy();
  }
}

/** Reads a member fully, refusing more than `maxSize` bytes. */
export async function readMember(member: TarMember, archive: string, maxSize: number): Promise<Buffer> {
  const declared = member.header.size ?? 0;
  if (declared > maxSize) throw badArchive(archive, `declares ${declared} bytes, more than the limit of ${maxSize}`, { entry: member.header.name });
  const chunks: Buffer[] = [];
  let got = 0;
  for await (const chunk of member.stream) {
    got += chunk.length;
    if (got > maxSize) throw badArchive(archive, `is larger than the limit of ${maxSize} bytes`, { entry: member.header.name });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
