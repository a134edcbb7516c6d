/**
 * PubGrub terms (https://github.com/dart-lang/pub/blob/master/doc/solver.md):
 * a positive term "p ∈ S" says p is selected with a version in S; a negative
 * term "not p ∈ S" says p is either not selected or has a version outside S.
 */
import { VersionSet } from './version-set.js';

export type PackageId = string;

export interface Term {
  readonly pkg: PackageId;
  readonly positive: boolean;
  readonly set: VersionSet;
}

export function term(pkg: PackageId, set: VersionSet, positive = true): Term {
  return { pkg, positive, set };
}

export function negate(t: Term): Term {
  return { pkg: t.pkg, positive: !t.positive, set: t.set };
}

/** t1 ∩ t2 for the same package; undefined when the result can never hold (empty positive term). */
export function intersectTerms(a: Term, b: Term): Term | undefined {
  let result: Term;
  if (a.positive && b.positive) result = term(a.pkg, a.set.intersect(b.set), true);
  else if (a.positive) result = term(a.pkg, a.set.minus(b.set), true);
  else if (b.positive) result = term(a.pkg, b.set.minus(a.set), true);
  else result = term(a.pkg, a.set.union(b.set), false);
  return result.positive && result.set.isEmpty() ? undefined : result;
}

/** a − b = a ∩ ¬b; undefined when empty. */
export function differenceTerms(a: Term, b: Term): Term | undefined {
  return intersectTerms(a, negate(b));
}

/** Whether every assignment allowed by `a` is allowed by `b` (a ⊆ b). */
export function satisfiesTerm(a: Term, b: Term): boolean {
  if (b.positive) return a.positive && a.set.isSubsetOf(b.set);
  return a.positive ? a.set.isDisjoint(b.set) : b.set.isSubsetOf(a.set);
}

/** Whether `a` and `b` can never both hold (a ∩ b = ∅). */
export function disjointTerms(a: Term, b: Term): boolean {
  if (a.positive && b.positive) return a.set.isDisjoint(b.set);
  if (a.positive) return a.set.isSubsetOf(b.set);
  if (b.positive) return b.set.isSubsetOf(a.set);
  return false;
}
