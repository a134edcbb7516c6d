/**
 * The METADATA file of a wheel, read in place (no extraction).
 * Spec: https://packaging.python.org/en/latest/specifications/binary-distribution-format/#the-dist-info-directory
 *
 * A wheel has one `{name}-{version}.dist-info/` directory at its root; its
 * name is escaped like the filename's, so we compare canonicalized names and
 * parsed versions rather than strings (`Foo.Bar-1.0` vs `foo_bar-1.0`).
 * pip accepts the single .dist-info directory whose name merely starts with
 * the project name; we first look for an exact name+version match and fall
 * back to the one directory with the right name, so a wheel whose dist-info
 * version is spelled differently (`1.0` vs `1.0.0`) still reads.
 */
import { PyindexError } from '../errors/index.js';
import { parseCoreMetadata, type CoreMetadata } from '../pep/metadata.js';
import { canonicalizeName } from '../pep/names.js';
import { Version } from '../pep/version.js';
import { parseWheelFilename, type WheelFilename } from '../pep/wheel-filename.js';
import { badArchive } from './entry-name.js';
import { openZip, readZipEntry, type OpenZipOptions, type RandomAccessSource } from './zip-reader.js';

export interface WheelMetadata {
  /** The METADATA file as text. */
  text: string;
  metadata: CoreMetadata;
  /** Member path, e.g. `foo_bar-1.0.dist-info/METADATA`. */
  path: string;
}

export interface ReadWheelMetadataOptions extends OpenZipOptions {
  /** Refuse METADATA larger than this (declared size). Default 16 MiB. */
  maxMetadataSize?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The `.dist-info` directory of `wheel` among the archive's top-level directories. */
export function findDistInfoDir(memberNames: Iterable<string>, wheel: WheelFilename): string {
  const dirs = new Set<string>();
  for (const n of memberNames) {
    const slash = n.indexOf('/');
    if (slash > 0 && n.slice(0, slash).endsWith('.dist-info')) dirs.add(n.slice(0, slash));
  }
  const parsed = [...dirs].map((dir) => {
    const stem = dir.slice(0, -'.dist-info'.length);
    const dash = stem.lastIndexOf('-');
    const name = dash === -1 ? stem : stem.slice(0, dash);
    const version = dash === -1 ? undefined : Version.tryParse(stem.slice(dash + 1));
    return { dir, canonical: canonicalizeName(name), version };
  });
  const sameName = parsed.filter((p) => p.canonical === wheel.canonicalName);
  const exact = sameName.filter((p) => p.version !== undefined && p.version.compare(wheel.version) === 0);
  const chosen = exact.length > 0 ? exact : sameName;
  const found = [...dirs].sort().map((d) => JSON.stringify(d)).join(', ') || 'none';
  if (chosen.length === 1) return (chosen[0] as { dir: string }).dir;
  if (chosen.length === 0) {
    throw badArchive(wheel.filename, `no .dist-info directory for ${wheel.canonicalName} ${wheel.version.toString()} (found: ${found})`, {
      hint: 'The wheel is malformed (its .dist-info directory must match the filename); rebuild it or use another release.',
    });
  }
  throw badArchive(wheel.filename, `several .dist-info directories match ${wheel.canonicalName} ${wheel.version.toString()} (${found})`, {
    hint: 'The wheel is malformed: a wheel has exactly one .dist-info directory.',
  });
}

/**
 * Reads `{name}-{version}.dist-info/METADATA` with (usually) two reads of
 * `source`: the tail for the central directory, then the member.
 */
export async function readWheelMetadata(
  source: RandomAccessSource,
  wheelFilename: string | WheelFilename,
  options: ReadWheelMetadataOptions = {},
): Promise<WheelMetadata> {
  const wheel = typeof wheelFilename === 'string' ? parseWheelFilename(wheelFilename) : wheelFilename;
  const zip = await openZip(source, options);
  const dir = findDistInfoDir(
    zip.entries.map((e) => e.name),
    wheel,
  );
  const path = `${dir}/METADATA`;
  const entry = zip.get(path);
  if (entry === undefined) throw badArchive(wheel.filename, `${dir}/ has no METADATA file`, { hint: 'The wheel is malformed; rebuild it or use another release.' });
  const bytes = await readZipEntry(zip, entry, { maxSize: options.maxMetadataSize ?? 16 * 1024 * 1024 });
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (cause) {
    throw new PyindexError('E_INVALID_METADATA', `${wheel.filename}: ${path} is not valid UTF-8`, {
      hint: 'Core metadata must be UTF-8; rebuild the wheel or use another release.',
      cause,
      details: { source: `${wheel.filename}/${path}` },
    });
  }
  return { text, metadata: parseCoreMetadata(text, `${wheel.filename}/${path}`), path };
}
