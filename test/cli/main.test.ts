import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { ERROR_CODES } from '../../src/errors/index.js';

t.test('--help lists commands and exit codes', async (t) => {
  const r = await runCli(['--help']);
  t.equal(r.code, 0);
  t.match(r.stdout, /usage: pyindex <command>/);
  t.match(r.stdout, /codes\s+list every error code/);
  t.match(r.stdout, /exit codes: 0 ok, 1 no solution, 2 bad input, 3 index/);
});

t.test('--version prints package.json version', async (t) => {
  const r = await runCli(['--version']);
  t.equal(r.code, 0);
  t.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
});

t.test('unknown command is E_USAGE, exit 2, with a hint', async (t) => {
  const r = await runCli(['frobnicate']);
  t.equal(r.code, 2);
  t.match(r.stderr, /error E_USAGE: unknown command "frobnicate"/);
  t.match(r.stderr, /hint: Run "pyindex --help"/);
  t.notMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
});

t.test('unknown option is E_USAGE with the usage line', async (t) => {
  const r = await runCli(['codes', '--bogus']);
  t.equal(r.code, 2);
  t.match(r.stderr, /E_USAGE/);
  t.match(r.stderr, /usage: pyindex codes/);
});

t.test('--json renders errors as one JSON document on stdout', async (t) => {
  const r = await runCli(['nope', '--json']);
  t.equal(r.code, 2);
  const doc = JSON.parse(r.stdout) as { error: { code: string; exitCode: number; hint: string } };
  t.equal(doc.error.code, 'E_USAGE');
  t.equal(doc.error.exitCode, 2);
  t.ok(doc.error.hint);
});

t.test('codes lists every error code with its exit code', async (t) => {
  const r = await runCli(['codes', '--json']);
  t.equal(r.code, 0);
  const rows = JSON.parse(r.stdout) as { code: string; exit: number }[];
  t.equal(rows.length, Object.keys(ERROR_CODES).length);
  for (const row of rows) t.equal(row.exit, ERROR_CODES[row.code as keyof typeof ERROR_CODES].exit, row.code);
});
