/**
 * `pyindex serve` as a command: usage errors, the --config file, stale pages
 * healed at start, SIGTERM.
 */
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { startServeCli } from '../helpers/serve-cli.js';
import { populateClientTree } from '../helpers/serve-dists.js';

t.test('usage and config errors exit 2 before listening', async (t) => {
  const dir = t.testdir({ 'bad.yaml': 'serve:\n  port: 80\n  colour: blue\n', 'badtype.yaml': 'port: "eighty"\n' });
  const cases: [string[], string][] = [
    [['serve'], 'E_USAGE'],
    [['serve', '--root', dir, '--port', '99999'], 'E_USAGE'],
    [['serve', '--root', dir, '--max-upload-size', 'lots'], 'E_USAGE'],
    [['serve', '--root', dir, '--config', join(dir, 'bad.yaml')], 'E_CONFIG_INVALID'],
    [['serve', '--root', dir, '--config', join(dir, 'badtype.yaml')], 'E_CONFIG_INVALID'],
    [['serve', '--config', join(dir, 'missing.yaml')], 'E_FILE_NOT_FOUND'],
  ];
  for (const [args, code] of cases) {
    const res = await runCli([...args, '--json']);
    t.equal(res.code, 2, args.join(' '));
    t.match(res.stdout, code, args.join(' '));
  }
});

t.test('--config supplies root and mirror id; stale pages rebuilt at start; SIGTERM exits 0', async (t) => {
  const dir = t.testdir({});
  const tree = join(dir, 'tree');
  await populateClientTree(tree);
  const page = join(tree, 'simple', 'lib', 'index.html');
  const good = readFileSync(page, 'utf8');
  writeFileSync(page, 'torn write');
  utimesSync(page, new Date(0), new Date(0));
  writeFileSync(join(dir, 'serve.yaml'), 'serve:\n  root: tree\n  mirrorId: from-config\n  host: 127.0.0.1\n');
  const server = await startServeCli(undefined, ['--config', join(dir, 'serve.yaml')]);
  t.teardown(() => server.stop('SIGKILL'));
  t.match(server.stderr(), /rebuilt stale pages of 1 project\(s\): lib/);
  t.equal(readFileSync(page, 'utf8'), good);
  const res = await fetch(`${server.url}files/lib/lib-1.0-py3-none-any.whl`);
  t.equal(res.status, 200);
  await res.arrayBuffer();
  const stopped = await server.stop('SIGTERM');
  t.equal(stopped.code, 0, stopped.stderr);
  const day = new Date().toISOString().slice(0, 10);
  t.match(readFileSync(join(tree, '.pyindex', 'downloads', `${day}.jsonl`), 'utf8'), '"mirror":"from-config"');
});
