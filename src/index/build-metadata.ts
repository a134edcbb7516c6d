/**
 * Core metadata of an sdist whose PKG-INFO cannot be trusted (Metadata-Version
 * < 2.2 or Requires-Dist marked Dynamic, PEP 643): ask its build backend.
 *
 * PEP 517 (https://peps.python.org/pep-0517/): import `build-backend` from
 * `[build-system]` (default `setuptools.build_meta:__legacy__`), call
 * `prepare_metadata_for_build_wheel`, or `build_wheel` when the backend lacks
 * that optional hook, and read METADATA from the result. The backend runs in
 * the given interpreter with nothing installed for it (pyindex works
 * offline): `-E -s` plus a sys.path clean-up give `-I` isolation on every
 * Python from 2.7 up, and PIP_* / PYTHON* are cleared from the environment so
 * this machine's pip configuration cannot leak in.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractSdist } from '../archive/extract.js';
import { readWheelMetadata } from '../archive/wheel-metadata.js';
import { withFileSource } from '../archive/zip-reader.js';
import { PyindexError } from '../errors/index.js';
import { parseBuildSystem, type BuildSystem } from './build-system.js';
import { eggInfoToMetadata } from './egg-info.js';

export interface BuildMetadataOptions {
  /** The interpreter to run the backend with. */
  python: string;
  /** Hook time limit in ms. Default 10 minutes. */
  timeoutMs?: number;
}

/** Python 2.7+ compatible; its argument is JSON, its result a JSON file (backends print freely). */
const HOOK_RUNNER = String.raw`
import json, os, sys, traceback, importlib
here = os.path.dirname(os.path.abspath(__file__))
# What -I does on Python 3: no script dir, no cwd on sys.path (we already run with -E -s).
sys.path[:] = [p for p in sys.path if p not in ('', '.', here)]
args = json.loads(sys.argv[1])
def done(result, code):
    with open(args['result'], 'w') as f:
        json.dump(result, f)
    sys.exit(code)
for p in reversed(args['backendPath']):
    sys.path.insert(0, os.path.abspath(p))
module_name, _, object_path = args['backend'].partition(':')
try:
    backend = importlib.import_module(module_name)
    for part in [x for x in object_path.split('.') if x]:
        backend = getattr(backend, part)
except BaseException:
    traceback.print_exc()
    done({'error': 'import'}, 3)
hook = getattr(backend, 'prepare_metadata_for_build_wheel', None)
name = None
if hook is not None:
    try:
        name = hook(args['metadataDir'], {})
    except BaseException:  # distutils reports errors as SystemExit
        traceback.print_exc()
    if name is not None:
        done({'kind': 'metadata', 'name': name}, 0)
    # setuptools < 70.1 writes the egg-info, then needs the 'wheel' package to convert it.
    eggs = sorted(d for d in os.listdir(args['metadataDir']) if d.endswith('.egg-info'))
    if eggs and module_name.split('.')[0] == 'setuptools':
        done({'kind': 'egg-info', 'name': eggs[0]}, 0)
    done({'error': 'hook', 'hook': 'prepare_metadata_for_build_wheel'}, 4)
try:
    name = backend.build_wheel(args['wheelDir'], {})
except BaseException:
    traceback.print_exc()
if name is None:
    done({'error': 'hook', 'hook': 'build_wheel'}, 4)
done({'kind': 'wheel', 'name': name}, 0)
`;

type HookResult = { kind: 'metadata' | 'egg-info' | 'wheel'; name: string } | { error: 'import' | 'hook'; hook?: string };

/** Extracts `sdistPath`, runs the backend and returns METADATA text. `label` (URL or file name) goes into errors. */
export async function buildSdistMetadata(sdistPath: string, sdistFilename: string, label: string, options: BuildMetadataOptions): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'pyindex-build-'));
  try {
    const src = join(work, 'src');
    await extractSdist(sdistPath, src);
    const tree = await projectRoot(src, label);
    const pyprojectPath = join(tree, 'pyproject.toml');
    const pyproject = await readFile(pyprojectPath, 'utf8').catch(() => undefined);
    const system = parseBuildSystem(pyproject, `${label}: pyproject.toml`);
    const metadataDir = join(work, 'metadata');
    const wheelDir = join(work, 'wheel');
    const runner = join(work, 'pyindex_hook_runner.py');
    const resultPath = join(work, 'result.json');
    await Promise.all([writeFile(runner, HOOK_RUNNER), mkdirp(metadataDir), mkdirp(wheelDir)]);
    const args = { backend: system.backend, backendPath: system.backendPath.map((p) => join(tree, p)), metadataDir, wheelDir, result: resultPath };
    const { execa } = await import('execa');
    const run = await execa(options.python, ['-E', '-s', runner, JSON.stringify(args)], {
      cwd: tree,
      env: isolatedPythonEnv(),
      extendEnv: false,
      reject: false,
      all: true,
      stdin: 'ignore',
      timeout: options.timeoutMs ?? 600_000,
    });
    if (run.failed && (run.code === 'ENOENT' || run.code === 'EACCES')) {
      throw new PyindexError('E_PYTHON_NOT_FOUND', `cannot run Python ${options.python} to build metadata for ${label}`, {
        hint: 'Pass an existing interpreter (e.g. $(pyenv root)/versions/3.11.7/bin/python).',
        details: { python: options.python, url: label },
      });
    }
    const result = await readFile(resultPath, 'utf8')
      .then((t) => JSON.parse(t) as HookResult)
      .catch(() => undefined);
    const output = tail(run.all ?? '');
    if (!result || 'error' in result) throw backendError(label, system, options.python, result, run.timedOut ? `timed out after ${options.timeoutMs ?? 600_000} ms` : `exit code ${run.exitCode ?? '?'}`, output);
    if (result.kind === 'metadata') return await readFile(join(metadataDir, result.name, 'METADATA'), 'utf8');
    if (result.kind === 'egg-info') {
      const egg = join(metadataDir, result.name);
      const requires = await readFile(join(egg, 'requires.txt'), 'utf8').catch(() => undefined);
      return eggInfoToMetadata(await readFile(join(egg, 'PKG-INFO'), 'utf8'), requires);
    }
    return await withFileSource(join(wheelDir, result.name), async (source) => (await readWheelMetadata(source, result.name)).text);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function mkdirp(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}

/** An sdist holds one top-level `{name}-{version}/` directory (sdist spec); tolerate a flat one. */
async function projectRoot(src: string, label: string): Promise<string> {
  const entries = await readdir(src, { withFileTypes: true });
  const dirs = entries.filter((e) => e.isDirectory());
  if (dirs.length === 1 && entries.length === 1) return join(src, dirs[0]!.name);
  for (const marker of ['pyproject.toml', 'setup.py']) {
    if (await stat(join(src, marker)).then((s) => s.isFile(), () => false)) return src;
  }
  throw new PyindexError('E_BAD_ARCHIVE', `${label}: the sdist has no single top-level project directory with pyproject.toml or setup.py`, {
    hint: 'The sdist is malformed; use a wheel of this project or fix the sdist.',
    details: { url: label },
  });
}

function isolatedPythonEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('PIP_') || k.startsWith('PYTHON')) continue;
    env[k] = v;
  }
  env.PIP_CONFIG_FILE = '/dev/null';
  env.PIP_NO_INDEX = '1'; // if a backend shells out to pip, it must not reach for the network
  env.PYTHONNOUSERSITE = '1';
  env.PYTHONDONTWRITEBYTECODE = '1';
  return env;
}

function tail(text: string, lines = 25, chars = 4000): string {
  const t = text.trimEnd().split('\n').slice(-lines).join('\n');
  return t.length > chars ? t.slice(-chars) : t;
}

function backendError(label: string, system: BuildSystem, python: string, result: HookResult | undefined, how: string, output: string): PyindexError {
  const importFailed = result !== undefined && 'error' in result && result.error === 'import';
  const what = importFailed
    ? `build backend ${system.backend} cannot be imported by ${python}`
    : `build backend ${system.backend} failed (${result && 'hook' in result && result.hook ? result.hook : 'hook'}, ${how})`;
  const requires = system.requires.length ? ` (${system.requires.join(', ')})` : '';
  return new PyindexError('E_BUILD_BACKEND', `${label}: ${what}${output ? `\n${output}` : ''}`, {
    hint: importFailed
      ? `Install the sdist's build requirements${requires} into ${python}, pass another --python, or use a wheel of this project.`
      : 'Read the backend output above; pyindex runs the backend without build isolation, so its build requirements' +
        `${requires} must be installed in ${python}. Or use a wheel of this project.`,
    details: { url: label, backend: system.backend, python, output },
  });
}
