import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { PlannedFile } from '../../src/wheelhouse/plan.js';
import { checkWheelhouse, sha256File } from '../../src/wheelhouse/verify.js';

function planned(filename: string, content: string): PlannedFile {
  return { filename, sha256: createHash('sha256').update(content).digest('hex'), size: Buffer.byteLength(content), url: `http://i/${filename}`, project: filename.split('-')[0]!, version: '1', profiles: ['linux'] };
}

t.test('present, missing and mismatched files', async (t) => {
  const dir = t.testdir({
    'good-1-py3-none-any.whl': 'good bytes',
    'short-1-py3-none-any.whl': 'short',
    'flipped-1-py3-none-any.whl': 'XXXXXXXXXX',
  });
  mkdirSync(join(dir, 'dir-1-py3-none-any.whl'));
  const files = [
    planned('good-1-py3-none-any.whl', 'good bytes'),
    planned('short-1-py3-none-any.whl', 'short but longer'),
    planned('flipped-1-py3-none-any.whl', 'YYYYYYYYYY'),
    planned('dir-1-py3-none-any.whl', 'x'),
    planned('absent-1-py3-none-any.whl', 'nothing'),
  ];
  const hashed = await checkWheelhouse(dir, files, { hash: true });
  t.same(hashed.present.map((f) => f.filename), ['good-1-py3-none-any.whl']);
  t.same(hashed.missing.map((f) => f.filename), ['absent-1-py3-none-any.whl']);
  t.same(hashed.mismatched.map((f) => f.filename), ['short-1-py3-none-any.whl', 'flipped-1-py3-none-any.whl', 'dir-1-py3-none-any.whl'], 'wrong size, wrong bytes of the right size, a directory');

  const sized = await checkWheelhouse(dir, files, { hash: false });
  t.same(sized.present.map((f) => f.filename), ['good-1-py3-none-any.whl', 'flipped-1-py3-none-any.whl'], 'without hashing only sizes are compared');
});

t.test('sha256File streams large files', async (t) => {
  const dir = t.testdir({});
  const data = Buffer.alloc(5 * 1024 * 1024 + 7, 0x5a);
  writeFileSync(join(dir, 'big'), data);
  t.equal(await sha256File(join(dir, 'big')), createHash('sha256').update(data).digest('hex'));
});

t.test('an empty plan is trivially complete', async (t) => {
  t.same(await checkWheelhouse(t.testdir({}), [], { hash: true }), { present: [], missing: [], mismatched: [] });
});
