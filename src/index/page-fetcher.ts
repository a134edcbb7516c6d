/**
 * Index pages through the HTTP cache: a cached page is always revalidated
 * (RFC 9110 §13.1 `If-None-Match` / `If-Modified-Since`; 304 → reuse the
 * stored body), because a lock must see newly uploaded or yanked files;
 * offline mode serves only the cache. `file:` pages are read directly: they
 * are already local.
 */
import { PyindexError } from '../errors/index.js';
import { silent, type EventSink } from '../events/index.js';
import type { HttpCache } from './cache.js';
import type { HttpClient } from './http.js';

export interface FetchedPage {
  url: string;
  finalUrl: string;
  contentType: string;
  body: Buffer;
  lastSerial?: number;
  fromCache: 'miss' | 'hit' | 'revalidated';
}

export class PageFetcher {
  constructor(
    private readonly http: HttpClient,
    private readonly cache: HttpCache,
    private readonly offline: boolean,
    private readonly onEvent: EventSink = silent,
  ) {}

  async fetch(url: string, accept: string): Promise<FetchedPage> {
    if (url.startsWith('file:')) {
      const res = await this.http.get(url, { headers: { accept } });
      return this.report({ url, finalUrl: res.finalUrl, contentType: res.headers['content-type'] ?? '', body: res.body, fromCache: 'miss' }, res.status);
    }
    const cached = this.cache.get(url, accept);
    if (this.offline) {
      if (!cached) {
        throw new PyindexError('E_OFFLINE_MISS', `offline: the cache has no copy of ${url}`, {
          hint: 'Run the same command once online to fill the cache, then use --offline.',
          details: { url, accept },
        });
      }
      return this.report(fromEntry(cached.meta, cached.body, 'hit'), cached.meta.status);
    }
    const headers: Record<string, string> = { accept };
    if (cached?.meta.etag) headers['if-none-match'] = cached.meta.etag;
    if (cached?.meta.lastModified) headers['if-modified-since'] = cached.meta.lastModified;
    const res = await this.http.get(url, { headers, compress: true });
    if (res.status === 304 && cached) {
      // Nothing to store: the entry and its validators are unchanged. (Rewriting
      // every revalidated page was ~15 ms of a warm 19-project lock.)
      return this.report(fromEntry(cached.meta, cached.body, 'revalidated'), 304);
    }
    const serial = Number(res.headers['x-pypi-last-serial']);
    const meta = {
      url,
      accept,
      finalUrl: res.finalUrl,
      status: res.status,
      contentType: res.headers['content-type'] ?? '',
      etag: res.headers.etag,
      lastModified: res.headers['last-modified'],
      storedAt: Date.now(),
      lastSerial: Number.isInteger(serial) ? serial : undefined,
    };
    // Only pages with a validator or a 200 are worth keeping; all of them are 200 here.
    this.cache.put(meta, res.body);
    return this.report(fromEntry(meta, res.body, 'miss'), res.status);
  }

  private report(page: FetchedPage, status: number): FetchedPage {
    this.onEvent({ type: 'index:response', url: page.url, status, fromCache: page.fromCache, bytes: page.body.length });
    return page;
  }
}

function fromEntry(
  meta: { url: string; finalUrl: string; contentType: string; lastSerial?: number },
  body: Buffer,
  fromCache: FetchedPage['fromCache'],
): FetchedPage {
  const page: FetchedPage = { url: meta.url, finalUrl: meta.finalUrl, contentType: meta.contentType, body, fromCache };
  if (meta.lastSerial !== undefined) page.lastSerial = meta.lastSerial;
  return page;
}
