/**
 * `pyindex provision --bundle` end to end, as on a build machine that was
 * given only the bundle: no pyindex.yaml, no lockfile, no wheelhouse, no
 * index, an empty cache. The bundle's own lock and wheelhouse make a real venv
 * with real pip; a second run is a no-op; a bundle whose wheel was altered
 * (valid tar and gzip, wrong bytes) is refused with the integrity exit code
 * and leaves the venv as it was.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { BASIC_WHEELS, makeKit, pyenvPython } from '../helpers/provision-kit.js';
import { isolatedEnv } from '../helpers/python.js';
import { retar, untar } from '../helpers/tar-kit.js';

const py311 = pyenvPython('3.11');
const P311 = 'linux-x86_64-py3.11';

t.test('provision from a bundle alone', { skip: py311 ? false : 'needs pyenv 3.11' }, async (t) => {
  const dir = t.testdir({ ops: {}, machine: {} });
  const ops = join(dir, 'ops');
  const kit = await makeKit(ops, BASIC_WHEELS, { ci: { requires: ['alpha'], profiles: [P311] }, docs: { requires: ['delta'], profiles: [P311] } });
  const made = await runCli(['bundle', '--job', 'ci', '--profile', P311, '--wheelhouse', kit.wheelhouse, '--config', kit.config, '-o', 'ci.tar.gz'], { cwd: ops, env: { PYINDEX_CACHE_DIR: kit.cache } });
  t.equal(made.code, 0, made.code === 0 ? 'bundle written' : made.stderr);

  // The build machine: the bundle and nothing else.
  const machine = join(dir, 'machine');
  cpSync(join(ops, 'ci.tar.gz'), join(machine, 'ci.tar.gz'));
  rmSync(ops, { recursive: true });
  const env = { PYINDEX_CACHE_DIR: join(machine, 'cache') };
  const args = ['provision', '--job', 'ci', '--profile', P311, '--venv', 'venv', '--bundle', 'ci.tar.gz', '--python', py311!, '--json'];

  const first = await runCli(args, { cwd: machine, env });
  t.equal(first.code, 0, first.code === 0 ? 'provisioned' : first.stderr);
  t.match(JSON.parse(first.stdout), { profile: P311, upToDate: false, created: 'new venv', packages: 2, pipRuns: 1, installed: ['alpha==1.0', 'beta==2.0'] });
  const run = spawnSync(join(machine, 'venv', 'bin', 'python'), ['-c', 'import alpha, beta; print(alpha.VALUE, "|", beta.VALUE)'], { env: isolatedEnv(), encoding: 'utf8' });
  t.equal(run.stdout.trim(), 'alpha 1.0 | beta 2.0', 'the venv imports what the bundle carried');

  const again = await runCli(args, { cwd: machine, env });
  t.equal(again.code, 0, again.stderr);
  t.match(JSON.parse(again.stdout), { upToDate: true, pipRuns: 0 }, 'the same bundle again: no pip');

  const otherJob = await runCli(['provision', '--job', 'docs', '--profile', P311, '--venv', 'venv2', '--bundle', 'ci.tar.gz', '--python', py311!], { cwd: machine, env });
  t.equal(otherJob.code, 2, 'a job the bundle does not carry is bad input');
  t.match(otherJob.stderr, /E_UNKNOWN_JOB/);

  // One wheel altered inside an otherwise valid tar.gz.
  const members = untar(readFileSync(join(machine, 'ci.tar.gz')));
  const target = members.find(([name]) => /^wheelhouse\/alpha-.*\.whl$/.test(name));
  t.ok(target, 'the bundle carries the alpha wheel');
  const tampered = members.map(([name, data]): [string, Buffer] => {
    if (name !== target![0]) return [name, data];
    const copy = Buffer.from(data);
    copy[copy.length >> 1] = copy[copy.length >> 1]! ^ 0x55;
    return [name, copy];
  });
  mkdirSync(join(machine, 'bad'));
  writeFileSync(join(machine, 'bad', 'ci.tar.gz'), retar(tampered));
  const venvBefore = readFileSync(join(machine, 'venv', 'pyvenv.cfg'), 'utf8');
  const refused = await runCli(['provision', '--job', 'ci', '--profile', P311, '--venv', 'venv', '--bundle', 'bad/ci.tar.gz', '--python', py311!], { cwd: machine, env: { PYINDEX_CACHE_DIR: join(machine, 'cache2') } });
  t.equal(refused.code, 4, 'integrity error');
  t.match(refused.stderr, /E_HASH_MISMATCH/);
  t.match(refused.stderr, target![0], 'names the member');
  t.equal(readFileSync(join(machine, 'venv', 'pyvenv.cfg'), 'utf8'), venvBefore, 'the venv is left as it was');
  const still = spawnSync(join(machine, 'venv', 'bin', 'python'), ['-c', 'import alpha; print(alpha.VALUE)'], { env: isolatedEnv(), encoding: 'utf8' });
  t.equal(still.stdout.trim(), 'alpha 1.0', 'and still imports');
});
