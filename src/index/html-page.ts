/**
 * PEP 503 HTML pages (https://peps.python.org/pep-0503/), with the later
 * attributes: `data-requires-python` (PEP 503/345, HTML-escaped so `&gt;=3.8`
 * means `>=3.8`), `data-yanked` (PEP 592, empty or a reason),
 * `data-core-metadata` and its legacy spelling `data-dist-info-metadata`
 * (PEP 658/714), and `<meta name="pypi:repository-version">` (PEP 629).
 * Real indexes emit sloppy HTML, so the parser is htmlparser2's forgiving one;
 * anchors without `href` are skipped, `<base href>` is honoured.
 */
import { Parser } from 'htmlparser2';
import { canonicalizeName } from '../pep/names.js';
import { checkApiVersion, coreMetadataFromAttr, resolveLink } from './file-entry.js';
import { fileKind, type IndexFile, type ProjectPage } from './types.js';

interface Anchor {
  attribs: Record<string, string>;
  text: string;
}

interface ParsedHtml {
  anchors: Anchor[];
  base: string | undefined;
  apiVersion: string | undefined;
}

function parseHtml(html: string): ParsedHtml {
  const anchors: Anchor[] = [];
  let base: string | undefined;
  let apiVersion: string | undefined;
  let open: Anchor | undefined;
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (name === 'a') {
          open = { attribs, text: '' };
          anchors.push(open);
        } else if (name === 'base' && base === undefined && attribs.href !== undefined) {
          base = attribs.href; // HTML: only the first <base href> counts
        } else if (name === 'meta' && attribs.name === 'pypi:repository-version' && attribs.content !== undefined) {
          apiVersion = attribs.content;
        }
      },
      ontext(text) {
        if (open) open.text += text;
      },
      onclosetag(name) {
        if (name === 'a') open = undefined;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return { anchors, base, apiVersion };
}

function baseUrl(pageUrl: string, base: string | undefined): string {
  if (base === undefined) return pageUrl;
  try {
    return new URL(base, pageUrl).href;
  } catch {
    return pageUrl;
  }
}

/** A PEP 503 project page → ProjectPage; `pageUrl` is the final URL (after redirects). */
export function parseHtmlProjectPage(html: string, pageUrl: string, projectName: string): ProjectPage {
  const { anchors, base, apiVersion } = parseHtml(html);
  if (apiVersion !== undefined) checkApiVersion(pageUrl, apiVersion);
  const resolveBase = baseUrl(pageUrl, base);
  const files: IndexFile[] = [];
  for (const { attribs, text } of anchors) {
    const href = attribs.href;
    if (href === undefined || href.trim() === '') continue;
    const link = resolveLink(pageUrl, resolveBase, href.trim());
    if (!link) continue;
    const filename = link.filename || text.trim();
    if (!filename) continue;
    const yanked = attribs['data-yanked'];
    const requiresPython = attribs['data-requires-python']?.trim();
    files.push({
      filename,
      url: link.url,
      hashes: link.hashes,
      requiresPython: requiresPython ? requiresPython : undefined,
      yanked: yanked === undefined ? false : yanked.trim() === '' ? true : yanked,
      // PEP 714: the new name wins; the old one is read for indexes that predate it.
      coreMetadata: coreMetadataFromAttr(attribs['data-core-metadata'] ?? attribs['data-dist-info-metadata']),
      kind: fileKind(filename),
    });
  }
  return { name: canonicalizeName(projectName), files, meta: { apiVersion: apiVersion?.trim() ?? '1.0' } };
}

/** A PEP 503 root page → project names, in page order, without duplicates. */
export function parseHtmlRootPage(html: string, pageUrl: string): string[] {
  const { anchors, apiVersion } = parseHtml(html);
  if (apiVersion !== undefined) checkApiVersion(pageUrl, apiVersion);
  const seen = new Set<string>();
  const names: string[] = [];
  for (const { attribs, text } of anchors) {
    if (attribs.href === undefined) continue;
    const name = text.trim();
    if (!name || seen.has(canonicalizeName(name))) continue;
    seen.add(canonicalizeName(name));
    names.push(name);
  }
  return names;
}
