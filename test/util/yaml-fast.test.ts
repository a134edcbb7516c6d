/**
 * Differential test of the fast YAML reader against `yaml` itself: for any
 * text it returns what `yaml` parses (YAML 1.2 core schema, toJS) or
 * undefined — never a different value, and never a value where `yaml`
 * reports an error. Checked on emitted lockfiles (which it must read
 * without falling back: that is its reason to exist), the built-in profiles,
 * hand-picked edge cases, and seeded random documents built from
 * adversarial atoms.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import t from 'tap';
import { parseDocument } from 'yaml';
import { serializeLockfile } from '../../src/lock/write.js';
import { packageRoot } from '../../src/util/package-root.js';
import { parseSimpleYaml } from '../../src/util/yaml-fast.js';
import { ATOMS, adversarialString, randomLockfile, realisticLockfile, seededRandom, type Rand } from '../helpers/lock-gen.js';
import { withRandomBuilds, withRealisticBuilds } from '../helpers/lock-gen-build.js';

/** 'read': same value as yaml; 'bail': undefined; 'error': yaml rejects it (so must we). */
function judge(text: string): { verdict: 'read' | 'bail' | 'error'; ok: boolean; fast: unknown; oracle: unknown } {
  const fast = parseSimpleYaml(text);
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length) return { verdict: 'error', ok: fast === undefined, fast, oracle: doc.errors[0]?.message };
  let oracle: unknown;
  try {
    oracle = doc.toJS();
  } catch (err) {
    // e.g. an alias before its anchor: an error at conversion time
    return { verdict: 'error', ok: fast === undefined, fast, oracle: String(err) };
  }
  if (fast === undefined) return { verdict: 'bail', ok: true, fast, oracle };
  return { verdict: 'read', ok: isDeepStrictEqual(fast, oracle), fast, oracle };
}

/** Where two parse results first differ, with the text around it, for a failure message. */
function firstDifference(text: string, fast: unknown, oracle: unknown, path = ''): string {
  if (fast && oracle && typeof fast === 'object' && typeof oracle === 'object') {
    const f = fast as Record<string, unknown>;
    const o = oracle as Record<string, unknown>;
    for (const k of new Set([...Object.keys(f), ...Object.keys(o)])) {
      if (!isDeepStrictEqual(f[k], o[k])) return firstDifference(text, f[k], o[k], `${path}/${k}`);
    }
  }
  return `${path}: fast ${JSON.stringify(fast)} yaml ${JSON.stringify(oracle)}`;
}

t.test('emitted lockfiles are read without yaml, to the same value', async (t) => {
  const texts = [serializeLockfile(withRealisticBuilds(realisticLockfile(120, ['linux-x86_64-py3.11', 'windows-amd64-py3.12', 'macos-arm64-py3.9'])))];
  let read = 0;
  for (const text of texts) {
    const r = judge(text);
    t.equal(r.verdict, 'read', 'a realistic lockfile is in the subset');
    t.ok(r.ok, 'and reads to what yaml reads');
    if (r.verdict === 'read') read++;
  }
  // Random lockfiles with adversarial strings everywhere: whatever is read must match.
  const rand = seededRandom(4242);
  const mismatches: string[] = [];
  let randomRead = 0;
  for (let i = 0; i < 400; i++) {
    const text = serializeLockfile(withRandomBuilds(randomLockfile(rand), rand));
    const r = judge(text);
    if (!r.ok) mismatches.push(firstDifference(text, r.fast, r.oracle));
    if (r.verdict === 'read') randomRead++;
  }
  t.same(mismatches.slice(0, 3), [], 'no random lockfile read differently from yaml');
  t.ok(randomRead > 0, `some random lockfiles are read (${randomRead} of 400)`);
  t.equal(read, texts.length);
});

t.test('built-in profiles: read, and the same as yaml', async (t) => {
  const dir = join(packageRoot(), 'profiles');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  t.ok(files.length > 10, 'profiles found');
  let bad = 0;
  let unread = 0;
  for (const f of files) {
    const r = judge(readFileSync(join(dir, f), 'utf8'));
    if (!r.ok) bad++;
    if (r.verdict !== 'read') unread++;
  }
  t.equal(bad, 0, 'none differs');
  t.equal(unread, 0, 'all are in the subset');
});

t.test('edge cases', async (t) => {
  const read: [string, unknown][] = [
    ['a: 1\nb: -20\nc: true\nd: False\ne: ~\nf:\ng: null\n', { a: 1, b: -20, c: true, d: false, e: null, f: null, g: null }],
    ['a: "x\\"y\\\\z\\u00e9\\n"\nb: \'it\'\'s\'\n', { a: 'x"y\\zé\n', b: "it's" }],
    ['k: v # comment\n# whole line\nl: "v" # c\nm: a#b\n', { k: 'v', l: 'v', m: 'a#b' }],
    ['list:\n- a\n- b\nother: []\nempty: {}\n', { list: ['a', 'b'], other: [], empty: {} }],
    ['list:\n  - name: x\n    v: "1.0"\n  - name: y\n  -\n  - - \n', undefined],
    ['- a: 1\n  b: 2\n- c\n-\n  d: 3\n', [{ a: 1, b: 2 }, 'c', { d: 3 }]],
    ['"quoted key": 1\n\'single\': 2\nurl: http://x/y?a=b#f\n', { 'quoted key': 1, single: 2, url: 'http://x/y?a=b#f' }],
    ['req: urllib3<3,>=1.21.1; python_version >= "3.8"\n', { req: 'urllib3<3,>=1.21.1; python_version >= "3.8"' }],
    ['profiles:\n  linux: { platform: linux-x86_64, python: "3.11" }\njobs: {b: {requires: ["x>=1", y], profiles: [linux]}} # c\n', { profiles: { linux: { platform: 'linux-x86_64', python: '3.11' } }, jobs: { b: { requires: ['x>=1', 'y'], profiles: ['linux'] } } }],
  ];
  for (const [text, want] of read) {
    const r = judge(text);
    t.ok(r.ok, `consistent with yaml: ${JSON.stringify(text)}`);
    if (want !== undefined) t.same(parseSimpleYaml(text), want, `read: ${JSON.stringify(text)}`);
  }
  const bails = [
    'a: 1.5\n', // float
    'a: 0x1F\n',
    'a: &x 1\nb: *x\n',
    'a: !!str 1\n',
    'a: |\n  text\n',
    'a: >\n  text\n',
    'a: [1, 2.5]\n',
    'a: {b: 1, b: 2}\n',
    'a: [x,\n  y]\n',
    'a: [x #c]\n',
    'a: multi\n  line\n',
    'a: "open\n  quote"\n',
    'a: 1\na: 2\n', // duplicate key: yaml errors
    '---\na: 1\n',
    'a:\tb\n',
    'a: b: c\n',
    '1: x\n',
    'true: x\n',
    '<<: x\n',
    '__proto__: x\n',
    '  a: 1\n',
    'a:\n    b: 1\n  c: 2\n',
    'just a scalar\n',
    '',
    'a: 1\r\nb: 2\r\n',
    'a: "\\e"\n',
  ];
  for (const text of bails) {
    const r = judge(text);
    t.ok(r.ok, `consistent with yaml: ${JSON.stringify(text)}`);
    t.equal(parseSimpleYaml(text), undefined, `left to yaml: ${JSON.stringify(text)}`);
  }
});

/**
 * A random block document: keys and values from the adversarial atoms,
 * plain or quoted; each line's indentation follows the one before (deeper
 * after an opener, else an enclosing level), with an occasional stray indent.
 */
function randomDocument(rand: Rand): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const word = (): string => {
    const s = rand() < 0.6 ? pick(['name', 'version', 'files', 'a', 'b-c', 'x_y', 'url', 'k', '-20', '7', 'true', 'x y']) : rand() < 0.5 ? pick(ATOMS) : adversarialString(rand);
    const r = rand();
    if (r < 0.15) return JSON.stringify(s);
    if (r < 0.25) return `'${s.replace(/'/g, "''")}'`;
    return s;
  };
  const flow = (): string => {
    const r = rand();
    if (r < 0.3) return pick(['[a, "b"]', '{k: v, "q": 1}', '[[a], {b: c}]', '[a, b', '{a: 1, a: 2}', '[a #c]', '[ ]', '{a, b}', '[a,]', '[-1, 2.5]', '{x: [y]}', '[a]x', '{a:b}', '{"a":b}', '[a: b]', '[? a]', '{ k : v }']);
    if (r < 0.65) return `[${Array.from({ length: Math.floor(rand() * 4) }, word).join(pick([', ', ',', ' , ']))}]`;
    return `{${Array.from({ length: Math.floor(rand() * 4) }, () => `${word()}: ${rand() < 0.2 ? flow() : word()}`).join(', ')}}`;
  };
  const lines: string[] = [];
  const levels = [0];
  let opened = false;
  const n = 1 + Math.floor(rand() * 12);
  for (let i = 0; i < n; i++) {
    let indent: number;
    if (rand() < 0.05) indent = pick([1, 3, 5]);
    else if (opened && rand() < 0.7) indent = (levels[levels.length - 1] as number) + pick([2, 2, 4, 0]);
    else indent = pick(levels);
    while ((levels[levels.length - 1] as number) > indent) levels.pop();
    if ((levels[levels.length - 1] as number) < indent) levels.push(indent);
    const pad = ' '.repeat(indent);
    const form = rand();
    opened = false;
    if (form < 0.35) lines.push(`${pad}${word()}: ${word()}`);
    else if (form < 0.5) {
      lines.push(`${pad}${word()}:`);
      opened = true;
    } else if (form < 0.65) lines.push(`${pad}- ${word()}`);
    else if (form < 0.8) lines.push(`${pad}- ${word()}: ${word()}`);
    else if (form < 0.85) {
      lines.push(`${pad}-`);
      opened = true;
    } else if (form < 0.9) lines.push(`${pad}# ${word()}`);
    else if (form < 0.93) lines.push('');
    else if (form < 0.96) lines.push(`${pad}${word()}: ${pick(['[]', '{}', '[] # c', '"a" # c', 'x # c', '1', '-5', 'null', '~', ''])}`);
    else lines.push(`${pad}${pick(['', '- ', 'k: '])}${flow()}`);
  }
  return lines.join('\n') + (rand() < 0.8 ? '\n' : '');
}

t.test('seeded random documents: read the same as yaml, or left to it', async (t) => {
  const rand = seededRandom(99);
  const verdicts = { read: 0, bail: 0, error: 0 };
  const wrong: string[] = [];
  for (let i = 0; i < 15000; i++) {
    const text = randomDocument(rand);
    const r = judge(text);
    verdicts[r.verdict]++;
    if (!r.ok && wrong.length < 5) wrong.push(`${JSON.stringify(text)} → fast ${JSON.stringify(r.fast)}, yaml ${JSON.stringify(r.oracle)}`);
  }
  t.same(wrong, [], 'no document read differently, none read where yaml errs');
  t.ok(verdicts.read > 1000, `many are read, not just left to yaml (${JSON.stringify(verdicts)})`);
});
