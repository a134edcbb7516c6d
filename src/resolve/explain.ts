/**
 * Turns PubGrub's derivation graph into sentences a person can act on
 * ("Because a 2.0 depends on b<1 and the job requires b>=1, a 2.0 cannot be
 * used."), following the error-reporting algorithm of pub's solver.md.
 */
import type { Incompatibility } from './incompatibility.js';
import type { PackageId, Term } from './term.js';
import type { VersionSet } from './version-set.js';

export interface Describer {
  /** The name to print for a package (root → "the job"). */
  name(pkg: PackageId): string;
  /** A version set of `pkg` in words: "", "2.0", ">=1.0,<2.0", "1.0, 1.2 or >=3". */
  versions(pkg: PackageId, set: VersionSet): string;
  /** Why a package has no usable versions at all (e.g. "not on the index"), if known. */
  noVersionsReason?(pkg: PackageId): string | undefined;
  root: PackageId;
}

export function explainFailure(failure: Incompatibility, d: Describer): string {
  const refs = new Map<number, number>();
  countRefs(failure, refs, new Set());
  const lines: { text: string; number?: number }[] = [];
  const numbers = new Map<number, number>();
  let nextNumber = 1;

  const text = (i: Incompatibility) => describeIncompat(i, d);
  const ref = (i: Incompatibility) => `${text(i)} (${numbers.get(i.id)})`;
  const write = (i: Incompatibility, sentence: string) => {
    if ((refs.get(i.id) ?? 0) > 1 && !numbers.has(i.id)) {
      numbers.set(i.id, nextNumber);
      lines.push({ text: sentence, number: nextNumber++ });
    } else {
      lines.push({ text: sentence });
    }
  };

  const visit = (i: Incompatibility, conclusion = false): void => {
    if (i.cause.kind !== 'conflict') return;
    const { left, right } = i.cause;
    const leftDerived = left.cause.kind === 'conflict';
    const rightDerived = right.cause.kind === 'conflict';
    const then = conclusion ? 'version solving failed' : text(i);
    if (leftDerived && rightDerived) {
      const l = numbers.has(left.id);
      const r = numbers.has(right.id);
      if (l && r) return write(i, `Because ${ref(left)} and ${ref(right)}, ${then}.`);
      if (l || r) {
        const [withLine, without] = l ? [left, right] : [right, left];
        visit(without);
        return write(i, `And because ${ref(withLine)}, ${then}.`);
      }
      visit(left);
      if (!numbers.has(left.id)) {
        numbers.set(left.id, nextNumber);
        const last = lines[lines.length - 1];
        if (last) last.number = nextNumber;
        nextNumber++;
      }
      lines.push({ text: '' });
      visit(right);
      return write(i, `And because ${ref(left)}, ${then}.`);
    }
    if (leftDerived || rightDerived) {
      const [derived, external] = leftDerived ? [left, right] : [right, left];
      if (numbers.has(derived.id)) return write(i, `Because ${text(external)} and ${ref(derived)}, ${then}.`);
      const sub = singleExternal(derived);
      const prior = derived.cause as Extract<Incompatibility['cause'], { kind: 'conflict' }>;
      const priorDerived = prior.left.cause.kind === 'conflict' ? prior.left : prior.right;
      if (sub && (refs.get(derived.id) ?? 0) <= 1 && !numbers.has(priorDerived.id)) {
        // Collapse "X, so D; D and E, so I" into "X … and because P and E, I".
        const priorExternal = sub;
        visit(priorDerived);
        return write(i, `And because ${text(priorExternal)} and ${text(external)}, ${then}.`);
      }
      visit(derived);
      return write(i, `And because ${text(external)}, ${then}.`);
    }
    return write(i, `Because ${text(left)} and ${text(right)}, ${then}.`);
  };

  if (failure.cause.kind !== 'conflict') return `Because ${text(failure)}, version solving failed.`;
  visit(failure, true);
  const width = String(nextNumber).length + 2;
  return lines
    .map((l) => (l.text === '' ? '' : l.number !== undefined ? `${`(${l.number})`.padEnd(width + 1)}${l.text}` : `${' '.repeat(width + 1)}${l.text}`))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
}

/** For a derived incompatibility with exactly one external cause, that cause. */
function singleExternal(i: Incompatibility): Incompatibility | undefined {
  if (i.cause.kind !== 'conflict') return undefined;
  const { left, right } = i.cause;
  const l = left.cause.kind === 'conflict';
  const r = right.cause.kind === 'conflict';
  if (l === r) return undefined;
  return l ? right : left;
}

function countRefs(i: Incompatibility, refs: Map<number, number>, seen: Set<number>): void {
  if (i.cause.kind !== 'conflict') return;
  for (const child of [i.cause.left, i.cause.right]) {
    refs.set(child.id, (refs.get(child.id) ?? 0) + 1);
    if (!seen.has(child.id)) {
      seen.add(child.id);
      countRefs(child, refs, seen);
    }
  }
}

function pkgWithVersions(t: Term, d: Describer): string {
  const v = d.versions(t.pkg, t.set);
  return v ? `${d.name(t.pkg)} ${v}` : d.name(t.pkg);
}

/** One incompatibility as a clause. */
export function describeIncompat(i: Incompatibility, d: Describer): string {
  const cause = i.cause;
  const terms = i.terms;
  const rootFirst = [...terms].sort((a, b) => Number(b.pkg === d.root) - Number(a.pkg === d.root));
  switch (cause.kind) {
    case 'root':
      return `${d.name(d.root)} is being resolved`;
    case 'dependency': {
      const [from] = rootFirst.filter((t) => t.positive);
      if (!from) break;
      const who = from.pkg === d.root ? d.name(d.root) : pkgWithVersions(from, d);
      const clause = `${who} ${from.pkg === d.root ? 'requires' : 'depends on'} ${cause.requirement}`;
      // The target's term was dropped as always true: no version matches at all.
      if (!terms.some((t) => t.pkg === cause.target)) {
        const why = d.noVersionsReason?.(cause.target);
        return `${clause}, which no usable version of ${d.name(cause.target)} matches${why ? ` (${why})` : ''}`;
      }
      return clause;
    }
    case 'no-versions': {
      const [t] = terms;
      if (!t) break;
      const v = d.versions(t.pkg, t.set);
      const base = v ? `no usable versions of ${d.name(t.pkg)} match ${v}` : `no usable versions of ${d.name(t.pkg)} exist`;
      return cause.detail ? `${base} (${cause.detail})` : base;
    }
    case 'unavailable': {
      const [t] = terms;
      if (!t) break;
      return `${pkgWithVersions(t, d)} cannot be used: ${cause.reason}`;
    }
    case 'conflict':
      break;
  }
  if (terms.length === 0) return 'version solving failed';
  if (terms.length === 1) {
    const t = terms[0]!;
    if (t.pkg === d.root) return t.positive ? `${d.name(d.root)} cannot be satisfied` : `${d.name(d.root)} is required`;
    return t.positive ? `${pkgWithVersions(t, d)} cannot be used` : `${pkgWithVersions(t, d)} is required`;
  }
  const positives = rootFirst.filter((t) => t.positive);
  const negatives = rootFirst.filter((t) => !t.positive);
  if (terms.length === 2 && positives.length === 1 && negatives.length === 1) {
    const p = positives[0]!;
    const n = negatives[0]!;
    const who = p.pkg === d.root ? d.name(d.root) : pkgWithVersions(p, d);
    return `${who} requires ${pkgWithVersions(n, d)}`;
  }
  if (negatives.length === 0) {
    const list = positives.filter((t) => t.pkg !== d.root).map((t) => pkgWithVersions(t, d));
    return list.length === 2 ? `${list[0]} is incompatible with ${list[1]}` : `these cannot all be used together: ${list.join(', ')}`;
  }
  const ifs = positives.map((t) => (t.pkg === d.root ? d.name(d.root) : pkgWithVersions(t, d))).join(' and ');
  const thens = negatives.map((t) => pkgWithVersions(t, d)).join(' or ');
  return `${ifs || 'any solution'} requires ${thens}`;
}
