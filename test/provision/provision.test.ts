/**
 * provision() with real venvs and real pip (pyenv 3.11): cold install, the
 * stamp's no-op, sync (extras removed, seeded pip kept), a lock change, and
 * the wheelhouse / pip failures. One venv is carried through the tests in
 * order, as a build machine would keep it.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { provision, type ProvisionOptions } from '../../src/provision/index.js';
import { isolatedEnv } from '../helpers/python.js';
import { BASIC_WHEELS, makeKit, pyenvPython, relock, writeConfig, type Kit } from '../helpers/provision-kit.js';
import { makeUniversalWheels } from '../helpers/universal-wheels.js';

const python = pyenvPython('3.11');
const PROFILE = 'linux-x86_64-py3.11';

t.test('provision on pyenv 3.11', { skip: python ? false : 'no pyenv Python 3.11' }, async (t) => {
  const dir = t.testdir({});
  const kit: Kit = await makeKit(dir, BASIC_WHEELS, { ci: { requires: ['alpha'], profiles: [PROFILE] } });
  const venv = join(dir, 'venv');
  const base = (extra: Partial<ProvisionOptions> = {}): ProvisionOptions => ({ job: 'ci', profile: PROFILE, venv, wheelhouse: kit.wheelhouse, python, configFile: kit.config, cacheDir: kit.cache, cwd: dir, ...extra });
  const venvPython = join(venv, 'bin', 'python');
  const installed = (): Record<string, string> => {
    const res = spawnSync(venvPython, ['-c', 'import json, importlib.metadata as m; print(json.dumps({d.metadata["Name"].lower(): d.version for d in m.distributions()}))'], { env: isolatedEnv(), encoding: 'utf8' });
    return JSON.parse(res.stdout) as Record<string, string>;
  };

  await t.test('cold: creates the venv and installs exactly the locked set', async (t) => {
    const r = await provision(base());
    t.equal(r.upToDate, false);
    t.equal(r.created, 'new venv');
    t.same(r.installed.sort(), ['alpha==1.0', 'beta==2.0']);
    t.equal(r.pipRuns, 1);
    t.ok(r.timings && r.timings.venvMs > 0 && r.timings.pipMs > 0, `time in venv creation and pip is reported (${JSON.stringify(r.timings)})`);
    const have = installed();
    t.equal(have.alpha, '1.0');
    t.equal(have.beta, '2.0');
    t.notOk(have['gamma.pkg'] ?? have['gamma-pkg'], 'nothing unlocked');
    t.ok(have.pip, 'the seeded pip stays');
    const imported = spawnSync(venvPython, ['-c', 'import alpha, beta; print(alpha.VALUE, beta.VALUE)'], { env: isolatedEnv(), encoding: 'utf8' });
    t.equal(imported.stdout.trim(), 'alpha 1.0 beta 2.0');
    t.ok(existsSync(join(venv, '.pyindex', 'stamp.json')), 'stamp written');
    t.notOk(existsSync(join(venv, '.pyindex', 'in-progress')), 'no in-progress marker left');
  });

  await t.test('second run: the stamp proves a no-op, no Python or pip is started', async (t) => {
    const r = await provision(base());
    t.equal(r.upToDate, true);
    t.equal(r.pipRuns, 0);
    t.equal(r.timings, undefined, 'no child process, no timings');
    t.equal(r.profile, PROFILE);
    // pip or a Python run would touch site-packages (pip's caches, .pyc); a no-op leaves it as it was.
    const site = join(venv, 'lib', 'python3.11', 'site-packages');
    const before = statSync(site).mtimeMs;
    const again = await provision(base());
    t.equal(again.upToDate, true);
    t.equal(statSync(site).mtimeMs, before, 'site-packages untouched');
  });

  await t.test('sync: a distribution the lock does not name is removed; pip and setuptools are kept', async (t) => {
    const extra = join(dir, 'extra');
    mkdirSync(extra);
    makeUniversalWheels(extra, [{ name: 'stray', version: '0.1' }]);
    const pip = spawnSync(venvPython, ['-m', 'pip', 'install', '--isolated', '--no-index', '--find-links', extra, 'stray'], { env: isolatedEnv(), encoding: 'utf8' });
    t.equal(pip.status, 0, pip.stderr);
    t.equal(installed().stray, '0.1');
    const r = await provision(base());
    t.equal(r.upToDate, false, 'site-packages changed, so the stamp does not hold');
    t.same(r.removed, ['stray==0.1']);
    t.same(r.installed, [], 'the locked set was already there: no pip install');
    t.equal(r.created, undefined, 'the venv is reused');
    const have = installed();
    t.notOk(have.stray);
    t.ok(have.pip, 'pip kept');
  });

  await t.test('a lock change installs the new set without recreating the venv', async (t) => {
    writeConfig(dir, { ci: { requires: ['alpha', 'delta'], profiles: [PROFILE] } });
    await relock(kit);
    const r = await provision(base());
    t.equal(r.upToDate, false);
    t.equal(r.reason, 'the lockfile changed');
    t.same(r.installed, ['delta==1.5']);
    t.equal(r.created, undefined);
    t.equal(installed().delta, '1.5');
    t.equal((await provision(base())).upToDate, true);
  });

  await t.test('a lock that no longer matches the config is E_LOCK_STALE', async (t) => {
    const config = readFileSync(kit.config, 'utf8');
    t.teardown(() => writeFileSync(kit.config, config));
    writeConfig(dir, { ci: { requires: ['alpha', 'gamma.pkg'], profiles: [PROFILE] } });
    await t.rejects(provision(base()), { code: 'E_LOCK_STALE', hint: /pyindex lock/ });
  });

  await t.test('a missing lock is E_LOCK_MISSING', async (t) => {
    await t.rejects(provision(base({ configFile: undefined, lockFile: join(dir, 'nope.lock.yaml') })), { code: 'E_LOCK_MISSING', hint: /pyindex lock/ });
  });

  await t.test('missing wheelhouse files: E_WHEELHOUSE_INCOMPLETE names them and the fetch command', async (t) => {
    const partial = join(dir, 'partial');
    cpSync(kit.wheelhouse, partial, { recursive: true });
    rmSync(join(partial, 'delta-1.5-py2.py3-none-any.whl'));
    rmSync(join(venv, '.pyindex', 'stamp.json'));
    const err = await provision(base({ wheelhouse: partial })).catch((e: unknown) => e);
    t.match(err, { code: 'E_WHEELHOUSE_INCOMPLETE', message: /lacks 1 of the 3 file\(s\).*delta-1\.5-py2\.py3-none-any\.whl/ });
    t.match((err as Error & { hint: string }).hint, `pyindex fetch --job ci --profile ${PROFILE} --wheelhouse ${partial} --config ${kit.config}`);
  });

  await t.test('a corrupt wheel of the right size: pip --require-hashes refuses it, reported as E_HASH_MISMATCH naming the file', async (t) => {
    const bad = join(dir, 'bad');
    cpSync(kit.wheelhouse, bad, { recursive: true });
    const victim = join(bad, 'delta-1.5-py2.py3-none-any.whl');
    const bytes = readFileSync(victim);
    bytes[bytes.length - 30] = bytes[bytes.length - 30]! ^ 0xff;
    writeFileSync(victim, bytes);
    // Uninstall delta so that pip has to read the file.
    spawnSync(venvPython, ['-m', 'pip', 'uninstall', '--isolated', '-y', 'delta'], { env: isolatedEnv() });
    const err = await provision(base({ wheelhouse: bad })).catch((e: unknown) => e);
    t.match(err, { code: 'E_HASH_MISMATCH', message: /delta-1\.5-py2\.py3-none-any\.whl \(expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}\)/ });
    t.notOk(existsSync(join(venv, '.pyindex', 'stamp.json')), 'no stamp after a failure');
    const repaired = await provision(base());
    t.equal(repaired.upToDate, false);
    t.equal(installed().delta, '1.5', 'the next run with a good wheelhouse repairs the venv');
  });
});

t.test('pip failing: E_PIP_FAILED with its output and exit code', { skip: python ? false : 'no pyenv Python 3.11' }, async (t) => {
  const dir = t.testdir({});
  const kit = await makeKit(dir, [{ name: 'future', version: '1.0', wheelVersion: '9.0' }], { ci: { requires: ['future'], profiles: [PROFILE] } });
  const err = await provision({ job: 'ci', profile: PROFILE, venv: join(dir, 'venv'), wheelhouse: kit.wheelhouse, python, lockFile: kit.lockFile, cacheDir: kit.cache, cwd: dir }).catch((e: unknown) => e);
  t.match(err, { code: 'E_PIP_FAILED', message: /pip install failed \(pip exit code 1\)/, details: { exitCode: 1, output: /Wheel-Version/ } });
});

t.test('a directory that is not a venv is refused, never wiped', async (t) => {
  const dir = t.testdir({ precious: { 'notes.txt': 'keep me' } });
  const kitDir = join(dir, 'kit');
  mkdirSync(kitDir);
  writeFileSync(join(kitDir, 'pyindex.lock.yaml'), '');
  await t.rejects(provision({ job: 'ci', profile: PROFILE, venv: join(dir, 'precious'), wheelhouse: dir, lockFile: join(kitDir, 'pyindex.lock.yaml'), cacheDir: join(dir, 'cache') }), { code: 'E_USAGE', message: /is not a venv/ });
  t.equal(readFileSync(join(dir, 'precious', 'notes.txt'), 'utf8'), 'keep me');
});
