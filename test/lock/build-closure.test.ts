/**
 * Build closures in the lockfile (issue 4 point 2): a locked sdist gets,
 * per profile, the wheels its `[build-system] requires` resolve to — from
 * wheels only, markers evaluated per profile, pip's legacy fallback when the
 * sdist declares nothing — pinned among the packages; a build requirement
 * without a wheel fails the lock naming it; the reader checks closures
 * against the packages. The index is a flat local folder of generated files.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { lockSubset } from '../../src/bundle/lock-subset.js';
import { loadConfig } from '../../src/config/load.js';
import { buildRequiresOf, LEGACY_BUILD_REQUIRES, readSdistPyproject } from '../../src/lock/build-requires.js';
import { lock } from '../../src/lock/lock.js';
import { parseLockfile } from '../../src/lock/read.js';
import type { Lockfile } from '../../src/lock/types.js';
import { serializeLockfile } from '../../src/lock/write.js';
import { makeTar } from '../helpers/make-archive.js';
import { makeSdist } from '../helpers/sdist-kit.js';
import { makeUniversalWheels } from '../helpers/universal-wheels.js';

const PY310 = 'linux-x86_64-py3.10';
const PY312 = 'linux-x86_64-py3.12';

/** Stand-ins for the build tools: the lock only reads their metadata. */
const TOOL_WHEELS = [
  { name: 'setuptools', version: '68.0.0' },
  { name: 'setuptools', version: '70.0.0' },
  { name: 'wheel', version: '0.43.0' },
  { name: 'tomli', version: '2.0.1' },
  { name: 'lib', version: '1.0' },
];

function writeProject(dir: string, jobs: Record<string, { requires: string[]; profiles: string[] }>, options = ''): string {
  const lines = ['index: ./dists', 'jobs:'];
  for (const [name, job] of Object.entries(jobs)) lines.push(`  ${name}:`, `    requires: ${JSON.stringify(job.requires)}`, `    profiles: ${JSON.stringify(job.profiles)}`);
  const file = join(dir, 'pyindex.yaml');
  writeFileSync(file, `${lines.join('\n')}\n${options}`);
  return file;
}

async function lockProject(dir: string, jobs: Record<string, { requires: string[]; profiles: string[] }>, options = ''): Promise<Lockfile> {
  const config = loadConfig(writeProject(dir, jobs, options));
  return (await lock({ config, cacheDir: join(dir, 'cache') })).lockfile;
}

async function setup(dir: string): Promise<string> {
  const dists = join(dir, 'dists');
  mkdirSync(dists, { recursive: true });
  makeUniversalWheels(dists, TOOL_WHEELS);
  await makeSdist(dists, { name: 'modern', version: '1.0', requires: ['lib'], pyproject: `[build-system]\nrequires = ["setuptools>=61", "wheel", "tomli; python_version < '3.11'"]\nbuild-backend = "setuptools.build_meta"\n` });
  await makeSdist(dists, { name: 'legacy', version: '2.0' });
  await makeSdist(dists, { name: 'pinned-tools', version: '1.0', pyproject: '[build-system]\nrequires = ["setuptools<70"]\n' });
  await makeSdist(dists, { name: 'needs-sdist-tool', version: '1.0', pyproject: '[build-system]\nrequires = ["flit_core>=3"]\nbuild-backend = "flit_core.buildapi"\n' });
  await makeSdist(dists, { name: 'flit_core', version: '3.9.0' });
  return dists;
}

t.test('a locked sdist records its build closure per profile; the lock reads back', async (t) => {
  const dir = t.testdir({});
  await setup(dir);
  const lockfile = await lockProject(dir, { ci: { requires: ['modern', 'legacy', 'pinned-tools'], profiles: [PY310, PY312] } });
  const text = serializeLockfile(lockfile);
  const files = new Map(lockfile.packages.flatMap((p) => p.files.map((f) => [f.filename, { ...f, pkg: `${p.name} ${p.version}` }] as const)));

  const modern = files.get('modern-1.0.tar.gz');
  t.same(modern?.profiles, [PY310, PY312]);
  t.same(Object.keys(modern?.build ?? {}), [PY310, PY312], 'one closure per profile, sorted');
  t.same(modern?.build?.[PY310], [
    { name: 'setuptools', version: '70.0.0', file: 'setuptools-70.0.0-py2.py3-none-any.whl' },
    { name: 'tomli', version: '2.0.1', file: 'tomli-2.0.1-py2.py3-none-any.whl' },
    { name: 'wheel', version: '0.43.0', file: 'wheel-0.43.0-py2.py3-none-any.whl' },
  ], 'newest setuptools; tomli only where its marker holds (3.10)');
  t.same(modern?.build?.[PY312]?.map((r) => r.name), ['setuptools', 'wheel']);
  t.same(files.get('legacy-2.0.tar.gz')?.build?.[PY312]?.map((r) => `${r.name} ${r.version}`), ['setuptools 70.0.0', 'wheel 0.43.0'], 'no pyproject.toml: setuptools>=40.8.0 + wheel');
  t.same(files.get('pinned_tools-1.0.tar.gz')?.build?.[PY310]?.map((r) => `${r.name} ${r.version}`), ['setuptools 68.0.0'], 'the declared requirement wins over the newest');

  // The closure files are pinned packages (hash, size, profiles), though no job installs them.
  t.same(files.get('setuptools-68.0.0-py2.py3-none-any.whl')?.profiles, [PY310, PY312]);
  t.same(files.get('tomli-2.0.1-py2.py3-none-any.whl')?.profiles, [PY310]);
  t.match(files.get('wheel-0.43.0-py2.py3-none-any.whl')?.sha256, /^[0-9a-f]{64}$/);
  t.notOk(lockfile.jobs.ci?.profiles[PY310]?.some((r) => r.name === 'setuptools'), 'build tools are not in the job set');
  t.same(lockfile.jobs.ci?.profiles[PY310]?.map((r) => r.name), ['legacy', 'lib', 'modern', 'pinned-tools']);
  t.notOk(files.get('lib-1.0-py2.py3-none-any.whl')?.build, 'wheels have no build entry');

  t.same(parseLockfile(text, 'pyindex.lock.yaml'), lockfile, 'the lockfile reads back to the same object');
  t.match(text, /\n {8}build:\n {10}linux-x86_64-py3\.10:\n {12}- name: setuptools\n {14}version: 70\.0\.0\n {14}file: setuptools-70\.0\.0-py2\.py3-none-any\.whl\n/);
  const again = await lockProject(dir, { ci: { requires: ['modern', 'legacy', 'pinned-tools'], profiles: [PY310, PY312] } });
  t.equal(serializeLockfile(again), text, 'byte-identical when locked again');

  // A bundle's lock carries built wheels, not closures: the subset drops them and their packages, and still reads.
  const subset = lockSubset(lockfile, [], PY312);
  t.notOk(subset.packages.some((p) => p.files.some((f) => f.build)), 'no build entries in a bundle lock');
  t.notOk(subset.packages.some((p) => p.name === 'setuptools'), 'nor the build tools');
  t.same(parseLockfile(serializeLockfile(subset), 'bundle.lock.yaml'), subset);
});

t.test('a lock without sdists has no build entries (unchanged format)', async (t) => {
  const dir = t.testdir({});
  await setup(dir);
  const lockfile = await lockProject(dir, { ci: { requires: ['lib'], profiles: [PY312] } });
  t.notMatch(serializeLockfile(lockfile), /^ *build:/m);
  t.same(lockfile.packages.map((p) => p.name), ['lib']);
});

t.test('a build requirement with no wheel fails the lock, naming it', async (t) => {
  const dir = t.testdir({});
  await setup(dir);
  const err = await lockProject(dir, { ci: { requires: ['needs-sdist-tool'], profiles: [PY312] } }).then(
    () => undefined,
    (e: unknown) => e as { code: string; message: string; hint: string },
  );
  t.equal(err?.code, 'E_NO_SOLUTION');
  t.match(err?.message, /needs-sdist-tool 1\.0 is locked as the sdist needs_sdist_tool-1\.0\.tar\.gz for profile linux-x86_64-py3\.12/);
  t.match(err?.message, /flit_core>=3/);
  t.match(err?.message, /flit-core/);
  t.match(err?.message, /only an sdist, and only-binary forbids it/);
  t.match(err?.hint, /Publish wheels/);
  t.comment(err?.message ?? '');
});

t.test('no-build / only-binary keep sdists out, so there is nothing to build', async (t) => {
  const dir = t.testdir({});
  await setup(dir);
  await t.rejects(lockProject(dir, { ci: { requires: ['legacy'], profiles: [PY312] } }, 'options:\n  no-build: [legacy]\n'), { code: 'E_NO_SOLUTION' });
});

t.test('reading build requirements from sdists', async (t) => {
  const legacy = buildRequiresOf(undefined, 'x');
  t.same(legacy, { requires: [...LEGACY_BUILD_REQUIRES], legacy: true });
  t.same(buildRequiresOf('[project]\nname = "x"\n', 'x'), { requires: ['setuptools>=40.8.0', 'wheel'], legacy: true }, 'pyproject.toml without [build-system]');
  t.same(buildRequiresOf('[build-system]\nrequires = [\n  "hatchling>=1.18",  # the backend\n  "hatch-vcs",\n]\nbuild-backend = "hatchling.build"\n', 'x'), { requires: ['hatchling>=1.18', 'hatch-vcs'], legacy: false });
  t.same(buildRequiresOf('[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n', 'x'), { requires: [], legacy: false }, 'an in-tree backend needing nothing');
  t.throws(() => buildRequiresOf('[build-system]\nrequires = "setuptools"\n', 'x.tar.gz: pyproject.toml'), { code: 'E_BUILD_BACKEND' });

  const tar = await makeTar([
    { name: 'p-1.0/PKG-INFO', data: 'Metadata-Version: 2.2\nName: p\nVersion: 1.0\n' },
    { name: 'p-1.0/sub/pyproject.toml', data: '[build-system]\nrequires = ["wrong"]\n' },
    { name: 'p-1.0/pyproject.toml', data: '[build-system]\nrequires = ["right"]\n' },
  ]);
  t.equal(await readSdistPyproject(tar, 'p-1.0.tar.gz'), '[build-system]\nrequires = ["right"]\n', 'the top-level pyproject.toml, not a nested one');
  t.equal(await readSdistPyproject(await makeTar([{ name: 'p-1.0/setup.py', data: '' }]), 'p-1.0.tar.gz'), undefined);
  const { makeZip } = await import('../helpers/make-archive.js');
  t.equal(await readSdistPyproject(makeZip([{ name: 'p-1.0/pyproject.toml', data: '[build-system]\nrequires = ["z"]\n' }]), 'p-1.0.zip'), '[build-system]\nrequires = ["z"]\n', 'zip sdists too');
  await t.rejects(readSdistPyproject(Buffer.from('not an archive'), 'p-1.0.tar.gz'));
});

t.test('the reader checks closures against the packages', async (t) => {
  const dir = t.testdir({});
  await setup(dir);
  const text = serializeLockfile(await lockProject(dir, { ci: { requires: ['legacy'], profiles: [PY312] } }));
  const bad = (from: RegExp | string, to: string): string => {
    const edited = text.replace(from, to);
    t.not(edited, text, `edit ${String(from)} applies`);
    return edited;
  };
  const cases: [string, string, RegExp][] = [
    ['a closure naming a version that is not locked', bad(/( {12}- name: setuptools\n {14}version: )70\.0\.0/, '$1"69.0"'), /setuptools 69\.0 is not among packages/],
    ['a closure naming a file the package lacks', bad(/file: setuptools-70\.0\.0-py2\.py3-none-any\.whl/, 'file: setuptools-70.0.0.tar.gz'), /setuptools-70\.0\.0\.tar\.gz is not a file of setuptools 70\.0\.0/],
    ['a closure for a profile the sdist does not list', bad(/build:\n {10}linux-x86_64-py3\.12:/, 'build:\n          other:'), /does not list profile "other"/],
    ['a closure entry listed twice', bad(/( {12}- name: wheel\n {14}version: 0\.43\.0\n {14}file: wheel-0\.43\.0-py2\.py3-none-any\.whl\n)/, '$1$1'), /wheel is listed twice/],
    ['an unknown key in a closure entry', bad(/( {14}file: wheel-0\.43\.0-py2\.py3-none-any\.whl\n)/, '$1              extra: 1\n'), /unknown key "extra"/],
  ];
  for (const [what, edited, message] of cases) {
    t.throws(() => parseLockfile(edited, 'pyindex.lock.yaml'), { code: 'E_LOCK_INVALID', message }, what);
  }
  // A closure file that does not list the profile.
  const profiles = bad(/(filename: wheel-0\.43\.0-py2\.py3-none-any\.whl\n(?: {8}.*\n)*? {8}profiles:\n {10}- )linux-x86_64-py3\.12/, '$1linux-x86_64-py3.12\n          - x');
  t.throws(() => parseLockfile(profiles, 'pyindex.lock.yaml'), { code: 'E_LOCK_INVALID', message: /names profile "x"/ });
  t.ok(parseLockfile(text, 'pyindex.lock.yaml'), 'the unedited lock reads');
  t.same(readFileSync(join(dir, 'pyindex.yaml'), 'utf8').includes('legacy'), true);
});
