/**
 * Pieces shared by the HTML and JSON page parsers: turning a link into an
 * absolute URL plus hash (PEP 503: "the URL SHOULD include a hash in the form
 * of a URL fragment `#<hashname>=<hashvalue>`"), and the api-version check of
 * PEP 629.
 */
import { PyindexError } from '../errors/index.js';

/** Hash names hashlib guarantees; anything else in a fragment is not a hash (PEP 503 names these). */
const HASH_NAMES = new Set(['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']);
const HEX_LENGTH: Record<string, number> = { md5: 32, sha1: 40, sha224: 56, sha256: 64, sha384: 96, sha512: 128 };

export function invalidPage(url: string, what: string, details: Record<string, unknown> = {}): PyindexError {
  return new PyindexError('E_INDEX_PAGE_INVALID', `${url}: ${what}`, {
    hint: 'The index served a page that is neither PEP 503 HTML nor PEP 691 JSON; check the index URL (it should end in /simple/) and the server.',
    details: { url, ...details },
  });
}

/** Checks a hash value from the index: a wrong-length digest could never match, so say so now. */
export function checkHash(pageUrl: string, name: string, value: string, filename: string): string {
  const want = HEX_LENGTH[name];
  if (want !== undefined && !(value.length === want && /^[0-9a-f]+$/i.test(value))) {
    throw invalidPage(pageUrl, `${filename}: ${name} hash ${JSON.stringify(value)} is not ${want} hex digits`);
  }
  return value.toLowerCase();
}

/**
 * A last path segment that WHATWG URL parsing keeps byte for byte: no
 * escaping needed, not a dot-segment (`.`, `..`, nor `%2e` forms, which the
 * parser also treats as dots), no query or fragment.
 */
const PLAIN_SEGMENT = /^(?:[A-Za-z0-9_~+!-]|\.(?!\.?$)|%(?![2][eE])[0-9A-Fa-f]{2})+$/;

/**
 * `new URL(href, base).href` without the fragment, for the many file links of
 * one page: a link is a directory part plus a plain filename, and the
 * directory part is the same for most links of a page (`../../files/`), so
 * it is resolved once and the filename appended. Anything else (absolute
 * links like PyPI's, escapes of dots, queries, fragments) takes the full
 * parser. (Parsing a URL per file was ~5% of a cold lock's profile.)
 */
export function linkResolver(base: string): (href: string) => URL | string {
  const dirs = new Map<string, string>();
  return (href) => {
    const slash = href.lastIndexOf('/');
    const dir = href.slice(0, slash + 1);
    const segment = href.slice(slash + 1);
    // Only relative directory parts (`../../files/`, `/files/`): an absolute or scheme-relative one may make the segment a host.
    if (!PLAIN_SEGMENT.test(segment) || /[?#\\\s:]/.test(dir) || dir.startsWith('//')) return new URL(href, base);
    let resolved = dirs.get(dir);
    if (resolved === undefined) {
      // The directory part alone may not parse (`https://` of `https://host`), or not as a directory: full parser.
      const u = URL.canParse(dir === '' ? './' : dir, base) ? new URL(dir === '' ? './' : dir, base) : undefined;
      if (!u || u.search !== '' || !u.pathname.endsWith('/')) return new URL(href, base);
      u.hash = '';
      resolved = u.href;
      dirs.set(dir, resolved);
    }
    return resolved + segment;
  };
}

/** Resolves `href` against `base`, splitting off the `#name=hex` fragment. */
export function resolveLink(
  pageUrl: string,
  base: string,
  href: string,
): { url: string; filename: string; hashes: Record<string, string> } | undefined {
  let u: URL;
  try {
    u = new URL(href, base);
  } catch {
    return undefined;
  }
  const hashes: Record<string, string> = {};
  const fragment = u.hash.slice(1);
  u.hash = '';
  const segment = u.pathname.split('/').pop() ?? '';
  let filename: string;
  try {
    filename = decodeURIComponent(segment);
  } catch {
    filename = segment;
  }
  const eq = fragment.indexOf('=');
  if (eq > 0) {
    const name = fragment.slice(0, eq).toLowerCase();
    if (HASH_NAMES.has(name)) hashes[name] = checkHash(pageUrl, name, fragment.slice(eq + 1), filename);
  }
  return { url: u.href, filename, hashes };
}

/**
 * PEP 629: clients MUST refuse a major version they do not know and SHOULD
 * accept (and may warn about) a newer minor one.
 */
export function checkApiVersion(pageUrl: string, version: string): void {
  const m = /^(\d+)\.(\d+)$/.exec(version.trim());
  if (!m) throw invalidPage(pageUrl, `api-version ${JSON.stringify(version)} is not of the form MAJOR.MINOR`);
  if (m[1] !== '1') {
    throw new PyindexError('E_INDEX_PAGE_INVALID', `${pageUrl}: unsupported repository API version ${version} (pyindex speaks 1.x)`, {
      hint: 'Upgrade pyindex, or point it at an index that serves the version 1 simple API.',
      details: { url: pageUrl, apiVersion: version },
    });
  }
}

/** PEP 658/714 attribute value → IndexFile.coreMetadata. */
export function coreMetadataFromAttr(value: string | undefined): false | true | { sha256?: string } {
  if (value === undefined) return false;
  const v = value.trim();
  if (v.toLowerCase() === 'true' || v === '') return true;
  const eq = v.indexOf('=');
  if (eq > 0 && v.slice(0, eq).toLowerCase() === 'sha256') {
    const hex = v.slice(eq + 1);
    return /^[0-9a-f]{64}$/i.test(hex) ? { sha256: hex.toLowerCase() } : true;
  }
  return true;
}
