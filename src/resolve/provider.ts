/**
 * The resolver's view of the index for one job × profile: which versions of
 * a package exist for the profile, which one to try next, and what a version
 * depends on — PEP 508 markers evaluated in the profile's environment,
 * extras as virtual packages `name[extra]` (so `pkg[a]` and `pkg[b]` from
 * different parents combine), Requires-Python checked per candidate.
 */
import { isPyindexError } from '../errors/index.js';
import type { EventSink } from '../events/index.js';
import { isServerFailure } from '../index/http-errors.js';
import { evaluateMarker } from '../pep/markers.js';
import type { CoreMetadata } from '../pep/metadata.js';
import { canonicalizeExtra, canonicalizeName } from '../pep/names.js';
import type { Requirement } from '../pep/requirement.js';
import { requirementToString } from '../pep/requirement.js';
import type { SpecifierSet } from '../pep/specifier.js';
import { Version } from '../pep/version.js';
import { profileView, requiresPythonAllows, selectCandidates, type CandidateVersion, type ProfileView } from './candidates.js';
import type { Describer } from './explain.js';
import type { ResolveOptions } from './options.js';
import type { PackageSource } from './package-source.js';
import type { Dependency, DependencyProvider, DependencyResult } from './solver.js';
import type { PackageId } from './term.js';
import { VersionSet } from './version-set.js';
import type { Profile } from '../profile/types.js';

export const ROOT: PackageId = '<root>';

interface PackageState {
  id: PackageId;
  name: string;
  extra: string | undefined;
  candidates: CandidateVersion[];
  /** Why the project has no versions at all (e.g. not on the index). */
  missing: string | undefined;
  /** A requirement on it names a pre-release (`>=2.0b1`): pre-releases compete on equal terms. */
  explicitPrerelease: boolean;
  /** Exact pins (`==1.0`, `===1.0`) seen on it: they may take yanked versions (PEP 592). */
  pins: SpecifierSet[];
  sets: Map<string, VersionSet>;
}

export interface RootInput {
  requirements: Requirement[];
  /** `-c` constraints: restrict a package's versions if it is installed, without requiring it. */
  constraints: Requirement[];
}

/** A package id for a requirement name and optional extra. */
export function packageId(name: string, extra?: string): PackageId {
  const n = canonicalizeName(name);
  return extra === undefined ? n : `${n}[${canonicalizeExtra(extra)}]`;
}

export class IndexProvider implements DependencyProvider {
  private readonly states = new Map<PackageId, Promise<PackageState>>();
  private readonly loaded = new Map<PackageId, PackageState>();
  private readonly deps = new Map<string, Dependency[]>();
  readonly view: ProfileView;
  /** Candidates tried (a `choose` that returned a version). */
  tried = 0;
  /** Called after each choice (progress reporting). */
  onChoose: (() => void) | undefined;

  constructor(
    private readonly source: PackageSource,
    profile: Profile,
    private readonly options: ResolveOptions,
    private readonly root: RootInput,
    private readonly onEvent?: EventSink,
    /** Versions to keep when still allowed (the existing lock's pins), by canonical name. */
    private readonly preferred: ReadonlyMap<string, string> = new Map(),
  ) {
    this.view = profileView(profile);
  }

  private state(id: PackageId): Promise<PackageState> {
    let p = this.states.get(id);
    if (!p) {
      p = this.load(id);
      this.states.set(id, p);
    }
    return p;
  }

  /** A loaded package; only valid after `universeSize`/`dependencies` awaited it. */
  loadedState(id: PackageId): PackageState {
    const s = this.loaded.get(id);
    if (!s) throw new Error(`internal: ${id} not loaded`);
    return s;
  }

  private async load(id: PackageId): Promise<PackageState> {
    const m = /^([^[]+)(?:\[(.+)\])?$/.exec(id)!;
    const name = m[1]!;
    const extra = m[2];
    const state: PackageState = { id, name, extra, candidates: [], missing: undefined, explicitPrerelease: false, pins: [], sets: new Map() };
    if (id !== ROOT) {
      const project = await this.source.project(name);
      if (!project.parsed) state.missing = 'not on the index';
      else state.candidates = selectCandidates(name, project.parsed, this.view, this.options);
      if (project.parsed && state.candidates.length === 0) state.missing = 'the index lists no files for it';
    }
    this.loaded.set(id, state);
    return state;
  }

  async universeSize(id: PackageId): Promise<number> {
    return id === ROOT ? 1 : (await this.state(id)).candidates.length;
  }

  /** Order in which the solver first asked about each project (see `priority`). */
  private readonly discovered = new Map<string, number>();

  /**
   * Packages with one allowed version or none first (deciding them is forced),
   * then in the order they were discovered — breadth-first from the job's
   * requirements, as uv orders them and close to pip's depth preference. So
   * when two packages clash, the one nearer the job keeps its newest version
   * and the deeper one gives way. "Fewest allowed versions first" (pub's
   * default, used before) decided deep, tightly constrained packages early and
   * pulled their dependents down instead: on the generated 800-project corpus
   * of the lock benchmark it tried 6,264 candidates with 42 backtracks and
   * left 25 packages behind their newest (137 releases in all); in discovery
   * order 4,405, 24, and 23 (121; see CONFLICT_THRESHOLD in solver.ts for the
   * rest of the way to pip's pins); on the 200-project corpus 342 candidates
   * and 4 pins unlike pip's became 158 candidates and pip's exact pins.
   */
  priority(id: PackageId, allowed: VersionSet): number {
    const n = allowed.count();
    if (n <= 1) return n - 2e9;
    // `name[extra]` right after `name`: it can only take name's version, and name is where a lock's pin is kept.
    const bracket = id.indexOf('[');
    const name = bracket < 0 ? id : id.slice(0, bracket);
    let order = this.discovered.get(name);
    if (order === undefined) this.discovered.set(name, (order = this.discovered.size));
    return order * 2 + (bracket < 0 ? 0 : 1);
  }

  private usable(s: PackageState, i: number, prereleases: boolean): boolean {
    const c = s.candidates[i]!;
    if (!c.best) return false;
    if (c.prerelease && !prereleases) return false;
    if (c.yanked && !s.pins.some((pin) => pin.contains(c.version, { prereleases: true }))) return false;
    return true;
  }

  async choose(id: PackageId, allowed: VersionSet, decided: (pkg: PackageId) => number | undefined): Promise<number | undefined> {
    if (id === ROOT) return 0;
    this.onChoose?.();
    const s = await this.state(id);
    if (s.extra !== undefined) {
      // `name[extra]` can only be the version of `name` already chosen. (When
      // that one is not allowed, fall through: answering "none" would teach
      // the solver a false incompatibility.)
      const base = decided(s.name);
      if (base !== undefined && allowed.has(base) && s.candidates[base]!.best) {
        this.tried++;
        return base;
      }
    }
    const passes = this.prereleasePasses(s);
    // The lock's pin, for `name[extra]` too: decided before `name`, it fixes name's version.
    const keep = this.preferred.get(s.name);
    if (keep !== undefined) {
      for (const i of allowed.descending()) {
        if (s.candidates[i]!.version.toString() === keep && passes.some((pre) => this.usable(s, i, pre))) {
          this.tried++;
          return i;
        }
      }
    }
    for (const pre of passes) {
      for (const i of allowed.descending()) {
        if (this.usable(s, i, pre)) {
          this.tried++;
          return i;
        }
      }
    }
    return undefined;
  }

  /**
   * The pre-release policy (uv's modes, which packse encodes): with
   * `if-necessary-or-explicit`, pre-releases are candidates when the job's own
   * requirements name one for the package, or when the package has nothing
   * but pre-releases; otherwise only final releases are.
   */
  private prereleasePasses(s: PackageState): boolean[] {
    const policy = this.options.prereleases;
    if (policy === 'allow') return [true];
    if (policy === 'disallow') return [false];
    if (s.explicitPrerelease || (s.candidates.length > 0 && s.candidates.every((c) => c.prerelease))) return [true];
    return [false];
  }

  noVersionsDetail(id: PackageId, allowed: VersionSet): string | undefined {
    const s = this.loaded.get(id);
    if (!s) return undefined;
    if (s.missing) return s.missing;
    const byReason = new Map<string, string[]>();
    for (const i of allowed.ascending()) {
      const c = s.candidates[i]!;
      const reason = c.unusable ?? (c.yanked ? 'yanked (pin it with == to use it)' : c.prerelease ? 'pre-release' : undefined);
      if (!reason) continue;
      let list = byReason.get(reason);
      if (!list) byReason.set(reason, (list = []));
      list.push(c.version.toString());
    }
    if (byReason.size === 0) return undefined;
    return [...byReason].map(([reason, vs]) => `${abbreviate(vs)}: ${reason}`).join('; ');
  }

  async dependencies(id: PackageId, index: number): Promise<DependencyResult> {
    if (id === ROOT) {
      const env = this.view.profile.markers;
      const deps = await this.toDependencies(this.root.requirements.filter((r) => r.marker === undefined || evaluateMarker(r.marker, env)), ROOT);
      this.deps.set(`${id}@${index}`, deps);
      return { deps };
    }
    const s = await this.state(id);
    const c = s.candidates[index]!;
    let meta: CoreMetadata;
    try {
      meta = await this.source.metadata(c.best!.file);
    } catch (err) {
      if (isPyindexError(err) && !isServerFailure(err) && err.code !== 'E_OFFLINE_MISS') {
        return { unavailable: `its metadata cannot be read (${err.code}: ${err.message})` };
      }
      throw err;
    }
    if (meta.canonicalName !== s.name || !meta.version.equals(c.version)) {
      return { unavailable: `its metadata says ${meta.name} ${meta.version.toString()}` };
    }
    if (meta.requiresPython && !requiresPythonAllows(meta.requiresPython.toString(), this.view.pythonVersion)) {
      return { unavailable: `requires Python ${meta.requiresPython.toString()}` };
    }
    let requirements = meta.requiresDist;
    const deps: Dependency[] = [];
    if (s.extra !== undefined) {
      // name[extra] == v: the base at exactly v, plus what the extra adds.
      const base = await this.state(s.name);
      deps.push({ pkg: s.name, set: VersionSet.of(base.candidates.length, [index]), requirement: `${s.name}==${c.version.toString()}` });
      requirements = requirements.filter((r) => r.marker !== undefined && !evaluateMarker(r.marker, this.view.profile.markers) && evaluateMarker(r.marker, this.view.profile.markers, [s.extra!]));
      const provided = meta.providesExtra.map(canonicalizeExtra);
      if (provided.length && !provided.includes(s.extra)) {
        this.onEvent?.({ type: 'warning', message: `${meta.name} ${meta.version.toString()} does not provide the extra "${s.extra}"` });
      }
    } else {
      requirements = requirements.filter((r) => r.marker === undefined || evaluateMarker(r.marker, this.view.profile.markers));
    }
    deps.push(...(await this.toDependencies(requirements, id)));
    this.deps.set(`${id}@${index}`, deps);
    return { deps };
  }

  /** Dependencies recorded for a decided version (for "why is it here"). */
  dependenciesOf(id: PackageId, index: number): Dependency[] {
    return this.deps.get(`${id}@${index}`) ?? [];
  }

  /** Dependencies for requirements whose markers the caller already evaluated for this profile. */
  private async toDependencies(wanted: readonly Requirement[], from: PackageId): Promise<Dependency[]> {
    const env = this.view.profile.markers;
    const ids: { id: PackageId; req: Requirement }[] = [];
    for (const req of wanted) {
      ids.push({ id: packageId(req.name), req });
      for (const extra of req.extras) ids.push({ id: packageId(req.name, extra), req });
    }
    const states = await Promise.all(ids.map(({ id }) => this.state(id)));
    const deps: Dependency[] = [];
    for (let k = 0; k < ids.length; k++) {
      const { req } = ids[k]!;
      const s = states[k]!;
      if (s.id === from) continue; // a package depending on itself (seen in the wild) adds nothing
      const spec = req.specifier;
      // Only the job's own requirements may opt into pre-releases or yanked
      // pins (uv's rule; a library pinning a yanked or pre-release version
      // does not force it on the job).
      if (from === ROOT) this.noteFirstParty(s, spec);
      deps.push({ pkg: s.id, set: this.setFor(s, spec), requirement: displayRequirement(req) });
      this.prefetch(s, spec);
    }
    if (from === ROOT) {
      for (const c of this.root.constraints) {
        if (c.marker !== undefined && !evaluateMarker(c.marker, env)) continue;
        const s = await this.state(packageId(c.name));
        this.noteFirstParty(s, c.specifier);
        deps.push({ pkg: s.id, set: this.setFor(s, c.specifier), requirement: `${displayRequirement(c)} (constraint)`, constraint: true });
      }
    }
    return deps;
  }

  private noteFirstParty(s: PackageState, spec: SpecifierSet): void {
    if (isExactPin(spec)) s.pins.push(spec);
    if (namesPrerelease(spec)) s.explicitPrerelease = true;
  }

  private setFor(s: PackageState, spec: SpecifierSet): VersionSet {
    const key = spec.toString();
    let set = s.sets.get(key);
    if (!set) {
      set = VersionSet.fromPredicate(s.candidates.length, (i) => spec.contains(s.candidates[i]!.version, { prereleases: true }));
      s.sets.set(key, set);
    }
    return set;
  }

  /** Starts fetching the metadata of the version most likely to be chosen, so the solver rarely waits. */
  private prefetch(s: PackageState, spec: SpecifierSet): void {
    if (s.extra !== undefined) return;
    const set = this.setFor(s, spec);
    for (const i of set.descending()) {
      const c = s.candidates[i]!;
      if (c.best && !c.yanked && !c.prerelease) {
        this.source.metadata(c.best.file).catch(() => {});
        return;
      }
    }
  }

  describer(jobLabel: string): Describer {
    return {
      root: ROOT,
      name: (id) => (id === ROOT ? jobLabel : id),
      noVersionsReason: (id) => this.loaded.get(id)?.missing,
      versions: (id, set) => {
        if (id === ROOT) return '';
        const s = this.loaded.get(id);
        if (!s) return '';
        return describeSet(s.candidates.map((c) => c.version.toString()), set);
      },
    };
  }
}

/** Any clause whose version is a pre-release (`<0.2.0a2` too, unlike packaging's narrower rule). */
function namesPrerelease(spec: SpecifierSet): boolean {
  return spec.specifiers.some((s) => s.operator !== '!=' && Version.tryParse(s.version.replace(/\.\*$/, ''))?.isPrerelease === true);
}

function isExactPin(spec: SpecifierSet): boolean {
  return spec.specifiers.some((s) => s.operator === '===' || (s.operator === '==' && !s.version.endsWith('.*')));
}

function displayRequirement(req: Requirement): string {
  const text = requirementToString({ ...req, marker: undefined });
  return text;
}

function abbreviate(versions: string[]): string {
  return versions.length <= 4 ? versions.join(', ') : `${versions.slice(0, 2).join(', ')} … ${versions.slice(-2).join(', ')} (${versions.length} versions)`;
}

/**
 * A version set in words, as ranges over the known versions:
 * "2.0", ">=1.0,<2.0", "<1.5 or >=2.0"; "" when it is every version.
 */
export function describeSet(universe: readonly string[], set: VersionSet): string {
  const n = universe.length;
  if (set.isFull() && n > 1) return '';
  if (set.isEmpty()) return '(no versions)';
  const runs: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= n; i++) {
    const inSet = i < n && set.has(i);
    if (inSet && start < 0) start = i;
    if (!inSet && start >= 0) {
      runs.push([start, i - 1]);
      start = -1;
    }
  }
  const parts = runs.map(([a, b]) => {
    if (a === b) return `${runs.length === 1 ? '' : '=='}${universe[a]}`;
    const lo = a > 0 ? `>=${universe[a]}` : '';
    const hi = b < n - 1 ? `<${universe[b + 1]}` : '';
    return [lo, hi].filter(Boolean).join(',');
  });
  return parts.join(' or ');
}
