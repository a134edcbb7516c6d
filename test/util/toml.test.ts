import t from 'tap';
import { stringifyToml, tomlSection, tomlSectionArray, tomlString, tomlValue, type TomlDocument, type TomlValue } from '../../src/util/toml.js';
import { parseTomlBatch, tomllibPython, type Tagged } from '../helpers/tomllib.js';

/** What tomllib should return for a document (sections unwrapped, integers tagged). */
function expected(v: unknown): Tagged {
  if (typeof v === 'number' || typeof v === 'bigint') return { $int: v.toString() };
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(expected);
  const o = v as Record<string | symbol, unknown>;
  if ('body' in o && Object.getOwnPropertySymbols(o).length) return expected(o.body);
  if ('items' in o && Object.getOwnPropertySymbols(o).length) return expected(o.items);
  const out: Record<string, Tagged> = {};
  for (const [k, x] of Object.entries(o)) if (x !== undefined) out[k] = expected(x);
  return out;
}

const STRINGS = [
  '',
  'plain',
  'quote " and \\ backslash',
  'tab\there',
  'new\nline',
  'carriage\rreturn',
  '\b\f',
  '\u0000nul',
  '\u0001\u001f',
  '\u007f del',
  'é ünïcødé',
  '😀 emoji (astral)',
  '\u2028 line separator',
  'trailing backslash \\',
  '"""',
  "'''single'''",
  '# not a comment',
  '\uFFFF',
  '\\u0041 not an escape',
];

const DOCS: TomlDocument[] = [
  Object.fromEntries(STRINGS.map((s, i) => [`s${i}`, s])),
  { 'a.b': 1, '': 2, 'with space': 3, ünï: 4, 'quote"key': 5, 'bare-key_1': 6, '123': 7, 'back\\slash': 8, 'new\nline': 9 },
  { zero: 0, neg: -1, n: 42, max: Number.MAX_SAFE_INTEGER, min: -Number.MAX_SAFE_INTEGER, i64max: 2n ** 63n - 1n, i64min: -(2n ** 63n), yes: true, no: false },
  { empty: [], ints: [1, 2], nested: [['a'], [], [[true]]], mixed: ['a', 1, false], tables: [{ a: 1 }, {}, { b: { c: 'd' } }] },
  { empty: {}, deep: { a: { b: { c: 'd' } } }, 'dotted.key': { 'x.y': 'z' } },
  {
    top: 'value',
    a: tomlSection({ x: 1, b: tomlSection({ y: 2, 'q.k': tomlSection({ z: 3 }) }) }),
    items: tomlSectionArray([{ n: 1, sub: tomlSectionArray([{ m: 1 }, { m: 2 }]), t: tomlSection({ k: 'v' }) }, { n: 2 }]),
    tool: tomlSection({ only: tomlSection({ sub: true }) }),
    blank: tomlSection({}),
    none: tomlSectionArray([]),
    skipped: undefined,
  },
  // A value after a section in insertion order must still land in the top table.
  { first: tomlSection({ inner: 1 }), later: 'top-level' },
];

t.test('tomllib reads back every value exactly', { skip: tomllibPython() ? false : 'no Python ≥ 3.11' }, async (t) => {
  const texts = DOCS.map((d) => stringifyToml(d, ['a comment', '', 'with\ncontrol \u0001 chars']));
  const parsed = parseTomlBatch(tomllibPython()!, texts);
  parsed.forEach((res, i) => {
    if ('error' in res) t.fail(`doc ${i} does not parse: ${res.error}\n${texts[i]!}`);
    else t.same(res.ok, expected(DOCS[i]), `doc ${i}`);
  });
});

t.test('layout: values before sections, implicit super-tables, headers quoted where needed', async (t) => {
  t.equal(
    stringifyToml(DOCS[5]!),
    `top = "value"
none = []

[a]
x = 1

[a.b]
y = 2

[a.b."q.k"]
z = 3

[[items]]
n = 1

[[items.sub]]
m = 1

[[items.sub]]
m = 2

[items.t]
k = "v"

[[items]]
n = 2

[tool.only]
sub = true

[blank]
`,
  );
  t.equal(stringifyToml({ k: 'v' }, ['hello']), '# hello\nk = "v"\n');
});

t.test('escapes', async (t) => {
  t.equal(tomlString('a"b\\c\n\t\u0000\u007f\u00e9'), '"a\\"b\\\\c\\n\\t\\u0000\\u007F\u00e9"');
  t.equal(tomlValue({ 'a b': [1, 'x'], c: {} }), '{ "a b" = [1, "x"], c = {} }');
});

t.test('values TOML cannot hold are refused', async (t) => {
  const bad: TomlValue[] = ['lone \uD800 surrogate', '\uDC00', 1.5, Number.NaN, Infinity, 2n ** 63n, -(2n ** 63n) - 1n, Number.MAX_SAFE_INTEGER + 1];
  for (const v of bad) t.throws(() => tomlValue(v), { code: 'E_INTERNAL', message: /cannot write TOML/ }, String(v));
  t.throws(() => tomlValue({ s: tomlSection({}) } as unknown as TomlValue), { code: 'E_INTERNAL', message: /section cannot be nested/ });
});
