/**
 * Build closures: for every locked sdist and every profile that installs
 * it, the wheels its PEP 518 build requirements resolve to. Build machines
 * never compile: `pyindex fetch` turns the sdist into a wheel offline with
 * pip's build isolation fed from exactly these files, so they are resolved
 * here, pinned with hashes and written to the lockfile like any package.
 *
 * Build requirements are resolved from wheels only (pip's
 * `--only-binary :all:` for them): a build dependency that itself had to be
 * built would need its own build closure, and so on — the recursion pip
 * handles by building on the fly, which an offline build cannot.
 */
import { createHash } from 'node:crypto';
import { PyindexError, isPyindexError } from '../errors/index.js';
import type { EventSink } from '../events/index.js';
import type { HttpClient } from '../index/http.js';
import type { IndexFile } from '../index/types.js';
import { parseRequirement, type Requirement } from '../pep/requirement.js';
import type { Profile } from '../profile/types.js';
import { nameSet, type ResolveOptions } from '../resolve/options.js';
import type { PackageSource } from '../resolve/package-source.js';
import { resolveJob, type ResolvedPackage, type Resolution } from '../resolve/resolve.js';
import { buildRequiresOf, readSdistPyproject, sdistBytes, type SdistBuildRequires } from './build-requires.js';

export interface BuildClosure {
  /** The sdist's filename (as locked). */
  sdist: string;
  profile: string;
  /** What the closure was resolved from. */
  requires: string[];
  packages: ResolvedPackage[];
}

export interface BuildClosureInput {
  resolutions: readonly Resolution[];
  options: ResolveOptions;
  source: PackageSource;
  http: HttpClient;
  /** Pins to keep when they still fit (canonical name → version). */
  preferred?: ReadonlyMap<string, string>;
  onEvent?: EventSink;
}

/** The resolver's policy for build requirements: the config's, but wheels only. */
export function buildOptions(options: ResolveOptions): ResolveOptions {
  return { ...options, onlyBinary: { all: true }, noBinary: nameSet([]) };
}

/** Reads the sdist's pinned bytes (hash-checked: the closure must describe the locked file) and its build requirements. */
async function requiresOf(http: HttpClient, file: IndexFile): Promise<SdistBuildRequires> {
  const bytes = await sdistBytes(http, file.url, file.hashes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const pinned = file.hashes.sha256?.toLowerCase();
  if (pinned && pinned !== sha256) {
    throw new PyindexError('E_HASH_MISMATCH', `${file.filename} from ${file.url} has sha256 ${sha256}, but the index states ${pinned}`, {
      hint: 'The index changed during locking, or serves corrupt files; run `pyindex lock` again.',
      details: { file: file.filename, url: file.url },
    });
  }
  return buildRequiresOf(await readSdistPyproject(bytes, file.filename), `${file.filename}: pyproject.toml`);
}

function parseAll(requires: readonly string[], sdist: string): Requirement[] {
  return requires.map((text) => {
    try {
      return parseRequirement(text);
    } catch (err) {
      if (!isPyindexError(err)) throw err;
      throw new PyindexError('E_BUILD_BACKEND', `${sdist}: pyproject.toml [build-system] requires ${JSON.stringify(text)}: ${err.message}`, {
        hint: `Fix the sdist's build requirements, or lock a wheel of this project instead of ${sdist}.`,
        cause: err,
        details: { file: sdist, requirement: text },
      });
    }
  });
}

/** Resolves the build closure of every (sdist, profile) the resolutions lock; sorted by sdist, then profile. */
export async function resolveBuildClosures(input: BuildClosureInput): Promise<BuildClosure[]> {
  const wanted = new Map<string, { file: IndexFile; name: string; version: string; profiles: Map<string, Profile> }>();
  for (const res of input.resolutions) {
    for (const pkg of res.packages) {
      if (pkg.file.kind !== 'sdist') continue;
      const f = pkg.file.file;
      let entry = wanted.get(f.filename);
      if (!entry) wanted.set(f.filename, (entry = { file: f, name: pkg.name, version: pkg.version.toString(), profiles: new Map() }));
      entry.profiles.set(res.profile.name, res.profile);
    }
  }
  if (!wanted.size) return [];
  const options = buildOptions(input.options);
  const jobs: Promise<BuildClosure>[] = [];
  for (const [sdist, { file, name, version, profiles }] of [...wanted].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const declared = requiresOf(input.http, file);
    declared.catch(() => {});
    for (const profile of [...profiles.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      jobs.push(
        (async () => {
          const { requires } = await declared;
          const id = `build:${sdist}/${profile.name}`;
          input.onEvent?.({ type: 'task:start', id, title: `resolve the build requirements of ${sdist} for ${profile.name}` });
          try {
            const resolution = await resolveJob({
              job: `build of ${sdist}`,
              profile,
              root: { requirements: parseAll(requires, sdist), constraints: [] },
              options,
              source: input.source,
              ...(input.preferred ? { preferred: input.preferred } : {}),
            });
            input.onEvent?.({ type: 'task:end', id, ok: true, detail: `${resolution.packages.length} build packages` });
            return { sdist, profile: profile.name, requires, packages: resolution.packages };
          } catch (err) {
            input.onEvent?.({ type: 'task:end', id, ok: false, detail: isPyindexError(err) ? err.code : String(err) });
            if (!isPyindexError(err, 'E_NO_SOLUTION')) throw err;
            throw new PyindexError(
              'E_NO_SOLUTION',
              `${name} ${version} is locked as the sdist ${sdist} for profile ${profile.name}, but its build requirements (${requires.join(', ')}) cannot be installed from wheels ` +
                `(pyindex resolves build requirements from wheels only, so that build machines never build them):\n${String(err.details.explanation ?? err.message)}`,
              {
                hint: `Publish wheels of the build requirement named above to the index, or publish a wheel of ${name} ${version} for ${profile.name} so the sdist is not needed.`,
                cause: err,
                details: { ...err.details, sdist, profile: profile.name, requires },
              },
            );
          }
        })(),
      );
    }
  }
  const settled = await Promise.allSettled(jobs);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<BuildClosure>).value);
}
