/**
 * A real OpenSSH server for tests: started on 127.0.0.1 on a free port as the
 * current user, with throw-away host and user keys in a temp directory, and
 * stopped by the test. Needs Debian's `openssh-server` (and `openssh-client`
 * for ssh/ssh-keygen); `sshdMissing()` gives the reason to skip when absent.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Why the sshd tests cannot run here, or undefined when they can. */
export function sshdMissing(): string | undefined {
  if (!existsSync(SSHD)) return `${SSHD} is not installed (apt-get install openssh-server)`;
  for (const tool of ['ssh', 'ssh-keygen', 'rsync', 'sha256sum']) if (!onPath(tool)) return `${tool} is not installed`;
  if (process.platform === 'win32') return 'no sshd on Windows';
  return undefined;
}

export interface Sshd {
  port: number;
  user: string;
  /** Private key accepted by the server. */
  key: string;
  /** ssh `-o` options (KEY=VALUE) that reach this server non-interactively. */
  sshOptions: string[];
  /** The server's own log (stderr with -e), for failure messages. */
  log(): string;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function keygen(path: string): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'pyindex-test', '-f', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
}

/** Polls the port until sshd accepts connections (or exits); no fixed sleeps. */
async function waitReady(child: ChildProcess, port: number, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 1500; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`sshd exited (${child.exitCode ?? child.signalCode}): ${log()}`);
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 10)); // poll interval, not a wait for a guessed duration
  }
  throw new Error(`sshd did not listen on port ${port}: ${log()}`);
}

export async function startSshd(dir: string): Promise<Sshd> {
  mkdirSync(dir, { recursive: true });
  const hostKey = join(dir, 'host_key');
  const key = join(dir, 'user_key');
  keygen(hostKey);
  keygen(key);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${key}.pub`));
  // Debian's sshd refuses to start as root without its privilege separation directory.
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const user = userInfo().username;

  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    // The port is free now; another process could take it before sshd binds, hence the retry.
    const port = await freePort();
    const config = join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        'ListenAddress 127.0.0.1',
        `Port ${port}`,
        `HostKey ${hostKey}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'StrictModes no',
        'UsePAM no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'PermitRootLogin prohibit-password',
        `AllowUsers ${user}`,
        'LogLevel ERROR',
        '',
      ].join('\n'),
    );
    let stderr = '';
    const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    try {
      await waitReady(child, port, () => stderr);
    } catch (err) {
      lastError = err;
      child.kill('SIGTERM');
      continue;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return {
      port,
      user,
      key,
      sshOptions: [`Port=${port}`, `IdentityFile=${key}`, 'IdentitiesOnly=yes', 'StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null', 'LogLevel=ERROR'],
      log: () => stderr,
      async close() {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          await exited;
        }
      },
    };
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
