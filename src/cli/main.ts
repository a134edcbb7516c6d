/**
 * pyindex command-line entry point: selects a command, parses its options
 * (node:util parseArgs, strict), runs it, renders errors, returns the exit code.
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { PyindexError } from '../errors/index.js';
import { packageRoot } from '../util/package-root.js';
import { setParsedYamlCacheDir } from '../util/yaml-source.js';
import { join } from 'node:path';
import { cacheDir } from './paths.js';
import type { Command, OptionSpec } from './command.js';
import { commandTable, loadAllCommands, type CommandEntry } from './commands/index.js';
import { createOutput, type OutputStreams } from './output.js';
import { renderError } from './render-error.js';
import { batchedLines } from './batched-lines.js';
import { createReporter } from './reporter.js';

const GLOBAL_OPTIONS: OptionSpec = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export interface RunOptions extends Partial<OutputStreams> {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export function version(): string {
  const pkg = JSON.parse(readFileSync(`${packageRoot()}/package.json`, 'utf8')) as { version: string };
  return pkg.version;
}

function findCommand(argv: string[]): { entry: CommandEntry | undefined; rest: string[] } {
  let best: CommandEntry | undefined;
  for (const c of commandTable) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  return { entry: best, rest: best ? argv.slice(best.path.length) : argv };
}

export async function usageText(): Promise<string> {
  const commands = await loadAllCommands();
  const lines = ['usage: pyindex <command> [options]', '', 'commands:'];
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  for (const c of commands) lines.push(`  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  lines.push('', 'global options: --json (machine-readable output), -h/--help, --version');
  lines.push('exit codes: 0 ok, 1 no solution, 2 bad input, 3 index or network failure, 4 integrity, 5 local environment, 6 lock stale, 70 bug (`pyindex codes` lists every error code)');
  return lines.join('\n');
}

function commandHelp(c: Command): string {
  const opts = Object.entries(c.options).map(([name, o]) => `  --${name}${o.short ? `, -${o.short}` : ''}${o.type === 'string' ? ' VALUE' : ''}${o.multiple ? ' (repeatable)' : ''}`);
  return [`usage: pyindex ${c.usage}`, '', c.summary, ...(opts.length ? ['', 'options:', ...opts] : [])].join('\n');
}

/** process.cwd(), or a clear error when the directory was removed after the shell entered it (uv_cwd: ENOENT). */
function workingDirectory(): string {
  try {
    return process.cwd();
  } catch (err) {
    throw new PyindexError('E_FILE_NOT_FOUND', `the current directory no longer exists (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
      hint: 'It was removed after this shell entered it: cd to an existing directory and run the command again.',
      cause: err,
    });
  }
}

export async function run(argv: string[], options: RunOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  const jsonMode = argv.includes('--json');
  // --json: event lines are batched per event-loop turn (batched-lines.ts); warnings and errors join the same batch to keep their order.
  const errors = jsonMode ? batchedLines(stderr) : undefined;
  const errStream = errors ?? stderr;
  const out = createOutput({ stdout, stderr: errStream }, jsonMode);
  try {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      stdout.write(`${await usageText()}\n`);
      return 0;
    }
    if (argv[0] === '--version' || argv[0] === 'version') {
      stdout.write(`${version()}\n`);
      return 0;
    }
    const { entry, rest } = findCommand(argv);
    if (!entry) {
      throw new PyindexError('E_USAGE', `unknown command ${JSON.stringify(argv.filter((a) => !a.startsWith('-')).join(' '))}`, {
        hint: `Run "pyindex --help" for the list of commands.`,
      });
    }
    const command = await entry.load();
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
    } catch (err) {
      throw new PyindexError('E_USAGE', err instanceof Error ? err.message : String(err), { hint: `usage: pyindex ${command.usage}` });
    }
    if (parsed.values.help) {
      stdout.write(`${commandHelp(command)}\n`);
      return 0;
    }
    const [min, max] = command.positionals ?? [0, 0];
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      throw new PyindexError('E_USAGE', `"pyindex ${command.path.join(' ')}" takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${parsed.positionals.length}`, {
        hint: `usage: pyindex ${command.usage}`,
      });
    }
    const stdoutTTY = Boolean((stdout as { isTTY?: boolean }).isTTY);
    const context = {
      values: parsed.values,
      positionals: parsed.positionals,
      cwd: options.cwd ?? workingDirectory(),
      env,
    };
    setParsedYamlCacheDir(join(cacheDir(context), 'parsed-yaml'));
    const reporter = createReporter(jsonMode ? 'json' : stdoutTTY && !env.CI ? 'tty' : 'plain', errStream);
    const code = await command.run({
      ...context,
      out,
      onEvent: reporter.onEvent,
      task: (title, fn) => reporter.task(title, fn),
      group: (items, fn) => reporter.group(items, fn),
    });
    return code ?? 0;
  } catch (err) {
    const rendered = renderError(err, Boolean(env.PYINDEX_DEBUG));
    if (jsonMode) stdout.write(`${JSON.stringify(rendered.json, null, 2)}\n`);
    errStream.write(`${rendered.text}\n`);
    return rendered.exitCode;
  } finally {
    errors?.flush();
  }
}
