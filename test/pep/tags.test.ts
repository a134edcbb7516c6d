/**
 * Wheel tags: parsing, and every generator compared with packaging 24.1's
 * (pip 24.2's vendored copy under 3.13.0) in ONE Python call. Live-system
 * reads in packaging are monkeypatched with the case's facts:
 * `_get_config_var` (ABI flags), `sys.gettotalrefcount`, `EXTENSION_SUFFIXES`,
 * `_manylinux._get_glibc_version`, `_musllinux._get_musl_version`,
 * `sysconfig.get_platform`, and `_manylinux._have_compatible_abi` (which
 * inspects the ELF header of the RUNNING interpreter; pyindex models it
 * separately — see the linuxPlatforms ELF cases below).
 */
import t from 'tap';
import {
  compatibleTags,
  cpythonAbis,
  cpythonTags,
  expandCompressedTagSet,
  genericTags,
  linuxPlatforms,
  macPlatforms,
  manylinuxPlatforms,
  musllinuxPlatforms,
  parseTag,
  tagToString,
  windowsPlatforms,
  type ConfigValue,
} from '../../src/pep/tags.js';
import { pyenvRoot, runPythonJson } from '../helpers/python.js';
import { existsSync } from 'node:fs';

t.test('tagToString / parseTag', async (t) => {
  const tag = parseTag('CP311-cp311-Manylinux_2_17_x86_64');
  t.same(tag, { interpreter: 'cp311', abi: 'cp311', platform: 'manylinux_2_17_x86_64' }, 'lowercased like packaging.tags.Tag');
  t.equal(tagToString(tag), 'cp311-cp311-manylinux_2_17_x86_64');
  for (const bad of ['py3-none', 'a-b-c-d', '', '-none-any', 'py3--any', 'py2.py3-none-any']) {
    t.throws(() => parseTag(bad), { code: 'E_INVALID_TAG' }, bad);
  }
});

t.test('expandCompressedTagSet', async (t) => {
  t.same(expandCompressedTagSet('py2.py3-none-any'), ['py2-none-any', 'py3-none-any']);
  t.same(expandCompressedTagSet('cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64'), [
    'cp311-cp311-manylinux_2_17_x86_64',
    'cp311-cp311-manylinux2014_x86_64',
  ]);
  t.same(expandCompressedTagSet('py2.py2-none-any'), ['py2-none-any'], 'duplicates dropped (packaging returns a set)');
  t.throws(() => expandCompressedTagSet('py2..py3-none-any'), { code: 'E_INVALID_TAG' });
  t.throws(() => expandCompressedTagSet('py3-none'), { code: 'E_INVALID_TAG' });
});

t.test('windowsPlatforms', async (t) => {
  t.same(windowsPlatforms('amd64'), ['win_amd64']);
  t.same(windowsPlatforms('x86'), ['win32']);
  t.same(windowsPlatforms('arm64'), ['win_arm64']);
});

const PY = `
import sys, json, sysconfig
from pip._vendor.packaging import tags as T, _manylinux as ML, _musllinux as MU
inp = json.load(sys.stdin)
res = {}
res['parse'] = [sorted(str(t) for t in T.parse_tag(s)) for s in inp['parse']]

out = []
for c in inp['abis']:
    cfg = c['config']
    T._get_config_var = lambda name, warn=False: cfg.get(name)
    if c['refcount']:
        sys.gettotalrefcount = lambda: 0
    elif hasattr(sys, 'gettotalrefcount'):
        del sys.gettotalrefcount
    T.EXTENSION_SUFFIXES = c['suffixes']
    out.append(T._cpython_abis(tuple(c['version'])))
res['abis'] = out

res['cpython'] = [[str(t) for t in T.cpython_tags(tuple(c['version']), c['abis'], c['platforms'])] for c in inp['cpython']]
res['generic'] = [[str(t) for t in T.generic_tags(c['interpreter'], c['abis'], c['platforms'])] for c in inp['generic']]
res['compatible'] = [[str(t) for t in T.compatible_tags(tuple(c['version']), c['interpreter'], c['platforms'])] for c in inp['compatible']]
res['mac'] = [list(T.mac_platforms(tuple(c['version']), c['arch'])) for c in inp['mac']]

ML._have_compatible_abi = lambda executable, archs: True
out = []
for c in inp['manylinux']:
    g = ML._parse_glibc_version(c['glibc']) if c['glibc'] is not None else (-1, -1)
    ML._get_glibc_version = lambda: g
    out.append(list(ML.platform_tags(c['archs'])))
res['manylinux'] = out

out = []
for c in inp['musl']:
    v = MU._MuslVersion(*c['musl']) if c['musl'] else None
    MU._get_musl_version = lambda exe: v
    out.append(list(MU.platform_tags(c['archs'])))
res['musl'] = out

out = []
for c in inp['linux']:
    g = ML._parse_glibc_version(c['glibc'])
    ML._get_glibc_version = lambda: g
    MU._get_musl_version = lambda exe: None
    sysconfig.get_platform = lambda: c['platform']
    out.append(list(T._linux_platforms(c['is32bit'])))
res['linux'] = out
print(json.dumps(res))
`;

interface AbiCase {
  version: number[];
  config: Record<string, ConfigValue>;
  refcount: boolean;
  suffixes: string[];
}

const root = pyenvRoot();
const python = root ? `${root}/versions/3.13.0/bin/python` : '';
const noPackaging24 = existsSync(python) ? false : 'no Python 3.13.0 (packaging 24.1) here';

t.test('generators agree with packaging 24.1', { skip: noPackaging24 }, async (t) => {

  const parse = ['py2.py3-none-any', 'cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64', 'cp36.cp37-abi3.none-win32.win_amd64', 'PY3-NONE-ANY'];

  const abis: AbiCase[] = [];
  for (const version of [[2, 7], [3, 2], [3, 6], [3, 7], [3, 8], [3, 12], [3, 13], [3, 14]]) {
    for (const pyDebug of [0, 1, null]) {
      for (const pymalloc of [0, 1, null]) {
        for (const unicode of [2, 4, null]) {
          for (const gil of [0, 1]) {
            for (const refcount of [false, true]) {
              for (const suffixes of [['.so'], ['.pyd', '_d.pyd']]) {
                abis.push({ version, config: { Py_DEBUG: pyDebug, WITH_PYMALLOC: pymalloc, Py_UNICODE_SIZE: unicode, Py_GIL_DISABLED: gil }, refcount, suffixes });
              }
            }
          }
        }
      }
    }
  }

  const platformSets = [['linux_x86_64'], ['manylinux_2_17_x86_64', 'manylinux2014_x86_64', 'linux_x86_64'], ['win_amd64'], ['macosx_11_0_arm64', 'macosx_10_16_universal2'], []];
  const cpython: { version: number[]; abis: string[]; platforms: string[] }[] = [];
  for (const version of [[2, 7], [3], [3, 2], [3, 3], [3, 7], [3, 11], [3, 13], [3, 14]]) {
    for (const a of [['cp311'], ['cp37m'], ['cp313t'], ['cp313td', 'cp313t'], ['abi3', 'cp311', 'none'], ['none', 'none'], []]) {
      for (const platforms of platformSets) cpython.push({ version, abis: a, platforms });
    }
  }
  const generic = [
    { interpreter: 'pp310', abis: ['pypy310_pp73'], platforms: ['linux_x86_64'] },
    { interpreter: 'pp310', abis: ['none', 'pypy310_pp73'], platforms: ['manylinux2014_x86_64', 'linux_x86_64'] },
    { interpreter: 'graalpy311', abis: [], platforms: ['any'] },
  ];
  const compatible: { version: number[]; interpreter: string | null; platforms: string[] }[] = [];
  for (const version of [[2, 7], [3], [3, 0], [3, 11], [3, 14]]) {
    for (const interpreter of [null, 'cp311', 'pp3']) for (const platforms of platformSets) compatible.push({ version, interpreter, platforms });
  }
  const mac: { version: number[]; arch: string }[] = [];
  for (const version of [[10, 0], [10, 3], [10, 4], [10, 5], [10, 6], [10, 9], [10, 12], [10, 15], [10, 16], [11, 0], [11, 3], [12, 0], [14, 5], [15, 0]]) {
    for (const arch of ['x86_64', 'arm64', 'i386', 'ppc', 'ppc64', 'universal2', 'intel']) mac.push({ version, arch });
  }
  const manylinux: { archs: string[]; glibc: string | null }[] = [];
  for (const archs of [['x86_64'], ['i686'], ['aarch64'], ['armv8l', 'armv7l'], ['ppc64le'], ['s390x']]) {
    for (const glibc of ['2.5', '2.4', '2.12', '2.16', '2.17', '2.28', '2.36', '3.1', '2.20-2014.11', null]) manylinux.push({ archs, glibc });
  }
  const musl: { archs: string[]; musl: number[] | null }[] = [];
  for (const archs of [['x86_64'], ['aarch64'], ['armv8l', 'armv7l']]) for (const m of [[1, 0], [1, 1], [1, 2], null]) musl.push({ archs, musl: m });
  const linux = [
    { platform: 'linux-x86_64', is32bit: false, glibc: '2.28' },
    { platform: 'linux-x86_64', is32bit: true, glibc: '2.28' },
    { platform: 'linux-aarch64', is32bit: false, glibc: '2.31' },
    { platform: 'linux-aarch64', is32bit: true, glibc: '2.31' },
    { platform: 'linux-i686', is32bit: true, glibc: '2.17' },
    { platform: 'freebsd-13.2-RELEASE-amd64', is32bit: false, glibc: '2.17' },
  ];

  type Res = Record<'parse' | 'abis' | 'cpython' | 'generic' | 'compatible' | 'mac' | 'manylinux' | 'musl' | 'linux', string[][]>;
  const theirs = runPythonJson<Res>(python, PY, { parse, abis, cpython, generic, compatible, mac, manylinux, musl, linux });

  const check = <C>(label: string, cases: C[], ours: (c: C) => string[], expected: string[][]): void => {
    const bad = cases.map((c, i) => ({ c, ours: ours(c), theirs: expected[i] })).filter((x) => JSON.stringify(x.ours) !== JSON.stringify(x.theirs));
    t.same(bad.slice(0, 3), [], `${label}: ${cases.length} cases agree`);
    t.comment(`${label}: ${cases.length} cases, ${bad.length} mismatches`);
  };
  check('parse_tag', parse, (s) => [...expandCompressedTagSet(s)].sort(), theirs.parse);
  check(
    '_cpython_abis',
    abis,
    (c) =>
      cpythonAbis(c.version, {
        pyDebug: c.config.Py_DEBUG,
        withPymalloc: c.config.WITH_PYMALLOC,
        unicodeSize: c.config.Py_UNICODE_SIZE,
        gilDisabled: c.config.Py_GIL_DISABLED,
        hasGettotalrefcount: c.refcount,
        extensionSuffixes: c.suffixes,
        maxunicode: 0x10ffff,
      }),
    theirs.abis,
  );
  // packaging falls back to the running system's platforms for an EMPTY list; pyindex takes it literally.
  const nonEmpty = <C extends { platforms: string[] }>(cases: C[], res: string[][]): [C[], string[][]] => {
    const idx = cases.map((c, i) => (c.platforms.length ? i : -1)).filter((i) => i >= 0);
    return [idx.map((i) => cases[i] as C), idx.map((i) => res[i] ?? [])];
  };
  const [cp, cpRes] = nonEmpty(cpython, theirs.cpython);
  check('cpython_tags', cp, (c) => cpythonTags(c.version, c.abis, c.platforms).map(tagToString), cpRes);
  check('generic_tags', generic, (c) => genericTags(c.interpreter, c.abis, c.platforms).map(tagToString), theirs.generic);
  const [co, coRes] = nonEmpty(compatible, theirs.compatible);
  check('compatible_tags', co, (c) => compatibleTags(c.version, c.interpreter ?? undefined, c.platforms).map(tagToString), coRes);
  check('mac_platforms', mac, (c) => macPlatforms([c.version[0] ?? 0, c.version[1] ?? 0], c.arch), theirs.mac);
  check('_manylinux.platform_tags', manylinux, (c) => manylinuxPlatforms(c.archs, c.glibc), theirs.manylinux);
  check('_musllinux.platform_tags', musl, (c) => musllinuxPlatforms(c.archs, c.musl ? c.musl.join('.') : null), theirs.musl);
  check('_linux_platforms', linux, (c) => linuxPlatforms(c.platform, c.is32bit, { glibc: c.glibc }), theirs.linux);
});

t.test('linuxPlatforms honours the executable ELF header like _have_compatible_abi', async (t) => {
  const i386 = { bits: 32 as const, littleEndian: true, machine: 3, flags: 0 };
  const x64 = { bits: 64 as const, littleEndian: true, machine: 62, flags: 0 };
  t.ok(linuxPlatforms('linux-i686', true, { glibc: '2.17', executable: i386 }).includes('manylinux2014_i686'));
  t.same(linuxPlatforms('linux-i686', true, { glibc: '2.17', executable: x64 }), ['linux_i686'], 'a 64-bit executable gets no manylinux i686 tags');
  t.same(linuxPlatforms('linux-i686', true, { glibc: '2.17', executable: null }), ['linux_i686'], 'unreadable executable: none either');
  const armhf = { bits: 32 as const, littleEndian: true, machine: 40, flags: 0x05000400 };
  t.ok(linuxPlatforms('linux-armv7l', false, { glibc: '2.17', executable: armhf }).includes('manylinux2014_armv7l'));
  t.same(linuxPlatforms('linux-armv7l', false, { glibc: '2.17', executable: { ...armhf, flags: 0x05000000 } }), ['linux_armv7l'], 'soft-float ARM: no manylinux');
  t.same(linuxPlatforms('linux-x86_64', false, { musl: '1.2' }), ['musllinux_1_2_x86_64', 'musllinux_1_1_x86_64', 'musllinux_1_0_x86_64', 'linux_x86_64']);
});
