/**
 * Lock files that name their holder (src/util/pid-lock.ts): the lock file
 * never exists without its holder's whole claim, and one without a readable
 * claim — an empty file left by a holder killed mid-creation under the old
 * open-then-write scheme, or by a machine crash — is no one's: it is taken
 * over at once, by the tree lock of `pyindex serve`/`mirror` and by the venv
 * lock alike, instead of being waited on until the timeout.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { acquireVenvLock } from '../../src/provision/venv-lock.js';
import { KeyedLock } from '../../src/serve/tree/lock.js';
import { newLockInfo, readLockInfo, rewriteLock, tryCreateLock } from '../../src/util/pid-lock.js';

const HINT = 'test';

t.test('one winner; the lock holds the whole claim; no temp file is left', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'lib.lock');
  const first = newLockInfo();
  t.ok(await tryCreateLock(file, first, HINT), 'the first claim wins');
  t.notOk(await tryCreateLock(file, newLockInfo(), HINT), 'a second claim loses');
  t.same(JSON.parse(readFileSync(file, 'utf8')), first, 'the file is the winner’s claim, whole');
  t.same(readdirSync(dir), ['lib.lock'], 'no temp file beside it');

  const updated = { ...first, child: 4242 };
  await rewriteLock(file, updated, HINT);
  t.same(await readLockInfo(file), updated, 'a rewritten claim is whole');
  t.same(readdirSync(dir), ['lib.lock']);
});

for (const [what, content] of [
  ['empty', ''],
  ['cut short', '{"pid":12'],
  ['without a token', '{"pid":1,"host":"x"}'],
] as const) {
  t.test(`a lock file ${what} is no one's: taken over at once`, async (t) => {
    const dir = t.testdir({});
    const file = join(dir, 'lib.lock');
    writeFileSync(file, content);
    const info = newLockInfo();
    t.ok(await tryCreateLock(file, info, HINT), 'tryCreateLock breaks it and wins');
    t.same(await readLockInfo(file), info);

    writeFileSync(file, content);
    const ran = await new KeyedLock(dir, { timeoutMs: 500 }).with('lib', async () => 'ran');
    t.equal(ran, 'ran', 'the tree lock (serve, mirror) does not wait for it');
    t.same(readdirSync(dir), [], 'and releases its own lock');

    const venvLock = join(dir, 'venv.lock');
    writeFileSync(venvLock, content);
    const lock = await acquireVenvLock(venvLock, { timeoutMs: 500, pollMs: 5 });
    t.equal((await readLockInfo(venvLock))?.pid, process.pid, 'the venv lock takes it too');
    await lock.release();
  });
}
