/**
 * Built-in profiles: `profiles/<platform>-py<python>.yaml` in the package
 * (e.g. `linux-x86_64-py3.11`, `windows-amd64-py2.7`). Each file holds the
 * parameters and marker values; tags are computed when a profile is resolved.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PyindexError } from '../errors/index.js';
import { packageRoot } from '../util/package-root.js';
import type { BuiltinProfile } from './types.js';
import { validateProfileSpec } from './validate.js';
import { readLocatedYaml } from '../util/yaml-source.js';

export function builtinProfilesDir(): string {
  return join(packageRoot(), 'profiles');
}

/** The built-in profile name for a platform and Python: `linux-x86_64-py3.11`. */
export function builtinProfileName(platform: string, python: string): string {
  return `${platform}-py${python}`;
}

const cache = new Map<string, ReadonlyMap<string, BuiltinProfile>>();

/**
 * The built-ins of one directory, read and validated on first use of each:
 * a command that needs two profiles should not parse all 56 files.
 */
class LazyBuiltins implements ReadonlyMap<string, BuiltinProfile> {
  private readonly loaded = new Map<string, BuiltinProfile>();

  constructor(
    private readonly dir: string,
    private readonly names: readonly string[],
  ) {}

  get size(): number {
    return this.names.length;
  }

  has(name: string): boolean {
    return this.names.includes(name);
  }

  get(name: string): BuiltinProfile | undefined {
    if (!this.has(name)) return undefined;
    let p = this.loaded.get(name);
    if (!p) {
      const file = join(this.dir, `${name}.yaml`);
      const { value, source } = readLocatedYaml(file);
      const spec = validateProfileSpec(name, value, source, 'builtin') as BuiltinProfile['spec'];
      p = { name, spec, source };
      this.loaded.set(name, p);
    }
    return p;
  }

  *keys(): MapIterator<string> {
    yield* this.names;
  }

  *values(): MapIterator<BuiltinProfile> {
    for (const n of this.names) yield this.get(n)!;
  }

  *entries(): MapIterator<[string, BuiltinProfile]> {
    for (const n of this.names) yield [n, this.get(n)!];
  }

  [Symbol.iterator](): MapIterator<[string, BuiltinProfile]> {
    return this.entries();
  }

  forEach(fn: (value: BuiltinProfile, key: string, map: ReadonlyMap<string, BuiltinProfile>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }
}

/**
 * The built-in profiles of `dir` (default: the package's `profiles/`), each
 * read and validated when first asked for. A bad file throws
 * `E_PROFILE_INVALID` with file:line when it is read.
 */
export function loadBuiltinProfiles(dir: string = builtinProfilesDir()): ReadonlyMap<string, BuiltinProfile> {
  const cached = cache.get(dir);
  if (cached) return cached;
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  } catch (err) {
    throw new PyindexError('E_INTERNAL', `cannot read the built-in profiles directory ${dir}`, { cause: err });
  }
  const out = new LazyBuiltins(dir, files.map((f) => basename(f, '.yaml')));
  cache.set(dir, out);
  return out;
}
