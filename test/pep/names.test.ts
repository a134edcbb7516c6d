import t from 'tap';
import { assertValidName, canonicalizeName, isValidName } from '../../src/pep/names.js';
import { IMPORT_PACKAGING, oraclePython, runPythonJson } from '../helpers/python.js';

t.test('canonicalizeName follows PEP 503', async (t) => {
  t.equal(canonicalizeName('Django'), 'django');
  t.equal(canonicalizeName('zope.interface'), 'zope-interface');
  t.equal(canonicalizeName('Foo__Bar-.-baz'), 'foo-bar-baz');
});

t.test('assertValidName rejects invalid names with E_INVALID_NAME', async (t) => {
  for (const bad of ['', '-a', 'a-', 'a b', 'ä', '.x']) {
    t.notOk(isValidName(bad), bad);
    t.throws(() => assertValidName(bad), { code: 'E_INVALID_NAME' });
  }
  t.equal(assertValidName('a.b_c-d'), 'a.b_c-d');
});

const python = oraclePython();
t.test('agrees with packaging.utils.canonicalize_name', { skip: python ? false : 'no Python with packaging here' }, async (t) => {
  if (!python) return;
  const alphabet = ['a', 'B', '0', '-', '_', '.', 'Z', '9'];
  const names: string[] = [];
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 2000; i++) {
    const len = 1 + Math.floor(rnd() * 8);
    let s = '';
    for (let j = 0; j < len; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    names.push(s);
  }
  const theirs = runPythonJson<string[]>(python, `${IMPORT_PACKAGING}
names = json.load(sys.stdin)
print(json.dumps([U.canonicalize_name(n) for n in names]))`, names);
  const mismatches = names.filter((n, i) => canonicalizeName(n) !== theirs[i]);
  t.same(mismatches, [], `${names.length} names compared`);
});
