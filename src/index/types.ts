/**
 * The model of a "simple repository API" index as pyindex sees it, shared by
 * the HTML (PEP 503) and JSON (PEP 691) parsers and the local-directory
 * readers, so the resolver never knows which one a page came from.
 */

export type FileKind = 'wheel' | 'sdist' | 'other';

export interface IndexFile {
  filename: string;
  /** Absolute, fragment-free URL, resolved against the page's final URL (after redirects). */
  url: string;
  /** Hash name → lowercase hex digest (from the `#sha256=` fragment or PEP 691 `hashes`). */
  hashes: Record<string, string>;
  requiresPython: string | undefined;
  /** PEP 592: `true`, or the reason string when one was given. */
  yanked: false | true | string;
  /** PEP 658/714: whether `<url>.metadata` exists, with its hash when known. */
  coreMetadata: false | true | { sha256?: string };
  /** PEP 700 (api-version ≥ 1.1). */
  size?: number;
  uploadTime?: string;
  kind: FileKind;
}

export interface ProjectPage {
  /** PEP 503-normalized project name. */
  name: string;
  files: IndexFile[];
  /** PEP 700 `versions` list (JSON pages with api-version ≥ 1.1 only). */
  versions?: string[];
  meta: { apiVersion: string; lastSerial?: number };
}

/**
 * Sdist extensions that installers accept (PEP 625 names `.tar.gz`; `.zip`
 * and the older tar flavours still appear on indexes built before it).
 */
const SDIST_EXTENSIONS = ['.tar.gz', '.zip', '.tar.bz2', '.tgz', '.tar.xz', '.tar'];

export function fileKind(filename: string): FileKind {
  const lower = filename.toLowerCase();
  if (lower.endsWith('.whl')) return 'wheel';
  if (SDIST_EXTENSIONS.some((ext) => lower.endsWith(ext))) return 'sdist';
  return 'other';
}

/** The PEP 691 `Accept` header: JSON first, HTML as fallback (PEP 691 "Version + Format Selection"). */
export const SIMPLE_ACCEPT =
  'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01';
