/**
 * `pyindex bundle` through the real CLI. (test/cli/bundle.test.ts is the
 * esbuild-bundled CLI's test, hence this name.)
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { openBundle } from '../../src/bundle/index.js';
import { runCli } from '../helpers/cli.js';
import { FIXTURE_CONFIG as CONFIG, sha256, writeProject as project } from '../helpers/wheelhouse-fixture.js';

t.test('pyindex bundle', async (t) => {
  const dir = t.testdir({ out: {} });
  project(dir);
  const env = { PYINDEX_CACHE_DIR: join(dir, 'cache') };
  const first = await runCli(['bundle', '--profile', 'linux', '--wheelhouse', 'wh', '-o', 'out/linux.tar.gz'], { cwd: dir, env });
  t.equal(first.code, 0, first.code === 0 ? 'exit 0' : first.stderr);
  t.match(first.stdout, /^wrote .*out\/linux\.tar\.gz: 5 files \(\d+ bytes\) for build, docs × linux, sha256 [0-9a-f]{64}$/m);
  const bytes = readFileSync(join(dir, 'out', 'linux.tar.gz'));

  const json = await runCli(['bundle', '--profile', 'linux', '--wheelhouse', 'wh', '-o', 'out/again.tar.gz', '--json'], { cwd: dir, env });
  t.equal(json.code, 0, json.code === 0 ? 'exit 0' : json.stderr);
  const result = JSON.parse(json.stdout) as { sha256: string; files: number; profile: string; jobs: string[] };
  t.match(result, { files: 5, profile: 'linux', jobs: ['build', 'docs'] });
  t.equal(result.sha256, sha256(bytes), 'same bytes from a second run');
  t.ok(readFileSync(join(dir, 'out', 'again.tar.gz')).equals(bytes));

  const opened = await openBundle(join(dir, 'out', 'linux.tar.gz'), { cacheDir: join(dir, 'cache') });
  t.same(Object.keys(opened.lock.jobs), ['build', 'docs']);

  const docs = await runCli(['bundle', '--job', 'docs', '--profile', 'linux', '--wheelhouse', 'wh', '-o', 'out/docs.tar.gz'], { cwd: dir, env });
  t.equal(docs.code, 0, docs.code === 0 ? 'exit 0' : docs.stderr);
  t.match(docs.stdout, /1 files .* for docs × linux/);

  rmSync(join(dir, 'wh', 'docsonly-3.0-py3-none-any.whl'));
  const incomplete = await runCli(['bundle', '--job', 'docs', '--profile', 'linux', '--wheelhouse', 'wh', '-o', 'out/x.tar.gz'], { cwd: dir, env });
  t.equal(incomplete.code, 5, 'E_WHEELHOUSE_INCOMPLETE → exit 5');
  t.match(incomplete.stderr, /E_WHEELHOUSE_INCOMPLETE/);
  t.match(incomplete.stderr, /docsonly-3\.0-py3-none-any\.whl/);
  t.match(incomplete.stderr, 'pyindex fetch --job docs --profile linux --wheelhouse wh');
  t.notOk(existsSync(join(dir, 'out', 'x.tar.gz')));
  t.same(readdirSync(join(dir, 'out')).sort(), ['again.tar.gz', 'docs.tar.gz', 'linux.tar.gz'], 'no temp file left');

  const usage = await runCli(['bundle', '--wheelhouse', 'wh', '-o', 'x.tar.gz'], { cwd: dir, env });
  t.equal(usage.code, 2);
  t.match(usage.stderr, /--profile is required/);

  writeFileSync(join(dir, 'pyindex.yaml'), CONFIG.replace('requires: [docsonly]', 'requires: [docsonly, extra]'));
  const stale = await runCli(['bundle', '--profile', 'linux', '--wheelhouse', 'wh', '-o', 'out/y.tar.gz'], { cwd: dir, env });
  t.equal(stale.code, 6, 'a stale lock is refused');
  t.match(stale.stderr, /E_LOCK_STALE/);
});
