/**
 * Content negotiation of the simple API (PEP 691,
 * https://peps.python.org/pep-0691/#version-format-selection): JSON v1, HTML
 * v1 or the legacy `text/html`, chosen from `Accept` with q-values
 * (RFC 9110 §12.5.1), or forced with `?format=` (as PyPI does).
 *
 * Ties: among media ranges the client named explicitly, JSON wins (clients
 * that list both take either, JSON is cheaper to parse); a bare wildcard
 * (`*` + `/*`, curl's default, or no Accept at all) gets `text/html`, which
 * PEP 691 recommends as the default for compatibility with old clients.
 */

export type PageFormat = 'json' | 'v1-html' | 'html';

export const CONTENT_TYPES: Record<PageFormat, string> = {
  json: 'application/vnd.pypi.simple.v1+json',
  'v1-html': 'application/vnd.pypi.simple.v1+html',
  html: 'text/html; charset=utf-8',
};

const OFFERS: { format: PageFormat; type: string; subtype: string }[] = [
  { format: 'json', type: 'application', subtype: 'vnd.pypi.simple.v1+json' },
  { format: 'v1-html', type: 'application', subtype: 'vnd.pypi.simple.v1+html' },
  { format: 'html', type: 'text', subtype: 'html' },
];

/** Wildcard-only preference (no explicit mention): HTML first, per PEP 691's compatibility default. */
const WILDCARD_ORDER: PageFormat[] = ['html', 'v1-html', 'json'];

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function parseAccept(header: string): MediaRange[] {
  const out: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [range = '', ...params] = part.split(';').map((s) => s.trim());
    const slash = range.indexOf('/');
    if (slash <= 0) continue;
    let q = 1;
    for (const p of params) {
      const m = /^q\s*=\s*([0-9](?:\.[0-9]{0,3})?)$/i.exec(p);
      if (m) q = Math.min(1, Number(m[1]));
    }
    out.push({ type: range.slice(0, slash).toLowerCase(), subtype: range.slice(slash + 1).toLowerCase(), q });
  }
  return out;
}

/** The q an offer gets: from the most specific matching range (RFC 9110: exact beats type/* beats * /*). */
function qualityOf(offer: (typeof OFFERS)[number], ranges: MediaRange[]): { q: number; specificity: number } {
  let best = { q: 0, specificity: -1 };
  for (const r of ranges) {
    const specificity = r.type === offer.type && r.subtype === offer.subtype ? 2 : r.type === offer.type && r.subtype === '*' ? 1 : r.type === '*' && r.subtype === '*' ? 0 : -1;
    if (specificity > best.specificity) best = { q: r.q, specificity };
  }
  return best;
}

/** The format to answer with, or undefined for 406. `format` is `?format=` when given. */
export function negotiatePageFormat(accept: string | undefined, format?: string | null): PageFormat | undefined {
  if (format !== undefined && format !== null && format !== '') {
    // An unencoded "+" in a query string decodes to a space (form encoding); put it back.
    const f = format.trim().toLowerCase().replace(/ /g, '+');
    if (f === 'json') return 'json';
    if (f === 'html') return 'html';
    return OFFERS.find((o) => `${o.type}/${o.subtype}` === f)?.format;
  }
  if (accept === undefined || accept.trim() === '') return 'html';
  // Clients send a handful of distinct headers, over and over.
  if (memo.has(accept)) return memo.get(accept);
  const chosen = negotiateAccept(accept);
  if (memo.size >= 256) memo.clear();
  memo.set(accept, chosen);
  return chosen;
}

const memo = new Map<string, PageFormat | undefined>();

function negotiateAccept(accept: string): PageFormat | undefined {
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return 'html';
  const scored = OFFERS.map((o) => ({ format: o.format, ...qualityOf(o, ranges) })).filter((s) => s.q > 0);
  if (scored.length === 0) return undefined;
  scored.sort((a, b) => b.q - a.q || Math.sign(b.specificity) - Math.sign(a.specificity) || (a.specificity > 0 ? 0 : WILDCARD_ORDER.indexOf(a.format) - WILDCARD_ORDER.indexOf(b.format)));
  return scored[0]?.format;
}
