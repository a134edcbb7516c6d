/**
 * The README's first command runs `pyindex demo`: the embedded default must
 * lock, fetch and provision end to end (a real venv that imports the locked versions), and what it exports must install with real pip, offline,
 * from the demo's own index, hashes checked.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { isolatedEnv, pyenvRoot } from '../helpers/python.js';

t.test('pyindex demo locks the embedded project and pip installs the export offline', async (t) => {
  const dir = t.testdir({});
  const demo = join(dir, 'demo');
  const r = await runCli(['demo', '--dir', demo]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /wrote .*pyindex\.lock\.yaml: \d+ distributions for 6 job × profile pairs/);
  t.match(r.stdout, /demo-win32api==306 \\\n\s+--hash=sha256:[0-9a-f]{64}/);
  t.match(r.stdout, /wheelhouse: 6 files \(6 downloaded/, 'fetch fills the wheelhouse');
  t.match(r.stdout, /venv-talos: job talos × linux64-py311, 6 packages with .*; new venv; installed 6/, 'provision builds the venv');
  t.match(r.stdout, /venv-talos: up to date \(job talos × linux64-py311, 6 packages\)/, 'the second provision is a no-op');
  const venvPython = join(demo, 'venv-talos', 'bin', 'python');
  const imported = await execa(venvPython, ['-c', 'import demo_runner, demo_http, demo_socks; print(demo_runner.__version__, demo_http.__version__)'], { env: isolatedEnv(), extendEnv: false });
  t.equal(imported.stdout.trim(), '5.1.0 2.1.0', 'the provisioned venv imports the locked versions');
  const lock = readFileSync(join(demo, 'pyindex.lock.yaml'), 'utf8');
  t.match(lock, /"job: demo-http\[socks\]; python_version >= '3'"|job: demo-http\[socks\]/);

  const again = await runCli(['demo', '--dir', demo]);
  t.equal(again.code, 0);
  t.equal(readFileSync(join(demo, 'pyindex.lock.yaml'), 'utf8'), lock, 'the demo is reproducible');

  const python = join(pyenvRoot() ?? '/nonexistent', 'versions', '3.11.7', 'bin', 'python');
  if (!existsSync(python)) return t.comment('no pyenv Python 3.11.7: pip install step skipped');
  const exported = await runCli(['export', '--job', 'talos', '--profile', 'linux64-py311', '--config', join(demo, 'pyindex.yaml')]);
  t.equal(exported.code, 0, exported.stderr);
  const req = join(dir, 'req.txt');
  writeFileSync(req, exported.stdout);
  const target = join(dir, 'site');
  const pip = await execa(
    python,
    ['-m', 'pip', 'install', '--isolated', '--no-index', '--find-links', join(demo, 'index'), '--no-deps', '--require-hashes', '-r', req, '--target', target],
    { env: isolatedEnv(), extendEnv: false, reject: false },
  );
  t.equal(pip.exitCode, 0, pip.stderr);
  const check = await execa(python, ['-c', 'import demo_runner, demo_http, demo_socks; print(demo_runner.__version__, demo_http.__version__)'], {
    env: { ...isolatedEnv(), PYTHONPATH: target },
    extendEnv: false,
  });
  t.equal(check.stdout.trim(), '5.1.0 2.1.0');
});
