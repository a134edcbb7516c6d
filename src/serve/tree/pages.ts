/**
 * The static pages of the tree, rendered from project state alone (so
 * `regenerate` is a pure function of `.pyindex/projects/`).
 *
 * - PEP 503 HTML with PEP 629's repository-version meta, PEP 592's
 *   `data-yanked`, PEP 658/714's `data-core-metadata` and its legacy twin
 *   `data-dist-info-metadata` (pip < 23.1 reads only the latter).
 * - PEP 691 JSON with PEP 700's `versions`, `size` and `upload-time`
 *   (api-version 1.1), and PEP 714's `core-metadata` + `dist-info-metadata`.
 *
 * Links are RELATIVE (`../../files/<project>/<file>`) so the same bytes work
 * behind any host name, path prefix, static server or CDN.
 */
import { canonicalizeName } from '../../pep/names.js';
import { Version } from '../../pep/version.js';
import type { FileState, ProjectState } from './state.js';

export const API_VERSION = '1.1';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

function fileHref(project: string, f: FileState): string {
  return `../../files/${project}/${encodeURIComponent(f.filename)}`;
}

/** PEP 700 asks for `yyyy-mm-ddThh:mm:ss.ffffffZ`; toISOString has milliseconds. */
function uploadTime(iso: string): string {
  return iso.replace(/\.(\d{3})Z$/, '.$1000Z');
}

function sortedVersions(files: FileState[]): string[] {
  const seen = new Map<string, Version | undefined>();
  for (const f of files) if (!seen.has(f.version)) seen.set(f.version, Version.tryParse(f.version));
  return [...seen.entries()]
    .sort(([a, va], [b, vb]) => (va && vb ? va.compare(vb) : a < b ? -1 : a > b ? 1 : 0))
    .map(([v]) => v);
}

export function projectHtml(state: ProjectState): string {
  const project = canonicalizeName(state.name);
  const title = escapeHtml(state.name);
  const links = state.files.map((f) => {
    const attrs = [`href="${escapeHtml(`${fileHref(project, f)}#sha256=${f.sha256}`)}"`];
    if (f.requiresPython !== undefined) attrs.push(`data-requires-python="${escapeHtml(f.requiresPython)}"`);
    if (f.yanked !== undefined) attrs.push(`data-yanked="${f.yanked === true ? '' : escapeHtml(f.yanked)}"`);
    if (f.metadataSha256 !== undefined) {
      const value = `sha256=${f.metadataSha256}`;
      attrs.push(`data-core-metadata="${value}"`, `data-dist-info-metadata="${value}"`);
    }
    return `    <a ${attrs.join(' ')}>${escapeHtml(f.filename)}</a><br/>\n`;
  });
  return (
    `<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="${API_VERSION}">\n` +
    `    <title>Links for ${title}</title>\n  </head>\n  <body>\n    <h1>Links for ${title}</h1>\n${links.join('')}  </body>\n</html>\n`
  );
}

export function projectJson(state: ProjectState): string {
  const project = canonicalizeName(state.name);
  const files = state.files.map((f) => {
    const entry: Record<string, unknown> = { filename: f.filename, url: fileHref(project, f), hashes: { sha256: f.sha256 } };
    if (f.requiresPython !== undefined) entry['requires-python'] = f.requiresPython;
    entry.size = f.size;
    entry['upload-time'] = uploadTime(f.uploadTime);
    entry.yanked = f.yanked ?? false;
    if (f.metadataSha256 !== undefined) {
      entry['core-metadata'] = { sha256: f.metadataSha256 };
      entry['dist-info-metadata'] = { sha256: f.metadataSha256 };
    }
    return entry;
  });
  // PEP 691: `name` is the normalized name.
  return `${JSON.stringify({ meta: { 'api-version': API_VERSION }, name: project, versions: sortedVersions(state.files), files })}\n`;
}

export interface RootEntry {
  /** Display name. */
  name: string;
}

export function rootHtml(projects: RootEntry[]): string {
  const links = projects.map((p) => `    <a href="${canonicalizeName(p.name)}/">${escapeHtml(p.name)}</a><br/>\n`);
  return (
    `<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="pypi:repository-version" content="${API_VERSION}">\n` +
    `    <title>Simple index</title>\n  </head>\n  <body>\n${links.join('')}  </body>\n</html>\n`
  );
}

export function rootJson(projects: RootEntry[]): string {
  return `${JSON.stringify({ meta: { 'api-version': API_VERSION }, projects: projects.map((p) => ({ name: p.name })) })}\n`;
}
