/**
 * Real build tools for tests that build sdists: setuptools and wheel wheels
 * already on this machine (no network), and a PEP 503 simple tree to serve
 * them with generated sdists and wheels from a loopback server.
 *
 * Where the wheels come from: CPython's own test data (3.12+ ship
 * `test/wheeldata/setuptools-*.whl` and `wheel-*.whl`), ensurepip's bundle
 * (setuptools only, up to 3.11) and Debian's /usr/share/python-wheels.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseSdistFilename } from '../../src/pep/sdist-filename.js';
import { Version } from '../../src/pep/version.js';
import { isWheelFilename, parseWheelFilename } from '../../src/pep/wheel-filename.js';
import { pyenvRoot } from './python.js';

export interface BuildToolWheels {
  setuptools: string;
  wheel: string;
}

function candidateDirs(): string[] {
  const dirs = ['/usr/share/python-wheels'];
  const root = pyenvRoot();
  if (root && existsSync(join(root, 'versions'))) {
    for (const v of readdirSync(join(root, 'versions'))) {
      const lib = join(root, 'versions', v, 'lib');
      if (!existsSync(lib)) continue;
      for (const py of readdirSync(lib).filter((n) => n.startsWith('python'))) {
        dirs.push(join(lib, py, 'test', 'wheeldata'), join(lib, py, 'test'), join(lib, py, 'ensurepip', '_bundled'));
      }
    }
  }
  return dirs.filter((d) => existsSync(d));
}

/** The newest py3 wheel of `project` found locally, at least `min`. */
function newest(project: string, min: string): string | undefined {
  let best: { path: string; version: Version } | undefined;
  for (const dir of candidateDirs()) {
    for (const name of readdirSync(dir)) {
      if (!name.startsWith(`${project}-`) || !isWheelFilename(name)) continue;
      const w = parseWheelFilename(name);
      if (w.canonicalName !== project || !w.tags.some((t) => t.startsWith('py3-none-any'))) continue;
      if (w.version.compare(Version.parse(min)) < 0) continue;
      if (!best || w.version.compare(best.version) > 0) best = { path: join(dir, name), version: w.version };
    }
  }
  return best?.path;
}

/** setuptools (≥ 61, for pyproject-based builds too) and wheel wheels from this machine, or why there are none. */
export function findBuildToolWheels(): BuildToolWheels | { missing: string } {
  const setuptools = newest('setuptools', '61');
  const wheel = newest('wheel', '0.37');
  if (!setuptools || !wheel) {
    return { missing: `no local ${[setuptools ? '' : 'setuptools>=61', wheel ? '' : 'wheel>=0.37'].filter(Boolean).join(' and ')} wheel (looked in ${candidateDirs().join(', ') || 'no candidate directories'})` };
  }
  return { setuptools, wheel };
}

export interface TreeFile {
  filename: string;
  sha256: string;
  size: number;
}

function projectOf(filename: string): string {
  return isWheelFilename(filename) ? parseWheelFilename(filename).canonicalName : parseSdistFilename(filename).canonicalName;
}

/**
 * Writes `root/simple/<project>/index.html` (PEP 503, `#sha256=` fragments)
 * and `root/files/<filename>` for each file in `sources` (paths). Serve it
 * with `startStaticServer(root)`; the index URL is `${server.url}/simple/`.
 */
export function writeSimpleTree(root: string, sources: string[]): TreeFile[] {
  mkdirSync(join(root, 'files'), { recursive: true });
  const byProject = new Map<string, TreeFile[]>();
  const out: TreeFile[] = [];
  for (const source of sources) {
    const filename = basename(source);
    const target = join(root, 'files', filename);
    if (source !== target) copyFileSync(source, target);
    const bytes = readFileSync(target);
    const file = { filename, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
    out.push(file);
    const project = projectOf(filename);
    byProject.set(project, [...(byProject.get(project) ?? []), file]);
  }
  const projects = [...byProject.keys()].sort();
  mkdirSync(join(root, 'simple'), { recursive: true });
  writeFileSync(join(root, 'simple', 'index.html'), `<!DOCTYPE html><html><body>\n${projects.map((p) => `<a href="${p}/">${p}</a>`).join('\n')}\n</body></html>\n`);
  for (const [project, files] of byProject) {
    mkdirSync(join(root, 'simple', project), { recursive: true });
    const links = files.map((f) => `<a href="../../files/${f.filename}#sha256=${f.sha256}">${f.filename}</a>`);
    writeFileSync(join(root, 'simple', project, 'index.html'), `<!DOCTYPE html><html><body>\n${links.join('<br/>\n')}\n</body></html>\n`);
  }
  return out;
}
