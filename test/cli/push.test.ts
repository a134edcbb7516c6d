/** `pyindex push` through the real CLI against a real sshd on 127.0.0.1 (test/helpers/sshd.ts). */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { sshdMissing, startSshd } from '../helpers/sshd.js';
import { writeProject } from '../helpers/wheelhouse-fixture.js';

const missing = sshdMissing();
if (missing) t.comment(`skipping: ${missing}`);

t.test('pyindex push: two hosts succeed, a closed port fails, the exit code says so', { skip: missing ?? false }, async (t) => {
  const dir = t.testdir({ remote: {} });
  writeProject(dir);
  const sshd = await startSshd(join(dir, 'sshd'));
  t.teardown(() => sshd.close());
  const env = { PYINDEX_CACHE_DIR: join(dir, 'cache') };
  const sshArgs = sshd.sshOptions.flatMap((o) => ['--ssh-option', o]);
  const good = [`${sshd.user}@127.0.0.1:${join(dir, 'remote', 'a')}`, `127.0.0.1:${join(dir, 'remote', 'b')}`];
  const dead = `127.0.0.2:${join(dir, 'remote', 'dead')}`;

  const r = await runCli(['push', '--profile', 'linux', '--wheelhouse', 'wh', ...good.flatMap((g) => ['--to', g]), '--to', dead, ...sshArgs, '--json'], { cwd: dir, env });
  t.equal(r.code, 3, r.code === 3 ? 'E_PUSH_FAILED → exit 3' : r.stderr);
  const result = JSON.parse(r.stdout) as { profile: string; files: number; failed: number; hosts: { target: string; ok: boolean; verified: number; error?: { code: string; message: string } }[] };
  t.match(result, { profile: 'linux', files: 5, failed: 1 });
  t.match(result.hosts, [
    { target: good[0], ok: true, verified: 6 },
    { target: good[1], ok: true, verified: 6 },
    { target: dead, ok: false, error: { code: 'E_PUSH_FAILED', message: /Connection refused|connect to host/ } },
  ]);
  t.match(r.stderr, /push failed on 1 of 3 host\(s\): 127\.0\.0\.2:/);
  for (const d of ['a', 'b']) t.equal(readdirSync(join(dir, 'remote', d)).length, 6, `host ${d}: 5 files + manifest`);

  const ok = await runCli(['push', '--profile', 'linux', '--wheelhouse', 'wh', ...good.flatMap((g) => ['--to', g]), ...sshArgs], { cwd: dir, env });
  t.equal(ok.code, 0, ok.code === 0 ? 'all hosts ok → exit 0' : ok.stderr);
  t.match(ok.stdout, /: ok, 0 sent, 6 verified$/m);
  t.match(ok.stdout, /^2 of 2 host\(s\) hold linux's 5 files$/m);
});

t.test('pyindex push: usage errors', async (t) => {
  const dir = t.testdir({});
  writeProject(dir);
  const env = { PYINDEX_CACHE_DIR: join(dir, 'cache') };
  const noTo = await runCli(['push', '--profile', 'linux', '--wheelhouse', 'wh'], { cwd: dir, env });
  t.equal(noTo.code, 2);
  t.match(noTo.stderr, /--to is required/);
  const local = await runCli(['push', '--profile', 'linux', '--wheelhouse', 'wh', '--to', '/srv/wh'], { cwd: dir, env });
  t.equal(local.code, 2);
  t.match(local.stderr, /a local path is not a push target/);
  const option = await runCli(['push', '--profile', 'linux', '--wheelhouse', 'wh', '--to', 'h:wh', '--ssh-option=-p 22'], { cwd: dir, env });
  t.equal(option.code, 2);
  t.match(option.stderr, /is not KEY=VALUE/);
  const incomplete = await runCli(['push', '--profile', 'windows', '--wheelhouse', 'nowhere', '--to', 'h:wh'], { cwd: dir, env });
  t.equal(incomplete.code, 5, 'a missing local wheelhouse is found before any host is contacted');
  t.match(incomplete.stderr, /pyindex fetch --profile windows --wheelhouse nowhere/);
});
