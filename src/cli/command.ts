/**
 * The shape of a CLI command. Only `src/cli/` parses arguments and prints;
 * a command turns parsed options into library calls and renders the result.
 */
import type { ParseArgsConfig } from 'node:util';
import type { EventSink } from '../events/index.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface Output {
  /** Human output: a line (or block) on stdout. Suppressed with --json. */
  print(text: string): void;
  /** Machine output for --json: printed once as JSON on stdout. */
  json(value: unknown): void;
  /** Warnings and notes on stderr (also in --json mode). */
  warn(text: string): void;
  readonly jsonMode: boolean;
  readonly isTTY: boolean;
}

export interface CommandContext {
  /** Parsed option values (by long name) and positionals. */
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  out: Output;
  /** Give this to library calls as `onEvent`; the reporter renders progress. */
  onEvent: EventSink;
  /** Runs long work as a titled task (listr2 on a TTY); `fn` gets the sink to pass on. */
  task<T>(title: string, fn: (onEvent: EventSink) => Promise<T>): Promise<T>;
  /** Runs work made of several parallel items (one listr2 line each on a TTY). */
  group<T>(items: { id: string; title: string }[], fn: (onEvent: EventSink) => Promise<T>): Promise<T>;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface Command {
  /** Words that select it, e.g. ['profile', 'show']. */
  path: string[];
  summary: string;
  /** Usage line(s) after `pyindex `, e.g. 'profile show NAME [--config F]'. */
  usage: string;
  options: OptionSpec;
  /** Number of positionals allowed: [min, max]. */
  positionals?: [number, number];
  /** Returns the exit code (0 when undefined). Throws PyindexError on failure. */
  run(ctx: CommandContext): Promise<number | void>;
}

/** Reads a string option; repeated options give the last value. */
export function stringOption(ctx: Pick<CommandContext, 'values'>, name: string): string | undefined {
  const v = ctx.values[name];
  if (Array.isArray(v)) {
    const last = v[v.length - 1];
    return typeof last === 'string' ? last : undefined;
  }
  return typeof v === 'string' ? v : undefined;
}

/** Reads a repeatable string option (declare it with `multiple: true`). */
export function stringListOption(ctx: CommandContext, name: string): string[] {
  const v = ctx.values[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

export function booleanOption(ctx: CommandContext, name: string): boolean {
  return ctx.values[name] === true;
}
