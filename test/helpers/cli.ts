/**
 * Runs the real CLI in a child process (TypeScript through tsx, so tests need
 * no build step) and collects its output and exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
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

/** bin/pyindex.js: the launcher of the bundle `npm run build` writes to dist/cli/. */
export const builtBin = join(projectRoot, 'bin', 'pyindex.js');

/** Why tests of the built CLI skip: dist/cli is not built, or false. */
export const builtSkip: string | false = existsSync(join(projectRoot, 'dist', 'cli', 'pyindex.cjs')) ? false : 'dist/cli is not built (npm run build)';

/**
 * Runs the built CLI as users do (bin/pyindex.js), with `node` (default: this
 * process's Node). Its code cache goes to `<cwd>/.pyindex-cache` unless `env`
 * names another, never to the user's home.
 */
export function runBuilt(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, node = process.execPath): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [builtBin, ...args], { cwd, env: { ...process.env, CI: '1', PYINDEX_CACHE_DIR: join(cwd, '.pyindex-cache'), ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
