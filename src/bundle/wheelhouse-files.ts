/**
 * The files of a wheelhouse that carry a plan (the lock's files for some
 * jobs × profiles), shared by `bundle` and `push`. A locked sdist is found
 * either as itself or as the wheel built from it (the manifest's `builtFrom`
 * names the sdist by filename and sha256: issue 4 point 2), since the
 * wheelhouse holds the built wheel for pip instead of the sdist.
 */
import { PyindexError } from '../errors/index.js';
import { checkWheelhouse, type PlannedFile } from '../wheelhouse/index.js';
import { readManifest, type ManifestEntry, type WheelhouseManifest } from '../wheelhouse/manifest.js';

export interface WheelhouseFile extends ManifestEntry {
  filename: string;
}

/** The manifest of `dir`, or an empty one when there is none (or none readable: it is a record, not the proof). */
export async function readWheelhouseManifest(dir: string): Promise<WheelhouseManifest> {
  return (await readManifest(dir)) ?? { version: 1, files: {} };
}

/** A manifest holding exactly `files` (what a bundle or a pushed host carries). */
export function manifestFor(files: WheelhouseFile[]): WheelhouseManifest {
  const out: WheelhouseManifest = { version: 1, files: {} };
  for (const { filename, ...entry } of files) out.files[filename] = entry;
  return out;
}

function isWheel(filename: string): boolean {
  return filename.toLowerCase().endsWith('.whl');
}

/** Maps each planned file to the file that carries it in the wheelhouse (itself, or the wheel built from it). */
export function carriers(planned: PlannedFile[], manifest: WheelhouseManifest): WheelhouseFile[] {
  const builtFrom = new Map<string, WheelhouseFile[]>();
  for (const [filename, entry] of Object.entries(manifest.files)) {
    if (!entry.builtFrom) continue;
    const key = `${entry.builtFrom.filename} ${entry.builtFrom.sha256}`;
    builtFrom.set(key, [...(builtFrom.get(key) ?? []), { filename, ...entry }]);
  }
  // An sdist built for several profiles may have several wheels (cp311, cp312…): take the one built for the planned profiles.
  const builtFor = (p: PlannedFile): WheelhouseFile | undefined => {
    const wheels = builtFrom.get(`${p.filename} ${p.sha256}`) ?? [];
    return wheels.find((w) => p.profiles.length > 0 && p.profiles.every((profile) => w.builtFrom?.profiles?.includes(profile))) ?? wheels[0];
  };
  const byName = new Map<string, WheelhouseFile>();
  for (const p of planned) {
    const built = isWheel(p.filename) ? undefined : builtFor(p);
    const file: WheelhouseFile = built ?? { filename: p.filename, sha256: p.sha256, size: p.size, project: p.project, version: p.version };
    byName.set(file.filename, file);
  }
  return [...byName.values()].sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
}

function listed(files: { filename: string }[]): string {
  const names = files.map((f) => f.filename);
  return names.length > 10 ? `${names.slice(0, 10).join(', ')} and ${names.length - 10} more` : names.join(', ');
}

export interface WheelhouseSelection {
  /** What carries the plan, sorted by filename. */
  files: WheelhouseFile[];
  /** The wheelhouse's own manifest (empty when it has none). */
  manifest: WheelhouseManifest;
}

/**
 * The files of `dir` that carry `planned`, checked: every one present with
 * its size (and, with `hash`, its sha256). A missing file is
 * E_WHEELHOUSE_INCOMPLETE with `fetchCommand` as the fix; a wrong one is
 * E_HASH_MISMATCH (fetch quarantines and replaces it).
 */
export async function selectWheelhouseFiles(dir: string, planned: PlannedFile[], options: { hash: boolean; fetchCommand: string }): Promise<WheelhouseSelection> {
  const manifest = await readWheelhouseManifest(dir);
  const files = carriers(planned, manifest);
  const asPlanned = files.map((f): PlannedFile => ({ filename: f.filename, sha256: f.sha256, size: f.size, url: '', project: f.project, version: f.version, profiles: [] }));
  const check = await checkWheelhouse(dir, asPlanned, { hash: options.hash });
  if (check.mismatched.length) {
    throw new PyindexError('E_HASH_MISMATCH', `${check.mismatched.length} file(s) in ${dir} do not match the lock's size or sha256: ${listed(check.mismatched)}`, {
      hint: `Run \`${options.fetchCommand}\`: it quarantines the bad files and downloads them again.`,
      details: { wheelhouse: dir, files: check.mismatched.map((f) => f.filename) },
    });
  }
  if (check.missing.length) {
    throw new PyindexError('E_WHEELHOUSE_INCOMPLETE', `${check.missing.length} of ${files.length} file(s) are missing from ${dir}: ${listed(check.missing)}`, {
      hint: `Run \`${options.fetchCommand}\` first.`,
      details: { wheelhouse: dir, missing: check.missing.map((f) => f.filename) },
    });
  }
  return { files, manifest };
}
