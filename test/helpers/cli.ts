/**
 * Runs the real CLI in a child process (TypeScript through tsx, so tests need
 * no build step) and collects its output and exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from './mkindex.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  /** Everything written on stderr so far. */
  stderr(): string;
  /** Resolves when the process has exited (killed by SIGKILL: code 137). */
  done: Promise<CliResult>;
}

/** Starts the CLI and returns at once, for tests that act while it runs (kill it, stop a server under it). */
export function startCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): RunningCli {
  const child = spawn(process.execPath, ['--import=tsx', join(projectRoot, 'src', 'cli', 'bin.ts'), ...args], {
    cwd: opts.cwd ?? projectRoot,
    env: { ...process.env, CI: '1', ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal === 'SIGKILL' ? 137 : -1), stdout, stderr }));
  });
  child.stdin.end(opts.input ?? '');
  return { child, stderr: () => stderr, done };
}

export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliResult> {
  return startCli(args, opts).done;
}
