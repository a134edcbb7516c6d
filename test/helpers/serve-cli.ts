/**
 * `pyindex serve` as its own process (the real CLI through tsx), on a free
 * port: resolves once it printed the URL it listens on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from './mkindex.js';

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  /** Sends `signal` (default SIGTERM) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  stderr(): string;
}

/**
 * `root` undefined: no --root (it comes from --config). `entry`: the Node
 * arguments that start the CLI (default: src/cli/bin.ts through tsx; the
 * benchmark gives the bundle users run).
 */
export function startServeCli(root: string | undefined, args: string[] = [], env: NodeJS.ProcessEnv = {}, entry: string[] = ['--import=tsx', join(projectRoot, 'src', 'cli', 'bin.ts')]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...entry, 'serve', ...(root === undefined ? [] : ['--root', root]), '--port', '0', ...args], {
    cwd: projectRoot,
    env: { ...process.env, CI: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const m = /serving .* at (http:\/\/\S+)/.exec(stdout);
      if (m?.[1]) {
        resolve({
          url: m[1],
          child,
          stderr: () => stderr,
          async stop(signal = 'SIGTERM') {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return { ...(await exited), stderr };
          },
        });
      }
    });
    void exited.then(({ code }) => reject(new Error(`pyindex serve exited (${code}) before listening: ${stderr}`)));
  });
}
