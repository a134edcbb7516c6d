/**
 * `file:` URLs answered like a static HTTP server would, so a local PEP 503
 * tree (e.g. `file:///opt/pypi/simple`) goes through the same code as a
 * remote index: directories serve `index.json` (when JSON is acceptable) or
 * `index.html`, and `Range: bytes=…` gets a 206 slice.
 */
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PyindexError } from '../errors/index.js';
import type { HttpResponse } from './http.js';

export async function readFileUrl(url: string, headers: Record<string, string>): Promise<HttpResponse> {
  const u = new URL(url);
  u.hash = '';
  u.search = '';
  let path = fileURLToPath(u);
  let st = await statOrUndefined(path);
  if (st?.isDirectory()) {
    const wantsJson = /application\/vnd\.pypi\.simple\.v1\+json/.test(headers.accept ?? '');
    const candidates = wantsJson ? ['index.json', 'index.html'] : ['index.html'];
    for (const name of candidates) {
      const s = await statOrUndefined(join(path, name));
      if (s?.isFile()) {
        path = join(path, name);
        st = s;
        break;
      }
    }
  }
  if (!st?.isFile()) {
    throw new PyindexError('E_NOT_FOUND', `${url} does not exist`, {
      hint: 'Check the project name and the index path.',
      details: { url, status: 404 },
    });
  }
  const range = parseRange(headers.range, st.size);
  const start = range?.[0] ?? 0;
  const end = range?.[1] ?? st.size - 1;
  const length = Math.max(0, end - start + 1);
  const body = Buffer.alloc(length);
  const fh = await open(path, 'r');
  try {
    let done = 0;
    while (done < length) {
      const { bytesRead } = await fh.read(body, done, length - done, start + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
  } finally {
    await fh.close();
  }
  const responseHeaders: Record<string, string> = {
    'content-type': contentTypeFor(path),
    'content-length': String(length),
    'last-modified': st.mtime.toUTCString(),
  };
  if (range) responseHeaders['content-range'] = `bytes ${start}-${end}/${st.size}`;
  return { url, finalUrl: url, status: range ? 206 : 200, headers: responseHeaders, body };
}

function contentTypeFor(path: string): string {
  if (path.endsWith('index.json')) return 'application/vnd.pypi.simple.v1+json';
  if (path.endsWith('.json')) return 'application/json';
  if (path.endsWith('.html') || path.endsWith('.htm')) return 'text/html';
  return 'application/octet-stream';
}

async function statOrUndefined(path: string) {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

/** RFC 9110 §14.1.2 single byte range, including the suffix form `bytes=-N`. */
function parseRange(header: string | undefined, size: number): [number, number] | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '') || size === 0) return undefined;
  if (m[1] === '') return [Math.max(0, size - Number(m[2])), size - 1];
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start <= end ? [start, end] : undefined;
}
