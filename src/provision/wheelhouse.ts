/**
 * Before pip runs: the wheelhouse must carry every file of the job ×
 * profile — the locked wheel itself, or for a locked sdist the wheel built
 * from it at fetch time (the manifest's `builtFrom`, issue 4 point 2). A
 * missing file is reported with the `pyindex fetch` command that gets it
 * (or fetched, with --fetch); pip's --require-hashes re-checks every byte.
 */
import { PyindexError } from '../errors/index.js';
import type { EventSink } from '../events/index.js';
import type { MirroredIndex } from '../index/mirrors.js';
import type { Lockfile } from '../lock/types.js';
import { carriers, readWheelhouseManifest, type WheelhouseFile } from '../bundle/wheelhouse-files.js';
import { checkWheelhouse, fetchWheelhouse, plannedFiles, type FetchResult, type PlannedFile, type WheelhouseCheck } from '../wheelhouse/index.js';

export interface WheelhouseReadyOptions {
  lock: Lockfile;
  job: string;
  profile: string;
  wheelhouse: string;
  fetch: boolean;
  cacheDir: string;
  /** The config's index, for --fetch. */
  index?: string | undefined;
  /** The config's indexes with their mirrors, for --fetch (fail-over between servers). */
  indexes?: readonly MirroredIndex[] | undefined;
  /** The interpreter provision uses: with --fetch it also builds the job's locked sdists into wheels. */
  python?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** The command that fills the wheelhouse, for the error's hint. */
  fetchCommand: string;
  onEvent: EventSink;
}

export interface ReadyWheelhouse {
  files: WheelhouseFile[];
  fetched?: FetchResult | undefined;
}

function listed(files: { filename: string }[]): string {
  const names = files.map((f) => f.filename);
  return names.length > 20 ? `${names.slice(0, 20).join(', ')} and ${names.length - 20} more` : names.join(', ');
}

async function check(dir: string, planned: PlannedFile[], hash: boolean): Promise<{ files: WheelhouseFile[]; result: WheelhouseCheck }> {
  // An unreadable manifest only loses the built-wheel mapping; the bytes are what count.
  const manifest = await readWheelhouseManifest(dir).catch(() => ({ version: 1 as const, files: {} }));
  const files = carriers(planned, manifest);
  const asPlanned = files.map((f): PlannedFile => ({ filename: f.filename, sha256: f.sha256, size: f.size, url: '', project: f.project, version: f.version, profiles: [] }));
  return { files, result: await checkWheelhouse(dir, asPlanned, { hash }) };
}

export async function readyWheelhouse(o: WheelhouseReadyOptions): Promise<ReadyWheelhouse> {
  const planned = plannedFiles(o.lock, [o.job], [o.profile]);
  // Without --fetch, sizes only: pip's --require-hashes hashes each file anyway, so hashing here would double the work.
  let { files, result } = await check(o.wheelhouse, planned, o.fetch);
  let fetched: FetchResult | undefined;
  if (o.fetch && (result.missing.length || result.mismatched.length)) {
    fetched = await fetchWheelhouse({
      lock: o.lock,
      files: planned,
      wheelhouse: o.wheelhouse,
      cacheDir: o.cacheDir,
      ...(o.index ? { index: o.index } : {}),
      indexes: o.indexes,
      ...(o.python ? { python: [o.python] } : {}),
      env: o.env,
      onEvent: o.onEvent,
    });
    ({ files, result } = await check(o.wheelhouse, planned, true));
  }
  if (result.mismatched.length) {
    throw new PyindexError('E_HASH_MISMATCH', `wheelhouse ${o.wheelhouse}: ${result.mismatched.length} file(s) do not have the locked size or hash: ${listed(result.mismatched)}`, {
      hint: 'Run provision with --fetch (corrupt files are quarantined and fetched again), or delete them and run `pyindex fetch`.',
      details: { wheelhouse: o.wheelhouse, files: result.mismatched.map((f) => f.filename) },
    });
  }
  if (result.missing.length) {
    throw new PyindexError('E_WHEELHOUSE_INCOMPLETE', `wheelhouse ${o.wheelhouse} lacks ${result.missing.length} of the ${files.length} file(s) job ${o.job} × ${o.profile} installs: ${listed(result.missing)}`, {
      hint: `Fetch them with \`${o.fetchCommand}\`, or run provision with --fetch.`,
      details: { wheelhouse: o.wheelhouse, missing: result.missing.map((f) => f.filename), command: o.fetchCommand },
    });
  }
  return { files, fetched };
}

/**
 * The lock with each locked sdist of the set replaced by the wheel that
 * carries it, so the generated requirements pin the wheel's hash.
 */
export function lockWithCarriers(lock: Lockfile, files: readonly WheelhouseFile[]): Lockfile {
  const bySource = new Map<string, WheelhouseFile>();
  for (const f of files) if (f.builtFrom) bySource.set(f.builtFrom.filename, f);
  if (!bySource.size) return lock;
  const packages = lock.packages.map((p) => ({
    ...p,
    files: p.files.map((f) => {
      const built = bySource.get(f.filename);
      return built && built.builtFrom?.sha256 === f.sha256 ? { ...f, filename: built.filename, sha256: built.sha256, size: built.size } : f;
    }),
  }));
  const jobs = Object.fromEntries(
    Object.entries(lock.jobs).map(([name, job]) => [
      name,
      { ...job, profiles: Object.fromEntries(Object.entries(job.profiles).map(([p, reqs]) => [p, reqs.map((r) => ({ ...r, file: bySource.get(r.file)?.filename ?? r.file }))])) },
    ]),
  );
  return { ...lock, packages, jobs };
}
