/**
 * Source distributions for build-closure tests, made in TypeScript: a
 * `.tar.gz` with one top-level `{name}-{version}/` directory holding
 * PKG-INFO (Metadata-Version 2.2, nothing dynamic, so the lock trusts it —
 * PEP 643), a setuptools `setup.py`, one module and, optionally, a
 * `pyproject.toml`. Pure Python: any setuptools builds it with any CPython.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTar } from './make-archive.js';

export interface SdistSpec {
  name: string;
  version: string;
  /** Module name (default: the name with "-"/"." → "_", lowercased). */
  module?: string;
  requires?: string[];
  /** The pyproject.toml text; omitted: a setup.py-only (legacy) sdist. */
  pyproject?: string;
  /** Extra source in the module. */
  body?: string;
  /** Replaces the generated setup.py (e.g. one that fails). */
  setupPy?: string;
}

export interface MadeFile {
  filename: string;
  sha256: string;
  size: number;
}

/** Writes `{dist}-{version}.tar.gz` into `dir`. */
export async function makeSdist(dir: string, spec: SdistSpec): Promise<MadeFile> {
  const dist = spec.name.replace(/[-_.]+/g, '_').toLowerCase();
  const module = spec.module ?? dist;
  const base = `${dist}-${spec.version}`;
  const requires = spec.requires ?? [];
  const pkgInfo = ['Metadata-Version: 2.2', `Name: ${spec.name}`, `Version: ${spec.version}`, ...requires.map((r) => `Requires-Dist: ${r}`)].join('\n') + '\n\n';
  const setup = spec.setupPy ?? [
    'from setuptools import setup',
    `setup(name=${JSON.stringify(spec.name)}, version=${JSON.stringify(spec.version)}, py_modules=[${JSON.stringify(module)}], install_requires=${JSON.stringify(requires)})`,
    '',
  ].join('\n');
  const members = [
    { name: `${base}/PKG-INFO`, data: pkgInfo },
    { name: `${base}/setup.py`, data: setup },
    { name: `${base}/${module}.py`, data: `VALUE = ${JSON.stringify(`${spec.name} ${spec.version} built from its sdist`)}\n${spec.body ?? ''}` },
    ...(spec.pyproject !== undefined ? [{ name: `${base}/pyproject.toml`, data: spec.pyproject }] : []),
  ];
  const bytes = await makeTar(members);
  const filename = `${base}.tar.gz`;
  writeFileSync(join(dir, filename), bytes);
  return { filename, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
}
