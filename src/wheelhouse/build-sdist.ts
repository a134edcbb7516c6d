/**
 * Locked sdists become wheels at fetch time (issue 4, point 2), so build
 * machines never compile and never need build tools: each sdist is built
 * for each profile that installs it, with that profile's Python, offline —
 * `pip wheel --no-index --find-links <its build closure> --no-deps`, where
 * the closure is the set of wheels the lock resolved from the sdist's
 * `[build-system] requires` (src/lock/build-closure.ts) and pip's build
 * isolation (PEP 517/518) installs them into a throwaway environment from
 * that directory only. The built wheel goes into the wheelhouse; the
 * manifest records the sdist it came from (`builtFrom`: filename, sha256 and
 * the profiles it serves) beside the wheel's own hash. The sdist itself
 * stays in the content-addressed cache.
 *
 * A wheel is reused, in order of cost, when the wheelhouse's manifest
 * already records one built from the same sdist bytes for the profile (and
 * its bytes still match), when this machine built one before for the same
 * sdist bytes and profile (a record under <cacheDir>/builds/), or when a
 * pure-Python wheel (`py3-none-any`) built from the same sdist for another
 * profile fits this one.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join, resolve } from 'node:path';
import { PyindexError, isPyindexError } from '../errors/index.js';
import type { EventSink } from '../events/index.js';
import type { LockedFile, LockedPackage, Lockfile } from '../lock/types.js';
import { isWheelFilename, parseWheelFilename } from '../pep/wheel-filename.js';
import { removeLeftoversOfDeadWriters } from '../util/process.js';
import { cacheInsert, cacheLookup, placeFile } from './cas.js';
import { writeFailed } from './errors.js';
import type { ManifestEntry, WheelhouseManifest } from './manifest.js';
import type { PlannedFile } from './plan.js';
import { buildTaskId, checkBuiltWheel, findBuildPython, pipWheel, type BuildPython } from './build-run.js';
import { checkFile, sha256File } from './verify.js';

export interface BuildSdistsOptions {
  lock: Lockfile;
  /** The planned files that are sdists (their `profiles` say for which profiles to build). */
  sdists: PlannedFile[];
  wheelhouse: string;
  cacheDir: string;
  /** The wheelhouse's manifest before this fetch (reuse of earlier builds). */
  previous: WheelhouseManifest | undefined;
  /** The verified cache entry of a locked file, downloaded when absent. */
  cached: (file: PlannedFile) => Promise<string>;
  /** Interpreters to build with (`--python`); a profile takes the first that fits it, else one is looked up. */
  pythons?: readonly string[] | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  cwd?: string | undefined;
  /** Per build. Default 20 minutes. */
  timeoutMs?: number | undefined;
  onEvent: EventSink;
}

export interface BuiltWheel extends ManifestEntry {
  filename: string;
  builtFrom: { filename: string; sha256: string; profiles: string[] };
}

export interface BuildSdistsResult {
  /** One entry per wheel now in the wheelhouse for the planned sdists, sorted by filename. */
  wheels: BuiltWheel[];
  /** Builds run by this call. */
  built: number;
  /** (sdist, profile) pairs served by an earlier build. */
  reused: number;
}

const BUILDS_DIR = 'builds';

/** Where this machine remembers what an sdist (by sha256) built into for a profile (by name and lock digest). */
function buildRecordPath(cacheDir: string, sdistSha256: string, profile: string, digest: string): string {
  return join(cacheDir, BUILDS_DIR, 'records', sdistSha256, `${profile}.${digest.replace(/^sha256:/, '').slice(0, 16)}.json`);
}

interface BuildRecord {
  filename: string;
  sha256: string;
  size: number;
}

async function readBuildRecord(path: string): Promise<BuildRecord | undefined> {
  try {
    const r = JSON.parse(await fsp.readFile(path, 'utf8')) as Partial<BuildRecord>;
    return typeof r.filename === 'string' && typeof r.sha256 === 'string' && typeof r.size === 'number' && isWheelFilename(r.filename) ? (r as BuildRecord) : undefined;
  } catch {
    return undefined;
  }
}

async function writeBuildRecord(path: string, record: BuildRecord): Promise<void> {
  const { writeFileAtomic } = await import('../util/atomic-write.js');
  await fsp.mkdir(join(path, '..'), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(record)}\n`);
}

/** Work directories of builds whose process is gone (killed mid-build) are removed by the next fetch. */
async function removeStaleWorkDirs(cacheDir: string): Promise<void> {
  await removeLeftoversOfDeadWriters(join(cacheDir, BUILDS_DIR), /^work-(\d+)-[0-9a-f]+$/);
}

/**
 * A pure-Python wheel (`pyN[M]-none-any` tags only) fits any CPython of a
 * matching major version — no interpreter needed to tell (PEP 425: CPython
 * X.Y accepts `pyX` and `pyXZ` for Z ≤ Y with abi `none`, platform `any`).
 */
export function pureWheelFits(filename: string, python: string): boolean {
  const [major, minor] = python.split('.').map(Number);
  if (major === undefined || minor === undefined || Number.isNaN(major) || Number.isNaN(minor)) return false;
  const tags = parseWheelFilename(filename).tags;
  const pure = tags.every((t) => /^py\d+-none-any$/.test(t));
  return (
    pure &&
    tags.some((t) => {
      const v = /^py(\d)(\d*)-/.exec(t);
      return v !== null && Number(v[1]) === major && (v[2] === '' || Number(v[2]) <= minor);
    })
  );
}


/** The locked files of an sdist's build closure for a profile, as planned files. */
function closureFiles(lock: Lockfile, sdist: PlannedFile, profile: string): PlannedFile[] {
  const byKey = new Map<string, LockedPackage>(lock.packages.map((p) => [`${p.name} ${p.version}`, p]));
  const entry: LockedFile | undefined = byKey.get(`${sdist.project} ${sdist.version}`)?.files.find((f) => f.filename === sdist.filename);
  const closure = entry?.build && Object.hasOwn(entry.build, profile) ? entry.build[profile] : undefined;
  if (!closure) {
    throw new PyindexError('E_LOCK_STALE', `the lockfile records no build requirements for ${sdist.filename} on profile ${profile}, so it cannot be built offline`, {
      hint: 'The lock was made by a pyindex that did not record build closures: run `pyindex lock` again, then fetch.',
      details: { sdist: sdist.filename, profile },
    });
  }
  return closure.map((r) => {
    const pkg = byKey.get(`${r.name} ${r.version}`);
    const file = pkg?.files.find((f) => f.filename === r.file);
    if (!file) {
      throw new PyindexError('E_LOCK_INVALID', `build requirements of ${sdist.filename} for ${profile}: ${r.name} ${r.version} (${r.file}) is not among the lockfile's packages`, {
        hint: 'Regenerate the lockfile with `pyindex lock`.',
      });
    }
    return { filename: file.filename, sha256: file.sha256, size: file.size, url: file.url, project: r.name, version: r.version, profiles: [profile] };
  });
}


export async function buildSdists(o: BuildSdistsOptions): Promise<BuildSdistsResult> {
  const wheels = new Map<string, BuiltWheel>();
  const result: BuildSdistsResult = { wheels: [], built: 0, reused: 0 };
  if (!o.sdists.length) return result;
  await removeStaleWorkDirs(o.cacheDir);
  const pythons = new Map<string, Promise<BuildPython>>();
  const pythonFor = (profile: string, sdist: string): Promise<BuildPython> => {
    let p = pythons.get(profile);
    if (!p) {
      p = findBuildPython(o, profile, sdist);
      pythons.set(profile, p);
    }
    return p;
  };
  const entryFor = (filename: string, sdist: PlannedFile, file: { sha256: string; size: number }, profile: string): BuiltWheel => {
    let w = wheels.get(filename);
    if (!w) {
      w = { filename, sha256: file.sha256, size: file.size, project: sdist.project, version: sdist.version, builtFrom: { filename: sdist.filename, sha256: sdist.sha256, profiles: [] } };
      wheels.set(filename, w);
    }
    if (!w.builtFrom.profiles.includes(profile)) w.builtFrom.profiles.push(profile);
    return w;
  };
  /** A wheel already in the wheelhouse, built from these sdist bytes (by the manifest) and still intact. */
  const earlierBuilds = async (sdist: PlannedFile): Promise<[string, ManifestEntry][]> => {
    const found: [string, ManifestEntry][] = [];
    for (const [filename, e] of Object.entries(o.previous?.files ?? {})) {
      if (e.builtFrom?.filename !== sdist.filename || e.builtFrom.sha256 !== sdist.sha256 || !isWheelFilename(filename)) continue;
      const state = await checkFile(o.wheelhouse, { filename, sha256: e.sha256, size: e.size, url: '', project: e.project, version: e.version, profiles: [] }, true);
      if (state === 'present') found.push([filename, e]);
    }
    return found;
  };

  const one = async (sdist: PlannedFile): Promise<void> => {
    const earlier = await earlierBuilds(sdist);
    for (const profile of [...sdist.profiles].sort()) {
      const digest = o.lock.profiles[profile]?.digest ?? '';
      const python = o.lock.profiles[profile]?.python ?? '';
      // 1. The wheelhouse already has the build for this profile.
      const mine = earlier.find(([, e]) => e.builtFrom?.profiles?.includes(profile));
      if (mine) {
        entryFor(mine[0], sdist, mine[1], profile);
        result.reused++;
        continue;
      }
      // 2. A pure-Python wheel built from the same sdist (this run, or before) fits this profile too.
      const pure = [...wheels.values(), ...earlier.map(([filename, e]) => ({ filename, ...e }))].find(
        (w) => w.builtFrom?.sha256 === sdist.sha256 && w.builtFrom.filename === sdist.filename && pureWheelFits(w.filename, python),
      );
      if (pure) {
        entryFor(pure.filename, sdist, pure, profile);
        result.reused++;
        continue;
      }
      // 3. This machine built it before (another wheelhouse, or a pruned one).
      const recordPath = buildRecordPath(o.cacheDir, sdist.sha256, profile, digest);
      const record = await readBuildRecord(recordPath);
      const recorded = record && (await cacheLookup(o.cacheDir, record));
      if (record && recorded) {
        await placeFile(recorded, o.wheelhouse, record.filename);
        entryFor(record.filename, sdist, record, profile);
        result.reused++;
        continue;
      }
      // 4. Build it.
      const id = buildTaskId(sdist, profile);
      o.onEvent({ type: 'task:start', id, title: `build ${sdist.filename} into a wheel for ${profile}` });
      try {
        const closure = closureFiles(o.lock, sdist, profile);
        const interpreter = await pythonFor(profile, sdist.filename);
        const sdistPath = await o.cached(sdist);
        const work = resolve(o.cacheDir, BUILDS_DIR, `work-${process.pid}-${randomBytes(4).toString('hex')}`);
        try {
          await fsp.mkdir(work, { recursive: true });
          const builtPath = await pipWheel(o, interpreter, sdist, profile, sdistPath, closure, work);
          const filename = builtPath.slice(builtPath.lastIndexOf('/') + 1);
          checkBuiltWheel(filename, sdist, profile, interpreter);
          let wheel = wheels.get(filename);
          if (wheel) {
            // Same name, same tags: the wheel built for another profile already serves this one; keep one set of bytes.
            entryFor(filename, sdist, wheel, profile);
          } else {
            const sha256 = await sha256File(builtPath);
            const size = (await fsp.stat(builtPath)).size;
            const cachePath = await cacheInsert(o.cacheDir, sha256, builtPath);
            await placeFile(cachePath, o.wheelhouse, filename);
            wheel = entryFor(filename, sdist, { sha256, size }, profile);
          }
          const built = { filename, sha256: wheel.sha256, size: wheel.size };
          await writeBuildRecord(recordPath, built).catch((err: unknown) => {
            throw writeFailed(recordPath, err);
          });
          result.built++;
        } finally {
          await fsp.rm(work, { recursive: true, force: true });
        }
        o.onEvent({ type: 'task:end', id, ok: true, detail: [...wheels.values()].find((w) => w.builtFrom.profiles.includes(profile) && w.builtFrom.sha256 === sdist.sha256)?.filename ?? '' });
      } catch (err) {
        o.onEvent({ type: 'task:end', id, ok: false, detail: isPyindexError(err) ? err.code : String(err) });
        throw err;
      }
    }
  };

  // Builds are CPU-bound and each starts a pip: two at a time, profiles of one sdist in turn (so later ones can reuse).
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < o.sdists.length) {
      const sdist = o.sdists[next++]!;
      try {
        await one(sdist);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(2, o.sdists.length) }, worker));
  if (failure) throw failure.error;
  for (const w of wheels.values()) w.builtFrom.profiles.sort();
  result.wheels = [...wheels.values()].sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
  return result;
}
