/**
 * Acceptance test for detectProfile: for EVERY pyenv Python here, the tags
 * pyindex computes (in TypeScript, from facts the introspection script
 * reports) must be the interpreter's own `packaging.tags.sys_tags()`, in
 * order, and the markers its `packaging.markers.default_environment()`.
 *
 * Oracles, per interpreter:
 * 1. Its OWN packaging: pip's vendored `pip._vendor.packaging.tags` (21.3 on
 *    3.7–3.12, 24.1 on 3.13). Pythons 2.7 (pip 19.2.3 → packaging 19.0) and
 *    3.6 (pip 18.1 → packaging 18.0) have no `tags` module; for them the
 *    oracle is packaging 20.4 copied out of 3.8's setuptools/_vendor, which
 *    really imports and runs there (test/helpers/packaging-copies.ts).
 *    Markers always come from the interpreter's pip-vendored
 *    `packaging.markers.default_environment()` (present in all of them).
 * 2. packaging 24.1 — the version pyindex implements — run INSIDE the same
 *    interpreter (3.8+). Must match exactly, no exceptions.
 * 3. For 2.7/3.6/3.7, where 24.1 cannot be imported: packaging 24.1's
 *    generators run in 3.13 with that interpreter's parameters (its ABI list
 *    from its own oracle's `_cpython_abis`, its glibc patched into
 *    `_manylinux._get_glibc_version`). Must match exactly.
 *
 * Documented packaging-VERSION differences (not interpreter differences),
 * applied only when comparing against an older oracle (1.):
 * - packaging < 22 (21.3, 20.4): `sys_tags()` calls `compatible_tags()`
 *   without the interpreter, so there is no `cpXY-none-any` tag; 24.1 emits
 *   it right before `py3X-none-any`.
 * - packaging 20.4 predates PEP 600: its `_linux_platforms` only knows the
 *   legacy manylinux2014/2010/1 names, none of the `manylinux_2_N` tags.
 * The test removes exactly those tags from pyindex's list and then requires
 * the remaining list to equal the old oracle's, in order.
 */
import t from 'tap';
import { detectInterpreter } from '../../src/profile/detect.js';
import { packagingCopies } from '../helpers/packaging-copies.js';
import { pyenvPythons, pyenvRoot, runPythonJson } from '../helpers/python.js';

interface OracleOut {
  tagsOracle: string;
  markersOracle: string;
  tags: string[];
  markers: Record<string, string>;
  abis: string[];
  tags24: string[] | null;
  tags24Error?: string;
  glibc: string | null;
}

const ORACLE = `
import sys, json, os
inp = json.load(sys.stdin)
sys.path.insert(0, inp['dir'])
out = {}
try:
    from pip._vendor.packaging import tags as T
    import pip._vendor.packaging as PK
    out['tagsOracle'] = 'pip._vendor.packaging ' + str(PK.__version__)
except ImportError:
    from packaging_oracle import tags as T
    import packaging_oracle as PK
    out['tagsOracle'] = 'packaging ' + str(PK.__version__) + ' (copied from 3.8 setuptools/_vendor)'
from pip._vendor.packaging import markers as M
import pip._vendor.packaging as PM
out['markersOracle'] = 'pip._vendor.packaging ' + str(PM.__version__)
out['tags'] = [str(t) for t in T.sys_tags()]
out['markers'] = M.default_environment()
out['abis'] = T._cpython_abis(sys.version_info[:2])
try:
    from packaging24 import tags as T24
    out['tags24'] = [str(t) for t in T24.sys_tags()]
except Exception as e:
    out['tags24'] = None
    out['tags24Error'] = repr(e)
# The oracle's own glibc probe (os.confstr lacks CS_GNU_LIBC_VERSION on pyenv's 2.7; packaging falls back to ctypes).
probe = getattr(T, '_glibc_version_string', None)
if probe is None:
    from pip._vendor.packaging import _manylinux
    probe = _manylinux._glibc_version_string
out['glibc'] = probe()
sys.stdout.write(json.dumps(out))
`;

/** packaging 24.1's generators in 3.13, with explicit interpreter parameters (oracle 3). */
const PACKAGING24_EXPLICIT = `
import sys, json
from pip._vendor.packaging import tags as T, _manylinux as ML
out = []
for c in json.load(sys.stdin):
    glibc = tuple(c['glibc'])
    # _linux_platforms, minus the live-system reads: manylinux for this glibc, no musl (glibc host), then linux_<arch>.
    ML._get_glibc_version = lambda: glibc
    platforms = list(ML.platform_tags([c['arch']])) + ['linux_' + c['arch']]
    v = tuple(c['version'])
    tags = list(T.cpython_tags(v, c['abis'], platforms)) + list(T.compatible_tags(v, c['interpreter'], platforms))
    out.append([str(t) for t in tags])
print(json.dumps(out))
`;

function packagingVersionOf(oracle: string): string {
  return /packaging (\d+\.\d+)/.exec(oracle)?.[1] ?? '?';
}

/** pyindex's list with the tags an older packaging does not know about removed (see header). */
function withoutNewerPackagingTags(ours: string[], packagingVersion: string, nodot: string): string[] {
  const major = Number(packagingVersion.split('.')[0]);
  return ours.filter((tag) => {
    if (major < 22 && tag === `cp${nodot}-none-any`) return false;
    if (major < 21 && /^[^-]+-[^-]+-manylinux_\d+_\d+_/.test(tag)) return false;
    return true;
  });
}

function sameMarkers(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}

const pythons = pyenvPythons();
const root = pyenvRoot();
const python313 = root ? `${root}/versions/3.13.0/bin/python` : undefined;

t.test('detected tags and markers equal the interpreter\'s own packaging', { skip: pythons.length === 0 ? 'no pyenv Pythons' : false }, async (t) => {
  const copies = packagingCopies();
  t.teardown(() => copies.cleanup());
  t.ok(copies.has20 && copies.has24, 'packaging 20.4 and 24.1 copies are available');
  const explicitCases: { version: string; ours: string[]; case: { version: number[]; abis: string[]; glibc: number[]; arch: string; interpreter: string } }[] = [];

  for (const py of pythons) {
    const detection = await detectInterpreter(py.path);
    const ours = detection.profile.tags;
    const oracle = runPythonJson<OracleOut>(py.path, ORACLE, { dir: copies.dir });
    const pv = packagingVersionOf(oracle.tagsOracle);
    const nodot = detection.profile.python.replace('.', '');

    // 1. the interpreter's own packaging (documented version deltas only)
    const comparable = withoutNewerPackagingTags(ours, pv, nodot);
    t.same(comparable, oracle.tags, `${py.version}: tags == sys_tags() of ${oracle.tagsOracle}`);
    t.same(detection.profile.markers, oracle.markers, `${py.version}: markers == default_environment() of ${oracle.markersOracle}`);
    const ownEqual = JSON.stringify(comparable) === JSON.stringify(oracle.tags);
    const removed = ours.length - comparable.length;

    // 2. packaging 24.1 inside the same interpreter
    let note24: string;
    if (oracle.tags24) {
      t.same(ours, oracle.tags24, `${py.version}: tags == packaging 24.1 sys_tags() run in ${py.version}`);
      note24 = `packaging 24.1 in-process: ${JSON.stringify(ours) === JSON.stringify(oracle.tags24) ? 'equal' : 'DIFFERENT'}`;
    } else {
      note24 = `packaging 24.1 not importable here (${oracle.tags24Error ?? '?'}), checked via 3.13 below`;
      const glibc = (oracle.glibc ?? '').split('.').map(Number);
      explicitCases.push({
        version: py.version,
        ours,
        case: { version: py.version.split('.').slice(0, 2).map(Number), abis: oracle.abis, glibc, arch: 'x86_64', interpreter: `cp${nodot}` },
      });
    }
    t.comment(
      `Python ${py.version}: ${ours.length} tags; own oracle ${oracle.tagsOracle}: ${ownEqual ? 'equal' : 'DIFFERENT'}` +
        (removed ? ` (after dropping ${removed} tags newer packaging adds)` : '') +
        `; markers ${sameMarkers(detection.profile.markers, oracle.markers) ? 'equal' : 'DIFFERENT'}; ${note24}`,
    );
  }

  // 3. packaging 24.1's algorithm with explicit parameters for the Pythons it cannot run in
  if (explicitCases.length && python313) {
    const theirs = runPythonJson<string[][]>(python313, PACKAGING24_EXPLICIT, explicitCases.map((c) => c.case));
    explicitCases.forEach((c, i) => {
      t.same(c.ours, theirs[i], `${c.version}: tags == packaging 24.1 cpython_tags+compatible_tags (run in 3.13 with ${c.version}'s ABIs ${c.case.abis.join(',')} and glibc ${c.case.glibc.join('.')})`);
      t.comment(`Python ${c.version}: packaging 24.1 explicit-parameter oracle: ${JSON.stringify(c.ours) === JSON.stringify(theirs[i]) ? 'equal' : 'DIFFERENT'}`);
    });
  }
});

t.test('detect errors', async (t) => {
  await t.rejects(detectInterpreter('/nonexistent/bin/python3'), { code: 'E_PYTHON_NOT_FOUND' });
  await t.rejects(detectInterpreter('pyindex-no-such-python-on-path'), { code: 'E_PYTHON_NOT_FOUND' });
  // /bin/false exists and runs, but reports nothing: a failed Python.
  await t.rejects(detectInterpreter('/bin/false'), { code: 'E_PYTHON_FAILED' });
  // A directory is not executable.
  await t.rejects(detectInterpreter('/tmp'), { code: 'E_PYTHON_NOT_FOUND' });
});
