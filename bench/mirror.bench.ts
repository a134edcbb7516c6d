/**
 * Mirrors (issue 6): on a locked corpus of 24 wheels (~48 MB of
 * incompressible payload), served by two static-server processes over the
 * same tree — the primary A and its mirror B, B forced first
 * (`--mirror-order`; on loopback both are equally near) —
 *
 * - `pyindex fetch` cold with B healthy, vs with B killed (SIGTERM, no
 *   handler: the process dies at once) mid-run — when the 17th download
 *   starts (16 run at once, so one has finished, 16 are in flight, 7 wait):
 *   the ratio is the cost of failing over (in-flight files cut short and
 *   fetched again from A, B set aside); how many files actually failed over
 *   is counted. A fetch from A alone, no mirrors configured, is the
 *   reference for the mirror machinery itself.
 * - `pyindex mirror` copying the lock's closure into an empty tree (each
 *   file verified, then published with its .metadata, pages regenerated,
 *   everything fsynced) vs `pip download --no-deps` of the same pins with
 *   hashes (isolated pip, no cache; pip syncs nothing).
 *
 * Every run is a child process timed from spawn to exit, start-up included,
 * cold (fresh cache, wheelhouse, tree); tools take turns round by round. The
 * three fetches all run with --json (the killed one needs its events).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { lock } from '../src/lock/lock.js';
import { writeLockfile } from '../src/lock/write.js';
import { plannedFiles } from '../src/wheelhouse/plan.js';
import { isolatedEnv } from '../test/helpers/python.js';
import { type PayloadWheelSpec } from '../test/helpers/wheelhouse-kit.js';
import type { Bench, BenchRow } from './lib.js';
import { payloadCorpus, succeeded } from './payload-corpus.js';
import { cliRunners, measure, median, pipPython, startServerProcess, tempDir } from './lock-tools.js';

const FILES = 24;
const PAYLOAD = 2_000_000;
const RUNS = 5;
const TIMEOUT_S = 600;
const MB = 1024 * 1024;
const SPECS: PayloadWheelSpec[] = Array.from({ length: FILES }, (_, i) => ({ name: `mirrored-${String(i).padStart(2, '0')}`, version: '1.0.0', payload: PAYLOAD }));


/** Runs the CLI; when its --json stderr so far first satisfies `trigger`, calls `onTrigger`. Wall time from spawn to exit, and the stderr. */
function timedRun(args: string[], trigger: (stderr: string) => boolean, onTrigger: () => void): Promise<{ ms: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env: { ...process.env, CI: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let fired = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (!fired && trigger(stderr)) {
        fired = true;
        onTrigger();
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code !== 0) reject(new Error(`pyindex exited ${code}: ${stderr.split('\n').slice(-4).join(' | ')}`));
      else if (!fired) reject(new Error('the trigger never fired'));
      else resolve({ ms, stderr });
    });
  });
}

function verify(dir: string, files: { filename: string; sha256: string }[], what: string): void {
  for (const f of files) {
    const path = join(dir, f.filename);
    if (!existsSync(path) || createHash('sha256').update(readFileSync(path)).digest('hex') !== f.sha256) throw new Error(`${what}: ${f.filename} missing or wrong`);
  }
}

const bench: Bench = {
  title: `mirrors: ${FILES} locked wheels (~${Math.round((FILES * PAYLOAD) / MB)} MB), primary + one mirror on loopback, cold`,
  async run(): Promise<BenchRow[]> {
    const root = payloadCorpus('mirror', SPECS);
    const a = await startServerProcess(root);
    let b = await startServerProcess(root);
    const work = tempDir('mirror');
    try {
      const primary = `${a.url}/simple/`;
      const jobs = `jobs:\n  bench:\n    requires: ${JSON.stringify(SPECS.map((s) => s.name))}\n    profiles: [linux]\n`;
      const profiles = 'profiles:\n  linux: { platform: linux-x86_64, python: "3.11" }\n';
      const writeConfig = (dir: string, mirror: string | undefined): string => {
        mkdirSync(dir, { recursive: true });
        const index = mirror ? `index:\n  url: ${primary}\n  mirrors: [${mirror}]\n` : `index: ${primary}\n`;
        writeFileSync(join(dir, 'pyindex.yaml'), index + profiles + jobs);
        return join(dir, 'pyindex.yaml');
      };
      // One lock serves every config below: mirrors do not change the config digest.
      const plainConfig = writeConfig(join(work, 'plain'), undefined);
      const { lockfile } = await lock({ config: loadConfig(plainConfig), cacheDir: join(work, 'lock-cache') });
      await writeLockfile(join(work, 'plain', 'pyindex.lock.yaml'), lockfile);
      const files = plannedFiles(lockfile, [], []);
      const mb = files.reduce((n, f) => n + f.size, 0) / MB;
      // A server process is fresh after each kill; its first answers (JIT, file handles) are slower than the
      // primary's, which the lock above warmed. Every server is warmed alike before a timed run — otherwise the
      // "machinery overhead" below measures server warm-up (it read ×1.34 that way).
      const warm = async (server: { url: string }): Promise<void> => {
        for (let round = 0; round < 3; round++) {
          await Promise.all(files.map(async (f) => {
            const res = await fetch(server.url + new URL(f.url).pathname);
            if (!res.ok) throw new Error(`warming ${server.url}: ${f.filename} answered ${res.status}`);
            await res.arrayBuffer();
          }));
        }
      };
      await warm(a);
      await warm(b);

      let argv: string[] | undefined;
      let describe = '';
      for (const runner of await cliRunners()) {
        const smoke = await measure(process.execPath, [...runner.argv, '--version'], { ...process.env }, TIMEOUT_S);
        if (!smoke.error) {
          argv = runner.argv;
          describe = runner.describe.replace('pyindex lock', 'pyindex');
          break;
        }
      }
      if (!argv) throw new Error('no pyindex build runs');

      // 16 downloads run at once: the 17th request starts when the first finished, with 16 in flight and 7 to go.
      const requests = (stderr: string): number => stderr.split('"type":"index:request"').length - 1;
      const midRun = (stderr: string): boolean => requests(stderr) >= 17;
      const started = (stderr: string): boolean => requests(stderr) >= 1;
      const healthy: number[] = [];
      const dying: number[] = [];
      const single: number[] = [];
      const failovers: number[] = [];
      const ours: number[] = [];
      const pip: number[] = [];
      const python = pipPython();
      const requirements = join(work, 'requirements.txt');
      writeFileSync(requirements, files.map((f) => `${f.project}==${f.version} --hash=sha256:${f.sha256}`).join('\n') + '\n');
      for (let i = 0; i < RUNS; i++) {
        const mirror = `${b.url}/simple/`;
        const dir = join(work, `round-${i}`);
        const config = writeConfig(dir, mirror);
        writeFileSync(join(dir, 'pyindex.lock.yaml'), readFileSync(join(work, 'plain', 'pyindex.lock.yaml')));
        const fetchArgs = (wh: string, cache: string, cfg = config): string[] => [...argv!, 'fetch', '--json', '--config', cfg, '--wheelhouse', join(dir, wh), '--cache-dir', join(dir, cache), '--mirror-order', mirror];

        healthy.push((await timedRun(fetchArgs('wh-healthy', 'c1'), started, () => {})).ms);
        if (i === 0) verify(join(dir, 'wh-healthy'), files, 'fetch, mirror healthy');
        const victim = b;
        const killed = await timedRun(fetchArgs('wh-dying', 'c2'), midRun, () => victim.stop());
        dying.push(killed.ms);
        failovers.push(killed.stderr.split('"type":"mirror:failover"').length - 1);
        verify(join(dir, 'wh-dying'), files, 'fetch, mirror killed');
        b = await startServerProcess(root);
        await warm(b);
        // The reference: the primary alone, no mirrors configured (its own lock copy beside its config).
        const plainDir = join(dir, 'plain');
        const plain = writeConfig(plainDir, undefined);
        writeFileSync(join(plainDir, 'pyindex.lock.yaml'), readFileSync(join(work, 'plain', 'pyindex.lock.yaml')));
        single.push((await timedRun([...argv, 'fetch', '--json', '--config', plain, '--wheelhouse', join(dir, 'wh-single'), '--cache-dir', join(dir, 'c3')], started, () => {})).ms);

        // pyindex mirror of the lock's closure vs pip download of the same pins.
        const tree = join(dir, 'tree');
        ours.push(succeeded(await measure(process.execPath, [...argv, 'mirror', '--from', primary, '--to', tree, '--lock', join(work, 'plain', 'pyindex.lock.yaml'), '--cache-dir', join(dir, 'c4')], { ...process.env, CI: '1' }, TIMEOUT_S), 'pyindex mirror'));
        if (i === 0) verify(join(tree, 'files', files[0]!.project), [files[0]!], 'pyindex mirror');
        if (python) {
          const dest = join(dir, 'pip');
          pip.push(succeeded(await measure(python, ['-m', 'pip', 'download', '--no-deps', '--isolated', '--no-cache-dir', '--only-binary=:all:', '--index-url', primary, '-d', dest, '-r', requirements, '--quiet'], isolatedEnv(), TIMEOUT_S), 'pip download'));
          if (i === 0) verify(dest, files, 'pip download');
        }
        rmSync(dir, { recursive: true, force: true });
      }
      const rerunDir = join(work, 'rerun');
      const rerunTree = join(rerunDir, 'tree');
      const mirrorArgs = [...argv, 'mirror', '--from', primary, '--to', rerunTree, '--lock', join(work, 'plain', 'pyindex.lock.yaml'), '--cache-dir', join(rerunDir, 'cache')];
      succeeded(await measure(process.execPath, mirrorArgs, { ...process.env, CI: '1' }, TIMEOUT_S), 'pyindex mirror (fill)');
      const rerun: number[] = [];
      for (let i = 0; i < RUNS; i++) rerun.push(succeeded(await measure(process.execPath, mirrorArgs, { ...process.env, CI: '1' }, TIMEOUT_S), 'pyindex mirror (re-run)'));

      const all = (xs: number[]) => xs.map((x) => x.toFixed(0)).join('/');
      return [
        {
          name: `pyindex fetch, nearest mirror killed mid-run vs healthy (${files.length} files / ${mb.toFixed(0)} MB; median of ${RUNS} interleaved rounds; ${describe})`,
          ours: median(dying),
          peer: median(healthy),
          peerName: 'the same fetch with the mirror healthy',
          unit: 'ms',
          note: `fail-over cost ×${(median(dying) / median(healthy)).toFixed(2)}; files failed over per killed run: ${failovers.join('/')}; runs: killed ${all(dying)}, healthy ${all(healthy)}`,
        },
        {
          name: 'pyindex fetch from the primary alone, no mirrors configured (reference)',
          ours: median(single),
          unit: 'ms',
          note: `mirror machinery overhead ×${(median(healthy) / median(single)).toFixed(2)} (healthy mirror / no mirrors); runs ${all(single)}`,
        },
        {
          name: `pyindex mirror --lock (copy the lock's ${files.length} files + .metadata into an empty tree, verified, published, fsynced)`,
          ours: median(ours),
          ...(pip.length ? { peer: median(pip), peerName: 'pip download --no-deps (pins + hashes, isolated, no cache)' } : { note: 'pip (pyenv 3.13.0) not found' }),
          unit: 'ms',
          ...(pip.length ? { note: `runs: pyindex ${all(ours)}, pip ${all(pip)}` } : {}),
        },
        { name: 'pyindex mirror re-run on the complete tree (every file re-hashed, nothing copied)', ours: median(rerun), unit: 'ms', note: `runs ${all(rerun)}` },
      ];
    } finally {
      a.stop();
      b.stop();
      rmSync(work, { recursive: true, force: true });
    }
  },
};

export default bench;
