/**
 * Core metadata of one index file by the cheapest source that is still
 * correct, in this order:
 *
 * 1. the on-disk metadata cache (keyed by the file's sha256);
 * 2. PEP 658 `<url>.metadata` when the index offers it, checked against the
 *    hash the index gave (PEP 714 `core-metadata`);
 * 3. wheels: HTTP Range reads of the zip tail and the METADATA member only
 *    (whole download when the server ignores Range);
 * 4. sdists: PKG-INFO when it is authoritative (PEP 643: Metadata-Version
 *    ≥ 2.2 and the dependency fields not Dynamic);
 * 5. sdists otherwise: the build backend's metadata hook (build-metadata.ts).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSdistPkgInfo } from '../archive/sdist.js';
import { readWheelMetadata } from '../archive/wheel-metadata.js';
import { withFileSource } from '../archive/zip-reader.js';
import { PyindexError, isPyindexError } from '../errors/index.js';
import { silent, type EventSink, type PyindexEvent } from '../events/index.js';
import { parseCoreMetadata, requiresDistIsDynamic, type CoreMetadata } from '../pep/metadata.js';
import { canonicalizeName } from '../pep/names.js';
import { parseSdistFilename } from '../pep/sdist-filename.js';
import { parseWheelFilename } from '../pep/wheel-filename.js';
import { metadataCacheKey, type MetadataCache } from './cache.js';
import type { HttpClient } from './http.js';
import { openRemoteFile } from './range-source.js';
import type { IndexFile } from './types.js';

export interface GetMetadataOptions {
  /** Interpreter for the build-backend fallback (sdists without trustworthy PKG-INFO). */
  python?: string;
}

export interface MetadataResolverDeps {
  http: HttpClient;
  cache: MetadataCache;
  offline: boolean;
  onEvent?: EventSink;
  timeoutMs?: number;
  /** First suffix Range size for wheels. Default 64 KiB. */
  tailBytes?: number;
}

type Via = Extract<PyindexEvent, { type: 'metadata:fetched' }>['via'];

/** Hash names we can check; the strongest one the index gave is used. */
const VERIFIABLE = ['sha512', 'sha384', 'sha256', 'sha224', 'sha1', 'md5'];

export function verifyHashes(body: Buffer, hashes: Record<string, string>, url: string): void {
  const name = VERIFIABLE.find((n) => hashes[n] !== undefined);
  if (!name) return;
  const expected = hashes[name]!.toLowerCase();
  const actual = createHash(name).update(body).digest('hex');
  if (actual !== expected) {
    throw new PyindexError('E_HASH_MISMATCH', `${url}: ${name} is ${actual}, but the index says ${expected}`, {
      hint: 'The file changed on the server or was corrupted in transit; retry, and if it persists tell the index maintainers.',
      details: { url, algorithm: name, expected, actual },
    });
  }
}

function projectOf(file: IndexFile): string {
  try {
    if (file.kind === 'wheel') return parseWheelFilename(file.filename).canonicalName;
    if (file.kind === 'sdist') return parseSdistFilename(file.filename).canonicalName;
  } catch {
    // fall through: a file name we cannot parse still gets an event
  }
  return '';
}

export class MetadataResolver {
  private readonly inflight = new Map<string, Promise<CoreMetadata>>();
  private readonly onEvent: EventSink;

  constructor(private readonly deps: MetadataResolverDeps) {
    this.onEvent = deps.onEvent ?? silent;
  }

  get(file: IndexFile, options: GetMetadataOptions = {}): Promise<CoreMetadata> {
    const key = `${metadataCacheKey(file.hashes, file.url)}\0${options.python ?? ''}`;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.resolve(file, options);
      this.inflight.set(key, pending);
      pending.catch(() => this.inflight.delete(key));
    }
    return pending;
  }

  private emit(file: IndexFile, via: Via): void {
    this.onEvent({ type: 'metadata:fetched', project: projectOf(file), filename: file.filename, via });
  }

  private async resolve(file: IndexFile, options: GetMetadataOptions): Promise<CoreMetadata> {
    const { cache } = this.deps;
    const key = metadataCacheKey(file.hashes, file.url);
    // Built metadata can depend on the interpreter (setup.py code), so it is filed per Python.
    const builtKey = options.python ? metadataCacheKey(file.hashes, file.url, `python:${options.python}`) : undefined;
    const cached = cache.get(key) ?? (builtKey ? cache.get(builtKey) : undefined);
    if (cached !== undefined) {
      const meta = this.parse(cached, file);
      this.emit(file, 'cache');
      return meta;
    }
    if (this.deps.offline && !file.url.startsWith('file:')) {
      throw new PyindexError('E_OFFLINE_MISS', `offline: the cache has no metadata for ${file.filename} (${file.url})`, {
        hint: 'Run the same command once online to fill the cache, then use --offline.',
        details: { url: file.url, filename: file.filename },
      });
    }
    const { text, via } = await this.fetch(file, options);
    const meta = this.parse(text, file);
    cache.put(via === 'build-backend' && builtKey ? builtKey : key, text);
    this.emit(file, via);
    return meta;
  }

  private async fetch(file: IndexFile, options: GetMetadataOptions): Promise<{ text: string; via: Via }> {
    if (file.coreMetadata !== false) {
      const text = await this.fromPep658(file);
      if (text !== undefined) return { text, via: 'pep658' };
    }
    if (file.kind === 'wheel') return this.fromWheel(file);
    if (file.kind === 'sdist') return this.fromSdist(file, options);
    throw new PyindexError('E_BAD_ARCHIVE', `${file.url}: cannot read metadata from ${file.filename}, which is neither a wheel nor an sdist`, {
      hint: 'Only wheels and sdists (.tar.gz, .zip) carry readable metadata; exclude this file or use another release.',
      details: { url: file.url },
    });
  }

  /** PEP 658: the metadata file sits at the distribution's URL + ".metadata". */
  private async fromPep658(file: IndexFile): Promise<string | undefined> {
    const url = `${file.url}.metadata`;
    const sha256 = typeof file.coreMetadata === 'object' ? file.coreMetadata.sha256 : undefined;
    let body: Buffer;
    try {
      // Checked as part of the request, so a mirror serving other bytes is failed over (mirrors.ts).
      body = (await this.deps.http.get(url, sha256 === undefined ? {} : { verify: (res) => verifyHashes(res.body, { sha256 }, url) })).body;
    } catch (err) {
      if (!isPyindexError(err, 'E_NOT_FOUND')) throw err;
      // The index advertised a file it does not have: read the distribution instead.
      this.onEvent({ type: 'warning', message: `${url} is advertised by the index but missing; reading ${file.filename} instead` });
      return undefined;
    }
    return body.toString('utf8');
  }

  private async fromWheel(file: IndexFile): Promise<{ text: string; via: Via }> {
    if (file.url.startsWith('file:')) {
      const text = await withFileSource(fileURLToPath(file.url), async (source) => (await readWheelMetadata(source, file.filename)).text);
      return { text, via: 'range' };
    }
    const remote = await openRemoteFile(this.deps.http, file.url, this.deps.tailBytes);
    if (remote.body) verifyHashes(remote.body, file.hashes, file.url);
    const { text } = await readWheelMetadata(remote.source, file.filename);
    return { text, via: remote.mode };
  }

  private async fromSdist(file: IndexFile, options: GetMetadataOptions): Promise<{ text: string; via: Via }> {
    const local = file.url.startsWith('file:') ? fileURLToPath(file.url) : undefined;
    const body = local === undefined ? (await this.deps.http.get(file.url, { verify: (res) => verifyHashes(res.body, file.hashes, file.url) })).body : await readFile(local);
    if (local !== undefined) verifyHashes(body, file.hashes, file.url);
    const pkgInfo = await readSdistPkgInfo(body, file.filename);
    if (pkgInfo !== undefined) {
      const meta = parseCoreMetadata(pkgInfo, `${file.url} PKG-INFO`);
      // PEP 643: from 2.2 on, a field not listed in Dynamic is what the built wheel will say.
      const dynamic = meta.dynamic.map((d) => d.trim().toLowerCase());
      if (!requiresDistIsDynamic(meta) && !dynamic.includes('requires-python') && !dynamic.includes('provides-extra')) {
        return { text: pkgInfo, via: 'pkg-info' };
      }
    }
    if (!options.python) {
      throw new PyindexError('E_PYTHON_NOT_FOUND', `${file.url}: the dependencies of ${file.filename} are only known after running its build backend, and no Python was given to run it`, {
        hint: 'Pass a Python interpreter (getMetadata(file, { python }) / --python), or use a wheel of this project.',
        details: { url: file.url },
      });
    }
    // Loaded on demand: most locks never build anything, and this pulls in execa.
    const { buildSdistMetadata } = await import('./build-metadata.js');
    if (local !== undefined) return { text: await buildSdistMetadata(local, file.filename, file.url, { python: options.python }), via: 'build-backend' };
    const dir = await mkdtemp(join(tmpdir(), 'pyindex-sdist-'));
    try {
      const path = join(dir, file.filename.replace(/[/\\]/g, '_'));
      await writeFile(path, body);
      return { text: await buildSdistMetadata(path, file.filename, file.url, { python: options.python }), via: 'build-backend' };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Parses and checks the metadata belongs to the file (a mixed-up mirror would otherwise poison the lock). */
  private parse(text: string, file: IndexFile): CoreMetadata {
    const meta = parseCoreMetadata(text, file.url);
    const project = projectOf(file);
    if (project && project !== meta.canonicalName && file.kind === 'wheel') {
      throw new PyindexError('E_INVALID_METADATA', `${file.url}: metadata names project ${JSON.stringify(meta.name)}, but the file is ${file.filename}`, {
        hint: 'The index serves metadata that does not belong to this file; tell the index maintainers.',
        details: { url: file.url, name: meta.name },
      });
    }
    if (file.kind === 'sdist' && canonicalizeName(meta.name) !== project && project) {
      // Legacy sdist names are ambiguous without the project name; re-split with the metadata's name before complaining.
      try {
        parseSdistFilename(file.filename, meta.name);
      } catch {
        throw new PyindexError('E_INVALID_METADATA', `${file.url}: metadata names project ${JSON.stringify(meta.name)}, but the file is ${file.filename}`, {
          hint: 'The index serves metadata that does not belong to this file; tell the index maintainers.',
          details: { url: file.url, name: meta.name },
        });
      }
    }
    return meta;
  }
}
