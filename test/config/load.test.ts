/**
 * loadConfig on a valid pyindex.yaml (inline and built-in profiles, a
 * requirements file with -c/-r/continuations/comments, options), findConfig,
 * and the index / exclude-newer rules.
 */
import { join } from 'node:path';
import t from 'tap';
import { findConfig, loadConfig, profileDigest } from '../../src/config/load.js';
import { parseInstant } from '../../src/config/options.js';
import { loadBuiltinProfiles, resolveProfile } from '../../src/profile/index.js';
import { caught, loadFrom, writeConfig } from '../helpers/config-kit.js';

const CONFIG = `# CI lock inputs
index: http://pypi.internal/simple/
profiles:
  linux64-py311: { platform: linux-x86_64, python: "3.11", glibc: "2.28" }
  win64-py311:   { platform: windows-amd64, python: "3.11" }
  unused:        { extends: macos-arm64-py3.12 }
jobs:
  talos:
    requires: ["mozrunner>=5", "mozprocess", "requests[socks]; python_version >= '3'"]
    requires-file: ci/requirements.txt
    profiles: [linux64-py311, win64-py311, macos-arm64-py3.12]
  lint:
    requires: [flake8]
    profiles: [linux64-py311]
options:
  prereleases: disallow
  only-binary: [":all:"]
  no-build: [Numpy, lxml]
  exclude-newer: 2026-01-01T00:00:00Z
  build-python: tools/python3
`;

const FILES = {
  'pyindex.yaml': CONFIG,
  ci: {
    'requirements.txt': '# pinned by CI\n-r base.txt\n-c ../constraints.txt\n\nmozdevice \\\n  >=4.1   # the device runner\n',
    'base.txt': 'six\n',
  },
  'constraints.txt': 'urllib3<2\nidna==3.4\n',
};

t.test('a valid config, resolved', async (t) => {
  const { dir, file } = writeConfig(t, FILES);
  const c = loadConfig(file);
  t.equal(c.file, file);
  t.equal(c.dir, dir);
  t.equal(c.index, 'http://pypi.internal/simple/', 'URL kept as written');
  t.same([...c.jobs.keys()], ['talos', 'lint']);
  const talos = c.jobs.get('talos');
  t.same(talos?.requirementTexts, ['mozrunner>=5', 'mozprocess', "requests[socks]; python_version >= '3'", 'six', 'mozdevice   >=4.1'], 'inline first, then the file and its -r in reading order');
  t.same(talos?.requirements.map((r) => r.name), ['mozrunner', 'mozprocess', 'requests', 'six', 'mozdevice']);
  t.same(talos?.requirements[2]?.extras, ['socks']);
  t.ok(talos?.requirements[2]?.marker, 'marker parsed');
  t.same(talos?.constraintTexts, ['urllib3<2', 'idna==3.4']);
  t.same(talos?.constraints.map((r) => r.specifier.toString()), ['<2', '==3.4']);
  t.same(talos?.profiles, ['linux64-py311', 'win64-py311', 'macos-arm64-py3.12']);
  t.same(c.jobs.get('lint')?.constraints, []);

  t.same([...c.profiles.keys()], ['linux64-py311', 'win64-py311', 'macos-arm64-py3.12'], 'the profiles jobs use, unused inline ones left out');
  const linux = c.profiles.get('linux64-py311');
  t.equal(linux?.glibc, '2.28');
  t.equal(linux?.tags[0], 'cp311-cp311-manylinux_2_28_x86_64');
  t.equal(c.profiles.get('win64-py311')?.markers.sys_platform, 'win32');
  t.same(c.profiles.get('macos-arm64-py3.12'), resolveProfile('macos-arm64-py3.12', undefined, { builtins: loadBuiltinProfiles() }), 'built-in resolved as is');

  t.equal(c.options.prereleases, 'disallow');
  t.same(c.options.onlyBinary, { all: true });
  t.same(c.options.noBinary, { all: false, names: new Set() });
  t.same(c.options.noBuild, { all: false, names: new Set(['numpy', 'lxml']) }, 'names PEP 503-normalized');
  t.equal(c.options.excludeNewer?.toISOString(), '2026-01-01T00:00:00.000Z');
  t.equal(c.buildPython, join(dir, 'tools/python3'), 'a build-python path is relative to the config');
  t.match(c.digest, /^sha256:[0-9a-f]{64}$/);
});

t.test('defaults, a local index, a bare build-python command, .yml', async (t) => {
  const c = loadFrom(t, { 'pyindex.yaml': 'index: ../wheels\njobs: { ci: { requires: [six], profiles: [linux-x86_64-py3.11] } }\noptions: { build-python: python3 }\n' });
  t.equal(c.index, join(c.dir, '..', 'wheels'), 'relative to the config directory');
  t.equal(c.buildPython, 'python3', 'a command name is left for PATH lookup');
  t.equal(c.options.prereleases, 'if-necessary-or-explicit');
  t.equal(c.options.excludeNewer, undefined);
  t.same(c.options.onlyBinary, { all: false, names: new Set() });
  const bare = loadFrom(t, { 'pyindex.yaml': 'index: /srv/pypi\njobs: { ci: { requires: [six], profiles: [linux-x86_64-py3.11] } }\n' });
  t.equal(bare.index, '/srv/pypi');
  t.equal(bare.buildPython, undefined);
  const file = loadFrom(t, { 'pyindex.yaml': 'index: file:///srv/pypi/simple\njobs: { ci: { requires: [six], profiles: [linux-x86_64-py3.11] } }\n' });
  t.equal(file.index, 'file:///srv/pypi/simple');
});

t.test('findConfig', async (t) => {
  const yaml = t.testdir({ 'pyindex.yaml': '', 'pyindex.yml': '' });
  t.equal(findConfig(yaml), join(yaml, 'pyindex.yaml'), '.yaml preferred');
  const yml = t.testdir({ 'pyindex.yml': '' });
  t.equal(findConfig(yml), join(yml, 'pyindex.yml'));
  const none = t.testdir({});
  const e = caught(t, () => findConfig(none));
  t.equal(e.code, 'E_FILE_NOT_FOUND');
  t.match(e.message, `no pyindex.yaml in ${none}`);
  t.match(e.hint, /--config/);
});

t.test('profileDigest: markers and tags', async (t) => {
  const builtins = loadBuiltinProfiles();
  const a = resolveProfile('x', { platform: 'linux-x86_64', python: '3.11' }, { builtins });
  const b = resolveProfile('y', { extends: 'linux-x86_64-py3.11' }, { builtins });
  t.equal(profileDigest(a), profileDigest(b), 'the name does not count');
  t.not(profileDigest(a), profileDigest(resolveProfile('x', { platform: 'linux-x86_64', python: '3.11', glibc: '2.28' }, { builtins })), 'glibc changes the tags');
  t.not(profileDigest(a), profileDigest({ ...a, markers: { ...a.markers, platform_release: '6.9' } }), 'a marker value counts');
  t.match(profileDigest(a), /^sha256:[0-9a-f]{64}$/);
});

t.test('exclude-newer: RFC 3339 date-times and dates', async (t) => {
  const ok: [string, string][] = [
    ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01t10:00:00z', '2026-01-01T10:00:00.000Z'],
    ['2026-01-01 10:00:00Z', '2026-01-01T10:00:00.000Z'],
    ['2026-01-01T10:00:00.25+02:00', '2026-01-01T08:00:00.250Z'],
    ['2025-12-31T23:30:00-01:30', '2026-01-01T01:00:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['0099-01-01', '0099-01-01T00:00:00.000Z'],
  ];
  for (const [text, iso] of ok) t.equal(parseInstant(text)?.toISOString(), iso, text);
  for (const text of ['2026-13-01', '2025-02-29', '2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:00:00', '2026-01-01T00:00Z', 'yesterday', '2026-1-1', '2026-01-01T00:00:00+25:00', '1767225600']) {
    t.equal(parseInstant(text), undefined, `${text} refused`);
  }
});
