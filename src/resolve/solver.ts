/**
 * The PubGrub version solver (Natalie Weizenbaum's algorithm, as described in
 * https://github.com/dart-lang/pub/blob/master/doc/solver.md): unit
 * propagation over incompatibilities, conflict-driven clause learning with
 * backjumping, and a derivation graph from which failures are explained.
 * It is complete: it finds a solution whenever one exists.
 */
import { Incompatibility, type Cause } from './incompatibility.js';
import { PartialSolution } from './partial-solution.js';
import { differenceTerms, negate, term, type PackageId, type Term } from './term.js';
import { VersionSet } from './version-set.js';

export interface Dependency {
  pkg: PackageId;
  /** The versions of `pkg` that satisfy the requirement, over pkg's universe. */
  set: VersionSet;
  /** The requirement as written, for explanations. */
  requirement: string;
  /** A constraint (`-c`): limits `pkg` to `set` if it is selected, without selecting it. */
  constraint?: boolean;
}

export type DependencyResult = { deps: Dependency[] } | { unavailable: string };

/** What the solver asks of the outside world (the index, the profile, the policy). */
export interface DependencyProvider {
  /** Number of candidate versions of `pkg` (its universe, oldest first). Loads the package if needed. */
  universeSize(pkg: PackageId): Promise<number>;
  /**
   * The version to try next from `allowed` (preference: newest usable), or
   * undefined when none of them can be used — then `noVersionsDetail` may say why.
   */
  choose(pkg: PackageId, allowed: VersionSet, decided: (pkg: PackageId) => number | undefined): Promise<number | undefined>;
  noVersionsDetail?(pkg: PackageId, allowed: VersionSet): string | undefined;
  dependencies(pkg: PackageId, versionIndex: number): Promise<DependencyResult>;
  /** Lower is decided first. Defaults to the number of allowed versions. */
  priority?(pkg: PackageId, allowed: VersionSet): number;
}

export class NoSolutionError extends Error {
  constructor(readonly incompatibility: Incompatibility) {
    super('no solution');
  }
}

export interface SolveStats {
  decisions: number;
  conflicts: number;
  backtracks: number;
}

export interface Solution {
  /** Decided version index per package (root included). */
  versions: Map<PackageId, number>;
  stats: SolveStats;
}

/**
 * After this many immediate conflicts of one package against the same
 * decided package, decide the troubled package first (uv's heuristic, which
 * packse's wrong-backtracking scenarios encode): it avoids walking a
 * package down to an ancient version because an unrelated one was picked first.
 * uv waits for 5; pip prefers a backtrack cause at once. At 3 (or 2) the lock
 * benchmark's 800-project corpus gets pip's exact pins, 19 packages behind
 * their newest by 79 releases in all (at 5: 8 pins differ from pip's, 23
 * packages behind by 121), for 5,606 candidates tried instead of 4,405 and
 * no difference in wall time measured; packse and the pypi-2020 cases are
 * unchanged.
 */
const CONFLICT_THRESHOLD = 3;

export class Solver {
  private readonly solution = new PartialSolution();
  /** Immediate conflicts of package → culprit package → count. */
  private readonly conflicts = new Map<PackageId, Map<PackageId, number>>();
  /** Packages to decide before all others (see CONFLICT_THRESHOLD). */
  private readonly urgent = new Set<PackageId>();
  private readonly byPkg = new Map<PackageId, Incompatibility[]>();
  readonly stats: SolveStats = { decisions: 0, conflicts: 0, backtracks: 0 };

  constructor(
    private readonly provider: DependencyProvider,
    private readonly root: PackageId,
  ) {}

  async solve(): Promise<Solution> {
    const rootSize = await this.provider.universeSize(this.root);
    this.add(new Incompatibility([term(this.root, VersionSet.full(rootSize), false)], { kind: 'root' }, this.root));
    let next: PackageId | undefined = this.root;
    while (next !== undefined) {
      this.propagate(next);
      next = await this.decideNext();
    }
    return { versions: new Map(this.solution.decisions), stats: this.stats };
  }

  private add(incompat: Incompatibility): void {
    for (const t of incompat.terms) {
      let list = this.byPkg.get(t.pkg);
      if (!list) this.byPkg.set(t.pkg, (list = []));
      list.push(incompat);
    }
  }

  private newIncompat(terms: Term[], cause: Cause): Incompatibility {
    return new Incompatibility(terms, cause, this.root);
  }

  private propagate(start: PackageId): void {
    const changed = [start];
    while (changed.length) {
      const pkg = changed.pop()!;
      const list = this.byPkg.get(pkg) ?? [];
      // Newest first: learned incompatibilities are usually the most useful.
      for (let i = list.length - 1; i >= 0; i--) {
        const incompat = list[i]!;
        const result = this.propagateOne(incompat);
        if (result === 'conflict') {
          const rootCause = this.resolveConflict(incompat);
          const derivedPkg = this.propagateOne(rootCause);
          if (typeof derivedPkg !== 'string' || derivedPkg === 'conflict' || derivedPkg === 'none') {
            throw new Error('internal: learned incompatibility did not propagate');
          }
          changed.length = 0;
          changed.push(derivedPkg);
          break;
        }
        if (result !== 'none') changed.push(result);
      }
    }
  }

  /**
   * If all terms but one are satisfied, derive the negation of that one and
   * return its package; 'conflict' when all are satisfied; 'none' otherwise.
   */
  private propagateOne(incompat: Incompatibility): PackageId | 'conflict' | 'none' {
    let unsatisfied: Term | undefined;
    for (const t of incompat.terms) {
      const rel = this.solution.relation(t);
      if (rel === 'contradicted') return 'none';
      if (rel === 'inconclusive') {
        if (unsatisfied) return 'none';
        unsatisfied = t;
      }
    }
    if (!unsatisfied) return 'conflict';
    this.solution.derive(negate(unsatisfied), incompat);
    return unsatisfied.pkg;
  }

  private resolveConflict(incompat: Incompatibility): Incompatibility {
    this.stats.conflicts++;
    let isNew = false;
    while (!incompat.isFailure(this.root)) {
      let mostRecentTerm: Term | undefined;
      let mostRecentSatisfier: ReturnType<PartialSolution['satisfier']> | undefined;
      let difference: Term | undefined;
      let previousSatisfierLevel = 1;
      for (const t of incompat.terms) {
        const satisfier = this.solution.satisfier(t);
        if (!mostRecentSatisfier) {
          mostRecentTerm = t;
          mostRecentSatisfier = satisfier;
        } else if (mostRecentSatisfier.index < satisfier.index) {
          previousSatisfierLevel = Math.max(previousSatisfierLevel, mostRecentSatisfier.decisionLevel);
          mostRecentTerm = t;
          mostRecentSatisfier = satisfier;
          difference = undefined;
        } else {
          previousSatisfierLevel = Math.max(previousSatisfierLevel, satisfier.decisionLevel);
        }
        if (mostRecentTerm === t) {
          difference = differenceTerms(mostRecentSatisfier.term, t);
          if (difference) {
            previousSatisfierLevel = Math.max(previousSatisfierLevel, this.solution.satisfier(negate(difference)).decisionLevel);
          }
        }
      }
      const satisfier = mostRecentSatisfier!;
      if (previousSatisfierLevel < satisfier.decisionLevel || !satisfier.cause) {
        this.stats.backtracks++;
        this.solution.backtrack(previousSatisfierLevel);
        if (isNew) this.add(incompat);
        return incompat;
      }
      const terms: Term[] = [
        ...incompat.terms.filter((t) => t !== mostRecentTerm),
        ...satisfier.cause.terms.filter((t) => t.pkg !== satisfier.term.pkg),
      ];
      if (difference) terms.push(negate(difference));
      incompat = this.newIncompat(terms, { kind: 'conflict', left: incompat, right: satisfier.cause });
      isNew = true;
    }
    throw new NoSolutionError(incompat);
  }

  /**
   * `pkg`'s candidate clashed at once with decided packages. Count it; past
   * the threshold, make `pkg` urgent and undo the culprit's decision so the
   * two are decided the other way round.
   */
  private noteConflict(pkg: PackageId, deps: readonly Dependency[]): void {
    if (this.urgent.has(pkg)) return;
    for (const dep of deps) {
      const decided = this.solution.decisions.get(dep.pkg);
      if (decided === undefined || dep.set.has(decided)) continue;
      let counts = this.conflicts.get(pkg);
      if (!counts) this.conflicts.set(pkg, (counts = new Map()));
      const n = (counts.get(dep.pkg) ?? 0) + 1;
      counts.set(dep.pkg, n);
      if (n >= CONFLICT_THRESHOLD && dep.pkg !== this.root) {
        this.urgent.add(pkg);
        const level = this.solution.decisionLevelOf(dep.pkg);
        if (level !== undefined && level > 1) {
          this.stats.backtracks++;
          this.solution.backtrack(level - 1);
        }
        return;
      }
    }
  }

  private async decideNext(): Promise<PackageId | undefined> {
    let best: { t: Term; prio: number } | undefined;
    for (const t of this.solution.undecided()) {
      const base = this.provider.priority ? this.provider.priority(t.pkg, t.set) : t.set.count();
      const prio = this.urgent.has(t.pkg) ? base - 1e9 : base;
      if (!best || prio < best.prio) best = { t, prio };
    }
    if (!best) return undefined;
    const { pkg, set } = best.t;
    const index = await this.provider.choose(pkg, set, (p) => this.solution.decisions.get(p));
    if (index === undefined) {
      const detail = this.provider.noVersionsDetail?.(pkg, set);
      this.add(this.newIncompat([term(pkg, set)], { kind: 'no-versions', ...(detail ? { detail } : {}) }));
      return pkg;
    }
    const size = set.size;
    const chosen = VersionSet.of(size, [index]);
    const result = await this.provider.dependencies(pkg, index);
    if ('unavailable' in result) {
      this.add(this.newIncompat([term(pkg, chosen)], { kind: 'unavailable', reason: result.unavailable }));
      return pkg;
    }
    let conflict = false;
    for (const dep of result.deps) {
      const forbidden = dep.constraint ? dep.set.complement() : undefined;
      if (forbidden?.isEmpty()) continue;
      const target = forbidden ? term(dep.pkg, forbidden, true) : term(dep.pkg, dep.set, false);
      const incompat = this.newIncompat([term(pkg, chosen), target], {
        kind: 'dependency',
        requirement: dep.requirement,
        target: dep.pkg,
      });
      this.add(incompat);
      conflict ||= incompat.terms.every((t) => t.pkg === pkg || this.solution.satisfies(t));
    }
    if (!conflict) {
      this.stats.decisions++;
      this.solution.decide(term(pkg, chosen), index);
    } else {
      this.noteConflict(pkg, result.deps);
    }
    return pkg;
  }
}
