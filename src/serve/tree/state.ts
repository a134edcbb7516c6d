/**
 * The authoritative record of a project: `.pyindex/projects/<normalized>.json`.
 * Pages under `simple/` are derived from it and can always be rebuilt; the
 * files under `files/` are only published once they are named here.
 */
import { readFile } from 'node:fs/promises';
import { PyindexError } from '../../errors/index.js';

export interface FileState {
  filename: string;
  version: string;
  /** Lowercase hex. */
  sha256: string;
  size: number;
  /** ISO 8601 UTC (`Date.toISOString`). */
  uploadTime: string;
  requiresPython?: string;
  /** PEP 592: a reason, or true when yanked without one. */
  yanked?: string | true;
  /** sha256 of the PEP 658 `.metadata` file, when there is one. */
  metadataSha256?: string;
  uploader?: string;
}

export interface ProjectState {
  /** Display name (as first uploaded). */
  name: string;
  files: FileState[];
}

export function sortFiles(files: FileState[]): FileState[] {
  return files.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
}

function corrupt(path: string, why: string, cause?: unknown): PyindexError {
  return new PyindexError('E_CONFIG_INVALID', `the project state ${path} is unreadable: ${why}`, {
    hint: 'Restore it from a backup; the files under files/ are intact.',
    cause,
    details: { file: path },
  });
}

/** The state at `path`, or undefined when the project does not exist. */
export async function readProjectState(path: string): Promise<ProjectState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw corrupt(path, (err as NodeJS.ErrnoException).code ?? String(err), err);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw corrupt(path, 'not JSON', err);
  }
  const s = data as Partial<ProjectState>;
  if (typeof s !== 'object' || s === null || typeof s.name !== 'string' || !Array.isArray(s.files)) throw corrupt(path, 'missing "name" or "files"');
  for (const f of s.files as unknown[]) {
    const file = f as Partial<FileState>;
    if (typeof file.filename !== 'string' || typeof file.sha256 !== 'string' || typeof file.size !== 'number' || typeof file.version !== 'string') {
      throw corrupt(path, `a file entry lacks filename, version, sha256 or size: ${JSON.stringify(f)}`);
    }
  }
  return s as ProjectState;
}

export function serializeState(state: ProjectState): string {
  return `${JSON.stringify({ name: state.name, files: sortFiles([...state.files]) }, null, 2)}\n`;
}
