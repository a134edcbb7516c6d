/**
 * HTTP Basic credentials (RFC 7617) as twine and pip send them.
 *
 * pip sends credentials only after a 401 carrying `WWW-Authenticate: Basic`
 * (its MultiDomainBasicAuth handler retries with the user:password from the
 * index URL or keyring), so every refusal must carry the challenge.
 */
export const REALM = 'pyindex';
export const CHALLENGE = `Basic realm="${REALM}"`;

export interface BasicCredentials {
  username: string;
  password: string;
}

/** The credentials of an `Authorization: Basic …` header; undefined when absent or not Basic. */
export function parseBasicAuth(header: string | undefined): BasicCredentials | undefined {
  if (header === undefined) return undefined;
  const m = /^Basic[ \t]+([A-Za-z0-9+/=._~-]+)[ \t]*$/i.exec(header);
  if (m === null) return undefined;
  // RFC 7617 §2.1: UTF-8 is what twine, pip (requests) and browsers send today.
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
