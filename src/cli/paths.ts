/**
 * Where the CLI finds things: the config (--config or ./pyindex.yaml), the
 * lockfile beside it, and the cache directory.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { findConfig } from '../config/find.js';
import { stringOption, type CommandContext } from './command.js';

export const LOCK_FILENAME = 'pyindex.lock.yaml';

export function configPath(ctx: CommandContext): string {
  const given = stringOption(ctx, 'config');
  return given ? resolve(ctx.cwd, given) : findConfig(ctx.cwd);
}

/** --cache-dir, else defaultCacheDir. */
export function cacheDir(ctx: Pick<CommandContext, 'values' | 'cwd' | 'env'>): string {
  const given = stringOption(ctx, 'cache-dir');
  return given ? resolve(ctx.cwd, given) : defaultCacheDir(ctx.env, ctx.cwd);
}

/** $PYINDEX_CACHE_DIR, else $XDG_CACHE_HOME/pyindex, else ~/.cache/pyindex. */
export function defaultCacheDir(env: NodeJS.ProcessEnv, cwd: string): string {
  if (env.PYINDEX_CACHE_DIR) return resolve(cwd, env.PYINDEX_CACHE_DIR);
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg ? resolve(xdg) : join(homedir(), '.cache'), 'pyindex');
}

export const CONFIG_OPTION = { config: { type: 'string', short: 'c' } } as const;
