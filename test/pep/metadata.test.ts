import t from 'tap';
import { parseCoreMetadata, parseEmailHeaders, requiresDistIsDynamic } from '../../src/pep/metadata.js';
import { runPythonJson } from '../helpers/python.js';
import { packaging241Python } from '../helpers/packaging-oracle.js';

const PKG_INFO_10 = `Metadata-Version: 1.0
Name: python-dateutil
Version: 2.8.1
Summary: Extensions to the standard Python datetime module
License: Dual License
Description: dateutil - powerful extensions to datetime
        ========================================
        
       |    indented line
        last
Platform: UNKNOWN
`;

t.test('parses the fields of a 2.4 METADATA file', async (t) => {
  const text = [
    'Metadata-Version: 2.4',
    'Name: Foo.Bar',
    'Version: 1.0.post1',
    'summary: A thing',
    'License-Expression: MIT OR Apache-2.0',
    'License-File: LICENSE',
    'License-File: NOTICE',
    'Requires-Python: >=3.8,<4',
    'Requires-Dist: requests (>=2.0)',
    'Requires-Dist: pytest>=7; extra == "Test"',
    'Provides-Extra: Test',
    'Dynamic: Requires-Dist',
    'Description-Content-Type: text/markdown',
    '',
    '# Foo',
    '',
    'body text',
    '',
  ].join('\r\n');
  const m = parseCoreMetadata(text, 'foo_bar-1.0.post1.dist-info/METADATA');
  t.equal(m.metadataVersion, '2.4');
  t.equal(m.name, 'Foo.Bar');
  t.equal(m.canonicalName, 'foo-bar');
  t.equal(m.version.toString(), '1.0.post1');
  t.equal(m.summary, 'A thing', 'field names are case-insensitive');
  t.equal(m.licenseExpression, 'MIT OR Apache-2.0');
  t.same(m.licenseFiles, ['LICENSE', 'NOTICE']);
  t.equal(m.requiresPython?.toString(), '<4,>=3.8');
  t.same(m.requiresDist.map((r) => [r.name, r.specifier.toString(), r.marker !== undefined]), [
    ['requests', '>=2.0', false],
    ['pytest', '>=7', true],
  ]);
  t.same(m.providesExtra, ['Test']);
  t.same(m.dynamic, ['Requires-Dist']);
  t.equal(m.description, '# Foo\r\n\r\nbody text\r\n');
  t.same(m.raw.get('license-file'), ['LICENSE', 'NOTICE']);
  t.ok(requiresDistIsDynamic(m));
});

t.test('1.0 PKG-INFO: Description with continuation lines', async (t) => {
  const m = parseCoreMetadata(PKG_INFO_10, 'python-dateutil-2.8.1/PKG-INFO');
  t.equal(m.description, 'dateutil - powerful extensions to datetime\n========================================\n\n    indented line\nlast');
  t.same(m.requiresDist, []);
  t.equal(m.requiresPython, undefined);
  t.ok(requiresDistIsDynamic(m), 'before 2.2 nothing is promised static');
});

t.test('requiresDistIsDynamic trusts 2.2+ metadata that does not list Requires-Dist', async (t) => {
  const base = 'Name: a\nVersion: 1\n';
  t.notOk(requiresDistIsDynamic(parseCoreMetadata(`Metadata-Version: 2.2\n${base}`)));
  t.notOk(requiresDistIsDynamic(parseCoreMetadata(`Metadata-Version: 2.3\n${base}Dynamic: License\n`)));
  t.ok(requiresDistIsDynamic(parseCoreMetadata(`Metadata-Version: 2.2\n${base}Dynamic: requires-dist\n`)));
  t.ok(requiresDistIsDynamic(parseCoreMetadata(`Metadata-Version: 2.1\n${base}`)));
});

t.test('broken metadata throws E_INVALID_METADATA naming the source and line', async (t) => {
  t.throws(() => parseCoreMetadata('Metadata-Version: 2.1\nVersion: 1.0\n', 'x/PKG-INFO'), { code: 'E_INVALID_METADATA', message: /x\/PKG-INFO: the required field Name/ });
  t.throws(() => parseCoreMetadata('Metadata-Version: 2.1\nName: x\n', 'x/PKG-INFO'), { code: 'E_INVALID_METADATA', message: /Version is missing/ });
  t.throws(() => parseCoreMetadata('Name: x\nVersion: banana\n', 'M'), { code: 'E_INVALID_METADATA', message: /M, line 2: Version "banana"/ });
  t.throws(() => parseCoreMetadata('Name: x\nVersion: 1\nRequires-Dist: ok\nRequires-Dist: bad >= >=\n', 'a.whl/METADATA'), {
    code: 'E_INVALID_METADATA',
    message: /a\.whl\/METADATA, line 4: Requires-Dist "bad >= >="/,
  });
  t.throws(() => parseCoreMetadata('Metadata-Version: 3.0\nName: x\nVersion: 1\n'), { code: 'E_INVALID_METADATA', message: /newer/ });
  t.throws(() => parseCoreMetadata('Name: x\nVersion: 1\nRequires-Dist: foo @ https://example.invalid/foo.whl\n', 'M'), { code: 'E_URL_REQUIREMENT', message: /M, line 3/ });
});

t.test('an invalid Requires-Python is ignored with a warning, like pip', async (t) => {
  const m = parseCoreMetadata('Name: x\nVersion: 1\nRequires-Python: >=3.6.*\n', 'M');
  t.equal(m.requiresPython, undefined);
  t.match(m.warnings, [/M, line 3: ignoring invalid Requires-Python/]);
});

t.test('email header quirks', async (t) => {
  const { headers, body } = parseEmailHeaders('From nobody\nA: 1\n  2\n:x\nB:\tv  \nnot a header\nC: 3\n');
  t.same(headers.map((h) => [h.name, h.value, h.line]), [
    ['a', '1\n  2', 2],
    ['b', 'v  ', 5],
  ]);
  t.equal(body, 'not a header\nC: 3\n', 'the first non-header line starts the body');
});

/** Seeded generator of metadata texts exercising the header grammar. */
function generateTexts(count: number): string[] {
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((seed / 2 ** 31) * n);
  };
  const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)] as T;
  const fieldNames = ['Requires-Dist', 'requires-dist', 'REQUIRES-DIST', 'Provides-Extra', 'Dynamic', 'Requires-Python', 'Summary', 'License', 'X-Custom', 'Description'];
  const values: Record<string, string[]> = {
    'requires-dist': ['requests', 'requests (>=2.0,<3)', 'a[b,c]>=1; python_version < "3.8"', 'pytest ; extra == "test"', 'bad >= >=', 'x (==1.*)', 'foo;extra=="a-b"', ' spaced >=1 ', 'über'],
    'provides-extra': ['test', 'Dev_Tools', 'a.b'],
    dynamic: ['Requires-Dist', 'license', 'Provides-Extra'],
    'requires-python': ['>=3.8', '>=2.7, !=3.0.*', '~=3.9', 'bogus'],
    summary: ['Hello', 'Ünïcödé summary', 'a: b: c', ''],
    license: ['MIT', 'Line one'],
    'x-custom': ['whatever'],
    description: ['short', 'first'],
  };
  const eols = ['\n', '\r\n', '\r'];
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const eol = pick(eols);
    const lines: string[] = [`Metadata-Version: ${pick(['1.0', '1.1', '1.2', '2.1', '2.2', '2.3', '2.4'])}`, `${pick(['Name', 'name', 'NAME'])}:${pick([' ', '', '\t', '  '])}${pick(['foo', 'Foo.Bar', 'x_y'])}`, `Version: ${pick(['1.0', '2.0rc1', '1!2', ' 3.0 '])}`];
    const n = rnd(8);
    for (let i = 0; i < n; i++) {
      const f = pick(fieldNames);
      let v = pick(values[f.toLowerCase()] ?? ['v']);
      if (rnd(6) === 0) v += `${eol}${pick([' ', '\t', '        ', '       |'])}${pick(['continued', 'more: text', ''])}`;
      lines.push(`${f}: ${v}`);
    }
    if (rnd(4) === 0) lines.push(`  stray continuation`);
    let text = lines.join(eol) + eol;
    const tail = rnd(4);
    if (tail === 1) text += `${eol}Body line 1${eol}${eol}  indented${eol}Requires-Dist: not a header${eol}`;
    if (tail === 2) text += `no blank line before this body${eol}more`;
    out.push(text);
  }
  return out;
}

const python = packaging241Python();
t.test('agrees with email.parser (compat32) + packaging on generated texts', { skip: python ? false : 'no Python here' }, async (t) => {
  if (!python) return;
  const texts = generateTexts(1500);
  type Py = { fields: Record<string, string[]>; payload: string; version: string | null; reqOk: boolean[] };
  const theirs = runPythonJson<Py[]>(python, `
import sys, json, email.parser, email.policy
from pip._vendor.packaging import version as V, requirements as R
FIELDS = ['metadata-version', 'name', 'version', 'requires-dist', 'requires-python', 'provides-extra', 'dynamic', 'summary', 'license', 'description', 'x-custom']
out = []
for text in json.load(sys.stdin):
    msg = email.parser.Parser(policy=email.policy.compat32).parsestr(text)
    fields = {f: [str(v) for v in (msg.get_all(f) or [])] for f in FIELDS}
    try:
        version = str(V.Version(msg['Version']))
    except Exception:
        version = None
    reqOk = []
    for r in fields['requires-dist']:
        try:
            R.Requirement(r); reqOk.append(True)
        except Exception:
            reqOk.append(False)
    out.append({"fields": fields, "payload": msg.get_payload(), "version": version, "reqOk": reqOk})
print(json.dumps(out))`, texts);
  const mismatches: string[] = [];
  let parsedOk = 0;
  let rejected = 0;
  texts.forEach((text, i) => {
    const py = theirs[i] as Py;
    const { headers, body } = parseEmailHeaders(text);
    for (const [f, vals] of Object.entries(py.fields)) {
      const ours = headers.filter((h) => h.name === f).map((h) => h.value);
      if (JSON.stringify(ours) !== JSON.stringify(vals)) mismatches.push(`#${i} ${f}: ours ${JSON.stringify(ours)} theirs ${JSON.stringify(vals)}`);
    }
    if ((body ?? '') !== py.payload) mismatches.push(`#${i} body: ours ${JSON.stringify(body)} theirs ${JSON.stringify(py.payload)}`);
    // Whole-document parse: fails exactly when packaging rejects a Requires-Dist.
    const expectOk = py.version !== null && py.reqOk.every(Boolean);
    try {
      const m = parseCoreMetadata(text, `text#${i}`);
      parsedOk++;
      if (!expectOk) mismatches.push(`#${i}: we accepted, packaging rejects a field`);
      if (m.version.toString() !== py.version) mismatches.push(`#${i} version ${m.version.toString()} vs ${py.version}`);
      if (m.requiresDist.length !== py.fields['requires-dist']?.length) mismatches.push(`#${i} requires-dist count`);
    } catch (err) {
      rejected++;
      if (expectOk) mismatches.push(`#${i}: we rejected (${(err as Error).message}), packaging accepts`);
    }
  });
  t.same(mismatches.slice(0, 15), [], `${texts.length} texts compared (${parsedOk} accepted, ${rejected} rejected)`);
  t.ok(parsedOk > 300 && rejected > 100, 'both outcomes are exercised');
});
