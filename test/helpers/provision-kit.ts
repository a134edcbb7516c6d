/**
 * A small project for provision tests: universal wheels in `wheels/` (a flat
 * find-links folder, also used as the config's index), a pyindex.yaml with
 * jobs, and its lockfile made by the real resolver (library call, no index
 * server). The wheelhouse is `wheels/` itself unless a test copies it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { lock } from '../../src/lock/lock.js';
import { writeLockfile } from '../../src/lock/write.js';
import { pyenvPythons } from './python.js';
import { makeUniversalWheels, type UniversalWheelSpec } from './universal-wheels.js';

export interface KitJob {
  requires: string[];
  profiles: string[];
}

export interface Kit {
  dir: string;
  config: string;
  lockFile: string;
  wheelhouse: string;
  cache: string;
}

export function writeConfig(dir: string, jobs: Record<string, KitJob>, index = './wheels'): string {
  const lines = [`index: ${index}`, 'jobs:'];
  for (const [name, job] of Object.entries(jobs)) lines.push(`  ${name}:`, `    requires: ${JSON.stringify(job.requires)}`, `    profiles: ${JSON.stringify(job.profiles)}`);
  const file = join(dir, 'pyindex.yaml');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** (Re)locks the config in `dir`. */
export async function relock(kit: Kit): Promise<void> {
  const config = loadConfig(kit.config);
  const result = await lock({ config, cacheDir: kit.cache });
  await writeLockfile(kit.lockFile, result.lockfile);
}

export async function makeKit(dir: string, wheels: UniversalWheelSpec[], jobs: Record<string, KitJob>): Promise<Kit> {
  const wheelhouse = join(dir, 'wheels');
  mkdirSync(wheelhouse, { recursive: true });
  makeUniversalWheels(wheelhouse, wheels);
  const kit: Kit = { dir, config: writeConfig(dir, jobs), lockFile: join(dir, 'pyindex.lock.yaml'), wheelhouse, cache: join(dir, 'cache') };
  await relock(kit);
  return kit;
}

/** pyenv's interpreter for feature version X.Y (e.g. "3.11"), if installed. */
export function pyenvPython(feature: string): string | undefined {
  return pyenvPythons().find((p) => p.version === feature || p.version.startsWith(`${feature}.`))?.path;
}

export const BASIC_WHEELS: UniversalWheelSpec[] = [
  { name: 'alpha', version: '1.0', requires: ['beta>=2'] },
  { name: 'beta', version: '2.0' },
  { name: 'Gamma.Pkg', version: '0.3', module: 'gamma_pkg' },
  { name: 'delta', version: '1.5' },
];
