/**
 * Detects the profile of a real interpreter: runs a small introspection
 * script in it (Python 2.7 and 3.x alike) and computes the tag list in
 * TypeScript with the same generators the built-in profiles use.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PyindexError } from '../errors/index.js';
import { sysTags, tagToString, type ConfigValue, type ElfHeader, type InterpreterFacts } from '../pep/tags.js';
import { DETECT_SCRIPT } from './detect-script.js';
import { MARKER_NAMES, PLATFORM_NAMES, type MarkerEnvironment, type PlatformName, type Profile } from './types.js';

/** What DETECT_SCRIPT prints. */
export interface RawFacts {
  executable: string;
  version: [number, number, number];
  implementation: string;
  config: Record<string, ConfigValue>;
  hasGettotalrefcount: boolean;
  extensionSuffixes: string[];
  maxunicode: number;
  is32bit: boolean;
  system: string;
  sysconfigPlatform: string;
  glibc: string | null;
  musl: string | null;
  elf: (ElfHeader & { interpreter: string | null }) | null;
  manylinuxModule: boolean;
  mac: { version: string; machine: string } | null;
  markers: Record<string, string>;
}

export interface Detection {
  profile: Profile;
  facts: RawFacts;
  /** Things the tag list may not reflect exactly. */
  warnings: string[];
}

/** The environment the probed Python gets: no PIP_* / PYTHON* from ours (PYTHONPATH, PYTHONHOME … would change the answers). */
function isolated(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!k.startsWith('PIP_') && !k.startsWith('PYTHON')) out[k] = v;
  return out;
}

/** Maps raw facts to the generators' input. */
export function interpreterFacts(raw: RawFacts): InterpreterFacts {
  return {
    implementation: raw.implementation,
    pythonVersion: raw.version.slice(0, 2),
    pyVersionNodot: raw.config.py_version_nodot,
    extSuffix: raw.config.EXT_SUFFIX,
    pyDebug: raw.config.Py_DEBUG,
    gilDisabled: raw.config.Py_GIL_DISABLED,
    withPymalloc: raw.config.WITH_PYMALLOC,
    unicodeSize: raw.config.Py_UNICODE_SIZE,
    hasGettotalrefcount: raw.hasGettotalrefcount,
    extensionSuffixes: raw.extensionSuffixes,
    maxunicode: raw.maxunicode,
    system: raw.system,
    sysconfigPlatform: raw.sysconfigPlatform,
    is32bit: raw.is32bit,
    linux: {
      glibc: raw.glibc,
      musl: raw.musl,
      executable: raw.elf ? { bits: raw.elf.bits, littleEndian: raw.elf.littleEndian, machine: raw.elf.machine, flags: raw.elf.flags } : null,
    },
    ...(raw.mac ? { macos: raw.mac } : {}),
  };
}

/** The pyindex platform name of the probed interpreter, if it is one pyindex has profiles for. */
export function platformOf(raw: RawFacts): string {
  if (raw.system === 'Linux') {
    let arch = raw.sysconfigPlatform.replace(/^linux-/, '');
    if (raw.is32bit && arch === 'x86_64') arch = 'i686';
    return `linux-${arch}`;
  }
  if (raw.system === 'Darwin') return `macos-${raw.is32bit ? 'i386' : (raw.mac?.machine ?? 'unknown')}`;
  if (raw.system === 'Windows') return raw.sysconfigPlatform === 'win32' ? 'windows-x86' : `windows-${raw.sysconfigPlatform.replace(/^win-/, '')}`;
  return `${raw.system.toLowerCase()}-${raw.sysconfigPlatform}`;
}

/** Turns the facts of a probed interpreter into a Profile (exported for tests). */
export function profileFromFacts(raw: RawFacts): Detection {
  const platform = platformOf(raw);
  if (!(PLATFORM_NAMES as readonly string[]).includes(platform)) {
    throw new PyindexError('E_PROFILE_INVALID', `${raw.executable} runs on ${platform}, which pyindex has no profiles for`, {
      hint: `Supported platforms: ${PLATFORM_NAMES.join(', ')}.`,
      details: { platform },
    });
  }
  if (raw.implementation !== 'cpython') {
    throw new PyindexError('E_PROFILE_INVALID', `${raw.executable} is ${raw.implementation}; pyindex profiles describe CPython`, {
      hint: 'Point --python at a CPython interpreter.',
    });
  }
  const python = `${raw.version[0]}.${raw.version[1]}`;
  const markers = Object.fromEntries(MARKER_NAMES.map((k) => [k, raw.markers[k] ?? ''])) as MarkerEnvironment;
  const warnings: string[] = [];
  if (raw.manylinuxModule) {
    warnings.push(`${raw.executable} has a _manylinux module (PEP 600); pyindex ignores its manylinux_compatible() veto, pip would not.`);
  }
  const glibc = raw.glibc ? /^\d+\.\d+/.exec(raw.glibc)?.[0] : undefined;
  const profile: Profile = {
    name: `detected-${platform}-py${python}`,
    platform: platform as PlatformName,
    python,
    implementation: 'cpython',
    markers,
    tags: sysTags(interpreterFacts(raw)).map(tagToString),
    ...(raw.system === 'Linux' && glibc ? { glibc } : {}),
    ...(raw.musl ? { musl: /^\d+\.\d+/.exec(raw.musl)?.[0] ?? raw.musl } : {}),
    ...(raw.mac ? { macos: raw.mac.version.split('.').slice(0, 2).join('.') } : {}),
  };
  return { profile, facts: raw, warnings };
}

/** Runs the introspection script in `pythonPath` (a path, or a command name looked up on PATH). */
export async function detectInterpreter(pythonPath: string, opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Detection> {
  if (pythonPath.includes('/') && !existsSync(pythonPath)) {
    throw new PyindexError('E_PYTHON_NOT_FOUND', `${pythonPath} does not exist`, { hint: 'Pass --python with the path of an installed interpreter.' });
  }
  // execa is loaded on first use: most commands never start a Python.
  const { execa } = await import('execa');
  const res = await execa(pythonPath, ['-c', DETECT_SCRIPT], {
    env: isolated(opts.env ?? process.env),
    extendEnv: false,
    cwd: tmpdir(),
    reject: false,
    stdin: 'ignore',
    timeout: opts.timeoutMs ?? 60_000,
  });
  const code = (res as { code?: string }).code;
  if (code === 'ENOENT' || code === 'EACCES') {
    throw new PyindexError('E_PYTHON_NOT_FOUND', `cannot run ${pythonPath}: ${code === 'ENOENT' ? 'not found' : 'not executable'}`, {
      hint: 'Pass --python with the path of an installed, executable interpreter.',
      cause: res,
    });
  }
  if (res.failed) {
    throw new PyindexError('E_PYTHON_FAILED', `${pythonPath} failed to report its environment (${res.timedOut ? 'timed out' : `exit ${String(res.exitCode ?? res.signal)}`}): ${String(res.stderr).trim() || String(res.stdout).trim() || '(no output)'}`, {
      hint: 'Run the interpreter by hand to see what is wrong with it.',
      details: { python: pythonPath, stderr: String(res.stderr) },
    });
  }
  let raw: RawFacts;
  try {
    raw = JSON.parse(String(res.stdout)) as RawFacts;
  } catch (err) {
    throw new PyindexError('E_PYTHON_FAILED', `${pythonPath} printed something that is not JSON: ${String(res.stdout).slice(0, 200)}`, {
      hint: 'A sitecustomize or startup hook may be printing to stdout.',
      cause: err,
    });
  }
  return profileFromFacts(raw);
}

/** `detectInterpreter(...).profile`. */
export async function detectProfile(pythonPath: string, opts: { env?: NodeJS.ProcessEnv } = {}): Promise<Profile> {
  return (await detectInterpreter(pythonPath, opts)).profile;
}
