/**
 * Fixtures for wheelhouse tests and the fetch benchmark: a PEP 503 + PEP 691
 * (api-version 1.1, with sizes) simple index of real wheels carrying a random,
 * incompressible payload of a chosen size, and a config locked against it
 * in-process (the real `lock`, so the lockfile is what users get).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { writeZip, type ZipEntry } from '../../src/archive/zip-writer.js';
import { loadConfig } from '../../src/config/load.js';
import { lock } from '../../src/lock/lock.js';
import type { Lockfile } from '../../src/lock/types.js';
import { writeLockfile } from '../../src/lock/write.js';
import { canonicalizeName } from '../../src/pep/names.js';

export interface PayloadWheelSpec {
  name: string;
  version: string;
  /** Bytes of random data inside the wheel (stored, so the file grows by about as much). */
  payload?: number;
  requires?: string[];
}

export interface BuiltFile {
  filename: string;
  project: string;
  version: string;
  sha256: string;
  size: number;
  /** Path inside the index root, e.g. `files/a-1.0-py3-none-any.whl`. */
  path: string;
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A wheel (PEP 427) with METADATA, WHEEL, RECORD, a module and `<dist>/payload.bin`. */
export function payloadWheel(spec: PayloadWheelSpec): { filename: string; data: Buffer; metadata: string } {
  const dist = spec.name.replace(/[-.]+/g, '_').toLowerCase();
  const info = `${dist}-${spec.version}.dist-info`;
  const metadata = ['Metadata-Version: 2.1', `Name: ${spec.name}`, `Version: ${spec.version}`, ...(spec.requires ?? []).map((r) => `Requires-Dist: ${r}`)].join('\n') + '\n\n';
  const entries: ZipEntry[] = [
    { name: `${dist}/__init__.py`, data: Buffer.from(`__version__ = "${spec.version}"\n`) },
    { name: `${dist}/payload.bin`, data: randomBytes(spec.payload ?? 64) },
    { name: `${info}/METADATA`, data: Buffer.from(metadata) },
    { name: `${info}/WHEEL`, data: Buffer.from('Wheel-Version: 1.0\nGenerator: pyindex-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n') },
  ];
  const record = entries.map((e) => `${e.name},sha256=${createHash('sha256').update(e.data).digest('base64url')},${e.data.length}`);
  entries.push({ name: `${info}/RECORD`, data: Buffer.from(`${[...record, `${info}/RECORD,,`].join('\n')}\n`) });
  return { filename: `${dist}-${spec.version}-py3-none-any.whl`, data: writeZip(entries), metadata };
}

/**
 * Writes `root/simple/<project>/index.{html,json}` (PEP 503 / PEP 691 with
 * PEP 658 metadata and PEP 700 sizes) and `root/files/<wheel>` (+ `.metadata`).
 * Serve it with `startStaticServer(root, { negotiate: true })`; the index URL
 * is `${server.url}/simple/`.
 */
export function writePayloadIndex(root: string, specs: PayloadWheelSpec[]): BuiltFile[] {
  mkdirSync(join(root, 'files'), { recursive: true });
  const byProject = new Map<string, BuiltFile[]>();
  const built: BuiltFile[] = [];
  const metadataHashes = new Map<string, string>();
  for (const spec of specs) {
    const wheel = payloadWheel(spec);
    writeFileSync(join(root, 'files', wheel.filename), wheel.data);
    writeFileSync(join(root, 'files', `${wheel.filename}.metadata`), wheel.metadata);
    metadataHashes.set(wheel.filename, sha256(wheel.metadata));
    const project = canonicalizeName(spec.name);
    const file: BuiltFile = { filename: wheel.filename, project, version: spec.version, sha256: sha256(wheel.data), size: wheel.data.length, path: `files/${wheel.filename}` };
    built.push(file);
    byProject.set(project, [...(byProject.get(project) ?? []), file]);
  }
  const projects = [...byProject.keys()].sort();
  mkdirSync(join(root, 'simple'), { recursive: true });
  writeFileSync(join(root, 'simple', 'index.html'), `<!DOCTYPE html><html><body>\n${projects.map((p) => `<a href="${p}/">${p}</a>`).join('\n')}\n</body></html>\n`);
  writeFileSync(join(root, 'simple', 'index.json'), JSON.stringify({ meta: { 'api-version': '1.1' }, projects: projects.map((name) => ({ name })) }));
  for (const [project, files] of byProject) {
    const dir = join(root, 'simple', project);
    mkdirSync(dir, { recursive: true });
    const links = files.map((f) => `<a href="../../${f.path}#sha256=${f.sha256}" data-core-metadata="sha256=${metadataHashes.get(f.filename)}">${f.filename}</a>`);
    writeFileSync(join(dir, 'index.html'), `<!DOCTYPE html><html><body>\n${links.join('<br/>\n')}\n</body></html>\n`);
    const page = {
      meta: { 'api-version': '1.1' },
      name: project,
      versions: [...new Set(files.map((f) => f.version))],
      files: files.map((f) => ({ filename: f.filename, url: `../../${f.path}`, hashes: { sha256: f.sha256 }, size: f.size, 'core-metadata': { sha256: metadataHashes.get(f.filename) } })),
    };
    writeFileSync(join(dir, 'index.json'), JSON.stringify(page));
  }
  return built;
}

/** `pyindex.yaml` with one profile (linux, CPython 3.11) and the given jobs. */
export function fetchConfig(index: string, jobs: Record<string, string[]>): string {
  const lines = [`index: ${index}`, 'profiles:', '  linux: { platform: linux-x86_64, python: "3.11" }', 'jobs:'];
  for (const [name, requires] of Object.entries(jobs)) lines.push(`  ${name}:`, `    requires: ${JSON.stringify(requires)}`, '    profiles: [linux]');
  return `${lines.join('\n')}\n`;
}

/** Writes the config into `dir`, locks it against its index and writes `pyindex.lock.yaml` beside it. */
export async function lockFetchProject(dir: string, index: string, jobs: Record<string, string[]>, cacheDir: string): Promise<Lockfile> {
  writeFileSync(join(dir, 'pyindex.yaml'), fetchConfig(index, jobs));
  const config = loadConfig(join(dir, 'pyindex.yaml'));
  const { lockfile } = await lock({ config, cacheDir });
  await writeLockfile(join(dir, 'pyindex.lock.yaml'), lockfile);
  return lockfile;
}

/** The index the transport tests (HTTPS, proxies) lock and fetch: alpha 1.0, a ~300 kB wheel that requires beta 2.0. */
export function twoWheelIndex(root: string): BuiltFile[] {
  return writePayloadIndex(root, [
    { name: 'alpha', version: '1.0', payload: 300_000, requires: ['beta'] },
    { name: 'beta', version: '2.0', payload: 20_000 },
  ]);
}

/** The wheels in a wheelhouse, sorted ([] when it does not exist). */
export function wheelsIn(wheelhouse: string): string[] {
  return existsSync(wheelhouse) ? readdirSync(wheelhouse).filter((n) => n.endsWith('.whl')).sort() : [];
}

/** Every built wheel is in `wheelhouse`, whole (its sha256), and nothing else is. */
export function assertWheelsWhole(t: Test, wheelhouse: string, built: BuiltFile[]): void {
  t.same(wheelsIn(wheelhouse), built.map((f) => f.filename).sort(), 'both wheels fetched');
  for (const f of built) t.equal(sha256(readFileSync(join(wheelhouse, f.filename))), f.sha256, `${f.filename} whole`);
}
