/**
 * --json's stderr batching (src/cli/batched-lines.ts): lines of one
 * event-loop turn leave in one write, in order; a large batch goes at once;
 * flush empties it. Through the CLI: a failing `pyindex lock --json` still
 * prints its event lines before the error text, and each line is JSON.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { batchedLines } from '../../src/cli/batched-lines.js';
import { runCli } from '../helpers/cli.js';

t.test('one write per turn, in order; the size limit and flush', async (t) => {
  const writes: string[] = [];
  const sink = batchedLines({ write: (text: string) => writes.push(text) }, 100);
  sink.write('a\n');
  sink.write('b\n');
  t.same(writes, [], 'nothing written within the turn');
  await nextTurn();
  t.same(writes, ['a\nb\n'], 'one write for the turn, in order');
  sink.write('x'.repeat(60));
  sink.write('y'.repeat(60));
  t.same(writes.slice(1), ['x'.repeat(60) + 'y'.repeat(60)], 'written at once past the limit');
  sink.write('c\n');
  sink.flush();
  t.same(writes.slice(2), ['c\n'], 'flush writes what is pending');
  await nextTurn();
  t.equal(writes.length, 3, 'and nothing is written twice');
});

t.test('pyindex lock --json: event lines first, then the error, all on stderr in order', async (t) => {
  const dir = t.testdir({});
  // An index nobody listens on: the lock emits its task events, then fails with E_NETWORK.
  writeFileSync(
    join(dir, 'pyindex.yaml'),
    'index: http://127.0.0.1:9/simple/\nprofiles:\n  p: { platform: linux-x86_64, python: "3.11" }\njobs:\n  j: { requires: [alpha], profiles: [p] }\n',
  );
  const r = await runCli(['lock', '--json', '--config', join(dir, 'pyindex.yaml'), '--cache-dir', join(dir, 'cache')], { cwd: dir });
  t.equal(r.code, 3, 'index unreachable');
  const lines = r.stderr.trimEnd().split('\n');
  const firstText = lines.findIndex((l) => !l.startsWith('{'));
  t.ok(firstText > 0, 'event lines come before the error text');
  for (const l of lines.slice(0, firstText)) t.doesNotThrow(() => JSON.parse(l), `a whole JSON line: ${l.slice(0, 60)}`);
  t.match(JSON.parse(lines[0]!), { type: 'task:start', id: 'j/p' });
  t.ok(lines.slice(firstText).some((l) => /E_NETWORK|unreachable|ECONNREFUSED/.test(l)), 'the error text follows');
  t.match(JSON.parse(r.stdout), { error: { code: /E_NETWORK/ } }, 'stdout carries the error document');
});
