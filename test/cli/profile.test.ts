/** `pyindex profile list|show|detect`, through the real CLI (test/helpers/cli.ts). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { Profile } from '../../src/profile/index.js';
import { runCli } from '../helpers/cli.js';
import { pyenvRoot, runPythonJson } from '../helpers/python.js';

const cli = (args: string[]) => runCli(args);


t.test('profile list', async (t) => {
  const [r, j] = await Promise.all([cli(['profile', 'list']), cli(['profile', 'list', '--json'])]);
  t.equal(r.code, 0);
  const names = r.stdout.trim().split('\n');
  t.equal(names.length, 56);
  t.ok(names.includes('linux-x86_64-py3.11'));
  t.ok(names.includes('windows-amd64-py2.7'));
  t.equal((JSON.parse(j.stdout) as unknown[]).length, 56);
});

t.test('profile show NAME prints markers and numbered tags', async (t) => {
  const [r, j] = await Promise.all([cli(['profile', 'show', 'windows-amd64-py3.11']), cli(['profile', 'show', 'windows-amd64-py3.11', '--json'])]);
  t.equal(r.code, 0);
  t.match(r.stdout, /^profile windows-amd64-py3\.11$/m);
  t.match(r.stdout, /sys_platform\s+"win32"/);
  t.match(r.stdout, /platform_machine\s+"AMD64"/);
  t.match(r.stdout, /^\s+1 {2}cp311-cp311-win_amd64$/m);
  t.match(r.stdout, /^\s+2 {2}cp311-abi3-win_amd64$/m);
  const p = JSON.parse(j.stdout) as Profile;
  t.equal(p.name, 'windows-amd64-py3.11');
  t.equal(p.tags[0], 'cp311-cp311-win_amd64');
  t.equal(p.markers.os_name, 'nt');
});

t.test('profile show with --config resolves inline profiles', async (t) => {
  const dir = t.testdir({});
  const config = join(dir, 'pyindex.yaml');
  writeFileSync(config, 'profiles:\n  linux64-py311: { platform: linux-x86_64, python: "3.11", glibc: "2.28" }\n  win:\n    extends: windows-amd64-py3.11\n    markers: { platform_release: "10" }\n  bad:\n    platform: linux-x86_64\n    python: 3.10\n');
  const [r, w, bad] = await Promise.all([
    cli(['profile', 'show', 'linux64-py311', '--config', config, '--json']),
    cli(['profile', 'show', 'win', '--config', config, '--json']),
    cli(['profile', 'show', 'bad', '--config', config]),
  ]);
  t.equal(r.code, 0);
  t.equal((JSON.parse(r.stdout) as Profile).tags[0], 'cp311-cp311-manylinux_2_28_x86_64');
  t.equal((JSON.parse(w.stdout) as Profile).markers.platform_release, '10');
  t.equal(bad.code, 2);
  t.match(bad.stderr, /E_PROFILE_INVALID/);
  t.match(bad.stderr, `${config}:8`);
});

t.test('profile show with an unknown name: E_UNKNOWN_PROFILE, exit 2, closest names', async (t) => {
  const r = await cli(['profile', 'show', 'linux-x86_64-py311']);
  t.equal(r.code, 2);
  t.match(r.stderr, /E_UNKNOWN_PROFILE/);
  t.match(r.stderr, /linux-x86_64-py3\.11/);
});

t.test('profile detect --python matches packaging.tags.sys_tags()', async (t) => {
  const root = pyenvRoot();
  for (const v of ['2.7.18', '3.13.0']) {
    const python = root ? `${root}/versions/${v}/bin/python` : '';
    const r = await cli(['profile', 'detect', '--python', python, '--json']);
    if (r.code !== 0 && /E_PYTHON_NOT_FOUND/.test(r.stderr)) {
      t.comment(`no ${v} here`);
      continue;
    }
    t.equal(r.code, 0, `${v}: exit 0`);
    const p = JSON.parse(r.stdout) as Profile;
    t.equal(p.python, v.split('.').slice(0, 2).join('.'));
    if (v === '3.13.0') {
      const theirs = runPythonJson<string[]>(python, 'import json; from pip._vendor.packaging import tags; print(json.dumps([str(t) for t in tags.sys_tags()]))', null);
      t.same(p.tags, theirs, `${v}: CLI detection == sys_tags() (${theirs.length} tags)`);
    } else {
      t.equal(p.tags[0], 'cp27-cp27mu-manylinux_2_36_x86_64', '2.7: UCS-4 ABI on this machine\'s glibc');
      t.equal(p.markers.implementation_name, '');
    }
  }
  const text = await cli(['profile', 'detect']);
  t.equal(text.code, 0, 'default python3 on PATH');
  t.match(text.stdout, /^profile detected-linux-x86_64-py3\.\d+$/m);
});

t.test('profile detect errors', async (t) => {
  const [missing, failed] = await Promise.all([cli(['profile', 'detect', '--python', '/nonexistent/python']), cli(['profile', 'detect', '--python', '/bin/false'])]);
  t.equal(missing.code, 5);
  t.match(missing.stderr, /E_PYTHON_NOT_FOUND/);
  t.equal(failed.code, 5);
  t.match(failed.stderr, /E_PYTHON_FAILED/);
});
