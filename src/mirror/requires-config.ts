/**
 * `pyindex mirror --requires SPEC… --profile P…`: a config made in memory
 * (no pyindex.yaml) — one job of the given requirements, locked against the
 * upstream index for the given built-in profiles by the lock machinery
 * itself, so what is mirrored is exactly what `pyindex lock` would pin.
 */
import { dirname, join } from 'node:path';
import { configDigest } from '../config/digest.js';
import type { Config, JobConfig } from '../config/types.js';
import { PyindexError } from '../errors/index.js';
import { parseRequirement } from '../pep/requirement.js';
import { loadBuiltinProfiles } from '../profile/builtins.js';
import { resolveProfile } from '../profile/resolve.js';
import type { Profile } from '../profile/types.js';
import { DEFAULT_OPTIONS } from '../resolve/options.js';

export const REQUIRES_JOB = 'mirror';

export function requiresConfig(from: string, specs: readonly string[], profileNames: readonly string[], cwd: string): Config {
  if (profileNames.length === 0) {
    throw new PyindexError('E_USAGE', '--requires needs at least one --profile to resolve for', {
      hint: 'Name the target profiles, e.g. --profile linux-x86_64-py3.11 ("pyindex profile list" shows them).',
    });
  }
  const context = { builtins: loadBuiltinProfiles() };
  const profiles = new Map<string, Profile>(profileNames.map((name) => [name, resolveProfile(name, undefined, context)]));
  const job: JobConfig = {
    name: REQUIRES_JOB,
    requirements: specs.map((s) => parseRequirement(s)),
    requirementTexts: [...specs],
    constraints: [],
    constraintTexts: [],
    profiles: [...profiles.keys()],
  };
  const jobs = new Map([[REQUIRES_JOB, job]]);
  const file = join(cwd, '(--requires)');
  return {
    file,
    dir: dirname(file),
    index: from,
    indexes: [{ name: undefined, url: from, mirrors: [], explicit: false }],
    packages: new Map(),
    profiles,
    jobs,
    options: DEFAULT_OPTIONS,
    buildPython: undefined,
    digest: configDigest({ index: from, jobs, profiles, options: DEFAULT_OPTIONS }),
  };
}
