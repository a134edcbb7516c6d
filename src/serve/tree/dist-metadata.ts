/**
 * The PEP 658 `.metadata` file served next to a distribution, and the facts
 * the index pages need from it (display name, Requires-Python).
 *
 * - Wheel: its `.dist-info/METADATA`, byte for byte (PEP 658 says the file
 *   served is the wheel's METADATA).
 * - Sdist: PKG-INFO only when Metadata-Version >= 2.2 (PEP 643): before 2.2
 *   an sdist's PKG-INFO may disagree with the wheel a build produces, so an
 *   installer must not take it as the distribution's metadata.
 */
import { readWheelMetadata } from '../../archive/wheel-metadata.js';
import { readSdistPkgInfo } from '../../archive/sdist.js';
import { bufferSource, withFileSource } from '../../archive/zip-reader.js';
import { isReadableSdistExtension, sdistExtension } from '../../pep/sdist-filename.js';
import { parseCoreMetadata, type CoreMetadata } from '../../pep/metadata.js';
import { PyindexError } from '../../errors/index.js';
import type { DistFilename } from './layout.js';

export interface DistMetadata {
  /** Bytes to serve as `<filename>.metadata`, or undefined when the distribution has none to offer. */
  bytes: Buffer | undefined;
  metadata: CoreMetadata | undefined;
}

/** "2.2" → true for >= 2.2; anything unparseable counts as older. */
export function metadataVersionAtLeast(version: string, major: number, minor: number): boolean {
  const m = /^\s*(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj > major || (maj === major && min >= minor);
}

function checkAgrees(dist: DistFilename, meta: CoreMetadata): void {
  if (meta.canonicalName !== dist.project || meta.version.compare(dist.version) !== 0) {
    throw new PyindexError('E_INVALID_METADATA', `${dist.filename}: its metadata names ${meta.name} ${meta.version.toString()}, the filename ${dist.project} ${dist.version.toString()}`, {
      hint: 'Rebuild the distribution: its metadata and filename must agree.',
      details: { filename: dist.filename },
    });
  }
}

/**
 * Metadata of a distribution: from `given` (the uploader's METADATA bytes)
 * or read from the archive. Throws when a wheel has no readable METADATA or
 * any metadata disagrees with the filename.
 */
export async function distMetadata(dist: DistFilename, content: Buffer | string, given?: Buffer): Promise<DistMetadata> {
  let text: string | undefined;
  if (given !== undefined) text = given.toString('utf8');
  else if (dist.kind === 'wheel') {
    const read = Buffer.isBuffer(content)
      ? await readWheelMetadata(bufferSource(content, dist.filename), dist.filename)
      : await withFileSource(content, (src) => readWheelMetadata(src, dist.filename));
    text = read.text;
  } else {
    const ext = sdistExtension(dist.filename);
    if (ext !== undefined && isReadableSdistExtension(ext)) text = await readSdistPkgInfo(content, dist.filename);
  }
  if (text === undefined) return { bytes: undefined, metadata: undefined };
  const metadata = parseCoreMetadata(text, `${dist.filename}/${dist.kind === 'wheel' ? 'METADATA' : 'PKG-INFO'}`);
  checkAgrees(dist, metadata);
  const servable = dist.kind === 'wheel' || metadataVersionAtLeast(metadata.metadataVersion, 2, 2);
  return { bytes: servable ? (given ?? Buffer.from(text, 'utf8')) : undefined, metadata };
}
