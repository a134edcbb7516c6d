/**
 * The bundled CLI (`npm run build` → dist/cli, what bin/pyindex.js runs)
 * must work like the sources the other tests run through tsx: it is one
 * CommonJS file built from ES modules (execa, listr2 and the sources'
 * import.meta.url arrive shaped differently), run by a launcher that keeps
 * a V8 code cache per command (src/cli/launch.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { builtBin, builtSkip, runBuilt } from '../helpers/cli.js';
import { buildIndex, projectRoot, sharedAvailable } from '../helpers/mkindex.js';
import { startStaticServer } from '../helpers/static-server.js';

const ifBuilt = { skip: builtSkip };

t.test('bundled CLI', ifBuilt, async (t) => {
  const dir = t.testdir({});
  const version = await runBuilt(['--version'], dir);
  t.equal(version.code, 0);
  t.match(version.stdout, /^\d+\.\d+\.\d+/);

  // The bundle is minified; with PYINDEX_DEBUG its stack traces name the sources (bin/pyindex.js enables source maps).
  const debug = await runBuilt(['lock', '--config', join(dir, 'missing.yaml')], dir, { PYINDEX_DEBUG: '1' });
  t.equal(debug.code, 2, debug.stderr);
  t.match(debug.stderr, /src\/config\/load\.ts:\d+/, 'stack trace mapped back to src/');

  const detect = await runBuilt(['profile', 'detect', '--python', 'python3', '--json'], dir);
  t.equal(detect.code, 0, detect.code ? detect.stderr : 'execa chunk');
  t.ok((JSON.parse(detect.stdout) as { tags: string[] }).tags.length > 10);

  if (sharedAvailable()) {
    const root = buildIndex('corpus/pypi-2020/index/pypi-2020-02-13-chalice.json', ['--json', '--metadata']);
    const server = await startStaticServer(root, { negotiate: true });
    t.teardown(() => server.close());
    writeFileSync(join(dir, 'pyindex.yaml'), `index: ${server.url}/simple/\njobs:\n  aws:\n    requires: [chalice]\n    profiles: [linux-x86_64-py3.11, windows-amd64-py3.11]\n`);
    const lock = await runBuilt(['lock'], dir, { PYINDEX_CACHE_DIR: join(dir, 'cache') });
    t.equal(lock.code, 0, lock.code ? lock.stderr : 'lock over HTTP');
    t.match(lock.stdout, /aws × linux-x86_64-py3\.11: \d+ packages/);

    // HTML pages only, no PEP 658 metadata, sdists beside the wheels: htmlparser2 (vendor/htmlparser2.cjs),
    // wheel METADATA by range requests (zlib), an sdist's PKG-INFO (vendor/tar-stream.cjs).
    const htmlRoot = buildIndex('corpus/pypi-2020/index/pypi-2020-02-13-chalice.json', ['--sdists']);
    const htmlServer = await startStaticServer(htmlRoot);
    t.teardown(() => htmlServer.close());
    writeFileSync(join(dir, 'html.yaml'), `index: ${htmlServer.url}/simple/\njobs:\n  aws:\n    requires: [chalice]\n    profiles: [linux-x86_64-py3.11]\n`);
    const html = await runBuilt(['lock', '--config', 'html.yaml'], dir, { PYINDEX_CACHE_DIR: join(dir, 'cache-html') });
    t.equal(html.code, 0, html.code ? html.stderr : 'lock from HTML pages and wheel ranges');
    t.match(html.stdout, /aws × linux-x86_64-py3\.11: \d+ packages/);
    writeFileSync(join(dir, 'sdist.yaml'), `index: ${htmlServer.url}/simple/\noptions:\n  no-binary: [six]\njobs:\n  aws:\n    requires: ["six==1.14.0"]\n    profiles: [linux-x86_64-py3.11]\n`);
    const sdist = await runBuilt(['lock', '--config', 'sdist.yaml'], dir, { PYINDEX_CACHE_DIR: join(dir, 'cache-html') });
    t.equal(sdist.code, 1, sdist.stderr);
    t.match(sdist.stderr, /six-1\.14\.0\.tar\.gz are only known after running its build backend/, "the sdist's PKG-INFO was read");
  }

  if (spawnSync('script', ['--version']).status === 0) {
    const { CI: _ci, ...inherited } = process.env;
    const env = { ...inherited, PYINDEX_CACHE_DIR: join(dir, '.pyindex-cache') };
    const raw = execFileSync('script', ['-qec', `stty cols 160 rows 50; node ${builtBin} demo --dir ${join(dir, 'demo')}`, '/dev/null'], {
      cwd: dir,
      env: { ...env, TERM: 'xterm' },
      encoding: 'utf8',
    });
    t.match(raw, /✔ talos × linux64-py311: \d+ packages/, 'listr2 chunk on a TTY');
  }
});

t.test('code cache: made by the first successful run of a command, then used; bad or unwritable caches only cost time', ifBuilt, async (t) => {
  const dir = t.testdir({});
  const cache = join(dir, 'cache');
  const id = readFileSync(join(projectRoot, 'dist', 'cli', 'pyindex.cjs.id'), 'utf8').trim();
  const codeDir = join(cache, 'code', `${id}-${process.version}-${process.arch}`);
  const env = { PYINDEX_CACHE_DIR: cache };

  const first = await runBuilt(['profile', 'list'], dir, env);
  t.equal(first.code, 0, first.stderr);
  t.same(readdirSync(codeDir), ['profile.bin'], 'one file for the command, named after it');
  const made = statSync(join(codeDir, 'profile.bin'));
  t.ok(made.size > 10_000, `V8 code cache written (${made.size} bytes)`);

  const second = await runBuilt(['profile', 'list'], dir, env);
  t.equal(second.stdout, first.stdout, 'same output from the cached code');
  t.equal(statSync(join(codeDir, 'profile.bin')).mtimeMs, made.mtimeMs, 'an accepted cache is not rewritten');

  // Garbage where the cache was: V8 rejects it, the command works, the cache is made again.
  writeFileSync(join(codeDir, 'profile.bin'), Buffer.alloc(made.size, 7));
  const rejected = await runBuilt(['profile', 'list'], dir, env);
  t.equal(rejected.stdout, first.stdout);
  t.not(readFileSync(join(codeDir, 'profile.bin'))[100], 7, 'the rejected cache was replaced');

  // One byte of the V8 data changed (V8 would not notice: it checksums code caches in debug builds only): the
  // file's digest no longer matches, so V8 never sees it, and it is made again.
  const good = readFileSync(join(codeDir, 'profile.bin'));
  const damaged = Buffer.from(good);
  damaged[Math.floor(good.length / 2)]! ^= 0x55;
  writeFileSync(join(codeDir, 'profile.bin'), damaged);
  const redone = await runBuilt(['profile', 'list'], dir, env);
  t.equal(redone.stdout, first.stdout);
  t.ok(createHash('sha256').update(readFileSync(join(codeDir, 'profile.bin')).subarray(32)).digest().equals(readFileSync(join(codeDir, 'profile.bin')).subarray(0, 32)), 'a whole cache with its digest was written again');

  // A failing run makes no cache (it would hold the error path); PYINDEX_CODE_CACHE=0 makes none at all.
  const failed = await runBuilt(['lock', '--config', join(dir, 'missing.yaml')], dir, env);
  t.equal(failed.code, 2);
  const off = await runBuilt(['profile', 'show', 'linux-x86_64-py3.11'], dir, { ...env, PYINDEX_CODE_CACHE: '0' });
  t.equal(off.code, 0, off.stderr);
  t.same(readdirSync(codeDir), ['profile.bin']);

  // A cache directory that cannot be made (a file in its place): the command still works.
  const blocked = join(dir, 'blocked');
  writeFileSync(blocked, 'not a directory');
  const unwritable = await runBuilt(['profile', 'list'], dir, { PYINDEX_CACHE_DIR: blocked });
  t.equal(unwritable.code, 0, unwritable.stderr);
  t.equal(unwritable.stdout, first.stdout);
});

t.test('a working directory removed after the shell entered it: --version works, a command says what is wrong', ifBuilt, async (t) => {
  const dir = t.testdir({});
  const gone = join(dir, 'gone');
  // Without the NODE_OPTIONS tap adds to the processes a test spawns: its preloaded modules ask for the working
  // directory before pyindex starts.
  const inGone = (args: string): ReturnType<typeof spawnSync> =>
    spawnSync('sh', ['-c', `mkdir -p '${gone}' && cd '${gone}' && rmdir '${gone}' && unset NODE_OPTIONS && exec '${process.execPath}' '${builtBin}' ${args}`], {
      env: { ...process.env, CI: '1', PYINDEX_CACHE_DIR: join(dir, 'cache') },
      encoding: 'utf8',
    });
  const version = inGone('--version');
  t.equal(version.status, 0, String(version.stderr));
  const list = inGone('profile list');
  t.equal(list.status, 2, String(list.stderr));
  t.match(String(list.stderr), /E_FILE_NOT_FOUND: the current directory no longer exists/);
  t.match(String(list.stderr), /cd to an existing directory/);
});
