/**
 * On a TTY, `pyindex lock` shows one listr2 line per job × profile that ends
 * with its counts. Run under `script` (util-linux) to get a real pseudo-terminal.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { projectRoot } from '../helpers/mkindex.js';

const hasScript = spawnSync('script', ['--version']).status === 0;

t.test('listr2 renders a line per job × profile', { skip: hasScript ? false : 'no `script` command here' }, async (t) => {
  const dir = t.testdir({});
  const bin = `node --import=tsx ${join(projectRoot, 'src', 'cli', 'bin.ts')}`;
  const { CI: _ci, ...env } = process.env;
  const raw = execFileSync('script', ['-qec', `stty cols 160 rows 50; cd ${projectRoot} && ${bin} demo --dir ${join(dir, 'demo')}`, '/dev/null'], {
    env: { ...env, TERM: 'xterm' },
    encoding: 'utf8',
  });
  // eslint-disable-next-line no-control-regex -- stripping terminal escape sequences
  const screen = raw.replace(/\r/g, '\n').replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '');
  for (const pair of ['talos × linux64-py311', 'talos × win64-py311', 'lint × linux-x86_64-py3.8']) {
    t.match(screen, new RegExp(`✔ ${pair}: \\d+ packages; \\d+ projects fetched, \\d+ candidates tried`), pair);
  }
  t.notMatch(screen, /not finished/);
});
