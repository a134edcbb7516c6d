/**
 * `pyindex provision`: the build step. Prints one line (or --json) and keeps
 * the no-op path free of listr2 and YAML: progress goes through the plain
 * event sink, and the library loads the heavy parts only when needed.
 */
import { resolve } from 'node:path';
import { PyindexError } from '../../errors/index.js';
import { provision, type ProvisionResult } from '../../provision/provision.js';
import { booleanOption, stringOption, type Command } from '../command.js';
import { CONFIG_OPTION, cacheDir, configPath } from '../paths.js';

function summary(r: ProvisionResult, seconds: string): string {
  if (r.upToDate) return `${r.venv}: up to date (job ${r.job} × ${r.profile}, ${r.packages} packages) in ${seconds}s`;
  const parts = [`${r.venv}: job ${r.job} × ${r.profile}, ${r.packages} packages with ${r.python}`];
  if (r.created) parts.push(r.created);
  if (r.installed.length) parts.push(`installed ${r.installed.length}`);
  if (r.removed.length) parts.push(`removed ${r.removed.join(', ')}`);
  if (!r.installed.length && !r.removed.length) parts.push('already in sync');
  return `${parts.join('; ')} in ${seconds}s`;
}

export const provisionCommand: Command = {
  path: ['provision'],
  summary: 'make a venv hold exactly one job × profile of the lockfile, offline from a wheelhouse (no-op when nothing changed)',
  usage: 'provision --job J [--profile P | auto] --venv DIR [--wheelhouse DIR | --bundle FILE] [--python PATH] [--fetch] [--config F | --lock FILE] [--cache-dir D]',
  options: {
    ...CONFIG_OPTION,
    job: { type: 'string' },
    profile: { type: 'string' },
    venv: { type: 'string' },
    wheelhouse: { type: 'string', short: 'w' },
    bundle: { type: 'string' },
    python: { type: 'string' },
    fetch: { type: 'boolean' },
    lock: { type: 'string' },
    'cache-dir': { type: 'string' },
  },
  async run(ctx) {
    const job = stringOption(ctx, 'job');
    const venv = stringOption(ctx, 'venv');
    if (!job) throw new PyindexError('E_USAGE', '--job is required', { hint: 'Name the job from pyindex.yaml, e.g. --job tests.' });
    if (!venv) throw new PyindexError('E_USAGE', '--venv is required', { hint: 'Name the venv directory to create or update, e.g. --venv build/venv.' });
    const bundle = stringOption(ctx, 'bundle');
    const wheelhouse = stringOption(ctx, 'wheelhouse');
    if (bundle && wheelhouse) throw new PyindexError('E_USAGE', '--wheelhouse and --bundle exclude each other', { hint: 'A bundle carries its own wheelhouse.' });
    const lock = stringOption(ctx, 'lock');
    if (lock && stringOption(ctx, 'config')) throw new PyindexError('E_USAGE', '--config and --lock exclude each other', { hint: '--config uses the lockfile beside it; --lock names one directly.' });
    const started = Date.now();
    const result = await provision({
      job,
      profile: stringOption(ctx, 'profile') ?? 'auto',
      venv: resolve(ctx.cwd, venv),
      wheelhouse: wheelhouse ? resolve(ctx.cwd, wheelhouse) : undefined,
      bundle: bundle ? resolve(ctx.cwd, bundle) : undefined,
      python: stringOption(ctx, 'python'),
      fetch: booleanOption(ctx, 'fetch'),
      lockFile: lock ? resolve(ctx.cwd, lock) : undefined,
      configFile: bundle || lock ? undefined : configPath(ctx),
      cacheDir: cacheDir(ctx),
      cwd: ctx.cwd,
      env: ctx.env,
      onEvent: ctx.onEvent,
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(2);
    ctx.out.print(summary(result, seconds));
    ctx.out.json({ ...result, seconds: Number(seconds) });
    return 0;
  },
};
