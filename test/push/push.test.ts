/**
 * pushWheelhouse against a real sshd on 127.0.0.1 (test/helpers/sshd.ts): two
 * "hosts" are two directories behind the same sshd, a third is a closed port
 * (127.0.0.2, where nothing listens).
 */
import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { selectWheelhouseFiles } from '../../src/bundle/index.js';
import type { PyindexEvent } from '../../src/events/index.js';
import { parsePushTarget, pushWheelhouse } from '../../src/push/index.js';
import { plannedFiles } from '../../src/wheelhouse/index.js';
import { sshdMissing, startSshd } from '../helpers/sshd.js';
import { fixtureLock, sha256, writeWheelhouse } from '../helpers/wheelhouse-fixture.js';

const missing = sshdMissing();
if (missing) t.comment(`skipping: ${missing}`);

t.test('push to two hosts and a dead one', { skip: missing ?? false }, async (t) => {
  const dir = t.testdir({ remote: {} });
  const sshd = await startSshd(join(dir, 'sshd'));
  t.teardown(() => sshd.close());
  const wh = join(dir, 'wh');
  writeWheelhouse(wh);
  const { files } = await selectWheelhouseFiles(wh, plannedFiles(fixtureLock(), [], ['linux']), { hash: true, fetchCommand: 'pyindex fetch' });
  const remote = (name: string) => join(dir, 'remote', name);
  // A stale file from an older lock, which the push removes.
  mkdirSync(remote('a'));
  writeFileSync(join(remote('a'), 'old-1.0-py3-none-any.whl'), 'old');
  writeFileSync(join(remote('a'), 'pyindex-wheelhouse.json'), '{}');
  const targets = [`${sshd.user}@127.0.0.1:${remote('a')}`, `127.0.0.1:${remote('b')}/sub/`, `${sshd.user}@127.0.0.2:${remote('dead')}`].map(parsePushTarget);
  const events: PyindexEvent[] = [];
  const result = await pushWheelhouse({ wheelhouse: wh, files, targets, sshOptions: sshd.sshOptions, onEvent: (e) => events.push(e) });
  t.equal(result.failed, 1, JSON.stringify(result.hosts, null, 2));
  const [a, b, dead] = result.hosts;
  const expectedNames = [...files.map((f) => f.filename), 'pyindex-wheelhouse.json'].sort();
  t.match(a, { ok: true, sent: 6, verified: 6, repaired: false });
  t.match(b, { ok: true, sent: 6, verified: 6 });
  t.match(dead, { ok: false, target: targets[2]!.spec, error: { code: 'E_PUSH_FAILED', message: /127\.0\.0\.2.*(Connection refused|connect)/s } });
  for (const d of [remote('a'), join(remote('b'), 'sub')]) {
    t.same(readdirSync(d).sort(), expectedNames, `${d}: exactly the profile's files (stale file deleted, no temp files)`);
    for (const f of files) t.equal(sha256(readFileSync(join(d, f.filename))), f.sha256, `${d}/${f.filename}`);
    t.equal(statSync(join(d, files[0]!.filename)).mode & 0o777, 0o644);
  }
  const manifest = JSON.parse(readFileSync(join(remote('a'), 'pyindex-wheelhouse.json'), 'utf8')) as { files: Record<string, unknown> };
  t.same(Object.keys(manifest.files), files.map((f) => f.filename), 'the remote manifest lists exactly the pushed files');
  // Typed per-host progress: a start and an end per host, keyed by the target spec.
  for (const target of targets) {
    t.ok(events.some((e) => e.type === 'task:start' && e.id === target.spec), `start ${target.spec}`);
    t.ok(events.some((e) => e.type === 'task:end' && e.id === target.spec), `end ${target.spec}`);
  }
  t.ok(events.some((e) => e.type === 'task:progress' && e.id === targets[0]!.spec && /^sent /.test(e.detail ?? '')), 'per-file progress');

  // Up to date: nothing is sent, everything verified again.
  const again = await pushWheelhouse({ wheelhouse: wh, files, targets: [targets[0]!], sshOptions: sshd.sshOptions });
  t.match(again.hosts[0], { ok: true, sent: 0, verified: 6, repaired: false });

  // Same size and mtime, other bytes: rsync's quick check misses it, verification does not, --checksum repairs it.
  const victim = join(remote('a'), files[1]!.filename);
  const before = statSync(victim);
  const bytes = readFileSync(victim);
  bytes[10] = bytes[10]! ^ 0xff;
  writeFileSync(victim, bytes);
  utimesSync(victim, before.atime, before.mtime);
  const repaired = await pushWheelhouse({ wheelhouse: wh, files, targets: [targets[0]!], sshOptions: sshd.sshOptions });
  t.match(repaired.hosts[0], { ok: true, repaired: true, verified: 6 });
  t.equal(sha256(readFileSync(victim)), files[1]!.sha256, 'repaired on the host');

  // A non-empty directory that is not a wheelhouse is refused (--delete-after would empty it).
  mkdirSync(remote('precious'));
  writeFileSync(join(remote('precious'), 'thesis.tex'), 'do not delete');
  const refused = await pushWheelhouse({ wheelhouse: wh, files, targets: [parsePushTarget(`127.0.0.1:${remote('precious')}`)], sshOptions: sshd.sshOptions });
  t.match(refused.hosts[0], { ok: false, error: { code: 'E_PUSH_FAILED', message: /is not empty and holds no pyindex-wheelhouse\.json/ } });
  t.same(readdirSync(remote('precious')), ['thesis.tex'], 'left untouched');
});

t.test('push targets', async (t) => {
  t.match(parsePushTarget('bb@builder-07:/srv/wh/'), { user: 'bb', host: 'builder-07', dir: '/srv/wh' });
  t.match(parsePushTarget('builder:wh'), { user: undefined, host: 'builder', dir: 'wh' });
  t.match(parsePushTarget('me@[::1]:/srv/wh'), { user: 'me', host: '[::1]', dir: '/srv/wh' });
  for (const bad of ['/local/path', 'host:', 'host:/', 'host:~', 'host:..', 'host:/srv/../etc', 'host::module', 'rsync://host/m', '-oProxyCommand=x:dir', '@host:dir', 'ho st:dir', '[::1/dir']) {
    t.throws(() => parsePushTarget(bad), { code: 'E_USAGE' }, bad);
  }
});
