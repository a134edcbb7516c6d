/**
 * `pyindex mirror` through the real CLI: from an upstream `pyindex serve`
 * (or the test static server, where a fault is needed) into a tree that a
 * second `pyindex serve` then serves. Exactly the lock's files (+ their
 * `.metadata` and the build closure of a locked sdist) are copied; the copy
 * locks to the same pins and real pip downloads from it; re-runs skip what
 * is there and restore what is damaged; --dry-run writes nothing; kill -9
 * mid-download leaves nothing partial in view and the re-run completes;
 * --requires resolves with the lock machinery; --all-versions copies an
 * allowlist; bad upstreams and conflicts copy nothing.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { readLockfile } from '../../src/lock/read.js';
import { openTree } from '../../src/serve/tree/index.js';
import { runCli, startCli } from '../helpers/cli.js';
import { copyTree, serveTree } from '../helpers/mirror-kit.js';
import { projectRoot } from '../helpers/mkindex.js';
import { isolatedEnv, oraclePython } from '../helpers/python.js';
import { makeSdist } from '../helpers/sdist-kit.js';
import { startStaticServer, type StaticServer } from '../helpers/static-server.js';
import { makeUniversalWheels } from '../helpers/universal-wheels.js';

const PROFILE = 'linux-x86_64-py3.11';
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

interface Upstream {
  dir: string;
  tree: string;
  /** The lock's project directory (pyindex.yaml + pyindex.lock.yaml). */
  project: string;
  env: NodeJS.ProcessEnv;
}

/**
 * An upstream tree: app → lib (two versions of lib, an unrelated project),
 * and `modern`, an sdist whose build needs setuptools + wheel (stand-ins:
 * the lock reads their metadata only). One file is yanked.
 */
async function upstreamTree(t: Test): Promise<Upstream> {
  const dir = t.testdir({});
  const dists = join(dir, 'dists');
  mkdirSync(dists);
  makeUniversalWheels(dists, [
    { name: 'app', version: '1.0', requires: ['lib>=1'] },
    { name: 'lib', version: '1.0' },
    { name: 'lib', version: '1.1' },
    { name: 'lib', version: '0.9' },
    { name: 'unrelated', version: '3.0' },
    { name: 'setuptools', version: '70.0.0' },
    { name: 'wheel', version: '0.43.0' },
  ]);
  await makeSdist(dists, { name: 'modern', version: '1.0', pyproject: '[build-system]\nrequires = ["setuptools>=61", "wheel"]\nbuild-backend = "setuptools.build_meta"\n' });
  const tree = openTree(join(dir, 'upstream'));
  for (const filename of readdirSync(dists).sort()) {
    const bytes = readFileSync(join(dists, filename));
    await tree.addFile({ filename, bytes, sha256: sha256(bytes) });
  }
  await tree.setYanked('lib', '1.1', 'broken build');
  const project = join(dir, 'project');
  mkdirSync(project);
  return { dir, tree: join(dir, 'upstream'), project, env: { PYINDEX_CACHE_DIR: join(dir, 'cache') } };
}

/** Locks app (→ lib 1.0: 1.1 is yanked) and the sdist against `index`. */
async function lockAgainst(t: Test, project: string, index: string, env: NodeJS.ProcessEnv): Promise<void> {
  writeFileSync(join(project, 'pyindex.yaml'), `index: ${index}\njobs:\n  ci:\n    requires: [app, modern]\n    profiles: [${PROFILE}]\n`);
  const res = await runCli(['lock'], { cwd: project, env });
  t.equal(res.code, 0, res.stderr);
}

/** The upstream tree served by the test static server (for faults), and the project locked against it. */
async function staticUpstream(t: Test): Promise<{ up: Upstream; staticRoot: string; server: StaticServer }> {
  const up = await upstreamTree(t);
  const staticRoot = join(up.dir, 'static');
  copyTree(up.tree, staticRoot);
  const server = await startStaticServer(staticRoot, { negotiate: true });
  t.teardown(() => server.close());
  await lockAgainst(t, up.project, `${server.url}/simple/`, up.env);
  return { up, staticRoot, server };
}

/** Every file under ROOT/files/, by name → sha256. */
function filesIn(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const dir = join(root, 'files');
  if (!existsSync(dir)) return out;
  for (const project of readdirSync(dir)) for (const name of readdirSync(join(dir, project))) out[name] = sha256(readFileSync(join(dir, project, name)));
  return out;
}

function listed(root: string): string[] {
  const dir = join(root, 'simple');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => (JSON.parse(readFileSync(join(dir, d.name, 'index.json'), 'utf8')) as { files: { filename: string }[] }).files.map((f) => f.filename))
    .sort();
}

const LOCKED = ['app-1.0-py2.py3-none-any.whl', 'lib-1.0-py2.py3-none-any.whl', 'modern-1.0.tar.gz', 'setuptools-70.0.0-py2.py3-none-any.whl', 'wheel-0.43.0-py2.py3-none-any.whl'];

t.test('--lock: exactly the locked files and their .metadata; the copy is an index that locks the same and pip reads', async (t) => {
  const up = await upstreamTree(t);
  const upstream = await serveTree(t, up.tree);
  await lockAgainst(t, up.project, upstream.simple, up.env);
  const root = join(up.dir, 'internal');

  const dry = await runCli(['mirror', '--from', upstream.simple, '--to', root, '--lock', join(up.project, 'pyindex.lock.yaml'), '--dry-run'], { env: up.env });
  t.equal(dry.code, 0, dry.stderr);
  t.match(dry.stdout, /^would copy 5 of 5 file\(s\) .* into .*internal:\n/);
  for (const f of LOCKED) t.match(dry.stdout, `  ${f} (`, `--dry-run lists ${f}`);
  t.notOk(existsSync(root), '--dry-run writes nothing, not even the root');

  const res = await runCli(['mirror', '--from', upstream.simple, '--to', root, '--lock', join(up.project, 'pyindex.lock.yaml'), '--json'], { env: up.env });
  t.equal(res.code, 0, res.stderr);
  const summary = JSON.parse(res.stdout) as { copied: number; present: number; files: { filename: string; state: string }[] };
  t.match(summary, { copied: 5, present: 0 });
  t.match(res.stderr, /"type":"mirror:progress"/, 'progress events');
  const upstreamFiles = filesIn(up.tree);
  const copied = filesIn(root);
  t.same(Object.keys(copied).sort(), [...LOCKED, ...LOCKED.filter((f) => f !== 'modern-1.0.tar.gz').map((f) => `${f}.metadata`), 'modern-1.0.tar.gz.metadata'].sort(), 'the lock\'s files (build closure included) and their .metadata, nothing else');
  for (const [name, hash] of Object.entries(copied)) t.equal(hash, upstreamFiles[name], `${name}: upstream's bytes`);
  t.same(listed(root), LOCKED, 'the pages list exactly them');
  const upState = await openTree(up.tree).project('lib');
  const copyState = await openTree(root).project('lib');
  t.equal(copyState?.files[0]?.uploadTime, upState?.files.find((f) => f.filename === 'lib-1.0-py2.py3-none-any.whl')?.uploadTime, 'upload time copied (exclude-newer means the same on the copy)');

  const again = await runCli(['mirror', '--from', upstream.simple, '--to', root, '--lock', join(up.project, 'pyindex.lock.yaml')], { env: up.env });
  t.equal(again.code, 0, again.stderr);
  t.match(again.stdout, /5 file\(s\) \(0 copied, 0 restored, 5 already present\)/, 'incremental: nothing to copy');

  // The copy is an index: served, it locks to the same files, and pip downloads from it with hashes.
  const internal = await serveTree(t, root);
  const second = join(up.dir, 'second');
  mkdirSync(second);
  await lockAgainst(t, second, internal.simple, { PYINDEX_CACHE_DIR: join(up.dir, 'cache2') });
  const pins = (dir: string) => readLockfile(join(dir, 'pyindex.lock.yaml')).packages.map((p) => [p.name, p.version, p.files.map((f) => `${f.filename} ${f.sha256}`)]);
  t.same(pins(second), pins(up.project), 'locking against the copy pins the same files');
  const python = oraclePython();
  if (!python) return void t.comment('no pyenv Python with pip: pip check skipped');
  const lock = readLockfile(join(up.project, 'pyindex.lock.yaml'));
  const wheels = lock.jobs.ci!.profiles[PROFILE]!.filter((r) => r.file.endsWith('.whl'));
  const reqs = join(up.dir, 'req.txt');
  writeFileSync(reqs, wheels.map((r) => `${r.name}==${r.version} --hash=sha256:${lock.packages.find((p) => p.name === r.name)!.files[0]!.sha256}`).join('\n') + '\n');
  const dest = join(up.dir, 'pip-dl');
  await promisify(execFile)(python, ['-m', 'pip', 'download', '--isolated', '--no-deps', '--only-binary=:all:', '--no-cache-dir', '--index-url', internal.simple, '-d', dest, '-r', reqs, '--quiet'], { env: isolatedEnv() });
  t.same(readdirSync(dest).sort(), wheels.map((r) => r.file).sort(), 'pip downloads the locked wheels from the copy, hash-checked');
});

t.test('a damaged copy on disk is restored; a file published with other bytes is a conflict and nothing is copied', async (t) => {
  const up = await upstreamTree(t);
  const upstream = await serveTree(t, up.tree);
  await lockAgainst(t, up.project, upstream.simple, up.env);
  const root = join(up.dir, 'internal');
  const lockFile = join(up.project, 'pyindex.lock.yaml');
  t.equal((await runCli(['mirror', '--from', upstream.simple, '--to', root, '--lock', lockFile], { env: up.env })).code, 0);
  const damaged = join(root, 'files', 'lib', 'lib-1.0-py2.py3-none-any.whl');
  writeFileSync(damaged, 'not a wheel');
  const repaired = await runCli(['mirror', '--from', upstream.simple, '--to', root, '--lock', lockFile], { env: up.env });
  t.equal(repaired.code, 0, repaired.stderr);
  t.match(repaired.stdout, /\(0 copied, 1 restored, 4 already present\)/);
  t.equal(sha256(readFileSync(damaged)), filesIn(up.tree)['lib-1.0-py2.py3-none-any.whl'], 'the published bytes are back');

  // The target already publishes app-1.0 with other bytes: refused before anything is copied.
  const other = join(up.dir, 'other');
  const [fake] = makeUniversalWheels(join(up.dir, 'dists'), [{ name: 'app', version: '1.0', body: 'DIFFERENT = 1\n' }]);
  const fakeBytes = readFileSync(join(up.dir, 'dists', fake!.filename));
  await openTree(other).addFile({ filename: fake!.filename, bytes: fakeBytes, sha256: sha256(fakeBytes) });
  const conflict = await runCli(['mirror', '--from', upstream.simple, '--to', other, '--lock', lockFile], { env: up.env });
  t.equal(conflict.code, 2, 'E_UPLOAD_CONFLICT exits 2');
  t.match(conflict.stderr, /E_UPLOAD_CONFLICT: .*already publishes app-1\.0-py2\.py3-none-any\.whl with sha256 .*nothing was copied/);
  t.same(Object.keys(filesIn(other)).sort(), ['app-1.0-py2.py3-none-any.whl', 'app-1.0-py2.py3-none-any.whl.metadata'], 'nothing else was copied');
});

t.test('kill -9 mid-download: nothing partial in view; the re-run completes and sweeps the temp', async (t) => {
  const { up, server } = await staticUpstream(t);
  const stalled = '/files/setuptools/setuptools-70.0.0-py2.py3-none-any.whl';
  server.faults[stalled] = { kind: 'stall' };
  const root = join(up.dir, 'internal');
  const lockFile = join(up.project, 'pyindex.lock.yaml');
  const running = startCli(['mirror', '--from', `${server.url}/simple/`, '--to', root, '--lock', lockFile, '--json'], { env: up.env });
  t.teardown(() => void running.child.kill('SIGKILL'));
  // Wait until the stalled download is under way: requested, and its temp file exists.
  const tmp = join(root, '.pyindex', 'tmp');
  const started = (): boolean => server.requests.some((r) => r.path === stalled) && existsSync(tmp) && readdirSync(tmp).some((n) => n.includes('mirror'));
  while (!started()) await new Promise((resolve) => setTimeout(resolve, 20));
  running.child.kill('SIGKILL');
  t.equal((await running.done).code, 137, 'killed');

  const upstreamFiles = filesIn(up.tree);
  const visible = filesIn(root);
  t.notOk('setuptools-70.0.0-py2.py3-none-any.whl' in visible, 'the interrupted file is not in files/');
  for (const [name, hash] of Object.entries(visible)) t.equal(hash, upstreamFiles[name], `${name}: whole`);
  t.notOk(listed(root).includes('setuptools-70.0.0-py2.py3-none-any.whl'), 'nor listed');
  t.ok(readdirSync(tmp).length > 0, 'its partial download sits in .pyindex/tmp, out of view');

  delete server.faults[stalled];
  const rerun = await runCli(['mirror', '--from', `${server.url}/simple/`, '--to', root, '--lock', lockFile], { env: up.env });
  t.equal(rerun.code, 0, rerun.stderr);
  t.same(listed(root), LOCKED, 'complete');
  for (const [name, hash] of Object.entries(filesIn(root))) t.equal(hash, upstreamFiles[name], `${name}: whole`);
  t.same(readdirSync(tmp), [], "the killed run's temp file was swept");
});

t.test('--requires resolves with the lock machinery; --all-versions copies an allowlist', async (t) => {
  const up = await upstreamTree(t);
  const upstream = await serveTree(t, up.tree);
  const root = join(up.dir, 'internal');
  const req = await runCli(['mirror', '--from', upstream.simple, '--to', root, '--requires', 'app', '--profile', PROFILE], { env: up.env });
  t.equal(req.code, 0, req.stderr);
  t.same(listed(root), ['app-1.0-py2.py3-none-any.whl', 'lib-1.0-py2.py3-none-any.whl'], 'app and what it resolves to (lib 1.1 is yanked)');

  const all = await runCli(['mirror', '--from', upstream.simple, '--to', root, '--requires', 'lib>=1', '--all-versions', '--json'], { env: up.env });
  t.equal(all.code, 0, all.stderr);
  t.match(JSON.parse(all.stdout), { copied: 1, present: 1 });
  t.same(listed(root), ['app-1.0-py2.py3-none-any.whl', 'lib-1.0-py2.py3-none-any.whl', 'lib-1.1-py2.py3-none-any.whl'], 'every lib version matching >=1, the yanked one included');
  const lib = await openTree(root).project('lib');
  t.equal(lib?.files.find((f) => f.filename.startsWith('lib-1.1'))?.yanked, 'broken build', 'and still yanked, with its reason');

  // On a terminal: a listr2 task (run under `script`, util-linux, for a real pseudo-terminal).
  if (spawnSync('script', ['--version']).status !== 0) return void t.comment('no `script` command: TTY check skipped');
  const { CI: _ci, ...env } = process.env;
  const bin = `node --import=tsx ${join(projectRoot, 'src', 'cli', 'bin.ts')}`;
  const raw = execFileSync('script', ['-qec', `stty cols 200 rows 50; ${bin} mirror --from ${upstream.simple} --to ${join(up.dir, 'tty')} --requires app --profile ${PROFILE}`, '/dev/null'], {
    env: { ...env, ...up.env, TERM: 'xterm' },
    encoding: 'utf8',
  });
  // eslint-disable-next-line no-control-regex -- stripping terminal escape sequences
  const screen = raw.replace(/\r/g, '\n').replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '');
  t.match(screen, `✔ copy from ${upstream.simple} into ${join(up.dir, 'tty')}`, 'listr2 shows the copy as a task');
  t.match(screen, /tty: 2 file\(s\) \(2 copied, 0 restored, 0 already present\)/);
});

t.test('bad input and bad upstreams: clear errors, nothing copied', async (t) => {
  const { up, staticRoot, server } = await staticUpstream(t);
  const lockFile = join(up.project, 'pyindex.lock.yaml');
  const root = join(up.dir, 'internal');
  const mirror = (args: string[]) => runCli(['mirror', '--from', `${server.url}/simple/`, '--to', root, ...args], { env: up.env });

  const usage: [string[], RegExp][] = [
    [[], /give either --lock FILE or --requires SPEC/],
    [['--lock', lockFile, '--requires', 'app'], /give either --lock FILE or --requires SPEC/],
    [['--requires', 'app'], /--requires needs at least one --profile/],
    [['--requires', 'app', '--profile', PROFILE, '--job', 'ci'], /--job goes with --lock/],
    [['--lock', lockFile, '--concurrency', '0'], /--concurrency must be a whole number/],
  ];
  for (const [args, says] of usage) {
    const res = await mirror(args);
    t.equal(res.code, 2, `${args.join(' ')}: usage`);
    t.match(res.stderr, says);
  }
  const noFrom = await runCli(['mirror', '--to', root, '--lock', lockFile], { env: up.env });
  t.match(noFrom.stderr, /--from is required/);

  // A tampered file upstream (listing right, bytes wrong): refused by hash; the others are copied, it is not published.
  const lib = join(staticRoot, 'files', 'lib', 'lib-1.0-py2.py3-none-any.whl');
  const good = readFileSync(lib);
  const bad = Buffer.from(good);
  bad.writeUInt8(bad.readUInt8(100) ^ 0xff, 100);
  writeFileSync(lib, bad);
  const tampered = await mirror(['--lock', lockFile, '--concurrency', '1']);
  t.equal(tampered.code, 4, 'E_HASH_MISMATCH exits 4');
  t.match(tampered.stderr, /E_HASH_MISMATCH: lib-1\.0-py2\.py3-none-any\.whl from .* does not match/);
  t.notOk('lib-1.0-py2.py3-none-any.whl' in filesIn(root), 'not in the tree');
  t.notOk(listed(root).includes('lib-1.0-py2.py3-none-any.whl'));
  t.same(readdirSync(join(root, '.pyindex', 'tmp')), [], 'no temp file left');
  writeFileSync(lib, good);

  // The upstream no longer lists a locked file.
  server.faults['/simple/lib/'] = { kind: 'status', status: 404 };
  const missing = await mirror(['--lock', lockFile]);
  t.equal(missing.code, 3);
  t.match(missing.stderr, /does not list 1 of the 5 wanted file\(s\): lib-1\.0-py2\.py3-none-any\.whl/);
  delete server.faults['/simple/lib/'];

  // The upstream lists the locked filename with another hash.
  const page = join(staticRoot, 'simple', 'lib', 'index.json');
  const text = readFileSync(page, 'utf8');
  writeFileSync(page, text.replace(sha256(good), 'f'.repeat(64)));
  const other = await mirror(['--lock', lockFile, '--dry-run']);
  t.equal(other.code, 4);
  t.match(other.stderr, /lists lib-1\.0-py2\.py3-none-any\.whl with sha256 f{64}, but the lock pins/);
});
