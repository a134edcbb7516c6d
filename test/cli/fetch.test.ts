/**
 * `pyindex fetch` through the real CLI: lock checks and exit codes, --json,
 * --prune, and a kill -9 in the middle of a download followed by a re-run.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { plannedFiles, type PlannedFile } from '../../src/wheelhouse/plan.js';
import { runCli } from '../helpers/cli.js';
import { projectRoot } from '../helpers/mkindex.js';
import { startStaticServer, type StaticServer } from '../helpers/static-server.js';
import { fetchConfig, lockFetchProject, writePayloadIndex } from '../helpers/wheelhouse-kit.js';

interface Project {
  dir: string;
  server: StaticServer;
  files: PlannedFile[];
  env: NodeJS.ProcessEnv;
  wheelhouse: string;
  cache: string;
}

async function project(t: Test): Promise<Project> {
  const dir = t.testdir({});
  const root = join(dir, 'index');
  writePayloadIndex(root, [
    { name: 'alpha', version: '1.0', payload: 200_000, requires: ['beta'] },
    { name: 'beta', version: '2.0', payload: 10_000 },
    { name: 'lint', version: '0.5', payload: 5_000 },
  ]);
  const server = await startStaticServer(root, { negotiate: true });
  t.teardown(() => server.close());
  const lock = await lockFetchProject(dir, `${server.url}/simple/`, { build: ['alpha'], lint: ['lint'] }, join(dir, 'lock-cache'));
  const cache = join(dir, 'cache');
  return { dir, server, files: plannedFiles(lock, [], []), env: { PYINDEX_CACHE_DIR: cache }, wheelhouse: join(dir, 'wh'), cache };
}

function visible(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith('.')).sort() : [];
}

function assertValid(t: Test, p: Project, names: string[]): void {
  for (const name of names) {
    if (name === 'pyindex-wheelhouse.json') continue;
    const f = p.files.find((x) => x.filename === name);
    t.equal(createHash('sha256').update(readFileSync(join(p.wheelhouse, name))).digest('hex'), f?.sha256, `${name} is whole and verified`);
  }
}

t.test('lockfile missing or stale; --wheelhouse required', async (t) => {
  const dir = t.testdir({ 'pyindex.yaml': fetchConfig('http://127.0.0.1:9/simple/', { build: ['alpha'] }) });
  const missing = await runCli(['fetch', '--wheelhouse', 'wh'], { cwd: dir });
  t.equal(missing.code, 2);
  t.match(missing.stderr, /E_LOCK_MISSING/);
  t.match(missing.stderr, /pyindex lock/);

  const p = await project(t);
  writeFileSync(join(p.dir, 'pyindex.yaml'), fetchConfig(`${p.server.url}/simple/`, { build: ['alpha', 'lint'] }));
  const stale = await runCli(['fetch', '--wheelhouse', p.wheelhouse], { cwd: p.dir, env: p.env });
  t.equal(stale.code, 6);
  t.match(stale.stderr, /E_LOCK_STALE/);
  t.match(stale.stderr, /hint: Run `pyindex lock`/);
  t.notOk(existsSync(p.wheelhouse), 'nothing fetched for a stale lock');

  const usage = await runCli(['fetch'], { cwd: p.dir, env: p.env });
  t.equal(usage.code, 2);
  t.match(usage.stderr, /--wheelhouse is required/);
});

t.test('fetch a job, --json summary, re-run, --prune', async (t) => {
  const p = await project(t);
  const first = await runCli(['fetch', '--job', 'build', '--profile', 'linux', '--wheelhouse', p.wheelhouse, '--json'], { cwd: p.dir, env: p.env });
  t.equal(first.code, 0, first.stderr);
  const summary = JSON.parse(first.stdout) as Record<string, unknown>;
  const build = p.files.filter((f) => f.project !== 'lint');
  t.match(summary, { wheelhouse: p.wheelhouse, files: 2, downloaded: 2, fromCache: 0, present: 0, bytes: build.reduce((n, f) => n + f.size, 0), pruned: [], quarantined: [] });
  t.match(first.stderr, /"type":"fetch:progress"/, '--json streams progress events on stderr');
  t.same(visible(p.wheelhouse), [...build.map((f) => f.filename), 'pyindex-wheelhouse.json'].sort());
  assertValid(t, p, visible(p.wheelhouse));

  const all = await runCli(['fetch', '--wheelhouse', p.wheelhouse], { cwd: p.dir, env: p.env });
  t.equal(all.code, 0, all.stderr);
  t.match(all.stdout, /3 files \(1 downloaded, 0 from cache, 2 already present\)/);

  const pruned = await runCli(['fetch', '--job', 'lint', '--wheelhouse', p.wheelhouse, '--prune'], { cwd: p.dir, env: p.env });
  t.equal(pruned.code, 0, pruned.stderr);
  t.match(pruned.stdout, /pruned 2: alpha-1\.0-py3-none-any\.whl, beta-2\.0-py3-none-any\.whl/);
  t.same(visible(p.wheelhouse), ['lint-0.5-py3-none-any.whl', 'pyindex-wheelhouse.json']);

  const unknown = await runCli(['fetch', '--job', 'nope', '--wheelhouse', p.wheelhouse], { cwd: p.dir, env: p.env });
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /E_UNKNOWN_JOB/);
});

t.test('kill -9 mid-download, then a re-run completes the wheelhouse', async (t) => {
  const p = await project(t);
  const alpha = p.files.find((f) => f.project === 'alpha')!;
  const alphaPath = new URL(alpha.url).pathname;
  p.server.faults[alphaPath] = { kind: 'stall' };
  const child = spawn(process.execPath, ['--import=tsx', join(projectRoot, 'src', 'cli', 'bin.ts'), 'fetch', '--wheelhouse', p.wheelhouse], {
    cwd: p.dir,
    env: { ...process.env, CI: '1', ...p.env },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal === 'SIGKILL' ? 9 : _code)));
  t.teardown(() => void child.kill('SIGKILL'));
  // Wait until the download is under way: the request arrived and its temp file exists.
  const tmp = join(p.cache, 'files', 'tmp');
  for (let i = 0; i < 1500; i++) {
    if (p.server.requests.some((r) => r.path === alphaPath) && existsSync(tmp) && readdirSync(tmp).some((n) => n.endsWith('.tmp'))) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  t.ok(readdirSync(tmp).some((n) => n.endsWith('.tmp')), 'the stalled download has a temp file');
  child.kill('SIGKILL');
  t.equal(await exited, 9, 'killed');

  const after = visible(p.wheelhouse);
  t.notOk(after.includes(alpha.filename), 'the interrupted file is not visible');
  t.notOk(after.includes('pyindex-wheelhouse.json'), 'no manifest for an unfinished wheelhouse');
  assertValid(t, p, after);

  delete p.server.faults[alphaPath];
  const rerun = await runCli(['fetch', '--wheelhouse', p.wheelhouse], { cwd: p.dir, env: p.env });
  t.equal(rerun.code, 0, rerun.stderr);
  t.same(visible(p.wheelhouse), [...p.files.map((f) => f.filename), 'pyindex-wheelhouse.json'].sort());
  assertValid(t, p, visible(p.wheelhouse));
  t.same(readdirSync(tmp), [], "the killed run's temp files are gone");
  t.same(readdirSync(p.wheelhouse).filter((n) => n.endsWith('.tmp')), []);
});
