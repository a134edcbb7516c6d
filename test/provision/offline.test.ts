/**
 * Offline proof: the lock is made against a loopback index and the
 * wheelhouse filled by `provision --fetch`; then the index server is stopped
 * and provision still installs, and (where `unshare -n` works) a fresh venv
 * is provisioned inside a network namespace that has no network at all.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { provision } from '../../src/provision/index.js';
import { projectRoot } from '../helpers/mkindex.js';
import { pyenvPython, relock, writeConfig, type Kit } from '../helpers/provision-kit.js';
import { isolatedEnv } from '../helpers/python.js';
import { startStaticServer } from '../helpers/static-server.js';
import { makeUniversalWheels } from '../helpers/universal-wheels.js';

const python = pyenvPython('3.11');
const PROFILE = 'linux-x86_64-py3.11';

function unshareWorks(): boolean {
  return spawnSync('unshare', ['-n', 'true']).status === 0;
}

/** A PEP 503 tree: simple/<name>/index.html linking ../../files/<file>#sha256=… */
function simpleIndex(root: string, files: { filename: string; sha256: string }[]): void {
  mkdirSync(join(root, 'files'), { recursive: true });
  for (const f of files) {
    const name = f.filename.split('-')[0]!.replace(/_/g, '-');
    mkdirSync(join(root, 'simple', name), { recursive: true });
    writeFileSync(join(root, 'simple', name, 'index.html'), `<!DOCTYPE html><html><body><a href="../../files/${f.filename}#sha256=${f.sha256}">${f.filename}</a></body></html>\n`);
  }
}

t.test('provision needs no index: server stopped, then no network at all', { skip: python ? false : 'no pyenv Python 3.11' }, async (t) => {
  const dir = t.testdir({});
  const root = join(dir, 'index');
  mkdirSync(join(root, 'files'), { recursive: true });
  const files = makeUniversalWheels(join(root, 'files'), [
    { name: 'alpha', version: '1.0', requires: ['beta>=2'] },
    { name: 'beta', version: '2.0' },
  ]);
  simpleIndex(root, files);
  const server = await startStaticServer(root);
  t.teardown(() => server.close());
  const kit: Kit = { dir, config: writeConfig(dir, { ci: { requires: ['alpha'], profiles: [PROFILE] } }, `${server.url}/simple/`), lockFile: join(dir, 'pyindex.lock.yaml'), wheelhouse: join(dir, 'wheelhouse'), cache: join(dir, 'cache') };
  await relock(kit);
  mkdirSync(kit.wheelhouse);
  const venv = join(dir, 'venv');
  const options = { job: 'ci', profile: PROFILE, venv, wheelhouse: kit.wheelhouse, python, configFile: kit.config, cacheDir: kit.cache, cwd: dir };

  // --fetch: the empty wheelhouse is filled from the index first.
  const fetched = await provision({ ...options, fetch: true });
  t.match(fetched, { upToDate: false, installed: ['alpha==1.0', 'beta==2.0'] });
  t.equal(fetched.fetched?.downloaded, 2, 'both wheels downloaded');
  t.same(readdirSync(kit.wheelhouse).filter((f) => f.endsWith('.whl')).sort(), files.map((f) => f.filename).sort());

  await server.close();
  const requestsBefore = server.requests.length;
  const venvPython = join(venv, 'bin', 'python');
  spawnSync(venvPython, ['-m', 'pip', 'uninstall', '--isolated', '-y', 'alpha', 'beta'], { env: isolatedEnv() });
  const offline = await provision(options);
  t.match(offline, { upToDate: false, installed: ['alpha==1.0', 'beta==2.0'], pipRuns: 1 }, 'installed with the index server stopped');
  t.equal(server.requests.length, requestsBefore, 'no request reached the index');

  if (!unshareWorks()) {
    t.comment('skipped the network-namespace run: `unshare -n true` does not work here');
    return;
  }
  const inside = join(dir, 'venv-netns');
  const child = spawn('unshare', ['-n', process.execPath, '--import=tsx', join(projectRoot, 'src', 'cli', 'bin.ts'), 'provision', '--job', 'ci', '--profile', PROFILE, '--python', python!, '--venv', inside, '--wheelhouse', kit.wheelhouse, '--config', kit.config, '--json'], {
    cwd: dir,
    env: { ...process.env, PYINDEX_CACHE_DIR: kit.cache, CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  t.equal(code, 0, stderr);
  t.match(JSON.parse(stdout), { upToDate: false, created: 'new venv', installed: ['alpha==1.0', 'beta==2.0'] }, 'provisioned inside a namespace without network');
  const check = spawnSync('unshare', ['-n', join(inside, 'bin', 'python'), '-c', 'import socket, alpha; print(alpha.VALUE)'], { env: isolatedEnv(), encoding: 'utf8' });
  t.equal(check.stdout.trim(), 'alpha 1.0');
  rmSync(inside, { recursive: true, force: true });
});
