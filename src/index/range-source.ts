/**
 * A wheel on an HTTP server as a RandomAccessSource, read with Range requests
 * (RFC 9110 §14) so only the zip's central directory and the METADATA member
 * cross the network — pip's "lazy wheel" idea, for indexes without PEP 658.
 *
 * The first request is a suffix range (`bytes=-N`): one round trip gives the
 * file size (from Content-Range) and, for small wheels, the whole central
 * directory and METADATA. A server that ignores Range answers 200 with the
 * full body; we keep that body and serve every read from memory (no second
 * download, no failure).
 */
import { bufferSource, type RandomAccessSource } from '../archive/zip-reader.js';
import { PyindexError } from '../errors/index.js';
import type { HttpClient } from './http.js';

export interface OpenedRemoteFile {
  source: RandomAccessSource;
  /** `range` when the server honoured Range; `download` when it sent the whole file. */
  mode: 'range' | 'download';
  /** The whole file, when `mode` is `download`. */
  body?: Buffer;
  /** Bytes received so far (for events and tests). */
  bytesFetched(): number;
}

const CONTENT_RANGE = /^bytes\s+(\d+)-(\d+)\/(\d+)$/i;

export async function openRemoteFile(http: HttpClient, url: string, tailBytes = 65_536): Promise<OpenedRemoteFile> {
  const name = url;
  const first = await http.get(url, { headers: { range: `bytes=-${tailBytes}` } });
  let fetched = first.body.length;
  if (first.status === 416) {
    // Only an empty file cannot satisfy a suffix range: openZip reports it as not a zip.
    const empty = Buffer.alloc(0);
    return { source: bufferSource(empty, name), mode: 'download', body: empty, bytesFetched: () => fetched };
  }
  const m = first.status === 206 ? CONTENT_RANGE.exec(first.headers['content-range'] ?? '') : null;
  if (!m) {
    // 200 (Range ignored) or a 206 we cannot interpret (multipart, no Content-Range): is it the whole body?
    if (first.status === 200) return { source: bufferSource(first.body, name), mode: 'download', body: first.body, bytesFetched: () => fetched };
    const full = await http.get(url);
    fetched += full.body.length;
    return { source: bufferSource(full.body, name), mode: 'download', body: full.body, bytesFetched: () => fetched };
  }
  const start = Number(m[1]);
  const size = Number(m[3]);
  const tail = first.body;
  if (start + tail.length !== size) {
    throw new PyindexError('E_NETWORK', `GET ${url} (range bytes=-${tailBytes}): got ${tail.length} bytes at ${start}, expected the file to end at ${size}`, {
      hint: 'The server or a proxy returned an inconsistent partial response; retry, or check the server.',
      details: { url, contentRange: first.headers['content-range'] },
    });
  }
  const source: RandomAccessSource = {
    size,
    name,
    async read(offset: number, length: number): Promise<Buffer> {
      const end = Math.min(size, offset + length);
      if (end <= offset) return Buffer.alloc(0);
      if (offset >= start) return tail.subarray(offset - start, end - start);
      const res = await http.get(url, { headers: { range: `bytes=${offset}-${end - 1}` } });
      fetched += res.body.length;
      if (res.status === 200) return res.body.subarray(offset, end); // Range ignored this time
      const cr = CONTENT_RANGE.exec(res.headers['content-range'] ?? '');
      if (res.status !== 206 || !cr || Number(cr[1]) !== offset) {
        throw new PyindexError('E_NETWORK', `GET ${url} (range bytes=${offset}-${end - 1}): unexpected answer HTTP ${res.status} ${res.headers['content-range'] ?? ''}`.trim(), {
          hint: 'The server or a proxy mishandled a Range request; retry, or check the server.',
          details: { url, status: res.status },
        });
      }
      return res.body;
    },
  };
  return { source, mode: 'range', bytesFetched: () => fetched };
}
