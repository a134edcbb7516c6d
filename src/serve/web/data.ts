/**
 * What the web pages show, read from the tree like every other read: the
 * project list from the root page `simple/index.json` (one file, not one
 * state per project), a project from its state file. Both are cached and
 * revalidated by stat (read-cache.ts), so an upload, a yank or another
 * process's change shows on the next request (another process's within
 * the cache's revalidation window).
 */
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { canonicalizeName } from '../../pep/names.js';
import { StampedCache, type Generation } from '../read-cache.js';
import { projectStatePath, type TreeLayout } from '../tree/layout.js';
import { readProjectState, type ProjectState } from '../tree/state.js';

export interface ListedProject {
  /** Normalized name (the URL segment). */
  project: string;
  /** Display name. */
  name: string;
}

async function readRootListing(path: string): Promise<ListedProject[] | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const data = JSON.parse(text) as { projects?: { name?: unknown }[] };
  const names = (data.projects ?? []).map((p) => p.name).filter((n): n is string => typeof n === 'string');
  return names.map((name) => ({ project: canonicalizeName(name), name }));
}

export class WebData {
  private readonly listing: StampedCache<ListedProject[]>;
  private readonly states: StampedCache<ProjectState>;

  constructor(
    private readonly layout: TreeLayout,
    generation?: Generation,
  ) {
    this.listing = new StampedCache(readRootListing, 1, generation);
    this.states = new StampedCache(readProjectState, 500, generation);
  }

  async projects(): Promise<ListedProject[]> {
    return (await this.listing.get(join(this.layout.simpleDir, 'index.json')))?.value ?? [];
  }

  /** `project` must be normalized (the caller redirects other spellings). */
  async project(project: string): Promise<ProjectState | undefined> {
    const state = (await this.states.get(projectStatePath(this.layout, project)))?.value;
    return state && state.files.length > 0 ? state : undefined;
  }
}
