/**
 * Real clients against `pyindex serve` (its own process, the real CLI):
 * pip downloads and installs with dependency resolution (Requires-Python
 * honoured from the pages, PEP 658 metadata), `pyindex lock` resolves and
 * `pyindex fetch` fills a wheelhouse; SIGTERM stops the server cleanly.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { isolatedEnv, pyenvRoot } from '../helpers/python.js';
import { startServeCli, type ServeProcess } from '../helpers/serve-cli.js';
import { populateClientTree } from '../helpers/serve-dists.js';

const root = pyenvRoot();
const python = root ? join(root, 'versions', '3.13.0', 'bin', 'python') : undefined;

function pip(args: string[]): { status: number | null; out: string } {
  const res = spawnSync(python as string, ['-m', 'pip', ...args], { env: isolatedEnv(), encoding: 'utf8' });
  return { status: res.status, out: `${res.stdout}\n${res.stderr}` };
}

t.test('pip, pyindex lock and pyindex fetch against pyindex serve', async (t) => {
  const dir = t.testdir({});
  const treeDir = join(dir, 'tree');
  await populateClientTree(treeDir);
  const server: ServeProcess = await startServeCli(treeDir, ['--mirror-id', 'clients-test']);
  t.teardown(() => server.stop('SIGKILL'));
  const index = `${server.url}simple/`;

  t.test('pip download + install', { skip: python && existsSync(python) ? false : 'no pyenv Python 3.13.0' }, async (t) => {
    const out = join(dir, 'pip-dl');
    const dl = pip(['download', '--isolated', '--no-cache-dir', '--only-binary=:all:', '--index-url', index, '-d', out, 'app']);
    t.equal(dl.status, 0, dl.out);
    t.same(readdirSync(out).sort(), ['app-1.0-py3-none-any.whl', 'lib-1.0-py3-none-any.whl'], 'lib 2.0 skipped for its Requires-Python');
    const target = join(dir, 'pip-target');
    const inst = pip(['install', '--isolated', '--no-cache-dir', '--no-compile', '--index-url', index, '--target', target, 'APP==1.0']);
    t.equal(inst.status, 0, inst.out);
    t.ok(existsSync(join(target, 'app', '__init__.py')));
    t.ok(existsSync(join(target, 'lib-1.0.dist-info', 'METADATA')));
  });

  t.test('pyindex lock resolves, pyindex fetch fills a wheelhouse', async (t) => {
    const project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'pyindex.yaml'), `index: ${index}\nprofiles:\n  linux: { platform: linux-x86_64, python: "3.11" }\njobs:\n  build:\n    requires: ["app"]\n    profiles: [linux]\n`);
    const env = { PYINDEX_CACHE_DIR: join(dir, 'cache') };
    const lock = await runCli(['lock'], { cwd: project, env });
    t.equal(lock.code, 0, lock.stderr);
    const lockText = readFileSync(join(project, 'pyindex.lock.yaml'), 'utf8');
    t.match(lockText, /name: lib\n\s+version: "?1\.0"?/);
    t.match(lockText, /lib-1\.0-py3-none-any\.whl/);
    t.notMatch(lockText, /lib-2\.0/);
    const fetch = await runCli(['fetch', '--wheelhouse', join(project, 'wh')], { cwd: project, env });
    t.equal(fetch.code, 0, fetch.stderr);
    t.same(readdirSync(join(project, 'wh')).filter((n) => n.endsWith('.whl')).sort(), ['app-1.0-py3-none-any.whl', 'lib-1.0-py3-none-any.whl']);
  });

  t.test('SIGTERM: exit 0, downloads logged with the mirror id', async (t) => {
    const stopped = await server.stop('SIGTERM');
    t.equal(stopped.code, 0, stopped.stderr);
    t.match(stopped.stderr, /SIGTERM: finishing in-flight requests/);
    const logs = join(treeDir, '.pyindex', 'downloads');
    const records = readdirSync(logs).flatMap((f) =>
      readFileSync(join(logs, f), 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { filename: string; userAgent: string; mirror: string }),
    );
    t.ok(records.length >= 4, `${records.length} downloads logged`);
    t.ok(records.every((r) => r.mirror === 'clients-test'));
    t.ok(records.some((r) => r.userAgent.startsWith('pip/')), 'pip downloads');
    t.ok(records.some((r) => /pyindex/i.test(r.userAgent)), 'pyindex fetch downloads');
  });
});
