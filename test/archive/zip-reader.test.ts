import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { bufferSource, openZip, readZipEntry, withFileSource } from '../../src/archive/zip-reader.js';
import { unsafeEntryNameReason } from '../../src/archive/entry-name.js';
import { countingSource, makeZip } from '../helpers/make-archive.js';
import { oraclePython, runPythonJson } from '../helpers/python.js';

const dir = mkdtempSync(join(tmpdir(), 'pyindex-zip-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(buf: Buffer, name = 'test.zip'): Promise<Map<string, string>> {
  const zip = await openZip(bufferSource(buf, name));
  const out = new Map<string, string>();
  for (const e of zip.entries) out.set(e.name, (await readZipEntry(zip, e)).toString('utf8'));
  return out;
}

const python = oraclePython();
t.test('reads zips written by Python zipfile', { skip: python ? false : 'no Python here' }, async (t) => {
  if (!python) return;
  // Stored, deflated, a forced ZIP64 member, non-ASCII names, a comment,
  // a stub prepended (self-extractor style) and > 65535 members (ZIP64 end record).
  const made = runPythonJson<Record<string, string>>(python, `
import sys, json, zipfile, os
d = json.load(sys.stdin)
p = {}
def mk(name, fn, **kw):
    path = os.path.join(d, name); p[name] = path
    with zipfile.ZipFile(path, 'w', **kw) as z: fn(z)
def basic(z):
    z.writestr('a.txt', 'stored text', compress_type=zipfile.ZIP_STORED)
    z.writestr('pkg/b.py', 'x = 1\\n' * 1000, compress_type=zipfile.ZIP_DEFLATED)
    z.writestr('ünï/çødé.txt', 'utf8 name')
    z.writestr(zipfile.ZipInfo('dir/'), '')
    z.comment = b'a comment' * 100
mk('basic.zip', basic, compression=zipfile.ZIP_DEFLATED)
def z64(z):
    with z.open('big.txt', 'w', force_zip64=True) as f: f.write(b'zip64 member')
mk('force64.zip', z64)
def many(z):
    for i in range(65600): z.writestr('f/%d' % i, '')
    z.writestr('last.txt', 'end')
mk('many.zip', many)
with open(os.path.join(d, 'sfx.zip'), 'wb') as out:
    out.write(b'#!/bin/sh\\nstub\\n' * 10)
    out.write(open(p['basic.zip'], 'rb').read())
p['sfx.zip'] = os.path.join(d, 'sfx.zip')
print(json.dumps(p))`, dir);

  const basic = await readAll(readFileSync(made['basic.zip'] as string));
  t.equal(basic.get('a.txt'), 'stored text');
  t.equal(basic.get('pkg/b.py'), 'x = 1\n'.repeat(1000));
  t.equal(basic.get('ünï/çødé.txt'), 'utf8 name');
  t.equal(basic.get('dir/'), '');
  t.same(await readAll(readFileSync(made['sfx.zip'] as string)), basic, 'prepended data shifts offsets (Python "concat")');
  t.equal((await readAll(readFileSync(made['force64.zip'] as string))).get('big.txt'), 'zip64 member');

  await withFileSource(made['many.zip'] as string, async (src) => {
    const zip = await openZip(src);
    t.equal(zip.entries.length, 65601, 'ZIP64 end record with > 65535 members');
    const last = zip.get('last.txt');
    t.ok(last);
    if (last) t.equal((await readZipEntry(zip, last)).toString(), 'end');
    await t.rejects(openZip(src, { maxEntries: 1000 }), { code: 'E_BAD_ARCHIVE', message: /65601 members, more than the limit of 1000/ });
  });
});

t.test('ZIP64 records and extra fields written by our own builder', async (t) => {
  const zip = makeZip([{ name: 'a', data: 'A', zip64: true }, { name: 'b', data: 'BB' }], { zip64Eocd: true });
  t.same([...(await readAll(zip))], [
    ['a', 'A'],
    ['b', 'BB'],
  ]);
});

t.test('few reads: one for the tail, none or one per member', async (t) => {
  const big = Buffer.alloc(2 * 1024 * 1024, 7);
  const buf = makeZip([{ name: 'payload.bin', data: big, method: 0 }, { name: 'x.dist-info/METADATA', data: 'Name: x\nVersion: 1\n' }]);
  const src = countingSource(bufferSource(buf, 'x.whl'));
  const zip = await openZip(src);
  t.equal(src.reads, 1, 'EOCD and central directory come from one tail read');
  const meta = zip.get('x.dist-info/METADATA');
  if (!meta) throw new Error('missing');
  t.equal((await readZipEntry(zip, meta)).toString(), 'Name: x\nVersion: 1\n');
  t.equal(src.reads, 1, 'a member inside the tail needs no read');
  const payload = zip.get('payload.bin');
  if (!payload) throw new Error('missing');
  t.equal((await readZipEntry(zip, payload, { maxSize: 4 * 1024 * 1024 })).length, big.length);
  t.equal(src.reads, 2, 'a member outside the tail needs exactly one read');
  t.ok(src.bytes < big.length + 128 * 1024, 'no whole-file read');

  const tiny = countingSource(bufferSource(buf, 'x.whl'));
  await openZip(tiny, { tailBytes: 64 });
  t.ok(tiny.reads >= 2, 'a short tail costs another read but still works');

  const commented = makeZip([{ name: 'a', data: 'a' }], { comment: 'c'.repeat(60000) });
  t.equal((await readAll(commented)).get('a'), 'a');
  const c2 = countingSource(bufferSource(commented));
  await openZip(c2, { tailBytes: 1024 });
  t.equal(c2.reads, 2, 'a long comment triggers one wider read');
});

t.test('unsafe member names are refused before any data is read', async (t) => {
  const bad = ['../evil', 'a/../../evil', '/etc/passwd', 'C:/x', 'c:x', 'a\\..\\b', 'nul\0byte', ''];
  for (const name of bad) {
    t.ok(unsafeEntryNameReason(name), `${JSON.stringify(name)} is unsafe`);
    const src = countingSource(bufferSource(makeZip([{ name: 'ok.txt', data: 'x' }, { name, data: 'x' }]), 'evil.whl'));
    await t.rejects(openZip(src), { code: 'E_BAD_ARCHIVE', message: /evil\.whl .*member/ }, JSON.stringify(name));
  }
  for (const name of ['a/b.txt', './a', 'a..b/c', '...', 'dir/']) t.equal(unsafeEntryNameReason(name), undefined, name);
});

t.test('malformed and malicious zips are E_BAD_ARCHIVE', async (t) => {
  const good = makeZip([{ name: 'a.txt', data: 'hello world' }, { name: 'b.txt', data: 'second' }]);
  const open = (buf: Buffer) => openZip(bufferSource(buf, 'x.whl'));
  await t.rejects(open(Buffer.from('not a zip at all, just some text that is long enough')), { code: 'E_BAD_ARCHIVE', message: /x\.whl: not a zip file/ });
  await t.rejects(open(Buffer.alloc(10)), { code: 'E_BAD_ARCHIVE', message: /too short/ });
  await t.rejects(open(good.subarray(0, good.length - 5)), { code: 'E_BAD_ARCHIVE' }, 'truncated end record');
  await t.rejects(open(good.subarray(40)), { code: 'E_BAD_ARCHIVE' }, 'truncated at the front');
  await t.rejects(open(makeZip([{ name: 'a', data: 'x' }], { declaredCount: 5 })), { code: 'E_BAD_ARCHIVE', message: /too small for 5 members|corrupt central directory/ });
  await t.rejects(open(makeZip([{ name: 'a', data: 'x', offset: 1_000_000 }])), { code: 'E_BAD_ARCHIVE', message: /outside the archive/ });
  await t.rejects(open(makeZip([{ name: 'a', data: 'xxxxxxxx' }, { name: 'b', data: 'y', offset: 0 }])), { code: 'E_BAD_ARCHIVE', message: /overlaps/ });

  // Declared sizes: refused before inflating.
  const bomb = makeZip([{ name: 'bomb', data: Buffer.alloc(10 * 1024 * 1024), declaredSize: 10 * 1024 * 1024 }]);
  const bz = await open(bomb);
  const e = bz.entries[0];
  if (!e) throw new Error('no entry');
  await t.rejects(readZipEntry(bz, e), { code: 'E_BAD_ARCHIVE', message: /bomb.*compression ratio of \d+:1/ });
  await t.rejects(readZipEntry(bz, e, { maxSize: 1024 }), { code: 'E_BAD_ARCHIVE', message: /declares 10485760 uncompressed bytes, more than the limit of 1024/ });
  t.equal((await readZipEntry(bz, e, { maxRatio: 100_000 })).length, 10 * 1024 * 1024, 'allowed when the caller raises the limit');

  // A header that under-declares: inflating stops at the declared size.
  const liar = await open(makeZip([{ name: 'liar', data: Buffer.alloc(100_000, 1), declaredSize: 1000 }]));
  await t.rejects(readZipEntry(liar, liar.entries[0] as never), { code: 'E_BAD_ARCHIVE', message: /"liar".*inflates to more than its declared 1000 bytes/ });
  const over = await open(makeZip([{ name: 'over', data: 'short', declaredSize: 50 }]));
  await t.rejects(readZipEntry(over, over.entries[0] as never), { code: 'E_BAD_ARCHIVE', message: /inflates to 5 bytes but declares 50/ });
  const crc = await open(makeZip([{ name: 'c', data: 'data', crc: 1234 }]));
  await t.rejects(readZipEntry(crc, crc.entries[0] as never), { code: 'E_BAD_ARCHIVE', message: /CRC-32/ });
  const method = await open(makeZip([{ name: 'm', data: 'data', method: 12 }]));
  await t.rejects(readZipEntry(method, method.entries[0] as never), { code: 'E_BAD_ARCHIVE', message: /compression method 12/ });

  // Corrupt deflate data.
  const corrupt = Buffer.from(good);
  const at = corrupt.indexOf('a.txt') + 5;
  corrupt.fill(0xff, at, at + 8);
  const cz = await open(corrupt);
  await t.rejects(readZipEntry(cz, cz.entries[0] as never), { code: 'E_BAD_ARCHIVE' });
});

t.test('symlink entries are flagged from the Unix mode', async (t) => {
  const zip = await openZip(bufferSource(makeZip([{ name: 'link', data: 'target', mode: 0o120777 }, { name: 'file', data: 'x' }])));
  t.same(
    zip.entries.map((e) => [e.name, e.isSymlink]),
    [
      ['link', true],
      ['file', false],
    ],
  );
});

t.test('names without the UTF-8 flag decode as CP437, like Python zipfile', async (t) => {
  // UTF-8 bytes of "é" (C3 A9) read as CP437 are "├⌐".
  const zip = await openZip(bufferSource(makeZip([{ name: 'é.txt', data: 'x', utf8: false }, { name: 'b', data: 'y' }])));
  t.same(zip.entries.map((e) => e.name), ['├⌐.txt', 'b']);
  t.equal((await readZipEntry(zip, zip.entries[0] as never)).toString(), 'x', 'layout checks use the stored name length');
});
