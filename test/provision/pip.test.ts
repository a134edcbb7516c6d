/**
 * pip as provision runs it: isolated from this machine's pip configuration
 * (which adds find-links and an extra index) and from PIP_* variables, and
 * its hash report parsed into E_HASH_MISMATCH.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { isolatedPythonEnv, parseHashMismatches, pipFailure, pipInstallArgs, runPip } from '../../src/provision/pip.js';
import { pyenvPython } from '../helpers/provision-kit.js';
import { makeUniversalWheels } from '../helpers/universal-wheels.js';

const python = pyenvPython('3.11');

t.test('isolatedPythonEnv drops PIP_* and PYTHON* and points PIP_CONFIG_FILE at the null device', async (t) => {
  const env = isolatedPythonEnv({ PATH: '/bin', PIP_FIND_LINKS: '/opt/wheels', PIP_EXTRA_INDEX_URL: 'http://x', PIP_CONFIG_FILE: '/etc/leak.conf', PYTHONPATH: '/x', VIRTUAL_ENV: '/v', HOME: '/root' }, 'linux');
  t.same(env, { PATH: '/bin', HOME: '/root', PIP_CONFIG_FILE: '/dev/null', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1', PYTHONNOUSERSITE: '1' });
  t.equal(isolatedPythonEnv({}, 'win32').PIP_CONFIG_FILE, 'nul', "Windows' os.devnull");
  t.same(pipInstallArgs('/wh', '/r.txt', false), ['install', '--isolated', '--disable-pip-version-check', '--no-input', '--no-index', '--find-links', '/wh', '--require-hashes', '--no-deps', '--only-binary', ':all:', '-r', '/r.txt']);
  t.ok(pipInstallArgs('/wh', '/r.txt', true).includes('--force-reinstall'));
});

t.test("pip's hash report becomes E_HASH_MISMATCH naming each file", async (t) => {
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);
  const c = 'c'.repeat(64);
  const output = [
    'Processing /wh/alpha-1.0-py3-none-any.whl',
    'ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE. If you have updated the package versions, please update the hashes. Otherwise, examine the package contents carefully; someone may have tampered with them.',
    '    alpha==1.0 from file:///wh/alpha-1.0-py3-none-any.whl (from -r /v/.pyindex/requirements.txt (line 4)):',
    `        Expected sha256 ${a}`,
    `             Got        ${b}`,
    '',
    '    my-pkg==2 from file:///wh/my%20pkg-2-py3-none-any.whl:',
    `        Expected sha256 ${a}`,
    `                     or ${c}`,
    `             Got        ${b}`,
    '',
  ].join('\n');
  t.same(parseHashMismatches(output), [
    { filename: 'alpha-1.0-py3-none-any.whl', expected: a, got: b },
    { filename: 'my pkg-2-py3-none-any.whl', expected: a, got: b },
  ]);
  t.match(pipFailure({ exitCode: 1, output }, 'pip install', '/wh'), { code: 'E_HASH_MISMATCH', message: /wheelhouse \/wh: files do not have the locked hash: alpha-1\.0/, details: { exitCode: 1 } });
  t.match(pipFailure({ exitCode: 2, output: 'ERROR: boom\n' }, 'pip install', '/wh'), { code: 'E_PIP_FAILED', message: 'pip install failed (pip exit code 2):\nERROR: boom', details: { exitCode: 2, output: 'ERROR: boom\n' } });
  t.same(parseHashMismatches('ERROR: No matching distribution found for x'), []);
});

t.test("neither this machine's pip configuration nor PIP_* variables reach provision's pip", { skip: python ? false : 'no pyenv Python 3.11' }, async (t) => {
  const dir = t.testdir({});
  // A venv that sees the base's pip through system site-packages: no ensurepip, installs go into the venv.
  const venv = join(dir, 'venv');
  const made = spawnSync(python!, ['-m', 'venv', '--without-pip', '--system-site-packages', venv], { encoding: 'utf8' });
  t.equal(made.status, 0, made.stderr);
  const venvPython = join(venv, 'bin', 'python');
  // Everything a machine can use to add find-links: a directory with the wheel, named by env vars, a user config and PIP_CONFIG_FILE.
  const leak = join(dir, 'leak');
  mkdirSync(leak);
  const [leaky] = makeUniversalWheels(leak, [{ name: 'leaky', version: '1.0' }]);
  const conf = join(dir, 'leak.conf');
  writeFileSync(conf, `[global]\nfind-links = ${leak}\n`);
  mkdirSync(join(dir, 'xdg', 'pip'), { recursive: true });
  writeFileSync(join(dir, 'xdg', 'pip', 'pip.conf'), `[global]\nfind-links = ${leak}\n`);
  const leakyEnv = { ...process.env, PIP_FIND_LINKS: leak, PIP_EXTRA_INDEX_URL: `file://${leak}`, PIP_CONFIG_FILE: conf, XDG_CONFIG_HOME: join(dir, 'xdg') };
  const empty = join(dir, 'wheelhouse');
  mkdirSync(empty);
  const requirements = join(dir, 'requirements.txt');
  writeFileSync(requirements, `leaky==1.0 --hash=sha256:${leaky!.sha256}\n`);

  // Control: the same pip, not isolated, finds the wheel through the leak — so the check below means something.
  const control = spawnSync(venvPython, ['-m', 'pip', 'download', '--no-index', '--no-deps', '-d', join(dir, 'got'), '-r', requirements], { env: leakyEnv, encoding: 'utf8' });
  t.equal(control.status, 0, `control: a plain pip uses the leaked find-links: ${control.stderr}`);

  const run = await runPip(venvPython, pipInstallArgs(empty, requirements, false), { env: leakyEnv, cwd: dir });
  t.not(run.exitCode, 0, 'isolated pip cannot see the leaked wheel');
  t.match(run.output, /No matching distribution found for leaky==1\.0|Could not find a version that satisfies/);
  t.match(pipFailure(run, 'pip install', empty), { code: 'E_PIP_FAILED', details: { exitCode: run.exitCode } });

  const listed = await runPip(venvPython, ['config', 'list'], { env: { ...process.env }, cwd: dir });
  const settings = listed.output.trim().split('\n').filter(Boolean);
  t.same(settings.filter((l) => !/^:env:\.(config-file='\/dev\/null'|disable-pip-version-check='1'|no-input='1')$/.test(l)), [], `pip sees only provision's own settings, no config file: ${settings.join('; ')}`);
  const machine = spawnSync(venvPython, ['-m', 'pip', 'config', 'list'], { env: process.env, encoding: 'utf8' });
  if (/find-links|extra-index-url/.test(machine.stdout)) t.pass(`this machine's pip config would add: ${machine.stdout.trim().split('\n').join('; ')}`);
  else t.comment("this machine has no pip config adding indexes or find-links; the PIP_*/user-config leak above still proves the isolation");

  // The machine's mirror: a package present only there (file:///opt/pypi/simple) is not installable from an empty wheelhouse.
  // distlib: on the mirror, not installed in pyenv 3.11 (which this venv sees through system site-packages).
  const six = '/opt/pypi/files/distlib-0.4.3-py2.py3-none-any.whl';
  if (!existsSync(six)) {
    t.comment(`skipped the mirror check: ${six} is not on this machine`);
    return;
  }
  const sixReq = join(dir, 'six.txt');
  writeFileSync(sixReq, `distlib==0.4.3 --hash=sha256:${createHash('sha256').update(readFileSync(six)).digest('hex')}\n`);
  const sixRun = await runPip(venvPython, [...pipInstallArgs(empty, sixReq, false), '-v'], { env: process.env, cwd: dir });
  t.not(sixRun.exitCode, 0, "distlib is only on the machine's mirror; the isolated pip does not find it");
  t.notMatch(sixRun.output, /\/opt\/pypi|\/opt\/wheels/, 'pip never looked at the mirror or /opt/wheels');
});
