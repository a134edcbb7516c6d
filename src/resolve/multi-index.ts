/**
 * Resolution over several indexes with explicit priority (the config's
 * `indexes:`), uv's first-index rule: a project is looked up on each
 * index in order and taken from the FIRST that lists it — its versions are
 * never merged with a later index's, so a higher version published under the
 * same name on a later (public) index is never a candidate. A project pinned
 * under `packages:` is looked up on its index only; an `explicit` index is
 * used for pinned projects only.
 *
 * After locking, `confusion()` looks the locked projects up on the later
 * indexes that could have served them: a later index with a HIGHER version
 * than any on the index used is the dependency-confusion signal (someone
 * published your internal name upstream), reported, never followed.
 */
import type { IndexFile } from '../index/types.js';
import type { CoreMetadata } from '../pep/metadata.js';
import type { Version } from '../pep/version.js';
import { warmSource, type IndexPackageSource, type PackageSource, type ProjectFiles } from './package-source.js';

export interface IndexChoice {
  /** Primary URL (or directory) of the index. */
  url: string;
  name: string | undefined;
  explicit: boolean;
}

/** A later index offers a higher version of a project than the index it was taken from. */
export interface ConfusionWarning {
  project: string;
  /** The locked version, and the index it came from (URL). */
  version: string;
  index: string;
  /** The highest version on that index. */
  highest: string;
  /** The later index and the higher version it lists. */
  laterIndex: string;
  laterVersion: string;
}

function highest(p: ProjectFiles): Version | undefined {
  let best: Version | undefined;
  for (const f of p.parsed ?? []) if (!best || f.version.compare(best) > 0) best = f.version;
  return best;
}

function listsFiles(p: ProjectFiles): boolean {
  return p.parsed !== undefined && p.parsed.length + p.skipped.length > 0;
}

export class MultiIndexSource implements PackageSource {
  private readonly chosen = new Map<string, Promise<{ files: ProjectFiles; index: number | undefined }>>();

  constructor(
    /** One source per index, in priority order. */
    private readonly sources: readonly IndexPackageSource[],
    private readonly indexes: readonly IndexChoice[],
    /** PEP 503 name → position in `indexes`. */
    private readonly pins: ReadonlyMap<string, number>,
  ) {}

  get stats(): { projects: number; metadata: number } {
    return { projects: this.sources.reduce((n, s) => n + s.stats.projects, 0), metadata: this.sources[0]!.stats.metadata };
  }

  /** The indexes a project may come from, in order. */
  private candidates(name: string): number[] {
    const pinned = this.pins.get(name);
    if (pinned !== undefined) return [pinned];
    return this.indexes.flatMap((ix, i) => (ix.explicit ? [] : [i]));
  }

  private choose(name: string): Promise<{ files: ProjectFiles; index: number | undefined }> {
    let p = this.chosen.get(name);
    if (!p) {
      p = (async () => {
        const order = this.candidates(name);
        for (const i of order) {
          // An index that cannot be read fails the lookup: falling through to a later index could hand the
          // name to exactly the index the first-index rule keeps it from.
          const files = await this.sources[i]!.project(name);
          if (listsFiles(files)) return { files, index: i };
        }
        return { files: { name, parsed: undefined, skipped: [] }, index: undefined };
      })();
      this.chosen.set(name, p);
      p.catch(() => this.chosen.delete(name));
    }
    return p;
  }

  async project(name: string): Promise<ProjectFiles> {
    if (this.sources.length === 1) return this.sources[0]!.project(name);
    return (await this.choose(name)).files;
  }

  /**
   * Metadata depends on the file alone (its URL and hashes), whichever index
   * listed it; one source keeps one memo for all.
   */
  metadata(file: IndexFile): Promise<CoreMetadata> {
    return this.sources[0]!.metadata(file);
  }

  warm(projects: ReadonlyMap<string, readonly string[]>): void {
    warmSource(this, projects);
  }

  /** The URL of the index a project was taken from (undefined: not looked up, or on none). */
  async origin(name: string): Promise<string | undefined> {
    if (this.sources.length === 1) return this.indexes[0]!.url;
    const { index } = await this.choose(name);
    return index === undefined ? undefined : this.indexes[index]!.url;
  }

  /**
   * For each locked project not pinned: the later non-explicit indexes that
   * list a higher version than the index it was taken from. A later index
   * that cannot be read is skipped (`onUnreadable` says which): the lock
   * itself did not need it.
   */
  async confusion(locked: readonly { name: string; version: string }[], onUnreadable: (index: string, project: string, err: unknown) => void = () => {}): Promise<ConfusionWarning[]> {
    if (this.sources.length === 1) return [];
    const warnings = await Promise.all(
      locked.map(async ({ name, version }): Promise<ConfusionWarning[]> => {
        if (this.pins.has(name)) return [];
        const { files, index } = await this.choose(name);
        const own = highest(files);
        if (index === undefined || !own) return [];
        const later = this.indexes.flatMap((ix, i) => (i > index && !ix.explicit ? [i] : []));
        const found = await Promise.all(
          later.map(async (i) => {
            try {
              const top = highest(await this.sources[i]!.project(name));
              return top && top.compare(own) > 0 ? [{ project: name, version, index: this.indexes[index]!.url, highest: own.toString(), laterIndex: this.indexes[i]!.url, laterVersion: top.toString() }] : [];
            } catch (err) {
              onUnreadable(this.indexes[i]!.url, name, err);
              return [];
            }
          }),
        );
        return found.flat();
      }),
    );
    return warnings.flat();
  }
}
