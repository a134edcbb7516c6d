import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { stringify } from 'yaml';
import { isPyindexError } from '../../src/errors/index.js';
import { buildLockfile } from '../../src/lock/build.js';
import { parseLockfile, readLockfile } from '../../src/lock/read.js';
import { lockfileToDocument, serializeLockfile } from '../../src/lock/write.js';
import { fakeProfileDigest, LINUX, sampleConfig, sampleResolutions, WINDOWS } from '../helpers/lock-fixtures.js';

const FILE = '/repo/pyindex.lock.yaml';
const lock = buildLockfile({ config: sampleConfig(), resolutions: sampleResolutions(), profileDigest: fakeProfileDigest });

interface Doc {
  version?: unknown;
  profiles: Record<string, unknown>;
  packages: { name: string; version: string; files: Record<string, unknown>[] }[];
  jobs: Record<string, { constraints?: unknown; profiles: Record<string, Record<string, unknown>[]> }>;
  [key: string]: unknown;
}

function doc(): Doc {
  return lockfileToDocument(lock) as unknown as Doc;
}

/** 1-based line of the n-th (0-based) line containing `needle`. */
function lineOf(text: string, needle: string, nth = 0): number {
  const lines = text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.includes(needle) && seen++ === nth) return i + 1;
  }
  throw new Error(`${needle} not in text`);
}

interface Case {
  name: string;
  mutate: (d: Doc) => void;
  message: RegExp;
  /** The line the error must name: the n-th line holding this text. */
  at?: [string, number?];
  keyPath?: string;
}

const linuxTalos = (d: Doc) => d.jobs.talos!.profiles[LINUX.name]!;
const entry = (list: Record<string, unknown>[], name: string) => list.find((r) => r.name === name)!;

const CASES: Case[] = [
  {
    name: 'sha256 of 63 hex characters',
    mutate: (d) => (d.packages[2]!.files[0]!.sha256 = 'a'.repeat(63)),
    message: /sha256 "a{63}" is not 64 lowercase hex characters/,
    at: [`sha256: ${'a'.repeat(63)}`],
    keyPath: 'packages[2].files[0].sha256',
  },
  {
    name: 'sha256 in upper case',
    mutate: (d) => (d.packages[0]!.files[0]!.sha256 = 'AB'.repeat(32)),
    message: /is not 64 lowercase hex characters/,
    at: [`sha256: ${'AB'.repeat(32)}`],
  },
  {
    name: 'duplicate package entry',
    mutate: (d) => d.packages.push(structuredClone(d.packages[2]!)),
    message: /duplicate package entry idna 3\.10 \(also packages\[2\], line \d+\)/,
    at: ['- name: idna', 1],
    keyPath: 'packages[9]',
  },
  {
    name: 'a job naming a version absent from packages',
    mutate: (d) => (entry(linuxTalos(d), 'requests').version = '2.30.0'),
    message: /job talos, profile linux-x86_64-py3\.11: requests 2\.30\.0 is not among packages:/,
    at: ['version: 2.30.0'],
  },
  {
    name: 'a job naming a package absent from packages',
    mutate: (d) => linuxTalos(d).push({ name: 'zzz', version: '1.0', file: 'zzz-1.0.tar.gz', extras: [], 'required-by': ['job: zzz'] }),
    message: /zzz 1\.0 is not among packages:/,
  },
  {
    name: 'a file that is not among the package files',
    mutate: (d) => (entry(d.jobs.docs!.profiles[LINUX.name]!, 'requests').file = 'requests-2.31.0.tar.gz'),
    message: /job docs, profile linux-x86_64-py3\.11: requests-2\.31\.0\.tar\.gz is not a file of requests 2\.31\.0 \(its files: requests-2\.31\.0-py3-none-any\.whl\)/,
    at: ['file: requests-2.31.0.tar.gz'],
  },
  {
    name: 'a file whose profiles do not list the profile',
    mutate: (d) => (entry(linuxTalos(d), 'charset-normalizer').file = 'charset_normalizer-3.4.0-cp311-cp311-win_amd64.whl'),
    message: /job talos, profile linux-x86_64-py3\.11: file charset_normalizer-3\.4\.0-cp311-cp311-win_amd64\.whl does not list profile linux-x86_64-py3\.11 under its profiles/,
    at: ['file: charset_normalizer-3.4.0-cp311-cp311-win_amd64.whl'],
  },
  {
    name: 'a profile used by a job but missing from profiles',
    mutate: (d) => (d.jobs.talos!.profiles['windows-amd64-py3.12'] = d.jobs.talos!.profiles[WINDOWS.name]!),
    message: /job talos uses profile "windows-amd64-py3\.12", which is not under profiles: \(known: linux-x86_64-py3\.11, windows-amd64-py3\.11\)/,
    at: ['windows-amd64-py3.12:'],
    keyPath: 'jobs.talos.profiles.windows-amd64-py3.12',
  },
  {
    name: 'a file naming a profile missing from profiles',
    mutate: (d) => (d.packages[0]!.files[0]!.profiles as string[]).push('macos-arm64-py3.12'),
    message: /file certifi-2024\.8\.30-py3-none-any\.whl names profile "macos-arm64-py3\.12", which is not under profiles:/,
    at: ['- macos-arm64-py3.12'],
  },
  {
    name: 'one filename under two packages',
    mutate: (d) => (d.packages[8]!.files[0]!.filename = 'urllib3-1.26.20-py2.py3-none-any.whl'),
    message: /file urllib3-1\.26\.20-py2\.py3-none-any\.whl is listed twice \(also under urllib3 1\.26\.20\)/,
    at: ['filename: urllib3-1.26.20-py2.py3-none-any.whl', 1],
  },
  {
    name: 'a package listed twice in one set',
    mutate: (d) => linuxTalos(d).push(structuredClone(entry(linuxTalos(d), 'six'))),
    message: /job talos, profile linux-x86_64-py3\.11: six is listed twice/,
  },
  {
    name: 'a reason naming a package outside the set',
    mutate: (d) => (entry(linuxTalos(d), 'certifi')['required-by'] = ['requestz: certifi']),
    message: /certifi is required by "requestz", which is not in this set/,
    at: ['requestz: certifi'],
  },
  {
    name: 'a reason without "by: "',
    mutate: (d) => (entry(linuxTalos(d), 'certifi')['required-by'] = ['certifi']),
    message: /"certifi" is not of the form "<dependent>: <requirement>"/,
  },
  {
    name: 'a newer lockfile version',
    mutate: (d) => (d.version = 2),
    message: /lockfile version 2 is not supported \(this pyindex reads version 1\)/,
    at: ['version: 2'],
  },
  { name: 'version as a string', mutate: (d) => (d.version = '1'), message: /lockfile version "1" is not supported/ },
  { name: 'no version', mutate: (d) => delete d.version, message: /missing key "version"/ },
  {
    name: 'an unknown top-level key',
    mutate: (d) => (d.generated = 'today'),
    message: /unknown key "generated" \(expected one of: version, config-digest, index, profiles, packages, jobs\)/,
    at: ['generated: today'],
  },
  {
    name: 'an unknown file key',
    mutate: (d) => (d.packages[3]!.files[0]!.md5 = 'x'),
    message: /unknown key "md5"/,
    at: ['md5: x'],
    keyPath: 'packages[3].files[0].md5',
  },
  {
    name: 'a size that is a string',
    mutate: (d) => (d.packages[1]!.files[1]!.size = '62'),
    message: /must be an integer, got string "62"/,
    at: ['size: "62"'],
  },
  { name: 'a negative size', mutate: (d) => (d.packages[1]!.files[1]!.size = -1), message: /must be ≥ 0, got number -1/, at: ['size: -1'] },
  {
    name: 'a missing key',
    mutate: (d) => delete d.jobs.docs!.constraints,
    message: /missing key "constraints"/,
    at: ['docs:'],
    keyPath: 'jobs.docs',
  },
  { name: 'a name not normalized', mutate: (d) => (d.packages[6]!.name = 'Six'), message: /"Six" is not a PEP 503 normalized project name/, at: ['name: Six'] },
  { name: 'a name with doubled separators', mutate: (d) => (d.packages[6]!.name = 'six--x'), message: /"six--x" is not a PEP 503 normalized name \(six-x\)/ },
  {
    name: 'a version not in normal form',
    mutate: (d) => (d.packages[6]!.version = 'v1.16.0'),
    message: /version "v1\.16\.0" is not in PEP 440 normal form \(1\.16\.0\)/,
    at: ['version: v1.16.0'],
  },
  { name: 'a version that is not PEP 440', mutate: (d) => (d.packages[6]!.version = 'banana'), message: /"banana" is not a valid PEP 440 version/ },
  { name: 'a file without profiles', mutate: (d) => (d.packages[6]!.files[0]!.profiles = []), message: /must not be an empty list/ },
];

t.test('inconsistencies a hand edit can introduce: E_LOCK_INVALID with file:line and key path', async (t) => {
  for (const c of CASES) {
    const d = doc();
    c.mutate(d);
    const text = stringify(d, { lineWidth: 0 });
    let err: unknown;
    try {
      parseLockfile(text, FILE);
    } catch (e) {
      err = e;
    }
    if (!isPyindexError(err, 'E_LOCK_INVALID')) {
      t.fail(`${c.name}: expected E_LOCK_INVALID, got ${String(err)}`);
      continue;
    }
    t.match(err.message, c.message, c.name);
    t.match(err.message, new RegExp(`^${FILE.replace(/\./g, '\\.')}:\\d+: `), `${c.name}: names file:line`);
    if (c.at) t.equal(err.details.line, lineOf(text, c.at[0], c.at[1]), `${c.name}: line ${err.details.line as number}`);
    if (c.keyPath) t.equal(err.details.path, c.keyPath, `${c.name}: key path`);
    t.ok(err.hint, `${c.name}: has a hint`);
  }
});

t.test('the version check comes first and points newer files at an upgrade', async (t) => {
  const d = doc();
  d.version = 2;
  d.packages = 'a different shape' as unknown as Doc['packages'];
  t.throws(() => parseLockfile(stringify(d), FILE), { code: 'E_LOCK_INVALID', message: /version 2 is not supported/, hint: /upgrade pyindex/ });
});

t.test('YAML syntax errors and non-mappings', async (t) => {
  t.throws(() => parseLockfile('version: 1\npackages: [\n', FILE), { code: 'E_LOCK_INVALID', message: /^\/repo\/pyindex\.lock\.yaml:\d+: invalid YAML/ });
  t.throws(() => parseLockfile('version: 1\nversion: 1\n', FILE), { code: 'E_LOCK_INVALID', message: /invalid YAML/ });
  t.throws(() => parseLockfile('- a\n- b\n', FILE), { code: 'E_LOCK_INVALID', message: /must be a mapping, got a list/ });
  t.throws(() => parseLockfile('', FILE), { code: 'E_LOCK_INVALID', message: /the lockfile is empty/ });
});

t.test('a consistent lockfile reads back unchanged', async (t) => {
  t.same(parseLockfile(serializeLockfile(lock), FILE), lock);
  const d = doc();
  t.same(parseLockfile(stringify(d), FILE), lock, 'also when written by another YAML writer');
});

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'pyindex-lock-read-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('readLockfile: missing file, unreadable path, good file', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'pyindex.lock.yaml');
  t.throws(() => readLockfile(path), { code: 'E_LOCK_MISSING', message: `there is no lockfile at ${path}`, hint: /run `pyindex lock`/ });
  mkdirSync(path);
  t.throws(() => readLockfile(path), { code: 'E_LOCK_INVALID', message: /EISDIR/ });
  const good = join(dir, 'good.lock.yaml');
  writeFileSync(good, serializeLockfile(lock));
  t.same(readLockfile(good), lock);
  writeFileSync(good, serializeLockfile(lock).replace('size: 46', 'size: many'));
  t.throws(() => readLockfile(good), { code: 'E_LOCK_INVALID', message: new RegExp(`^${good.replace(/\./g, '\\.')}:\\d+: must be an integer, got string "many" \\(at packages\\[0\\]\\.files\\[0\\]\\.size\\)`) });
});
