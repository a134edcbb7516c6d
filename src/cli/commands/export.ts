import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../config/load.js';
import { PyindexError } from '../../errors/index.js';
import { exportPylock } from '../../lock/export-pylock.js';
import { exportRequirements } from '../../lock/export-requirements.js';
import { readLockfile } from '../../lock/read.js';
import type { Lockfile } from '../../lock/types.js';
import { formatWhy, whyPaths } from '../../lock/why.js';
import { stringOption, type CommandContext, type Command } from '../command.js';
import { CONFIG_OPTION, LOCK_FILENAME, configPath } from '../paths.js';

/** The lockfile beside the config; a stale one is used with a warning (export and why only read it). */
function lockForCommand(ctx: CommandContext): Lockfile {
  const config = loadConfig(configPath(ctx));
  const lock = readLockfile(join(config.dir, LOCK_FILENAME));
  if (lock.configDigest !== config.digest) {
    ctx.out.warn(`${LOCK_FILENAME} is stale for ${config.file}; run "pyindex lock" to refresh it`);
  }
  return lock;
}

function required(ctx: CommandContext, name: string): string {
  const v = stringOption(ctx, name);
  if (!v) throw new PyindexError('E_USAGE', `--${name} is required`, { hint: `Name the ${name} from pyindex.yaml, e.g. --${name} <name>.` });
  return v;
}

export const exportCommand: Command = {
  path: ['export'],
  summary: "print one job × profile's locked set as a pip requirements file (with hashes) or a PEP 751 pylock.toml",
  usage: 'export --job J --profile P [--format requirements|pylock] [-o FILE] [--config F]',
  options: { ...CONFIG_OPTION, job: { type: 'string' }, profile: { type: 'string' }, format: { type: 'string' }, output: { type: 'string', short: 'o' } },
  async run(ctx) {
    const job = required(ctx, 'job');
    const profile = required(ctx, 'profile');
    const format = stringOption(ctx, 'format') ?? 'requirements';
    if (format !== 'requirements' && format !== 'pylock') {
      throw new PyindexError('E_USAGE', `unknown export format ${JSON.stringify(format)}`, { hint: 'Use --format requirements or --format pylock.' });
    }
    const lock = lockForCommand(ctx);
    const text = format === 'pylock' ? exportPylock(lock, job, profile) : exportRequirements(lock, job, profile);
    const output = stringOption(ctx, 'output');
    if (output) await writeFile(resolve(ctx.cwd, output), text);
    else if (ctx.out.jsonMode) ctx.out.json({ job, profile, format, text });
    else ctx.out.print(text);
  },
};

export const whyCommand: Command = {
  path: ['why'],
  summary: 'show the dependency paths that bring a package into a job × profile',
  usage: 'why NAME --job J --profile P [--config F]',
  positionals: [1, 1],
  options: { ...CONFIG_OPTION, job: { type: 'string' }, profile: { type: 'string' } },
  async run(ctx) {
    const job = required(ctx, 'job');
    const profile = required(ctx, 'profile');
    const name = ctx.positionals[0]!;
    const lock = lockForCommand(ctx);
    const paths = whyPaths(lock, name, job, profile);
    ctx.out.json({ name, job, profile, paths });
    ctx.out.print(formatWhy(paths));
  },
};
