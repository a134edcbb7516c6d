import t from 'tap';
import { buildLockfile, sortStrings } from '../../src/lock/build.js';
import { serializeLockfile } from '../../src/lock/write.js';
import {
  CONFIG_DIGEST,
  fakeProfileDigest,
  indexFile,
  jobConfig,
  LINUX,
  resolution,
  resolved,
  sampleConfig,
  sampleResolutions,
  WINDOWS,
  type LockConfig,
} from '../helpers/lock-fixtures.js';

const build = (config: LockConfig = sampleConfig(), resolutions = sampleResolutions()) => buildLockfile({ config, resolutions, profileDigest: fakeProfileDigest });

t.test('packages are merged across jobs and profiles, one entry per name+version', async (t) => {
  const lock = build();
  t.same(
    lock.packages.map((p) => `${p.name} ${p.version}`),
    ['certifi 2024.8.30', 'charset-normalizer 3.4.0', 'idna 3.10', 'pysocks 1.7.1', 'requests 2.31.0', 'requests 2.32.3', 'six 1.16.0', 'urllib3 1.26.20', 'urllib3 2.2.3'],
  );
  const charset = lock.packages.find((p) => p.name === 'charset-normalizer')!;
  t.same(
    charset.files.map((f) => [f.filename, f.profiles]),
    [
      ['charset_normalizer-3.4.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', [LINUX.name]],
      ['charset_normalizer-3.4.0-cp311-cp311-win_amd64.whl', [WINDOWS.name]],
    ],
    'each profile its own wheel, files sorted by filename',
  );
  const certifi = lock.packages.find((p) => p.name === 'certifi')!;
  t.same(certifi.files.length, 1);
  t.same(certifi.files[0]!.profiles, [LINUX.name, WINDOWS.name], 'profiles of a shared file, sorted');
  const expected = indexFile('certifi-2024.8.30-py3-none-any.whl');
  t.same(certifi.files[0], { filename: expected.filename, sha256: expected.hashes.sha256, size: expected.size, url: expected.url, profiles: [LINUX.name, WINDOWS.name] });
  // The name as the resolver gave it ("pysocks") even though the wheel is "PySocks-…".
  t.ok(lock.packages.some((p) => p.name === 'pysocks' && p.files[0]!.filename === 'PySocks-1.7.1-py3-none-any.whl'));
});

t.test('top-level facts and profiles', async (t) => {
  const lock = build();
  t.equal(lock.version, 1);
  t.equal(lock.configDigest, CONFIG_DIGEST);
  t.equal(lock.index, 'https://pypi.example/simple/');
  t.same(Object.keys(lock.profiles), [LINUX.name, WINDOWS.name], 'sorted by name, not config order');
  t.same(lock.profiles[WINDOWS.name], { platform: 'windows-amd64', python: '3.11', digest: fakeProfileDigest(WINDOWS) });
});

t.test('per job × profile sets with rendered reasons', async (t) => {
  const lock = build();
  t.same(Object.keys(lock.jobs), ['docs', 'talos']);
  const talos = lock.jobs.talos!;
  t.same(talos.requires, ['requests[socks]>=2', 'six'], 'requirements as written, in written order');
  t.same(talos.constraints, ['urllib3<3']);
  t.same(Object.keys(talos.profiles), [LINUX.name, WINDOWS.name]);
  const linux = talos.profiles[LINUX.name]!;
  t.same(
    linux.map((r) => r.name),
    ['certifi', 'charset-normalizer', 'idna', 'pysocks', 'requests', 'six', 'urllib3'],
  );
  t.same(linux.find((r) => r.name === 'requests'), {
    name: 'requests',
    version: '2.32.3',
    file: 'requests-2.32.3-py3-none-any.whl',
    extras: ['socks'],
    requiredBy: ['job: requests[socks]>=2'],
  });
  t.same(linux.find((r) => r.name === 'certifi')!.requiredBy, ['requests: certifi>=2017.4.17']);
  t.equal(talos.profiles[WINDOWS.name]!.find((r) => r.name === 'charset-normalizer')!.file, 'charset_normalizer-3.4.0-cp311-cp311-win_amd64.whl');
  t.same(
    lock.jobs.docs!.profiles[LINUX.name]!.map((r) => `${r.name}==${r.version}`),
    ['certifi==2024.8.30', 'charset-normalizer==3.4.0', 'idna==3.10', 'requests==2.31.0', 'urllib3==1.26.20'],
  );
});

t.test('versions sort in PEP 440 order, reasons and extras lexicographically', async (t) => {
  const config: LockConfig = {
    ...sampleConfig(),
    jobs: new Map([
      ['a', jobConfig('a', ['foo'], [LINUX.name])],
      ['b', jobConfig('b', ['foo<2.10'], [LINUX.name])],
    ]),
  };
  const lock = build(config, [
    resolution('a', LINUX, [
      resolved('foo', '2.10', 'foo-2.10-py3-none-any.whl', [['zed', 'foo'], ['job', 'foo'], ['bar', 'foo>1']], ['Zeta', 'alpha', 'alpha']),
      resolved('zed', '1.0rc1', 'zed-1.0rc1.tar.gz', [['job', 'zed']]),
      resolved('bar', '1', 'bar-1.zip', [['job', 'bar']]),
    ]),
    resolution('b', LINUX, [
      resolved('foo', '2.9', 'foo-2.9-py3-none-any.whl', [['job', 'foo<2.10']]),
      resolved('foo-x', '2.9.post1', 'foo_x-2.9.post1-py3-none-any.whl', [['job', 'foo-x']]),
    ]),
  ]);
  t.same(
    lock.packages.map((p) => `${p.name} ${p.version}`),
    ['bar 1', 'foo 2.9', 'foo 2.10', 'foo-x 2.9.post1', 'zed 1.0rc1'],
  );
  const foo = lock.jobs.a!.profiles[LINUX.name]!.find((r) => r.name === 'foo')!;
  t.same(foo.requiredBy, ['bar: foo>1', 'job: foo', 'zed: foo']);
  t.same(foo.extras, ['alpha', 'zeta'], 'PEP 685-normalized, deduplicated, sorted');
});

t.test('sorting is by code point, not locale or UTF-16 unit', async (t) => {
  // U+FF5E sorts before U+1F600 by code point, after it by UTF-16 unit.
  t.same(sortStrings(['\u{1F600}', '\uFF5E', 'B', 'a']), ['B', 'a', '\uFF5E', '\u{1F600}']);
});

t.test('the same resolutions in any order give the same lockfile', async (t) => {
  const a = serializeLockfile(build());
  const shuffled = sampleResolutions().reverse();
  for (const r of shuffled) r.packages.reverse();
  const b = serializeLockfile(build(sampleConfig(), shuffled));
  t.equal(a, b);
  t.equal(serializeLockfile(build()), a, 'and building twice is byte-identical');
});

t.test("a job × profile nobody resolved has no entry under the job's profiles", async (t) => {
  const lock = build(sampleConfig(), sampleResolutions().slice(0, 1));
  t.same(Object.keys(lock.jobs.talos!.profiles), [LINUX.name]);
  t.same(lock.jobs.docs!.profiles, {});
});

t.test('refuses files without sha256 or size, and two contents under one filename', async (t) => {
  const noHash = indexFile('x-1-py3-none-any.whl', { hashes: {} });
  const cfg: LockConfig = { ...sampleConfig(), jobs: new Map([['talos', jobConfig('talos', ['x'], [LINUX.name, WINDOWS.name])]]) };
  t.throws(() => build(cfg, [resolution('talos', LINUX, [resolved('x', '1', noHash, [['job', 'x']])])]), { code: 'E_INTERNAL', message: /x-1-py3-none-any\.whl has no valid sha256/ });
  const shortHash = indexFile('x-1-py3-none-any.whl', { hashes: { sha256: 'abc' } });
  t.throws(() => build(cfg, [resolution('talos', LINUX, [resolved('x', '1', shortHash, [['job', 'x']])])]), { code: 'E_INTERNAL' });
  const noSize = indexFile('x-1-py3-none-any.whl', { size: undefined });
  t.throws(() => build(cfg, [resolution('talos', LINUX, [resolved('x', '1', noSize, [['job', 'x']])])]), { code: 'E_INTERNAL', message: /has no size/ });
  const upper = indexFile('x-1-py3-none-any.whl', { hashes: { sha256: 'AB'.repeat(32) } });
  const lock = build(cfg, [resolution('talos', LINUX, [resolved('x', '1', upper, [['job', 'x']])])]);
  t.equal(lock.packages[0]!.files[0]!.sha256, 'ab'.repeat(32), 'hex is lowercased');

  const other = indexFile('x-1-py3-none-any.whl', { hashes: { sha256: 'cd'.repeat(32) } });
  t.throws(
    () =>
      build(cfg, [
        resolution('talos', LINUX, [resolved('x', '1', 'x-1-py3-none-any.whl', [['job', 'x']])]),
        resolution('talos', WINDOWS, [resolved('x', '1', other, [['job', 'x']])]),
      ]),
    { code: 'E_HASH_MISMATCH', message: /x-1-py3-none-any\.whl was seen with two different contents/ },
  );
});

t.test('resolutions that do not match the config are a bug', async (t) => {
  t.throws(() => build(sampleConfig(), [resolution('nope', LINUX, [])]), { code: 'E_INTERNAL', message: /no job "nope"/ });
  const stranger = { ...LINUX, name: 'stranger' };
  t.throws(() => build(sampleConfig(), [resolution('talos', stranger, [])]), { code: 'E_INTERNAL', message: /no profile "stranger"/ });
  t.throws(() => build(sampleConfig(), [resolution('talos', LINUX, []), resolution('talos', LINUX, [])]), { code: 'E_INTERNAL', message: /resolved twice/ });
});
