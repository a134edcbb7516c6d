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
 * Reads and validates every `*.yaml` in `dir` (default: the package's
 * `profiles/`). Throws `E_PROFILE_INVALID` with file:line on the first bad file.
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
  const out = new Map<string, BuiltinProfile>();
  for (const f of files) {
    const name = basename(f, '.yaml');
    const file = join(dir, f);
    const { value, source } = readLocatedYaml(file);
    const spec = validateProfileSpec(name, value, source, 'builtin') as BuiltinProfile['spec'];
    out.set(name, { name, spec, source });
  }
  cache.set(dir, out);
  return out;
}
