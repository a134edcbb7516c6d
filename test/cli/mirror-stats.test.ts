/**
 * The statistics of a fleet (issue 6): three real `pyindex serve` servers of
 * one index — the primary and two mirrors, each with its own download log —
 * and build machines that fetch through the mirror set, each sent first to a
 * different server (`--mirror-order`), one of them to a mirror that refuses
 * one file so that file fails over to the next server. `pyindex stats` over
 * all three servers then sums the fleet's downloads exactly — per project,
 * per server and in all — and a server given twice (its stats URL and its
 * root) counts once.
 */
import { readFileSync, readdirSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { StatsReport } from '../../src/serve/stats/index.js';
import { runCli } from '../helpers/cli.js';
import { copyTree, writeTree } from '../helpers/mirror-kit.js';
import { startServeCli, type ServeProcess } from '../helpers/serve-cli.js';
import { makeWheel } from '../helpers/serve-dists.js';
import { waitUntil } from '../helpers/upload-kit.js';

const PROFILE = 'linux-x86_64-py3.11';
const JOBS = `jobs:\n  ci:\n    requires: [app]\n    profiles: [${PROFILE}]\n`;

const downloadsLogged = (root: string): number => {
  const dir = join(root, '.pyindex', 'downloads');
  return readdirSync(dir).reduce((n, f) => n + readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== '').length, 0);
};
const mirrorId = (root: string): string => readFileSync(join(root, '.pyindex', 'mirror-id'), 'utf8').trim();

t.test('pyindex stats sums the downloads of a primary and two mirrors, each counted once', async (t) => {
  const dir = t.testdir({});
  const tree = join(dir, 'tree');
  await writeTree(tree, [
    makeWheel({ name: 'app', version: '1.0', requires: ['lib-a', 'lib-b'] }),
    makeWheel({ name: 'lib-a', version: '1.0' }),
    makeWheel({ name: 'lib-b', version: '1.0' }),
  ]);
  const roots = ['primary', 'mirror1', 'mirror2'].map((n) => join(dir, n));
  for (const root of roots) copyTree(tree, root);
  const servers: ServeProcess[] = await Promise.all(roots.map((root) => startServeCli(root)));
  t.teardown(() => Promise.all(servers.map((s) => s.stop('SIGKILL'))));
  const [primary, mirror1, mirror2] = servers.map((s) => `${s.url}simple/`) as [string, string, string];
  const config = `index:\n  url: ${primary}\n  mirrors: [${mirror1}, ${mirror2}]\n${JOBS}`;

  // One lock for the fleet (it reads pages and .metadata files, which are no downloads).
  const locker = join(dir, 'locker');
  mkdirSync(locker);
  writeFileSync(join(locker, 'pyindex.yaml'), config);
  const lock = await runCli(['lock'], { cwd: locker, env: { PYINDEX_CACHE_DIR: join(locker, 'cache') } });
  t.equal(lock.code, 0, lock.stderr);

  // The third machine starts at mirror 2, whose lib-b is tampered with: that file fails over to the next server in its order (the primary).
  const machines: { name: string; first: string }[] = [
    { name: 'm1', first: primary },
    { name: 'm2', first: mirror1 },
    { name: 'm3', first: mirror2 },
  ];
  const libB = readdirSync(join(roots[2]!, 'files', 'lib-b')).find((f) => f.endsWith('.whl'))!;
  for (const m of machines) {
    const cwd = join(dir, m.name);
    mkdirSync(cwd);
    writeFileSync(join(cwd, 'pyindex.yaml'), config);
    copyFileSync(join(locker, 'pyindex.lock.yaml'), join(cwd, 'pyindex.lock.yaml'));
    if (m.name === 'm3') {
      // Same length, other bytes: the answer is complete, and only its sha256 tells it is not the locked file.
      const path = join(roots[2]!, 'files', 'lib-b', libB);
      writeFileSync(path, Buffer.from(readFileSync(path).map((b) => b ^ 0xff)));
    }
    const fetch = await runCli(['fetch', '--json', '--wheelhouse', join(cwd, 'wh'), '--mirror-order', m.first], { cwd, env: { PYINDEX_CACHE_DIR: join(cwd, 'cache') } });
    t.equal(fetch.code, 0, `${m.name}: ${fetch.stderr}`);
    t.equal(readdirSync(join(cwd, 'wh')).filter((f) => f.endsWith('.whl')).length, 3, `${m.name}: three wheels`);
  }

  // Each server logged what it answered: the primary 3 + the failed-over lib-b, mirror 1 three, mirror 2 three
  // (its lib-b answer was a download too, of the wrong bytes, which the fetch refused).
  const expectedLogged = [4, 3, 3];
  for (const [i, root] of roots.entries()) await waitUntil(() => downloadsLogged(root) === expectedLogged[i], `${root} logged ${expectedLogged[i]} downloads`);

  const sources = [...servers.map((s) => s.url), roots[0]!];
  const byProject = await runCli(['stats', '--json', '--by', 'project', ...sources]);
  t.equal(byProject.code, 0, byProject.stderr);
  const report = JSON.parse(byProject.stdout) as StatsReport;
  t.equal(report.total, 10, 'the fleet served 10 downloads');
  t.same(
    report.rows.map((r) => [r.project, r.downloads]).sort(),
    [
      ['app', 3],
      ['lib-a', 3],
      ['lib-b', 4],
    ],
    'per project, summed over the three servers',
  );
  t.same(
    report.mirrors.map((m) => [m.mirror, m.downloads]).sort(),
    [
      [mirrorId(roots[0]!), 4],
      [mirrorId(roots[1]!), 3],
      [mirrorId(roots[2]!), 3],
    ].sort(),
    'per server',
  );
  t.ok(report.duplicates.length > 0 && report.duplicates.every((d) => d.mirror === mirrorId(roots[0]!)), 'the primary, given as URL and root, counted once');

  const byMirror = await runCli(['stats', '--by', 'mirror', ...sources]);
  t.equal(byMirror.code, 0, byMirror.stderr);
  for (const root of roots) t.match(byMirror.stdout, mirrorId(root), 'the table names every server');
});
