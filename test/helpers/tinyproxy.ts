/**
 * A real forward proxy for tests: Debian's tinyproxy on a loopback port,
 * started in the foreground with a generated config and stopped by the
 * test. It proxies absolute-form http requests and CONNECT tunnels, and can
 * demand Basic credentials (407) as corporate proxies do. Its log (stdout)
 * says which requests went through it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Tinyproxy {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The request lines it logged so far ("GET http://… HTTP/1.1", "CONNECT host:port HTTP/1.1"). */
  requests(): string[];
  close(): Promise<void>;
}

/** Why a proxy test cannot run here, or undefined when tinyproxy is installed. */
export function tinyproxyMissing(): string | undefined {
  const r = spawnSync('tinyproxy', ['-v'], { stdio: 'ignore' });
  return r.error ? 'tinyproxy is not installed (apt-get install tinyproxy)' : undefined;
}

/** A port that was free a moment ago (tinyproxy cannot listen on port 0 and say which port it got). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startTinyproxy(dir: string, options: { basicAuth?: { user: string; password: string } } = {}): Promise<Tinyproxy> {
  const port = await freePort();
  const config = join(dir, `tinyproxy-${port}.conf`);
  const lines = [`Port ${port}`, 'Listen 127.0.0.1', 'Timeout 30', 'MaxClients 100', 'LogLevel Info', 'Allow 127.0.0.1', 'DisableViaHeader Yes'];
  if (options.basicAuth) lines.push(`BasicAuth ${options.basicAuth.user} ${options.basicAuth.password}`);
  writeFileSync(config, `${lines.join('\n')}\n`);
  const child = spawn('tinyproxy', ['-d', '-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      log += d.toString('utf8');
      if (log.includes('Accepting connections')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`tinyproxy exited (${code}) before it listened:\n${log}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => [...log.matchAll(/Request \(file descriptor \d+\): (.+)$/gm)].map((m) => m[1]!.trim()),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
