/**
 * Reading and rewriting a bundle's tar.gz by hand in tests, independently of
 * src/bundle's reader, so a test can tamper with one member and re-pack.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { fileHeader } from '../../src/bundle/tar-write.js';

/** The tar members of a bundle, as [name, data] in order. */
export function untar(gz: Buffer): [string, Buffer][] {
  const tar = gunzipSync(gz);
  const out: [string, Buffer][] = [];
  let pos = 0;
  let paxPath: string | undefined;
  while (pos + 512 <= tar.length && tar[pos] !== 0) {
    const h = tar.subarray(pos, pos + 512);
    const size = parseInt(h.subarray(124, 136).toString('ascii').replace(/\0.*$/, ''), 8);
    const type = String.fromCharCode(h[156]!);
    const prefix = h.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
    const short = h.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const data = tar.subarray(pos + 512, pos + 512 + size);
    pos += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      paxPath = /\d+ path=(.*)\n/.exec(data.toString('utf8'))?.[1];
      continue;
    }
    out.push([paxPath ?? (prefix ? `${prefix}/${short}` : short), Buffer.from(data)]);
    paxPath = undefined;
  }
  return out;
}

/** A .tar.gz of `members` as written by hand (any names, regular files). */
export function retar(members: [string, Buffer][]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, data] of members) parts.push(fileHeader(name, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}
