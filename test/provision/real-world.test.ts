/**
 * Real wheels: requests, flask and numpy (cp311 manylinux) from the local
 * mirror this machine's pip configuration names (extra-index-url
 * file:///opt/pypi/simple), locked as a local PEP 503 tree, fetched with
 * provision --fetch (file: URLs) into a wheelhouse and provisioned on 3.11.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { provision } from '../../src/provision/index.js';
import { pyenvPython, relock, writeConfig, type Kit } from '../helpers/provision-kit.js';
import { isolatedEnv } from '../helpers/python.js';

const python = pyenvPython('3.11');
const MIRROR = '/opt/pypi/simple';

/** The first extra-index-url of this machine's pip configuration, if it is a file: URL. */
function configuredMirror(): string | undefined {
  if (!python) return undefined;
  const res = spawnSync(python, ['-m', 'pip', 'config', 'list'], { encoding: 'utf8' });
  const m = /extra-index-url='(file:\/\/\S+)/.exec(res.stdout ?? '');
  return m?.[1]?.replace(/^file:\/\//, '');
}

const mirror = configuredMirror() ?? (existsSync(MIRROR) ? MIRROR : undefined);
const skip = !python ? 'no pyenv Python 3.11' : !mirror || !existsSync(join(mirror, 'numpy')) ? `no local mirror with numpy (pip config names ${mirror ?? 'none'})` : false;

t.test('requests, flask and numpy from the local mirror', { skip }, async (t) => {
  const dir = t.testdir({});
  const kit: Kit = { dir, config: writeConfig(dir, { app: { requires: ['requests', 'flask', 'numpy'], profiles: ['linux-x86_64-py3.11'] } }, mirror!), lockFile: join(dir, 'pyindex.lock.yaml'), wheelhouse: join(dir, 'wheelhouse'), cache: join(dir, 'cache') };
  await relock(kit);
  const venv = join(dir, 'venv');
  const r = await provision({ job: 'app', profile: 'auto', venv, wheelhouse: kit.wheelhouse, python, configFile: kit.config, cacheDir: kit.cache, cwd: dir, fetch: true });
  t.equal(r.profile, 'linux-x86_64-py3.11');
  t.ok(r.packages >= 10, `the closure: ${r.installed.join(', ')}`);
  t.ok(r.installed.some((p) => p.startsWith('numpy==')));
  const run = spawnSync(join(venv, 'bin', 'python'), ['-c', 'import requests, flask, numpy; print(numpy.arange(4).sum(), flask.Flask.__name__, requests.__name__)'], { env: isolatedEnv(), encoding: 'utf8' });
  t.equal(run.stdout.trim(), '6 Flask requests', run.stderr);
  t.equal((await provision({ job: 'app', profile: 'auto', venv, wheelhouse: kit.wheelhouse, python, configFile: kit.config, cacheDir: kit.cache, cwd: dir })).upToDate, true);
});
