/**
 * `pyindex bundle`: pack one profile's wheelhouse, its manifest and the lock
 * subset into a reproducible .tar.gz for machines that cannot fetch
 * (`provision --bundle FILE` opens it). The lock must be current, as for
 * fetch: a bundle of a stale lock would provision a set `pyindex lock` changes.
 */
import { join, resolve } from 'node:path';
import { writeBundle } from '../../bundle/write.js';
import { loadConfig } from '../../config/load.js';
import { PyindexError } from '../../errors/index.js';
import { readLockfile } from '../../lock/read.js';
import type { Lockfile } from '../../lock/types.js';
import { stringListOption, stringOption, type Command, type CommandContext } from '../command.js';
import { CONFIG_OPTION, LOCK_FILENAME, configPath } from '../paths.js';

/** The lockfile beside the config, refused when stale. */
export function currentLock(ctx: CommandContext, command: string): Lockfile {
  const config = loadConfig(configPath(ctx));
  const lockPath = join(config.dir, LOCK_FILENAME);
  const lock = readLockfile(lockPath);
  if (lock.configDigest !== config.digest) {
    throw new PyindexError('E_LOCK_STALE', `${lockPath} was made from a different ${config.file} (config digest ${lock.configDigest}, now ${config.digest})`, {
      hint: `Run \`pyindex lock\` (and \`pyindex fetch\`), then ${command} again.`,
      details: { lock: lockPath, lockDigest: lock.configDigest, configDigest: config.digest },
    });
  }
  return lock;
}

export function requiredOption(ctx: CommandContext, name: string, example: string): string {
  const v = stringOption(ctx, name);
  if (!v) throw new PyindexError('E_USAGE', `--${name} is required`, { hint: `For example --${name} ${example}.` });
  return v;
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9_./=:@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The `pyindex fetch` command that completes this wheelhouse, for error hints. */
export function fetchCommandFor(ctx: CommandContext, jobs: string[], profile: string, wheelhouse: string): string {
  const config = stringOption(ctx, 'config');
  const args = ['pyindex', 'fetch', ...jobs.flatMap((j) => ['--job', j]), '--profile', profile, '--wheelhouse', wheelhouse, ...(config ? ['--config', config] : [])];
  return args.map(shellWord).join(' ');
}

export const bundleCommand: Command = {
  path: ['bundle'],
  summary: "write a reproducible .tar.gz of one profile's wheelhouse, its manifest and the lock subset (for provision --bundle)",
  usage: 'bundle [--job J]... --profile P --wheelhouse DIR -o FILE.tar.gz [--config F]',
  options: {
    ...CONFIG_OPTION,
    job: { type: 'string', multiple: true },
    profile: { type: 'string' },
    wheelhouse: { type: 'string', short: 'w' },
    output: { type: 'string', short: 'o' },
  },
  async run(ctx) {
    const profile = requiredOption(ctx, 'profile', 'linux-x86_64-py3.11');
    const wheelhouseOption = requiredOption(ctx, 'wheelhouse', 'DIR (the directory `pyindex fetch` filled)');
    const output = resolve(ctx.cwd, requiredOption(ctx, 'output', 'wheelhouse-linux.tar.gz'));
    const jobs = stringListOption(ctx, 'job');
    const lock = currentLock(ctx, 'bundle');
    const wheelhouse = resolve(ctx.cwd, wheelhouseOption);
    const result = await ctx.task(`bundle ${profile} from ${wheelhouse}`, (onEvent) =>
      writeBundle({ lock, jobs, profile, wheelhouse, output, fetchCommand: fetchCommandFor(ctx, jobs, profile, wheelhouseOption), onEvent }),
    );
    ctx.out.print(`wrote ${result.file}: ${result.files} files (${result.bytes} bytes) for ${result.jobs.join(', ')} × ${profile}, sha256 ${result.sha256}`);
    ctx.out.json({ ...result, profile });
    return 0;
  },
};
