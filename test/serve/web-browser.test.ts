/**
 * The web UI in a real browser: Debian's headless Chromium driven by
 * playwright-core, against a real `pyindex serve` process (the CLI) on
 * 127.0.0.1. The project list and its search (with the script, and without
 * it through `?q=`), a project page (versions, files, sizes, hashes, upload
 * times, the yank mark and a hostile reason shown as text, never run), and
 * uploads through the form: with credentials it is stored, then served in
 * /simple/, installed by pip and locked by `pyindex lock`; with wrong
 * credentials, or with the credential prompt dismissed, the page says why
 * and nothing is stored. Screenshots go to test/.screenshots/ (ignored by
 * git); their paths are printed.
 *
 * Playwright launches each browser with a fresh temporary profile
 * (`--user-data-dir`, removed on close); it refuses that flag from us.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { openTree } from '../../src/serve/tree/index.js';
import { runCli } from '../helpers/cli.js';
import { projectRoot } from '../helpers/mkindex.js';
import { isolatedEnv, oraclePython } from '../helpers/python.js';
import { startServeCli, type ServeProcess } from '../helpers/serve-cli.js';
import { makeSdist, makeWheel, sha256Hex } from '../helpers/serve-dists.js';
import { addTestUsers, tempRoot } from '../helpers/upload-kit.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const XSS = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">`;

if (!existsSync(CHROMIUM)) t.plan(0, `${CHROMIUM} is missing (Debian: apt-get install -y chromium)`);
else {
  const work = tempRoot('pyindex-web-browser-');
  const root = join(work, 'root');
  const shots = join(projectRoot, 'test', '.screenshots');
  let server: ServeProcess;
  let browser: Browser;
  const upload = makeWheel({ name: 'Web.Uploaded', version: '1.0', requires: [] });
  const refused = makeWheel({ name: 'Web.Uploaded', version: '2.0' });

  t.before(async () => {
    const tree = openTree(root);
    const dists = [makeWheel({ name: 'Foo_Bar', version: '1.0' }), makeWheel({ name: 'Foo_Bar', version: '2.0', requiresPython: '>=3.8' }), await makeSdist({ name: 'Foo_Bar', version: '2.0' }), makeWheel({ name: 'other', version: '0.1' }), makeWheel({ name: 'another-tool', version: '3.1' })];
    for (const d of dists) await tree.addFile({ filename: d.filename, bytes: d.bytes, sha256: d.sha256, uploader: 'alice' });
    await tree.setYanked('foo-bar', '1.0', XSS);
    await addTestUsers(root);
    for (const d of [upload, refused]) writeFileSync(join(work, d.filename), d.bytes);
    mkdirSync(shots, { recursive: true });
    server = await startServeCli(root);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  t.teardown(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  async function withPage<T>(options: Parameters<Browser['newContext']>[0], fn: (page: Page, context: BrowserContext) => Promise<T>): Promise<T> {
    const context = await browser.newContext(options);
    try {
      return await fn(await context.newPage(), context);
    } finally {
      await context.close();
    }
  }

  async function screenshot(t: Test, page: Page, name: string): Promise<void> {
    const path = join(shots, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    t.ok(readFileSync(path).subarray(1, 4).toString() === 'PNG', `screenshot ${name}.png written`);
    t.comment(`screenshot: ${path}`);
  }

  const visibleProjects = (page: Page): Promise<string[]> => page.locator('#projects li:visible a').allTextContents();

  /** Submits the upload form with `file`; returns the answer's status (undefined when the browser showed no answer). */
  async function submitUpload(page: Page, file: string): Promise<number | undefined> {
    await page.goto(`${server.url}upload/`);
    await page.setInputFiles('#upload-content', join(work, file));
    const [response] = await Promise.all([page.waitForNavigation(), page.click('#upload-submit')]);
    return response?.status();
  }

  function get(url: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      request(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
        .on('error', reject)
        .end();
    });
  }

  t.test('the project list, and its search as one types', (t) =>
    withPage({}, async (page) => {
      await page.goto(server.url);
      t.equal(await page.title(), 'Projects · pyindex');
      t.same(await visibleProjects(page), ['another-tool', 'Foo_Bar', 'other']);
      t.equal(await page.textContent('#project-count'), '3 projects');
      await page.fill('#search-q', 'foo.b');
      t.same(await visibleProjects(page), ['Foo_Bar'], 'filtered by the script, names matched normalized');
      t.equal(await page.textContent('#project-count'), '1 of 3 projects match');
      t.equal(new URL(page.url()).search, '?q=foo.b', 'the filter is in the address, so it can be linked');
      await page.fill('#search-q', 'o');
      t.same(await visibleProjects(page), ['another-tool', 'Foo_Bar', 'other'], 'a wider query shows more again');
      await page.fill('#search-q', 'nothing-like-it');
      t.same(await visibleProjects(page), []);
      t.ok(await page.isVisible('#no-match'), '"No project matches." is shown');
      await page.fill('#search-q', 'ot');
      await screenshot(t, page, 'web-projects-search');
    }),
  );

  t.test('the search works without scripts (?q= answered by the server)', (t) =>
    withPage({ javaScriptEnabled: false }, async (page) => {
      await page.goto(server.url);
      await page.fill('#search-q', 'another');
      await Promise.all([page.waitForNavigation(), page.press('#search-q', 'Enter')]);
      t.equal(new URL(page.url()).search, '?q=another');
      t.same(await visibleProjects(page), ['another-tool']);
      t.equal(await page.textContent('#project-count'), '1 of 3 projects match');
    }),
  );

  t.test('a project page: versions, files, sizes, hashes, upload times, the yank mark and its reason as text', (t) =>
    withPage({}, async (page) => {
      await page.goto(server.url);
      await Promise.all([page.waitForNavigation(), page.click('text=Foo_Bar')]);
      t.equal(new URL(page.url()).pathname, '/project/foo-bar/');
      t.same(await page.locator('section.version h2').allTextContents(), ['2.0', '1.0 yanked']);
      const state = await openTree(root).project('foo-bar');
      t.equal(state?.files.length, 3);
      for (const f of state?.files ?? []) {
        const row = page.locator(`tr[data-filename="${f.filename}"]`);
        t.equal(await row.locator('td.filename a').textContent(), f.filename);
        t.equal(await row.locator('td.size').getAttribute('title'), `${f.size} bytes`);
        t.equal(await row.locator('td.size').textContent(), `${f.size} B`);
        t.equal(await row.locator('code.sha256').textContent(), f.sha256);
        t.equal(await row.locator('time').getAttribute('datetime'), f.uploadTime);
        t.equal(await row.locator('.yanked-mark').count(), f.version === '1.0' ? 1 : 0, `${f.filename}: yank mark`);
      }
      t.equal(await page.textContent('section#v-1\\.0 p.yank-reason'), `Yanked: ${XSS}`, 'the hostile reason is shown as text');
      t.equal(await page.evaluate('window.__xss'), undefined, 'and never ran');
      t.equal(await page.locator('img').count(), 0, 'no element was injected');
      t.equal(await page.textContent('tr[data-filename="foo_bar-2.0-py3-none-any.whl"] td.requires-python'), '>=3.8');
      await screenshot(t, page, 'web-project');

      // A download from the page is the tree's file, byte for byte.
      const wheelRow = page.locator('tr[data-filename="foo_bar-2.0-py3-none-any.whl"] td.filename a');
      const [download] = await Promise.all([page.waitForEvent('download'), wheelRow.click()]);
      const saved = join(work, 'downloaded.whl');
      await download.saveAs(saved);
      t.equal(sha256Hex(readFileSync(saved)), state?.files.find((f) => f.filename === 'foo_bar-2.0-py3-none-any.whl')?.sha256, 'the downloaded file has the listed sha256');
    }),
  );

  t.test('uploading without credentials (prompt dismissed) or with wrong ones fails with the reason; nothing is stored', async (t) => {
    await withPage({}, async (page, context) => {
      // No user at the browser: answer its credential prompt with Cancel, as a person would.
      const cdp = await context.newCDPSession(page);
      let prompts = 0;
      cdp.on('Fetch.requestPaused', (e) => void cdp.send('Fetch.continueRequest', { requestId: e.requestId }));
      cdp.on('Fetch.authRequired', (e) => {
        prompts++;
        void cdp.send('Fetch.continueWithAuth', { requestId: e.requestId, authChallengeResponse: { response: 'CancelAuth' } });
      });
      await cdp.send('Fetch.enable', { handleAuthRequests: true, patterns: [{ urlPattern: '*/upload/*' }] });
      t.equal(await submitUpload(page, refused.filename), 401);
      t.equal(prompts, 1, 'the browser was asked for credentials');
      t.equal(await page.textContent('h1'), 'Upload refused: 401 Unauthorized');
      t.match(await page.textContent('#upload-result'), /^authentication required \(HTTP Basic/);
      await screenshot(t, page, 'web-upload-no-credentials');
    });
    await withPage({ httpCredentials: { username: 'alice', password: 'not-her-password' } }, async (page) => {
      t.equal(await submitUpload(page, refused.filename), 401);
      t.match(await page.textContent('#upload-result'), 'invalid credentials for "alice"');
    });
    t.notOk(existsSync(join(root, 'files', 'web-uploaded')), 'no file of the project in the tree');
    t.equal((await get(`${server.url}simple/web-uploaded/`)).status, 404);
  });

  t.test('uploading through the form with credentials: stored, in /simple/, installable and lockable', async (t) => {
    await withPage({ httpCredentials: { username: 'alice', password: 'alice-pw' } }, async (page) => {
      t.equal(await submitUpload(page, upload.filename), 200);
      t.equal(await page.textContent('h1'), 'Uploaded');
      t.equal(await page.textContent('#upload-result'), `OK: stored ${upload.filename}`);
      await screenshot(t, page, 'web-upload-ok');
      await Promise.all([page.waitForNavigation(), page.click('#upload-result + p a >> nth=0')]);
      t.equal(new URL(page.url()).pathname, '/project/web-uploaded/');
      t.equal(await page.textContent('h1'), 'Web.Uploaded');
      t.equal(await page.textContent(`tr[data-filename="${upload.filename}"] code.sha256`), upload.sha256);
      t.match(await page.textContent(`tr[data-filename="${upload.filename}"] td.uploaded`), 'by alice');

      t.equal(await submitUpload(page, upload.filename), 200, 'the same file again');
      t.match(await page.textContent('#upload-result'), 'already stored with identical content');
    });

    const simple = await get(`${server.url}simple/web-uploaded/`);
    t.equal(simple.status, 200);
    t.match(simple.body, `href="../../files/web-uploaded/${upload.filename}#sha256=${upload.sha256}"`);

    const python = oraclePython();
    t.test('pip installs it', { skip: python === undefined ? 'no Python with pip' : false }, async (t) => {
      const target = join(work, 'pip-target');
      const res = spawnSync(python as string, ['-m', 'pip', 'install', '--isolated', '--no-cache-dir', '--no-compile', '--index-url', `${server.url}simple/`, '--target', target, 'web.uploaded==1.0'], { env: isolatedEnv(), encoding: 'utf8' });
      t.equal(res.status, 0, `${res.stdout}\n${res.stderr}`);
      t.ok(existsSync(join(target, 'web_uploaded', '__init__.py')));
    });

    t.test('pyindex lock resolves it', async (t) => {
      const project = join(work, 'project');
      mkdirSync(project, { recursive: true });
      writeFileSync(join(project, 'pyindex.yaml'), `index: ${server.url}simple/\nprofiles:\n  linux: { platform: linux-x86_64, python: "3.11" }\njobs:\n  build:\n    requires: ["web-uploaded"]\n    profiles: [linux]\n`);
      const lock = await runCli(['lock', '--config', join(project, 'pyindex.yaml')], { env: { PYINDEX_CACHE_DIR: join(work, 'cache') } });
      t.equal(lock.code, 0, lock.stderr);
      const text = readFileSync(join(project, 'pyindex.lock.yaml'), 'utf8');
      t.match(text, upload.filename);
      t.match(text, upload.sha256);
    });
  });
}
