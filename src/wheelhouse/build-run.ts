/**
 * Running one sdist build for `buildSdists` (build-sdist.ts): choosing the
 * profile's interpreter, `pip wheel` offline from the build closure, and
 * checking what it produced.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { PyindexError, isPyindexError } from '../errors/index.js';
import { canonicalizeName } from '../pep/names.js';
import { parseSdistFilename } from '../pep/sdist-filename.js';
import { isWheelFilename, parseWheelFilename } from '../pep/wheel-filename.js';
import type { Detection } from '../profile/detect.js';
import type { BuildSdistsOptions } from './build-sdist.js';
import { placeFile } from './cas.js';
import type { PlannedFile } from './plan.js';

const DEFAULT_TIMEOUT_MS = 20 * 60_000;

export interface BuildPython {
  path: string;
  detection: Detection;
}

/**
 * The interpreter that builds for `profile`: the first `--python` that fits
 * it (same feature version and platform), else the one provision would find
 * (`pythonX.Y` on PATH, pyenv, `py -X.Y`). One that does not fit the profile
 * (a Windows profile on a Linux machine) cannot build for it.
 */
export async function findBuildPython(o: BuildSdistsOptions, profile: string, sdist: string): Promise<BuildPython> {
  const locked = o.lock.profiles[profile];
  if (!locked) throw new PyindexError('E_LOCK_INVALID', `the lockfile has no profiles: entry for ${profile}`, { hint: 'Regenerate the lockfile with `pyindex lock`.' });
  const env = o.env ?? process.env;
  const cwd = o.cwd ?? process.cwd();
  const { detectInterpreter } = await import('../profile/detect.js');
  const { interpreterMismatch } = await import('../provision/interpreter-match.js');
  const { findPython } = await import('../provision/python.js');
  const wanted = `profile ${profile} (CPython ${locked.python} on ${locked.platform})`;
  const hint = `Pass \`--python /path/to/python${locked.python}\` (an interpreter of ${wanted}) to \`pyindex fetch\`, or fetch on a machine that has one.`;
  const rejected: string[] = [];
  for (const given of o.pythons ?? []) {
    const found = await findPython({ python: given, version: locked.python, env, cwd });
    const detection = await detectInterpreter(found.path, { env });
    const reasons = interpreterMismatch(detection, o.lock, profile, []).reasons;
    if (!reasons.length) return { path: found.path, detection };
    rejected.push(`--python ${given}: ${reasons.join('; ')}`);
  }
  let found;
  try {
    found = await findPython({ version: locked.python, env, cwd });
  } catch (err) {
    if (!isPyindexError(err, 'E_PYTHON_NOT_FOUND')) throw err;
    throw new PyindexError('E_PYTHON_NOT_FOUND', `cannot build ${sdist} for ${wanted}: ${[...rejected, err.message].join('; ')}`, { hint, cause: err, details: { ...err.details, profile, sdist } });
  }
  const detection = await detectInterpreter(found.path, { env });
  const reasons = interpreterMismatch(detection, o.lock, profile, []).reasons;
  if (reasons.length) {
    throw new PyindexError('E_PYTHON_NOT_FOUND', `cannot build ${sdist} for ${wanted} with ${found.path}: ${[...rejected, ...reasons].join('; ')}`, {
      hint,
      details: { profile, sdist, python: found.path, reasons },
    });
  }
  return { path: found.path, detection };
}

function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs pip wheel in `work` and returns the path of the one wheel it wrote. */
export async function pipWheel(o: BuildSdistsOptions, python: BuildPython, sdist: PlannedFile, profile: string, sdistPath: string, closure: PlannedFile[], work: string): Promise<string> {
  const links = join(work, 'links');
  const out = join(work, 'out');
  await fsp.mkdir(links, { recursive: true });
  await fsp.mkdir(out, { recursive: true });
  // pip reads the archive type from the name; the cache names files by hash.
  await placeFile(sdistPath, work, sdist.filename);
  for (const f of closure) await placeFile(await o.cached(f), links, f.filename);
  const { PIP_BASE_OPTIONS, isolatedPythonEnv } = await import('../provision/pip.js');
  // --no-index + --find-links reach the build-isolation install too (pip passes its finder options on), so only the closure is seen.
  // --use-pep517: without it, pips before 23.1 build a setup.py-only sdist with the host's setuptools (no isolation, not the closure).
  const args = ['-m', 'pip', 'wheel', ...PIP_BASE_OPTIONS, '--use-pep517', '--no-index', '--find-links', links, '--no-deps', '--no-cache-dir', '--wheel-dir', out, join(work, sdist.filename)];
  // 1980-01-01 for wheel's zip timestamps (SOURCE_DATE_EPOCH, https://reproducible-builds.org/specs/source-date-epoch/): repeatable builds.
  const env = { ...isolatedPythonEnv(o.env ?? process.env), SOURCE_DATE_EPOCH: '315532800' };
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { execa } = await import('execa');
  const child = execa(python.path, args, { env, extendEnv: false, cwd: work, reject: false, all: true, stdin: 'ignore', timeout: timeoutMs });
  if (child.all) {
    let buffered = '';
    child.all.setEncoding('utf8');
    child.all.on('data', (chunk: string) => {
      const lines = (buffered + chunk).split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) o.onEvent({ type: 'task:progress', id: buildTaskId(sdist, profile), done: 0, detail: line.trim() });
    });
  }
  const res = await child;
  const code = (res as { code?: string }).code;
  if (code === 'ENOENT' || code === 'EACCES') {
    throw new PyindexError('E_PYTHON_NOT_FOUND', `cannot run ${python.path} to build ${sdist.filename}: ${code === 'ENOENT' ? 'not found' : 'not executable'}`, {
      hint: 'Pass `--python` with an installed interpreter of the profile.',
      details: { python: python.path, profile },
    });
  }
  const run = { exitCode: res.timedOut ? -1 : (res.exitCode ?? 1), output: String(res.all ?? '') };
  const built = (await fsp.readdir(out)).filter(isWheelFilename);
  if (run.exitCode !== 0 || built.length !== 1) {
    const why = res.timedOut ? `timed out after ${timeoutMs} ms` : run.exitCode !== 0 ? `pip exit code ${run.exitCode}` : `pip wrote ${built.length} wheels (${built.join(', ') || 'none'})`;
    throw new PyindexError('E_PIP_FAILED', `building ${sdist.filename} for profile ${profile} with ${python.path} failed (${why}):\n${tail(run.output)}`, {
      hint:
        `Read pip's output above. The build runs offline from the wheels the lock recorded for it (${closure.map((f) => f.filename).join(', ') || 'none'}); ` +
        'a backend that asks for more at build time (PEP 517 get_requires_for_build_wheel) needs those added to the sdist\'s [build-system] requires. Or publish a wheel of the project.',
      details: { sdist: sdist.filename, profile, python: python.path, exitCode: run.exitCode, output: run.output },
    });
  }
  return join(out, built[0]!);
}

export function buildTaskId(sdist: PlannedFile, profile: string): string {
  return `build:${sdist.filename}/${profile}`;
}

/** Checks a freshly built wheel belongs to the sdist and installs on the interpreter that built it. */
export function checkBuiltWheel(filename: string, sdist: PlannedFile, profile: string, python: BuildPython): void {
  const wheel = parseWheelFilename(filename);
  const source = parseSdistFilename(sdist.filename);
  if (wheel.canonicalName !== canonicalizeName(sdist.project) || wheel.version.compare(source.version) !== 0) {
    throw new PyindexError('E_BUILD_BACKEND', `building ${sdist.filename} produced ${filename}, which is not ${sdist.project} ${sdist.version}`, {
      hint: 'The sdist builds a different project or version than its name says; publish a correct sdist or a wheel.',
      details: { sdist: sdist.filename, wheel: filename, profile },
    });
  }
  const tags = new Set(python.detection.profile.tags);
  if (!wheel.tags.some((t) => tags.has(t))) {
    throw new PyindexError('E_BUILD_BACKEND', `building ${sdist.filename} for profile ${profile} produced ${filename}, whose tags ${python.path} does not accept`, {
      hint: 'The build backend targets another interpreter or platform; publish a wheel for this profile.',
      details: { sdist: sdist.filename, wheel: filename, profile },
    });
  }
}
