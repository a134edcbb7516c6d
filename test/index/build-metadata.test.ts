/**
 * The build-backend route for sdists whose PKG-INFO is not authoritative:
 * mkindex's sdists (Metadata-Version 2.1, setuptools pyproject.toml) give
 * the same requirements as their wheels, OFFLINE (setuptools comes from the
 * interpreter); an in-tree backend without the metadata hook goes through
 * build_wheel; a missing backend and a failing setup.py are E_BUILD_BACKEND
 * with the backend's output. Plus the pyproject / egg-info pieces alone.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parseBuildSystem } from '../../src/index/build-system.js';
import { eggInfoToMetadata } from '../../src/index/egg-info.js';
import { cachedIndex } from '../helpers/cached-index.js';
import { makeClient, rejectsWith, tempDir } from '../helpers/index-client-kit.js';
import { makeTar } from '../helpers/make-archive.js';
import { sharedAvailable } from '../helpers/mkindex.js';
import { pyenvRoot } from '../helpers/python.js';

const py311 = join(pyenvRoot() ?? '/nonexistent', 'versions', '3.11.7', 'bin', 'python');

t.test('parseBuildSystem: PEP 517/518 subset and defaults', async (t) => {
  t.same(parseBuildSystem(undefined, 'x'), { backend: 'setuptools.build_meta:__legacy__', backendPath: [], requires: ['setuptools>=40.8.0'], defaulted: true });
  t.equal(parseBuildSystem('[project]\nname = "x"\n', 'x').backend, 'setuptools.build_meta:__legacy__', 'no [build-system]');
  const sys = parseBuildSystem(
    `[build-system]  # comment\nrequires = [\n  "hatchling>=1.0", # pin\n  'editables',\n]\nbuild-backend = "hatchling.build"\nbackend-path = ["."]\n\n[tool.x]\nbuild-backend = "nope"\n`,
    'x',
  );
  t.same(sys, { backend: 'hatchling.build', backendPath: ['.'], requires: ['hatchling>=1.0', 'editables'], defaulted: false });
  t.throws(() => parseBuildSystem('[build-system]\nbuild-backend = 3\n', 'sdist.tar.gz: pyproject.toml'), { code: 'E_BUILD_BACKEND', message: /sdist\.tar\.gz/ });
});

t.test('eggInfoToMetadata: requires.txt sections become Requires-Dist / Provides-Extra', async (t) => {
  const text = eggInfoToMetadata(
    'Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nProvides-Extra: old\nSummary: s\n\nbody text\n',
    'six\n\n[:python_version < "3"]\nfutures\n\n[docs]\nsphinx>=1\n\n[test:sys_platform == "win32"]\npywin32\n',
  );
  t.equal(
    text,
    'Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nSummary: s\nRequires-Dist: six\nRequires-Dist: futures; python_version < "3"\nRequires-Dist: sphinx>=1; extra == "docs"\nRequires-Dist: pywin32; (sys_platform == "win32") and extra == "test"\nProvides-Extra: docs\nProvides-Extra: test\n\nbody text\n',
  );
});

if (!sharedAvailable() || !existsSync(py311)) {
  t.test('build backend via Python 3.11.7', { skip: 'needs shared/tools/mkindex and pyenv 3.11.7' }, async () => {});
} else {
  const root = cachedIndex('corpus/pypi-2020/index/pypi-2020-11-17-cheroot.json', ['--json', '--metadata', '--sdists']);

  t.test('mkindex sdists (MV 2.1): setuptools hook, offline, same requirements as the wheel', async (t) => {
    const pythons = [py311, ...(existsSync('/usr/bin/python3') ? ['/usr/bin/python3'] : [])];
    const cacheDir = tempDir();
    const { client, events } = makeClient(join(root, 'files'), { offline: true, cacheDir });
    t.teardown(() => client.close());
    const page = await client.getProject('cheroot');
    const sdist = page.files.find((f) => f.filename === 'cheroot-8.4.7.tar.gz')!;
    const wheel = page.files.find((f) => f.filename === 'cheroot-8.4.7-py3-none-any.whl')!;
    const fromWheel = await client.getMetadata(wheel);
    const expected = fromWheel.requiresDist.map((r) => `${r.name} ${r.specifier.toString()} ${r.marker?.toString() ?? ''}`).sort();
    // 3.11.7 has setuptools 65 but no `wheel` (egg-info route); Debian's python3 has both (dist-info route).
    for (const python of pythons) {
      const built = await client.getMetadata(sdist, { python });
      t.same(built.requiresDist.map((r) => `${r.name} ${r.specifier.toString()} ${r.marker?.toString() ?? ''}`).sort(), expected, `${python}: Requires-Dist equals the wheel's`);
      t.same([...built.providesExtra].sort(), [...fromWheel.providesExtra].sort());
    }
    t.equal(events.filter((e) => e.type === 'metadata:fetched' && e.via === 'build-backend').length, pythons.length, 'built once per interpreter');
    const again = makeClient(join(root, 'files'), { offline: true, cacheDir });
    t.teardown(() => again.client.close());
    await again.client.getMetadata(sdist, { python: py311 });
    t.ok(again.events.some((e) => e.type === 'metadata:fetched' && e.via === 'cache'), 'built metadata cached per interpreter');
  });

  t.test('in-tree backend without prepare_metadata_for_build_wheel: build_wheel is used', async (t) => {
    const backend = [
      'import os, zipfile',
      'def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):',
      '    name = "inner-1.0-py3-none-any.whl"',
      '    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as z:',
      '        z.writestr("inner-1.0.dist-info/METADATA", "Metadata-Version: 2.1\\nName: inner\\nVersion: 1.0\\nRequires-Dist: attrs>=20\\n")',
      '        z.writestr("inner-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\\n")',
      '        z.writestr("inner-1.0.dist-info/RECORD", "")',
      '    return name',
    ].join('\n');
    const dir = tempDir();
    writeFileSync(
      join(dir, 'inner-1.0.tar.gz'),
      await makeTar([
        { name: 'inner-1.0/PKG-INFO', data: 'Metadata-Version: 2.1\nName: inner\nVersion: 1.0\n' },
        { name: 'inner-1.0/pyproject.toml', data: '[build-system]\nrequires = []\nbuild-backend = "mybackend"\nbackend-path = ["_build"]\n' },
        { name: 'inner-1.0/_build/mybackend.py', data: backend },
      ]),
    );
    const { client, events } = makeClient(dir, { offline: true });
    t.teardown(() => client.close());
    const [file] = (await client.getProject('inner')).files;
    const meta = await client.getMetadata(file!, { python: py311 });
    t.same(meta.requiresDist.map((r) => r.name), ['attrs']);
    t.ok(events.some((e) => e.type === 'metadata:fetched' && e.via === 'build-backend'));
  });

  t.test('missing backend and failing setup.py are E_BUILD_BACKEND with the output tail', async (t) => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'nobackend-1.0.tar.gz'),
      await makeTar([
        { name: 'nobackend-1.0/PKG-INFO', data: 'Metadata-Version: 2.1\nName: nobackend\nVersion: 1.0\n' },
        { name: 'nobackend-1.0/pyproject.toml', data: '[build-system]\nrequires = ["flit_core_that_is_not_here"]\nbuild-backend = "flit_core_that_is_not_here.buildapi"\n' },
      ]),
    );
    writeFileSync(
      join(dir, 'broken-1.0.tar.gz'),
      await makeTar([
        { name: 'broken-1.0/PKG-INFO', data: 'Metadata-Version: 2.1\nName: broken\nVersion: 1.0\n' },
        { name: 'broken-1.0/setup.py', data: 'raise RuntimeError("setup.py exploded on purpose")\n' },
      ]),
    );
    const { client } = makeClient(dir, { offline: true });
    t.teardown(() => client.close());
    const [missing] = (await client.getProject('nobackend')).files;
    const [broken] = (await client.getProject('broken')).files;
    await rejectsWith(t, client.getMetadata(missing!, { python: py311 }), 'E_BUILD_BACKEND', missing!.url);
    await t.rejects(client.getMetadata(missing!, { python: py311 }), {
      name: 'PyindexError',
      message: /cannot be imported[\s\S]*ModuleNotFoundError/,
      hint: /flit_core_that_is_not_here/,
    });
    await rejectsWith(t, client.getMetadata(broken!, { python: py311 }), 'E_BUILD_BACKEND', broken!.url);
    await t.rejects(client.getMetadata(broken!, { python: py311 }), { name: 'PyindexError', message: /setup\.py exploded on purpose/ });
    await rejectsWith(t, client.getMetadata(broken!, { python: '/nonexistent/python3' }), 'E_PYTHON_NOT_FOUND', broken!.url);
  });
}
