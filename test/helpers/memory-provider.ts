/**
 * An in-memory DependencyProvider for solver unit tests: packages, versions
 * and dependency specifiers given as plain data.
 */
import { SpecifierSet } from '../../src/pep/specifier.js';
import { Version } from '../../src/pep/version.js';
import type { Describer } from '../../src/resolve/explain.js';
import type { DependencyProvider, DependencyResult } from '../../src/resolve/solver.js';
import { VersionSet } from '../../src/resolve/version-set.js';

/** name → version → { dependency name → specifier } (or a string: unavailable reason). */
export type MemoryIndex = Record<string, Record<string, Record<string, string> | string>>;

export const ROOT = '<root>';

export class MemoryProvider implements DependencyProvider {
  private readonly universes = new Map<string, Version[]>();
  calls = 0;

  constructor(
    private readonly index: MemoryIndex,
    private readonly rootDeps: Record<string, string>,
  ) {
    for (const [name, versions] of Object.entries(index)) {
      this.universes.set(name, Object.keys(versions).map((v) => Version.parse(v)).sort((a, b) => a.compare(b)));
    }
    this.universes.set(ROOT, [Version.parse('0')]);
  }

  universe(pkg: string): Version[] {
    return this.universes.get(pkg) ?? [];
  }

  async universeSize(pkg: string): Promise<number> {
    return this.universe(pkg).length;
  }

  async choose(pkg: string, allowed: VersionSet): Promise<number | undefined> {
    for (const i of allowed.descending()) return i;
    return undefined;
  }

  private depsOf(deps: Record<string, string>): DependencyResult {
    return {
      deps: Object.entries(deps).map(([name, spec]) => {
        const set = SpecifierSet.parse(spec);
        const u = this.universe(name);
        return { pkg: name, set: VersionSet.fromPredicate(u.length, (i) => set.contains(u[i]!, { prereleases: true })), requirement: `${name}${spec}` };
      }),
    };
  }

  async dependencies(pkg: string, index: number): Promise<DependencyResult> {
    this.calls++;
    if (pkg === ROOT) return this.depsOf(this.rootDeps);
    const v = this.universe(pkg)[index]!;
    const entry = this.index[pkg]?.[v.toString()] ?? Object.entries(this.index[pkg] ?? {}).find(([k]) => Version.parse(k).equals(v))?.[1];
    if (typeof entry === 'string') return { unavailable: entry };
    return this.depsOf(entry ?? {});
  }

  describer(): Describer {
    return {
      root: ROOT,
      noVersionsReason: (pkg) => (this.universe(pkg).length === 0 ? 'not on the index' : undefined),
      name: (pkg) => (pkg === ROOT ? 'the job' : pkg),
      versions: (pkg, set) => {
        const u = this.universe(pkg);
        if (pkg === ROOT || (set.isFull() && set.size > 1)) return '';
        const picked = [...set.ascending()].map((i) => u[i]!.toString());
        return picked.length === 1 ? picked[0]! : `{${picked.join(', ')}}`;
      },
    };
  }
}
