/**
 * The package tree behind `pyindex serve`: a static PEP 503 tree on disk
 * plus the authoritative per-project state it is generated from (layout in
 * layout.ts, the contract in notes/issue5-contract.md).
 *
 * Write order makes every crash point consistent: the distribution file and
 * its `.metadata` are placed first (unlisted, so unpublished), then the
 * state (the publish point), then the pages. A crash after the state write
 * leaves stale pages, which `regenerateStale` (run at server start) heals.
 * Nothing published is ever overwritten: a filename is bound to its first
 * bytes for good, as on PyPI.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PyindexError } from '../../errors/index.js';
import { canonicalizeName } from '../../pep/names.js';
import { Version } from '../../pep/version.js';
import { adoptAtomic, copyAtomic, removeDurably, writeAtomic } from './atomic.js';
import { distMetadata } from './dist-metadata.js';
import { assertProjectKey, parseDistFilename, projectFilesDir, projectPageDir, projectStatePath, treeLayout, type TreeLayout } from './layout.js';
import { KeyedLock, type LockOptions } from './lock.js';
import { removeLeftoversOfDeadWriters } from '../../util/process.js';
import { projectHtml, projectJson, rootHtml, rootJson, type RootEntry } from './pages.js';
import { readProjectState, serializeState, sortFiles, type FileState, type ProjectState } from './state.js';

export interface AddFileInput {
  filename: string;
  /** The distribution's bytes, or the path of a verified temp file (copied, left in place — unless `adopt`). */
  bytes: Buffer | string;
  /** `bytes` is a temp file inside the tree's `.pyindex/tmp/`: moved into place instead of copied when the file is added (else left to the caller). */
  adopt?: boolean;
  /** Expected sha256 (hex); checked against the bytes. */
  sha256: string;
  /** METADATA as uploaded; read from the archive when absent. */
  metadata?: Buffer;
  requiresPython?: string;
  uploader?: string;
  /** When the file was first published (ISO 8601), for a copy of another index (`pyindex mirror`); default now. */
  uploadTime?: string;
  /** PEP 592 yank state to publish it with (a copy of a yanked file stays yanked). */
  yanked?: string | true;
}

export interface AddFileOptions {
  /**
   * Rewrite the root pages when this adds a new project (default). A caller
   * adding many projects passes false and calls `regenerateRoot()` once.
   */
  rootPages?: boolean;
}

export type AddFileResult = 'added' | 'identical';

export interface ProjectListing extends RootEntry {
  /** Normalized name. */
  project: string;
}

/**
 * Writes made by this process, per root, for the read caches
 * (read-cache.ts): an entry validated before the last write is checked
 * again at once. Per root rather than per Tree, so every Tree object over
 * one root in this process shares it.
 */
const generations = new Map<string, number>();

/** Key of the lock guarding the root pages: no normalized project name starts with a dot. */
const ROOT_KEY = '.root';

async function sha256Of(content: Buffer | string): Promise<string> {
  const hash = createHash('sha256');
  if (Buffer.isBuffer(content)) return hash.update(content).digest('hex');
  for await (const chunk of createReadStream(content)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function sizeOf(content: Buffer | string): Promise<number> {
  return Buffer.isBuffer(content) ? content.length : (await stat(content)).size;
}

async function mtimeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

function sameVersion(a: string, b: string): boolean {
  const va = Version.tryParse(a);
  const vb = Version.tryParse(b);
  return va && vb ? va.compare(vb) === 0 : a === b;
}

export class Tree {
  readonly layout: TreeLayout;
  private readonly locks: KeyedLock;

  constructor(
    readonly root: string,
    lockOptions: LockOptions = {},
  ) {
    this.layout = treeLayout(root);
    this.locks = new KeyedLock(this.layout.locksDir, lockOptions);
  }

  /** Bumped after every write to the tree by this process. */
  get generation(): number {
    return generations.get(resolve(this.root)) ?? 0;
  }

  private changed(): void {
    generations.set(resolve(this.root), this.generation + 1);
  }

  private async ensureDirs(): Promise<void> {
    const l = this.layout;
    for (const d of [l.simpleDir, l.filesDir, l.projectsDir, l.locksDir, l.tmpDir]) await mkdir(d, { recursive: true });
  }

  /** Adds one distribution; 'identical' when the same bytes are already there. */
  async addFile(input: AddFileInput, options: AddFileOptions = {}): Promise<AddFileResult> {
    const dist = parseDistFilename(input.filename);
    const expected = input.sha256.toLowerCase();
    const actual = await sha256Of(input.bytes);
    if (actual !== expected) {
      throw new PyindexError('E_HASH_MISMATCH', `${dist.filename}: sha256 is ${actual}, expected ${expected}`, {
        hint: 'The file was corrupted in transit; upload it again.',
        details: { filename: dist.filename, expected, actual },
      });
    }
    await this.ensureDirs();
    const project = dist.project;
    const added = await this.locks.with(project, async () => {
      const statePath = projectStatePath(this.layout, project);
      const existing = await readProjectState(statePath);
      const known = existing?.files.find((f) => f.filename === dist.filename);
      if (known !== undefined) {
        if (known.sha256 === actual) return 'identical' as const;
        throw new PyindexError('E_UPLOAD_CONFLICT', `${dist.filename} already exists on this index with different content (sha256 ${known.sha256}, uploaded ${known.uploadTime}); files are never overwritten`, {
          hint: 'Publish the change under a new version (or a wheel build tag); a filename always refers to the same bytes.',
          details: { filename: dist.filename, existingSha256: known.sha256, uploadedSha256: actual },
        });
      }
      const meta = await distMetadata(dist, input.bytes, input.metadata);
      const filesDir = projectFilesDir(this.layout, project);
      const target = join(filesDir, dist.filename);
      // An unlisted file at the target is a leftover of a crashed add: never published, so replaced.
      const size = await sizeOf(input.bytes);
      if (Buffer.isBuffer(input.bytes)) await writeAtomic(this.layout.tmpDir, target, input.bytes);
      else if (input.adopt) await adoptAtomic(input.bytes, target);
      else await copyAtomic(this.layout.tmpDir, input.bytes, target);
      let metadataSha256: string | undefined;
      if (meta.bytes !== undefined) {
        await writeAtomic(this.layout.tmpDir, `${target}.metadata`, meta.bytes);
        metadataSha256 = createHash('sha256').update(meta.bytes).digest('hex');
      } else {
        await removeDurably(`${target}.metadata`);
      }
      const requiresPython = input.requiresPython ?? meta.metadata?.raw.get('requires-python')?.[0]?.trim();
      const entry: FileState = {
        filename: dist.filename,
        version: dist.version.toString(),
        sha256: actual,
        size,
        uploadTime: input.uploadTime ?? new Date().toISOString(),
        ...(requiresPython ? { requiresPython } : {}),
        ...(input.yanked !== undefined ? { yanked: input.yanked } : {}),
        ...(metadataSha256 ? { metadataSha256 } : {}),
        ...(input.uploader ? { uploader: input.uploader } : {}),
      };
      const state: ProjectState = { name: existing?.name ?? meta.metadata?.name ?? dist.name, files: sortFiles([...(existing?.files ?? []), entry]) };
      await this.commit(project, state);
      return existing === undefined ? ('new-project' as const) : ('added' as const);
    });
    if (added === 'new-project' && options.rootPages !== false) await this.regenerateRoot();
    return added === 'identical' ? 'identical' : 'added';
  }

  /**
   * Puts back the bytes of a published file whose copy on disk is missing
   * or damaged (and its `.metadata`, when given): only the exact bytes the
   * state names are accepted, so nothing published ever changes.
   */
  async restoreFile(filename: string, bytes: string, sha256: string, metadata?: Buffer): Promise<void> {
    const dist = parseDistFilename(filename);
    const actual = await sha256Of(bytes);
    await this.locks.with(dist.project, async () => {
      const known = (await readProjectState(projectStatePath(this.layout, dist.project)))?.files.find((f) => f.filename === filename);
      if (known === undefined || known.sha256 !== sha256.toLowerCase() || actual !== known.sha256) {
        throw new PyindexError('E_HASH_MISMATCH', `${filename}: cannot restore it with sha256 ${actual}; the tree publishes ${known ? `sha256 ${known.sha256}` : 'no such file'}`, {
          hint: 'Only the exact published bytes can be put back.',
          details: { filename, expected: known?.sha256, actual },
        });
      }
      const target = join(projectFilesDir(this.layout, dist.project), filename);
      await copyAtomic(this.layout.tmpDir, bytes, target);
      if (metadata !== undefined && known.metadataSha256 === createHash('sha256').update(metadata).digest('hex')) {
        await writeAtomic(this.layout.tmpDir, `${target}.metadata`, metadata);
      }
    });
  }

  /** Yanks (reason, or true for none) or un-yanks (false) every file of a version (PEP 592); returns the number of files changed. */
  async setYanked(name: string, version: string, reason: string | boolean): Promise<number> {
    const yanked: string | true | undefined = reason === '' || reason === true ? true : reason === false ? undefined : reason;
    return this.mutate(name, (files) => {
      let changed = 0;
      const next = files.map((f): FileState => {
        if (!sameVersion(f.version, version) || f.yanked === yanked) return f;
        changed++;
        const { yanked: _old, ...rest } = f;
        return yanked === undefined ? rest : { ...rest, yanked };
      });
      return { files: next, changed, removed: [] };
    });
  }

  /** Removes one file (state first, then the bytes); returns whether it existed. */
  async removeFile(name: string, filename: string): Promise<boolean> {
    const n = await this.mutate(name, (files) => {
      const removed = files.filter((f) => f.filename === filename);
      return { files: files.filter((f) => f.filename !== filename), changed: removed.length, removed };
    });
    return n > 0;
  }

  /** Removes every file of a version; returns how many. */
  async removeVersion(name: string, version: string): Promise<number> {
    return this.mutate(name, (files) => {
      const removed = files.filter((f) => sameVersion(f.version, version));
      return { files: files.filter((f) => !sameVersion(f.version, version)), changed: removed.length, removed };
    });
  }

  private async mutate(name: string, change: (files: FileState[]) => { files: FileState[]; changed: number; removed: FileState[] }): Promise<number> {
    const project = canonicalizeName(name);
    assertProjectKey(project);
    await this.ensureDirs();
    let rootChanged = false;
    const changed = await this.locks.with(project, async () => {
      const existing = await readProjectState(projectStatePath(this.layout, project));
      if (existing === undefined) {
        throw new PyindexError('E_NOT_FOUND', `project ${JSON.stringify(name)} is not on this index`, { hint: 'Check the name (`pyindex serve` lists projects at /simple/).' });
      }
      const result = change(existing.files);
      if (result.changed === 0) return 0;
      if (result.files.length === 0) {
        await this.dropProject(project);
        rootChanged = true;
      } else {
        await this.commit(project, { name: existing.name, files: result.files });
      }
      const dir = projectFilesDir(this.layout, project);
      for (const f of result.removed) {
        await removeDurably(join(dir, f.filename));
        await removeDurably(join(dir, `${f.filename}.metadata`));
      }
      this.changed();
      return result.changed;
    });
    if (rootChanged) await this.regenerateRoot();
    return changed;
  }

  /** State write (the publish point), then the pages derived from it. */
  private async commit(project: string, state: ProjectState): Promise<void> {
    await writeAtomic(this.layout.tmpDir, projectStatePath(this.layout, project), serializeState(state));
    this.changed();
    await this.writePages(project, state);
  }

  private async writePages(project: string, state: ProjectState): Promise<void> {
    const dir = projectPageDir(this.layout, project);
    const sorted = { name: state.name, files: sortFiles([...state.files]) };
    await writeAtomic(this.layout.tmpDir, join(dir, 'index.html'), projectHtml(sorted));
    await writeAtomic(this.layout.tmpDir, join(dir, 'index.json'), projectJson(sorted));
    this.changed();
  }

  /** Unpublishes a project with no files left: state first, then its pages. */
  private async dropProject(project: string): Promise<void> {
    await removeDurably(projectStatePath(this.layout, project));
    await rm(projectPageDir(this.layout, project), { recursive: true, force: true });
    this.changed();
  }

  async project(name: string): Promise<ProjectState | undefined> {
    return readProjectState(projectStatePath(this.layout, canonicalizeName(name)));
  }

  /** Every project with files, sorted by normalized name. */
  async projects(): Promise<ProjectListing[]> {
    let names: string[];
    try {
      names = await readdir(this.layout.projectsDir);
    } catch {
      return [];
    }
    const out: ProjectListing[] = [];
    for (const file of names.filter((n) => n.endsWith('.json')).sort()) {
      const project = file.slice(0, -'.json'.length);
      const state = await readProjectState(join(this.layout.projectsDir, file));
      if (state && state.files.length > 0) out.push({ project, name: state.name });
    }
    return out;
  }

  /** Rewrites the root pages (`simple/index.html`, `index.json`) from the projects' state. */
  async regenerateRoot(): Promise<void> {
    await this.ensureDirs();
    await this.locks.with(ROOT_KEY, async () => {
      const projects = await this.projects();
      await writeAtomic(this.layout.tmpDir, join(this.layout.simpleDir, 'index.html'), rootHtml(projects));
      await writeAtomic(this.layout.tmpDir, join(this.layout.simpleDir, 'index.json'), rootJson(projects));
      this.changed();
    });
  }

  /** Rebuilds the pages of one project, or of every project and the root. */
  async regenerate(name?: string): Promise<void> {
    await this.ensureDirs();
    const targets = name === undefined ? (await this.projects()).map((p) => p.project) : [canonicalizeName(name)];
    for (const project of targets) {
      await this.locks.with(project, async () => {
        const state = await readProjectState(projectStatePath(this.layout, project));
        if (state && state.files.length > 0) await this.writePages(project, state);
        else await this.dropProject(project);
      });
    }
    if (name === undefined) await this.regenerateRoot();
  }

  /** Removes temp files of tree writes (`<pid>-<hex>-…`, atomic.ts) whose writer is dead: never visible, only space. */
  sweepTemps(): Promise<string[]> {
    return removeLeftoversOfDeadWriters(this.layout.tmpDir, /^(\d+)-[0-9a-f]{12}-/);
  }

  /**
   * Heals what a crash between a state write and its page writes left
   * behind: pages older than their state (or missing), pages of removed
   * projects, and a root page older than any state. Costs one stat per page,
   * so it runs at every server start. Returns the projects rebuilt.
   */
  async regenerateStale(): Promise<string[]> {
    await this.ensureDirs();
    await this.sweepTemps();
    const stateFiles = (await readdir(this.layout.projectsDir)).filter((n) => n.endsWith('.json'));
    const known = new Set(stateFiles.map((f) => f.slice(0, -'.json'.length)));
    const rootMtime = Math.min((await mtimeOf(join(this.layout.simpleDir, 'index.html'))) ?? -1, (await mtimeOf(join(this.layout.simpleDir, 'index.json'))) ?? -1);
    let rootStale = rootMtime < 0;
    const rebuilt: string[] = [];
    for (const project of [...known].sort()) {
      const stateMtime = (await mtimeOf(projectStatePath(this.layout, project))) ?? 0;
      if (stateMtime > rootMtime) rootStale = true;
      const dir = projectPageDir(this.layout, project);
      const pageMtime = Math.min((await mtimeOf(join(dir, 'index.html'))) ?? -1, (await mtimeOf(join(dir, 'index.json'))) ?? -1);
      if (pageMtime < stateMtime) {
        await this.regenerate(project);
        rebuilt.push(project);
      }
    }
    for (const entry of await readdir(this.layout.simpleDir, { withFileTypes: true })) {
      if (entry.isDirectory() && !known.has(entry.name)) {
        await rm(join(this.layout.simpleDir, entry.name), { recursive: true, force: true });
        rootStale = true;
      }
    }
    if (rootStale) await this.regenerateRoot();
    return rebuilt;
  }
}

export function openTree(root: string, lockOptions?: LockOptions): Tree {
  return new Tree(root, lockOptions);
}
