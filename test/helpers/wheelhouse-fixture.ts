/**
 * A small locked project and its wheelhouse, built by code: a lockfile whose
 * files really exist (fake bytes, real sha256/size), written into a directory
 * the way `pyindex fetch` lays it out. Two jobs (build: linux + windows, docs:
 * linux), a shared pure wheel, a platform wheel per profile, an sdist whose
 * built wheel the wheelhouse carries instead (manifest `builtFrom`) and a
 * wheel with a filename longer than ustar's 100-byte name field.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import type { LockedRequirement, Lockfile } from '../../src/lock/types.js';
import { serializeLockfile } from '../../src/lock/write.js';

export const LINUX = 'linux';
export const WINDOWS = 'windows';

export interface FixtureFile {
  filename: string;
  project: string;
  version: string;
  bytes: Buffer;
  profiles: string[];
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Deterministic, mildly incompressible bytes for a file. */
function bytesFor(filename: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let seed = createHash('sha256').update(filename).digest();
  for (let i = 0; i < size; i += 32) {
    seed.copy(out, i, 0, Math.min(32, size - i));
    seed = createHash('sha256').update(seed).digest();
  }
  return out;
}

const LONG = 'averyveryverylongprojectname_with_many_words_in_it-1.0.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl';

export const FILES: FixtureFile[] = [
  { filename: 'app-1.0-py3-none-any.whl', project: 'app', version: '1.0', bytes: bytesFor('app', 5000), profiles: [LINUX, WINDOWS] },
  { filename: 'lib-2.0-cp311-cp311-manylinux_2_17_x86_64.whl', project: 'lib', version: '2.0', bytes: bytesFor('lib-linux', 70_000), profiles: [LINUX] },
  { filename: 'lib-2.0-cp311-cp311-win_amd64.whl', project: 'lib', version: '2.0', bytes: bytesFor('lib-win', 60_000), profiles: [WINDOWS] },
  { filename: 'six-1.16.0.tar.gz', project: 'six', version: '1.16.0', bytes: bytesFor('six-sdist', 3000), profiles: [LINUX] },
  { filename: LONG, project: 'averyveryverylongprojectname-with-many-words-in-it', version: '1.0.0', bytes: bytesFor('long', 1234), profiles: [LINUX] },
  { filename: 'docsonly-3.0-py3-none-any.whl', project: 'docsonly', version: '3.0', bytes: bytesFor('docs', 777), profiles: [LINUX] },
];

/** The wheel built from six's sdist (what the wheelhouse holds instead of the sdist). */
export const BUILT_SIX = { filename: 'six-1.16.0-py2.py3-none-any.whl', bytes: bytesFor('six-built', 2500) };

export function file(filename: string): FixtureFile {
  const f = FILES.find((x) => x.filename === filename);
  if (!f) throw new Error(`no fixture file ${filename}`);
  return f;
}

function req(f: FixtureFile, by: string): LockedRequirement {
  return { name: f.project, version: f.version, file: f.filename, extras: [], requiredBy: [by] };
}

export function fixtureLock(configDigest = `sha256:${sha256('config')}`): Lockfile {
  const app = file('app-1.0-py3-none-any.whl');
  const libLinux = file('lib-2.0-cp311-cp311-manylinux_2_17_x86_64.whl');
  const libWin = file('lib-2.0-cp311-cp311-win_amd64.whl');
  const six = file('six-1.16.0.tar.gz');
  const long = file(LONG);
  const docs = file('docsonly-3.0-py3-none-any.whl');
  const byProject = new Map<string, FixtureFile[]>();
  for (const f of FILES) byProject.set(`${f.project} ${f.version}`, [...(byProject.get(`${f.project} ${f.version}`) ?? []), f]);
  const packages = [...byProject.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, files]) => ({
      name: files[0]!.project,
      version: files[0]!.version,
      files: files.map((f) => ({ filename: f.filename, sha256: sha256(f.bytes), size: f.bytes.length, url: `https://pypi.example/packages/${f.filename}`, profiles: [...f.profiles].sort() })),
    }));
  return {
    version: 1,
    configDigest,
    index: 'https://pypi.example/simple/',
    profiles: {
      [LINUX]: { platform: 'linux-x86_64', python: '3.11', digest: `sha256:${sha256('linux')}` },
      [WINDOWS]: { platform: 'windows-amd64', python: '3.11', digest: `sha256:${sha256('windows')}` },
    },
    packages,
    jobs: {
      build: {
        requires: ['app', 'six'],
        constraints: [],
        profiles: {
          [LINUX]: [req(app, 'job: app'), req(long, 'app: averyveryverylongprojectname-with-many-words-in-it'), req(libLinux, 'app: lib'), req(six, 'job: six')],
          [WINDOWS]: [req(app, 'job: app'), req(libWin, 'app: lib')],
        },
      },
      docs: { requires: ['docsonly'], constraints: [], profiles: { [LINUX]: [req(docs, 'job: docsonly')] } },
    },
  };
}

/**
 * Writes every fixture file into `dir` (all profiles, one shared wheelhouse),
 * with six's built wheel instead of its sdist (and its manifest entry) unless
 * `sdist` asks for the sdist itself.
 */
export function writeWheelhouse(dir: string, options: { sdist?: boolean; skip?: string[] } = {}): void {
  mkdirSync(dir, { recursive: true });
  const manifest: Record<string, unknown> = {};
  for (const f of FILES) {
    if (options.skip?.includes(f.filename)) continue;
    if (f.filename === 'six-1.16.0.tar.gz' && !options.sdist) {
      writeFileSync(join(dir, BUILT_SIX.filename), BUILT_SIX.bytes);
      manifest[BUILT_SIX.filename] = { builtFrom: { filename: f.filename, sha256: sha256(f.bytes) }, project: 'six', sha256: sha256(BUILT_SIX.bytes), size: BUILT_SIX.bytes.length, version: '1.16.0' };
      continue;
    }
    writeFileSync(join(dir, f.filename), f.bytes);
    manifest[f.filename] = { project: f.project, sha256: sha256(f.bytes), size: f.bytes.length, version: f.version };
  }
  const sorted = Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => (a < b ? -1 : 1)));
  writeFileSync(join(dir, 'pyindex-wheelhouse.json'), `${JSON.stringify({ files: sorted, version: 1 }, null, 2)}\n`);
}

/** A pyindex.yaml whose jobs and profiles match fixtureLock(). */
export const FIXTURE_CONFIG = `index: https://pypi.example/simple/
profiles:
  linux: { platform: linux-x86_64, python: "3.11" }
  windows: { platform: windows-amd64, python: "3.11" }
jobs:
  build:
    requires: [app, six]
    profiles: [linux, windows]
  docs:
    requires: [docsonly]
    profiles: [linux]
`;

/** A project directory for CLI tests: the config, a current lockfile for it, and a complete wheelhouse `wh`. */
export function writeProject(dir: string): void {
  writeFileSync(join(dir, 'pyindex.yaml'), FIXTURE_CONFIG);
  writeFileSync(join(dir, 'pyindex.lock.yaml'), serializeLockfile(fixtureLock(loadConfig(join(dir, 'pyindex.yaml')).digest)));
  writeWheelhouse(join(dir, 'wh'));
}
