/**
 * The index HTTP client with mirror fail-over (mirrors.ts): a request for a
 * URL of an index that has mirrors goes to its servers in order, each tried
 * once per round (the rounds replace the plain client's retries), and the
 * answer comes back with the PRIMARY server's URLs, so page links resolve to
 * primary URLs and nothing downstream knows which server answered.
 */
import { HttpClient, type HttpClientOptions, type HttpRequestOptions, type HttpResponse } from './http.js';
import type { MirrorRouter } from './mirrors.js';

export class MirroredHttpClient extends HttpClient {
  constructor(
    options: HttpClientOptions,
    readonly router: MirrorRouter,
  ) {
    super(options);
  }

  override async get(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
    const set = this.router.setFor(url);
    if (!set) return super.get(url, options);
    // Simple pages end in "/" (the root, a project); files never do.
    const res = await set.run(url, url.endsWith('/') ? 'page' : 'file', (serverUrl) => super.get(serverUrl, { ...options, retries: 0 }));
    return { ...res, url, finalUrl: set.toPrimary(res.finalUrl) };
  }
}
