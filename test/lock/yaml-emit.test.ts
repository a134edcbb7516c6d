/**
 * Differential test of the lockfile emitter against its oracle, yaml 2's
 * `stringify` with the options write.ts used to pass: byte-identical output
 * for fixture locks, for every adversarial atom (and pair of atoms) as a value
 * and as a key, and for 5,000 seeded random Lockfile objects; and yaml reads
 * the text back to the same document.
 */
import { isDeepStrictEqual } from 'node:util';
import t, { type Test } from 'tap';
import { parse } from 'yaml';
import { buildLockfile } from '../../src/lock/build.js';
import type { Lockfile } from '../../src/lock/types.js';
import { LOCK_HEADER, lockfileToDocument, serializeLockfile } from '../../src/lock/write.js';
import { emitLockYaml, yamlKey, yamlValue } from '../../src/lock/yaml-emit.js';
import { fakeProfileDigest, sampleConfig, sampleResolutions } from '../helpers/lock-fixtures.js';
import { ATOMS, adversarialString, randomLockfile, realisticLockfile, seededRandom } from '../helpers/lock-gen.js';
import { withRandomBuilds, withRandomIndexes, withRealisticBuilds } from '../helpers/lock-gen-build.js';
import { oracleKey, oracleScalar, oracleSerialize } from '../helpers/lock-yaml-oracle.js';

const H = (c: string) => c.repeat(64);
const RANDOM_LOCKS = 5000;

function emptyLock(): Lockfile {
  return { version: 1, configDigest: 'sha256:' + H('c'), index: 'https://pypi.example/simple/', profiles: {}, packages: [], jobs: {} };
}

/** write.test.ts's tiny lock, plus the odd strings that test feeds it. */
function tinyLock(odd: boolean): Lockfile {
  const lock: Lockfile = {
    version: 1,
    configDigest: odd ? '123e4567' : 'sha256:' + H('c'),
    index: 'https://pypi.example/simple/',
    profiles: { 'linux-x86_64-py3.10': { platform: 'linux-x86_64', python: '3.10', digest: 'sha256:' + H('d') } },
    packages: [
      {
        name: 'idna',
        version: '1.0',
        files: [{ filename: 'idna-1.0-py3-none-any.whl', sha256: H('a'), size: 12, url: 'https://pypi.example/packages/idna-1.0-py3-none-any.whl', profiles: ['linux-x86_64-py3.10'] }],
      },
    ],
    jobs: {
      talos: {
        requires: ['idna>=1.0'],
        constraints: [],
        profiles: { 'linux-x86_64-py3.10': [{ name: 'idna', version: '1.0', file: 'idna-1.0-py3-none-any.whl', extras: [], requiredBy: ['job: idna>=1.0'] }] },
      },
    },
  };
  if (odd) {
    lock.packages[0]!.files[0]!.url = `https://pypi.example/${'very-long-path-segment/'.repeat(20)}idna-1.0-py3-none-any.whl#frag`;
    lock.jobs.talos!.requires = ['idna>=1.0; python_version >= "3.8" and sys_platform != "win32" # a long, long comment', 'yes', 'null', '- dash', '#hash', 'a: b'];
  }
  return lock;
}

/** A Lockfile with no entries: yaml writes the empty profile/job sets as `{}` and empty lists as `[]`. */
function emptyCollections(): Lockfile {
  const lock = tinyLock(false);
  lock.jobs.empty = { requires: [], constraints: [], profiles: {} };
  lock.jobs.none = { requires: ['x'], constraints: ['y'], profiles: { 'linux-x86_64-py3.10': [] } };
  return lock;
}

/**
 * yaml 2.9 writes a multi-line string made only of whitespace, ending in a
 * newline, as a `|+` block whose space-only lines read back as empty lines:
 * its own output loses those spaces. The emitter keeps the bytes, so the
 * round-trip check accepts exactly that loss (and counts it).
 */
const isYamlLossyWhitespace = (s: unknown): boolean => typeof s === 'string' && /^[ \t\n]*\n$/.test(s) && /[ \t]\n/.test(s);

/** Paths where `got` differs from `want`, each ok only if `want` there is such a whitespace string. */
function unexplainedDifferences(got: unknown, want: unknown, path = ''): string[] {
  if (isDeepStrictEqual(got, want)) return [];
  if (got && want && typeof got === 'object' && typeof want === 'object' && Array.isArray(got) === Array.isArray(want)) {
    const g = got as Record<string, unknown>;
    const w = want as Record<string, unknown>;
    if (!isDeepStrictEqual(Object.keys(g), Object.keys(w))) return [`${path}: keys ${JSON.stringify(Object.keys(g))} ≠ ${JSON.stringify(Object.keys(w))}`];
    return Object.keys(w).flatMap((k) => unexplainedDifferences(g[k], w[k], `${path}/${k}`));
  }
  return isYamlLossyWhitespace(want) ? [] : [`${path}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`];
}

/** `n` seeded locks from `make`: how many are byte-identical to the oracle, read back, and pass `mark`; each miss fails. */
function randomCorpus(t: Test, n: number, make: (seed: number) => Lockfile, mark: (lock: Lockfile) => boolean): { identical: number; exact: number; marked: number } {
  const counts = { identical: 0, exact: 0, marked: 0 };
  for (let seed = 1; seed <= n; seed++) {
    const lock = make(seed);
    if (mark(lock)) counts.marked++;
    const text = emitLockYaml(lock);
    if (LOCK_HEADER + text === oracleSerialize(lock)) counts.identical++;
    else t.fail(`seed ${seed}: differs from yaml.stringify`);
    const got: unknown = parse(text);
    if (isDeepStrictEqual(got, lockfileToDocument(lock)) || unexplainedDifferences(got, lockfileToDocument(lock)).length === 0) counts.exact++;
    else t.fail(`seed ${seed}: does not read back`);
  }
  return counts;
}

t.test('fixture lockfiles: byte-identical to yaml.stringify and read back unchanged', async (t) => {
  const fixtures: [string, Lockfile][] = [
    ['tiny', tinyLock(false)],
    ['tiny with odd strings and a long URL', tinyLock(true)],
    ['empty', emptyLock()],
    ['empty collections', emptyCollections()],
    ['sample config and resolutions', buildLockfile({ config: sampleConfig(), resolutions: sampleResolutions(), profileDigest: fakeProfileDigest })],
    ['realistic 120 packages × 4 profiles', realisticLockfile(120, ['linux-x86_64-py3.11', 'windows-amd64-py3.11', 'macosx-arm64-py3.12', '3.10'])],
  ];
  for (const [name, lock] of fixtures) {
    const text = serializeLockfile(lock);
    t.equal(text, oracleSerialize(lock), `${name}: same bytes`);
    t.same(parse(text), lockfileToDocument(lock), `${name}: reads back`);
  }
  t.equal(serializeLockfile(emptyLock()), `${LOCK_HEADER}version: 1\nconfig-digest: sha256:${H('c')}\nindex: https://pypi.example/simple/\nprofiles: {}\npackages: []\njobs: {}\n`);
});

t.test('scalars: every atom and every pair of atoms, as a value and as a key', async (t) => {
  const strings = [...new Set([...ATOMS, ...ATOMS.flatMap((a) => ATOMS.map((b) => a + b))])];
  const valueMismatch: string[] = [];
  const keyMismatch: string[] = [];
  for (const s of strings) {
    if (`k: ${yamlValue(s, '  ')}\n` !== oracleScalar(s)) valueMismatch.push(s);
    // Nested, as every free-form key in the lockfile is (at the top level yaml would also quote document markers like `---`).
    const key = yamlKey(s);
    if (`m:\n  ${key.length > 1024 ? `? ${key}\n  :` : `${key}:`} v\n` !== oracleKey(s)) keyMismatch.push(s);
  }
  t.same(valueMismatch.slice(0, 20), [], `${strings.length} values written as yaml writes them`);
  t.same(keyMismatch.slice(0, 20), [], `${strings.length} keys written as yaml writes them`);
  // The quoting decisions the lockfile depends on, spelled out.
  const expect: [string, string][] = [
    ['1.0', '"1.0"'],
    ['2020.1', '"2020.1"'],
    ['1e5', '"1e5"'],
    ['0x1F', '"0x1F"'],
    ['0o17', '"0o17"'],
    ['.inf', '".inf"'],
    ['true', '"true"'],
    ['Null', '"Null"'],
    ['~', '"~"'],
    ['', '""'],
    ['yes', 'yes'], // a bool only in YAML 1.1
    ['off', 'off'],
    ['2001-12-14', '2001-12-14'], // no timestamps in the 1.2 core schema
    ['1_000', '1_000'],
    ['0b101', '0b101'],
    ['job: requests>=2', '"job: requests>=2"'],
    ['requests: certifi; python_version >= "3.8"', `'requests: certifi; python_version >= "3.8"'`],
    ["six; platform_system == 'Windows'", "six; platform_system == 'Windows'"],
    ['a #b', '"a #b"'],
    ['a#b', 'a#b'],
    ['- dash', '"- dash"'],
    ['-x', '-x'],
    ['x ', '"x "'],
    ['*', '"*"'],
    ['@x', '"@x"'],
    ['`x', '"`x"'],
    ['%x', '"%x"'],
    ['é', 'é'],
    ['a\u0007', '"a\\u0007"'],
    ['a\nb', '|-\n  a\n  b'],
    ['a\n', '|\n  a'],
    ['a\n\n', '|+\n  a\n'],
    [' a\nb', '|2-\n   a\n  b'],
  ];
  for (const [s, want] of expect) t.equal(yamlValue(s, '  '), want, JSON.stringify(s));
});

t.test(`${RANDOM_LOCKS} random adversarial lockfiles: byte-identical, and yaml reads them back`, async (t) => {
  let identical = 0;
  let readBack = 0;
  let lossyWhitespace = 0;
  const mismatches: number[] = [];
  const unreadable: string[] = [];
  const seen = { literalBlock: 0, keepChomp: 0, stripChomp: 0, indentIndicator: 0, explicitKey: 0, singleQuoted: 0, escaped: 0, emptyList: 0, emptyMap: 0 };
  for (let seed = 1; seed <= RANDOM_LOCKS; seed++) {
    const lock = randomLockfile(seededRandom(seed));
    const text = emitLockYaml(lock);
    if (LOCK_HEADER + text === oracleSerialize(lock)) identical++;
    else mismatches.push(seed);
    const doc = lockfileToDocument(lock);
    const got: unknown = parse(text);
    if (isDeepStrictEqual(got, doc)) readBack++;
    else {
      const diffs = unexplainedDifferences(got, doc);
      if (diffs.length) unreadable.push(`seed ${seed}: ${diffs.slice(0, 3).join('; ')}`);
      else lossyWhitespace++;
    }
    if (/: \|/.test(text) || /- \|/.test(text)) seen.literalBlock++;
    if (/\|2?\+\n/.test(text)) seen.keepChomp++;
    if (/\|2?-\n/.test(text)) seen.stripChomp++;
    if (/\|2/.test(text)) seen.indentIndicator++;
    if (/^ *\? /m.test(text)) seen.explicitKey++;
    if (/: '|- '/.test(text)) seen.singleQuoted++;
    if (/\\u00/.test(text)) seen.escaped++;
    if (/: \[\]$/m.test(text)) seen.emptyList++;
    if (/: \{\}$/m.test(text)) seen.emptyMap++;
  }
  t.same(mismatches.slice(0, 10), [], `${identical}/${RANDOM_LOCKS} byte-identical to yaml.stringify`);
  t.same(unreadable.slice(0, 5), [], `${readBack} read back exactly, ${lossyWhitespace} differ only where yaml's own output loses whitespace-only lines`);
  t.equal(readBack + lossyWhitespace, RANDOM_LOCKS);
  for (const [branch, n] of Object.entries(seen)) t.ok(n >= 20, `the corpus exercises ${branch} (${n} locks)`);
  t.comment(`random corpus: ${identical} identical, ${readBack} exact read-backs, ${lossyWhitespace} yaml whitespace losses; branches ${JSON.stringify(seen)}`);
});

t.test('build closures on sdist entries: fixtures and 2,000 random locks, byte-identical and read back', async (t) => {
  const withBuild = tinyLock(false);
  withBuild.packages[0]!.files[0]!.build = {
    'linux-x86_64-py3.10': [
      { name: 'setuptools', version: '75.1.0', file: 'setuptools-75.1.0-py3-none-any.whl' },
      { name: 'wheel', version: '0.44.0', file: 'wheel-0.44.0-py3-none-any.whl' },
    ],
    'empty-closure': [],
  };
  const emptyBuild = tinyLock(false);
  emptyBuild.packages[0]!.files[0]!.build = {};
  const fixtures: [string, Lockfile][] = [
    ['tiny with a closure', withBuild],
    ['tiny with an empty build record', emptyBuild],
    ['realistic 120 packages × 4 profiles with sdists', withRealisticBuilds(realisticLockfile(120, ['linux-x86_64-py3.11', 'windows-amd64-py3.11', 'macosx-arm64-py3.12', '3.10']))],
  ];
  for (const [name, lock] of fixtures) {
    const text = serializeLockfile(lock);
    t.equal(text, oracleSerialize(lock), `${name}: same bytes`);
    t.same(parse(text), lockfileToDocument(lock), `${name}: reads back`);
  }
  t.match(serializeLockfile(withBuild), /\n {8}profiles:\n {10}- linux-x86_64-py3.10\n {8}build:\n {10}linux-x86_64-py3.10:\n {12}- name: setuptools\n {14}version: 75.1.0\n/);
  const n = 2000;
  const { identical, exact, marked: withClosures } = randomCorpus(t, n, (seed) => withRandomBuilds(randomLockfile(seededRandom(seed)), seededRandom(seed + 1_000_000)), (lock) =>
    lock.packages.some((p) => p.files.some((f) => f.build && Object.keys(f.build).length)),
  );
  t.equal(identical, n, `${n} random locks with build records byte-identical`);
  t.equal(exact, n, 'and read back');
  t.ok(withClosures > n / 3, `${withClosures} of them have non-empty closures`);
});

t.test('the index of each package (several indexes): fixtures and 2,000 random locks, byte-identical and read back', async (t) => {
  const two = tinyLock(false);
  two.packages[0]!.index = 'http://pypi.internal/simple/';
  const realistic = realisticLockfile(60, ['linux-x86_64-py3.11', 'windows-amd64-py3.11']);
  realistic.packages.forEach((p, i) => (p.index = i % 3 ? 'http://pypi.internal/simple/' : 'https://pypi.org/simple/'));
  for (const [name, lock] of [['tiny', two], ['realistic 60 packages from two indexes', realistic]] as const) {
    const text = serializeLockfile(lock);
    t.equal(text, oracleSerialize(lock), `${name}: same bytes`);
    t.same(parse(text), lockfileToDocument(lock), `${name}: reads back`);
  }
  t.match(serializeLockfile(two), /\n {2}- name: idna\n {4}version: "1\.0"\n {4}index: http:\/\/pypi\.internal\/simple\/\n {4}files:\n/, 'name, version, index, files');
  const n = 2000;
  const { identical, exact, marked: withIndex } = randomCorpus(t, n, (seed) => withRandomIndexes(randomLockfile(seededRandom(seed)), seededRandom(seed + 2_000_000)), (lock) => lock.packages.some((p) => p.index !== undefined));
  t.equal(identical, n, `${n} random locks with package indexes byte-identical`);
  t.equal(exact, n, 'and read back');
  t.ok(withIndex > n / 3, `${withIndex} of them name an index`);
});

t.test('random strings one at a time, in every value and key position', async (t) => {
  const rand = seededRandom(2024);
  let identical = 0;
  const n = 3000;
  for (let i = 0; i < n; i++) {
    const s = adversarialString(rand);
    const lock = tinyLock(false);
    lock.index = s;
    lock.packages[0]!.files[0]!.profiles = [s, 'x'];
    lock.jobs.talos!.profiles['linux-x86_64-py3.10']![0]!.requiredBy = [s];
    lock.profiles[s] = { platform: s, python: s, digest: s };
    lock.jobs[s] = { requires: [s], constraints: [], profiles: { [s]: [] } };
    if (serializeLockfile(lock) === oracleSerialize(lock)) identical++;
    else t.fail(`differs for ${JSON.stringify(s)}`);
  }
  t.equal(identical, n, `${n} strings in every position`);
});

t.test('numbers: file sizes as yaml writes them', async (t) => {
  for (const size of [0, 1, 46, 2 ** 31, 2 ** 53 - 1, 1e21, 1.5, -1, -0, NaN, Infinity, -Infinity]) {
    const lock = tinyLock(false);
    lock.packages[0]!.files[0]!.size = size;
    t.equal(serializeLockfile(lock), oracleSerialize(lock), String(size));
  }
});

t.test('a `__proto__` profile or job name is written like any other (the generic writer dropped or mangled it)', async (t) => {
  // Unreachable from a config (names match ^[A-Za-z0-9][A-Za-z0-9._-]*$), so not a byte-identity concern: the old
  // writer copied records by assignment, where `__proto__` replaced the prototype instead of adding an entry.
  const lock = tinyLock(false);
  const profile = { platform: 'p', python: '3.12', digest: 'd' };
  Object.defineProperty(lock.profiles, '__proto__', { value: profile, enumerable: true, writable: true, configurable: true });
  const text = emitLockYaml(lock);
  t.match(text, /\n {2}__proto__:\n {4}platform: p\n/);
  t.same(Object.getOwnPropertyDescriptor((parse(text) as { profiles: object }).profiles, '__proto__')?.value, profile);
});
