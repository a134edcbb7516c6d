/**
 * Cross-site request forgery guard for the routes that change the tree
 * (uploads, admin). With the web UI a browser holds the index's HTTP Basic
 * credentials and resends them on its own, so a page of another site could
 * make it post a form here. Browsers say where a request comes from:
 * `Sec-Fetch-Site` (Fetch Metadata) and, on every POST, `Origin`. A request
 * another site started is refused; twine, pip and the CLI send neither
 * header and are not affected. `Origin` is compared with `Host`, so a
 * reverse proxy in front must pass the client's Host on.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Why the request looks started by another site, or undefined when it does not. */
export function crossSiteReason(headers: IncomingHttpHeaders): string | undefined {
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return `the browser says this request was started by another site (Sec-Fetch-Site: ${site})`;
  const origin = headers.origin;
  if (origin === undefined) return undefined;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (host === undefined || host === '' || host !== headers.host) return `the request comes from ${JSON.stringify(origin)}, not from this index (${headers.host ?? 'no Host header'})`;
  return undefined;
}
