/**
 * A lock pins files by sha256 and size. Indexes usually state both (PEP 503
 * `#sha256=` fragments, PEP 700 `size`); when one is missing we learn it from
 * the index itself: a one-byte Range request for the size, a download for the hash.
 */
import { createHash } from 'node:crypto';
import type { HttpClient } from '../index/http.js';
import type { IndexFile } from '../index/types.js';

export async function ensureFileFacts(http: HttpClient, file: IndexFile): Promise<void> {
  if (file.hashes.sha256 && file.size !== undefined) return;
  if (!file.hashes.sha256) {
    const res = await http.get(file.url);
    file.hashes.sha256 = createHash('sha256').update(res.body).digest('hex');
    file.size = res.body.length;
    return;
  }
  const res = await http.get(file.url, { headers: { range: 'bytes=0-0' } });
  const total = /\/(\d+)\s*$/.exec(res.headers['content-range'] ?? '')?.[1];
  file.size = total !== undefined ? Number(total) : res.body.length;
}
