/**
 * Download statistics, library side: log lines and their problems, the
 * incremental log reader (appends, a line still being written, a replaced
 * or truncated file, an absurdly long line), summing sources without
 * counting a mirror-day twice, and a server's `/stats/days/` routes over
 * real HTTP after real downloads. `pyindex stats` against several real
 * servers is test/cli/stats.test.ts.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import { LogFileReader, parseLogLine, readPathSource, readUrlSource, statsBaseUrl, sumStats, type MirrorDay, type SourceCounts } from '../../src/serve/stats/index.js';
import { openTree } from '../../src/serve/tree/index.js';
import { makeWheel } from '../helpers/serve-dists.js';
import { httpRequest, tempRoot, waitUntil } from '../helpers/upload-kit.js';

const work = tempRoot('pyindex-stats-');
t.teardown(() => rmSync(work, { recursive: true, force: true }));

const line = (mirror: string, time: string, project: string, version = '1.0', filename = `${project}-${version}-py3-none-any.whl`): string =>
  `${JSON.stringify({ time, project, version, filename, userAgent: 'test', mirror })}\n`;

t.test('log lines: what counts and what is reported', async (t) => {
  t.same(parseLogLine(line('m', '2024-03-01T10:00:00.000Z', 'a').trim()), { mirror: 'm', day: '2024-03-01', project: 'a', version: '1.0', filename: 'a-1.0-py3-none-any.whl' });
  t.match(parseLogLine('{"time": "2024-03-01T'), { problem: /^not JSON/ });
  t.match(parseLogLine('[1,2]'), { problem: 'not a JSON object' });
  t.match(parseLogLine(JSON.stringify({ time: '2024-03-01T00:00:00Z', project: 'a', version: '1', filename: 'f' })), { problem: '"mirror" is missing or not a string' });
  t.match(parseLogLine(JSON.stringify({ time: '2024-02-30T00:00:00Z', project: 'a', version: '1', filename: 'f', mirror: 'm' })), { problem: /"time" .* is not an ISO 8601 time/ });
});

t.test('the log reader: increments, a line being written, malformed lines, a replaced or truncated file', async (t) => {
  const file = join(work, 'inc.jsonl');
  writeFileSync(file, line('m', '2024-03-01T01:00:00Z', 'a') + line('m', '2024-03-01T02:00:00Z', 'a') + 'garbage\n' + line('m', '2024-03-01T03:00:00Z', 'b'));
  const reader = new LogFileReader(file);
  t.equal(await reader.update(), true);
  const totals = (): Record<string, number> => Object.fromEntries(reader.mirrorDays().flatMap((md) => md.files.map((f) => [f.project, f.count])));
  t.same(totals(), { a: 2, b: 1 });
  t.same(reader.issues(), [{ source: file, line: 3, reason: 'not JSON: "garbage"' }]);

  const next = line('m', '2024-03-01T04:00:00Z', 'b');
  appendFileSync(file, next.slice(0, 20));
  await reader.update();
  t.same(totals(), { a: 2, b: 1 }, 'a line without its newline yet is not counted');
  appendFileSync(file, next.slice(20) + line('m', '2024-03-01T05:00:00Z', 'c'));
  await reader.update();
  t.same(totals(), { a: 2, b: 2, c: 1 }, 'only the appended lines are read, each once');
  t.equal(reader.issues().length, 1);

  appendFileSync(file, line('m', '2024-03-01T06:00:00Z', 'd').trimEnd());
  await reader.update(true);
  t.same(totals(), { a: 2, b: 2, c: 1, d: 1 }, 'final: a complete last line without newline counts');

  const replacement = `${file}.new`;
  writeFileSync(replacement, line('m', '2024-03-01T07:00:00Z', 'z'));
  renameSync(replacement, file);
  await reader.update();
  t.same(totals(), { z: 1 }, 'a replaced file is read from the start');
  t.same(reader.issues(), []);
  truncateSync(file, 0);
  appendFileSync(file, line('m', '2024-03-01T08:00:00Z', 'y'));
  await reader.update();
  t.same(totals(), { y: 1 }, 'so is a truncated one');

  const both = await Promise.all([reader.update(), reader.update(), reader.update()]);
  t.same(both, [true, true, true]);
  t.same(totals(), { y: 1 }, 'concurrent updates do not count twice');
  t.equal(await new LogFileReader(join(work, 'missing.jsonl')).update(), false);
});

t.test('the log reader skips a line longer than its buffer, and counts the rest', async (t) => {
  const file = join(work, 'long.jsonl');
  writeFileSync(file, line('m', '2024-03-01T01:00:00Z', 'a') + `{"x": "${'x'.repeat(5 * 1024 * 1024)}"}\n` + line('m', '2024-03-01T02:00:00Z', 'a'));
  const reader = new LogFileReader(file);
  await reader.update(true);
  t.equal(reader.mirrorDays()[0]?.total, 2);
  t.same(reader.issues(), [{ source: file, line: 2, reason: `line longer than ${4 * 1024 * 1024} bytes` }]);
});

function md(mirror: string, day: string, counts: Record<string, number>, source: string): MirrorDay {
  const files = Object.entries(counts).map(([project, count]) => ({ project, version: '1.0', filename: `${project}-1.0.tar.gz`, count }));
  return { mirror, day, files, total: files.reduce((n, f) => n + f.count, 0), source };
}

t.test('summing: each mirror-day from one source only (the larger copy), grouped as asked', async (t) => {
  const sources: SourceCounts[] = [
    { source: 'rootA', mirrorDays: [md('A', '2024-03-01', { x: 2, y: 1 }, 'rootA/1'), md('A', '2024-03-02', { x: 1 }, 'rootA/2')], problems: [] },
    { source: 'urlA', mirrorDays: [md('A', '2024-03-01', { x: 3, y: 1 }, 'urlA/1'), md('A', '2024-03-02', { x: 1 }, 'urlA/2')], problems: [] },
    { source: 'urlB', mirrorDays: [md('B', '2024-03-01', { x: 5 }, 'urlB/1')], problems: [{ source: 'urlB/1', line: 7, reason: 'not JSON' }] },
  ];
  const byProject = sumStats(sources, 'project');
  t.equal(byProject.total, 4 + 1 + 5, 'A on 03-01 from the later (larger) copy, 03-02 once, B');
  t.same(byProject.rows, [
    { project: 'x', downloads: 9 },
    { project: 'y', downloads: 1 },
  ]);
  t.same(
    byProject.duplicates.map((d) => [d.day, d.kept, d.ignored]),
    [
      ['2024-03-01', 'urlA/1', 'rootA/1'],
      ['2024-03-02', 'rootA/2', 'urlA/2'],
    ],
  );
  t.same(byProject.mirrors, [
    { mirror: 'A', days: 2, downloads: 5 },
    { mirror: 'B', days: 1, downloads: 5 },
  ]);
  t.same(byProject.problems, [{ source: 'urlB/1', line: 7, reason: 'not JSON' }]);
  t.same(sumStats(sources, 'day').rows, [
    { day: '2024-03-01', downloads: 9 },
    { day: '2024-03-02', downloads: 1 },
  ]);
  t.same(sumStats(sources, 'mirror').rows, [
    { mirror: 'A', downloads: 5 },
    { mirror: 'B', downloads: 5 },
  ]);
  t.same(sumStats(sources, 'file').rows[0], { project: 'x', version: '1.0', filename: 'x-1.0.tar.gz', downloads: 9 });
  const twice = sumStats([sources[2] as SourceCounts, sources[2] as SourceCounts], 'project');
  t.same([twice.total, twice.problems.length], [5, 1], 'the same source twice counts once, and reports its problems once');
});

t.test('path sources: a root, a log directory, a file; day ranges; unusable paths', async (t) => {
  const root = join(work, 'src-root');
  const logs = join(root, '.pyindex', 'downloads');
  mkdirSync(logs, { recursive: true });
  writeFileSync(join(logs, '2024-03-01.jsonl'), line('A', '2024-03-01T01:00:00Z', 'a') + line('A', '2024-03-01T02:00:00Z', 'b'));
  writeFileSync(join(logs, '2024-03-02.jsonl'), line('A', '2024-03-02T01:00:00Z', 'a'));
  writeFileSync(join(logs, 'notes.txt'), 'not a log');
  const total = (s: SourceCounts) => s.mirrorDays.reduce((n, m) => n + m.total, 0);
  t.equal(total(await readPathSource(root, {})), 3);
  t.equal(total(await readPathSource(logs, {})), 3, 'the downloads directory itself');
  t.equal(total(await readPathSource(join(logs, '2024-03-01.jsonl'), {})), 2, 'one file');
  t.equal(total(await readPathSource(root, { since: '2024-03-02' })), 1);
  t.equal(total(await readPathSource(root, { until: '2024-03-01' })), 2);
  t.same((await readPathSource(join(work, 'fresh-root-without-logs'), {}).catch((e: Error & { code?: string }) => e.code)), 'E_FILE_NOT_FOUND');
  mkdirSync(join(work, 'empty-root', '.pyindex'), { recursive: true });
  t.equal(total(await readPathSource(join(work, 'empty-root'), {})), 0, 'a root with no downloads yet counts zero');
  mkdirSync(join(work, 'unrelated'), { recursive: true });
  await t.rejects(readPathSource(join(work, 'unrelated'), {}), { code: 'E_FILE_NOT_FOUND', message: /neither a served root .* nor a directory of download logs/ });
});

t.test('stats URLs: the base of a server, or its stats listing; credentials split off', async (t) => {
  t.equal(statsBaseUrl('http://h:1/').shown, 'http://h:1/stats/days/');
  t.equal(statsBaseUrl('http://h:1/prefix').shown, 'http://h:1/prefix/stats/days/');
  t.equal(statsBaseUrl('http://h:1/stats').shown, 'http://h:1/stats/days/');
  t.equal(statsBaseUrl('http://h:1/stats/days/?x#y').shown, 'http://h:1/stats/days/');
  const withUser = statsBaseUrl('http://al%20ice:p%40ss@h:1/');
  t.equal(withUser.shown, 'http://h:1/stats/days/', 'no password in what is shown');
  t.equal(withUser.authorization, `Basic ${Buffer.from('al ice:p@ss').toString('base64')}`);
  t.throws(() => statsBaseUrl('http://'), { code: 'E_USAGE' });
});

t.test("a server's /stats/days/ routes after real downloads", async (t) => {
  const root = join(work, 'served');
  const w = makeWheel({ name: 'counted', version: '1.0' });
  await openTree(root).addFile({ filename: w.filename, bytes: w.bytes, sha256: w.sha256 });
  const server: RunningServer = await startServer({ root, port: 0, mirrorId: 'mirror-x' });
  t.teardown(() => server.close(0));
  const file = `${server.url}files/counted/${w.filename}`;
  for (let i = 0; i < 3; i++) t.equal((await httpRequest(file, undefined)).status, 200);
  t.equal((await httpRequest(file, undefined, { headers: { Range: 'bytes=0-9' } })).status, 206, 'a partial read …');
  t.equal((await httpRequest(file, undefined, { method: 'HEAD' })).status, 200, 'a HEAD …');
  t.equal((await httpRequest(file, undefined, { headers: { 'If-None-Match': `"${w.sha256}"` } })).status, 304, '… and a 304 are no downloads');
  // Another server on the same root with another id writes to the same day file.
  const today = new Date().toISOString().slice(0, 10);
  const dayLog = join(root, '.pyindex', 'downloads', `${today}.jsonl`);
  // The server writes its records just after each response: wait for them before writing beside them.
  await waitUntil(() => existsSync(dayLog) && readFileSync(dayLog, 'utf8').split('\n').length === 4, 'the three downloads are in the log');
  appendFileSync(dayLog, `${line('mirror-y', new Date().toISOString(), 'counted', '1.0', w.filename)}not json\n`);

  const listing = await httpRequest(`${server.url}stats/days/`, undefined);
  t.equal(listing.headers['content-type'], 'application/json');
  t.same(JSON.parse(listing.body), { 'pyindex-stats': 1, mirror: 'mirror-x', days: [today] });
  const day = await httpRequest(`${server.url}stats/days/${today}.json`, undefined);
  const doc = JSON.parse(day.body) as { mirror: string; day: string; total: number; downloads: { mirror: string; count: number }[]; problems: { line: number; reason: string }[] };
  t.equal(doc.mirror, 'mirror-x');
  t.equal(doc.day, today);
  t.equal(doc.total, 4);
  t.same(
    doc.downloads.map((d) => [d.mirror, d.count]),
    [
      ['mirror-x', 3],
      ['mirror-y', 1],
    ],
  );
  t.same(doc.problems, [{ line: 5, reason: 'not JSON: "not json"' }]);

  await httpRequest(file, undefined);
  const parallel = await Promise.all([1, 2, 3, 4].map(() => httpRequest(`${server.url}stats/days/${today}.json`, undefined)));
  t.same(
    parallel.map((r) => (JSON.parse(r.body) as { total: number }).total),
    [5, 5, 5, 5],
    'a download just answered is counted, and concurrent requests count each line once',
  );

  const empty = JSON.parse((await httpRequest(`${server.url}stats/days/2001-01-01.json`, undefined)).body) as { total: number; downloads: unknown[] };
  t.same([empty.total, empty.downloads], [0, []], 'a day without downloads');
  t.equal((await httpRequest(`${server.url}stats/days/2001-02-30.json`, undefined)).status, 404);
  t.equal((await httpRequest(`${server.url}stats/days/today`, undefined)).status, 404);
  t.equal((await httpRequest(`${server.url}stats`, undefined)).headers.location, 'stats/days/');
  t.equal((await httpRequest(`${server.url}stats/`, undefined)).headers.location, 'days/');
  t.equal((await httpRequest(`${server.url}stats/days`, undefined)).headers.location, 'days/');
});

t.test('a URL that answers something else than stats documents: E_STATS_INVALID', async (t) => {
  const answers: Record<string, string> = { '/a/stats/days/': '{"days": ["2024-03-01"]}', '/a/stats/days/2024-03-01.json': '{"day": "2024-03-01", "downloads": [{"mirror": "m", "count": -1}]}', '/b/stats/days/': '<html>', '/c/stats/days/': '{"days": "today"}' };
  const other = createServer((req, res) => res.end(answers[req.url ?? ''] ?? '')).listen(0, '127.0.0.1');
  await new Promise((resolve) => other.once('listening', resolve));
  t.teardown(() => new Promise((resolve) => other.close(resolve)));
  const base = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  await t.rejects(readUrlSource(`${base}/a/`, {}), { code: 'E_STATS_INVALID', message: /2024-03-01\.json is not a pyindex stats document: a download row is malformed/ });
  await t.rejects(readUrlSource(`${base}/b/`, {}), { code: 'E_STATS_INVALID', message: /not JSON/ });
  await t.rejects(readUrlSource(`${base}/c/`, {}), { code: 'E_STATS_INVALID', message: /expected \{"days"/ });
  t.same((await readUrlSource(`${base}/a/`, { until: '2024-02-29' })).mirrorDays, [], 'days outside the range are not even fetched');
});
