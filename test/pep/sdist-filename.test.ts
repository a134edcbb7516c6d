import t from 'tap';
import { isReadableSdistExtension, isSdistFilename, parseSdistFilename, sdistExtension } from '../../src/pep/sdist-filename.js';
import { IMPORT_PACKAGING, runPythonJson } from '../helpers/python.js';
import { packaging241Python } from '../helpers/packaging-oracle.js';

const show = (f: string, project?: string) => {
  const s = parseSdistFilename(f, project);
  return [s.name, s.canonicalName, s.version.toString(), s.extension];
};

t.test('modern PEP 625 names', async (t) => {
  t.same(show('foo_bar-1.0.tar.gz'), ['foo_bar', 'foo-bar', '1.0', '.tar.gz']);
  t.same(show('Foo-2!1.0rc1.zip'), ['Foo', 'foo', '2!1.0rc1', '.zip']);
});

t.test('legacy names: dashes in the name and/or the version (own cases)', async (t) => {
  // Without the project name: first dash followed by a digit-led valid version.
  t.same(show('python-dateutil-2.8.1.tar.gz'), ['python-dateutil', 'python-dateutil', '2.8.1', '.tar.gz']);
  t.same(show('foo-bar-1.0-1.tar.gz'), ['foo-bar', 'foo-bar', '1.0.post1', '.tar.gz']);
  t.same(show('py-2fa-lib-0.3.tgz'), ['py-2fa-lib', 'py-2fa-lib', '0.3', '.tgz']);
  t.same(show('abc-2-1.0.tar'), ['abc-2', 'abc-2', '1.0', '.tar']);
  // No digit-led version: the last dash followed by any valid version.
  t.same(show('foo-bar-v1.0.tar.bz2'), ['foo-bar', 'foo-bar', '1.0', '.tar.bz2']);
  // Ambiguous without the project: the project name settles it (pip's rule).
  t.same(show('abc-2-1.zip'), ['abc', 'abc', '2.post1', '.zip']);
  t.same(show('abc-2-1.zip', 'ABC_2'), ['abc-2', 'abc-2', '1', '.zip']);
  t.same(show('Foo.Bar-1.0-1.tar.gz', 'foo-bar'), ['Foo.Bar', 'foo-bar', '1.0.post1', '.tar.gz']);
  t.same(show('python_dateutil-2.8.1.TAR.GZ', 'python-dateutil'), ['python_dateutil', 'python-dateutil', '2.8.1', '.tar.gz']);
});

t.test('extensions', async (t) => {
  t.equal(sdistExtension('x-1.tar.gz'), '.tar.gz');
  t.equal(sdistExtension('x-1.whl'), undefined);
  t.ok(isReadableSdistExtension('.tgz'));
  t.notOk(isReadableSdistExtension('.tar.xz'));
});

t.test('invalid filenames throw E_INVALID_SDIST_FILENAME', async (t) => {
  const cases: [string, string | undefined, RegExp][] = [
    ['foo-1.0.whl', undefined, /unknown archive extension/],
    ['foo.tar.gz', undefined, /no "-"/],
    ['foo-banana.tar.gz', undefined, /"banana" is not a valid PEP 440 version/],
    ['-1.0.tar.gz', undefined, /name is empty/],
    ['bar-1.0.tar.gz', 'foo', /does not start with the project name "foo"/],
    ['foo-1.0-x.tar.gz', 'foo', /"1.0-x" is not a valid/],
  ];
  for (const [f, p, re] of cases) {
    t.throws(() => parseSdistFilename(f, p), { code: 'E_INVALID_SDIST_FILENAME', message: re }, f);
    t.notOk(isSdistFilename(f, p));
  }
});

const python = packaging241Python();
t.test('modern forms agree with packaging.utils.parse_sdist_filename', { skip: python ? false : 'no Python with packaging' }, async (t) => {
  if (!python) return;
  const names = ['foo', 'Foo_Bar', 'zope.interface', 'a', 'x9', 'Django', 'foo__bar', '9lives'];
  const versions = ['1.0', '1.0.post1', '2!1.0rc1.dev3+local.7', 'v1.0', '1.0_post1', '01.00', 'banana', '1.0+', '', '1.0a', '1.0.DEV2', '1!'];
  const files: string[] = [];
  for (const n of names) for (const v of versions) for (const e of ['.tar.gz', '.zip']) files.push(`${n}-${v}${e}`);
  type Out = [string, string] | null;
  const theirs = runPythonJson<Out[]>(python, `${IMPORT_PACKAGING}
out = []
for f in json.load(sys.stdin):
    try:
        n, v = U.parse_sdist_filename(f)
        out.append([n, str(v)])
    except Exception:
        out.append(None)
print(json.dumps(out))`, files);
  const mismatches: string[] = [];
  let valid = 0;
  files.forEach((f, i) => {
    let ours: Out = null;
    try {
      const s = parseSdistFilename(f);
      ours = [s.canonicalName, s.version.toString()];
      valid++;
    } catch {
      // invalid
    }
    if (JSON.stringify(ours) !== JSON.stringify(theirs[i])) mismatches.push(`${f}: ours ${JSON.stringify(ours)} theirs ${JSON.stringify(theirs[i])}`);
  });
  t.same(mismatches, [], `${files.length} filenames compared, ${valid} valid`);
  t.ok(valid > 50);
});
