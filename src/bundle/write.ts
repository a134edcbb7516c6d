/**
 * `pyindex bundle`: one reproducible .tar.gz with everything a build machine
 * needs to provision a job offline — the wheelhouse files of one profile, the
 * wheelhouse manifest and the lock subset:
 *
 *   pyindex.lock.yaml                    the chosen jobs × the profile (a valid lockfile)
 *   wheelhouse/pyindex-wheelhouse.json   manifest of exactly the bundled files
 *   wheelhouse/<filename>                each file, flat (pip --find-links)
 *
 * Every file is re-hashed against the lock while it is packed; a mismatch
 * aborts before the bundle becomes visible.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PyindexError } from '../errors/index.js';
import { silent, type EventSink } from '../events/index.js';
import { parseLockfile } from '../lock/read.js';
import type { Lockfile } from '../lock/types.js';
import { serializeLockfile } from '../lock/write.js';
import { plannedFiles, sha256File } from '../wheelhouse/index.js';
import { lockSubset } from './lock-subset.js';
import { MANIFEST_FILENAME, serializeManifest } from './manifest.js';
import { writeTarGzAtomic, type TarEntry } from './tar-write.js';
import { manifestFor, selectWheelhouseFiles, type WheelhouseFile } from './wheelhouse-files.js';

export const BUNDLE_LOCK = 'pyindex.lock.yaml';
export const BUNDLE_WHEELHOUSE = 'wheelhouse';

export interface WriteBundleOptions {
  lock: Lockfile;
  /** Empty: every job that has the profile. */
  jobs: string[];
  profile: string;
  wheelhouse: string;
  output: string;
  /** The `pyindex fetch …` command that would complete the wheelhouse (for the error hint). */
  fetchCommand: string;
  onEvent?: EventSink;
}

export interface BundleResult {
  file: string;
  sha256: string;
  size: number;
  /** Wheelhouse files packed (the manifest not counted). */
  files: number;
  /** Their total size. */
  bytes: number;
  jobs: string[];
}

/** Reads a file, hashing as it goes; the last chunk is only released once the hash is right. */
function verifiedReader(dir: string, file: WheelhouseFile, onDone: () => void): () => AsyncIterable<Buffer> {
  return async function* () {
    const hash = createHash('sha256');
    let held: Buffer | undefined;
    for await (const chunk of createReadStream(join(dir, file.filename), { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      if (held) yield held;
      held = chunk;
    }
    const got = hash.digest('hex');
    if (got !== file.sha256) {
      throw new PyindexError('E_HASH_MISMATCH', `${join(dir, file.filename)} has sha256 ${got}, the lock says ${file.sha256}`, {
        hint: 'Run `pyindex fetch` for this wheelhouse: it quarantines the bad file and downloads it again. No bundle was written.',
        details: { file: join(dir, file.filename), expected: file.sha256, actual: got },
      });
    }
    if (held) yield held;
    onDone();
  };
}

function byName(a: TarEntry, b: TarEntry): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function bufferEntry(name: string, text: string): TarEntry {
  const bytes = Buffer.from(text, 'utf8');
  return {
    name,
    size: bytes.length,
    data: async function* () {
      yield bytes;
    },
  };
}

export async function writeBundle(options: WriteBundleOptions): Promise<BundleResult> {
  const onEvent = options.onEvent ?? silent;
  const planned = plannedFiles(options.lock, options.jobs, [options.profile]);
  const { files } = await selectWheelhouseFiles(options.wheelhouse, planned, { hash: false, fetchCommand: options.fetchCommand });
  const subset = lockSubset(options.lock, options.jobs, options.profile);
  const lockText = serializeLockfile(subset);
  // The bundle's lock must be one provision accepts: check it the way provision will read it.
  parseLockfile(lockText, `${options.output}:${BUNDLE_LOCK}`);

  const total = files.reduce((n, f) => n + f.size, 0);
  let done = 0;
  onEvent({ type: 'task:start', id: 'bundle', title: `bundle ${files.length} files for ${options.profile}`, total: files.length });
  const entries: TarEntry[] = [
    bufferEntry(BUNDLE_LOCK, lockText),
    bufferEntry(`${BUNDLE_WHEELHOUSE}/${MANIFEST_FILENAME}`, serializeManifest(manifestFor(files))),
    ...files.map((f) => ({
      name: `${BUNDLE_WHEELHOUSE}/${f.filename}`,
      size: f.size,
      data: verifiedReader(options.wheelhouse, f, () => onEvent({ type: 'task:progress', id: 'bundle', done: ++done, total: files.length, detail: f.filename })),
    })),
  ].sort(byName);
  try {
    await writeTarGzAtomic(options.output, entries);
  } catch (err) {
    onEvent({ type: 'task:end', id: 'bundle', ok: false, detail: err instanceof Error ? err.message : String(err) });
    throw err;
  }
  const sha256 = await sha256File(options.output);
  const { size } = await stat(options.output);
  onEvent({ type: 'task:end', id: 'bundle', ok: true, detail: `${files.length} files, ${total} bytes` });
  return { file: options.output, sha256, size, files: files.length, bytes: total, jobs: Object.keys(subset.jobs) };
}
