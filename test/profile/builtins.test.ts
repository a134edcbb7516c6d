/**
 * Every built-in profile validates, resolves, has realistic markers, and its
 * computed tags equal what packaging 24.1 gives for the same parameters.
 *
 * The packaging side (one Python 3.13 call for all profiles) reconstructs
 * `sys_tags()` for a target that is not this machine: `_cpython_abis` with
 * patched config vars (release build; Py_UNICODE_SIZE 4 on Linux, 2 on
 * macOS/Windows — only visible on 2.7), the platform list from packaging's own
 * `_linux_platforms` (glibc / musl / sysconfig platform patched,
 * `_have_compatible_abi` forced true because it inspects THIS interpreter's
 * ELF header), `mac_platforms(version, arch)`, or `_generic_platforms` with
 * a patched `sysconfig.get_platform` for Windows; then
 * `cpython_tags(v, abis, platforms) + compatible_tags(v, "cpXY", platforms)`,
 * which is what `sys_tags()` chains for CPython.
 */
import { existsSync } from 'node:fs';
import t from 'tap';
import { loadBuiltinProfiles, resolveProfile, type Profile } from '../../src/profile/index.js';
import { PLATFORM_NAMES, PYTHON_VERSIONS } from '../../src/profile/types.js';
import { pyenvRoot, runPythonJson } from '../helpers/python.js';

const RECONSTRUCT = `
import sys, json, sysconfig
from pip._vendor.packaging import tags as T, _manylinux as ML, _musllinux as MU
ML._have_compatible_abi = lambda executable, archs: True
out = []
for c in json.load(sys.stdin):
    v = tuple(int(x) for x in c['python'].split('.'))
    cfg = {'Py_DEBUG': 0, 'WITH_PYMALLOC': 1, 'Py_GIL_DISABLED': 0, 'Py_UNICODE_SIZE': 4 if c['platform'].startswith('linux-') else 2}
    T._get_config_var = lambda name, warn=False: cfg.get(name)
    T.EXTENSION_SUFFIXES = ['.so']
    abis = T._cpython_abis(v)
    p = c['platform']
    if p.startswith('linux-'):
        g = ML._parse_glibc_version(c['glibc']) if c.get('glibc') else (-1, -1)
        ML._get_glibc_version = lambda: g
        m = MU._MuslVersion(*[int(x) for x in c['musl'].split('.')]) if c.get('musl') else None
        MU._get_musl_version = lambda exe: m
        sysconfig.get_platform = lambda: p
        platforms = list(T._linux_platforms(p == 'linux-i686'))
    elif p.startswith('macos-'):
        platforms = list(T.mac_platforms(tuple(int(x) for x in c['macos'].split('.')), p.split('-')[1]))
    else:
        sysconfig.get_platform = lambda: 'win-amd64' if p == 'windows-amd64' else 'win32'
        platforms = list(T._generic_platforms())
    interp = 'cp' + ''.join(str(x) for x in v)
    tags = list(T.cpython_tags(v, abis, platforms)) + list(T.compatible_tags(v, interp, platforms))
    out.append([str(t) for t in tags])
print(json.dumps(out))
`;

const builtins = loadBuiltinProfiles();

t.test('there is a built-in profile for every platform x Python, named <platform>-py<python>', async (t) => {
  const expected = PLATFORM_NAMES.flatMap((p) => PYTHON_VERSIONS.map((v) => `${p}-py${v}`)).sort();
  t.same([...builtins.keys()].sort(), expected);
  t.equal(builtins.size, 56);
});

const profiles: Profile[] = [...builtins.keys()].map((name) => resolveProfile(name, undefined, { builtins }));

t.test('built-in markers are realistic for the target', async (t) => {
  for (const p of profiles) {
    const m = p.markers;
    t.equal(m.python_version, p.python, `${p.name} python_version`);
    t.ok(m.python_full_version.startsWith(`${p.python}.`), `${p.name} python_full_version`);
    t.equal(m.platform_python_implementation, 'CPython');
    if (p.python === '2.7') t.same([m.implementation_name, m.implementation_version], ['', '0'], `${p.name}: Python 2 has no sys.implementation`);
    else t.same([m.implementation_name, m.implementation_version], ['cpython', m.python_full_version]);
    const expect: Record<string, [string, string, string, string]> = {
      'linux-x86_64': ['posix', 'linux', 'Linux', 'x86_64'],
      'linux-i686': ['posix', 'linux', 'Linux', 'i686'],
      'linux-aarch64': ['posix', 'linux', 'Linux', 'aarch64'],
      'macos-x86_64': ['posix', 'darwin', 'Darwin', 'x86_64'],
      'macos-arm64': ['posix', 'darwin', 'Darwin', 'arm64'],
      'windows-amd64': ['nt', 'win32', 'Windows', 'AMD64'],
      'windows-x86': ['nt', 'win32', 'Windows', 'x86'],
    };
    t.same([m.os_name, m.sys_platform, m.platform_system, m.platform_machine], expect[p.platform], `${p.name} os markers`);
  }
});

t.test('built-in parameters and tag heads', async (t) => {
  const byName = new Map(profiles.map((p) => [p.name, p]));
  t.equal(byName.get('linux-x86_64-py3.11')?.glibc, '2.17');
  t.equal(byName.get('linux-x86_64-py3.11')?.tags[0], 'cp311-cp311-manylinux_2_17_x86_64');
  t.equal(byName.get('linux-x86_64-py2.7')?.tags[0], 'cp27-cp27mu-manylinux_2_17_x86_64');
  t.equal(byName.get('macos-x86_64-py3.8')?.macos, '10.12');
  t.equal(byName.get('macos-x86_64-py3.8')?.tags[0], 'cp38-cp38-macosx_10_12_x86_64');
  t.equal(byName.get('macos-arm64-py3.13')?.tags[0], 'cp313-cp313-macosx_11_0_arm64');
  t.same(byName.get('windows-amd64-py3.12')?.tags.slice(0, 3), ['cp312-cp312-win_amd64', 'cp312-abi3-win_amd64', 'cp312-none-win_amd64']);
  t.equal(byName.get('windows-x86-py2.7')?.tags[0], 'cp27-cp27m-win32');
  t.notOk(byName.get('windows-x86-py2.7')?.tags.some((x) => x.includes('abi3')), 'no abi3 on Python 2');
  t.equal(byName.get('linux-aarch64-py3.14')?.tags[0], 'cp314-cp314-manylinux_2_17_aarch64');
  t.equal(byName.get('linux-x86_64-py3.13')?.tags.at(-1), 'py30-none-any');
});

const root = pyenvRoot();
const python = root ? `${root}/versions/3.13.0/bin/python` : '';
const noPackaging24 = existsSync(python) ? false : 'no Python 3.13.0 (packaging 24.1) here';

t.test('built-in tags equal packaging 24.1 for the same parameters', { skip: noPackaging24 }, async (t) => {
  const extra = [
    resolveProfile('glibc228', { platform: 'linux-x86_64', python: '3.11', glibc: '2.28' }, { builtins }),
    resolveProfile('alpine', { platform: 'linux-aarch64', python: '3.12', musl: '1.2' }, { builtins }),
    resolveProfile('sonoma', { platform: 'macos-arm64', python: '3.12', macos: '14.0' }, { builtins }),
    resolveProfile('catalina', { platform: 'macos-x86_64', python: '2.7', macos: '10.15' }, { builtins }),
    resolveProfile('i686musl', { platform: 'linux-i686', python: '3.9', musl: '1.1' }, { builtins }),
  ];
  const all = [...profiles, ...extra];
  const theirs = runPythonJson<string[][]>(python, RECONSTRUCT, all.map((p) => ({ platform: p.platform, python: p.python, glibc: p.glibc, musl: p.musl, macos: p.macos })));
  const bad = all.filter((p, i) => JSON.stringify(p.tags) !== JSON.stringify(theirs[i])).map((p) => p.name);
  t.same(bad, [], `${all.length} profiles (${profiles.length} built-in) compared`);
  const total = all.reduce((n, p) => n + p.tags.length, 0);
  t.comment(`${all.length} profiles, ${total} tags compared with packaging 24.1, ${bad.length} mismatching profiles`);
});
