/**
 * Resolves one job's requirements for one profile: runs the PubGrub solver
 * over the index provider and turns the decided versions into pinned
 * packages with the file to install and the reasons each one is there.
 */
import { PyindexError } from '../errors/index.js';
import type { EventSink } from '../events/index.js';
import type { Version } from '../pep/version.js';
import type { Profile } from '../profile/types.js';
import type { CandidateFile } from './candidates.js';
import { explainFailure } from './explain.js';
import type { ResolveOptions } from './options.js';
import type { PackageSource } from './package-source.js';
import { IndexProvider, ROOT, type RootInput } from './provider.js';
import { NoSolutionError, Solver } from './solver.js';

export interface RequiredBy {
  /** "job" for the job's own requirements, else the canonical name of the dependent. */
  by: string;
  /** The requirement as written (without its marker). */
  requirement: string;
}

export interface ResolvedPackage {
  name: string;
  version: Version;
  file: CandidateFile;
  /** Extras of it that are used (PEP 685-normalized). */
  extras: string[];
  requiredBy: RequiredBy[];
}

export interface Resolution {
  job: string;
  profile: Profile;
  packages: ResolvedPackage[];
  stats: { decisions: number; conflicts: number; backtracks: number; candidatesTried: number };
}

export interface ResolveJobInput {
  job: string;
  profile: Profile;
  root: RootInput;
  options: ResolveOptions;
  source: PackageSource;
  onEvent?: EventSink;
  /** Pins to keep when they still fit (from the existing lock), canonical name → version. */
  preferred?: ReadonlyMap<string, string>;
  /** Id for `task:progress` events (projects fetched, candidates tried). */
  progressId?: string;
}

export async function resolveJob(input: ResolveJobInput): Promise<Resolution> {
  const provider = new IndexProvider(input.source, input.profile, input.options, input.root, input.onEvent, input.preferred);
  const solver = new Solver(provider, ROOT);
  const { progressId, onEvent } = input;
  if (progressId && onEvent) {
    provider.onChoose = () =>
      onEvent({ type: 'task:progress', id: progressId, done: provider.tried, detail: `${input.source.stats.projects} projects fetched, ${provider.tried} candidates tried` });
  }
  let versions: Map<string, number>;
  try {
    versions = (await solver.solve()).versions;
  } catch (err) {
    if (!(err instanceof NoSolutionError)) throw err;
    const explanation = explainFailure(err.incompatibility, provider.describer(`job ${input.job}`));
    throw new PyindexError('E_NO_SOLUTION', `job ${input.job}, profile ${input.profile.name}: no set of versions satisfies the requirements\n${explanation}`, {
      hint: 'Relax or change the requirements named above, or publish a version that satisfies them to the index.',
      details: { job: input.job, profile: input.profile.name, explanation },
    });
  }
  const byName = new Map<string, ResolvedPackage>();
  for (const [id, index] of versions) {
    if (id === ROOT || id.includes('[')) continue;
    const s = provider.loadedState(id);
    const c = s.candidates[index]!;
    byName.set(id, { name: id, version: c.version, file: c.best!, extras: [], requiredBy: [] });
  }
  for (const [id, index] of versions) {
    const extra = /\[(.+)\]$/.exec(id)?.[1];
    if (extra) byName.get(id.slice(0, id.indexOf('[')))?.extras.push(extra);
    const from = id === ROOT ? 'job' : id.replace(/\[.*$/, '');
    for (const dep of provider.dependenciesOf(id, index)) {
      if (dep.constraint || dep.pkg.includes('[')) continue;
      const target = byName.get(dep.pkg);
      if (!target || target.name === from) continue;
      if (!target.requiredBy.some((r) => r.by === from && r.requirement === dep.requirement)) {
        target.requiredBy.push({ by: from, requirement: dep.requirement });
      }
    }
  }
  const packages = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const p of packages) {
    p.extras.sort();
    p.requiredBy.sort((a, b) => (a.by === b.by ? (a.requirement < b.requirement ? -1 : 1) : a.by === 'job' ? -1 : b.by === 'job' ? 1 : a.by < b.by ? -1 : 1));
  }
  return {
    job: input.job,
    profile: input.profile,
    packages,
    stats: { ...solver.stats, candidatesTried: provider.tried },
  };
}
