/**
 * `DIR/pyindex-wheelhouse.json`: a record of what a wheelhouse holds, for ops
 * and bundles (which file, which hash, which project, built from which
 * sdist). It is written atomically and last, after every file it names is in
 * place; it is never the proof of integrity — the bytes are re-hashed.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { canonicalJson } from '../util/canonical-json.js';
import { writeFailed } from './errors.js';

export const MANIFEST_FILENAME = 'pyindex-wheelhouse.json';
export const MANIFEST_VERSION = 1;

export interface ManifestEntry {
  sha256: string;
  size: number;
  project: string;
  version: string;
  /** Provenance of a wheel built from a locked sdist; `profiles`: those it was built (or found fit) for. */
  builtFrom?: { filename: string; sha256: string; profiles?: string[] };
}

export interface WheelhouseManifest {
  version: typeof MANIFEST_VERSION;
  files: Record<string, ManifestEntry>;
}

function isEntry(value: unknown): value is ManifestEntry {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v.sha256 === 'string' && typeof v.size === 'number' && typeof v.project === 'string' && typeof v.version === 'string';
}

/** The manifest of `dir`; undefined when absent or not one we understand (it is rebuilt, never trusted). */
export async function readManifest(dir: string): Promise<WheelhouseManifest | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(join(dir, MANIFEST_FILENAME), 'utf8'));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const { version, files } = parsed as { version?: unknown; files?: unknown };
  if (version !== MANIFEST_VERSION || files === null || typeof files !== 'object') return undefined;
  const out: WheelhouseManifest = { version: MANIFEST_VERSION, files: {} };
  for (const [name, entry] of Object.entries(files)) if (isEntry(entry)) out.files[name] = entry;
  return out;
}

/** Sorted keys, 2-space indent: the same wheelhouse always gives the same bytes. */
export function formatManifest(manifest: WheelhouseManifest): string {
  return `${JSON.stringify(JSON.parse(canonicalJson(manifest)), null, 2)}\n`;
}

export async function writeManifest(dir: string, manifest: WheelhouseManifest): Promise<void> {
  const path = join(dir, MANIFEST_FILENAME);
  try {
    await writeFileAtomic(path, formatManifest(manifest));
  } catch (err) {
    // writeFileAtomic names the errno only; a full disk deserves the plain words.
    const cause = err instanceof Error ? err.cause : undefined;
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    throw code === 'ENOSPC' || code === 'EDQUOT' ? writeFailed(path, cause) : err;
  }
}
