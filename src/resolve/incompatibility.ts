/**
 * Incompatibilities: sets of terms that must not all be true at once, with
 * the cause PubGrub records so a failure can be explained as a chain of facts.
 */
import { intersectTerms, type PackageId, type Term } from './term.js';

export type Cause =
  | { kind: 'root' }
  /** `pkg == version` depends on `requirement` (as written in its metadata, or the job's requirement for the root). */
  | { kind: 'dependency'; requirement: string; target: PackageId }
  /** No version in the term's set can be used (none exist, or every one was ruled out). */
  | { kind: 'no-versions'; detail?: string }
  /** This particular version cannot be used (no file for the profile, Requires-Python, bad metadata …). */
  | { kind: 'unavailable'; reason: string }
  | { kind: 'conflict'; left: Incompatibility; right: Incompatibility };

let nextId = 0;

export class Incompatibility {
  readonly id = nextId++;
  readonly terms: readonly Term[];

  constructor(
    terms: Term[],
    readonly cause: Cause,
    root: PackageId,
  ) {
    // A derived incompatibility never needs "root is selected": it always is
    // (pub's solver does the same to keep explanations short).
    if (terms.length !== 1 && cause.kind === 'conflict' && terms.some((t) => t.positive && t.pkg === root)) {
      terms = terms.filter((t) => !(t.positive && t.pkg === root));
    }
    // One term per package: the intersection of what was given. A negative
    // term over the empty set ("not p ∈ ∅") is always true and says nothing.
    const byPkg = new Map<PackageId, Term>();
    for (const t of terms) {
      if (!t.positive && t.set.isEmpty()) continue;
      const have = byPkg.get(t.pkg);
      if (!have) {
        byPkg.set(t.pkg, t);
        continue;
      }
      const merged = intersectTerms(have, t);
      // An impossible term makes the incompatibility trivially satisfied-never;
      // keep the narrower positive term so the set stays meaningful.
      byPkg.set(t.pkg, merged ?? { pkg: t.pkg, positive: true, set: t.set.intersect(have.set) });
    }
    this.terms = [...byPkg.values()];
  }

  /** A failure: nothing can satisfy the root requirements. */
  isFailure(root: PackageId): boolean {
    return this.terms.length === 0 || (this.terms.length === 1 && this.terms[0]!.positive && this.terms[0]!.pkg === root);
  }
}
