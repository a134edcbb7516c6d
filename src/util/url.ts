/** `url` ending in exactly one added slash when it had none (an index root, a directory URL). */
export function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** `url`'s host name as net.connect and net.isIP take it: an IPv6 address without its brackets. */
export function bareHostname(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** `url`'s port, or its scheme's default (443 for https, else 80). */
export function portOf(url: URL): number {
  return Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
}
