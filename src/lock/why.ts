/**
 * `pyindex why <package>`: every chain of requirements that brings a package
 * into a job × profile set, read from the lockfile's `required-by` reasons
 * (walked backwards from the package to the job's own requirements).
 */
import { canonicalizeName } from '../pep/names.js';
import { compareCodePoints } from '../pep/version.js';
import { jobProfileSet } from './select.js';
import type { LockedRequirement, Lockfile } from './types.js';

/** One edge of a chain: `by` (the job, or a package at `byVersion`) requires `name` through `requirement`. */
export interface WhyStep {
  /** "job" or a package name. */
  by: string;
  byVersion: string | undefined;
  requirement: string;
  name: string;
  version: string;
}

export interface WhyOptions {
  /**
   * Stop after this many chains: a dense graph has exponentially many, and
   * the first thousand already answer "why".
   */
  maxPaths?: number;
}

/** "requests: certifi>=2017.4.17" → ["requests", "certifi>=2017.4.17"]. */
function splitReason(reason: string): [string, string] {
  const colon = reason.indexOf(': ');
  return colon < 0 ? [reason, ''] : [reason.slice(0, colon), reason.slice(colon + 2)];
}

/**
 * Every chain job → a → b → name, each as the list of its steps, sorted.
 * Cycle-safe: a package is never visited twice on one chain. Empty when the
 * package is not in the set.
 */
export function whyChains(lock: Lockfile, name: string, job: string, profile: string, options: WhyOptions = {}): WhyStep[][] {
  const set = new Map<string, LockedRequirement>(jobProfileSet(lock, job, profile).map((r) => [r.name, r]));
  const target = canonicalizeName(name);
  const limit = options.maxPaths ?? 1000;
  const chains: WhyStep[][] = [];

  const walk = (pkg: LockedRequirement, suffix: WhyStep[], onChain: Set<string>): void => {
    for (const reason of pkg.requiredBy) {
      if (chains.length >= limit) return;
      const [by, requirement] = splitReason(reason);
      if (by === 'job') {
        chains.push([{ by, byVersion: undefined, requirement, name: pkg.name, version: pkg.version }, ...suffix]);
        continue;
      }
      const parent = set.get(by);
      if (!parent || onChain.has(by)) continue;
      onChain.add(by);
      walk(parent, [{ by, byVersion: parent.version, requirement, name: pkg.name, version: pkg.version }, ...suffix], onChain);
      onChain.delete(by);
    }
  };
  const start = set.get(target);
  if (start) walk(start, [], new Set([target]));
  const rendered = new Map(chains.map((c) => [c, c.map((s) => renderStep(job, s))]));
  return chains.sort((a, b) => compareRendered(rendered.get(a)!, rendered.get(b)!));
}

function compareRendered(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareCodePoints(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** "job talos requires requests[socks]>=2" / "requests 2.32.3 depends on urllib3<3". */
export function renderStep(job: string, step: WhyStep): string {
  return step.by === 'job' ? `job ${job} requires ${step.requirement}` : `${step.by} ${step.byVersion ?? ''} depends on ${step.requirement}`;
}

/** Every chain from the job to `name` as rendered steps (see `whyChains`). */
export function whyPaths(lock: Lockfile, name: string, job: string, profile: string, options: WhyOptions = {}): string[][] {
  return whyChains(lock, name, job, profile, options).map((chain) => chain.map((step) => renderStep(job, step)));
}

/**
 * The chains as an indented tree: each step one line, indented by its depth;
 * a step shared with the previous chain's prefix is not repeated.
 */
export function formatWhy(paths: readonly (readonly string[])[]): string {
  const lines: string[] = [];
  let previous: readonly string[] = [];
  for (const path of paths) {
    let shared = 0;
    while (shared < path.length && shared < previous.length && path[shared] === previous[shared]) shared++;
    for (let depth = shared; depth < path.length; depth++) lines.push(`${'  '.repeat(depth)}${path[depth]!}`);
    previous = path;
  }
  return lines.join('\n');
}
