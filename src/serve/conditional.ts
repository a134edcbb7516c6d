/**
 * Conditional and range requests for immutable files and generated pages
 * (RFC 9110 §13 and §14).
 *
 * - ETags are strong: a file's is its sha256 (the tree never changes the
 *   bytes under a filename), a page's a hash of its bytes.
 * - If-None-Match wins over If-Modified-Since (§13.2.2); it uses weak
 *   comparison, so `W/"x"` matches `"x"`.
 * - One byte range is served (206); a multi-range request is answered with
 *   the whole file (allowed: a server MAY ignore Range), an unsatisfiable one
 *   with 416 and `Content-Range: bytes * /size` (§15.5.17). If-Range with a
 *   different validator turns the request back into a full GET (§13.1.5).
 */
import type { IncomingHttpHeaders } from 'node:http';

export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

function opaque(tag: string): string {
  return tag.trim().replace(/^W\//, '');
}

/** True when the client's cached copy is current (answer 304). */
export function notModified(headers: IncomingHttpHeaders, etag: string, mtimeMs: number): boolean {
  const inm = headers['if-none-match'];
  if (inm !== undefined) {
    if (inm.trim() === '*') return true;
    return inm.split(',').some((t) => opaque(t) === etag);
  }
  const ims = headers['if-modified-since'];
  if (ims !== undefined) {
    const since = Date.parse(ims);
    // HTTP dates have one-second resolution.
    if (!Number.isNaN(since)) return Math.floor(mtimeMs / 1000) * 1000 <= since;
  }
  return false;
}

export type RangeRequest = { kind: 'full' } | { kind: 'partial'; start: number; end: number; openEnded: boolean } | { kind: 'unsatisfiable' };

/** Applies If-Range: a Range only counts when the validator still matches (strong comparison for ETags). */
function ifRangeHolds(headers: IncomingHttpHeaders, etag: string, mtimeMs: number): boolean {
  const ifRange = headers['if-range'];
  if (ifRange === undefined) return true;
  const v = (Array.isArray(ifRange) ? ifRange.join(',') : ifRange).trim();
  if (v.startsWith('"') || v.startsWith('W/')) return v === etag;
  const date = Date.parse(v);
  return !Number.isNaN(date) && Math.floor(mtimeMs / 1000) * 1000 === date;
}

export function rangeOf(headers: IncomingHttpHeaders, size: number, etag: string, mtimeMs: number): RangeRequest {
  const header = headers.range;
  if (header === undefined || !ifRangeHolds(headers, etag, mtimeMs)) return { kind: 'full' };
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (!m) return { kind: 'full' }; // unknown unit: ignore
  const specs = (m[1] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (specs.length !== 1) return { kind: 'full' };
  const spec = specs[0] as string;
  const suffix = /^-(\d+)$/.exec(spec);
  if (suffix) {
    const n = Number(suffix[1]);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1, openEnded: false };
  }
  const span = /^(\d+)-(\d*)$/.exec(spec);
  if (!span) return { kind: 'full' }; // syntactically invalid: ignore (§14.2)
  const start = Number(span[1]);
  if (start >= size) return { kind: 'unsatisfiable' };
  const last = span[2] === '' ? size - 1 : Math.min(Number(span[2]), size - 1);
  if (last < start) return { kind: 'full' };
  return { kind: 'partial', start, end: last, openEnded: span[2] === '' };
}
