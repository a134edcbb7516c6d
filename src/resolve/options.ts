/**
 * Resolution policy, as the config's `options:` block states it
 * (pip's --pre / --only-binary / --no-binary and uv's prerelease modes).
 */
import { canonicalizeName } from '../pep/names.js';

export type PrereleasePolicy = 'if-necessary-or-explicit' | 'allow' | 'disallow';

/** A set of project names, or every project (`[":all:"]`). */
export type NameSet = { all: true } | { all: false; names: ReadonlySet<string> };

export interface ResolveOptions {
  prereleases: PrereleasePolicy;
  /** Never use sdists for these. */
  onlyBinary: NameSet;
  /** Never use wheels for these (build from source). */
  noBinary: NameSet;
  /** Never build these from source: wheels only (a lock-time guard for build machines). */
  noBuild: NameSet;
  /** Ignore files uploaded after this instant (reproducible locks). */
  excludeNewer: Date | undefined;
}

export function nameSet(list: readonly string[] | undefined): NameSet {
  if (list?.includes(':all:')) return { all: true };
  return { all: false, names: new Set((list ?? []).filter((n) => n !== ':none:').map(canonicalizeName)) };
}

export function inNameSet(set: NameSet, canonicalName: string): boolean {
  return set.all || set.names.has(canonicalName);
}

export const DEFAULT_OPTIONS: ResolveOptions = {
  prereleases: 'if-necessary-or-explicit',
  onlyBinary: nameSet([]),
  noBinary: nameSet([]),
  noBuild: nameSet([]),
  excludeNewer: undefined,
};
