/**
 * The tree is a static PEP 503 tree: Debian's nginx serving the same root
 * (no pyindex in the request path) is an index pip installs from and
 * `pyindex lock` resolves against — HTML pages, relative links, PEP 658
 * metadata files, and the PEP 691 JSON pages (`index.json`) for clients
 * whose Accept asks for them. The configuration is the one the README
 * documents.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { projectRoot } from '../helpers/mkindex.js';
import { nginxSiteConfig, nginxSkipReason, startNginx } from '../helpers/nginx.js';
import { isolatedEnv, pyenvRoot } from '../helpers/python.js';
import { populateClientTree } from '../helpers/serve-dists.js';

const pyenv = pyenvRoot();
const python = pyenv ? join(pyenv, 'versions', '3.13.0', 'bin', 'python') : undefined;
const skip = nginxSkipReason();
if (skip) console.log(`# skipping the nginx tests: ${skip}`);

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string | undefined; location: string | undefined; vary: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], location: res.headers.location, vary: res.headers.vary, body }));
    })
      .on('error', reject)
      .end();
  });
}

t.test('nginx serving the tree root: pip installs, pyindex lock resolves', { skip }, async (t) => {
  const dir = t.testdir({});
  const treeDir = join(dir, 'tree');
  await populateClientTree(treeDir);
  const nginx = await startNginx(treeDir);
  t.teardown(() => nginx.stop());
  const index = `${nginx.url}simple/`;

  const page = await get(`${index}lib/`);
  t.equal(page.status, 200);
  t.equal(page.type, 'text/html');
  t.equal(page.body, readFileSync(join(treeDir, 'simple', 'lib', 'index.html'), 'utf8'), 'the same bytes as pyindex serve');
  t.equal((await get(`${index}lib`)).status, 301, 'nginx adds the trailing slash itself');
  t.equal((await get(`${index}lib/index.json`)).type, 'application/vnd.pypi.simple.v1+json');
  const json = await get(`${index}lib/`, { Accept: 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01' });
  t.equal(json.type, 'application/vnd.pypi.simple.v1+json', "pip's Accept gets the PEP 691 JSON page");
  t.equal(json.body, readFileSync(join(treeDir, 'simple', 'lib', 'index.json'), 'utf8'));
  t.equal(json.vary, 'Accept');
  t.equal((await get(`${index}`, { Accept: 'application/vnd.pypi.simple.v1+json' })).body, readFileSync(join(treeDir, 'simple', 'index.json'), 'utf8'), 'the root page too');
  t.equal((await get(`${index}lib/`, { Accept: 'text/html' })).type, 'text/html');
  t.equal((await get(`${nginx.url}.pyindex/projects/lib.json`)).status, 404, 'the state directory is hidden');

  t.test('pip install', { skip: python && existsSync(python) ? false : 'no pyenv Python 3.13.0' }, async (t) => {
    const target = join(dir, 'pip-target');
    const res = spawnSync(python as string, ['-m', 'pip', 'install', '--isolated', '--no-cache-dir', '--no-compile', '--index-url', index, '--target', target, 'app'], { env: isolatedEnv(), encoding: 'utf8' });
    t.equal(res.status, 0, `${res.stdout}\n${res.stderr}`);
    t.ok(existsSync(join(target, 'lib-1.0.dist-info', 'METADATA')), 'lib 1.0 chosen (2.0 needs Python >= 3.99)');
    t.ok(existsSync(join(target, 'app', '__init__.py')));
  });

  t.test('pyindex lock', async (t) => {
    const project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'pyindex.yaml'), `index: ${index}\nprofiles:\n  linux: { platform: linux-x86_64, python: "3.11" }\njobs:\n  build:\n    requires: ["app"]\n    profiles: [linux]\n`);
    const lock = await runCli(['lock'], { cwd: project, env: { PYINDEX_CACHE_DIR: join(dir, 'cache') } });
    t.equal(lock.code, 0, lock.stderr);
    const text = readFileSync(join(project, 'pyindex.lock.yaml'), 'utf8');
    t.match(text, /lib-1\.0-py3-none-any\.whl/);
    t.notMatch(text, /lib-2\.0/);
  });

  t.test('nginx logged the requests (it really served them)', async (t) => {
    const access = readFileSync(join(nginx.dir, 'access.log'), 'utf8');
    t.match(access, /GET \/files\/lib\/lib-1\.0-py3-none-any\.whl/);
    t.ok(readdirSync(join(treeDir, 'files', 'lib')).length > 0);
  });
});

t.test("the README's nginx configuration is the one tested here", async (t) => {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
  const m = /^( *)```nginx\n([\s\S]*?)^\1```/m.exec(readme);
  const indent = m?.[1] ?? '';
  const block = (m?.[2] ?? '').split('\n').map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l)).join('\n');
  t.equal(block, nginxSiteConfig('/srv/pyindex', '80'));
});
