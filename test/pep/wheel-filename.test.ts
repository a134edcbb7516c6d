import { existsSync, readdirSync } from 'node:fs';
import t from 'tap';
import { isWheelFilename, parseWheelFilename } from '../../src/pep/wheel-filename.js';
import { IMPORT_PACKAGING, runPythonJson } from '../helpers/python.js';
import { packaging241Python } from '../helpers/packaging-oracle.js';

t.test('parses the parts of a wheel filename', async (t) => {
  const w = parseWheelFilename('Foo.Bar-1.0.post1-7abc-py2.py3-none-any.whl');
  t.equal(w.name, 'Foo.Bar');
  t.equal(w.canonicalName, 'foo-bar');
  t.equal(w.version.toString(), '1.0.post1');
  t.same(w.build, { number: 7, tag: 'abc' });
  t.same(w.tags, ['py2-none-any', 'py3-none-any']);

  const c = parseWheelFilename('numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl');
  t.equal(c.build, undefined);
  t.same(c.tags, ['cp312-cp312-manylinux_2_17_x86_64', 'cp312-cp312-manylinux2014_x86_64']);
  t.ok(isWheelFilename('a-1-py3-none-any.whl'));
  t.notOk(isWheelFilename('a-1.tar.gz'));
});

t.test('invalid filenames throw E_INVALID_WHEEL_FILENAME saying what is wrong', async (t) => {
  const cases: [string, RegExp][] = [
    ['foo-1.0-py3-none-any.zip', /extension/],
    ['foo-1.0-none-any.whl', /4 dash-separated parts/],
    ['foo-bar-1.0-1-py3-none-any.whl', /7 dash-separated parts/],
    ['foo-1.0-x1-py3-none-any.whl', /build tag "x1" must start with a digit/],
    ['foo-1.0.0.x-py3-none-any.whl', /"1.0.0.x" is not a valid PEP 440 version/],
    ['foo__bar-1.0-py3-none-any.whl', /distribution name/],
    ['foo+bar-1.0-py3-none-any.whl', /distribution name/],
    ['-1.0-py3-none-any.whl', /name is empty/],
    ['foo-1.0-py3.-none-any.whl', /empty part/],
  ];
  for (const [f, re] of cases) {
    t.throws(() => parseWheelFilename(f), { code: 'E_INVALID_WHEEL_FILENAME', message: re }, f);
    try {
      parseWheelFilename(f);
    } catch (err) {
      t.match(err, { message: new RegExp(JSON.stringify(f).replace(/[.+?*()[\]\\]/g, '\\$&')), hint: /\{name\}-\{version\}\(-\{build\}\)\?-\{python\}-\{abi\}-\{platform\}\.whl/ });
    }
  }
});

/** Filenames crossing names, versions, build tags and tag sets, plus every real wheel name. */
function corpus(): string[] {
  const names = ['foo', 'Foo.Bar', 'foo_bar', 'foo__bar', 'zope.interface', '_x', 'x_', 'a.b.c', 'Ünï', 'foo+x', 'foo bar', '9lives', 'x!', ''];
  const versions = ['1.0', '1.0.post1', '2!1.0rc1.dev3+local.7', 'v1.0', '1.0_post1', '01.00', 'banana', '1.0+', '', '1.0a', '1.0.DEV2'];
  const builds = [undefined, '1', '12abc', '0_x', 'x1', '', '1.2'];
  const tagSets = ['py3-none-any', 'py2.py3-none-any', 'CP311-cp311-Win_AMD64', 'cp39.cp310-abi3.none-manylinux1_x86_64.macosx_10_9_x86_64', 'py3-none', 'py3-none-any-extra', 'py3.py3-none-any'];
  const out: string[] = [];
  for (const n of names) for (const v of versions) for (const b of builds) for (const ts of tagSets) out.push(`${n}-${v}${b === undefined ? '' : `-${b}`}-${ts}.whl`);
  out.push('foo-1.0-py3-none-any.WHL', 'foo-1.0-py3-none-any', 'foo.whl', '.whl');
  if (existsSync('/opt/pypi/files')) out.push(...readdirSync('/opt/pypi/files').filter((f) => f.endsWith('.whl')));
  return out;
}

const python = packaging241Python();
t.test('agrees with packaging.utils.parse_wheel_filename (packaging 24.1)', { skip: python ? false : 'no Python with packaging here' }, async (t) => {
  if (!python) return;
  const files = corpus();
  type Out = { ok: true; name: string; version: string; build: [number, string] | []; tags: string[] } | { ok: false; error: string };
  const theirs = runPythonJson<Out[]>(python, `${IMPORT_PACKAGING}
out = []
for f in json.load(sys.stdin):
    try:
        n, v, b, tags = U.parse_wheel_filename(f)
        out.append({"ok": True, "name": n, "version": str(v), "build": list(b), "tags": sorted(str(x) for x in tags)})
    except Exception as e:
        out.append({"ok": False, "error": type(e).__name__})
print(json.dumps(out))`, files);
  const mismatches: string[] = [];
  // Refused on purpose though packaging 24.1 accepts them (see wheel-filename.ts).
  let accepted = 0;
  let documentedCount = 0;
  files.forEach((f, i) => {
    const theirOut = theirs[i];
    let ours: Out;
    let documented = false;
    try {
      const w = parseWheelFilename(f);
      ours = { ok: true, name: w.canonicalName, version: w.version.toString(), build: w.build ? [w.build.number, w.build.tag] : [], tags: [...w.tags].sort() };
      accepted++;
    } catch (err) {
      ours = { ok: false, error: 'InvalidWheelFilename' };
      documented = /name is empty|empty part/.test((err as Error).message);
    }
    if (!ours.ok && theirOut?.ok && documented) {
      documentedCount++;
      return;
    }
    if (JSON.stringify(ours) !== JSON.stringify(theirOut)) mismatches.push(`${f}: ours ${JSON.stringify(ours)} theirs ${JSON.stringify(theirOut)}`);
  });
  t.same(mismatches.slice(0, 20), [], `${files.length} filenames compared (${accepted} valid, ${documentedCount} documented refusals)`);
  t.ok(accepted > 800, 'the corpus exercises valid names');
});
