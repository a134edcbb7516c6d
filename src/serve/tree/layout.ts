/**
 * Where things live in a package tree (the `--root` of `pyindex serve`), and
 * the checks that keep untrusted names from choosing those places.
 *
 * The tree is a static PEP 503 tree (https://peps.python.org/pep-0503/):
 * `simple/` and `files/` can be served as they are by any web server, while
 * `.pyindex/` holds the authoritative project state, locks, logs and temp
 * files. Every name under `simple/` and `files/` is PEP 503 normalized, and
 * every filename passed the wheel or sdist filename grammar first, so no
 * upload can write outside its project directory.
 */
import { join } from 'node:path';
import { PyindexError } from '../../errors/index.js';
import { canonicalizeName, isValidName } from '../../pep/names.js';
import { parseSdistFilename } from '../../pep/sdist-filename.js';
import type { Version } from '../../pep/version.js';
import { parseWheelFilename } from '../../pep/wheel-filename.js';

export interface TreeLayout {
  root: string;
  simpleDir: string;
  filesDir: string;
  stateDir: string;
  projectsDir: string;
  locksDir: string;
  tmpDir: string;
  downloadsDir: string;
}

export function treeLayout(root: string): TreeLayout {
  const state = join(root, '.pyindex');
  return {
    root,
    simpleDir: join(root, 'simple'),
    filesDir: join(root, 'files'),
    stateDir: state,
    projectsDir: join(state, 'projects'),
    locksDir: join(state, 'locks'),
    tmpDir: join(state, 'tmp'),
    downloadsDir: join(state, 'downloads'),
  };
}

export const projectStatePath = (l: TreeLayout, project: string): string => join(l.projectsDir, `${project}.json`);
export const projectPageDir = (l: TreeLayout, project: string): string => join(l.simpleDir, project);
export const projectFilesDir = (l: TreeLayout, project: string): string => join(l.filesDir, project);

export interface DistFilename {
  filename: string;
  kind: 'wheel' | 'sdist';
  /** The name as spelled in the filename. */
  name: string;
  project: string;
  version: Version;
}

/**
 * Characters no distribution filename needs and that could steer a path or a
 * header: separators, NUL and other controls. The grammars below already
 * refuse most of them; this check is the belt to their braces, and it also
 * refuses a leading dot (hidden files, `..`).
 */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const UNSAFE = /[/\\\0-\x1f\x7f]/;

/** Parses an uploaded or requested filename; throws unless it is a wheel or sdist filename safe to use as a path segment. */
export function parseDistFilename(filename: string): DistFilename {
  if (filename === '' || UNSAFE.test(filename) || filename.startsWith('.') || filename.length > 255) {
    throw new PyindexError('E_INVALID_WHEEL_FILENAME', `${JSON.stringify(filename)} is not a usable distribution filename (empty, too long, hidden, or contains a path separator or control character)`, {
      hint: 'Upload the file under its own name, e.g. "pkg-1.0-py3-none-any.whl" or "pkg-1.0.tar.gz".',
      details: { filename },
    });
  }
  if (filename.endsWith('.whl')) {
    const w = parseWheelFilename(filename);
    return { filename, kind: 'wheel', name: w.name, project: w.canonicalName, version: w.version };
  }
  const s = parseSdistFilename(filename);
  if (!isValidName(s.name)) {
    throw new PyindexError('E_INVALID_SDIST_FILENAME', `${JSON.stringify(filename)} is not a valid sdist filename: ${JSON.stringify(s.name)} is not a project name`, {
      hint: 'Sdist filenames look like {name}-{version}.tar.gz with a PEP 508 name.',
      details: { filename },
    });
  }
  return { filename, kind: 'sdist', name: s.name, project: s.canonicalName, version: s.version };
}

/** The normalized project name for a page or state lookup; throws E_INVALID_NAME for anything else. */
export function assertProjectKey(name: string): string {
  if (!isValidName(name) || canonicalizeName(name) !== name) {
    throw new PyindexError('E_INVALID_NAME', `${JSON.stringify(name)} is not a normalized project name`, {
      hint: 'Project names in the tree are PEP 503 normalized (lowercase, runs of "-_." as one "-").',
    });
  }
  return name;
}
