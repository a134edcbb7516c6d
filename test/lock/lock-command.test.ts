/**
 * `pyindex lock` / `lock --check` / `export` / `why` through the real CLI
 * against real loopback indexes built by mkindex: exit codes, the lockfile
 * left untouched on every failure, pins kept across runs, byte-identical output.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { buildIndex, sharedAvailable } from '../helpers/mkindex.js';
import { runCli } from '../helpers/cli.js';
import { startStaticServer, type StaticServer } from '../helpers/static-server.js';

type Versions = Record<string, { requires?: string[]; requires_python?: string; yanked?: boolean; extras?: Record<string, string[]> }>;

/** A packse-format scenario, so mkindex builds it like the shared ones. */
function scenarioIndex(dir: string, name: string, packages: Record<string, Versions>): string {
  const file = join(dir, `${name}.json`);
  const body = { name, root: { requires: [] }, expected: { satisfiable: true }, packages: Object.fromEntries(Object.entries(packages).map(([k, v]) => [k, { versions: v }])) };
  writeFileSync(file, JSON.stringify(body));
  return buildIndex(file, ['--json', '--metadata', '--default-requires-python', '']);
}

const skip = sharedAvailable() ? false : 'mkindex (../shared/tools) is not here';

function config(index: string, requires: string[], extra = ''): string {
  return `index: ${index}
profiles:
  linux: { platform: linux-x86_64, python: "3.11" }
jobs:
  build:
    requires: ${JSON.stringify(requires)}
    profiles: [linux, windows-amd64-py3.11]
${extra}`;
}

t.test('lock, check, export, why', { skip }, async (t) => {
  const dir = t.testdir({});
  const root = scenarioIndex(dir, 'basic', {
    app: { '1.0.0': { requires: ['lib>=1', "winonly; sys_platform == 'win32'"] } },
    lib: { '1.0.0': {}, '1.5.0': {} },
    winonly: { '2.0.0': {} },
  });
  const server = await startStaticServer(root, { negotiate: true });
  t.teardown(() => server.close());
  const cache = join(dir, 'cache');
  writeFileSync(join(dir, 'pyindex.yaml'), config(`${server.url}/simple/`, ['app']));
  const env = { PYINDEX_CACHE_DIR: cache };

  const first = await runCli(['lock'], { cwd: dir, env });
  t.equal(first.code, 0, first.stderr);
  const lockPath = join(dir, 'pyindex.lock.yaml');
  const bytes = readFileSync(lockPath, 'utf8');
  t.match(bytes, /name: lib\n\s+version: "?1\.5\.0"?/);
  t.match(bytes, /winonly-2\.0\.0-py3-none-any\.whl/);
  t.match(bytes, /"job: app"/);
  t.match(bytes, /"app: lib>=1"/);
  t.match(first.stdout, /build × linux: 2 packages/);
  t.match(first.stdout, /build × windows-amd64-py3\.11: 3 packages/);

  const before = statSync(lockPath);
  const again = await runCli(['lock'], { cwd: dir, env });
  t.equal(again.code, 0);
  t.match(again.stdout, /^unchanged .*pyindex\.lock\.yaml/m);
  const after = statSync(lockPath);
  t.same([after.ino, after.mtimeMs], [before.ino, before.mtimeMs], 'an unchanged lock is not rewritten');
  rmSync(lockPath);
  const fresh = await runCli(['lock'], { cwd: dir, env });
  t.equal(fresh.code, 0);
  t.equal(readFileSync(lockPath, 'utf8'), bytes, 'byte-identical for the same inputs, written afresh');

  const check = await runCli(['lock', '--check'], { cwd: dir, env });
  t.equal(check.code, 0);
  t.match(check.stdout, /up to date/);

  const exported = await runCli(['export', '--job', 'build', '--profile', 'windows-amd64-py3.11'], { cwd: dir, env });
  t.equal(exported.code, 0, exported.stderr);
  t.match(exported.stdout, /^winonly==2\.0\.0 \\\n\s+--hash=sha256:[0-9a-f]{64}$/m);
  const pylock = await runCli(['export', '--job', 'build', '--profile', 'linux', '--format', 'pylock'], { cwd: dir, env });
  t.equal(pylock.code, 0, pylock.stderr);
  t.match(pylock.stdout, /lock-version = "1\.0"/);

  const why = await runCli(['why', 'lib', '--job', 'build', '--profile', 'linux'], { cwd: dir, env });
  t.equal(why.code, 0, why.stderr);
  t.match(why.stdout, /app/);
  t.match(why.stdout, /lib/);

  // --check works offline: the index is not consulted when nothing changed.
  await server.close();
  const offline = await runCli(['lock', '--check'], { cwd: dir, env });
  t.equal(offline.code, 0, 'check needs no index');
  const relockOffline = await runCli(['lock', '--offline'], { cwd: dir, env });
  t.equal(relockOffline.code, 0, `lock --offline works from the cache: ${relockOffline.stderr}`);
  t.equal(readFileSync(lockPath, 'utf8'), bytes, 'and gives the same lock');
  const online = await runCli(['lock'], { cwd: dir, env });
  t.equal(online.code, 3, 'without --offline, a stopped index is exit 3');
  t.match(online.stderr, /E_NETWORK/);

  // A semantic config change makes the lock stale (exit 6) and --check writes nothing.
  writeFileSync(join(dir, 'pyindex.yaml'), config(`${server.url}/simple/`, ['app', 'lib<1.5']));
  const stale = await runCli(['lock', '--check'], { cwd: dir, env });
  t.equal(stale.code, 6);
  t.match(stale.stderr, /E_LOCK_STALE/);
  t.match(stale.stderr, /hint: Run "pyindex lock"/);
  t.equal(readFileSync(lockPath, 'utf8'), bytes, '--check never writes');
});

t.test('existing pins are kept; --upgrade and --upgrade-package move them', { skip }, async (t) => {
  const dir = t.testdir({});
  // c is asked for with an extra: `c[x]` is decided on its own, and must keep c's pin too.
  const v1 = scenarioIndex(dir, 'v1', { a: { '1.0.0': {} }, b: { '1.0.0': {} }, c: { '1.0.0': { extras: { x: ['b'] } } } });
  const v2 = scenarioIndex(dir, 'v2', {
    a: { '1.0.0': {}, '2.0.0': {} },
    b: { '1.0.0': {}, '2.0.0': {} },
    c: { '1.0.0': { extras: { x: ['b'] } }, '2.0.0': { extras: { x: ['b'] } } },
  });
  const s1 = await startStaticServer(v1, { negotiate: true });
  const s2 = await startStaticServer(v2, { negotiate: true });
  t.teardown(async () => {
    await s1.close();
    await s2.close();
  });
  const env = { PYINDEX_CACHE_DIR: join(dir, 'cache') };
  const write = (url: string) => writeFileSync(join(dir, 'pyindex.yaml'), config(`${url}/simple/`, ['a', 'b', 'c[x]']).replace(', windows-amd64-py3.11', ''));
  const versions = () => {
    const text = readFileSync(join(dir, 'pyindex.lock.yaml'), 'utf8').split('\njobs:')[0]!;
    return [...text.matchAll(/- name: (\w+)\n\s+version: "?([\d.]+)"?/g)].map((m) => `${m[1]}=${m[2]}`).sort();
  };
  write(s1.url);
  t.equal((await runCli(['lock'], { cwd: dir, env })).code, 0);
  t.same(versions(), ['a=1.0.0', 'b=1.0.0', 'c=1.0.0']);
  write(s2.url);
  t.equal((await runCli(['lock'], { cwd: dir, env })).code, 0);
  t.same(versions(), ['a=1.0.0', 'b=1.0.0', 'c=1.0.0'], 'newer versions on the index do not move existing pins');
  t.equal((await runCli(['lock', '--upgrade-package', 'a'], { cwd: dir, env })).code, 0);
  t.same(versions(), ['a=2.0.0', 'b=1.0.0', 'c=1.0.0'], '--upgrade-package moves only that one');
  t.equal((await runCli(['lock', '--upgrade-package', 'c'], { cwd: dir, env })).code, 0);
  t.same(versions(), ['a=2.0.0', 'b=1.0.0', 'c=2.0.0'], 'also when it is asked for with an extra');
  t.equal((await runCli(['lock', '--upgrade'], { cwd: dir, env })).code, 0);
  t.same(versions(), ['a=2.0.0', 'b=2.0.0', 'c=2.0.0']);
});

t.test('failures exit with their documented code and leave the lockfile untouched', { skip }, async (t) => {
  const dir = t.testdir({});
  const root = scenarioIndex(dir, 'conflict', {
    a: { '1.0.0': { requires: ['b<1'] }, '2.0.0': { requires: ['b<1'] } },
    b: { '0.5.0': {}, '1.0.0': {} },
    c: { '1.0.0': { requires: ['d'] } },
    d: { '1.0.0': {} },
  });
  const server: StaticServer = await startStaticServer(root, { negotiate: true });
  t.teardown(() => server.close());
  const env = { PYINDEX_CACHE_DIR: join(dir, 'cache') };
  const cfg = join(dir, 'pyindex.yaml');
  const lockPath = join(dir, 'pyindex.lock.yaml');
  writeFileSync(cfg, config(`${server.url}/simple/`, ['a', 'c']));
  t.equal((await runCli(['lock'], { cwd: dir, env })).code, 0);
  const good = readFileSync(lockPath, 'utf8');
  const untouched = (what: string) => t.equal(readFileSync(lockPath, 'utf8'), good, `${what}: previous lockfile untouched`);

  writeFileSync(cfg, config(`${server.url}/simple/`, ['a', 'b>=1']));
  const nosol = await runCli(['lock'], { cwd: dir, env });
  t.equal(nosol.code, 1, 'no solution exits 1');
  t.match(nosol.stderr, /E_NO_SOLUTION/);
  t.match(nosol.stderr, /job build, profile linux/);
  t.match(nosol.stderr, /a 1\.0\.0 depends on b<1|a .*depends on b<1/);
  t.match(nosol.stderr, /requires b>=1/);
  t.match(nosol.stderr, /version solving failed/);
  untouched('no solution');

  const bad: [string, string, RegExp][] = [
    ['malformed YAML', 'index: [unclosed\njobs: {}\n', /pyindex\.yaml:\d+: invalid YAML/],
    ['unknown key', config(`${server.url}/simple/`, ['a']).replace('requires:', 'require:'), /unknown key "require".*did you mean "requires"/s],
    ['wrong type', config(`${server.url}/simple/`, ['a']).replace('profiles: [linux, windows-amd64-py3.11]', 'profiles: linux'), /pyindex\.yaml:\d+:.*jobs\.build\.profiles/],
    ['invalid requirement', config(`${server.url}/simple/`, ['a>=>1']), /E_INVALID_REQUIREMENT[\s\S]*jobs\.build\.requires\[0\]/],
    ['unknown profile', config(`${server.url}/simple/`, ['a']).replace('windows-amd64-py3.11', 'windows-amd64-py3.1'), /E_UNKNOWN_PROFILE[\s\S]*windows-amd64-py3\.1/],
    ['job without profiles', config(`${server.url}/simple/`, ['a']).replace('profiles: [linux, windows-amd64-py3.11]', 'profiles: []'), /E_CONFIG_INVALID/],
  ];
  for (const [what, text, message] of bad) {
    writeFileSync(cfg, text);
    const r = await runCli(['lock'], { cwd: dir, env });
    t.equal(r.code, 2, `${what}: exit 2`);
    t.match(r.stderr, message, what);
    t.notMatch(r.stderr, /\n\s+at .+\.(ts|js):\d+/, `${what}: no stack trace`);
    untouched(what);
  }

  // The index fails part-way: a dependency's page answers 503 every time.
  writeFileSync(cfg, config(`${server.url}/simple/`, ['a', 'c']));
  server.faults['/simple/d/'] = { kind: 'status', status: 503 };
  const down = await runCli(['lock', '--upgrade'], { cwd: dir, env: { ...env, PYINDEX_CACHE_DIR: join(dir, 'cold-cache') } });
  t.equal(down.code, 3, 'index failure exits 3');
  t.match(down.stderr, /E_HTTP/);
  t.match(down.stderr, /\/simple\/d\//);
  untouched('index down mid-lock');
  delete server.faults['/simple/d/'];

  // A lockfile edited by hand into inconsistency: a clear error, and --upgrade replaces it.
  writeFileSync(lockPath, good.replace(/file: a-2\.0\.0-py3-none-any\.whl/, 'file: a-9.9.9-py3-none-any.whl'));
  const edited = await runCli(['lock'], { cwd: dir, env });
  t.equal(edited.code, 2);
  t.match(edited.stderr, /E_LOCK_INVALID/);
  t.match(edited.stderr, /pyindex\.lock\.yaml:\d+/);
  const replaced = await runCli(['lock', '--upgrade'], { cwd: dir, env });
  t.equal(replaced.code, 0, replaced.stderr);
  t.equal(readFileSync(lockPath, 'utf8'), good, 'regenerated lock equals the good one');

  const json = await runCli(['lock', '--json'], { cwd: dir, env });
  t.equal(json.code, 0);
  const summary = JSON.parse(json.stdout) as { packages: number; pairs: { job: string; profile: string; packages: number }[] };
  t.equal(summary.pairs.length, 2);
  t.ok(summary.packages >= 3);
});

t.test('coverage: a pinned version with no file for a profile fails naming package, profile and files', { skip }, async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'cov.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 'cov',
      root: { requires: [] },
      expected: { satisfiable: true },
      packages: { numpy: { versions: { '2.1.0': { wheel_tags: ['cp313-cp313-manylinux_2_28_x86_64', 'cp313-cp313-win_amd64'] } } } },
    }),
  );
  const root = buildIndex(file, ['--json', '--metadata', '--default-requires-python', '']);
  const server = await startStaticServer(root, { negotiate: true });
  t.teardown(() => server.close());
  writeFileSync(join(dir, 'pyindex.yaml'), config(`${server.url}/simple/`, ['numpy==2.1.0']));
  const r = await runCli(['lock'], { cwd: dir, env: { PYINDEX_CACHE_DIR: join(dir, 'cache') } });
  t.equal(r.code, 1);
  t.match(r.stderr, /profile linux/);
  t.match(r.stderr, /numpy/);
  t.match(r.stderr, /no wheel for CPython 3\.11 on linux-x86_64, manylinux glibc 2\.17/);
  t.match(r.stderr, /files: numpy-2\.1\.0-cp313-cp313-manylinux_2_28_x86_64\.whl, numpy-2\.1\.0-cp313-cp313-win_amd64\.whl/);
  t.comment(r.stderr);
});

t.test('requires-file with -c constraints; --job re-resolves one job and keeps the others; plain progress lines', { skip }, async (t) => {
  const dir = t.testdir({
    'reqs.txt': '# the test job\napp\n-c constraints.txt\n',
    'constraints.txt': 'lib<1.5\nunused==9.9\n',
  });
  const v1 = scenarioIndex(dir, 'c1', { app: { '1.0.0': { requires: ['lib>=1'] } }, lib: { '1.0.0': {}, '1.5.0': {} }, tool: { '1.0.0': {} } });
  const v2 = scenarioIndex(dir, 'c2', { app: { '1.0.0': { requires: ['lib>=1'] } }, lib: { '1.0.0': {}, '1.5.0': {} }, tool: { '1.0.0': {}, '2.0.0': {} } });
  const s1 = await startStaticServer(v1, { negotiate: true });
  const s2 = await startStaticServer(v2, { negotiate: true });
  t.teardown(async () => {
    await s1.close();
    await s2.close();
  });
  const env = { PYINDEX_CACHE_DIR: join(dir, 'cache') };
  const write = (url: string, toolSpec: string) =>
    writeFileSync(
      join(dir, 'pyindex.yaml'),
      `index: ${url}/simple/\njobs:\n  test:\n    requires-file: reqs.txt\n    profiles: [linux-x86_64-py3.11]\n  tools:\n    requires: ["${toolSpec}"]\n    profiles: [linux-x86_64-py3.11]\n`,
    );
  write(s1.url, 'tool');
  const first = await runCli(['lock'], { cwd: dir, env });
  t.equal(first.code, 0, first.stderr);
  t.match(first.stderr, /resolve test for linux-x86_64-py3\.11/, 'plain progress: a start line per job × profile');
  t.match(first.stderr, /test\/linux-x86_64-py3\.11: done — 2 packages; \d+ projects fetched, \d+ candidates tried/, 'and an end line with counts');
  const lock1 = readFileSync(join(dir, 'pyindex.lock.yaml'), 'utf8');
  t.match(lock1, /name: lib\n\s+version: "?1\.0\.0"?/, 'the -c constraint holds lib below 1.5');
  t.notMatch(lock1, /name: unused/, 'a constraint does not add a package');
  t.match(lock1, /constraints:\n\s+- lib<1\.5/);

  // The index gains tool 2.0.0 and the tools job now asks for tool>=1: re-resolving only
  // the test job keeps tools' pin; naming the tools job moves it.
  write(s2.url, 'tool>=1');
  t.equal((await runCli(['lock', '--job', 'test'], { cwd: dir, env })).code, 0);
  t.match(readFileSync(join(dir, 'pyindex.lock.yaml'), 'utf8'), /name: tool\n\s+version: "?1\.0\.0"?/, 'unselected job keeps its pin');
  t.equal((await runCli(['lock', '--check'], { cwd: dir, env })).code, 0, 'and the lock matches the new config');
  t.equal((await runCli(['lock', '--job', 'tools', '--upgrade'], { cwd: dir, env })).code, 0);
  t.match(readFileSync(join(dir, 'pyindex.lock.yaml'), 'utf8'), /name: tool\n\s+version: "?2\.0\.0"?/);
  const unknown = await runCli(['lock', '--job', 'nope'], { cwd: dir, env });
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /E_UNKNOWN_JOB.*nope[\s\S]*Jobs are: test, tools/);
});
