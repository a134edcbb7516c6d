/**
 * What an HTTP exchange with an index can end in, as PyindexErrors — shared
 * by the buffered client for pages and metadata (http.ts) and the streaming
 * file downloader (wheelhouse/download.ts), which run over the same wire.ts
 * transport and so meet the same error codes. Each caller names what it was
 * getting ("page or file", "file") and its own hints.
 */
import { PyindexError } from '../errors/index.js';
import { CREDENTIALS_HINT } from './credentials.js';

export const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT']);
/** Codes for a connection that closed mid-response (wire.ts, the socket). */
const CUT_SHORT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);
/** Name-resolution failures are not worth retrying; everything else network-ish is. */
const PERMANENT_NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_FAIL']);

export interface StatusWording {
  /** What a 404/410 means here ("page or file", "file"). */
  missing: string;
  missingHint: string;
  /** The hint for a 5xx. */
  upHint: string;
}

/** A non-success status as E_NOT_FOUND (404, 410) or E_HTTP, with the start of the body as a clue. */
export function statusError(url: string, finalUrl: string, status: number, body: string, wording: StatusWording): PyindexError {
  const where = finalUrl === url ? url : `${url} (redirected to ${finalUrl})`;
  const details = { url, finalUrl, status };
  if (status === 404 || status === 410) {
    return new PyindexError('E_NOT_FOUND', `GET ${where}: HTTP ${status}, no such ${wording.missing} on the index`, { hint: wording.missingHint, details });
  }
  const snippet = body.slice(0, 200).replace(/\s+/g, ' ').trim();
  return new PyindexError('E_HTTP', `GET ${where}: HTTP ${status}${snippet ? ` (${snippet})` : ''}`, {
    hint: status >= 500 ? wording.upHint : status === 401 || status === 403 ? CREDENTIALS_HINT : 'Check the index URL and any proxy it needs.',
    details,
  });
}

/** The errno-style code of an error or of the first error in its cause chain. */
export function errorCode(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const own = (err as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  const cause = (err as { cause?: unknown }).cause;
  return cause === err ? undefined : errorCode(cause);
}

export interface TransportWording {
  /** What did not arrive whole ("response", "file"). */
  body: string;
  /** The timeout's message after `GET url: `. */
  timeout: string;
  timeoutHint: string;
  upHint: string;
}

/** A failed exchange (no usable response) as E_TIMEOUT or E_NETWORK naming the URL and the code. */
export function transportError(err: unknown, url: string, wording: TransportWording): PyindexError {
  const code = errorCode(err);
  if (code && TIMEOUT_CODES.has(code)) {
    return new PyindexError('E_TIMEOUT', `GET ${url}: ${wording.timeout} (${code})`, { hint: wording.timeoutHint, cause: err, details: { url, code } });
  }
  const what =
    code && CUT_SHORT_CODES.has(code)
      ? `the connection closed before the whole ${wording.body} arrived`
      : code === 'ECONNREFUSED'
        ? 'connection refused'
        : code && PERMANENT_NETWORK_CODES.has(code)
          ? 'host name not found'
          : err instanceof Error
            ? err.message
            : String(err);
  return new PyindexError('E_NETWORK', `GET ${url}: ${what}${code ? ` (${code})` : ''}`, { hint: wording.upHint, cause: err, details: { url, code } });
}

/** Timeouts and network failures may pass on another attempt; a host name that does not resolve will not. */
export function isRetryable(err: PyindexError): boolean {
  if (err.code === 'E_TIMEOUT') return true;
  if (err.code !== 'E_NETWORK') return false;
  const code = err.details.code;
  return !(typeof code === 'string' && PERMANENT_NETWORK_CODES.has(code));
}
