/**
 * The wheelhouse manifest `pyindex-wheelhouse.json` (issue 4 contract):
 * `{ "version": 1, "files": { "<filename>": { sha256, size, project, version, builtFrom? } } }`,
 * sorted keys, 2-space JSON, so the same wheelhouse always gives the same
 * bytes (a bundle containing it stays reproducible).
 *
 * It is a record for ops and bundles; whoever trusts a file re-hashes it.
 */
import { PyindexError } from '../errors/index.js';

export const MANIFEST_FILENAME = 'pyindex-wheelhouse.json';
export const MANIFEST_VERSION = 1;

export interface ManifestEntry {
  sha256: string;
  size: number;
  project: string;
  version: string;
  /** For a wheel built from a locked sdist (issue 4 point 2): that sdist. */
  builtFrom?: { filename: string; sha256: string };
}

export interface WheelhouseManifest {
  version: typeof MANIFEST_VERSION;
  files: Record<string, ManifestEntry>;
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortedKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

export function serializeManifest(manifest: WheelhouseManifest): string {
  return `${JSON.stringify(sortedKeys(manifest), null, 2)}\n`;
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
