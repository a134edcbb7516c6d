import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import t from 'tap';
import { tarMembers, readMember } from '../../src/archive/tar-reader.js';
import { lockSubset, writeBundle } from '../../src/bundle/index.js';
import { parseLockfile } from '../../src/lock/read.js';
import { BUILT_SIX, FILES, fixtureLock, sha256, writeWheelhouse } from '../helpers/wheelhouse-fixture.js';

const FETCH = 'pyindex fetch --profile linux --wheelhouse wh';

async function members(bundle: string): Promise<{ name: string; mode: number; uid: number; gid: number; uname: string; gname: string; mtime: number; data: Buffer }[]> {
  const out = [];
  for await (const m of tarMembers(bundle, bundle, true)) {
    const h = m.header;
    out.push({ name: h.name, mode: h.mode ?? -1, uid: h.uid ?? -1, gid: h.gid ?? -1, uname: h.uname ?? '', gname: h.gname ?? '', mtime: (h.mtime?.getTime() ?? -1) / 1000, data: await readMember(m, bundle, 1 << 24) });
  }
  return out;
}

t.test('a bundle holds the lock subset, the manifest and the profile files, reproducibly', async (t) => {
  const dir = t.testdir({});
  const wh = join(dir, 'wh');
  writeWheelhouse(wh);
  const lock = fixtureLock();
  const out = join(dir, 'linux.tar.gz');
  const result = await writeBundle({ lock, jobs: [], profile: 'linux', wheelhouse: wh, output: out, fetchCommand: FETCH });
  t.equal(result.files, 5, 'app, lib (linux), long, docsonly, built six');
  t.same(result.jobs, ['build', 'docs']);
  t.equal(result.sha256, sha256(readFileSync(out)));

  const bytes = readFileSync(out);
  t.same([...bytes.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3], 'gzip header: no name, MTIME 0, XFL 0, OS 3 (Unix)');

  const list = await members(out);
  const names = list.map((m) => m.name);
  t.same(names, [...names].sort(), 'entries sorted');
  t.same(names, [
    'pyindex.lock.yaml',
    'wheelhouse/app-1.0-py3-none-any.whl',
    `wheelhouse/${FILES[4]!.filename}`,
    'wheelhouse/docsonly-3.0-py3-none-any.whl',
    'wheelhouse/lib-2.0-cp311-cp311-manylinux_2_17_x86_64.whl',
    'wheelhouse/pyindex-wheelhouse.json',
    `wheelhouse/${BUILT_SIX.filename}`,
  ]);
  t.ok(FILES[4]!.filename.length > 100, 'a name longer than the ustar name field survives (pax path)');
  for (const m of list) {
    t.same({ mode: m.mode, uid: m.uid, gid: m.gid, uname: m.uname, gname: m.gname, mtime: m.mtime }, { mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', mtime: 315532800 }, m.name);
  }
  const lockText = list[0]!.data.toString('utf8');
  const bundled = parseLockfile(lockText, 'bundle');
  t.same(bundled, lockSubset(lock, [], 'linux'), 'the lock subset, valid for readLockfile');
  t.same(Object.keys(bundled.profiles), ['linux']);
  t.same(Object.keys(bundled.jobs.build!.profiles), ['linux']);
  t.notOk(bundled.packages.some((p) => p.files.some((f) => f.filename.includes('win_amd64'))), 'no windows file in the lock subset');
  const manifest = JSON.parse(list.find((m) => m.name.endsWith('pyindex-wheelhouse.json'))!.data.toString('utf8')) as { version: number; files: Record<string, { sha256: string; builtFrom?: unknown }> };
  t.equal(manifest.version, 1);
  t.same(Object.keys(manifest.files), [...Object.keys(manifest.files)].sort(), 'manifest keys sorted');
  t.equal(manifest.files[BUILT_SIX.filename]!.sha256, sha256(BUILT_SIX.bytes));
  t.same(manifest.files[BUILT_SIX.filename]!.builtFrom, { filename: 'six-1.16.0.tar.gz', sha256: sha256(FILES[3]!.bytes) });
  for (const m of list.filter((x) => x.name.startsWith('wheelhouse/') && !x.name.endsWith('.json'))) {
    t.equal(sha256(m.data), manifest.files[m.name.slice('wheelhouse/'.length)]!.sha256, `${m.name} bytes`);
  }

  // GNU tar reads it the same way (a second, independent reader).
  const listing = execFileSync('tar', ['--numeric-owner', '-tvzf', out], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  t.match(listing, /^-rw-r--r-- 0\/0 +5000 1980-01-01 00:00 wheelhouse\/app-1\.0-py3-none-any\.whl$/m);
  t.match(listing, new RegExp(`wheelhouse/${FILES[4]!.filename.replace(/\./g, '\\.')}$`, 'm'));
  t.equal(gunzipSync(bytes).length % 512, 0, 'tar stream in whole blocks');

  // Same inputs, different file mtimes, permissions (umask) and output name → same bytes.
  const again = join(dir, 'again.tar.gz');
  await writeBundle({ lock, jobs: [], profile: 'linux', wheelhouse: wh, output: again, fetchCommand: FETCH });
  t.ok(readFileSync(again).equals(bytes), 'built twice: identical bytes');
  const wh2 = join(dir, 'wh2');
  cpSync(wh, wh2, { recursive: true });
  for (const [i, name] of readdirSync(wh2).entries()) {
    // What a different umask or owner would leave behind: other permission bits, other times.
    chmodSync(join(wh2, name), i % 2 ? 0o600 : 0o755);
    utimesSync(join(wh2, name), new Date('2024-05-06T07:08:09Z'), new Date(Date.UTC(2001, 0, 1 + i)));
  }
  t.equal(statSync(join(wh2, 'app-1.0-py3-none-any.whl')).mode & 0o777, 0o755);
  const other = join(dir, 'other-name.tar.gz');
  await writeBundle({ lock, jobs: [], profile: 'linux', wheelhouse: wh2, output: other, fetchCommand: FETCH });
  t.ok(readFileSync(other).equals(bytes), 'other mtimes, modes and output name: identical bytes');
});

t.test('--job and --profile narrow the bundle', async (t) => {
  const dir = t.testdir({});
  const wh = join(dir, 'wh');
  writeWheelhouse(wh);
  const docs = join(dir, 'docs.tar.gz');
  const r = await writeBundle({ lock: fixtureLock(), jobs: ['docs'], profile: 'linux', wheelhouse: wh, output: docs, fetchCommand: FETCH });
  t.equal(r.files, 1);
  t.same((await members(docs)).map((m) => m.name), ['pyindex.lock.yaml', 'wheelhouse/docsonly-3.0-py3-none-any.whl', 'wheelhouse/pyindex-wheelhouse.json']);
  const win = join(dir, 'win.tar.gz');
  const w = await writeBundle({ lock: fixtureLock(), jobs: [], profile: 'windows', wheelhouse: wh, output: win, fetchCommand: FETCH });
  t.same(w.jobs, ['build'], 'docs has no windows profile and is left out');
  t.same((await members(win)).map((m) => m.name), ['pyindex.lock.yaml', 'wheelhouse/app-1.0-py3-none-any.whl', 'wheelhouse/lib-2.0-cp311-cp311-win_amd64.whl', 'wheelhouse/pyindex-wheelhouse.json']);
  await t.rejects(writeBundle({ lock: fixtureLock(), jobs: [], profile: 'macos', wheelhouse: wh, output: join(dir, 'x.tar.gz'), fetchCommand: FETCH }), { code: 'E_UNKNOWN_PROFILE' });
  await t.rejects(writeBundle({ lock: fixtureLock(), jobs: ['nope'], profile: 'linux', wheelhouse: wh, output: join(dir, 'x.tar.gz'), fetchCommand: FETCH }), { code: 'E_UNKNOWN_JOB' });
});

t.test('a locked sdist without a built wheel is bundled as itself', async (t) => {
  const dir = t.testdir({});
  const wh = join(dir, 'wh');
  writeWheelhouse(wh, { sdist: true });
  const out = join(dir, 'b.tar.gz');
  await writeBundle({ lock: fixtureLock(), jobs: ['build'], profile: 'linux', wheelhouse: wh, output: out, fetchCommand: FETCH });
  t.ok((await members(out)).some((m) => m.name === 'wheelhouse/six-1.16.0.tar.gz'));
});

t.test('missing or altered wheelhouse files: an error, and no bundle (not even a temp file)', async (t) => {
  const dir = t.testdir({ out: {} });
  const wh = join(dir, 'wh');
  writeWheelhouse(wh, { skip: ['docsonly-3.0-py3-none-any.whl'] });
  const out = join(dir, 'out', 'b.tar.gz');
  await t.rejects(writeBundle({ lock: fixtureLock(), jobs: [], profile: 'linux', wheelhouse: wh, output: out, fetchCommand: FETCH }), {
    code: 'E_WHEELHOUSE_INCOMPLETE',
    message: /1 of 5 file\(s\) are missing from .*wh: docsonly-3\.0-py3-none-any\.whl/,
    hint: `Run \`${FETCH}\` first.`,
  });
  t.same(readdirSync(join(dir, 'out')), []);

  writeWheelhouse(wh);
  const victim = join(wh, 'lib-2.0-cp311-cp311-manylinux_2_17_x86_64.whl');
  const bytes = readFileSync(victim);
  bytes[40_000] = bytes[40_000]! ^ 0xff;
  writeFileSync(victim, bytes);
  await t.rejects(writeBundle({ lock: fixtureLock(), jobs: [], profile: 'linux', wheelhouse: wh, output: out, fetchCommand: FETCH }), {
    code: 'E_HASH_MISMATCH',
    message: /lib-2\.0-cp311-cp311-manylinux_2_17_x86_64\.whl has sha256 [0-9a-f]{64}, the lock says/,
  });
  t.same(readdirSync(join(dir, 'out')), [], 'the half-written temp file is removed');
  t.notOk(existsSync(out));
});
