/**
 * The real clients: Debian's `twine upload` against `pyindex serve` (with a
 * password and with `__token__`), then pip (isolated) downloading what was
 * uploaded from the simple API. Skips with the reason when twine or a
 * Python with pip is missing (Debian: `apt-get install -y twine`).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { writeZip } from '../../src/archive/zip-writer.js';
import { createToken } from '../../src/serve/auth/index.js';
import { isolatedEnv, oraclePython } from '../helpers/python.js';
import { addTestUsers, sdist, startUploadServer, tempRoot, wheel, type Dist, type UploadServer } from '../helpers/upload-kit.js';

const twine = spawnSync('twine', ['--version'], { encoding: 'utf8' });
const python = oraclePython();
if (twine.status !== 0) t.plan(0, 'twine is not installed (Debian: apt-get install -y twine)');
else if (python === undefined) t.plan(0, 'no Python with pip for the download check');
else {
  const work = tempRoot('pyindex-twine-');
  const root = join(work, 'root');
  let server: UploadServer;
  t.before(async () => {
    await addTestUsers(join(work, 'root'), [['alice', 'uploader']]);
    server = await startUploadServer(root);
  });
  t.teardown(async () => {
    await server.close(0);
    rmSync(work, { recursive: true, force: true });
  });

  // twine must see neither this machine's ~/.pypirc nor a keyring.
  const env = isolatedEnv({ HOME: work, PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring' });
  for (const k of Object.keys(env)) if (k.startsWith('TWINE_')) delete env[k];

  function writeDists(dir: string, dists: Dist[]): string[] {
    mkdirSync(dir, { recursive: true });
    return dists.map((d) => {
      writeFileSync(join(dir, d.filename), d.data);
      return join(dir, d.filename);
    });
  }

  // Asynchronous: the server under test runs in this process, a spawnSync would block it.
  async function run(file: string, args: string[], runEnv: NodeJS.ProcessEnv): Promise<{ status: number; stdout: string; stderr: string }> {
    const r = await execa(file, args, { env: runEnv, extendEnv: false, reject: false, timeout: 120_000 });
    return { status: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
  }
  function runTwine(url: string, user: string, password: string, files: string[]) {
    return run('twine', ['upload', '--non-interactive', '--disable-progress-bar', '--repository-url', url, '-u', user, '-p', password, ...files], env);
  }

  t.test('twine uploads a wheel and an sdist with a password; the pages list them and pip downloads them', async (t) => {
    const dists = [wheel({ name: 'Twined.Pkg', version: '1.0' }), await sdist('Twined.Pkg', '1.0')];
    const files = writeDists(join(work, 'dist1'), dists);
    const res = await runTwine(server.url, 'alice', 'alice-pw', files);
    t.equal(res.status, 0, `twine: ${res.stdout}${res.stderr}`);
    t.notMatch(`${res.stdout}${res.stderr}`, 'alice-pw', 'the password is not echoed');
    const state = await server.tree.project('twined-pkg');
    t.same(state?.files.map((f) => f.filename).sort(), dists.map((d) => d.filename).sort());

    const out = join(work, 'pip-out');
    const pip = await run(python, ['-m', 'pip', 'download', '--isolated', '--no-deps', '--no-cache-dir', '--only-binary=:all:', '-d', out, '--index-url', `${server.url}simple/`, 'twined-pkg==1.0'], isolatedEnv());
    t.equal(pip.status, 0, `pip: ${pip.stdout}${pip.stderr}`);
    t.same(readdirSync(out), [dists[0]?.filename]);
    t.same(readFileSync(join(out, dists[0]?.filename ?? '')), dists[0]?.data, 'pip got the uploaded bytes');
    const pipSdist = await run(python, ['-m', 'pip', 'download', '--isolated', '--no-deps', '--no-cache-dir', '--no-binary=:all:', '--no-build-isolation', '-d', join(work, 'pip-sdist'), '--index-url', `${server.url}simple/`, 'twined-pkg==1.0'], isolatedEnv());
    // pip download of an sdist runs its build backend for metadata; the file is fetched first either way.
    t.match(`${pipSdist.stdout}${pipSdist.stderr}`, dists[1]?.filename ?? '', 'pip found and fetched the uploaded sdist');
  });

  t.test('twine with __token__ and an API token; re-upload of the same file succeeds; a different file under the name fails with the reason', async (t) => {
    const { token } = await createToken(root, 'alice');
    const v2 = wheel({ name: 'Twined.Pkg', version: '2.0' });
    const files = writeDists(join(work, 'dist2'), [v2]);
    const res = await runTwine(`${server.url}legacy/`, '__token__', token, files);
    t.equal(res.status, 0, `twine: ${res.stdout}${res.stderr}`);
    t.notMatch(`${res.stdout}${res.stderr}`, token.slice(17), 'the token is not echoed');
    const again = await runTwine(server.url, '__token__', token, files);
    t.equal(again.status, 0, `identical re-upload: ${again.stdout}${again.stderr}`);

    const changed = wheel({ name: 'Twined.Pkg', version: '2.0', requires: ['six'] });
    const conflict = await runTwine(server.url, '__token__', token, writeDists(join(work, 'dist3'), [changed]));
    t.not(conflict.status, 0);
    t.match(`${conflict.stdout}${conflict.stderr}`, /409 Conflict/);
    t.match(`${conflict.stdout}${conflict.stderr}`, /already exists/, 'twine shows the reason');

    const denied = await runTwine(server.url, 'alice', 'not-the-password', files);
    t.not(denied.status, 0);
    t.match(`${denied.stdout}${denied.stderr}`, /403|401|Invalid or non-existent authentication/);
  });

  t.test('a large upload with a wrong password: twine (which sends the whole body first) still reads the 401, not a reset', async (t) => {
    const info = 'big_pkg-1.0.dist-info';
    const data = writeZip([
      { name: 'big_pkg/blob.bin', data: randomBytes(24 * 1024 * 1024) },
      { name: `${info}/METADATA`, data: Buffer.from('Metadata-Version: 2.1\nName: big-pkg\nVersion: 1.0\n') },
      { name: `${info}/WHEEL`, data: Buffer.from('Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n') },
      { name: `${info}/RECORD`, data: Buffer.from('') },
    ]);
    const files = writeDists(join(work, 'dist-big'), [{ filename: 'big_pkg-1.0-py3-none-any.whl', data, name: 'big-pkg', version: '1.0', filetype: 'bdist_wheel' }]);
    const res = await runTwine(server.url, 'alice', 'wrong', files);
    t.not(res.status, 0);
    const output = `${res.stdout}${res.stderr}`;
    t.match(output, /401|Invalid or non-existent authentication/, 'twine reports the refusal');
    t.notMatch(output, /ConnectionError|Connection aborted|Broken pipe/);
  });
}
