import t from 'tap';
import { PyindexError } from '../../src/errors/index.js';
import { evaluateMarker, markerToString } from '../../src/pep/markers.js';
import { parseRequirement, requirementToString, type Requirement } from '../../src/pep/requirement.js';
import { ENVIRONMENTS, corpusRequirements, generateRequirements, packaging21Python, packaging24Python } from '../helpers/pep508-gen.js';
import { runPythonJson } from '../helpers/python.js';

const roundTrip = (text: string) => requirementToString(parseRequirement(text));

t.test('PEP 508 examples', async (t) => {
  t.equal(roundTrip('A'), 'A');
  t.equal(roundTrip('A.B-C_D'), 'A.B-C_D');
  t.equal(roundTrip('aa'), 'aa');
  t.equal(roundTrip('name<=1'), 'name<=1');
  t.equal(roundTrip('name>=3'), 'name>=3');
  t.equal(roundTrip('name>=3,<2'), 'name<2,>=3');
  t.equal(
    roundTrip("name[quux, strange];python_version<'2.7' and platform_version=='2'"),
    'name[quux,strange]; python_version < "2.7" and platform_version == "2"',
  );
  t.equal(roundTrip("name; os_name=='a' or os_name=='b'"), 'name; os_name == "a" or os_name == "b"');
  t.equal(roundTrip("name; os_name=='a' and (os_name=='b' or os_name=='c')"), 'name; os_name == "a" and (os_name == "b" or os_name == "c")');
  t.equal(roundTrip("name; (os_name=='a' or os_name=='b') and os_name=='c'"), 'name; (os_name == "a" or os_name == "b") and os_name == "c"');
  t.throws(() => parseRequirement('name@http://foo.com'), { code: 'E_URL_REQUIREMENT' });
  t.throws(() => parseRequirement("name [fred,bar] @ http://foo.com ; python_version=='2.7'"), { code: 'E_URL_REQUIREMENT' });
});

t.test('fields: name and extras as written, extras de-duplicated and sorted, specifier set, marker', async (t) => {
  const req: Requirement = parseRequirement('Foo.Bar [ security , Socks, security ] >= 2.0 , < 3 ; python_version >= "3.8"');
  t.equal(req.name, 'Foo.Bar');
  t.same(req.extras, ['Socks', 'security']);
  t.equal(req.specifier.toString(), '<3,>=2.0');
  t.ok(req.specifier.contains('2.5'));
  t.equal(req.marker && markerToString(req.marker), 'python_version >= "3.8"');
  t.ok(req.marker && evaluateMarker(req.marker, ENVIRONMENTS['linux-cp311']!));
  const bare = parseRequirement('requests');
  t.same(bare.extras, []);
  t.ok(bare.specifier.isEmpty);
  t.equal(bare.marker, undefined);
  t.same(parseRequirement('a[]').extras, []);
});

t.test('the old parenthesised specifier form from PyPI metadata', async (t) => {
  t.equal(roundTrip('python-dateutil (>=2.7.3)'), 'python-dateutil>=2.7.3');
  t.equal(roundTrip("hacking (!=0.13.0,<0.14,>=0.12.0) ; extra == 'test'"), 'hacking!=0.13.0,<0.14,>=0.12.0; extra == "test"');
  t.equal(roundTrip('a ( == 1.0 )'), 'a==1.0');
  t.equal(roundTrip('a()'), 'a');
  t.equal(roundTrip('pyblake2 ; (python_version < "3.6" and platform_python_implementation == "CPython") and extra == \'with-blake2\''),
    'pyblake2; (python_version < "3.6" and platform_python_implementation == "CPython") and extra == "with-blake2"');
});

t.test('specifier details packaging accepts', async (t) => {
  t.equal(roundTrip('a >= 1.0, '), 'a>=1.0', 'a trailing comma is ignored');
  t.equal(roundTrip('a==1.*'), 'a==1.*');
  t.equal(roundTrip('a==1.0+local'), 'a==1.0+local');
  t.equal(roundTrip('a~=1.4.2'), 'a~=1.4.2');
  t.equal(roundTrip('a===foo;os_name=="x"'), 'a===foo; os_name == "x"');
  t.equal(roundTrip('a>=v1.0'), 'a>=v1.0');
  t.equal(roundTrip('a_ >=1'), 'a_>=1', 'packaging 24.1 accepts a name ending in "_" (its IDENTIFIER token ends at a word boundary)');
  t.equal(roundTrip('a\n'), 'a', 'one trailing newline, as Python\'s $ allows');
  t.equal(roundTrip(' \tA [x] '), 'A[x]');
});

t.test('invalid requirements: E_INVALID_REQUIREMENT quoting the input, column, hint', async (t) => {
  const cases: [string, number, RegExp][] = [
    ['', 1, /expected package name at the start/],
    ['-a', 1, /expected package name/],
    ['aé', 1, /expected package name/],
    ['a b', 3, /expected end or semicolon \(after name and no valid version specifier\)/],
    ['a>=1.0.*', 8, /\.\* suffix can only be used with `==` or `!=`/],
    ['a<=1.0+loc', 7, /local version label can only be used with `==` or `!=`/],
    ['a~=1', 2, /expected end or semicolon/],
    ['a (==1.0', 9, /expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after version specifier/],
    ['a[b c]', 5, /expected comma between extra names/],
    ['a[b,]', 5, /expected extra name after comma/],
    ['a[b', 4, /expected matching RIGHT_BRACKET/],
    ['a==1.0 ;', 9, /expected a marker variable or quoted string/],
    ['a==1.0; os_name == "x" junk', 24, /expected end of dependency specifier/],
    ['a == 1.0 os_name', 10, /expected end or semicolon \(after version specifier\)/],
    ['a==1.0 # comment', 8, /expected end or semicolon/],
    ['a; foo == "1"', 4, /expected a marker variable or quoted string/],
  ];
  for (const [text, column, reason] of cases) {
    const err = t.throws(() => parseRequirement(text), { code: 'E_INVALID_REQUIREMENT' }, text) as unknown as PyindexError;
    t.match(err.message, JSON.stringify(text), 'quotes the input');
    t.match(err.message, reason, text);
    t.equal(err.details.column, column, `column of ${JSON.stringify(text)}`);
    t.match(err.hint, /name\[extra1,extra2\]>=1\.0,<2/, 'hint shows a valid requirement');
  }
});

t.test('direct URL requirements are refused with a hint to publish to the index', async (t) => {
  for (const text of ['pkg @ https://example.com/pkg-1.0.tar.gz', 'pkg@file:///tmp/pkg', 'pkg[x] @ git+https://h/r.git ; python_version > "3"']) {
    const err = t.throws(() => parseRequirement(text), { code: 'E_URL_REQUIREMENT' }) as unknown as PyindexError;
    t.match(err.message, JSON.stringify(text));
    t.match(err.hint, /publish pkg to the index/);
  }
  // A malformed URL requirement is a syntax error, as for packaging.
  t.throws(() => parseRequirement('pkg @ '), { code: 'E_INVALID_REQUIREMENT' });
  t.throws(() => parseRequirement('pkg @ https://x ;'), { code: 'E_INVALID_REQUIREMENT' });
  t.throws(() => parseRequirement('pkg @ https://x;os_name=="a"'), { code: 'E_URL_REQUIREMENT' }, 'packaging reads ";os_name==..." as part of the URL');
});

t.test('a marker error inside a requirement is E_INVALID_REQUIREMENT', async (t) => {
  t.throws(() => parseRequirement('a; os_name = "x"'), { code: 'E_INVALID_REQUIREMENT' });
  t.throws(() => parseRequirement('a; (os_name == "x"'), { code: 'E_INVALID_REQUIREMENT' });
});

interface Parsed {
  ok: boolean;
  url?: boolean;
  name?: string;
  extras?: string[];
  specifier?: string;
  marker?: string | null;
  str?: string;
  span?: number[] | null;
}

const ORACLE = `
import sys, json, warnings
warnings.simplefilter('ignore')
from pip._vendor.packaging import requirements as R
out = []
for text in json.load(sys.stdin):
    try:
        r = R.Requirement(text)
    except R.InvalidRequirement as e:
        out.append({'ok': False, 'span': list(e.__cause__.span) if hasattr(e.__cause__, 'span') else None})
        continue
    except Exception:
        out.append({'ok': False, 'span': None})
        continue
    if r.url:
        out.append({'ok': True, 'url': True})
        continue
    out.append({'ok': True, 'url': False, 'name': r.name, 'extras': sorted(r.extras), 'specifier': str(r.specifier),
                'marker': str(r.marker) if r.marker is not None else None, 'str': str(r)})
print(json.dumps(out))
`;

function ours(text: string): Parsed {
  try {
    const r = parseRequirement(text);
    return {
      ok: true,
      url: false,
      name: r.name,
      extras: r.extras,
      specifier: r.specifier.toString(),
      marker: r.marker ? markerToString(r.marker) : null,
      str: requirementToString(r),
    };
  } catch (err) {
    if (err instanceof PyindexError && err.code === 'E_URL_REQUIREMENT') return { ok: true, url: true };
    if (err instanceof PyindexError && err.code === 'E_INVALID_REQUIREMENT') {
      return { ok: false, span: (err.details.span as number[] | undefined) ?? null };
    }
    throw err;
  }
}

t.test('differential: corpus and generated requirements agree with packaging 24.1', { skip: packaging24Python() ? false : 'no pyenv Python 3.13.0 with pip 24.2 here' }, async (t) => {
  const python = packaging24Python() as string;
  const corpus = corpusRequirements();
  const generated = [...new Set(generateRequirements(440, 4000))];
  const inputs = [...new Set([...corpus, ...generated])];
  const theirs = runPythonJson<Parsed[]>(python, ORACLE, inputs);
  const mismatches: unknown[] = [];
  const counts = { valid: 0, invalid: 0, url: 0 };
  inputs.forEach((text, i) => {
    const want = theirs[i] as Parsed;
    const got = ours(text);
    if (!want.ok) counts.invalid++;
    else if (want.url) counts.url++;
    else counts.valid++;
    // Error spans are compared where packaging reports one.
    if (!want.ok && !got.ok && (want.span == null || JSON.stringify(want.span) === JSON.stringify(got.span))) return;
    if (JSON.stringify(want) !== JSON.stringify(got)) mismatches.push({ text, want, got });
  });
  t.comment(`${corpus.length} corpus + ${generated.length} generated = ${inputs.length} requirements: ${JSON.stringify(counts)}`);
  t.same(mismatches.slice(0, 20), [], `${mismatches.length} mismatches`);
  t.ok(corpus.length > 1000, 'the corpus was found');
});

/*
 * The same inputs through packaging 21.3 (pip 23.2.1's vendored copy under
 * 3.11.7). Its disagreements with pyindex (= packaging 24.1) fall into:
 * - "legacy-specifier": 21.3 accepts non-PEP 440 specifiers (`>=foo`) as
 *   LegacySpecifier; 22+ rejects them.
 * - "parse": 21.3's pyparsing grammar differs on a few inputs: it rejects a
 *   name ending in "_" (`x_`), a trailing comma in the specifier list, and
 *   `not  in` with two spaces; it accepts keywords glued to a variable
 *   (`'3.12' inplatform_version`) and an arbitrary `===0.9)`.
 * - "str-extra": 21.3 does not normalize `extra == "Foo_Bar"` (PEP 685 is 22+).
 * - "str-other": 21.3 prints some markers differently (doubled parentheses,
 *   undecoded backslash escapes).
 * URL requirements are refused by pyindex either way and not compared.
 */
const ORACLE_21 = `
import sys, json, warnings
warnings.simplefilter('ignore')
from pip._vendor.packaging import requirements as R, specifiers as S
out = []
for text in json.load(sys.stdin):
    try:
        r = R.Requirement(text)
    except Exception:
        out.append({'ok': False})
        continue
    legacy = any(isinstance(s, S.LegacySpecifier) for s in r.specifier)
    out.append({'ok': True, 'url': bool(r.url), 'legacy': legacy, 'str': str(r)})
print(json.dumps(out))
`;

t.test('differential: disagreements with packaging 21.3 fall into documented categories', { skip: packaging21Python() ? false : 'no pyenv Python 3.11.7 with pip 23.2.1 here' }, async (t) => {
  const python = packaging21Python() as string;
  const corpus = corpusRequirements();
  // 21.3's pyparsing grammar is slow (~1 ms a requirement): the corpus plus a smaller generated sample.
  const inputs = [...new Set([...corpus, ...generateRequirements(440, 1000)])];
  const theirs = runPythonJson<{ ok: boolean; url?: boolean; legacy?: boolean; str?: string }[]>(python, ORACLE_21, inputs);
  const categories: Record<string, number> = {};
  const corpusCategories: Record<string, number> = {};
  const unexplained: unknown[] = [];
  const corpusSet = new Set(corpus);
  inputs.forEach((text, i) => {
    const old = theirs[i];
    const mine = ours(text);
    if (!old) return;
    let category: string | undefined;
    if (old.ok && old.legacy && !mine.ok) category = 'legacy-specifier';
    else if (old.ok !== mine.ok) category = 'parse';
    else if (!old.ok || old.url || mine.url) return;
    else if (old.str === mine.str) return;
    else {
      const fold = (s: string | undefined) => s?.toLowerCase().replace(/[-_.]+/g, '-');
      category = /extra/.test(text) && fold(old.str) === fold(mine.str) ? 'str-extra' : /\(\(|\\/.test(text) ? 'str-other' : undefined;
    }
    if (category === undefined) unexplained.push({ text, old, mine });
    else {
      categories[category] = (categories[category] ?? 0) + 1;
      if (corpusSet.has(text)) corpusCategories[category] = (corpusCategories[category] ?? 0) + 1;
    }
  });
  t.comment(`packaging 21.3 vs pyindex on ${inputs.length} requirements: ${JSON.stringify(categories)}; of them in the corpus: ${JSON.stringify(corpusCategories)}`);
  t.same(unexplained.slice(0, 10), [], `${unexplained.length} disagreements outside the documented categories`);
});

t.test('a requirement text is parsed once and shared frozen', async (t) => {
  const a = parseRequirement('Shared.Name[b,a] (>=1.0,<2); python_version >= "3.8"');
  const b = parseRequirement('Shared.Name[b,a] (>=1.0,<2); python_version >= "3.8"');
  t.equal(a, b, 'the same object for the same text');
  t.ok(Object.isFrozen(a) && Object.isFrozen(a.extras), 'frozen, so no caller can change what others see');
  t.throws(() => (a.extras as string[]).push('c'), TypeError);
  t.same(a.extras, ['a', 'b']);
  t.not(parseRequirement('Shared.Name[a,b]>=1.0,<2'), a, 'another text is another entry');
  t.throws(() => parseRequirement('bad name here'), { code: 'E_INVALID_REQUIREMENT' });
  t.throws(() => parseRequirement('bad name here'), { code: 'E_INVALID_REQUIREMENT' }, 'a failure is not remembered as a success');
});
