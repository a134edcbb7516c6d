/**
 * Project pages and metadata, fetched once and shared by every job × profile
 * resolution of a run (the index client caches on disk; this caches the
 * parsed forms in memory and de-duplicates concurrent requests).
 */
import { isPyindexError } from '../errors/index.js';
import type { SimpleIndexClient } from '../index/client.js';
import type { IndexFile } from '../index/types.js';
import type { CoreMetadata } from '../pep/metadata.js';
import { parseProjectFiles } from './candidates.js';

export interface ProjectFiles {
  name: string;
  /** undefined when the index has no such project. */
  parsed: ReturnType<typeof parseProjectFiles>['parsed'] | undefined;
  skipped: string[];
}

export interface PackageSource {
  project(canonicalName: string): Promise<ProjectFiles>;
  metadata(file: IndexFile): Promise<CoreMetadata>;
  readonly stats: { projects: number; metadata: number };
}

export class IndexPackageSource implements PackageSource {
  private readonly projects = new Map<string, Promise<ProjectFiles>>();
  private readonly metadatas = new Map<string, Promise<CoreMetadata>>();
  readonly stats = { projects: 0, metadata: 0 };

  constructor(
    private readonly client: SimpleIndexClient,
    /** Interpreter for sdists whose metadata only their build backend knows. */
    private readonly buildPython?: string,
  ) {}

  project(name: string): Promise<ProjectFiles> {
    let p = this.projects.get(name);
    if (!p) {
      p = (async () => {
        try {
          const page = await this.client.getProject(name);
          this.stats.projects++;
          const { parsed, skipped } = parseProjectFiles(page);
          return { name, parsed, skipped };
        } catch (err) {
          if (isPyindexError(err, 'E_NOT_FOUND')) return { name, parsed: undefined, skipped: [] };
          throw err;
        }
      })();
      this.projects.set(name, p);
    }
    return p;
  }

  /**
   * Starts fetching (or revalidating) what a resolution will most likely
   * need — e.g. every project and file of the existing lock — all at once,
   * instead of one dependency level after another as the solver walks the
   * graph. Failures are left for the real request to report.
   */
  warm(projects: ReadonlyMap<string, readonly string[]>): void {
    warmSource(this, projects);
  }

  metadata(file: IndexFile): Promise<CoreMetadata> {
    let p = this.metadatas.get(file.url);
    if (!p) {
      // Kept for the whole run (every profile shares it): keep only what
      // resolution reads, not the raw headers and description.
      p = this.client.getMetadata(file, this.buildPython ? { python: this.buildPython } : {}).then(slim);
      p.then(() => this.stats.metadata++, () => {});
      this.metadatas.set(file.url, p);
    }
    return p;
  }
}

/** Starts every project page and named file's metadata at once (see IndexPackageSource.warm); failures are left for the real request. */
export function warmSource(source: PackageSource, projects: ReadonlyMap<string, readonly string[]>): void {
  for (const [name, filenames] of projects) {
    source
      .project(name)
      .then(async (p) => {
        if (!p.parsed || filenames.length === 0) return;
        const wanted = new Set(filenames);
        await Promise.all(p.parsed.filter((f) => wanted.has(f.file.filename)).map((f) => source.metadata(f.file)));
      })
      .catch(() => {});
  }
}

function slim(meta: CoreMetadata): CoreMetadata {
  return { ...meta, raw: new Map(), description: undefined, summary: undefined, license: undefined, licenseFiles: [] };
}
