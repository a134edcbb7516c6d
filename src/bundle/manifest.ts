/**
 * The wheelhouse manifest as read from a bundle. src/wheelhouse/manifest.ts
 * reads a local wheelhouse's manifest leniently (it is rebuilt, never
 * trusted); a bundle's manifest arrives from elsewhere, so here every entry
 * is checked and a malformed one is an error naming the bundle.
 */
import { PyindexError } from '../errors/index.js';
import { formatManifest, MANIFEST_FILENAME, MANIFEST_VERSION, type ManifestEntry, type WheelhouseManifest } from '../wheelhouse/manifest.js';

export { MANIFEST_FILENAME, type ManifestEntry, type WheelhouseManifest };

/** The manifest's bytes (src/wheelhouse/manifest.ts owns the format). */
export function serializeManifest(manifest: WheelhouseManifest): string {
  return formatManifest(manifest);
}

const SHA256 = /^[0-9a-f]{64}$/;

/** A safe flat filename: what pip's --find-links reads and what may be written into a directory. */
export function isPlainFilename(name: string): boolean {
  return name.length > 0 && name.length <= 255 && name !== '.' && name !== '..' && !/[/\\\0\n\r]/.test(name) && !name.startsWith('.');
}

/** Parses and checks a manifest's shape; `where` names it in errors (file or bundle member). */
export function parseManifest(text: string, where: string): WheelhouseManifest {
  const bad = (fact: string): PyindexError =>
    new PyindexError('E_BAD_ARCHIVE', `${where}: ${fact}`, {
      hint: 'The manifest is written by pyindex (fetch, bundle); re-create the wheelhouse or bundle.',
      details: { file: where },
    });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw bad(`not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad('not a JSON object');
  const raw = value as { version?: unknown; files?: unknown };
  if (raw.version !== MANIFEST_VERSION) throw bad(`manifest version ${JSON.stringify(raw.version)} is not supported (this pyindex reads version ${MANIFEST_VERSION})`);
  if (raw.files === null || typeof raw.files !== 'object' || Array.isArray(raw.files)) throw bad('"files" is not an object');
  const files: Record<string, ManifestEntry> = {};
  for (const [name, entry] of Object.entries(raw.files as Record<string, unknown>)) {
    if (!isPlainFilename(name) || name === MANIFEST_FILENAME) throw bad(`file name ${JSON.stringify(name)} is not a plain filename`);
    const e = entry as Partial<ManifestEntry> | null;
    if (e === null || typeof e !== 'object') throw bad(`entry ${name} is not an object`);
    if (typeof e.sha256 !== 'string' || !SHA256.test(e.sha256)) throw bad(`entry ${name}: sha256 is not 64 lowercase hex characters`);
    if (typeof e.size !== 'number' || !Number.isSafeInteger(e.size) || e.size < 0) throw bad(`entry ${name}: size is not a non-negative integer`);
    if (typeof e.project !== 'string' || typeof e.version !== 'string') throw bad(`entry ${name}: project and version must be strings`);
    const parsed: ManifestEntry = { sha256: e.sha256, size: e.size, project: e.project, version: e.version };
    if (e.builtFrom !== undefined) {
      const b = e.builtFrom as Partial<ManifestEntry['builtFrom']> | null;
      if (!b || typeof b.filename !== 'string' || typeof b.sha256 !== 'string' || !SHA256.test(b.sha256)) throw bad(`entry ${name}: builtFrom must name a filename and a sha256`);
      parsed.builtFrom = { filename: b.filename, sha256: b.sha256 };
    }
    files[name] = parsed;
  }
  return { version: MANIFEST_VERSION, files };
}
