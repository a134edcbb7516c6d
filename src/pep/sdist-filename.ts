/**
 * Source distribution filenames.
 * Spec: https://packaging.python.org/en/latest/specifications/source-distribution-format/
 * (PEP 625: `{name}-{version}.tar.gz` with the name normalized to `_`).
 *
 * Indexes still serve sdists from before PEP 625, whose names keep their
 * dashes (`python-dateutil-2.8.1.tar.gz`) and whose versions may contain one
 * (`foo-1.0-1.tar.gz`, an implicit post release), in archive formats pip
 * still accepts. So the split point between name and version is ambiguous:
 *
 * - Given the project name (the index page it was listed on), we split where
 *   the part before a dash canonicalizes to that name — exactly pip's
 *   `_find_name_version_sep` in its link evaluator.
 * - Without it, we split at the FIRST dash followed by a valid PEP 440
 *   version that starts with a digit (`python-dateutil-2.8.1` → 2.8.1,
 *   `foo-bar-1.0-1` → 1.0.post1), falling back to the LAST dash followed by
 *   any valid version (`foo-v1.0`). packaging's `parse_sdist_filename` always
 *   splits at the last dash, so it reads `foo-bar-1.0-1` as project
 *   `foo-bar-1.0` version 1; for PEP 625 names (one dash) both agree.
 *
 * Extensions are matched case-insensitively, like pip (packaging only takes
 * lowercase `.tar.gz`/`.zip`). An empty name is refused (packaging lets
 * `-1.0.tar.gz` through with name "").
 */
import { PyindexError } from '../errors/index.js';
import { canonicalizeName } from './names.js';
import { Version } from './version.js';

/**
 * Archive suffixes pip treats as sdists (pip/_internal/utils/filetypes.py),
 * longest first so `.tar.gz` wins over `.tar`. `readable` marks the ones
 * `src/archive/sdist.ts` can open with Node alone (gzip, plain tar, zip);
 * bzip2/xz/lzma would need a decompressor Node does not ship.
 */
export const SDIST_EXTENSIONS = [
  { ext: '.tar.gz', readable: true },
  { ext: '.tar.bz2', readable: false },
  { ext: '.tar.xz', readable: false },
  { ext: '.tar.lzma', readable: false },
  { ext: '.tar.lz', readable: false },
  { ext: '.tar', readable: true },
  { ext: '.tgz', readable: true },
  { ext: '.tbz', readable: false },
  { ext: '.txz', readable: false },
  { ext: '.tlz', readable: false },
  { ext: '.zip', readable: true },
] as const;

export type SdistExtension = (typeof SDIST_EXTENSIONS)[number]['ext'];

export interface SdistFilename {
  filename: string;
  /** The name part exactly as in the filename. */
  name: string;
  canonicalName: string;
  version: Version;
  /** The archive suffix, lowercased. */
  extension: SdistExtension;
}

const HINT =
  'Sdist filenames look like {name}-{version}.tar.gz, e.g. "requests-2.32.3.tar.gz" (https://packaging.python.org/en/latest/specifications/source-distribution-format/).';

function invalid(filename: string, what: string): PyindexError {
  return new PyindexError('E_INVALID_SDIST_FILENAME', `${JSON.stringify(filename)} is not a valid sdist filename: ${what}`, {
    hint: HINT,
    details: { filename },
  });
}

/** The sdist extension of `filename`, or `undefined` when it has none. */
export function sdistExtension(filename: string): SdistExtension | undefined {
  const lower = filename.toLowerCase();
  return SDIST_EXTENSIONS.find((e) => lower.endsWith(e.ext))?.ext;
}

export function isReadableSdistExtension(ext: SdistExtension): boolean {
  return SDIST_EXTENSIONS.some((e) => e.ext === ext && e.readable);
}

export function parseSdistFilename(filename: string, projectName?: string): SdistFilename {
  const extension = sdistExtension(filename);
  if (extension === undefined) {
    throw invalid(filename, `unknown archive extension (expected ${SDIST_EXTENSIONS.map((e) => e.ext).join(', ')})`);
  }
  const stem = filename.slice(0, filename.length - extension.length);
  const split = projectName === undefined ? splitByVersion(filename, stem) : splitByProject(filename, stem, projectName);
  const name = stem.slice(0, split);
  if (name === '') throw invalid(filename, 'the project name is empty');
  const versionText = stem.slice(split + 1);
  const version = Version.tryParse(versionText);
  if (version === undefined) throw invalid(filename, `${JSON.stringify(versionText)} is not a valid PEP 440 version`);
  return { filename, name, canonicalName: canonicalizeName(name), version, extension };
}

/** True when `filename` parses as an sdist filename (for `projectName`, when given). */
export function isSdistFilename(filename: string, projectName?: string): boolean {
  try {
    parseSdistFilename(filename, projectName);
    return true;
  } catch {
    return false;
  }
}

function dashes(stem: string): number[] {
  const out: number[] = [];
  for (let i = stem.indexOf('-'); i !== -1; i = stem.indexOf('-', i + 1)) out.push(i);
  return out;
}

/** pip's `_find_name_version_sep`: the first dash whose prefix canonicalizes to the project. */
function splitByProject(filename: string, stem: string, projectName: string): number {
  const canonical = canonicalizeName(projectName);
  const at = dashes(stem).find((i) => canonicalizeName(stem.slice(0, i)) === canonical);
  if (at === undefined) throw invalid(filename, `it does not start with the project name ${JSON.stringify(projectName)} followed by "-"`);
  return at;
}

function splitByVersion(filename: string, stem: string): number {
  const all = dashes(stem);
  if (all.length === 0) throw invalid(filename, 'no "-" separates the name from the version');
  const digitLed = all.find((i) => /^[0-9]/.test(stem.slice(i + 1)) && Version.tryParse(stem.slice(i + 1)) !== undefined);
  if (digitLed !== undefined) return digitLed;
  const anyValid = [...all].reverse().find((i) => Version.tryParse(stem.slice(i + 1)) !== undefined);
  // Neither: report the last dash's version as invalid, like packaging.
  return anyValid ?? (all[all.length - 1] as number);
}
