import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { lockSubset, openBundle, writeBundle } from '../../src/bundle/index.js';
import { fileHeader } from '../../src/bundle/tar-write.js';
import { retar, untar } from '../helpers/tar-kit.js';
import { BUILT_SIX, FILES, fixtureLock, sha256, writeWheelhouse } from '../helpers/wheelhouse-fixture.js';

const FETCH = 'pyindex fetch --profile linux --wheelhouse wh';

async function makeBundle(dir: string, name = 'b.tar.gz'): Promise<string> {
  const wh = join(dir, 'wh');
  if (!existsSync(wh)) writeWheelhouse(wh);
  const out = join(dir, name);
  await writeBundle({ lock: fixtureLock(), jobs: [], profile: 'linux', wheelhouse: wh, output: out, fetchCommand: FETCH });
  return out;
}

t.test('openBundle verifies, extracts once and reuses', async (t) => {
  const dir = t.testdir({});
  const bundle = await makeBundle(dir);
  const cacheDir = join(dir, 'cache');
  const sha = sha256(readFileSync(bundle));
  const first = await openBundle(bundle, { cacheDir });
  t.equal(first.wheelhouse, join(cacheDir, 'bundles', sha, 'wheelhouse'));
  t.equal(first.reused, false);
  t.same(first.lock, lockSubset(fixtureLock(), [], 'linux'));
  t.same(readdirSync(first.wheelhouse).sort(), [
    'app-1.0-py3-none-any.whl',
    FILES[4]!.filename,
    'docsonly-3.0-py3-none-any.whl',
    'lib-2.0-cp311-cp311-manylinux_2_17_x86_64.whl',
    'pyindex-wheelhouse.json',
    BUILT_SIX.filename,
  ]);
  t.ok(readFileSync(join(first.wheelhouse, 'lib-2.0-cp311-cp311-manylinux_2_17_x86_64.whl')).equals(FILES[1]!.bytes));
  t.same(readdirSync(join(cacheDir, 'bundles')), [sha], 'no temp directory left');

  const second = await openBundle(bundle, { cacheDir });
  t.equal(second.reused, true);
  t.equal(second.wheelhouse, first.wheelhouse);
  t.same(second.lock, first.lock);

  // A damaged extraction (a file gone) fails the cheap check and is replaced.
  rmSync(join(first.wheelhouse, 'app-1.0-py3-none-any.whl'));
  const third = await openBundle(bundle, { cacheDir });
  t.equal(third.reused, false);
  t.ok(existsSync(join(third.wheelhouse, 'app-1.0-py3-none-any.whl')));

  // An extraction killed half-way (its pid no longer runs) is cleaned up by the next one.
  const leftover = join(cacheDir, 'bundles', `.tmp-${sha.slice(0, 16)}-999999999-0badc0de`);
  mkdirSync(join(leftover, 'wheelhouse'), { recursive: true });
  rmSync(join(first.wheelhouse, 'pyindex-wheelhouse.json'));
  await openBundle(bundle, { cacheDir });
  t.same(readdirSync(join(cacheDir, 'bundles')), [sha], 'leftover temp directory removed');

  // Two opens of a new bundle at once: both succeed on the same directory.
  const cache2 = join(dir, 'cache2');
  const [a, b] = await Promise.all([openBundle(bundle, { cacheDir: cache2 }), openBundle(bundle, { cacheDir: cache2 })]);
  t.equal(a.wheelhouse, b.wheelhouse);
  t.same(readdirSync(join(cache2, 'bundles')), [sha]);
});

t.test('a tampered, truncated or unsafe bundle is refused, naming the member, and leaves nothing', async (t) => {
  const dir = t.testdir({});
  const bundle = await makeBundle(dir);
  const good = readFileSync(bundle);
  const members = untar(good);
  t.same(members.map(([n]) => n)[0], 'pyindex.lock.yaml', 'the hand reader agrees with the writer');
  const cacheDir = join(dir, 'cache');
  const write = (name: string, bytes: Buffer): string => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  const libEntry = 'wheelhouse/lib-2.0-cp311-cp311-manylinux_2_17_x86_64.whl';

  const flipped = members.map(([n, d]): [string, Buffer] => {
    if (n !== libEntry) return [n, d];
    const copy = Buffer.from(d);
    copy[100] = copy[100]! ^ 1;
    return [n, copy];
  });
  await t.rejects(openBundle(write('flipped.tar.gz', retar(flipped)), { cacheDir }), { code: 'E_HASH_MISMATCH', details: { entry: libEntry }, message: /member "wheelhouse\/lib-2\.0.*has sha256/ });

  await t.rejects(openBundle(write('truncated.tar.gz', good.subarray(0, Math.floor(good.length * 0.6))), { cacheDir }), {
    code: 'E_BAD_ARCHIVE',
    message: /truncated|unexpected end|corrupt/i,
    details: { entry: /^(pyindex\.lock\.yaml|wheelhouse\/.+)$/ },
  });

  const corrupt = Buffer.from(good);
  corrupt[corrupt.length - 6] = corrupt[corrupt.length - 6]! ^ 0xff; // inside the gzip CRC32/ISIZE trailer
  await t.rejects(openBundle(write('crc.tar.gz', corrupt), { cacheDir }), { code: 'E_BAD_ARCHIVE' });

  const withEvil = [...members, ['wheelhouse/../../evil.whl', Buffer.from('x')] as [string, Buffer]];
  await t.rejects(openBundle(write('evil.tar.gz', retar(withEvil)), { cacheDir }), { code: 'E_BAD_ARCHIVE', message: /\.\./, details: { entry: 'wheelhouse/../../evil.whl' } });
  await t.rejects(openBundle(write('abs.tar.gz', retar([['/etc/passwd', Buffer.from('x')], ...members])), { cacheDir }), { code: 'E_BAD_ARCHIVE', details: { entry: '/etc/passwd' } });
  await t.rejects(openBundle(write('other.tar.gz', retar([...members, ['zz/other.whl', Buffer.from('x')]])), { cacheDir }), { code: 'E_BAD_ARCHIVE', message: /unexpected member/, details: { entry: 'zz/other.whl' } });
  await t.rejects(openBundle(write('hidden.tar.gz', retar([...members, ['wheelhouse/.hidden.whl', Buffer.from('x')]])), { cacheDir }), { code: 'E_BAD_ARCHIVE', details: { entry: 'wheelhouse/.hidden.whl' } });
  await t.rejects(openBundle(write('extra.tar.gz', retar([...members, ['wheelhouse/zextra-1.0-py3-none-any.whl', Buffer.from('x')]])), { cacheDir }), { code: 'E_BAD_ARCHIVE', message: /not needed/ });
  await t.rejects(openBundle(write('dup.tar.gz', retar([...members, members[1]!])), { cacheDir }), { code: 'E_BAD_ARCHIVE', message: /twice/ });
  await t.rejects(openBundle(write('nolock.tar.gz', retar(members.slice(1))), { cacheDir }), { code: 'E_BAD_ARCHIVE', message: /has no pyindex\.lock\.yaml/ });
  const without = members.filter(([n]) => n !== libEntry);
  await t.rejects(openBundle(write('missing.tar.gz', retar(without)), { cacheDir }), { code: 'E_BAD_ARCHIVE', message: /does not contain/, details: { entry: libEntry } });

  // A symlink member (typeflag '2') is refused even with an innocent name.
  const link = fileHeader('wheelhouse/app-1.0-py3-none-any.whl', 0);
  link.write('2', 156, 'ascii');
  link.write('/etc/passwd', 157, 'ascii');
  link.write('        ', 148, 'ascii');
  let sum = 0;
  for (const byte of link) sum += byte;
  link.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  const symlinkTar = gzipSync(Buffer.concat([link, Buffer.alloc(1024)]));
  await t.rejects(openBundle(write('symlink.tar.gz', symlinkTar), { cacheDir }), { code: 'E_BAD_ARCHIVE', message: /symlink/, details: { entry: 'wheelhouse/app-1.0-py3-none-any.whl' } });

  // The manifest disagreeing with the lock (both self-consistent with the bytes) is a mismatch.
  const manifestName = 'wheelhouse/pyindex-wheelhouse.json';
  const liar = members.map(([n, d]): [string, Buffer] => {
    if (n !== manifestName) return [n, d];
    const m = JSON.parse(d.toString('utf8')) as { files: Record<string, { sha256: string }> };
    m.files['app-1.0-py3-none-any.whl']!.sha256 = '0'.repeat(64);
    return [n, Buffer.from(JSON.stringify(m))];
  });
  await t.rejects(openBundle(write('liar.tar.gz', retar(liar)), { cacheDir }), { code: 'E_HASH_MISMATCH', message: /the manifest says sha256 0{64}, the lock/ });

  await t.rejects(openBundle(join(dir, 'absent.tar.gz'), { cacheDir }), { code: 'E_FILE_NOT_FOUND' });
  t.same(existsSync(join(cacheDir, 'bundles')) ? readdirSync(join(cacheDir, 'bundles')) : [], [], 'no extraction and no temp directory left behind');
  t.notOk(existsSync(join(dir, 'evil.whl')));
  t.notOk(existsSync(join(cacheDir, 'evil.whl')));
});
