import t from 'tap';
import { Version, compareVersions } from '../../src/pep/version.js';
import { runPythonJson } from '../helpers/python.js';
import { randomVersions } from '../helpers/pep440-corpus.js';
import { VERSION_ORACLE as ORACLE_SCRIPT, pyenvPython as python, type PyVersionResult } from '../helpers/pep440-oracle.js';

t.test('normalization follows PEP 440 "Normalization"', async (t) => {
  const cases: [string, string][] = [
    ['1.0', '1.0'],
    ['v1.0', '1.0'],
    ['V1.0', '1.0'],
    [' 1.0\n', '1.0'],
    ['1.01', '1.1'],
    ['00.0.010', '0.0.10'],
    ['1.0ALPHA1', '1.0a1'],
    ['1.1.a1', '1.1a1'],
    ['1.0a.1', '1.0a1'],
    ['1.0-beta_2', '1.0b2'],
    ['1.0c1', '1.0rc1'],
    ['1.0pre1', '1.0rc1'],
    ['1.0preview1', '1.0rc1'],
    ['1.0a', '1.0a0'],
    ['1.0-post1', '1.0.post1'],
    ['1.0post', '1.0.post0'],
    ['1.0-r4', '1.0.post4'],
    ['1.0rev4', '1.0.post4'],
    ['1.0-1', '1.0.post1'],
    ['1.0.dev', '1.0.dev0'],
    ['1.0-DEV_3', '1.0.dev3'],
    ['0!1.0', '1.0'],
    ['01!1.0', '1!1.0'],
    ['1.0+Ubuntu-1_2', '1.0+ubuntu.1.2'],
    ['1.0+001', '1.0+1'],
    ['1!2.0a1.post3.dev4+local.7', '1!2.0a1.post3.dev4+local.7'],
  ];
  for (const [input, normal] of cases) t.equal(Version.parse(input).toString(), normal, JSON.stringify(input));
});

t.test('fields, public and base_version', async (t) => {
  const v = Version.parse('1!2.03.0rc4.post5.dev6+Abc.07');
  t.equal(v.epoch, 1);
  t.same(v.release, [2, 3, 0]);
  t.same(v.pre, ['rc', 4]);
  t.equal(v.post, 5);
  t.equal(v.dev, 6);
  t.same(v.local, ['abc', 7]);
  t.equal(v.public, '1!2.3.0rc4.post5.dev6');
  t.equal(v.baseVersion, '1!2.3.0');
  t.ok(v.isPrerelease);
  t.ok(v.isDevrelease);
  t.ok(v.isPostrelease);
  const plain = Version.parse('1.0');
  t.equal(plain.pre, undefined);
  t.equal(plain.post, undefined);
  t.equal(plain.dev, undefined);
  t.equal(plain.local, undefined);
  t.notOk(plain.isPrerelease);
  t.ok(Version.parse('1.0.dev1').isPrerelease, 'a dev release is a pre-release for packaging');
  t.notOk(Version.parse('1.0.post1').isPrerelease);
  t.notOk(Version.parse('1.0+local').isPrerelease);
});

t.test('ordering: the PEP 440 example list, in order', async (t) => {
  // https://peps.python.org/pep-0440/#summary-of-permitted-suffixes-and-relative-ordering
  const ordered = [
    '1.dev0', '1.0.dev456', '1.0a1', '1.0a2.dev456', '1.0a12.dev456', '1.0a12', '1.0b1.dev456', '1.0b2',
    '1.0b2.post345.dev456', '1.0b2.post345', '1.0rc1.dev456', '1.0rc1', '1.0', '1.0+abc.5', '1.0+abc.7',
    '1.0+5', '1.0.post456.dev34', '1.0.post456', '1.0.15', '1.1.dev1',
  ];
  const shuffled = [...ordered].reverse().map((s) => Version.parse(s));
  t.same(shuffled.sort(compareVersions).map(String), ordered);
});

t.test('ordering: equality, epochs, trailing zeros and locals', async (t) => {
  const cmp = (a: string, b: string) => Math.sign(Version.parse(a).compare(Version.parse(b)));
  t.equal(cmp('1.0', '1.0.0'), 0, 'trailing zeros do not matter');
  t.ok(Version.parse('1.0').equals(Version.parse('1.0.0.0')));
  t.equal(cmp('1!0.1', '2.0'), 1, 'epoch wins over release');
  t.equal(cmp('1.0.dev0', '1.0a0'), -1, 'dev of a final sorts before its pre-releases');
  t.equal(cmp('1.0a1.dev0', '1.0a1'), -1);
  t.equal(cmp('1.0.post1.dev0', '1.0'), 1, 'a dev of a post is after the final');
  t.equal(cmp('1.0+a', '1.0'), 1, 'local sorts after public');
  t.equal(cmp('1.0+a', '1.0+1'), -1, 'alphanumeric local segments sort before numeric ones');
  t.equal(cmp('1.0+1.a', '1.0+1'), 1, 'longer local sorts after its prefix');
  t.equal(cmp('1.0+10', '1.0+9'), 1, 'numeric local segments compare numerically');
  t.equal(cmp('1.0+ABC', '1.0+abc'), 0, 'local segments are case-insensitive');
  t.equal(cmp('1.0+1-2', '1.0+1.2'), 0, 'local separators are equivalent');
  t.equal(cmp('99999999999999999999', '99999999999999999998'), 1, 'numbers beyond 2^53 stay exact');
  t.equal(Version.parse('99999999999999999999.0').toString(), '99999999999999999999.0');
});

t.test('bad input throws E_INVALID_VERSION quoting the input, with a hint', async (t) => {
  for (const bad of ['1.0.0-foo_bar', '', 'foo', '1..0', '1.0+', '1.0.*', '1!2!3', '1.0a1b1', ' v ', '1.0\ufeff']) {
    t.throws(() => Version.parse(bad), { code: 'E_INVALID_VERSION' }, JSON.stringify(bad));
    t.equal(Version.tryParse(bad), undefined);
  }
  try {
    Version.parse('1.0.0-foo_bar');
    t.fail('should throw');
  } catch (err) {
    t.match(err, { message: /"1\.0\.0-foo_bar"/, hint: /1\.0rc1/ });
  }
});

t.test('parse returns the cached instance for the same text', async (t) => {
  t.equal(Version.parse('3.2.1'), Version.parse('3.2.1'));
  t.ok(Object.isFrozen(Version.parse('3.2.1').release));
});

function ours(texts: string[]): PyVersionResult {
  const objs = texts.map((s) => Version.tryParse(s));
  const versions = objs.map((v): PyVersionResult['versions'][number] =>
    v === undefined
      ? null
      : [
          v.toString(), v.public, v.baseVersion, v.isPrerelease, v.isDevrelease, v.isPostrelease, v.epoch,
          v.release.map((x) => (Number.isSafeInteger(x) ? String(x) : 'huge')),
          v.pre ? [v.pre[0], v.pre[1]] : null, v.post ?? null, v.dev ?? null, v.local ? v.local.join('.') : null,
        ],
  );
  const order = objs.flatMap((v, i) => (v === undefined ? [] : [i])).sort((a, b) => compareVersions(objs[a] as Version, objs[b] as Version));
  const ranks: (number | null)[] = objs.map(() => null);
  let rank = -1;
  let prev: number | undefined;
  for (const i of order) {
    if (prev === undefined || compareVersions(objs[i] as Version, objs[prev] as Version) !== 0) rank++;
    ranks[i] = rank;
    prev = i;
  }
  return { versions, ranks };
}

const CORPUS = randomVersions(440, 4000);

t.test('differential: agrees with pip 24.2 vendored packaging 24.1 (Python 3.13.0)', async (t) => {
  const py = python('3.13.0');
  if (!py) return t.plan(0, 'no $(pyenv root)/versions/3.13.0/bin/python here: cannot run the packaging 24.1 oracle');
  const theirs = runPythonJson<PyVersionResult>(py, ORACLE_SCRIPT('from pip._vendor.packaging import version as V'), CORPUS);
  const mine = ours(CORPUS);
  const mismatches: { input: string; ours: unknown; theirs: unknown }[] = [];
  CORPUS.forEach((input, i) => {
    const a = JSON.stringify([mine.versions[i], mine.ranks[i]]);
    const b = JSON.stringify([theirs.versions[i], theirs.ranks[i]]);
    if (a !== b) mismatches.push({ input, ours: JSON.parse(a), theirs: JSON.parse(b) });
  });
  const valid = theirs.versions.filter((v) => v !== null).length;
  t.same(mismatches.slice(0, 10).map((m) => JSON.stringify(m)), [], 'first mismatches');
  t.equal(mismatches.length, 0, 'mismatch count');
  t.comment(`packaging 24.1: ${CORPUS.length} version strings (${valid} valid, ${CORPUS.length - valid} invalid), ` +
    `${new Set(theirs.ranks.filter((r) => r !== null)).size} distinct versions, ordering agrees on all ${(valid * (valid - 1)) / 2} pairs`);
});

/*
 * pip 23.x and older vendor packaging 21.3, whose `Version` class follows the
 * same PEP 440 grammar and `_cmpkey`. Its one difference is outside
 * `Version`: `packaging.version.parse()` returned a LegacyVersion for any
 * non-PEP 440 string (sorting before every real version) instead of
 * raising. pyindex, like packaging ≥ 22, rejects those strings, so the
 * comparison below covers the strings 21.3's `Version()` accepts and only
 * counts the legacy ones.
 */
t.test('differential: agrees with pip-vendored packaging 21.3 (Python 3.11.7) outside LegacyVersion', async (t) => {
  const py = python('3.11.7');
  if (!py) return t.plan(0, 'no $(pyenv root)/versions/3.11.7/bin/python here: cannot run the packaging 21.3 oracle');
  const theirs = runPythonJson<PyVersionResult & { legacy: number }>(
    py,
    `${ORACLE_SCRIPT('from pip._vendor.packaging import version as V')}`.replace(
      'print(json.dumps(out))',
      "out['legacy'] = sum(1 for s in data if isinstance(V.parse(s), V.LegacyVersion))\nprint(json.dumps(out))",
    ),
    CORPUS,
  );
  const mine = ours(CORPUS);
  const mismatches = CORPUS.filter((_, i) => JSON.stringify([mine.versions[i], mine.ranks[i]]) !== JSON.stringify([theirs.versions[i], theirs.ranks[i]]));
  t.same(mismatches, [], 'no disagreement on PEP 440 strings');
  t.comment(`packaging 21.3: ${CORPUS.length} version strings; ${theirs.legacy} are LegacyVersion there (rejected by pyindex and packaging ≥ 22), the rest agree`);
});
