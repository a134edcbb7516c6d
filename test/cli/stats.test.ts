/**
 * `pyindex stats` over a fleet of real `pyindex serve` processes on
 * 127.0.0.1: downloads made by real clients (plain GETs, and pip resolving
 * and downloading through the simple API), then summed from roots and stats
 * URLs — exact counts, a mirror given twice (as root and URL) counted
 * once, a `--read-auth` mirror read with credentials in its URL, every
 * `--by`, `--since`/`--until` on logs made by code, `--json`; bad input:
 * an unreachable URL, something that is not a stats URL, a malformed log
 * line, a bad date, a missing path.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { StatsReport } from '../../src/serve/stats/index.js';
import { openTree } from '../../src/serve/tree/index.js';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/nginx.js';
import { isolatedEnv, oraclePython } from '../helpers/python.js';
import { startTinyproxy, tinyproxyMissing } from '../helpers/tinyproxy.js';
import { startServeCli, type ServeProcess } from '../helpers/serve-cli.js';
import { makeSdist, makeWheel, type BuiltDist } from '../helpers/serve-dists.js';
import { addTestUsers, basic, httpRequest, tempRoot, waitUntil } from '../helpers/upload-kit.js';

const work = tempRoot('pyindex-stats-cli-');
const rootA = join(work, 'a');
const rootB = join(work, 'b');
let a: ServeProcess;
let b: ServeProcess;
let lib: BuiltDist;
let libSdist: BuiltDist;
let app: BuiltDist;
const python = oraclePython();
const bAuth = { Authorization: basic('alice', 'alice-pw') };

const mirrorOf = (root: string): string => readFileSync(join(root, '.pyindex', 'mirror-id'), 'utf8').trim();
const logLines = (root: string): number => {
  const dir = join(root, '.pyindex', 'downloads');
  let n = 0;
  for (const f of (() => { try { return readdirSync(dir); } catch { return []; } })()) n += readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== '').length;
  return n;
};

async function stats(args: string[]): Promise<{ code: number; report: StatsReport; stdout: string; stderr: string }> {
  const res = await runCli(['stats', ...args, '--json']);
  return { ...res, report: (res.code === 0 ? JSON.parse(res.stdout) : {}) as StatsReport };
}

t.before(async () => {
  lib = makeWheel({ name: 'lib', version: '1.0' });
  libSdist = await makeSdist({ name: 'lib', version: '1.0' });
  app = makeWheel({ name: 'app', version: '2.0', requires: ['lib>=1'] });
  for (const root of [rootA, rootB]) {
    const tree = openTree(root);
    for (const d of [lib, libSdist, app]) await tree.addFile({ filename: d.filename, bytes: d.bytes, sha256: d.sha256 });
  }
  await addTestUsers(rootB, [['alice', 'reader']]);
  [a, b] = await Promise.all([startServeCli(rootA), startServeCli(rootB, ['--read-auth'])]);
});
t.teardown(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  rmSync(work, { recursive: true, force: true });
});

// Mirror A: 3 × lib wheel, 1 × lib sdist, 1 × app, and requests that are no downloads.
// Mirror B: what pip downloads for `app` (app + lib, or the same by plain GETs without pip), and 2 × lib wheel.
const EXPECTED_A = { lib: 4, app: 1 };
const EXPECTED_B = { lib: 3, app: 1 };

t.test('downloads by real clients on two mirrors', async (t) => {
  const fileA = (d: BuiltDist, p: string) => `${a.url}files/${p}/${d.filename}`;
  for (let i = 0; i < 3; i++) t.equal((await httpRequest(fileA(lib, 'lib'), undefined)).status, 200);
  t.equal((await httpRequest(fileA(libSdist, 'lib'), undefined)).status, 200);
  t.equal((await httpRequest(fileA(app, 'app'), undefined)).status, 200);
  t.equal((await httpRequest(fileA(lib, 'lib'), undefined, { headers: { Range: 'bytes=-100' } })).status, 206, 'a partial read is no download');
  t.equal((await httpRequest(`${fileA(lib, 'lib')}.metadata`, undefined)).status, 200, 'nor is a metadata file');

  if (python !== undefined) {
    const index = b.url.replace('http://', 'http://alice:alice-pw@');
    const res = spawnSync(python, ['-m', 'pip', 'download', '--isolated', '--no-cache-dir', '--only-binary=:all:', '-d', join(work, 'pip-out'), '--index-url', `${index}simple/`, 'app'], { env: isolatedEnv(), encoding: 'utf8' });
    t.equal(res.status, 0, `pip download: ${res.stdout}${res.stderr}`);
    t.same(readdirSync(join(work, 'pip-out')).sort(), [app.filename, lib.filename].sort(), 'pip fetched app and its dependency');
  } else {
    t.comment('no Python with pip: mirror B downloads by plain GETs');
    for (const [d, p] of [[app, 'app'], [lib, 'lib']] as const) t.equal((await httpRequest(`${b.url}files/${p}/${d.filename}`, undefined, { headers: bAuth })).status, 200);
  }
  for (let i = 0; i < 2; i++) t.equal((await httpRequest(`${b.url}files/lib/${lib.filename}`, undefined, { headers: bAuth })).status, 200);
  await waitUntil(() => logLines(rootA) === 5 && logLines(rootB) === 4, 'both download logs are written');
  t.not(mirrorOf(rootA), mirrorOf(rootB), 'each root has its own mirror id');
});

t.test('summed across mirrors, by project; a mirror given as root and as URL counts once', async (t) => {
  const bUrl = b.url.replace('http://', 'http://alice:alice-pw@');
  const res = await stats([rootA, bUrl, a.url, rootA]);
  t.equal(res.code, 0, res.stderr);
  t.equal(res.report.total, 9);
  t.same(res.report.rows, [
    { project: 'lib', downloads: EXPECTED_A.lib + EXPECTED_B.lib },
    { project: 'app', downloads: EXPECTED_A.app + EXPECTED_B.app },
  ]);
  t.same(res.report.mirrors.map((m) => [m.mirror, m.downloads]).sort(), [[mirrorOf(rootA), 5], [mirrorOf(rootB), 4]].sort());
  const daysA = readdirSync(join(rootA, '.pyindex', 'downloads')).length;
  t.equal(res.report.duplicates.length, 2 * daysA, "each of mirror A's days met three times, counted once");
  t.match(res.stderr, /warning: mirror .* is in both .* and .*: counted once/);
  t.notMatch(res.stdout + res.stderr, 'alice-pw', 'the password is never printed');

  const table = await runCli(['stats', rootA, bUrl, a.url]);
  t.equal(table.code, 0);
  const lines = table.stdout.trimEnd().split('\n');
  t.same(lines.slice(0, 4), ['PROJECT  DOWNLOADS', 'lib              7', 'app              2', 'total            9']);
  t.equal(lines[4], `9 download(s) from 2 mirror(s); ${daysA} mirror-day(s) found in more than one source, counted once`);
});

t.test('--by version, file, day, mirror', async (t) => {
  const bUrl = b.url.replace('http://', 'http://alice:alice-pw@');
  const byVersion = await stats([rootA, bUrl, '--by', 'version']);
  t.same(byVersion.report.rows, [
    { project: 'lib', version: '1.0', downloads: 7 },
    { project: 'app', version: '2.0', downloads: 2 },
  ]);
  const byFile = await stats([rootA, bUrl, '--by', 'file']);
  t.same(byFile.report.rows, [
    { project: 'lib', version: '1.0', filename: lib.filename, downloads: 6 },
    { project: 'app', version: '2.0', filename: app.filename, downloads: 2 },
    { project: 'lib', version: '1.0', filename: libSdist.filename, downloads: 1 },
  ]);
  const byDay = await stats([rootA, bUrl, '--by', 'day']);
  t.equal(byDay.report.rows.reduce((n, r) => n + r.downloads, 0), 9);
  t.same(byDay.report.rows.map((r) => r.day), readdirSync(join(rootA, '.pyindex', 'downloads')).map((f) => f.slice(0, 10)).sort(), 'one row per UTC day of the logs');
  const byMirror = await stats([rootA, bUrl, '--by', 'mirror']);
  t.same(byMirror.report.rows.map((r) => [r.mirror, r.downloads]).sort(), [[mirrorOf(rootA), 5], [mirrorOf(rootB), 4]].sort());
  const fileTable = await runCli(['stats', rootA, '--by', 'file']);
  t.match(fileTable.stdout, new RegExp(`^PROJECT  VERSION  FILE {2,}DOWNLOADS\\nlib      1\\.0      ${lib.filename.replace(/\./g, '\\.')}  +3\\n`));
});

t.test('--since and --until on logs written by code; malformed lines are reported, not fatal', async (t) => {
  const logs = join(work, 'old-logs');
  mkdirSync(logs);
  const rec = (day: string, project: string, mirror = 'old-mirror') => `${JSON.stringify({ time: `${day}T12:00:00.000Z`, project, version: '1.0', filename: `${project}-1.0.tar.gz`, userAgent: 'x', mirror })}\n`;
  writeFileSync(join(logs, '2024-01-01.jsonl'), rec('2024-01-01', 'x') + rec('2024-01-01', 'y'));
  writeFileSync(join(logs, '2024-01-02.jsonl'), rec('2024-01-02', 'x') + '{"broken": \n' + rec('2024-01-02', 'x'));
  writeFileSync(join(logs, '2024-01-03.jsonl'), rec('2024-01-03', 'y') + rec('2024-01-03', 'x', 'other-mirror'));
  writeFileSync(join(logs, '2024-01-04.jsonl'), rec('2024-01-04', 'x'));

  const all = await stats([logs, '--by', 'day']);
  t.equal(all.code, 0, 'a malformed line does not fail the command');
  t.same(all.report.rows, [
    { day: '2024-01-01', downloads: 2 },
    { day: '2024-01-02', downloads: 2 },
    { day: '2024-01-03', downloads: 2 },
    { day: '2024-01-04', downloads: 1 },
  ]);
  t.same(all.report.problems, [{ source: join(logs, '2024-01-02.jsonl'), line: 2, reason: 'not JSON: "{\\"broken\\":"' }]);
  t.match(all.stderr, `warning: ${join(logs, '2024-01-02.jsonl')}:2: not JSON`);

  const range = await stats([logs, '--since', '2024-01-02', '--until', '2024-01-03']);
  t.equal(range.report.total, 4);
  t.same(range.report.rows, [
    { project: 'x', downloads: 3 },
    { project: 'y', downloads: 1 },
  ]);
  t.same([range.report.since, range.report.until], ['2024-01-02', '2024-01-03']);
  t.equal((await stats([logs, '--since', '2024-01-04'])).report.total, 1);
  t.equal((await stats([logs, '--until', '2024-01-01'])).report.total, 2);
  t.equal((await stats([join(logs, '2024-01-03.jsonl'), '--by', 'mirror'])).report.rows.length, 2, 'one file, two mirrors');
  t.equal((await stats([rootA, '--since', '2000-01-01', '--until', '2000-01-02'])).report.total, 0);
  t.equal((await stats([a.url, '--until', '2000-01-02'])).report.total, 0, 'a URL source honours the range too');
});

t.test('bad input: clear errors with their exit codes', async (t) => {
  const port = await freePort();
  const unreachable = await runCli(['stats', `http://127.0.0.1:${port}/`]);
  t.equal(unreachable.code, 3);
  t.match(unreachable.stderr, `error E_NETWORK: cannot reach http://127.0.0.1:${port}/stats/days/: ECONNREFUSED`);
  t.match(unreachable.stderr, 'hint:');

  const noCredentials = await runCli(['stats', b.url]);
  t.equal(noCredentials.code, 2);
  t.match(noCredentials.stderr, /error E_AUTH_FAILED: .* answered 401/);
  t.match(noCredentials.stderr, 'http://user:password@host/');

  const notStats = await runCli(['stats', `${a.url}simple/`]);
  t.equal(notStats.code, 3);
  t.match(notStats.stderr, /error E_HTTP: .*simple\/stats\/days\/ answered 404/);

  const missing = await runCli(['stats', join(work, 'nowhere')]);
  t.equal(missing.code, 2);
  t.match(missing.stderr, /error E_FILE_NOT_FOUND: .*nowhere does not exist/);

  t.match((await runCli(['stats', rootA, '--since', '2024-13-01'])).stderr, 'error E_USAGE: --since must be a day written YYYY-MM-DD, got "2024-13-01"');
  t.equal((await runCli(['stats', rootA, '--since', '2024-02-01', '--until', '2024-01-01'])).code, 2);
  t.match((await runCli(['stats', rootA, '--by', 'week'])).stderr, 'error E_USAGE: --by must be one of project, version, file, day, mirror');
  t.equal((await runCli(['stats'])).code, 2, 'a SOURCE is required');
});

t.test('pyindex --help lists the command; stats --help gives its usage', async (t) => {
  t.match((await runCli(['--help'])).stdout, /\n {2}stats +sum the downloads of pyindex serve mirrors/);
  t.match((await runCli(['stats', '--help'])).stdout, 'usage: pyindex stats SOURCE... [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--by project|version|file|day|mirror] [--json]');
});

t.test('a mirror URL is read through the proxy the environment names, as index pages are', async (t) => {
  const missing = tinyproxyMissing();
  if (missing) {
    t.comment(`skipped: ${missing}`);
    return t.pass('skipped');
  }
  const proxy = await startTinyproxy(work);
  t.teardown(() => proxy.close());
  const res = await runCli(['stats', a.url, '--json'], { env: { http_proxy: proxy.url, no_proxy: '', NO_PROXY: '' } });
  t.equal(res.code, 0, res.stderr);
  t.ok(proxy.requests().includes(`GET ${a.url}stats/days/ HTTP/1.1`), 'the days listing came through the proxy');
  t.ok(proxy.requests().some((r) => r.startsWith(`GET ${a.url}stats/days/2`)), 'and the day documents');
});
