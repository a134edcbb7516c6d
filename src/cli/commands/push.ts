/**
 * `pyindex push`: sync one profile's wheelhouse to build machines over ssh
 * (src/push). Every host is tried; the result lists each one, and the exit
 * code is E_PUSH_FAILED's (3) when any failed, so a deploy script notices.
 */
import { resolve } from 'node:path';
import { selectWheelhouseFiles } from '../../bundle/wheelhouse-files.js';
import { exitCodeFor, PyindexError } from '../../errors/index.js';
import { parsePushTarget, pushWheelhouse } from '../../push/index.js';
import { plannedFiles } from '../../wheelhouse/plan.js';
import { stringListOption, stringOption, type Command } from '../command.js';
import { CONFIG_OPTION } from '../paths.js';
import { currentLock, fetchCommandFor, requiredOption } from './bundle.js';

export const pushCommand: Command = {
  path: ['push'],
  summary: "sync one profile's wheelhouse to machines with rsync over ssh, in parallel, and verify every remote file's sha256",
  usage: 'push --profile P --to [USER@]HOST:DIR [--to ...] [--job J]... --wheelhouse DIR [--ssh-option KEY=VALUE]... [--concurrency N] [--config F] [--json]',
  options: {
    ...CONFIG_OPTION,
    profile: { type: 'string' },
    job: { type: 'string', multiple: true },
    to: { type: 'string', multiple: true },
    wheelhouse: { type: 'string', short: 'w' },
    'ssh-option': { type: 'string', multiple: true },
    concurrency: { type: 'string' },
  },
  async run(ctx) {
    const profile = requiredOption(ctx, 'profile', 'linux-x86_64-py3.11');
    const targets = stringListOption(ctx, 'to').map(parsePushTarget);
    if (!targets.length) throw new PyindexError('E_USAGE', '--to is required', { hint: 'Name each machine as --to [USER@]HOST:DIR (repeat --to for several).' });
    const sshOptions = stringListOption(ctx, 'ssh-option');
    for (const o of sshOptions) {
      if (!/^[A-Za-z]+\s*=\s*\S/.test(o)) throw new PyindexError('E_USAGE', `--ssh-option ${JSON.stringify(o)} is not KEY=VALUE`, { hint: 'Give ssh_config options as KEY=VALUE, e.g. --ssh-option Port=2222 --ssh-option IdentityFile=~/.ssh/deploy.' });
    }
    const concurrencyText = stringOption(ctx, 'concurrency');
    const concurrency = concurrencyText === undefined ? 8 : Number(concurrencyText);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
      throw new PyindexError('E_USAGE', `--concurrency must be a whole number from 1 to 64, got ${JSON.stringify(concurrencyText)}`, { hint: 'The default pushes to 8 hosts at once.' });
    }
    const jobs = stringListOption(ctx, 'job');
    // Required like fetch's: there is no default wheelhouse location to guess.
    const wheelhouseOption = requiredOption(ctx, 'wheelhouse', 'DIR (the directory `pyindex fetch` filled)');
    const wheelhouse = resolve(ctx.cwd, wheelhouseOption);
    const lock = currentLock(ctx, 'push');
    const planned = plannedFiles(lock, jobs, [profile]);
    // Re-hash locally first: a corrupt file must not be spread to every machine.
    const { files } = await ctx.task(`verify ${planned.length} files in ${wheelhouse}`, () =>
      selectWheelhouseFiles(wheelhouse, planned, { hash: true, fetchCommand: fetchCommandFor(ctx, jobs, profile, wheelhouseOption) }),
    );
    const items = targets.map((t) => ({ id: t.spec, title: `push to ${t.spec}` }));
    const result = await ctx.group(items, (onEvent) => pushWheelhouse({ wheelhouse, files, targets, sshOptions, concurrency, onEvent }));
    for (const h of result.hosts) {
      if (h.ok) ctx.out.print(`${h.target}: ok, ${h.sent} sent, ${h.verified} verified${h.repaired ? ' (repaired with --checksum)' : ''}`);
      else ctx.out.print(`${h.target}: FAILED ${h.error?.code ?? ''}: ${h.error?.message ?? ''}${h.error?.hint ? `\n  hint: ${h.error.hint}` : ''}`);
    }
    ctx.out.print(`${result.hosts.length - result.failed} of ${result.hosts.length} host(s) hold ${profile}'s ${result.files} files`);
    ctx.out.json({ profile, wheelhouse, ...result });
    if (result.failed) {
      ctx.out.warn(`push failed on ${result.failed} of ${result.hosts.length} host(s): ${result.hosts.filter((h) => !h.ok).map((h) => h.target).join(', ')}`);
      return exitCodeFor('E_PUSH_FAILED');
    }
    return 0;
  },
};
