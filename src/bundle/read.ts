/**
 * `provision --bundle FILE`: open a bundle written by `pyindex bundle`,
 * verify it and extract it once per machine.
 *
 * A bundle travels (scp, artifact stores, USB sticks), so nothing in it is
 * trusted until checked: the member list must be exactly the layout bundle
 * writes (no links, no directories, no other paths), the lock must parse as a
 * lockfile, and every wheelhouse file must hash to what both the manifest and
 * the lock say (a built wheel, which the lock cannot know, must be recorded in
 * the manifest as built from a locked sdist).
 *
 * Extraction goes to `<cacheDir>/bundles/.tmp-…` and is renamed to
 * `<cacheDir>/bundles/<sha256 of the bundle>` when complete, so the final
 * directory existing means a verified, complete extraction; the next open of
 * the same bytes only re-hashes the bundle and stats the files.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { badArchive } from '../archive/entry-name.js';
import { readMember, tarMembers, type TarMember } from '../archive/tar-reader.js';
import { isPyindexError, PyindexError } from '../errors/index.js';
import { silent, type EventSink } from '../events/index.js';
import { parseLockfile } from '../lock/read.js';
import type { Lockfile } from '../lock/types.js';
import { syncDirectory } from '../util/atomic-write.js';
import { removeLeftoversOfDeadWriters } from '../util/process.js';
import { plannedFiles, sha256File } from '../wheelhouse/index.js';
import { isPlainFilename, MANIFEST_FILENAME, parseManifest, type WheelhouseManifest } from './manifest.js';
import { carriers } from './wheelhouse-files.js';
import { BUNDLE_LOCK, BUNDLE_WHEELHOUSE } from './write.js';

export interface OpenBundleOptions {
  cacheDir: string;
  onEvent?: EventSink;
}

export interface OpenedBundle {
  /** The extracted wheelhouse directory (pip --find-links). */
  wheelhouse: string;
  /** The bundle's lock subset. */
  lock: Lockfile;
  sha256: string;
  /** True when an earlier extraction of the same bytes was reused. */
  reused: boolean;
}

/** Big enough for any wheelhouse, small enough that a tar bomb stops. */
const MAX_TOTAL = 256 * 1024 ** 3;
const MAX_TEXT = 64 * 1024 * 1024;

function mismatch(bundle: string, entry: string, fact: string, details: Record<string, unknown> = {}): PyindexError {
  return new PyindexError('E_HASH_MISMATCH', `${bundle} (member ${JSON.stringify(entry)}): ${fact}`, {
    hint: 'The bundle is corrupt or was altered; write it again with `pyindex bundle` and copy it anew.',
    details: { bundle, entry, ...details },
  });
}

async function writeMember(member: TarMember, path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const handle = await open(path, 'wx', 0o644);
  try {
    for await (const chunk of member.stream) {
      hash.update(chunk);
      size += chunk.length;
      await handle.write(chunk);
    }
    // The rename below publishes the directory: its files must be on disk first.
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { sha256: hash.digest('hex'), size };
}

interface Extracted {
  lockText: string;
  manifestText: string;
  files: Map<string, { sha256: string; size: number }>;
}

async function extractMembers(bundle: string, dir: string): Promise<Extracted> {
  let lockText: string | undefined;
  let manifestText: string | undefined;
  const files = new Map<string, { sha256: string; size: number }>();
  const seen = new Set<string>();
  let current: string | undefined;
  try {
    for await (const member of tarMembers(bundle, bundle, true, { maxTotalSize: MAX_TOTAL })) {
      const name = member.header.name;
      current = name;
      if (member.header.type !== 'file') throw badArchive(bundle, `member is a ${member.header.type ?? 'special entry'}, a bundle holds regular files only`, { entry: name });
      if (seen.has(name)) throw badArchive(bundle, 'member appears twice', { entry: name });
      seen.add(name);
      if (name === BUNDLE_LOCK) {
        lockText = (await readMember(member, bundle, MAX_TEXT)).toString('utf8');
        continue;
      }
      const base = name.startsWith(`${BUNDLE_WHEELHOUSE}/`) ? name.slice(BUNDLE_WHEELHOUSE.length + 1) : undefined;
      if (base === MANIFEST_FILENAME) {
        manifestText = (await readMember(member, bundle, MAX_TEXT)).toString('utf8');
        continue;
      }
      if (base === undefined || !isPlainFilename(base)) {
        throw badArchive(bundle, `unexpected member: a bundle holds ${BUNDLE_LOCK} and ${BUNDLE_WHEELHOUSE}/<filename> only`, {
          entry: name,
          hint: 'Do not use this bundle; write a new one with `pyindex bundle`.',
        });
      }
      files.set(base, await writeMember(member, join(dir, BUNDLE_WHEELHOUSE, base)));
    }
  } catch (err) {
    // A truncated gzip or tar fails in the reader, which does not know the member being read.
    if (isPyindexError(err, 'E_BAD_ARCHIVE') && err.details.entry === undefined && current !== undefined) {
      throw badArchive(bundle, `${err.message.replace(`${bundle}: `, '')} (noticed while reading this member)`, {
        entry: current,
        cause: err,
        hint: 'The bundle was cut short or damaged in transit: copy it again, or write it again with `pyindex bundle`.',
      });
    }
    throw err;
  }
  if (lockText === undefined) throw badArchive(bundle, `has no ${BUNDLE_LOCK}; not a pyindex bundle`);
  if (manifestText === undefined) throw badArchive(bundle, `has no ${BUNDLE_WHEELHOUSE}/${MANIFEST_FILENAME}; not a pyindex bundle`);
  return { lockText, manifestText, files };
}

/** Every file the lock's sets need is carried, with the lock's hash; manifest and members agree byte for byte. */
function verifyContents(bundle: string, lock: Lockfile, manifest: WheelhouseManifest, files: Map<string, { sha256: string; size: number }>): void {
  const expected = carriers(plannedFiles(lock, [], []), manifest);
  const expectedNames = new Set(expected.map((f) => f.filename));
  for (const want of expected) {
    const entry = `${BUNDLE_WHEELHOUSE}/${want.filename}`;
    const listed = manifest.files[want.filename];
    if (!listed) throw badArchive(bundle, `the lock needs ${want.filename}, which the manifest does not list`, { entry });
    if (listed.sha256 !== want.sha256) throw mismatch(bundle, entry, `the manifest says sha256 ${listed.sha256}, the lock ${want.sha256}`);
    const got = files.get(want.filename);
    if (!got) throw badArchive(bundle, `the lock needs ${want.filename}, which the bundle does not contain`, { entry });
    if (got.sha256 !== want.sha256 || got.size !== want.size) {
      throw mismatch(bundle, entry, `has sha256 ${got.sha256} (${got.size} bytes), expected ${want.sha256} (${want.size} bytes)`, { expected: want.sha256, actual: got.sha256 });
    }
  }
  for (const name of [...files.keys(), ...Object.keys(manifest.files)]) {
    if (!expectedNames.has(name)) throw badArchive(bundle, `${name} is not needed by the bundle's lock`, { entry: `${BUNDLE_WHEELHOUSE}/${name}` });
  }
}

/** The cheap reuse check: the lock parses and every manifest file is there with its size. */
async function reusable(dir: string, bundle: string): Promise<Lockfile | 'absent' | 'damaged'> {
  try {
    await stat(dir);
  } catch {
    return 'absent';
  }
  try {
    const lock = parseLockfile(await readFile(join(dir, BUNDLE_LOCK), 'utf8'), `${bundle}:${BUNDLE_LOCK}`);
    const manifest = parseManifest(await readFile(join(dir, BUNDLE_WHEELHOUSE, MANIFEST_FILENAME), 'utf8'), bundle);
    for (const [name, entry] of Object.entries(manifest.files)) {
      const s = await stat(join(dir, BUNDLE_WHEELHOUSE, name));
      if (!s.isFile() || s.size !== entry.size) return 'damaged';
    }
    return lock;
  } catch {
    return 'damaged';
  }
}

/** Removes temp extractions left by killed processes (their pid is in the name and no longer runs). */
async function removeLeftovers(root: string): Promise<void> {
  await removeLeftoversOfDeadWriters(root, /^\.tmp-[0-9a-f]{16}-(\d+)-[0-9a-f]{8}$/);
}

export async function openBundle(file: string, options: OpenBundleOptions): Promise<OpenedBundle> {
  const onEvent = options.onEvent ?? silent;
  let sha256: string;
  try {
    sha256 = await sha256File(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new PyindexError('E_FILE_NOT_FOUND', `there is no bundle at ${file}`, { hint: 'Check the --bundle path.', details: { file } });
    throw new PyindexError('E_FILE_NOT_FOUND', `cannot read the bundle ${file}: ${code ?? String(err)}`, { hint: 'Check the path and its permissions.', cause: err, details: { file } });
  }
  const root = join(options.cacheDir, 'bundles');
  const final = join(root, sha256);
  const wheelhouse = join(final, BUNDLE_WHEELHOUSE);
  const existing = await reusable(final, file);
  if (typeof existing === 'object') return { wheelhouse, lock: existing, sha256, reused: true };
  // A final directory that fails the check was damaged after extraction: replace it.
  if (existing === 'damaged') await rm(final, { recursive: true, force: true });

  await removeLeftovers(root);
  const temp = join(root, `.tmp-${sha256.slice(0, 16)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(join(temp, BUNDLE_WHEELHOUSE), { recursive: true });
  onEvent({ type: 'task:start', id: 'bundle', title: `verify and extract ${file}` });
  try {
    const { lockText, manifestText, files } = await extractMembers(file, temp);
    const lock = parseLockfile(lockText, `${file}:${BUNDLE_LOCK}`);
    const manifest = parseManifest(manifestText, `${file}:${BUNDLE_WHEELHOUSE}/${MANIFEST_FILENAME}`);
    verifyContents(file, lock, manifest, files);
    await writeFile(join(temp, BUNDLE_LOCK), lockText);
    await writeFile(join(temp, BUNDLE_WHEELHOUSE, MANIFEST_FILENAME), manifestText);
    await syncDirectory(join(temp, BUNDLE_WHEELHOUSE));
    await syncDirectory(temp);
    try {
      await rename(temp, final);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Another process extracted the same bundle first: theirs is as good as ours.
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      await rm(temp, { recursive: true, force: true });
      const theirs = await reusable(final, file);
      if (typeof theirs !== 'object') throw err;
      onEvent({ type: 'task:end', id: 'bundle', ok: true, detail: 'extracted by another process' });
      return { wheelhouse, lock: theirs, sha256, reused: true };
    }
    await syncDirectory(root);
    onEvent({ type: 'task:end', id: 'bundle', ok: true, detail: `${files.size} files` });
    return { wheelhouse, lock, sha256, reused: false };
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    onEvent({ type: 'task:end', id: 'bundle', ok: false, detail: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}
