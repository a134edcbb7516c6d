/**
 * A zip reader for wheels (PEP 427 makes a wheel a plain zip) and .zip sdists
 * that reads in place from a {@link RandomAccessSource}: one read of the tail
 * (End Of Central Directory + central directory, usually), then one read per
 * member. Format: PKWARE APPNOTE 6.3.x, https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT
 *
 * Everything that could make a member overrun memory or the file is checked
 * against the central directory BEFORE any data is inflated: unsafe names,
 * offsets outside the file or overlapping each other (the overlapping-file
 * zip bomb), member counts, declared sizes and compression ratios. Inflating
 * is then capped at the declared size, so a lying header cannot blow up.
 */
import { assertSafeEntryName, badArchive } from './entry-name.js';
import type { RandomAccessSource } from './random-access.js';
import { decodeCp437 } from './cp437.js';
import { zlib } from '../util/lazy-builtins.js';

export { bufferSource, fileSource, withFileSource, type FileSource, type RandomAccessSource } from './random-access.js';

export interface ZipEntry {
  /** The member path, decoded as UTF-8 (flag bit 11) or CP437, as Python's zipfile does. */
  name: string;
  /** Length of the name in bytes as stored (CP437 names differ from their UTF-8 length). */
  rawNameLength: number;
  compressedSize: number;
  uncompressedSize: number;
  /** 0 stored, 8 deflate; anything else is refused when read. */
  method: number;
  /** Absolute offset of the local file header (already corrected for prepended data). */
  localHeaderOffset: number;
  crc32: number;
  /** General purpose bit flags (bit 0 = encrypted). */
  flags: number;
  /** Unix mode from the external attributes when the archive was made on Unix, else 0. */
  mode: number;
  isDirectory: boolean;
  isSymlink: boolean;
}

export interface ZipArchive {
  readonly source: RandomAccessSource;
  readonly entries: readonly ZipEntry[];
  /** The member called `name` (the last one, like Python, if names repeat). */
  get(name: string): ZipEntry | undefined;
  /** Where member data must end: the start of the central directory. */
  readonly dataEnd: number;
  /** The tail bytes read by {@link openZip}; members inside it need no further read. */
  readonly tail: { offset: number; bytes: Buffer };
}

export interface OpenZipOptions {
  /** How many bytes to read from the end at first (one HTTP suffix Range). Default 64 KiB. */
  tailBytes?: number;
  /** Refuse archives with more members than this. Default 100 000. */
  maxEntries?: number;
}

export interface ReadEntryOptions {
  /** Refuse members whose declared uncompressed size is larger. Default 64 MiB. */
  maxSize?: number;
  /** Refuse members above 1 MiB that claim a higher uncompressed/compressed ratio. Default 200. */
  maxRatio?: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const EOCD_SIZE = 22;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIZE = 56;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
const MAX_COMMENT = 0xffff;
/** Local extra fields are usually ≤ 32 bytes; reading a little more saves a second read. */
const LOCAL_EXTRA_SLACK = 256;
const RATIO_FLOOR = 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bit 11 (APPNOTE 4.4.4) marks UTF-8 names; otherwise the name is CP437. */
function decodeName(raw: Buffer, flags: number): string | undefined {
  if (!(flags & 0x800)) return decodeCp437(raw);
  try {
    return utf8.decode(raw);
  } catch {
    return undefined;
  }
}

async function readExact(source: RandomAccessSource, offset: number, length: number, what: string): Promise<Buffer> {
  if (offset < 0 || offset + length > source.size) {
    throw badArchive(source.name, `${what} lies outside the file (bytes ${offset}..${offset + length} of ${source.size})`);
  }
  const buf = await source.read(offset, length);
  if (buf.length !== length) throw badArchive(source.name, `truncated: ${what} is cut short`);
  return buf;
}

function u64(buf: Buffer, at: number, archive: string): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw badArchive(archive, 'a ZIP64 size or offset is absurdly large');
  return Number(v);
}

/** Finds the EOCD record scanning backwards, preferring one whose comment ends exactly at EOF. */
function findEocd(tail: Buffer, tailOffset: number, size: number): number | undefined {
  let fallback: number | undefined;
  const stop = Math.max(0, tail.length - EOCD_SIZE - MAX_COMMENT);
  for (let i = tail.length - EOCD_SIZE; i >= stop; i--) {
    if (tail.readUInt32LE(i) !== SIG_EOCD) continue;
    const end = tailOffset + i + EOCD_SIZE + tail.readUInt16LE(i + 20);
    if (end === size) return i;
    if (end < size && fallback === undefined) fallback = i;
  }
  return fallback;
}

/** Reads the central directory of a zip without touching member data. */
export async function openZip(source: RandomAccessSource, options: OpenZipOptions = {}): Promise<ZipArchive> {
  const archive = source.name;
  const maxEntries = options.maxEntries ?? 100_000;
  if (source.size < EOCD_SIZE) throw badArchive(archive, `not a zip file (${source.size} bytes, too short for an end of central directory record)`);

  let tailLen = Math.min(source.size, Math.max(options.tailBytes ?? 64 * 1024, EOCD_SIZE + ZIP64_LOCATOR_SIZE));
  let tailOffset = source.size - tailLen;
  let tail = await readExact(source, tailOffset, tailLen, 'the end of the archive');
  let eocd = findEocd(tail, tailOffset, source.size);
  const fullSearch = Math.min(source.size, EOCD_SIZE + MAX_COMMENT + ZIP64_LOCATOR_SIZE + ZIP64_EOCD_SIZE);
  if (eocd === undefined && tailLen < fullSearch) {
    // A long archive comment pushed the record out of the first read.
    tailLen = fullSearch;
    tailOffset = source.size - tailLen;
    tail = await readExact(source, tailOffset, tailLen, 'the end of the archive');
    eocd = findEocd(tail, tailOffset, source.size);
  }
  if (eocd === undefined) throw badArchive(archive, 'not a zip file (no end of central directory record)', { hint: 'The file is not a wheel/zip or it is truncated; download it again.' });

  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  let cdEnd = tailOffset + eocd;

  // ZIP64 (APPNOTE 4.3.14/4.3.15): the locator sits right before the EOCD and
  // the ZIP64 EOCD right before the locator (Python's zipfile assumes the same).
  const locAt = tailOffset + eocd - ZIP64_LOCATOR_SIZE;
  if (locAt >= 0) {
    const loc = locAt >= tailOffset ? tail.subarray(locAt - tailOffset, locAt - tailOffset + ZIP64_LOCATOR_SIZE) : await readExact(source, locAt, ZIP64_LOCATOR_SIZE, 'the ZIP64 locator');
    if (loc.readUInt32LE(0) === SIG_ZIP64_LOCATOR) {
      const recAt = locAt - ZIP64_EOCD_SIZE;
      const rec = recAt >= tailOffset ? tail.subarray(recAt - tailOffset, recAt - tailOffset + ZIP64_EOCD_SIZE) : await readExact(source, recAt, ZIP64_EOCD_SIZE, 'the ZIP64 end of central directory record');
      if (recAt < 0 || rec.readUInt32LE(0) !== SIG_ZIP64_EOCD) throw badArchive(archive, 'ZIP64 locator present but the ZIP64 end of central directory record is missing');
      count = u64(rec, 32, archive);
      cdSize = u64(rec, 40, archive);
      cdOffset = u64(rec, 48, archive);
      cdEnd = recAt;
    }
  }

  if (count > maxEntries) throw badArchive(archive, `has ${count} members, more than the limit of ${maxEntries}`);
  // Data prepended to the zip (self-extractors) shifts every offset; Python's
  // zipfile corrects by the same "concat" amount.
  const concat = cdEnd - cdSize - cdOffset;
  if (concat < 0) throw badArchive(archive, `truncated or corrupt: the central directory (offset ${cdOffset}, ${cdSize} bytes) runs past its end record`);
  const cdStart = cdOffset + concat;
  if (cdSize < count * CENTRAL_SIZE) throw badArchive(archive, `the central directory (${cdSize} bytes) is too small for ${count} members`);

  const cd = cdStart >= tailOffset ? tail.subarray(cdStart - tailOffset, cdStart - tailOffset + cdSize) : await readExact(source, cdStart, cdSize, 'the central directory');
  const entries = parseCentralDirectory(cd, count, concat, cdStart, archive);
  checkLayout(entries, cdStart, archive);

  const byName = new Map<string, ZipEntry>();
  for (const e of entries) byName.set(e.name, e);
  return {
    source,
    entries,
    get: (name) => byName.get(name),
    dataEnd: cdStart,
    tail: { offset: tailOffset, bytes: tail },
  };
}

function parseCentralDirectory(cd: Buffer, count: number, concat: number, cdStart: number, archive: string): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + CENTRAL_SIZE > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL) {
      throw badArchive(archive, `corrupt central directory (member ${i + 1} of ${count} is missing or malformed)`);
    }
    const madeBy = cd.readUInt16LE(p + 4);
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    const crc = cd.readUInt32LE(p + 16);
    let compressedSize = cd.readUInt32LE(p + 20);
    let uncompressedSize = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const externalAttrs = cd.readUInt32LE(p + 38);
    let localHeaderOffset = cd.readUInt32LE(p + 42);
    const recordEnd = p + CENTRAL_SIZE + nameLen + extraLen + commentLen;
    if (recordEnd > cd.length) throw badArchive(archive, `corrupt central directory (member ${i + 1} runs past its end)`);
    const rawName = cd.subarray(p + CENTRAL_SIZE, p + CENTRAL_SIZE + nameLen);
    const name = decodeName(rawName, flags);
    if (name === undefined) throw badArchive(archive, `member ${i + 1} has a name flagged UTF-8 that is not valid UTF-8`);

    // ZIP64 extended information (APPNOTE 4.5.3): only the fields whose
    // 32-bit value is 0xFFFFFFFF are present, in this order.
    const extra = cd.subarray(p + CENTRAL_SIZE + nameLen, p + CENTRAL_SIZE + nameLen + extraLen);
    for (let q = 0; q + 4 <= extra.length; ) {
      const id = extra.readUInt16LE(q);
      const len = extra.readUInt16LE(q + 2);
      if (id === 0x0001) {
        let r = q + 4;
        const need = (cond: boolean): boolean => {
          if (!cond) return false;
          if (r + 8 > q + 4 + len) throw badArchive(archive, 'corrupt ZIP64 extra field', { entry: name });
          return true;
        };
        if (need(uncompressedSize === 0xffffffff)) { uncompressedSize = u64(extra, r, archive); r += 8; }
        if (need(compressedSize === 0xffffffff)) { compressedSize = u64(extra, r, archive); r += 8; }
        if (need(localHeaderOffset === 0xffffffff)) { localHeaderOffset = u64(extra, r, archive); r += 8; }
      }
      q += 4 + len;
    }

    assertSafeEntryName(archive, name);
    const mode = madeBy >> 8 === 3 ? externalAttrs >>> 16 : 0;
    entries.push({
      name,
      rawNameLength: nameLen,
      compressedSize,
      uncompressedSize,
      method,
      localHeaderOffset: localHeaderOffset + concat,
      crc32: crc,
      flags,
      mode,
      isDirectory: name.endsWith('/'),
      isSymlink: (mode & 0o170000) === 0o120000,
    });
    p = recordEnd;
  }
  return entries;
}

/** Every member's local header + data must lie before the central directory and not overlap another's. */
function checkLayout(entries: ZipEntry[], cdStart: number, archive: string): void {
  const sorted = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  let prevEnd = 0;
  let prevName: string | undefined;
  for (const e of sorted) {
    const minEnd = e.localHeaderOffset + LOCAL_SIZE + e.rawNameLength + e.compressedSize;
    if (e.localHeaderOffset < 0 || minEnd > cdStart) {
      throw badArchive(archive, `member data (offset ${e.localHeaderOffset}, ${e.compressedSize} bytes) lies outside the archive's data area (0..${cdStart}); the file is truncated or corrupt`, { entry: e.name });
    }
    if (e.localHeaderOffset < prevEnd) {
      throw badArchive(archive, `member overlaps ${JSON.stringify(prevName)} (overlapping members are how some zip bombs multiply their size)`, { entry: e.name });
    }
    prevEnd = minEnd;
    prevName = e.name;
  }
}

/** Reads and decompresses one member, verifying its size and CRC-32. */
export async function readZipEntry(zip: ZipArchive, entry: ZipEntry, options: ReadEntryOptions = {}): Promise<Buffer> {
  const archive = zip.source.name;
  const fail = (fact: string, hint?: string) => badArchive(archive, fact, { entry: entry.name, ...(hint === undefined ? {} : { hint }) });
  const maxSize = options.maxSize ?? 64 * 1024 * 1024;
  const maxRatio = options.maxRatio ?? 200;
  if (entry.flags & 0x1) throw fail('the member is encrypted');
  if (entry.method !== 0 && entry.method !== 8) throw fail(`unsupported compression method ${entry.method} (only stored and deflate are allowed in wheels)`);
  if (entry.uncompressedSize > maxSize) throw fail(`declares ${entry.uncompressedSize} uncompressed bytes, more than the limit of ${maxSize}`);
  if (entry.uncompressedSize > RATIO_FLOOR && entry.uncompressedSize > maxRatio * Math.max(1, entry.compressedSize)) {
    throw fail(`declares a compression ratio of ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))}:1, above the limit of ${maxRatio}:1 (zip bomb?)`);
  }
  if (entry.method === 0 && entry.compressedSize !== entry.uncompressedSize) throw fail('a stored member whose compressed and uncompressed sizes differ');

  // One read covering the local header, a guess at its extra field and the data.
  const start = entry.localHeaderOffset;
  const guess = Math.min(zip.dataEnd - start, LOCAL_SIZE + entry.rawNameLength + LOCAL_EXTRA_SLACK + entry.compressedSize);
  let chunk = await readRange(zip, start, guess);
  if (chunk.readUInt32LE(0) !== SIG_LOCAL) throw fail('no local file header where the central directory points');
  const nameLen = chunk.readUInt16LE(26);
  const extraLen = chunk.readUInt16LE(28);
  const dataStart = LOCAL_SIZE + nameLen + extraLen;
  if (start + dataStart + entry.compressedSize > zip.dataEnd) throw fail('member data runs into the central directory');
  const localFlags = chunk.readUInt16LE(6);
  const localName = chunk.subarray(LOCAL_SIZE, Math.min(chunk.length, LOCAL_SIZE + nameLen));
  if (decodeName(localName, localFlags) !== entry.name) throw fail('the local header names a different file than the central directory');
  if (chunk.length < dataStart + entry.compressedSize) chunk = await readRange(zip, start, dataStart + entry.compressedSize);
  const data = chunk.subarray(dataStart, dataStart + entry.compressedSize);

  let out: Buffer;
  if (entry.method === 0) {
    out = data;
  } else {
    try {
      // Cap output at the declared size: a member that inflates to more is
      // refused without ever allocating the excess.
      out = zlib().inflateRawSync(data, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
    } catch (cause) {
      const tooBig = cause instanceof RangeError || (cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
      throw badArchive(archive, tooBig ? `inflates to more than its declared ${entry.uncompressedSize} bytes` : 'the deflate stream is corrupt', { entry: entry.name, cause });
    }
  }
  if (out.length !== entry.uncompressedSize) throw fail(`inflates to ${out.length} bytes but declares ${entry.uncompressedSize}`);
  if ((zlib().crc32(out) >>> 0) !== entry.crc32) throw fail('CRC-32 mismatch: the member is corrupt');
  return out;
}

async function readRange(zip: ZipArchive, offset: number, length: number): Promise<Buffer> {
  const { offset: tOff, bytes } = zip.tail;
  if (offset >= tOff && offset + length <= tOff + bytes.length) return bytes.subarray(offset - tOff, offset - tOff + length);
  return readExact(zip.source, offset, length, 'member data');
}
