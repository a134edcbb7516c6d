/**
 * Local directories as indexes. Two shapes exist in the wild and pip accepts
 * both, so we detect which one we were given:
 *
 * - a PEP 503 tree, `DIR/<project>/index.html` (or `index.json`), optionally
 *   with `DIR/index.html` — read through `file:` URLs like any index;
 * - a flat "find-links" folder of wheels and sdists (pip `--find-links DIR`),
 *   where the project of a file comes from its filename.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { canonicalizeName } from '../pep/names.js';
import { parseSdistFilename } from '../pep/sdist-filename.js';
import { parseWheelFilename } from '../pep/wheel-filename.js';
import { fileKind, type IndexFile, type ProjectPage } from './types.js';

export type LocalLayout = 'simple' | 'flat';

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** A simple tree has an index page at its root or in some subdirectory; anything else is flat. */
export async function detectLocalLayout(dir: string): Promise<LocalLayout> {
  if ((await isFile(join(dir, 'index.html'))) || (await isFile(join(dir, 'index.json')))) return 'simple';
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    if ((await isFile(join(dir, e.name, 'index.html'))) || (await isFile(join(dir, e.name, 'index.json')))) return 'simple';
  }
  return 'flat';
}

/** Project directory names of a simple tree without a root page. */
export async function listSimpleTreeProjects(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory() && ((await isFile(join(dir, e.name, 'index.html'))) || (await isFile(join(dir, e.name, 'index.json'))))) out.push(e.name);
  }
  return out.sort();
}

/** The project a distribution file belongs to, or undefined for anything that is not one. */
export function projectOfFile(filename: string): string | undefined {
  try {
    const kind = fileKind(filename);
    if (kind === 'wheel') return parseWheelFilename(filename).canonicalName;
    if (kind === 'sdist') return parseSdistFilename(filename).canonicalName;
  } catch {
    return undefined;
  }
  return undefined;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A flat folder: files grouped by project, read once and kept (the folder is assumed not to change under us). */
export class FlatDirectory {
  private listing: Promise<Map<string, string[]>> | undefined;

  constructor(private readonly dir: string) {}

  private scan(): Promise<Map<string, string[]>> {
    this.listing ??= (async () => {
      const byProject = new Map<string, string[]>();
      for (const e of await readdir(this.dir, { withFileTypes: true })) {
        if (!e.isFile()) continue;
        const project = projectOfFile(e.name);
        if (project === undefined) continue;
        const list = byProject.get(project) ?? [];
        list.push(e.name);
        byProject.set(project, list);
      }
      return byProject;
    })();
    return this.listing;
  }

  async listProjects(): Promise<string[]> {
    return [...(await this.scan()).keys()].sort();
  }

  /**
   * A find-links folder carries no hashes, Requires-Python or yank marks;
   * hashes are computed (they key the metadata cache and let locks pin
   * files), and a `<file>.metadata` sibling is offered as PEP 658 metadata.
   */
  async getProject(name: string): Promise<ProjectPage> {
    const canonical = canonicalizeName(name);
    const names = ((await this.scan()).get(canonical) ?? []).slice().sort();
    const files = await Promise.all(
      names.map(async (filename): Promise<IndexFile> => {
        const path = join(this.dir, filename);
        const [st, sha256] = await Promise.all([stat(path), sha256File(path)]);
        const metadataPath = `${path}.metadata`;
        const coreMetadata: IndexFile['coreMetadata'] = (await isFile(metadataPath)) ? { sha256: await sha256File(metadataPath) } : false;
        return {
          filename,
          url: pathToFileURL(path).href,
          hashes: { sha256 },
          requiresPython: undefined,
          yanked: false,
          coreMetadata,
          size: st.size,
          kind: fileKind(filename),
        };
      }),
    );
    return { name: canonical, files, meta: { apiVersion: '1.0' } };
  }
}
