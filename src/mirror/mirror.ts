/**
 * `pyindex mirror`: copy exactly the wanted files (and their PEP 658
 * `.metadata`) from an upstream simple index into a package tree that
 * `pyindex serve` — or nginx, as a static tree — serves, through the tree
 * code itself (src/serve/tree), so its pages are regenerated as for any
 * upload.
 *
 * - Planned whole before anything is written: every wanted file must be
 *   listed upstream with the hash the lock pins, and a file the tree already
 *   publishes under that name must be the same bytes; otherwise nothing is
 *   copied.
 * - Incremental: a file the tree publishes with the right bytes on disk is
 *   skipped; one whose bytes on disk are damaged is restored.
 * - Every download is streamed into the tree's `.pyindex/tmp/` and verified
 *   (sha256 and size) before the tree moves it into `files/` and publishes
 *   it (state, then pages). A kill at any moment leaves at worst a temp
 *   file that the next run sweeps — never a partial file in view.
 * - Upload time and yank state are copied, so `exclude-newer` and yanked
 *   pins mean the same on the copy as upstream.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { PyindexError, isPyindexError } from '../errors/index.js';
import { silent, type EventSink } from '../events/index.js';
import { SimpleIndexClient } from '../index/client.js';
import { verifyHashes } from '../index/metadata.js';
import type { IndexFile } from '../index/types.js';
import { ensureFileFacts } from '../lock/file-facts.js';
import { canonicalizeName } from '../pep/names.js';
import { tempName } from '../serve/tree/atomic.js';
import { openTree, parseDistFilename, type Tree } from '../serve/tree/index.js';
import { Downloader } from '../wheelhouse/download.js';
import type { MirrorWants, WantedFile } from './plan.js';

export interface MirrorOptions {
  /** Upstream simple index: URL or directory. */
  from: string;
  /** The package tree to fill (created when missing). */
  to: string;
  wants: MirrorWants;
  cacheDir: string;
  dryRun?: boolean;
  /** Files copied at once. Default 8. */
  concurrency?: number;
  userAgent?: string;
  onEvent?: EventSink;
  timeoutMs?: number;
  retries?: number;
  retryDelayMs?: number;
}

export type MirrorFileState = 'present' | 'copy' | 'repair';

export interface MirrorEntry {
  project: string;
  filename: string;
  version: string;
  sha256: string;
  size: number;
  /** Where upstream serves it. */
  url: string;
  state: MirrorFileState;
}

export interface MirrorResult {
  root: string;
  from: string;
  dryRun: boolean;
  entries: MirrorEntry[];
  copied: number;
  repaired: number;
  present: number;
  /** Bytes downloaded. */
  bytes: number;
}

interface Located {
  want: WantedFile;
  file: IndexFile;
}

const PROGRESS_INTERVAL_MS = 200;

function listing(names: string[]): string {
  return names.length > 10 ? `${names.slice(0, 10).join(', ')} and ${names.length - 10} more` : names.join(', ');
}

/** The upstream listing of every wanted file; throws when any is missing or listed with another hash. */
async function locate(client: SimpleIndexClient, wants: MirrorWants, from: string): Promise<Located[]> {
  const projects = wants.kind === 'files' ? [...new Set(wants.files.map((w) => canonicalizeName(w.project)))] : wants.projects.map((p) => canonicalizeName(p.name));
  const pages = new Map(
    await Promise.all(
      projects.map(async (name) => {
        try {
          return [name, (await client.getProject(name)).files] as const;
        } catch (err) {
          if (isPyindexError(err, 'E_NOT_FOUND')) return [name, [] as IndexFile[]] as const;
          throw err;
        }
      }),
    ),
  );
  const located: Located[] = [];
  if (wants.kind === 'all-versions') {
    const empty = wants.projects.filter((p) => !pages.get(canonicalizeName(p.name))?.length).map((p) => p.name);
    if (empty.length) throw new PyindexError('E_NOT_FOUND', `${from} has no project ${listing(empty)}`, { hint: 'Check the project names and the --from index.', details: { projects: empty } });
    for (const p of wants.projects) {
      for (const file of pages.get(canonicalizeName(p.name)) ?? []) {
        if (file.kind === 'other') continue;
        let version;
        try {
          version = parseDistFilename(file.filename).version;
        } catch {
          continue; // a filename the tree could not publish anyway
        }
        if (p.specifier.isEmpty || p.specifier.contains(version, { prereleases: true })) located.push({ want: { project: canonicalizeName(p.name), filename: file.filename }, file });
      }
    }
    return located;
  }
  const missing: string[] = [];
  for (const want of wants.files) {
    const file = pages.get(canonicalizeName(want.project))?.find((f) => f.filename === want.filename);
    if (!file) {
      missing.push(want.filename);
      continue;
    }
    const listed = file.hashes.sha256?.toLowerCase();
    if (want.sha256 && listed && listed !== want.sha256) {
      throw new PyindexError('E_HASH_MISMATCH', `${from} lists ${want.filename} with sha256 ${listed}, but the lock pins ${want.sha256}`, {
        hint: 'The upstream file under that name is not the one locked: check --from, or re-lock (`pyindex lock --upgrade-package`) if it was legitimately replaced.',
        details: { filename: want.filename, expected: want.sha256, listed },
      });
    }
    located.push({ want, file });
  }
  if (missing.length) {
    throw new PyindexError('E_NOT_FOUND', `${from} does not list ${missing.length} of the ${wants.files.length} wanted file(s): ${listing(missing)}`, {
      hint: 'Check that --from is the index the lock was made from (its `index:`), or one that mirrors it.',
      details: { missing },
    });
  }
  return located;
}

async function sha256OfFile(path: string): Promise<string | undefined> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch {
    return undefined;
  }
  return hash.digest('hex');
}

/** Whether the tree already publishes the file with these bytes on disk (and its `.metadata`). */
async function classify(tree: Tree, entry: Omit<MirrorEntry, 'state'>): Promise<MirrorFileState> {
  const known = (await tree.project(entry.project))?.files.find((f) => f.filename === entry.filename);
  if (!known) return 'copy';
  if (known.sha256 !== entry.sha256) {
    throw new PyindexError('E_UPLOAD_CONFLICT', `${tree.root} already publishes ${entry.filename} with sha256 ${known.sha256}, but the file to copy has sha256 ${entry.sha256}; nothing was copied`, {
      hint: 'A filename always means the same bytes: if the upstream file is the right one, remove the old one first (`pyindex remove --root …`).',
      details: { filename: entry.filename, published: known.sha256, upstream: entry.sha256 },
    });
  }
  const path = join(tree.layout.filesDir, entry.project, entry.filename);
  if ((await fsp.stat(path).catch(() => undefined))?.size !== entry.size || (await sha256OfFile(path)) !== entry.sha256) return 'repair';
  if (known.metadataSha256 !== undefined && (await sha256OfFile(`${path}.metadata`)) !== known.metadataSha256) return 'repair';
  return 'present';
}

/** PEP 700 upload-time, normalized as the tree writes it (ISO 8601, ms); undefined when absent or unreadable. */
function uploadTime(file: IndexFile): string | undefined {
  const ms = file.uploadTime === undefined ? NaN : Date.parse(file.uploadTime);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export async function mirrorIndex(o: MirrorOptions): Promise<MirrorResult> {
  const onEvent = o.onEvent ?? silent;
  const userAgent = o.userAgent ?? 'pyindex';
  const client = new SimpleIndexClient({ index: o.from, cacheDir: o.cacheDir, userAgent, onEvent, timeoutMs: o.timeoutMs, retries: o.retries, retryDelayMs: o.retryDelayMs });
  const downloader = new Downloader({ userAgent, connections: o.concurrency ?? 8, timeoutMs: o.timeoutMs, retries: o.retries, retryDelayMs: o.retryDelayMs, onEvent });
  const tree = openTree(o.to);
  const result: MirrorResult = { root: o.to, from: o.from, dryRun: o.dryRun === true, entries: [], copied: 0, repaired: 0, present: 0, bytes: 0 };
  try {
    const located = await locate(client, o.wants, o.from);
    // Hashes and sizes the listing does not state are learnt from upstream (a Range request, or the bytes).
    await Promise.all(located.filter((l) => !l.want.sha256 || l.want.size === undefined).map((l) => ensureFileFacts(client.http, l.file)));
    const planned = located.map(({ want, file }) => ({
      project: canonicalizeName(want.project),
      filename: file.filename,
      version: parseDistFilename(file.filename).version.toString(),
      sha256: (want.sha256 ?? file.hashes.sha256!).toLowerCase(),
      size: want.size ?? file.size!,
      url: file.url,
    }));
    result.entries = await Promise.all(planned.map(async (p) => ({ ...p, state: await classify(tree, p) })));
    result.present = result.entries.filter((e) => e.state === 'present').length;
    if (result.dryRun) return result;
    await fsp.mkdir(tree.layout.tmpDir, { recursive: true });
    // Leftovers of a killed run: temp files under .pyindex/tmp, never in view.
    await tree.sweepTemps();
    await copyAll(o, tree, client, downloader, located, result, onEvent);
    if (result.copied) await tree.regenerateRoot();
    return result;
  } finally {
    await downloader.close();
    await client.close();
  }
}

async function copyAll(o: MirrorOptions, tree: Tree, client: SimpleIndexClient, downloader: Downloader, located: Located[], result: MirrorResult, onEvent: EventSink): Promise<void> {
  const upstream = new Map(located.map((l) => [l.file.filename, l.file]));
  const todo = result.entries.filter((e) => e.state !== 'present');
  const progress = { files: result.present, filesTotal: result.entries.length, bytes: 0, bytesTotal: result.entries.reduce((n, e) => n + e.size, 0), downloaded: 0 };
  for (const e of result.entries) if (e.state === 'present') progress.bytes += e.size;
  let last = 0;
  const report = (force: boolean): void => {
    if (!force && Date.now() - last < PROGRESS_INTERVAL_MS) return;
    last = Date.now();
    onEvent({ type: 'mirror:progress', ...progress });
  };
  report(true);
  for (const e of result.entries) if (e.state === 'present') onEvent({ type: 'mirror:file', filename: e.filename, via: 'present', bytes: e.size });

  const copyOne = async (entry: MirrorEntry): Promise<void> => {
    const file = upstream.get(entry.filename)!;
    const temp = tempName(tree.layout.tmpDir, 'mirror');
    try {
      await downloader.download(entry.url, entry, temp, (n) => {
        progress.downloaded += n;
        report(false);
      });
      const metadata = await upstreamMetadata(client, file, onEvent);
      if (entry.state === 'repair') {
        await tree.restoreFile(entry.filename, temp, entry.sha256, metadata);
        result.repaired++;
      } else {
        const yanked = file.yanked === false ? undefined : file.yanked;
        const time = uploadTime(file);
        await tree.addFile(
          { filename: entry.filename, bytes: temp, adopt: true, sha256: entry.sha256, ...(metadata ? { metadata } : {}), ...(file.requiresPython ? { requiresPython: file.requiresPython } : {}), ...(time ? { uploadTime: time } : {}), ...(yanked !== undefined ? { yanked } : {}) },
          { rootPages: false },
        );
        result.copied++;
      }
    } finally {
      await fsp.rm(temp, { force: true });
    }
    result.bytes += entry.size;
    progress.files++;
    progress.bytes += entry.size;
    onEvent({ type: 'mirror:file', filename: entry.filename, via: entry.state === 'repair' ? 'repaired' : 'copied', bytes: entry.size });
    report(true);
  };

  // At most `concurrency` at once; after the first failure nothing new starts, then it is thrown.
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < todo.length) {
      const entry = todo[next++]!;
      await copyOne(entry).catch((error: unknown) => void (failure ??= { error }));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency ?? 8, todo.length)) }, worker));
  if (failure) throw failure.error;
}

/** Upstream's PEP 658 `.metadata`, checked against the hash its listing gives; undefined when it has none (read from the archive then). */
async function upstreamMetadata(client: SimpleIndexClient, file: IndexFile, onEvent: EventSink): Promise<Buffer | undefined> {
  if (file.coreMetadata === false) return undefined;
  const url = `${file.url}.metadata`;
  const sha256 = typeof file.coreMetadata === 'object' ? file.coreMetadata.sha256 : undefined;
  try {
    return (await client.http.get(url, sha256 === undefined ? {} : { verify: (res) => verifyHashes(res.body, { sha256 }, url) })).body;
  } catch (err) {
    if (!isPyindexError(err, 'E_NOT_FOUND')) throw err;
    onEvent({ type: 'warning', message: `${url} is advertised upstream but missing; the tree reads ${file.filename}'s metadata from the file itself` });
    return undefined;
  }
}
