/**
 * PubGrub's partial solution: the ordered list of decisions and derivations,
 * with each package's accumulated term kept current for fast relation checks.
 */
import type { Incompatibility } from './incompatibility.js';
import { intersectTerms, satisfiesTerm, disjointTerms, type PackageId, type Term } from './term.js';

export interface Assignment {
  readonly term: Term;
  readonly decisionLevel: number;
  readonly index: number;
  /** The incompatibility it was derived from; undefined for a decision. */
  readonly cause: Incompatibility | undefined;
}

export type Relation = 'satisfied' | 'contradicted' | 'inconclusive';

export class PartialSolution {
  readonly assignments: Assignment[] = [];
  /** Decided version index per package. */
  readonly decisions = new Map<PackageId, number>();
  /** Intersection of every assignment's term per package. */
  private readonly accumulated = new Map<PackageId, Term>();

  get decisionLevel(): number {
    return this.decisions.size;
  }

  decide(t: Term, versionIndex: number): void {
    this.decisions.set(t.pkg, versionIndex);
    this.assign({ term: t, decisionLevel: this.decisionLevel, index: this.assignments.length, cause: undefined });
  }

  derive(t: Term, cause: Incompatibility): void {
    this.assign({ term: t, decisionLevel: this.decisionLevel, index: this.assignments.length, cause });
  }

  private assign(a: Assignment): void {
    this.assignments.push(a);
    const have = this.accumulated.get(a.term.pkg);
    // An empty intersection cannot happen here: propagation only derives terms
    // that are not contradicted.
    this.accumulated.set(a.term.pkg, have ? (intersectTerms(have, a.term) ?? a.term) : a.term);
  }

  /** Undo every assignment made after `level`. */
  backtrack(level: number): void {
    const touched = new Set<PackageId>();
    while (this.assignments.length && this.assignments[this.assignments.length - 1]!.decisionLevel > level) {
      const a = this.assignments.pop()!;
      touched.add(a.term.pkg);
      if (!a.cause) this.decisions.delete(a.term.pkg);
    }
    for (const pkg of touched) {
      this.accumulated.delete(pkg);
    }
    if (touched.size) {
      for (const a of this.assignments) {
        if (!touched.has(a.term.pkg)) continue;
        const have = this.accumulated.get(a.term.pkg);
        this.accumulated.set(a.term.pkg, have ? (intersectTerms(have, a.term) ?? a.term) : a.term);
      }
    }
  }

  /** The decision level at which `pkg` was decided, if it was. */
  decisionLevelOf(pkg: PackageId): number | undefined {
    if (!this.decisions.has(pkg)) return undefined;
    for (const a of this.assignments) if (!a.cause && a.term.pkg === pkg) return a.decisionLevel;
    return undefined;
  }

  termFor(pkg: PackageId): Term | undefined {
    return this.accumulated.get(pkg);
  }

  relation(t: Term): Relation {
    const have = this.accumulated.get(t.pkg);
    if (!have) return 'inconclusive';
    if (satisfiesTerm(have, t)) return 'satisfied';
    if (disjointTerms(have, t)) return 'contradicted';
    return 'inconclusive';
  }

  satisfies(t: Term): boolean {
    return this.relation(t) === 'satisfied';
  }

  /** The earliest assignment after which the partial solution satisfies `t`. */
  satisfier(t: Term): Assignment {
    let acc: Term | undefined;
    for (const a of this.assignments) {
      if (a.term.pkg !== t.pkg) continue;
      acc = acc ? (intersectTerms(acc, a.term) ?? a.term) : a.term;
      if (satisfiesTerm(acc, t)) return a;
    }
    throw new Error(`internal: no satisfier for ${t.pkg}`);
  }

  /** Packages with a positive derivation but no decision yet. */
  *undecided(): Generator<Term> {
    for (const [pkg, t] of this.accumulated) {
      if (t.positive && !this.decisions.has(pkg)) yield t;
    }
  }
}
