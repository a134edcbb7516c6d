/**
 * Loads `pyindex.yaml`: schema check (schemas/config.schema.json), then what
 * a schema cannot say — requirement strings are PEP 508, profile names
 * exist, requirements files exist and parse, `exclude-newer` is a real
 * instant — each error naming file:line and the key path. The result is a
 * fully resolved `Config` (types.ts) with a digest of its meaning.
 */
import { dirname, resolve } from 'node:path';
import { PyindexError, isPyindexError } from '../errors/index.js';
import { parseRequirement, type Requirement } from '../pep/requirement.js';
import { loadBuiltinProfiles } from '../profile/builtins.js';
import { closestNames, resolveProfile, type ProfileContext } from '../profile/resolve.js';
import type { Profile } from '../profile/types.js';
import { schemaError, schemaValidator, formatKeyPath } from '../util/schema-error.js';
import { readLocatedYaml, subSource, where, type SpecSource } from '../util/yaml-source.js';
import { configDigest } from './digest.js';
import { readIndexes, type RawIndexKeys } from './indexes.js';
import { readOptions, type RawOptions } from './options.js';
import { readRequirementsFile } from './requirements-file.js';
import { configSchemaError } from './schema-errors.js';
import type { Config, JobConfig } from './types.js';

export { profileDigest } from './digest.js';

/** The config as the schema admits it. */
interface RawConfig extends RawIndexKeys {
  profiles?: Record<string, Record<string, unknown>>;
  jobs: Record<string, RawJob>;
  options?: RawOptions;
}

interface RawJob {
  requires?: string[];
  'requires-file'?: string;
  profiles: string[];
}

export { CONFIG_FILENAMES, findConfig } from './find.js';

/** A requirement string of `requires:`; a PEP 508 error is re-thrown with file:line and key path. */
function parseInlineRequirement(text: string, source: SpecSource, path: (string | number)[]): Requirement {
  if (text.trimStart().startsWith('-')) {
    throw schemaError('E_CONFIG_INVALID', source, path, `${JSON.stringify(text)} is a pip option, not a requirement`, 'Put pip-style lines (-r, -c) in a requirements file and name it with requires-file:.');
  }
  try {
    return parseRequirement(text);
  } catch (err) {
    if (!isPyindexError(err)) throw err;
    // The parser's message may go on with the text and a caret line; the key path belongs on the first line.
    const [first = '', ...rest] = err.message.split('\n');
    const e = schemaError(err.code, source, path, first, err.hint ?? '', { ...err.details });
    throw new PyindexError(e.code, [e.message, ...rest].join('\n'), { hint: e.hint, cause: err, details: e.details });
  }
}

function loadJob(name: string, raw: RawJob, source: SpecSource, dir: string, known: (n: string) => boolean, knownNames: () => string[]): JobConfig {
  const job: JobConfig = { name, requirements: [], requirementTexts: [], constraints: [], constraintTexts: [], profiles: [] };
  raw.profiles.forEach((profile, i) => {
    if (!known(profile)) {
      const close = closestNames(profile, knownNames());
      throw schemaError('E_UNKNOWN_PROFILE', source, ['jobs', name, 'profiles', i], `job ${JSON.stringify(name)}: no profile named ${JSON.stringify(profile)}`, `${close.length ? `Did you mean ${close.map((c) => JSON.stringify(c)).join(', ')}? ` : ''}A job can use the profiles defined under "profiles:" and the built-ins ("pyindex profile list").`, { profile, suggestions: close });
    }
    job.profiles.push(profile);
  });
  (raw.requires ?? []).forEach((text, i) => {
    job.requirements.push(parseInlineRequirement(text, source, ['jobs', name, 'requires', i]));
    job.requirementTexts.push(text);
  });
  const fileKey = raw['requires-file'];
  if (fileKey !== undefined) {
    const keyPath = ['jobs', name, 'requires-file'];
    const read = readRequirementsFile(resolve(dir, fileKey), { where: where(source, keyPath), path: formatKeyPath(keyPath) });
    for (const r of read.requirements) {
      job.requirements.push(r.requirement);
      job.requirementTexts.push(r.text);
    }
    for (const c of read.constraints) {
      job.constraints.push(c.requirement);
      job.constraintTexts.push(c.text);
    }
  }
  if (job.requirements.length === 0) {
    const at = fileKey !== undefined ? ['jobs', name, 'requires-file'] : ['jobs', name, 'requires'];
    throw schemaError('E_CONFIG_INVALID', source, at, `job ${JSON.stringify(name)} requires nothing`, 'List at least one requirement (constraints alone install nothing).');
  }
  return job;
}

/**
 * Every inline profile, resolved (so a broken one is reported even if no job
 * uses it yet). Errors come from the profile module, with file:line.
 */
function resolveInlineProfiles(raw: RawConfig, context: ProfileContext): Map<string, Profile> {
  const inline = new Map<string, Profile>();
  for (const name of Object.keys(raw.profiles ?? {})) inline.set(name, resolveProfile(name, undefined, context));
  return inline;
}

/** The profiles jobs use, in first-use order: inline ones, else built-ins. */
function usedProfiles(inline: ReadonlyMap<string, Profile>, context: ProfileContext, jobs: Iterable<JobConfig>): Map<string, Profile> {
  const used = new Map<string, Profile>();
  for (const job of jobs) {
    for (const name of job.profiles) {
      if (!used.has(name)) used.set(name, inline.get(name) ?? resolveProfile(name, undefined, context));
    }
  }
  return used;
}

/** Reads, validates and resolves a config file. */
export function loadConfig(file: string): Config {
  const abs = resolve(file);
  const dir = dirname(abs);
  const { value, source } = readLocatedYaml(abs, 'E_CONFIG_INVALID');
  if (value === null || value === undefined) {
    throw new PyindexError('E_CONFIG_INVALID', `${abs}: the config is empty`, {
      hint: 'Give at least "index:" and "jobs:", e.g. index: http://pypi.internal/simple/ and jobs: { ci: { requires: ["pkg"], profiles: [linux-x86_64-py3.11] } }.',
      details: { file: abs },
    });
  }
  const validate = schemaValidator('config.schema.json');
  if (!validate(value)) throw configSchemaError(validate.errors ?? [], value, source);
  const raw = value as RawConfig;

  const { indexes, packages, digest } = readIndexes(raw, dir, source);
  const { options, buildPython } = readOptions(raw.options, dir, subSource(source, 'options'));

  const context: ProfileContext = { builtins: loadBuiltinProfiles(), inline: raw.profiles, inlineSource: subSource(source, 'profiles') };
  const inline = resolveInlineProfiles(raw, context);
  const known = (n: string): boolean => inline.has(n) || context.builtins.has(n);
  const knownNames = (): string[] => [...inline.keys(), ...context.builtins.keys()];
  const jobs = new Map<string, JobConfig>();
  for (const [name, job] of Object.entries(raw.jobs)) jobs.set(name, loadJob(name, job, source, dir, known, knownNames));
  const profiles = usedProfiles(inline, context, jobs.values());

  return {
    file: abs,
    dir,
    index: indexes[0]!.url,
    indexes,
    packages,
    profiles,
    jobs,
    options,
    buildPython,
    digest: configDigest({ index: digest.index, ...(digest.extra ? { indexes: digest.extra } : {}), jobs, profiles, options }),
  };
}
