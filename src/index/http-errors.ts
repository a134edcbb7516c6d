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

/**
 * A proxy's refusals and a proxy setting pyindex cannot use (wire.ts,
 * proxy.ts): the same answer on every attempt, so not retried. Each with
 * the fix: where credentials go, or how to go around the proxy.
 */
const PROXY_HINTS: Record<string, string> = {
  E_PROXY_AUTH: 'The proxy wants credentials: put them in the proxy URL, e.g. https_proxy=http://user:password@proxy.example:3128 (percent-encode special characters).',
  E_PROXY_REFUSED: "The proxy would not connect to this host: ask for it to be allowed, or list the host in no_proxy if this machine reaches it directly.",
  E_PROXY_UNSUPPORTED: "Point https_proxy / http_proxy / all_proxy at an http:// proxy, or list the index's host in no_proxy.",
};

/** The proxy a failed exchange went through (wire.ts marks the error), for the message and the hint. */
function proxyOf(err: unknown): string | undefined {
  const proxy = err instanceof Error ? (err as { proxy?: unknown }).proxy : undefined;
  return typeof proxy === 'string' ? proxy : undefined;
}

/** ` through the proxy http://…` for a message about a failed exchange, or '' when it went direct. */
export function throughProxy(err: unknown): string {
  const proxy = proxyOf(err);
  return proxy ? ` through the proxy ${proxy}` : '';
}

function throughProxyHint(proxy: string): string {
  return `The request went through the proxy ${proxy} (from https_proxy / http_proxy / all_proxy): check that the proxy is up and reaches the index, or list the index's host in no_proxy if this machine reaches it directly.`;
}

/**
 * OpenSSL's certificate verification results, as Node reports them in
 * `err.code` on a TLS socket (X509_V_ERR_* without the prefix; Node's
 * `tls.connect` rejects unless the chain ends at a trusted root): the chain
 * does not reach a root this machine trusts. The usual cause on a build
 * machine is an index whose certificate comes from an internal CA.
 */
const UNTRUSTED_CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_REVOKED',
]);
const CERT_TIME_CODES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/**
 * A TLS failure as E_TLS with the fix for its kind, or undefined when `code`
 * is not one. None of them passes on another attempt: the certificate, the
 * trusted roots and the port stay what they are.
 */
function tlsError(err: unknown, url: string, code: string, proxy: string | undefined): PyindexError | undefined {
  const detail = err instanceof Error ? err.message : String(err);
  let what: string;
  let hint: string;
  if (UNTRUSTED_CERT_CODES.has(code)) {
    what = `the server's certificate is not trusted on this machine: ${detail}`;
    hint =
      'If the index uses a certificate from an internal CA, give Node.js that CA as a PEM file: export NODE_EXTRA_CA_CERTS=/path/to/internal-ca.pem ' +
      '(added to the built-in roots; read when pyindex starts), then run the command again.' +
      (proxy ? ` The connection went through the proxy ${proxy}: a proxy that inspects TLS signs with its own CA, which is then the one to give.` : '');
  } else if (CERT_TIME_CODES.has(code)) {
    what = `the server's certificate is not valid now: ${detail}`;
    hint = "Renew the index server's certificate, or correct this machine's clock if it is wrong.";
  } else if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    what = `the server's certificate is for other host names: ${detail}`;
    hint = 'Write the index URL with a host name the certificate names (not an IP address or an alias it lacks).';
  } else if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || (code === 'EPROTO' && /wrong version number|packet length too long/i.test(detail))) {
    // Node 20 reports an HTTP answer to a ClientHello as a write EPROTO whose message carries OpenSSL's reason.
    what = 'the server does not speak TLS on this port';
    hint = 'Check the URL: http:// rather than https://, or the port of the HTTPS server.';
  } else if (code === 'EPROTO' || code.startsWith('ERR_SSL_')) {
    what = `the TLS handshake failed: ${detail}`;
    hint = 'Check that the port serves HTTPS and that the server accepts TLS 1.2 or later.';
  } else {
    return undefined;
  }
  return new PyindexError('E_TLS', `GET ${url}${throughProxy(err)}: ${what} (${code})`, { hint, cause: err, details: { url, code, proxy } });
}

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
    hint: status >= 500 ? wording.upHint : status === 401 || status === 403 ? CREDENTIALS_HINT : status === 407 ? PROXY_HINTS.E_PROXY_AUTH! : 'Check the index URL and any proxy it needs.',
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

/** A failed exchange (no usable response) as E_TLS, E_TIMEOUT or E_NETWORK naming the URL and the code. */
export function transportError(err: unknown, url: string, wording: TransportWording): PyindexError {
  const code = errorCode(err);
  const proxy = proxyOf(err);
  const tls = code === undefined ? undefined : tlsError(err, url, code, proxy);
  if (tls) return tls;
  const via = throughProxy(err);
  if (code && TIMEOUT_CODES.has(code)) {
    return new PyindexError('E_TIMEOUT', `GET ${url}${via}: ${wording.timeout} (${code})`, { hint: proxy ? throughProxyHint(proxy) : wording.timeoutHint, cause: err, details: { url, code, proxy } });
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
  const hint = (code && PROXY_HINTS[code]) ?? (proxy ? throughProxyHint(proxy) : wording.upHint);
  return new PyindexError('E_NETWORK', `GET ${url}${via}: ${what}${code ? ` (${code})` : ''}`, { hint, cause: err, details: { url, code, proxy } });
}

/**
 * A request that got no usable answer from its server: unreachable, timed
 * out, its TLS certificate refused, or an HTTP error status. Another server
 * (a mirror) or another way to the same file may still do; the callers add
 * what else counts for them (a missing file, a cache miss, a wrong hash).
 */
const SERVER_FAILURE_CODES: ReadonlySet<string> = new Set(['E_NETWORK', 'E_TIMEOUT', 'E_TLS', 'E_HTTP']);

export function isServerFailure(err: PyindexError): boolean {
  return SERVER_FAILURE_CODES.has(err.code);
}

/** Timeouts and network failures may pass on another attempt; a host name that does not resolve, or a TLS failure (E_TLS), will not. */
export function isRetryable(err: PyindexError): boolean {
  if (err.code === 'E_TIMEOUT') return true;
  if (err.code !== 'E_NETWORK') return false;
  const code = err.details.code;
  return !(typeof code === 'string' && (PERMANENT_NETWORK_CODES.has(code) || code in PROXY_HINTS));
}
