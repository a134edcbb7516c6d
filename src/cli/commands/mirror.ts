/**
 * `pyindex mirror`: fill the internal index's tree from an upstream index
 * with exactly what locks need (src/mirror). What to copy comes from a
 * lockfile (`--lock`, with `--job`/`--profile` filters) or from requirements
 * resolved here by the lock machinery (`--requires` with `--profile`);
 * `--all-versions` widens it to every version of those projects.
 */
import { resolve } from 'node:path';
import { PyindexError } from '../../errors/index.js';
import type { EventSink } from '../../events/index.js';
import { lock } from '../../lock/lock.js';
import { readLockfile } from '../../lock/read.js';
import { mirrorIndex } from '../../mirror/mirror.js';
import { projectsOfLock, wantsFromLock, type MirrorWants } from '../../mirror/plan.js';
import { REQUIRES_JOB, requiresConfig } from '../../mirror/requires-config.js';
import { parseRequirement } from '../../pep/requirement.js';
import { booleanOption, stringListOption, stringOption, type Command, type CommandContext } from '../command.js';
import { cacheDir } from '../paths.js';
import { takeCredentials } from '../../index/credentials.js';

const MB = 1024 * 1024;

function required(ctx: CommandContext, name: string, example: string): string {
  const value = stringOption(ctx, name);
  if (!value) throw new PyindexError('E_USAGE', `--${name} is required`, { hint: `e.g. --${name} ${example}` });
  return value;
}

/** An http(s) URL as given; anything else is a directory relative to the working directory. */
function location(ctx: CommandContext, text: string): string {
  return /^https?:/i.test(text) ? takeCredentials(text) : /^file:/i.test(text) ? text : resolve(ctx.cwd, text);
}

/** Mirror progress as the reporter's task lines (--json keeps the typed events). */
function progressSink(onEvent: EventSink, json: boolean): EventSink {
  return (e) => {
    if (e.type !== 'mirror:progress' || json) return onEvent(e);
    onEvent({ type: 'task:progress', id: 'mirror', done: e.files, total: e.filesTotal, detail: `files, ${(e.bytes / MB).toFixed(1)} of ${(e.bytesTotal / MB).toFixed(1)} MB` });
  };
}

async function wantsOf(ctx: CommandContext, from: string, onEvent: EventSink): Promise<MirrorWants> {
  const lockFile = stringOption(ctx, 'lock');
  const requires = stringListOption(ctx, 'requires');
  const jobs = stringListOption(ctx, 'job');
  const profiles = stringListOption(ctx, 'profile');
  const all = booleanOption(ctx, 'all-versions');
  if ((lockFile === undefined) === (requires.length === 0)) {
    throw new PyindexError('E_USAGE', 'give either --lock FILE or --requires SPEC (not both)', {
      hint: 'e.g. --lock pyindex.lock.yaml, or --requires "requests>=2" --profile linux-x86_64-py3.11.',
    });
  }
  if (lockFile !== undefined) {
    const lockfile = readLockfile(resolve(ctx.cwd, lockFile));
    return all ? { kind: 'all-versions', projects: projectsOfLock(lockfile, jobs, profiles) } : { kind: 'files', files: wantsFromLock(lockfile, jobs, profiles) };
  }
  if (jobs.length) throw new PyindexError('E_USAGE', '--job goes with --lock', { hint: 'With --requires there is one job: the requirements given.' });
  // An allowlist needs no resolution: every version of each named project.
  if (all) return { kind: 'all-versions', projects: requires.map((r) => parseRequirement(r)) };
  const config = requiresConfig(from, requires, profiles, ctx.cwd);
  const { lockfile } = await lock({ config, cacheDir: cacheDir(ctx), onEvent });
  return { kind: 'files', files: wantsFromLock(lockfile, [REQUIRES_JOB], []) };
}

export const mirrorCommand: Command = {
  path: ['mirror'],
  summary: 'copy exactly the files locks need (and their .metadata) from an upstream index into a tree that pyindex serve or nginx serves',
  usage: 'mirror --from URL --to ROOT (--lock FILE [--job J]... [--profile P]... | --requires SPEC... --profile P...) [--all-versions] [--dry-run] [--concurrency N] [--cache-dir D]',
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    lock: { type: 'string' },
    job: { type: 'string', multiple: true },
    profile: { type: 'string', multiple: true },
    requires: { type: 'string', multiple: true },
    'all-versions': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    concurrency: { type: 'string' },
    'cache-dir': { type: 'string' },
  },
  async run(ctx) {
    const from = location(ctx, required(ctx, 'from', 'https://pypi.org/simple/'));
    const to = resolve(ctx.cwd, required(ctx, 'to', '/srv/pyindex'));
    const concurrencyText = stringOption(ctx, 'concurrency');
    const concurrency = concurrencyText === undefined ? 8 : Number(concurrencyText);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
      throw new PyindexError('E_USAGE', `--concurrency must be a whole number from 1 to 64, got ${JSON.stringify(concurrencyText)}`, { hint: 'The default, 8, suits most indexes.' });
    }
    const dryRun = booleanOption(ctx, 'dry-run');
    const started = Date.now();
    const result = await ctx.task(`${dryRun ? 'plan a copy' : 'copy'} from ${from} into ${to}`, async (onEvent) => {
      const wants = await wantsOf(ctx, from, onEvent);
      return mirrorIndex({ from, to, wants, cacheDir: cacheDir(ctx), dryRun, concurrency, onEvent: progressSink(onEvent, ctx.out.jsonMode) });
    });
    const seconds = (Date.now() - started) / 1000;
    const todo = result.entries.filter((e) => e.state !== 'present');
    if (dryRun) {
      ctx.out.print(`would copy ${todo.length} of ${result.entries.length} file(s) (${(todo.reduce((n, e) => n + e.size, 0) / MB).toFixed(1)} MB) from ${from} into ${to}${todo.length ? ':' : ''}`);
      for (const e of todo) ctx.out.print(`  ${e.filename} (${e.size} bytes${e.state === 'repair' ? ', damaged copy restored' : ''})`);
    } else {
      ctx.out.print(
        `${to}: ${result.entries.length} file(s) (${result.copied} copied, ${result.repaired} restored, ${result.present} already present), ${(result.bytes / MB).toFixed(1)} MB in ${seconds.toFixed(2)}s`,
      );
    }
    ctx.out.json({
      from,
      root: to,
      dryRun,
      files: result.entries,
      copied: result.copied,
      repaired: result.repaired,
      present: result.present,
      bytes: result.bytes,
      seconds: Number(seconds.toFixed(3)),
    });
    return 0;
  },
};
