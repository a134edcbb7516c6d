/**
 * `pyindex lock`: resolve every job × profile of a config against the index,
 * sharing pages and metadata between them, keep the existing lock's pins
 * where they still fit, and produce the lockfile.
 */
import { PyindexError, isPyindexError } from '../errors/index.js';
import type { EventSink } from '../events/index.js';
import { IndexSet } from '../index/index-set.js';
import type { MirrorOrder, MirrorReport } from '../index/mirrors.js';
import type { Config } from '../config/types.js';
import { profileDigest } from '../config/digest.js';
import { canonicalizeName } from '../pep/names.js';
import { MultiIndexSource, type ConfusionWarning } from '../resolve/multi-index.js';
import { IndexPackageSource } from '../resolve/package-source.js';
import { resolveJob, type Resolution } from '../resolve/resolve.js';
import { buildLockfile } from './build.js';
import { resolveBuildClosures } from './build-closure.js';
import { ensureFileFacts } from './file-facts.js';
import type { Lockfile } from './types.js';

export interface LockOptions {
  config: Config;
  cacheDir: string;
  /** Only these jobs / profiles (default: all). */
  jobs?: string[];
  profiles?: string[];
  offline?: boolean;
  /** The existing lock: its pins are kept where they still satisfy the config. */
  previous?: Lockfile;
  /** Ignore every existing pin. */
  upgrade?: boolean;
  /** Ignore the existing pins of these projects. */
  upgradePackages?: string[];
  onEvent?: EventSink;
  userAgent?: string;
  /** How each index's servers (URL and mirrors) are ordered; default nearest first. */
  mirrorOrder?: MirrorOrder;
}

export interface LockResult {
  lockfile: Lockfile;
  resolutions: Resolution[];
  stats: { projects: number; metadata: number; pairs: number };
  /** Per locked project, the URL of the index it was taken from. */
  origins: Record<string, string>;
  /** Locked projects that a later index lists with a higher version (the dependency-confusion signal). */
  confusion: ConfusionWarning[];
  /** Per index with mirrors: the order its servers were tried in, what each served, what was set aside. */
  mirrors: MirrorReport[];
}

interface Pair {
  job: string;
  profile: string;
}

/** The job × profile pairs to resolve, after `--job` / `--profile` filters (which must name real ones). */
export function selectPairs(config: Config, jobs: string[] = [], profiles: string[] = []): Pair[] {
  for (const j of jobs) {
    if (!config.jobs.has(j)) {
      throw new PyindexError('E_UNKNOWN_JOB', `no job named ${JSON.stringify(j)} in ${config.file}`, {
        hint: `Jobs are: ${[...config.jobs.keys()].join(', ')}.`,
      });
    }
  }
  const used = new Set([...config.jobs.values()].flatMap((j) => j.profiles));
  for (const p of profiles) {
    if (!used.has(p)) {
      throw new PyindexError('E_UNKNOWN_PROFILE', `no job of ${config.file} uses a profile named ${JSON.stringify(p)}`, {
        hint: `Profiles in use are: ${[...used].join(', ')}.`,
      });
    }
  }
  const pairs: Pair[] = [];
  for (const job of config.jobs.values()) {
    if (jobs.length && !jobs.includes(job.name)) continue;
    for (const profile of job.profiles) {
      if (profiles.length && !profiles.includes(profile)) continue;
      pairs.push({ job: job.name, profile });
    }
  }
  return pairs;
}

function preferencesFor(previous: Lockfile | undefined, pair: Pair, options: LockOptions): Map<string, string> {
  const prefs = new Map<string, string>();
  if (!previous || options.upgrade) return prefs;
  const skip = new Set((options.upgradePackages ?? []).map(canonicalizeName));
  // The same job × profile first; else any profile of the job; else anywhere in the lock.
  const entries = previous.jobs[pair.job]?.profiles[pair.profile] ?? Object.values(previous.jobs[pair.job]?.profiles ?? {})[0] ?? [];
  for (const p of previous.packages) if (!skip.has(p.name)) prefs.set(p.name, p.version);
  for (const e of entries) if (!skip.has(e.name)) prefs.set(e.name, e.version);
  return prefs;
}

/** Build requirements keep the existing lock's pins too, unless upgraded. */
function buildPreferences(options: LockOptions): Map<string, string> {
  const prefs = new Map<string, string>();
  if (!options.previous || options.upgrade) return prefs;
  const skip = new Set((options.upgradePackages ?? []).map(canonicalizeName));
  for (const p of options.previous.packages) if (!skip.has(p.name)) prefs.set(p.name, p.version);
  return prefs;
}

export async function lock(options: LockOptions): Promise<LockResult> {
  const { config } = options;
  const selected = selectPairs(config, options.jobs, options.profiles);
  // A partial run (--job/--profile) still writes a complete lock: pairs not
  // selected are resolved too, but pinned to what the existing lock has.
  const all = selectPairs(config);
  const isSelected = (p: Pair) => selected.some((s) => s.job === p.job && s.profile === p.profile);
  const onEvent = options.onEvent;
  const indexes = new IndexSet({
    indexes: config.indexes,
    cacheDir: options.cacheDir,
    offline: options.offline === true,
    userAgent: options.userAgent ?? 'pyindex',
    onEvent,
    mirrorOrder: options.mirrorOrder,
  });
  const source = new MultiIndexSource(
    indexes.clients.map((c) => new IndexPackageSource(c, config.buildPython)),
    config.indexes,
    config.packages,
  );
  const http = indexes.http;
  if (options.previous) {
    const wanted = new Map<string, string[]>();
    for (const p of options.previous.packages) wanted.set(p.name, [...(wanted.get(p.name) ?? []), ...p.files.map((f) => f.filename)]);
    source.warm(wanted);
  }
  try {
    const settled = await Promise.allSettled(
      all.map(async (pair) => {
        const id = `${pair.job}/${pair.profile}`;
        onEvent?.({ type: 'task:start', id, title: `resolve ${pair.job} for ${pair.profile}` });
        const job = config.jobs.get(pair.job)!;
        // --upgrade and --upgrade-package apply to the selected pairs only.
        const preferred = preferencesFor(options.previous, pair, isSelected(pair) ? options : { ...options, upgrade: false, upgradePackages: [] });
        try {
          const resolution = await resolveJob({
            job: pair.job,
            profile: config.profiles.get(pair.profile)!,
            root: { requirements: job.requirements, constraints: job.constraints },
            options: config.options,
            source,
            onEvent,
            preferred,
            progressId: id,
          });
          onEvent?.({
            type: 'task:end',
            id,
            ok: true,
            detail: `${resolution.packages.length} packages; ${source.stats.projects} projects fetched, ${resolution.stats.candidatesTried} candidates tried`,
          });
          return resolution;
        } catch (err) {
          onEvent?.({ type: 'task:end', id, ok: false, detail: isPyindexError(err) ? err.code : String(err) });
          throw err;
        }
      }),
    );
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    // An index or input problem outranks "no solution": report it first.
    const fatal = failures.find((e) => !isPyindexError(e, 'E_NO_SOLUTION'));
    if (fatal) throw fatal;
    if (failures.length) {
      const messages = failures.map((e) => (e as PyindexError).message);
      throw new PyindexError('E_NO_SOLUTION', messages.join('\n\n'), {
        hint: (failures[0] as PyindexError).hint,
        details: { failures: failures.map((e) => (e as PyindexError).details) },
      });
    }
    const resolutions = settled.map((s) => (s as PromiseFulfilledResult<Resolution>).value);
    // Pin files by hash and size; learn them from the index where its pages did not say.
    const files = new Map(resolutions.flatMap((r) => r.packages.map((p) => [p.file.file.url, p.file.file] as const)));
    await Promise.all([...files.values()].map((f) => ensureFileFacts(http, f)));
    // Locked sdists are built at fetch time from their build requirements, resolved here (wheels only).
    const builds = await resolveBuildClosures({ resolutions, options: config.options, source, http, preferred: buildPreferences(options), onEvent });
    const buildFiles = new Map(builds.flatMap((b) => b.packages.map((p) => [p.file.file.url, p.file.file] as const)));
    await Promise.all([...buildFiles.values()].filter((f) => !files.has(f.url)).map((f) => ensureFileFacts(http, f)));
    const names = [...new Set([...resolutions.flatMap((r) => r.packages), ...builds.flatMap((b) => b.packages)].map((p) => canonicalizeName(p.name)))].sort();
    const origins: Record<string, string> = {};
    for (const name of names) {
      const origin = await source.origin(name);
      if (origin !== undefined) origins[name] = origin;
    }
    // The lockfile names each package's index only when there is a choice of indexes (one-index locks keep their bytes).
    const lockfile = buildLockfile({ config, resolutions, builds, profileDigest, ...(config.indexes.length > 1 ? { origins } : {}) });
    const confusion = await source.confusion(lockfile.packages, (index, project, err) =>
      onEvent?.({ type: 'warning', message: `could not check ${index} for a higher version of ${project}: ${err instanceof Error ? err.message : String(err)}` }),
    );
    return { lockfile, resolutions, stats: { ...source.stats, pairs: all.length }, origins, confusion, mirrors: indexes.mirrorReport() };
  } finally {
    await indexes.close();
  }
}
