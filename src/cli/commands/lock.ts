import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../config/load.js';
import { PyindexError, isPyindexError } from '../../errors/index.js';
import { lock, selectPairs } from '../../lock/lock.js';
import { parseLockfile, readLockfile, readLockfileText } from '../../lock/read.js';
import type { Lockfile } from '../../lock/types.js';
import { serializeLockfile } from '../../lock/write.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { booleanOption, stringListOption, type Command, type CommandContext } from '../command.js';
import { confusionLine, MIRROR_ORDER_OPTION, mirrorLines, mirrorOrderOption, originLines } from '../mirror-summary.js';
import { CONFIG_OPTION, LOCK_FILENAME, cacheDir, configPath } from '../paths.js';

async function check(ctx: CommandContext): Promise<number> {
  const config = loadConfig(configPath(ctx));
  const lockPath = join(config.dir, LOCK_FILENAME);
  const current = readLockfile(lockPath);
  if (current.configDigest !== config.digest) {
    throw new PyindexError('E_LOCK_STALE', `${lockPath} was made from a different ${config.file} (config digest ${current.configDigest}, now ${config.digest})`, {
      hint: 'Run "pyindex lock" and commit the new lockfile.',
      details: { lock: lockPath, lockDigest: current.configDigest, configDigest: config.digest },
    });
  }
  ctx.out.print(`${lockPath} is up to date with ${config.file}`);
  ctx.out.json({ upToDate: true, lock: lockPath, configDigest: config.digest });
  return 0;
}

export const lockCommand: Command = {
  path: ['lock'],
  summary: 'resolve every job × profile and write pyindex.lock.yaml',
  usage: 'lock [--config F] [--job J]... [--profile P]... [--upgrade | --upgrade-package NAME...] [--check] [--offline] [--cache-dir D] [--mirror-order nearest|config|URL,…]',
  options: {
    ...CONFIG_OPTION,
    ...MIRROR_ORDER_OPTION,
    job: { type: 'string', multiple: true },
    profile: { type: 'string', multiple: true },
    upgrade: { type: 'boolean' },
    'upgrade-package': { type: 'string', multiple: true },
    check: { type: 'boolean' },
    offline: { type: 'boolean' },
    'cache-dir': { type: 'string' },
  },
  async run(ctx) {
    if (booleanOption(ctx, 'check')) return check(ctx);
    const mirrorOrder = mirrorOrderOption(ctx);
    const config = loadConfig(configPath(ctx));
    const lockPath = join(config.dir, LOCK_FILENAME);
    const upgrade = booleanOption(ctx, 'upgrade');
    let previous: Lockfile | undefined;
    let previousText: string | undefined;
    if (existsSync(lockPath)) {
      try {
        previousText = readLockfileText(lockPath);
        previous = parseLockfile(previousText, lockPath);
      } catch (err) {
        // With --upgrade the old pins are not needed, so a broken lock can be replaced.
        if (!(upgrade && isPyindexError(err, 'E_LOCK_INVALID'))) throw err;
      }
    }
    const started = Date.now();
    const pairs = selectPairs(config);
    const items = pairs.map((p) => ({ id: `${p.job}/${p.profile}`, title: `${p.job} × ${p.profile}` }));
    const result = await ctx.group(items, (onEvent) =>
      lock({
        config,
        cacheDir: cacheDir(ctx),
        jobs: stringListOption(ctx, 'job'),
        profiles: stringListOption(ctx, 'profile'),
        offline: booleanOption(ctx, 'offline'),
        previous,
        upgrade,
        upgradePackages: stringListOption(ctx, 'upgrade-package'),
        mirrorOrder,
        onEvent,
      }),
    );
    // Said before anything is written, and again in --json: a reviewer must see it.
    for (const w of result.confusion) ctx.out.warn(confusionLine(w));
    // An unchanged lock is left alone: no rewrite, no mtime change for make-style tools.
    const text = serializeLockfile(result.lockfile);
    const unchanged = text === previousText;
    if (!unchanged) await writeFileAtomic(lockPath, text);
    const seconds = ((Date.now() - started) / 1000).toFixed(2);
    for (const r of result.resolutions) {
      ctx.out.print(`${r.job} × ${r.profile.name}: ${r.packages.length} packages`);
    }
    if (config.indexes.length > 1) for (const line of originLines(result.origins)) ctx.out.print(line);
    for (const line of mirrorLines(result.mirrors)) ctx.out.print(line);
    ctx.out.print(`${unchanged ? 'unchanged' : 'wrote'} ${lockPath}: ${result.lockfile.packages.length} distributions for ${result.stats.pairs} job × profile pairs in ${seconds}s (${result.stats.projects} projects, ${result.stats.metadata} metadata files read)`);
    ctx.out.json({
      lock: lockPath,
      changed: !unchanged,
      configDigest: result.lockfile.configDigest,
      seconds: Number(seconds),
      packages: result.lockfile.packages.length,
      pairs: result.resolutions.map((r) => ({ job: r.job, profile: r.profile.name, packages: r.packages.length, ...r.stats })),
      index: result.stats,
      origins: result.origins,
      confusion: result.confusion,
      mirrors: result.mirrors,
    });
    return 0;
  },
};
