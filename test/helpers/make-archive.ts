/**
 * Builds zip and tar archives byte by byte for tests, including the
 * malicious shapes no well-behaved tool writes: lying sizes (zip bombs),
 * traversal names, overlapping members, ZIP64 records, device files.
 * Well-formed real archives come from Python (see `pythonArchives`).
 */
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';

export interface ZipMemberSpec {
  name: string;
  data?: Buffer | string;
  /** 0 stored, 8 deflate (default). */
  method?: number;
  /** Lie about the uncompressed size in both headers. */
  declaredSize?: number;
  /** Lie about the CRC. */
  crc?: number;
  /** Unix mode (e.g. 0o120777 for a symlink). */
  mode?: number;
  /** Write sizes/offset as 0xFFFFFFFF with a ZIP64 extra field. */
  zip64?: boolean;
  /** Override the central directory's local header offset. */
  offset?: number;
  /** Name flagged as UTF-8 (bit 11). Default true when non-ASCII. */
  utf8?: boolean;
  /** Extra bytes in the local header's extra field. */
  localExtra?: Buffer;
}

export interface ZipSpec {
  /** Write ZIP64 end of central directory record + locator. */
  zip64Eocd?: boolean;
  comment?: string;
  /** Bytes before the first local header (like a self-extractor stub). */
  prefix?: Buffer;
  /** Override the entry count in the end record. */
  declaredCount?: number;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}
function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

export function makeZip(members: ZipMemberSpec[], spec: ZipSpec = {}): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = spec.prefix?.length ?? 0;
  if (spec.prefix) parts.push(spec.prefix);
  for (const m of members) {
    const raw = Buffer.isBuffer(m.data) ? m.data : Buffer.from(m.data ?? '', 'utf8');
    const method = m.method ?? 8;
    const body = method === 8 ? deflateRawSync(raw) : raw;
    const name = Buffer.from(m.name, 'utf8');
    const utf8 = m.utf8 ?? [...m.name].some((c) => c.charCodeAt(0) > 0x7f);
    const flags = utf8 ? 0x800 : 0;
    const crc = m.crc ?? crc32(raw) >>> 0;
    const usize = m.declaredSize ?? raw.length;
    const zip64Extra = m.zip64 ? Buffer.concat([u16(1), u16(24), u64(usize), u64(body.length), u64(m.offset ?? offset)]) : Buffer.alloc(0);
    const localExtra = Buffer.concat([m.zip64 ? Buffer.concat([u16(1), u16(16), u64(usize), u64(body.length)]) : Buffer.alloc(0), m.localExtra ?? Buffer.alloc(0)]);
    const fields = (c: number, u: number) => Buffer.concat([u16(20), u16(flags), u16(method), u16(0), u16(0x21), u32(crc), u32(c), u32(u)]);
    const local = Buffer.concat([
      u32(0x04034b50),
      fields(m.zip64 ? 0xffffffff : body.length, m.zip64 ? 0xffffffff : usize),
      u16(name.length),
      u16(localExtra.length),
      name,
      localExtra,
    ]);
    central.push(
      Buffer.concat([
        u32(0x02014b50),
        u16((3 << 8) | 20),
        fields(m.zip64 ? 0xffffffff : body.length, m.zip64 ? 0xffffffff : usize),
        u16(name.length),
        u16(zip64Extra.length),
        u16(0),
        u16(0),
        u16(0),
        u32((m.mode ?? 0o100644) * 0x10000),
        u32(m.zip64 ? 0xffffffff : (m.offset ?? offset)),
        name,
        zip64Extra,
      ]),
    );
    parts.push(local, body);
    offset += local.length + body.length;
  }
  const cd = Buffer.concat(central);
  const cdOffset = offset;
  const count = spec.declaredCount ?? members.length;
  const comment = Buffer.from(spec.comment ?? '', 'utf8');
  parts.push(cd);
  if (spec.zip64Eocd) {
    const recAt = cdOffset + cd.length;
    parts.push(Buffer.concat([u32(0x06064b50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(count), u64(count), u64(cd.length), u64(cdOffset)]));
    parts.push(Buffer.concat([u32(0x07064b50), u32(0), u64(recAt), u32(1)]));
    parts.push(Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(0xffff), u16(0xffff), u32(0xffffffff), u32(0xffffffff), u16(comment.length), comment]));
  } else {
    parts.push(Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(count), u16(count), u32(cd.length), u32(cdOffset), u16(comment.length), comment]));
  }
  return Buffer.concat(parts);
}

export interface TarMemberSpec {
  name: string;
  data?: Buffer | string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  linkname?: string;
  mode?: number;
}

/** A tar (optionally gzipped) made with tar-stream's packer. */
export async function makeTar(members: TarMemberSpec[], { gzip = true } = {}): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  })();
  for (const m of members) {
    const type = m.type ?? 'file';
    const data = type === 'file' ? (Buffer.isBuffer(m.data) ? m.data : Buffer.from(m.data ?? '', 'utf8')) : undefined;
    await new Promise<void>((resolve, reject) => {
      const header = { name: m.name, type, mode: m.mode ?? (type === 'directory' ? 0o755 : 0o644), linkname: m.linkname ?? '', size: data?.length ?? 0 };
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (data) pack.entry(header, data, cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
  const tar = Buffer.concat(chunks);
  return gzip ? gzipSync(tar) : tar;
}

/** Counts reads and bytes read through a source, to check that readers stay cheap. */
export function countingSource<S extends { read(offset: number, length: number): Promise<Buffer> }>(source: S): S & { reads: number; bytes: number } {
  const counted = Object.assign(Object.create(source) as S, { reads: 0, bytes: 0 });
  counted.read = async (offset: number, length: number) => {
    counted.reads++;
    const b = await source.read(offset, length);
    counted.bytes += b.length;
    return b;
  };
  return counted;
}
