/**
 * Locked sdists become wheels at fetch time (issue 4 point 2), with real
 * Pythons, real pip and real setuptools/wheel wheels found on this machine:
 * a loopback PEP 503 index of generated sdists (a setup.py-only one and a
 * pyproject.toml one) and a wheel; `lock` records the build closures,
 * `fetchWheelhouse` builds the wheels offline with the profile's Python and
 * records their provenance in the manifest, later fetches reuse them, and
 * `provision` installs the built wheels with the index server stopped.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { loadConfig } from '../../src/config/load.js';
import { lock } from '../../src/lock/lock.js';
import type { Lockfile } from '../../src/lock/types.js';
import { writeLockfile } from '../../src/lock/write.js';
import { provision } from '../../src/provision/index.js';
import { pureWheelFits } from '../../src/wheelhouse/build-sdist.js';
import { casPath } from '../../src/wheelhouse/cas.js';
import { fetchWheelhouse, type FetchOptions } from '../../src/wheelhouse/fetch.js';
import { MANIFEST_FILENAME, readManifest } from '../../src/wheelhouse/manifest.js';
import { plannedFiles } from '../../src/wheelhouse/plan.js';
import { sha256File } from '../../src/wheelhouse/verify.js';
import { findBuildToolWheels, writeSimpleTree } from '../helpers/build-tools.js';
import { pyenvPython } from '../helpers/provision-kit.js';
import { isolatedEnv } from '../helpers/python.js';
import { makeSdist } from '../helpers/sdist-kit.js';
import { startStaticServer, type StaticServer } from '../helpers/static-server.js';
import { makeUniversalWheels } from '../helpers/universal-wheels.js';
import { runCli } from '../helpers/cli.js';

const PY312 = 'linux-x86_64-py3.12';
const PY311 = 'linux-x86_64-py3.11';
const python312 = pyenvPython('3.12');
const python311 = pyenvPython('3.11');
const tools = findBuildToolWheels();
const skip = !python312 ? 'no pyenv Python 3.12' : 'missing' in tools ? tools.missing : false;
if (skip) t.comment(`skipped: ${skip}`);

interface Project {
  dir: string;
  config: string;
  lockFile: string;
  lockfile: Lockfile;
  server: StaticServer;
}

/** An environment in which no Python can be found by lookup (empty PATH, no pyenv): only --python counts. */
function noPythonEnv(dir: string): NodeJS.ProcessEnv {
  const empty = join(dir, 'empty-home');
  mkdirSync(empty, { recursive: true });
  return { ...isolatedEnv(), PATH: empty, HOME: empty, PYENV_ROOT: empty };
}

async function project(t: Test, profiles: string[]): Promise<Project> {
  const dir = t.testdir({});
  const dists = join(dir, 'dists');
  mkdirSync(dists, { recursive: true });
  if ('missing' in tools) throw new Error(tools.missing);
  const made = [
    await makeSdist(dists, { name: 'legacy-pkg', version: '1.0', requires: ['helper'] }),
    await makeSdist(dists, { name: 'modern-pkg', version: '2.0', pyproject: '[build-system]\nrequires = ["setuptools>=61", "wheel"]\nbuild-backend = "setuptools.build_meta"\n' }),
    await makeSdist(dists, { name: 'broken-pkg', version: '0.1', setupPy: 'raise SystemExit("broken-pkg: this setup.py fails on purpose")\n' }),
    ...makeUniversalWheels(dists, [{ name: 'helper', version: '3.0' }]),
  ];
  // broken-pkg's setup.py raises: its build must fail with pip's output.
  const root = join(dir, 'index');
  writeSimpleTree(root, [...made.map((f) => join(dists, f.filename)), tools.setuptools, tools.wheel]);
  const server = await startStaticServer(root);
  t.teardown(() => server.close());
  const config = join(dir, 'pyindex.yaml');
  writeFileSync(
    config,
    `index: ${server.url}/simple/\njobs:\n  ci:\n    requires: ["legacy-pkg", "modern-pkg"]\n    profiles: ${JSON.stringify(profiles)}\n  broken:\n    requires: ["broken-pkg"]\n    profiles: ${JSON.stringify(profiles.slice(0, 1))}\n`,
  );
  const { lockfile } = await lock({ config: loadConfig(config), cacheDir: join(dir, 'lock-cache') });
  const lockFile = join(dir, 'pyindex.lock.yaml');
  await writeLockfile(lockFile, lockfile);
  return { dir, config, lockFile, lockfile, server };
}

function fetchOptions(p: Project, jobs: string[], extra: Partial<FetchOptions> = {}): FetchOptions {
  return { lock: p.lockfile, files: plannedFiles(p.lockfile, jobs, []), wheelhouse: join(p.dir, 'wheelhouse'), cacheDir: join(p.dir, 'cache'), retryDelayMs: 0, ...extra };
}

function sdistOf(lockfile: Lockfile, filename: string): { sha256: string } {
  const f = lockfile.packages.flatMap((p) => p.files).find((x) => x.filename === filename);
  if (!f) throw new Error(`${filename} is not locked`);
  return f;
}

t.test('pure-function: which pure wheels fit a profile', async (t) => {
  t.ok(pureWheelFits('a-1.0-py3-none-any.whl', '3.12'));
  t.ok(pureWheelFits('a-1.0-py2.py3-none-any.whl', '2.7'));
  t.ok(pureWheelFits('a-1.0-py311-none-any.whl', '3.12'));
  t.notOk(pureWheelFits('a-1.0-py313-none-any.whl', '3.12'), 'py313 needs 3.13');
  t.notOk(pureWheelFits('a-1.0-py3-none-any.whl', '2.7'));
  t.notOk(pureWheelFits('a-1.0-cp312-cp312-linux_x86_64.whl', '3.12'), 'not pure');
  t.notOk(pureWheelFits('a-1.0-cp312-none-any.whl', '3.12'), 'an interpreter-specific tag is not shared');
});

t.test('lock → fetch (wheels built offline) → provision with the index stopped', { skip }, async (t) => {
  const profiles = python311 ? [PY312, PY311] : [PY312];
  const p = await project(t, profiles);
  const legacySdist = sdistOf(p.lockfile, 'legacy_pkg-1.0.tar.gz');
  const modernSdist = sdistOf(p.lockfile, 'modern_pkg-2.0.tar.gz');
  const wheelhouse = join(p.dir, 'wheelhouse');
  const pythons = [python312!, ...(python311 ? [python311] : [])];

  const first = await fetchWheelhouse(fetchOptions(p, ['ci'], { python: pythons }));
  t.equal(first.built, 2, 'two sdists built (the pure wheels of 3.12 serve 3.11 too)');
  const names = readdirSync(wheelhouse).filter((n) => !n.startsWith('.')).sort();
  t.same(names, ['helper-3.0-py2.py3-none-any.whl', 'legacy_pkg-1.0-py3-none-any.whl', 'modern_pkg-2.0-py3-none-any.whl', MANIFEST_FILENAME], 'built wheels placed, sdists and build tools not');
  t.ok(existsSync(casPath(join(p.dir, 'cache'), legacySdist.sha256)), 'the sdist stays in the content-addressed cache');

  const manifest = await readManifest(wheelhouse);
  const legacy = manifest?.files['legacy_pkg-1.0-py3-none-any.whl'];
  t.same(legacy?.builtFrom, { filename: 'legacy_pkg-1.0.tar.gz', sha256: legacySdist.sha256, profiles: [...profiles].sort() }, 'provenance: the locked sdist by name and hash, and the profiles served');
  t.equal(legacy?.sha256, await sha256File(join(wheelhouse, 'legacy_pkg-1.0-py3-none-any.whl')), "the wheel's own hash beside it");
  t.equal(legacy?.project, 'legacy-pkg');
  t.equal(manifest?.files['modern_pkg-2.0-py3-none-any.whl']?.builtFrom?.sha256, modernSdist.sha256);
  t.notOk(manifest?.files['legacy_pkg-1.0.tar.gz'], 'no manifest entry for the sdist');
  t.notOk(manifest?.files['setuptools-67.6.1-py3-none-any.whl'] ?? Object.keys(manifest?.files ?? {}).find((n) => n.startsWith('setuptools-')), 'build tools are not in the wheelhouse');

  // Nothing changed: nothing is rebuilt, the wheel is the same file.
  const inode = statSync(join(wheelhouse, 'legacy_pkg-1.0-py3-none-any.whl')).ino;
  const second = await fetchWheelhouse(fetchOptions(p, ['ci'], { python: pythons }));
  t.equal(second.built, 0, 'second fetch rebuilds nothing');
  t.equal(statSync(join(wheelhouse, 'legacy_pkg-1.0-py3-none-any.whl')).ino, inode);
  t.same(await readManifest(wheelhouse), manifest, 'same manifest');

  // Another wheelhouse on this machine: the build is remembered (and needs no Python).
  const other = join(p.dir, 'other-wheelhouse');
  const third = await fetchWheelhouse(fetchOptions(p, ['ci'], { wheelhouse: other, env: noPythonEnv(p.dir) }));
  t.equal(third.built, 0, 'a second wheelhouse reuses the machine-wide build');
  t.equal(await sha256File(join(other, 'legacy_pkg-1.0-py3-none-any.whl')), legacy?.sha256);

  // The index goes away; provision installs the built wheels (hash from the manifest, provenance checked).
  await p.server.close();
  const venv = join(p.dir, 'venv');
  const result = await provision({ job: 'ci', profile: PY312, venv, wheelhouse, python: python312, configFile: p.config, cacheDir: join(p.dir, 'cache'), cwd: p.dir });
  t.same(result.installed.sort(), ['helper==3.0', 'legacy-pkg==1.0', 'modern-pkg==2.0']);
  const run = spawnSync(join(venv, 'bin', 'python'), ['-c', 'import legacy_pkg, modern_pkg; print(legacy_pkg.VALUE); print(modern_pkg.VALUE)'], { env: isolatedEnv(), encoding: 'utf8' });
  t.equal(run.status, 0, run.stderr);
  t.same(run.stdout.trim().split('\n'), ['legacy-pkg 1.0 built from its sdist', 'modern-pkg 2.0 built from its sdist'], 'importable from the built wheels');
  const requirements = readFileSync(join(venv, '.pyindex', 'requirements.txt'), 'utf8');
  t.match(requirements, new RegExp(`legacy-pkg==1\\.0 \\\\\\n\\s+--hash=sha256:${legacy?.sha256 ?? 'x'}`), "the requirements pin the built wheel's hash");

  // A manifest whose provenance does not match the lock's sdist is not used: the sdist is missing then.
  const edited = JSON.parse(readFileSync(join(wheelhouse, MANIFEST_FILENAME), 'utf8')) as { files: Record<string, { builtFrom?: { sha256: string } }> };
  edited.files['legacy_pkg-1.0-py3-none-any.whl']!.builtFrom!.sha256 = '0'.repeat(64);
  writeFileSync(join(wheelhouse, MANIFEST_FILENAME), JSON.stringify(edited));
  await t.rejects(provision({ job: 'ci', profile: PY312, venv: join(p.dir, 'venv2'), wheelhouse, python: python312, configFile: p.config, cacheDir: join(p.dir, 'cache'), cwd: p.dir }), {
    code: 'E_WHEELHOUSE_INCOMPLETE',
    message: /legacy_pkg-1\.0\.tar\.gz/,
  });
});

t.test('no Python for the profile: a clear error naming the profile and --python', { skip }, async (t) => {
  const p = await project(t, [PY312]);
  const env = noPythonEnv(p.dir);
  await t.rejects(fetchWheelhouse(fetchOptions(p, ['ci'], { env })), {
    code: 'E_PYTHON_NOT_FOUND',
    message: /cannot build (legacy|modern)_pkg-\d\.0\.tar\.gz for profile linux-x86_64-py3\.12 \(CPython 3\.12 on linux-x86_64\): no Python 3\.12 found/,
    hint: /--python/,
  });
  if (python311) {
    await t.rejects(fetchWheelhouse(fetchOptions(p, ['ci'], { env, python: [python311] })), {
      code: 'E_PYTHON_NOT_FOUND',
      message: /--python .*3\.11.*: python_version is 3\.11, the profile needs 3\.12/,
    });
  }
  t.notOk(existsSync(join(p.dir, 'wheelhouse', 'legacy_pkg-1.0-py3-none-any.whl')), 'nothing built');
});

t.test('a failing build is E_PIP_FAILED with pip output; an old lock without closures is E_LOCK_STALE', { skip }, async (t) => {
  const p = await project(t, [PY312]);
  const err = await fetchWheelhouse(fetchOptions(p, ['broken'], { python: [python312!] })).then(
    () => undefined,
    (e: unknown) => e as { code: string; message: string; hint: string; details: { output: string } },
  );
  t.equal(err?.code, 'E_PIP_FAILED');
  t.match(err?.message, /building broken_pkg-0\.1\.tar\.gz for profile linux-x86_64-py3\.12 with .*python.* failed/);
  t.match(err?.details.output, /this setup\.py fails on purpose/, "pip's output kept");
  t.match(err?.hint, /setuptools-.*\.whl/, 'the hint names the closure it built from');
  t.same(readdirSync(join(p.dir, 'wheelhouse')).filter((n) => n.startsWith('broken')), [], 'no wheel placed');
  t.same(readdirSync(join(p.dir, 'cache', 'builds')).filter((n) => n.startsWith('work-')), [], 'the work directory is removed');

  const stripped: Lockfile = JSON.parse(JSON.stringify(p.lockfile)) as Lockfile;
  for (const pkg of stripped.packages) for (const f of pkg.files) delete f.build;
  await t.rejects(fetchWheelhouse({ ...fetchOptions(p, ['ci'], { python: [python312!] }), lock: stripped, cacheDir: join(p.dir, 'cache-2'), wheelhouse: join(p.dir, 'wh-2') }), {
    code: 'E_LOCK_STALE',
    message: /records no build requirements for (legacy|modern)_pkg/,
    hint: /pyindex lock/,
  });
});

t.test('provision --fetch builds the job\'s sdists with its interpreter; `pyindex fetch --python` builds through the CLI', { skip }, async (t) => {
  const p = await project(t, [PY312]);
  const wheelhouse = join(p.dir, 'wh-provision');
  const venv = join(p.dir, 'venv');
  // No Python can be looked up in this environment: the build must use provision's --python.
  const result = await provision({ job: 'ci', profile: PY312, venv, wheelhouse, python: python312, configFile: p.config, cacheDir: join(p.dir, 'cache-a'), cwd: p.dir, fetch: true, env: noPythonEnv(p.dir) });
  t.same(result.installed.sort(), ['helper==3.0', 'legacy-pkg==1.0', 'modern-pkg==2.0']);
  t.ok(result.fetched && result.fetched.downloaded >= 3, 'fetched first');
  const run = spawnSync(join(venv, 'bin', 'python'), ['-c', 'import legacy_pkg; print(legacy_pkg.VALUE)'], { env: isolatedEnv(), encoding: 'utf8' });
  t.equal(run.stdout.trim(), 'legacy-pkg 1.0 built from its sdist', run.stderr);

  const cli = await runCli(['fetch', '--job', 'ci', '--wheelhouse', join(p.dir, 'wh-cli'), '--python', python312!, '--json'], { cwd: p.dir, env: { PYINDEX_CACHE_DIR: join(p.dir, 'cache-b') } });
  t.equal(cli.code, 0, cli.stderr);
  t.match(JSON.parse(cli.stdout) as Record<string, unknown>, { files: 3, built: 2 });
  t.same(readdirSync(join(p.dir, 'wh-cli')).filter((n) => n.endsWith('.whl')).sort(), ['helper-3.0-py2.py3-none-any.whl', 'legacy_pkg-1.0-py3-none-any.whl', 'modern_pkg-2.0-py3-none-any.whl']);
  const missing = await runCli(['fetch', '--job', 'ci', '--wheelhouse', join(p.dir, 'wh-cli-2')], { cwd: p.dir, env: { PYINDEX_CACHE_DIR: join(p.dir, 'cache-c'), PATH: join(p.dir, 'empty-home'), HOME: join(p.dir, 'empty-home'), PYENV_ROOT: join(p.dir, 'empty-home') } });
  t.equal(missing.code, 5, 'E_PYTHON_NOT_FOUND exits 5');
  t.match(missing.stderr, /cannot build .* for profile linux-x86_64-py3\.12/);
  t.match(missing.stderr, /--python/);
});
