import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { readSdistPkgInfo } from '../../src/archive/sdist.js';
import { makeTar, makeZip } from '../helpers/make-archive.js';
import { oraclePython, runPythonJson } from '../helpers/python.js';

const PKG_INFO = 'Metadata-Version: 2.2\nName: foo-bar\nVersion: 1.0\nRequires-Dist: six\n';
const dir = mkdtempSync(join(tmpdir(), 'pyindex-sdist-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const python = oraclePython();
t.test('reads PKG-INFO from sdists made by Python tarfile/zipfile', { skip: python ? false : 'no Python here' }, async (t) => {
  if (!python) return;
  const made = runPythonJson<Record<string, string>>(python, `
import sys, json, tarfile, zipfile, io, os
a = json.load(sys.stdin)
d, info = a['dir'], a['info'].encode()
def add(tf, name, data):
    ti = tarfile.TarInfo(name); ti.size = len(data); tf.addfile(ti, io.BytesIO(data))
out = {}
for fmt, mode in (('gz', 'w:gz'), ('tar', 'w'), ('pax', 'w:gz')):
    p = os.path.join(d, 'foo_bar-1.0.' + fmt); out[fmt] = p
    kw = {'format': tarfile.PAX_FORMAT} if fmt == 'pax' else {'format': tarfile.GNU_FORMAT}
    with tarfile.open(p, mode, **kw) as tf:
        add(tf, 'foo_bar-1.0/setup.py', b'from setuptools import setup\\nsetup()\\n')
        add(tf, 'foo_bar-1.0/foo_bar.egg-info/PKG-INFO', b'Name: wrong\\n')
        long = 'foo_bar-1.0/' + 'd' * 120 + '/x.py'
        add(tf, long, b'long name')
        add(tf, 'foo_bar-1.0/PKG-INFO', info)
p = os.path.join(d, 'foo_bar-1.0.zip'); out['zip'] = p
with zipfile.ZipFile(p, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('foo_bar-1.0/foo_bar.egg-info/PKG-INFO', 'Name: wrong\\n')
    z.writestr('foo_bar-1.0/PKG-INFO', info)
p = os.path.join(d, 'nopkginfo-1.0.tar.gz'); out['none'] = p
with tarfile.open(p, 'w:gz') as tf:
    add(tf, 'nopkginfo-1.0/setup.py', b'')
print(json.dumps(out))`, { dir, info: PKG_INFO });

  t.equal(await readSdistPkgInfo(made.gz as string, 'foo_bar-1.0.tar.gz'), PKG_INFO, '.tar.gz (GNU long names)');
  t.equal(await readSdistPkgInfo(made.pax as string, 'foo_bar-1.0.tar.gz'), PKG_INFO, '.tar.gz (pax)');
  t.equal(await readSdistPkgInfo(made.tar as string, 'foo_bar-1.0.tar'), PKG_INFO, 'plain .tar');
  t.equal(await readSdistPkgInfo(made.zip as string, 'foo_bar-1.0.zip'), PKG_INFO, '.zip');
  t.equal(await readSdistPkgInfo(readFileSync(made.gz as string), 'foo_bar-1.0.tar.gz'), PKG_INFO, 'from a Buffer');
  t.equal(await readSdistPkgInfo(readFileSync(made.zip as string), 'foo_bar-1.0.zip'), PKG_INFO, 'zip from a Buffer');
  t.equal(await readSdistPkgInfo(made.none as string, 'nopkginfo-1.0.tar.gz'), undefined, 'no PKG-INFO: undefined');
});

t.test('prefers {name}-{version}/PKG-INFO and otherwise takes the one-level-deep one', async (t) => {
  const legacy = await makeTar([
    { name: 'Foo-Bar-1.0.0/PKG-INFO', data: 'legacy dir' },
    { name: 'Foo-Bar-1.0.0/setup.py', data: '' },
  ]);
  t.equal(await readSdistPkgInfo(legacy, 'foo_bar-1.0.tar.gz'), 'legacy dir', 'canonical name + equal version');
  const odd = await makeTar([
    { name: 'other/PKG-INFO', data: 'other' },
    { name: './foo_bar-1.0/PKG-INFO', data: 'expected' },
  ]);
  t.equal(await readSdistPkgInfo(odd, 'foo_bar-1.0.tar.gz'), 'expected');
  const only = await makeTar([{ name: 'src-dir/PKG-INFO', data: 'fallback' }]);
  t.equal(await readSdistPkgInfo(only, 'foo_bar-1.0.tar.gz'), 'fallback');
  const deep = await makeTar([{ name: 'foo_bar-1.0/x/PKG-INFO', data: 'deep' }, { name: 'PKG-INFO', data: 'top' }]);
  t.equal(await readSdistPkgInfo(deep, 'foo_bar-1.0.tar.gz'), undefined, 'neither top-level nor two-deep PKG-INFO counts');
});

t.test('stops reading once the expected PKG-INFO is found', async (t) => {
  const tar = await makeTar([{ name: 'foo_bar-1.0/PKG-INFO', data: PKG_INFO }, { name: 'foo_bar-1.0/big.bin', data: Buffer.alloc(2 * 1024 * 1024, 3) }], { gzip: false });
  // Cut the gzip stream in the middle of the second member: reading to the
  // end would fail, stopping early does not.
  const gz = gzipSync(tar);
  const cut = gz.subarray(0, Math.floor(gz.length / 2));
  t.equal(await readSdistPkgInfo(cut, 'foo_bar-1.0.tar.gz'), PKG_INFO);
  await t.rejects(readSdistPkgInfo(cut, 'foo_bar-2.0.tar.gz'), { code: 'E_BAD_ARCHIVE', message: /foo_bar-2\.0\.tar\.gz/ }, 'a reader that must go on hits the truncation');
});

t.test('unsafe and malformed sdists are E_BAD_ARCHIVE', async (t) => {
  const f = 'foo-1.0.tar.gz';
  await t.rejects(readSdistPkgInfo(await makeTar([{ name: '../evil', data: 'x' }, { name: 'foo-1.0/PKG-INFO', data: 'x' }]), f), { code: 'E_BAD_ARCHIVE', message: /foo-1\.0\.tar\.gz \(member "\.\.\/evil"\)/ });
  await t.rejects(readSdistPkgInfo(await makeTar([{ name: '/abs/PKG-INFO', data: 'x' }]), f), { code: 'E_BAD_ARCHIVE', message: /absolute/ });
  await t.rejects(readSdistPkgInfo(await makeTar([{ name: 'foo-1.0/PKG-INFO', data: 'x'.repeat(5000) }]), f, { maxPkgInfoSize: 1000 }), { code: 'E_BAD_ARCHIVE', message: /more than the limit of 1000/ });
  await t.rejects(readSdistPkgInfo(await makeTar([{ name: 'a', data: 'x'.repeat(600) }, { name: 'b', data: 'y'.repeat(600) }]), f, { maxTotalSize: 1000 }), { code: 'E_BAD_ARCHIVE', message: /bomb/ });
  await t.rejects(readSdistPkgInfo(await makeTar([{ name: 'a' }, { name: 'b' }, { name: 'c' }]), f, { maxEntries: 2 }), { code: 'E_BAD_ARCHIVE', message: /more than 2 members/ });
  await t.rejects(readSdistPkgInfo(Buffer.from('plain text, not an archive'), f), { code: 'E_BAD_ARCHIVE', message: /not a tar, tar\.gz or zip/ });
  await t.rejects(readSdistPkgInfo(Buffer.concat([Buffer.from('BZh91AY&SY'), Buffer.alloc(100)]), 'foo-1.0.tar.bz2'), { code: 'E_BAD_ARCHIVE', message: /bzip2-compressed/ });
  await t.rejects(readSdistPkgInfo(gzipSync(Buffer.from('x'.repeat(2048))), f), { code: 'E_BAD_ARCHIVE', message: /not a valid tar/ });
  await t.rejects(readSdistPkgInfo(Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8]), f), { code: 'E_BAD_ARCHIVE', message: /gzip/ });
  await t.rejects(readSdistPkgInfo(makeZip([{ name: 'foo-1.0/../../PKG-INFO', data: 'x' }]), 'foo-1.0.zip'), { code: 'E_BAD_ARCHIVE' });
  await t.rejects(readSdistPkgInfo(await makeTar([{ name: 'foo-1.0/PKG-INFO', data: Buffer.from([0xff, 0xfe]) }]), f), { code: 'E_BAD_ARCHIVE', message: /UTF-8/ });
  const path = join(dir, 'not-a-file-1.0.tar.gz');
  writeFileSync(path, 'junk junk junk');
  await t.rejects(readSdistPkgInfo(path, 'not-a-file-1.0.tar.gz'), { code: 'E_BAD_ARCHIVE' });
});
