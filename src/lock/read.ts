/**
 * Reads `pyindex.lock.yaml`: YAML with positions, the JSON Schema
 * (schemas/lock.schema.json), then the cross-reference checks a schema
 * cannot express but a hand edit or a bad merge can break. Every failure is
 * `E_LOCK_INVALID` naming file:line and the key path.
 */
import { readFileSync } from 'node:fs';
import type { ErrorObject } from 'ajv';
import { isPyindexError, PyindexError } from '../errors/index.js';
import { canonicalizeName } from '../pep/names.js';
import { Version } from '../pep/version.js';
import { describeValue, pointerToPath, schemaError, schemaValidator, typeWord, valueAt, type KeyPath } from '../util/schema-error.js';
import { parseLocatedYaml, type SpecSource } from '../util/yaml-source.js';
import { LOCK_VERSION, type LockedJob, type LockedPackage, type LockedProfile, type LockedRequirement, type Lockfile } from './types.js';

const REGENERATE = 'Regenerate it with `pyindex lock` (the lockfile is written by pyindex, not by hand).';

/** The file's shape after the schema (kebab-case keys). */
interface RawFile {
  filename: string;
  sha256: string;
  size: number;
  url: string;
  profiles: string[];
  build?: Record<string, { name: string; version: string; file: string }[]>;
}
interface RawRequirement {
  name: string;
  version: string;
  file: string;
  extras: string[];
  'required-by': string[];
}
interface RawLock {
  version: number;
  'config-digest': string;
  index: string;
  profiles: Record<string, LockedProfile>;
  packages: { name: string; version: string; index?: string; files: RawFile[] }[];
  jobs: Record<string, { requires: string[]; constraints: string[]; profiles: Record<string, RawRequirement[]> }>;
}

function invalid(source: SpecSource, path: KeyPath, text: string, hint = REGENERATE): PyindexError {
  return schemaError('E_LOCK_INVALID', source, path, text, hint);
}

function describeSchemaError(err: ErrorObject, value: unknown): { path: (string | number)[]; text: string } {
  const path = pointerToPath(err.instancePath, value);
  const got = valueAt(value, path);
  const last = path[path.length - 1];
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((err.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return { path: [...path, key], text: `unknown key ${JSON.stringify(key)}${allowed.length ? ` (expected one of: ${allowed.join(', ')})` : ''}` };
    }
    case 'required':
      return { path, text: `missing key ${JSON.stringify(String(params.missingProperty))}` };
    case 'type':
      return { path, text: `must be ${typeWord(String(params.type))}, got ${describeValue(got)}` };
    case 'pattern':
      if (last === 'sha256') return { path, text: `sha256 ${JSON.stringify(got)} is not 64 lowercase hex characters` };
      if (last === 'name') return { path, text: `${JSON.stringify(got)} is not a PEP 503 normalized project name` };
      if (last === 'filename') return { path, text: `filename ${JSON.stringify(got)} must not contain a path separator` };
      return { path, text: `${JSON.stringify(got)} is not of the form "<dependent>: <requirement>"` };
    case 'minimum':
      return { path, text: `must be ≥ ${String(params.limit)}, got ${describeValue(got)}` };
    case 'minLength':
      return { path, text: 'must not be empty' };
    case 'minItems':
      return { path, text: 'must not be an empty list' };
    case 'uniqueItems':
      return { path, text: `lists ${JSON.stringify((got as unknown[])[Number(params.j)])} twice` };
    default:
      return { path, text: err.message ?? 'is invalid' };
  }
}

/** Ajv reports errors in schema order; report the one nearest the top of the file, the deepest on a line. */
function pickSchemaError(errors: readonly ErrorObject[], value: unknown, source: SpecSource): { path: (string | number)[]; text: string } | undefined {
  const described = errors.map((e) => describeSchemaError(e, value));
  const line = (p: KeyPath): number => source.lineOf(p) ?? Number.MAX_SAFE_INTEGER;
  return described.sort((a, b) => line(a.path) - line(b.path) || b.path.length - a.path.length)[0];
}

function checkVersion(value: unknown, source: SpecSource): void {
  if (value === null || value === undefined) throw invalid(source, [], 'the lockfile is empty');
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(source, [], `must be a mapping, got ${describeValue(value)}`);
  }
  const version = (value as { version?: unknown }).version;
  if (version === LOCK_VERSION) return;
  if (version === undefined) throw invalid(source, [], 'missing key "version"');
  const newer = typeof version === 'number' && version > LOCK_VERSION;
  throw invalid(
    source,
    ['version'],
    `lockfile version ${JSON.stringify(version)} is not supported (this pyindex reads version ${LOCK_VERSION})`,
    newer ? 'The lockfile was written by a newer pyindex: upgrade pyindex, or regenerate it with `pyindex lock`.' : REGENERATE,
  );
}

function toLockfile(raw: RawLock): Lockfile {
  const jobs: Record<string, LockedJob> = {};
  for (const [name, j] of Object.entries(raw.jobs)) {
    const profiles: Record<string, LockedRequirement[]> = {};
    for (const [p, reqs] of Object.entries(j.profiles)) {
      profiles[p] = reqs.map((r) => ({ name: r.name, version: r.version, file: r.file, extras: [...r.extras], requiredBy: [...r['required-by']] }));
    }
    jobs[name] = { requires: [...j.requires], constraints: [...j.constraints], profiles };
  }
  const profiles: Record<string, LockedProfile> = {};
  for (const [name, p] of Object.entries(raw.profiles)) profiles[name] = { platform: p.platform, python: p.python, digest: p.digest };
  const packages: LockedPackage[] = raw.packages.map((p) => ({
    name: p.name,
    version: p.version,
    ...(p.index !== undefined ? { index: p.index } : {}),
    files: p.files.map((f) => ({
      filename: f.filename,
      sha256: f.sha256,
      size: f.size,
      url: f.url,
      profiles: [...f.profiles],
      ...(f.build ? { build: Object.fromEntries(Object.entries(f.build).map(([p, reqs]) => [p, reqs.map((r) => ({ name: r.name, version: r.version, file: r.file }))])) } : {}),
    })),
  }));
  return { version: LOCK_VERSION, configDigest: raw['config-digest'], index: raw.index, profiles, packages, jobs };
}

/** Names and versions must be in normal form: every lookup compares them as strings. */
function checkNormalForms(raw: RawLock, source: SpecSource): void {
  raw.packages.forEach((p, i) => {
    if (canonicalizeName(p.name) !== p.name) throw invalid(source, ['packages', i, 'name'], `${JSON.stringify(p.name)} is not a PEP 503 normalized name (${canonicalizeName(p.name)})`);
    let normal: string;
    try {
      normal = Version.parse(p.version).toString();
    } catch {
      throw invalid(source, ['packages', i, 'version'], `${JSON.stringify(p.version)} is not a valid PEP 440 version`);
    }
    if (normal !== p.version) throw invalid(source, ['packages', i, 'version'], `version ${JSON.stringify(p.version)} is not in PEP 440 normal form (${normal})`);
  });
}

function checkPackages(raw: RawLock, source: SpecSource): Map<string, { index: number; files: Map<string, RawFile> }> {
  const packages = new Map<string, { index: number; files: Map<string, RawFile> }>();
  const fileOwner = new Map<string, string>();
  raw.packages.forEach((p, i) => {
    const key = `${p.name} ${p.version}`;
    const first = packages.get(key);
    if (first) throw invalid(source, ['packages', i], `duplicate package entry ${p.name} ${p.version} (also packages[${first.index}], line ${source.lineOf(['packages', first.index]) ?? '?'})`);
    const files = new Map<string, RawFile>();
    p.files.forEach((f, k) => {
      const owner = fileOwner.get(f.filename);
      if (owner) throw invalid(source, ['packages', i, 'files', k, 'filename'], `file ${f.filename} is listed twice (also under ${owner})`);
      fileOwner.set(f.filename, key);
      files.set(f.filename, f);
      f.profiles.forEach((prof, n) => {
        if (!Object.hasOwn(raw.profiles, prof)) {
          throw invalid(source, ['packages', i, 'files', k, 'profiles', n], `file ${f.filename} names profile ${JSON.stringify(prof)}, which is not under profiles:`);
        }
      });
    });
    packages.set(key, { index: i, files });
  });
  return packages;
}

function checkJobs(raw: RawLock, source: SpecSource, packages: Map<string, { index: number; files: Map<string, RawFile> }>): void {
  for (const [job, j] of Object.entries(raw.jobs)) {
    for (const [profile, reqs] of Object.entries(j.profiles)) {
      const at = ['jobs', job, 'profiles', profile];
      if (!Object.hasOwn(raw.profiles, profile)) {
        throw invalid(source, at, `job ${job} uses profile ${JSON.stringify(profile)}, which is not under profiles: (known: ${Object.keys(raw.profiles).join(', ') || 'none'})`);
      }
      const names = new Map(reqs.map((r, i) => [r.name, i]));
      reqs.forEach((r, i) => {
        const here = `job ${job}, profile ${profile}`;
        if (names.get(r.name) !== i) throw invalid(source, [...at, i], `${here}: ${r.name} is listed twice`);
        const pkg = packages.get(`${r.name} ${r.version}`);
        if (!pkg) throw invalid(source, [...at, i, 'version'], `${here}: ${r.name} ${r.version} is not among packages:`);
        const file = pkg.files.get(r.file);
        if (!file) {
          throw invalid(source, [...at, i, 'file'], `${here}: ${r.file} is not a file of ${r.name} ${r.version} (its files: ${[...pkg.files.keys()].join(', ')})`);
        }
        if (!file.profiles.includes(profile)) {
          throw invalid(source, [...at, i, 'file'], `${here}: file ${r.file} does not list profile ${profile} under its profiles (its package entry is at line ${source.lineOf(['packages', pkg.index]) ?? '?'})`);
        }
        r['required-by'].forEach((reason, n) => {
          const by = reason.slice(0, reason.indexOf(':'));
          if (by !== 'job' && !names.has(by)) throw invalid(source, [...at, i, 'required-by', n], `${here}: ${r.name} is required by ${JSON.stringify(by)}, which is not in this set`);
        });
      });
    }
  }
}

/**
 * An sdist's build closure (`build:` of its file entry) must name, per
 * profile that installs the sdist, wheels that are locked for that profile:
 * `pyindex fetch` builds from exactly those files.
 */
function checkBuildClosures(raw: RawLock, source: SpecSource, packages: Map<string, { index: number; files: Map<string, RawFile> }>): void {
  raw.packages.forEach((p, i) => {
    p.files.forEach((f, k) => {
      if (!f.build) return;
      const at = ['packages', i, 'files', k, 'build'];
      if (f.filename.toLowerCase().endsWith('.whl')) throw invalid(source, at, `${f.filename} is a wheel; only sdists have build requirements`);
      for (const [profile, reqs] of Object.entries(f.build)) {
        const here = `build requirements of ${f.filename} for ${profile}`;
        if (!f.profiles.includes(profile)) throw invalid(source, [...at, profile], `${here}: ${f.filename} does not list profile ${JSON.stringify(profile)} under its profiles`);
        const names = new Map(reqs.map((r, n) => [r.name, n]));
        reqs.forEach((r, n) => {
          if (names.get(r.name) !== n) throw invalid(source, [...at, profile, n], `${here}: ${r.name} is listed twice`);
          const pkg = packages.get(`${r.name} ${r.version}`);
          if (!pkg) throw invalid(source, [...at, profile, n, 'version'], `${here}: ${r.name} ${r.version} is not among packages:`);
          const file = pkg.files.get(r.file);
          if (!file) throw invalid(source, [...at, profile, n, 'file'], `${here}: ${r.file} is not a file of ${r.name} ${r.version} (its files: ${[...pkg.files.keys()].join(', ')})`);
          if (!r.file.toLowerCase().endsWith('.whl')) throw invalid(source, [...at, profile, n, 'file'], `${here}: ${r.file} is not a wheel (build requirements are installed from wheels only)`);
          if (!file.profiles.includes(profile)) {
            throw invalid(source, [...at, profile, n, 'file'], `${here}: file ${r.file} does not list profile ${profile} under its profiles (its package entry is at line ${source.lineOf(['packages', pkg.index]) ?? '?'})`);
          }
        });
      }
    });
  });
}

/** Parses and validates lockfile text; `file` names it in errors. */
export function parseLockfile(text: string, file: string): Lockfile {
  let value: unknown;
  let source: SpecSource;
  try {
    ({ value, source } = parseLocatedYaml(text, file, 'E_LOCK_INVALID'));
  } catch (err) {
    if (!isPyindexError(err)) throw err;
    throw new PyindexError('E_LOCK_INVALID', err.message, { hint: REGENERATE, cause: err, details: err.details });
  }
  checkVersion(value, source);
  const validate = schemaValidator('lock.schema.json');
  if (!validate(value)) {
    const picked = pickSchemaError(validate.errors ?? [], value, source);
    throw invalid(source, picked?.path ?? [], picked?.text ?? 'does not match schemas/lock.schema.json');
  }
  const raw = value as RawLock;
  checkNormalForms(raw, source);
  const packages = checkPackages(raw, source);
  checkJobs(raw, source, packages);
  checkBuildClosures(raw, source, packages);
  return toLockfile(raw);
}

/** The lockfile's text; a missing file is E_LOCK_MISSING, an unreadable one E_LOCK_INVALID. */
export function readLockfileText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new PyindexError('E_LOCK_MISSING', `there is no lockfile at ${path}`, { hint: 'run `pyindex lock` to create it.', details: { file: path } });
    }
    throw new PyindexError('E_LOCK_INVALID', `cannot read ${path}: ${code ?? String(err)}`, { hint: 'Check the path and its permissions.', cause: err, details: { file: path } });
  }
}

/** Reads and validates the lockfile at `path`; a missing file is E_LOCK_MISSING. */
export function readLockfile(path: string): Lockfile {
  return parseLockfile(readLockfileText(path), path);
}
