/** `url` ending in exactly one added slash when it had none (an index root, a directory URL). */
export function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
