/**
 * What an sdist needs installed to be built: the `[build-system] requires`
 * of its `pyproject.toml` (PEP 518, https://peps.python.org/pep-0518/),
 * read straight from the archive without unpacking it. The lock resolves
 * these (wheels only) so that `pyindex fetch` can build the sdist offline.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sdistFormat, unsupportedFormat } from '../archive/archive-format.js';
import { normalizeEntryName } from '../archive/entry-name.js';
import { readMember, tarMembers } from '../archive/tar-reader.js';
import { bufferSource, openZip, readZipEntry } from '../archive/zip-reader.js';
import { parseBuildSystem } from '../index/build-system.js';
import type { HttpClient } from '../index/http.js';
import { verifyHashes } from '../index/metadata.js';

/**
 * pip's fallback when an sdist has no pyproject.toml, or one without
 * `[build-system] requires`: setuptools' legacy backend with
 * `setuptools>=40.8.0` (pip ≥ 23.1, src/pip/_internal/pyproject.py). pips
 * before 23.1 ask for `wheel` too, and setuptools < 70.1 needs `wheel` to
 * build a wheel at all, so the closure takes both: whichever pip the
 * profile's Python carries then finds what it asks for offline.
 */
export const LEGACY_BUILD_REQUIRES: readonly string[] = ['setuptools>=40.8.0', 'wheel'];

const MAX_PYPROJECT = 1024 * 1024;

export interface SdistBuildRequires {
  /** PEP 508 requirement strings, as written (or the legacy fallback). */
  requires: string[];
  /** True when the sdist declared none and pip's legacy fallback applies. */
  legacy: boolean;
}

/** `dir` when an archive member is `dir/pyproject.toml`, one level deep (the sdist's `{name}-{version}/`). */
function pyprojectDir(name: string): string | undefined {
  const parts = normalizeEntryName(name).split('/');
  return parts.length === 2 && parts[1] === 'pyproject.toml' ? parts[0] : undefined;
}

/** The text of the sdist's top-level `pyproject.toml`, or undefined (a setup.py-only sdist). */
export async function readSdistPyproject(bytes: Buffer, filename: string): Promise<string | undefined> {
  const format = await sdistFormat(bytes);
  let found: Buffer | undefined;
  if (format === 'zip') {
    const zip = await openZip(bufferSource(bytes, filename));
    const entry = zip.entries.find((e) => !e.isDirectory && pyprojectDir(e.name) !== undefined);
    if (entry) found = await readZipEntry(zip, entry, { maxSize: MAX_PYPROJECT });
  } else if (format === 'gzip' || format === 'tar') {
    for await (const member of tarMembers(bytes, filename, format === 'gzip')) {
      const type = member.header.type ?? 'file';
      if ((type === 'file' || type === 'contiguous-file') && pyprojectDir(member.header.name) !== undefined) {
        found = await readMember(member, filename, MAX_PYPROJECT);
        break;
      }
    }
  } else {
    throw unsupportedFormat(filename, format);
  }
  return found?.toString('utf8');
}

/** The build requirements an sdist declares (PEP 518), with pip's legacy fallback. */
export function buildRequiresOf(pyproject: string | undefined, where: string): SdistBuildRequires {
  const system = parseBuildSystem(pyproject, where);
  // parseBuildSystem stands in `setuptools>=40.8.0` for a missing `requires`; whether it was written or not, the legacy set covers it.
  const legacy = pyproject === undefined || (system.requires.length === 1 && system.requires[0]?.replace(/\s+/g, '') === 'setuptools>=40.8.0');
  return { requires: legacy ? [...LEGACY_BUILD_REQUIRES] : [...system.requires], legacy };
}

/** The sdist's bytes: from disk for a local index (`file:` URL), else over HTTP (checked against `hashes` there, so a mirror with other bytes is failed over). */
export async function sdistBytes(http: HttpClient, url: string, hashes: Record<string, string> = {}): Promise<Buffer> {
  if (url.startsWith('file:')) return readFile(fileURLToPath(url));
  return (await http.get(url, { verify: (res) => verifyHashes(res.body, hashes, url) })).body;
}
