/**
 * The bundled CLI (`npm run build` → dist/bundle, what bin/pyindex.js runs)
 * must work like the sources the other tests run through tsx: the modules it
 * loads on demand (execa, listr2, tar-stream, htmlparser2) are separate chunks,
 * and CommonJS ones arrive shaped differently when bundled.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { buildIndex, projectRoot, sharedAvailable } from '../helpers/mkindex.js';
import { startStaticServer } from '../helpers/static-server.js';

const bin = join(projectRoot, 'bin', 'pyindex.js');
const built = existsSync(join(projectRoot, 'dist', 'bundle', 'pyindex.js'));

function runBin(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, CI: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

t.test('bundled CLI', { skip: built ? false : 'dist/bundle is not built (npm run build)' }, async (t) => {
  const dir = t.testdir({});
  const version = await runBin(['--version'], dir);
  t.equal(version.code, 0);
  t.match(version.stdout, /^\d+\.\d+\.\d+/);

  // The bundle is minified; with PYINDEX_DEBUG its stack traces name the sources (bin/pyindex.js enables source maps).
  const debug = await runBin(['lock', '--config', join(dir, 'missing.yaml')], dir, { PYINDEX_DEBUG: '1' });
  t.equal(debug.code, 2, debug.stderr);
  t.match(debug.stderr, /src\/config\/load\.ts:\d+/, 'stack trace mapped back to src/');

  const detect = await runBin(['profile', 'detect', '--python', 'python3', '--json'], dir);
  t.equal(detect.code, 0, detect.code ? detect.stderr : 'execa chunk');
  t.ok((JSON.parse(detect.stdout) as { tags: string[] }).tags.length > 10);

  if (sharedAvailable()) {
    const root = buildIndex('corpus/pypi-2020/index/pypi-2020-02-13-chalice.json', ['--json', '--metadata']);
    const server = await startStaticServer(root, { negotiate: true });
    t.teardown(() => server.close());
    writeFileSync(join(dir, 'pyindex.yaml'), `index: ${server.url}/simple/\njobs:\n  aws:\n    requires: [chalice]\n    profiles: [linux-x86_64-py3.11, windows-amd64-py3.11]\n`);
    const lock = await runBin(['lock'], dir, { PYINDEX_CACHE_DIR: join(dir, 'cache') });
    t.equal(lock.code, 0, lock.code ? lock.stderr : 'lock over HTTP');
    t.match(lock.stdout, /aws × linux-x86_64-py3\.11: \d+ packages/);
  }

  if (spawnSync('script', ['--version']).status === 0) {
    const { CI: _ci, ...env } = process.env;
    const raw = execFileSync('script', ['-qec', `stty cols 160 rows 50; node ${bin} demo --dir ${join(dir, 'demo')}`, '/dev/null'], {
      cwd: dir,
      env: { ...env, TERM: 'xterm' },
      encoding: 'utf8',
    });
    t.match(raw, /✔ talos × linux64-py311: \d+ packages/, 'listr2 chunk on a TTY');
  }
});
