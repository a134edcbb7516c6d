import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { extractSdist } from '../../src/archive/sdist.js';
import { makeTar, makeZip, type TarMemberSpec } from '../helpers/make-archive.js';
import { oraclePython, runPythonJson } from '../helpers/python.js';

const root = mkdtempSync(join(tmpdir(), 'pyindex-extract-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

async function extractTar(members: TarMemberSpec[], gzip = true) {
  const dir = join(root, `case-${++n}`);
  const file = join(dir, 'foo-1.0.tar.gz');
  const dest = join(dir, 'out');
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, await makeTar(members, { gzip }));
  return { dir, dest, run: () => extractSdist(file, dest) };
}

const python = oraclePython();
t.test('extracts an sdist made by Python tarfile', { skip: python ? false : 'no Python here' }, async (t) => {
  if (!python) return;
  const dir = join(root, 'py');
  const file = runPythonJson<string>(python, `
import sys, json, tarfile, io, os
d = json.load(sys.stdin); os.makedirs(d)
p = os.path.join(d, 'foo-1.0.tar.gz')
with tarfile.open(p, 'w:gz') as tf:
    for name, data, mode in (('foo-1.0/PKG-INFO', b'Name: foo\\n', 0o644), ('foo-1.0/run.sh', b'#!/bin/sh\\n', 0o4755), ('foo-1.0/pkg/__init__.py', b'', 0o666)):
        ti = tarfile.TarInfo(name); ti.size = len(data); ti.mode = mode; tf.addfile(ti, io.BytesIO(data))
    ti = tarfile.TarInfo('foo-1.0/link'); ti.type = tarfile.SYMTYPE; ti.linkname = 'pkg/__init__.py'; tf.addfile(ti)
    ti = tarfile.TarInfo('foo-1.0/hard'); ti.type = tarfile.LNKTYPE; ti.linkname = 'foo-1.0/PKG-INFO'; tf.addfile(ti)
print(json.dumps(p))`, dir);
  const dest = join(dir, 'out');
  const result = await extractSdist(file, dest);
  t.same(result, { files: 4, directories: 0, symlinks: 1, bytes: 30 });
  t.equal(readFileSync(join(dest, 'foo-1.0/PKG-INFO'), 'utf8'), 'Name: foo\n');
  t.equal(readFileSync(join(dest, 'foo-1.0/hard'), 'utf8'), 'Name: foo\n', 'hard link becomes a copy');
  t.equal(readlinkSync(join(dest, 'foo-1.0/link')), 'pkg/__init__.py', 'inside symlink kept');
  t.equal(statSync(join(dest, 'foo-1.0/run.sh')).mode & 0o7777, 0o755, 'set-uid dropped, exec kept');
  t.equal(statSync(join(dest, 'foo-1.0/pkg/__init__.py')).mode & 0o777, 0o644, 'group/other write dropped');
});

t.test('extracts a .zip sdist', async (t) => {
  const dir = join(root, 'zip');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'foo-1.0.zip');
  writeFileSync(file, makeZip([{ name: 'foo-1.0/' }, { name: 'foo-1.0/PKG-INFO', data: 'Name: foo\n' }, { name: 'foo-1.0/l', data: 'PKG-INFO', mode: 0o120777 }]));
  const r = await extractSdist(file, join(dir, 'out'));
  t.same(r, { files: 1, directories: 1, symlinks: 1, bytes: 10 });
  t.equal(readlinkSync(join(dir, 'out/foo-1.0/l')), 'PKG-INFO');
  const evil = join(dir, 'evil-1.0.zip');
  writeFileSync(evil, makeZip([{ name: 'foo-1.0/l', data: '../../../etc', mode: 0o120777 }]));
  await t.rejects(extractSdist(evil, join(dir, 'out2')), { code: 'E_BAD_ARCHIVE', message: /points outside/ });
});

t.test('refuses to write outside the destination', async (t) => {
  const cases: [string, TarMemberSpec[], RegExp][] = [
    ['dot-dot name', [{ name: 'foo-1.0/../../escape.txt', data: 'x' }], /"\.\." path segment/],
    ['absolute name', [{ name: '/tmp/escape.txt', data: 'x' }], /absolute/],
    ['absolute symlink', [{ name: 'foo-1.0/l', type: 'symlink', linkname: '/etc/passwd' }], /absolute or malformed/],
    ['escaping symlink', [{ name: 'foo-1.0/l', type: 'symlink', linkname: '../../outside' }], /points outside/],
    [
      'write through a symlink to a directory outside',
      [
        { name: 'foo-1.0/d', type: 'symlink', linkname: '..' },
        { name: 'foo-1.0/d/x', data: 'stays inside' },
        { name: 'foo-1.0/e', type: 'symlink', linkname: '../..' },
      ],
      /points outside/,
    ],
    ['hard link outside', [{ name: 'foo-1.0/h', type: 'link', linkname: '../etc/passwd' }], /"\.\." path segment/],
    ['hard link to nothing', [{ name: 'foo-1.0/h', type: 'link', linkname: 'foo-1.0/missing' }], /not a file extracted earlier/],
    ['character device', [{ name: 'foo-1.0/dev', type: 'character-device' }], /refusing a character-device member/],
    ['block device', [{ name: 'foo-1.0/dev', type: 'block-device' }], /block-device/],
    ['fifo', [{ name: 'foo-1.0/p', type: 'fifo' }], /fifo/],
  ];
  for (const [what, members, re] of cases) {
    const c = await extractTar(members);
    await t.rejects(c.run(), { code: 'E_BAD_ARCHIVE', message: re }, what);
    t.notOk(existsSync(join(c.dir, 'escape.txt')) || existsSync(join(c.dir, 'outside')), `${what}: nothing written outside`);
  }
});

t.test('a symlink cannot redirect a later member out of the tree', async (t) => {
  // Symlink `a` -> `b` (inside), then `b` replaced... the realpath check
  // catches any member whose parent resolves outside, even via chains.
  const c = await extractTar([
    { name: 'foo-1.0/inner', type: 'directory' },
    { name: 'foo-1.0/a', type: 'symlink', linkname: 'inner' },
    { name: 'foo-1.0/a/file.txt', data: 'via link' },
    { name: 'foo-1.0/a', data: 'replaces the link, not its target' },
  ]);
  const r = await c.run();
  t.equal(readFileSync(join(c.dest, 'foo-1.0/inner/file.txt'), 'utf8'), 'via link');
  t.ok(lstatSync(join(c.dest, 'foo-1.0/a')).isFile(), 'a later member replaces the symlink itself');
  t.equal(r.symlinks, 1);
});

t.test('duplicate members: the last one wins, like tarfile', async (t) => {
  const c = await extractTar([
    { name: 'foo-1.0/x', data: 'first' },
    { name: 'foo-1.0/x', data: 'second' },
  ], false);
  await c.run();
  t.equal(readFileSync(join(c.dest, 'foo-1.0/x'), 'utf8'), 'second');
});
