/**
 * Reading an sdist's PKG-INFO without unpacking it.
 * Spec: https://packaging.python.org/en/latest/specifications/source-distribution-format/
 * — an sdist holds one top-level `{name}-{version}/` directory with
 * `PKG-INFO` in it. Old sdists name that directory differently from the
 * file (unnormalized name or version), so we take the PKG-INFO of the
 * expected directory when present and otherwise the first one found exactly
 * one level deep (never `foo.egg-info/PKG-INFO`, which is two levels deep).
 *
 * Whether the PKG-INFO can stand in for the built wheel's metadata is the
 * caller's decision (`requiresDistIsDynamic`, PEP 643).
 */
import { canonicalizeName } from '../pep/names.js';
import { parseSdistFilename, type SdistFilename } from '../pep/sdist-filename.js';
import { Version } from '../pep/version.js';
import { badArchive, normalizeEntryName } from './entry-name.js';
import { sdistFormat, unsupportedFormat } from './archive-format.js';
import { readMember, tarMembers, type TarLimits } from './tar-reader.js';
import { bufferSource, fileSource, openZip, readZipEntry, type RandomAccessSource } from './zip-reader.js';

export interface ReadSdistOptions extends TarLimits {
  /** Refuse a PKG-INFO larger than this. Default 16 MiB. */
  maxPkgInfoSize?: number;
}

export { extractSdist, type ExtractOptions, type ExtractResult } from './extract.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether a top-level directory name is the sdist's `{name}-{version}`. */
function isExpectedBase(dir: string, sdist: SdistFilename): boolean {
  if (dir === sdist.filename.slice(0, sdist.filename.length - sdist.extension.length)) return true;
  const dash = dir.lastIndexOf('-');
  if (dash <= 0) return false;
  const v = Version.tryParse(dir.slice(dash + 1));
  return canonicalizeName(dir.slice(0, dash)) === sdist.canonicalName && v !== undefined && v.compare(sdist.version) === 0;
}

/** `dir` when `name` is `dir/PKG-INFO` (one level deep), else undefined. */
function pkgInfoDir(name: string): string | undefined {
  const parts = normalizeEntryName(name).split('/');
  return parts.length === 2 && parts[1] === 'PKG-INFO' ? parts[0] : undefined;
}

function decode(bytes: Buffer, archive: string, entry: string): string {
  try {
    return utf8.decode(bytes);
  } catch (cause) {
    throw badArchive(archive, 'PKG-INFO is not valid UTF-8', { entry, cause, hint: 'Core metadata must be UTF-8; the sdist is broken.' });
  }
}

/**
 * The text of `{base}/PKG-INFO`, or `undefined` when the sdist has none.
 * `.tar.gz` is streamed and reading stops at the expected PKG-INFO.
 */
export async function readSdistPkgInfo(input: string | Buffer, sdistFilename: string | SdistFilename, options: ReadSdistOptions = {}): Promise<string | undefined> {
  const sdist = typeof sdistFilename === 'string' ? parseSdistFilename(sdistFilename) : sdistFilename;
  const archive = sdist.filename;
  const maxSize = options.maxPkgInfoSize ?? 16 * 1024 * 1024;
  const format = await sdistFormat(input);

  if (format === 'zip') {
    const file = Buffer.isBuffer(input) ? undefined : await fileSource(input);
    const source: RandomAccessSource = file ? { size: file.size, name: archive, read: (o, l) => file.read(o, l) } : bufferSource(input as Buffer, archive);
    try {
      const zip = await openZip(source, options);
      const candidates = zip.entries.filter((e) => !e.isDirectory && pkgInfoDir(e.name) !== undefined);
      const entry = candidates.find((e) => isExpectedBase(pkgInfoDir(e.name) as string, sdist)) ?? candidates[0];
      return entry === undefined ? undefined : decode(await readZipEntry(zip, entry, { maxSize }), archive, entry.name);
    } finally {
      await file?.close();
    }
  }
  if (format !== 'gzip' && format !== 'tar') throw unsupportedFormat(archive, format);

  let fallback: string | undefined;
  for await (const member of tarMembers(input, archive, format === 'gzip', options)) {
    const type = member.header.type ?? 'file';
    if (type !== 'file' && type !== 'contiguous-file') continue;
    const dir = pkgInfoDir(member.header.name);
    if (dir === undefined) continue;
    const text = decode(await readMember(member, archive, maxSize), archive, member.header.name);
    if (isExpectedBase(dir, sdist)) return text;
    fallback ??= text;
  }
  return fallback;
}
