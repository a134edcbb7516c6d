/**
 * SimpleIndexClient: one object that answers "which projects, which files,
 * what metadata" for an index, whatever it is — an HTTP(S) simple API root
 * (PEP 503 HTML or PEP 691 JSON by content negotiation), a `file:` URL or
 * directory holding a simple tree, or a flat find-links folder.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CoreMetadata } from '../pep/metadata.js';
import { PyindexError, isPyindexError } from '../errors/index.js';
import { silent, type EventSink } from '../events/index.js';
import { canonicalizeName } from '../pep/names.js';
import { HttpCache, MetadataCache } from './cache.js';
import { invalidPage } from './file-entry.js';
import { HttpClient } from './http.js';
import { parseJsonProjectPage, parseJsonRootPage } from './json-page.js';
import { FlatDirectory, detectLocalLayout, listSimpleTreeProjects } from './local.js';
import { MetadataResolver, type GetMetadataOptions } from './metadata.js';
import { PageFetcher, type FetchedPage } from './page-fetcher.js';
import { SIMPLE_ACCEPT, type IndexFile, type ProjectPage } from './types.js';
import { withSlash } from '../util/url.js';

export interface SimpleIndexClientOptions {
  /** http(s) URL of a simple root, a `file:` URL, or a local directory (simple tree or flat find-links folder). */
  index: string;
  cacheDir: string;
  offline?: boolean;
  concurrency?: number;
  timeoutMs?: number;
  retries?: number;
  /** First retry backoff in ms (doubles each time). Default 250. */
  retryDelayMs?: number;
  onEvent?: EventSink;
  userAgent: string;
  /** An HTTP client to share (e.g. one mirror-aware client for every index of a config); closed by its owner, not here. */
  http?: HttpClient;
  /** Maps a file URL of any server of the index to the primary's (mirrors.ts); identity by default. */
  toPrimary?: (url: string) => string;
}

type IndexSource = { kind: 'url'; root: string } | { kind: 'flat'; dir: string; listing: FlatDirectory };

export class SimpleIndexClient {
  readonly http: HttpClient;
  private readonly pages: PageFetcher;
  private readonly metadata: MetadataResolver;
  private readonly onEvent: EventSink;
  private source: Promise<IndexSource> | undefined;
  private readonly projectPages = new Map<string, Promise<ProjectPage>>();

  constructor(private readonly options: SimpleIndexClientOptions) {
    this.onEvent = options.onEvent ?? silent;
    this.http =
      options.http ??
      new HttpClient({
        userAgent: options.userAgent,
        concurrency: options.concurrency ?? 16,
        timeoutMs: options.timeoutMs,
        retries: options.retries,
        retryDelayMs: options.retryDelayMs,
        onEvent: this.onEvent,
      });
    this.pages = new PageFetcher(this.http, new HttpCache(options.cacheDir), options.offline === true, this.onEvent);
    this.metadata = new MetadataResolver({
      http: this.http,
      cache: new MetadataCache(options.cacheDir),
      offline: options.offline === true,
      onEvent: this.onEvent,
      timeoutMs: options.timeoutMs,
    });
  }

  /** Where this index lives, decided once: URL root (with a trailing slash) or flat folder. */
  private resolveSource(): Promise<IndexSource> {
    this.source ??= (async (): Promise<IndexSource> => {
      const index = this.options.index;
      if (/^https?:\/\//i.test(index)) return { kind: 'url', root: withSlash(index) };
      const dir = index.startsWith('file:') ? fileURLToPath(index) : resolve(index);
      const st = await stat(dir).catch(() => undefined);
      if (!st?.isDirectory()) {
        throw new PyindexError('E_FILE_NOT_FOUND', `index directory ${dir} does not exist`, {
          hint: 'Pass an http(s) URL of a simple index, or an existing directory (a PEP 503 tree or a folder of wheels).',
          details: { index },
        });
      }
      if ((await detectLocalLayout(dir)) === 'flat') return { kind: 'flat', dir, listing: new FlatDirectory(dir) };
      return { kind: 'url', root: withSlash(pathToFileURL(dir).href) };
    })();
    return this.source;
  }

  async listProjects(): Promise<string[]> {
    const source = await this.resolveSource();
    if (source.kind === 'flat') return source.listing.listProjects();
    let page: FetchedPage;
    try {
      page = await this.pages.fetch(source.root, SIMPLE_ACCEPT);
    } catch (err) {
      // A local simple tree need not have a root page: its directories are the projects.
      if (isPyindexError(err, 'E_NOT_FOUND') && source.root.startsWith('file:')) return listSimpleTreeProjects(fileURLToPath(source.root));
      throw err;
    }
    const text = page.body.toString('utf8');
    return pageFormat(page) === 'json' ? parseJsonRootPage(text, page.finalUrl) : (await htmlPages()).parseHtmlRootPage(text, page.finalUrl);
  }

  /** The project's files (PEP 503 name normalization picks the URL), memoized for the client's life. */
  getProject(name: string): Promise<ProjectPage> {
    const canonical = canonicalizeName(name);
    let pending = this.projectPages.get(canonical);
    if (!pending) {
      pending = this.fetchProject(canonical);
      this.projectPages.set(canonical, pending);
      pending.catch(() => this.projectPages.delete(canonical));
    }
    return pending;
  }

  private async fetchProject(canonical: string): Promise<ProjectPage> {
    const source = await this.resolveSource();
    if (source.kind === 'flat') return source.listing.getProject(canonical);
    const page = await this.pages.fetch(`${source.root}${encodeURIComponent(canonical)}/`, SIMPLE_ACCEPT);
    const text = page.body.toString('utf8');
    const parsed =
      pageFormat(page) === 'json'
        ? parseJsonProjectPage(text, page.finalUrl, page.lastSerial)
        : withSerial((await htmlPages()).parseHtmlProjectPage(text, page.finalUrl, canonical), page.lastSerial);
    // A mirror's page may link its files absolutely, to itself: the rest of pyindex sees primary URLs only.
    const toPrimary = this.options.toPrimary;
    if (toPrimary) for (const f of parsed.files) f.url = toPrimary(f.url);
    return parsed;
  }

  /** Core metadata of one file by the cheapest correct route (see metadata.ts). */
  getMetadata(file: IndexFile, options: GetMetadataOptions = {}): Promise<CoreMetadata> {
    return this.metadata.get(file, options);
  }

  /** Closes connections (cache entries are written as they arrive). */
  async close(): Promise<void> {
    if (!this.options.http) await this.http.close();
  }
}

/** The HTML parser (htmlparser2 + entities, ~90 kB) is loaded only by indexes that answer in HTML. */
function htmlPages(): Promise<typeof import('./html-page.js')> {
  return import('./html-page.js');
}

function withSerial(page: ProjectPage, serial: number | undefined): ProjectPage {
  if (serial !== undefined) page.meta.lastSerial = serial;
  return page;
}

/**
 * PEP 691 "Serve File Formats": the server's Content-Type says which format
 * it chose, whatever we asked for. `application/json` and a missing type are
 * tolerated (static hosts serving `index.json`); a v2+ type is refused.
 */
function pageFormat(page: FetchedPage): 'json' | 'html' {
  const type = page.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const versioned = /^application\/vnd\.pypi\.simple\.(v\d+|latest)\+(json|html)$/.exec(type);
  if (versioned) {
    if (versioned[1] !== 'v1' && versioned[1] !== 'latest') {
      throw new PyindexError('E_INDEX_PAGE_INVALID', `${page.finalUrl}: unsupported simple API content type ${type} (pyindex speaks v1)`, {
        hint: 'Upgrade pyindex, or point it at an index that serves the version 1 simple API.',
        details: { url: page.finalUrl, contentType: type },
      });
    }
    return versioned[2] === 'json' ? 'json' : 'html';
  }
  if (type === 'text/html' || type === 'application/xhtml+xml') return 'html';
  if (type === 'application/json') return 'json';
  if (type === '') return page.body.subarray(0, 64).toString('utf8').trimStart().startsWith('{') ? 'json' : 'html';
  throw invalidPage(page.finalUrl, `unexpected Content-Type ${JSON.stringify(type)} for an index page`, { contentType: type });
}
