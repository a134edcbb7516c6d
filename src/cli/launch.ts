/**
 * What bin/pyindex.js runs (bundled to dist/cli/pyindex.mjs): loads the CLI
 * bundle dist/cli/pyindex.cjs with a V8 code cache, runs the command, exits.
 *
 * Why a code cache: V8 compiles every function a command runs, on every
 * start, and a build machine starts pyindex thousands of times a day. Node
 * 20 keeps no compiled code between runs for ES modules (Node ≥ 22.1's
 * module.enableCompileCache does, for modules it loads itself); node:vm
 * does for a script: `cachedData` in, `createCachedData()` out. The cache
 * is made after a command's first successful run, so it holds the functions
 * that run compiled, not only the top level — one file per command (what
 * `lock` runs is not what `provision` runs). Measured against the code-split
 * ES bundle this replaces (same sources, Node 20, 20 alternating runs,
 * medians): `pyindex lock` of chalice from a loopback index cold 320 ->
 * 280 ms wall, CPU 358 -> 292 ms (means); warm 280 -> 240, CPU 324 -> 267;
 * `provision` no-op 160 -> 150; `fetch` of 32 wheels (107 MB) 468 -> 429
 * (15 runs); `--version` 140 either way.
 *
 * The cache lives in `<cache dir>/code/<build id>-<node version>-<arch>/`
 * (PYINDEX_CACHE_DIR, XDG_CACHE_HOME or ~/.cache — not --cache-dir, which
 * names the index data a run starts from, as pip's cache is not its .pyc
 * files). The build id is the bundle's sha256, written beside it by
 * scripts/bundle.mjs: V8 itself checks only the source's length. V8
 * rejects data from another V8 or other flags (cachedDataRejected), which
 * is then replaced. V8 does not checksum a code cache (that is for debug
 * builds), and damaged bytes it accepted could crash the process: each file
 * starts with the sha256 of the rest, checked before V8 sees it (node:crypto
 * is loaded by every command anyway; ~0.5 ms for a 560 KB cache), so a
 * torn write needs no fsync either. Any failure to read or write the cache
 * is ignored: it only saves time. PYINDEX_CODE_CACHE=0 turns it off;
 * PYINDEX_DEBUG loads the bundle with require() and source maps, so stack
 * traces name src/.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { tempPathFor } from '../util/atomic-write.js';
import { exitWhenFlushed } from './exit.js';
import { defaultCacheDir } from './paths.js';

interface CliBundle {
  run(argv: string[]): Promise<number>;
}

/** Bytes of the sha256 at the start of a cache file. */
const DIGEST_BYTES = 32;

/** Code caches of other builds untouched this long are removed when a new one is written. */
const STALE_MS = 30 * 24 * 3600 * 1000;

const bundle = join(dirname(fileURLToPath(import.meta.url)), 'pyindex.cjs');
const argv = process.argv.slice(2);
const env = process.env;

function loadPlain(): CliBundle {
  if (env.PYINDEX_DEBUG) process.setSourceMapsEnabled(true);
  return createRequire(import.meta.url)(bundle) as CliBundle;
}

/** The cache file for this build, Node and command; undefined when there is no build id. */
function cacheFile(): string | undefined {
  // The command name, as the first argument that is not an option ("user add" → user); one cache for the rest.
  const first = argv.find((a) => !a.startsWith('-')) ?? '';
  const command = /^[a-z][a-z-]{0,30}$/.test(first) ? first : '-';
  try {
    const id = readFileSync(`${bundle}.id`, 'utf8').trim();
    // homedir() throws without HOME or a passwd entry, cwd() when the directory was removed: then no cache, and
    // the command itself says what is wrong if it needs either.
    return join(defaultCacheDir(env, process.cwd()), 'code', `${id}-${process.version}-${process.arch}`, `${command}.bin`);
  } catch {
    return undefined;
  }
}

function loadCached(file: string): { cli: CliBundle; save(): void } {
  const source = readFileSync(bundle, 'utf8');
  const cachedData = readCache(file);
  // The CommonJS wrapper on a line of its own, so the bundle's lines keep their numbers.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, { filename: bundle, lineOffset: -1, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} };
  const wrapper = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
  wrapper(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  const fresh = cachedData === undefined || script.cachedDataRejected === true;
  return { cli: module.exports as CliBundle, save: () => fresh && saveCache(file, script) };
}

/** The V8 data of a cache file whose digest matches, else undefined (missing, truncated, damaged). */
function readCache(file: string): Buffer | undefined {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch {
    return undefined;
  }
  const data = raw.subarray(DIGEST_BYTES);
  return raw.length > DIGEST_BYTES && sha256(data).equals(raw.subarray(0, DIGEST_BYTES)) ? data : undefined;
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

function saveCache(file: string, script: Script): void {
  const dir = dirname(file);
  const temp = tempPathFor(file);
  try {
    let created = false;
    try {
      statSync(dir);
    } catch {
      mkdirSync(dir, { recursive: true });
      created = true;
    }
    const data = script.createCachedData();
    writeFileSync(temp, Buffer.concat([sha256(data), data]));
    renameSync(temp, file);
    if (created) removeStale(dirname(dir), dir);
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {
      // Nothing was written (no directory to write in).
    }
  }
}

/** Other builds' caches not written to for STALE_MS (an upgrade leaves the old one behind). */
function removeStale(parent: string, keep: string): void {
  for (const name of readdirSync(parent)) {
    const dir = join(parent, name);
    if (dir !== keep && Date.now() - statSync(dir).mtimeMs > STALE_MS) rmSync(dir, { recursive: true, force: true });
  }
}

const file = env.PYINDEX_DEBUG || env.PYINDEX_CODE_CACHE === '0' ? undefined : cacheFile();
const { cli, save } = file ? loadCached(file) : { cli: loadPlain(), save: () => {} };
const code = await cli.run(argv);
// Made from a run that worked, so it holds that command's functions (a failing run would cache its error path).
if (code === 0) save();
await exitWhenFlushed(code);
