/**
 * `pyindex fetch`: fill a wheelhouse directory with the files the lockfile
 * names for the chosen jobs × profiles (src/wheelhouse). The lock must be
 * current: fetching for a config the lock no longer describes would place a
 * set that the next `pyindex lock` changes.
 */
import { join, resolve } from 'node:path';
import { loadConfig } from '../../config/load.js';
import { PyindexError } from '../../errors/index.js';
import type { EventSink } from '../../events/index.js';
import { readLockfile } from '../../lock/read.js';
import { fetchWheelhouse } from '../../wheelhouse/fetch.js';
import { plannedFiles } from '../../wheelhouse/plan.js';
import { booleanOption, stringListOption, stringOption, type Command } from '../command.js';
import { MIRROR_ORDER_OPTION, mirrorLines, mirrorOrderOption } from '../mirror-summary.js';
import { CONFIG_OPTION, LOCK_FILENAME, cacheDir, configPath } from '../paths.js';

const MB = 1024 * 1024;

function megabytes(n: number): string {
  return `${(n / MB).toFixed(1)} MB`;
}

/** Turns fetch progress into the reporter's task lines: files, bytes, download rate (--json keeps the typed events). */
function progressSink(onEvent: EventSink, started: number, json: boolean): EventSink {
  return (e) => {
    if (e.type !== 'fetch:progress' || json) return onEvent(e);
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? `, ${megabytes(e.downloaded / seconds)}/s` : '';
    onEvent({ type: 'task:progress', id: 'fetch', done: e.files, total: e.filesTotal, detail: `files, ${megabytes(e.bytes)} of ${megabytes(e.bytesTotal)}${rate}` });
  };
}

export const fetchCommand: Command = {
  path: ['fetch'],
  summary: 'download the files the lockfile names for jobs × profiles into a wheelhouse directory (verified, cached, safe to interrupt)',
  usage: 'fetch [--job J]... [--profile P]... --wheelhouse DIR [--python PATH]... [--prune] [--concurrency N] [--config F] [--cache-dir D] [--mirror-order nearest|config|URL,…]',
  options: {
    ...CONFIG_OPTION,
    ...MIRROR_ORDER_OPTION,
    job: { type: 'string', multiple: true },
    profile: { type: 'string', multiple: true },
    wheelhouse: { type: 'string', short: 'w' },
    prune: { type: 'boolean' },
    concurrency: { type: 'string' },
    'cache-dir': { type: 'string' },
    // Builds locked sdists into wheels; each profile takes the first that fits it, else its pythonX.Y is looked up.
    python: { type: 'string', multiple: true },
  },
  async run(ctx) {
    const wheelhouseOption = stringOption(ctx, 'wheelhouse');
    if (!wheelhouseOption) {
      throw new PyindexError('E_USAGE', '--wheelhouse is required', { hint: 'Name the directory to fill, e.g. --wheelhouse /var/lib/buildbot/wheelhouse.' });
    }
    const concurrencyText = stringOption(ctx, 'concurrency');
    const concurrency = concurrencyText === undefined ? 16 : Number(concurrencyText);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
      throw new PyindexError('E_USAGE', `--concurrency must be a whole number from 1 to 256, got ${JSON.stringify(concurrencyText)}`, { hint: 'The default, 16, suits most indexes.' });
    }
    const mirrorOrder = mirrorOrderOption(ctx);
    const config = loadConfig(configPath(ctx));
    const lockPath = join(config.dir, LOCK_FILENAME);
    const lock = readLockfile(lockPath);
    if (lock.configDigest !== config.digest) {
      throw new PyindexError('E_LOCK_STALE', `${lockPath} was made from a different ${config.file} (config digest ${lock.configDigest}, now ${config.digest})`, {
        hint: 'Run `pyindex lock` (and commit the new lockfile), then fetch again.',
        details: { lock: lockPath, lockDigest: lock.configDigest, configDigest: config.digest },
      });
    }
    const jobs = stringListOption(ctx, 'job');
    const profiles = stringListOption(ctx, 'profile');
    const files = plannedFiles(lock, jobs, profiles);
    const wheelhouse = resolve(ctx.cwd, wheelhouseOption);
    const started = Date.now();
    const result = await ctx.task(`fetch ${files.length} files into ${wheelhouse}`, (onEvent) =>
      fetchWheelhouse({
        lock,
        files,
        wheelhouse,
        cacheDir: cacheDir(ctx),
        index: config.index,
        indexes: config.indexes,
        mirrorOrder,
        prune: booleanOption(ctx, 'prune'),
        concurrency,
        python: stringListOption(ctx, 'python'),
        env: ctx.env,
        cwd: ctx.cwd,
        onEvent: progressSink(onEvent, started, ctx.out.jsonMode),
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? result.bytes / MB / seconds : 0;
    ctx.out.print(
      `${wheelhouse}: ${files.length} files (${result.downloaded} downloaded, ${result.fromCache} from cache, ${result.present} already present), ` +
        `${megabytes(result.bytes)} downloaded in ${seconds.toFixed(2)}s (${rate.toFixed(1)} MB/s)`,
    );
    if (result.built) ctx.out.print(`built ${result.built} wheel(s) from locked sdists`);
    if (result.pruned.length) ctx.out.print(`pruned ${result.pruned.length}: ${result.pruned.join(', ')}`);
    for (const line of mirrorLines(result.mirrors ?? [])) ctx.out.print(line);
    if (result.quarantined.length) ctx.out.print(`quarantined ${result.quarantined.length} corrupt file(s) in ${join(wheelhouse, '.quarantine')}: ${result.quarantined.join(', ')}`);
    ctx.out.json({
      wheelhouse,
      files: files.length,
      downloaded: result.downloaded,
      fromCache: result.fromCache,
      present: result.present,
      bytes: result.bytes,
      seconds: Number(seconds.toFixed(3)),
      pruned: result.pruned,
      quarantined: result.quarantined,
      built: result.built,
      ...(result.mirrors ? { mirrors: result.mirrors } : {}),
    });
    return 0;
  },
};
