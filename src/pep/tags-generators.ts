/**
 * The ordered list of wheel tags an interpreter accepts, most preferred first.
 *
 * A TypeScript port of `packaging.tags` 24.1 (pip 24.2's vendored copy):
 * https://github.com/pypa/packaging/blob/24.1/src/packaging/tags.py
 * pip picks the first wheel whose tag appears earliest in this list, so the
 * ORDER is as much part of the contract as the content. Instead of asking
 * `sysconfig` at run time, every function takes the facts about the target
 * interpreter as arguments: pyindex locks for machines it is not running on.
 */
import type { Tag } from './tags.js';
import { macPlatforms, linuxPlatforms, normalizePlatformString, type LinuxFacts } from './tags-platforms.js';

/** `[major]` or `[major, minor]` (packaging's PythonVersion). */
export type PythonVersion = readonly number[];

/** packaging's INTERPRETER_SHORT_NAMES (PEP 425 "Python Tag"). */
const INTERPRETER_SHORT_NAMES: Record<string, string> = {
  python: 'py',
  cpython: 'cp',
  pypy: 'pp',
  ironpython: 'ip',
  jython: 'jy',
};

/** A `sysconfig.get_config_var` value: config vars are ints, strings or unset. */
export type ConfigValue = number | string | null | undefined;

/** Python truthiness of a config var (`0`, `''` and unset are false). */
function truthy(v: ConfigValue): boolean {
  return v !== null && v !== undefined && v !== 0 && v !== '';
}

function versionNodot(v: PythonVersion): string {
  return v.join('');
}

function compareVersion(a: PythonVersion, b: PythonVersion): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -Infinity) - (b[i] ?? -Infinity);
    if (d !== 0) return d;
  }
  return 0;
}

/** The facts `_cpython_abis` reads from the running interpreter. */
export interface CpythonAbiFacts {
  /** sysconfig `Py_DEBUG`. */
  pyDebug?: ConfigValue;
  /** sysconfig `Py_GIL_DISABLED` (free-threaded 3.13+ builds, PEP 703). */
  gilDisabled?: ConfigValue;
  /** sysconfig `WITH_PYMALLOC` (only consulted before 3.8). */
  withPymalloc?: ConfigValue;
  /** sysconfig `Py_UNICODE_SIZE` (only consulted before 3.3). */
  unicodeSize?: ConfigValue;
  /** `hasattr(sys, "gettotalrefcount")`: true on debug builds. */
  hasGettotalrefcount?: boolean;
  /** `importlib.machinery.EXTENSION_SUFFIXES` (Windows debug builds list `_d.pyd`). */
  extensionSuffixes?: readonly string[];
  /** `sys.maxunicode` (0x10FFFF on UCS-4 builds). */
  maxunicode?: number;
}

/**
 * packaging `_cpython_abis`: the ABI tags of a CPython build, most specific
 * first. The flags are PEP 3149's: d = debug, m = pymalloc (dropped in 3.8),
 * u = UCS-4 (Python 2 only; PEP 393 removed the distinction in 3.3), t =
 * free-threaded (PEP 703). A release build with no facts gives `cp311`, or
 * `cp37m` / `cp27mu` for the old flag-carrying versions.
 */
export function cpythonAbis(pythonVersion: PythonVersion, facts: CpythonAbiFacts = {}): string[] {
  const abis: string[] = [];
  const version = versionNodot(pythonVersion.slice(0, 2));
  let threading = '';
  let debug = '';
  let pymalloc = '';
  let ucs4 = '';
  const hasExt = (facts.extensionSuffixes ?? []).includes('_d.pyd');
  const withDebug = facts.pyDebug;
  if (truthy(withDebug) || ((withDebug === null || withDebug === undefined) && (facts.hasGettotalrefcount || hasExt))) {
    debug = 'd';
  }
  if (compareVersion(pythonVersion, [3, 13]) >= 0 && truthy(facts.gilDisabled)) threading = 't';
  if (compareVersion(pythonVersion, [3, 8]) < 0) {
    const withPymalloc = facts.withPymalloc;
    if (truthy(withPymalloc) || withPymalloc === null || withPymalloc === undefined) pymalloc = 'm';
    if (compareVersion(pythonVersion, [3, 3]) < 0) {
      const unicodeSize = facts.unicodeSize;
      const maxunicode = facts.maxunicode ?? 0x10ffff;
      if (unicodeSize === 4 || ((unicodeSize === null || unicodeSize === undefined) && maxunicode === 0x10ffff)) {
        ucs4 = 'u';
      }
    }
  } else if (debug) {
    // A debug build can also load release-build extension modules.
    abis.push(`cp${version}${threading}`);
  }
  abis.unshift(`cp${version}${threading}${debug}${pymalloc}${ucs4}`);
  return abis;
}

/** The threaded (`--disable-gil`) ABI has a `t` flag and cannot use abi3. */
function isThreadedCpython(abis: readonly string[]): boolean {
  const m = /^cp\d+(.*)$/.exec(abis[0] ?? '');
  return m !== null && (m[1] ?? '').includes('t');
}

/** PEP 384's stable ABI exists since 3.2; free-threaded builds lack it. */
function abi3Applies(pythonVersion: PythonVersion, threading: boolean): boolean {
  return pythonVersion.length > 1 && compareVersion(pythonVersion, [3, 2]) >= 0 && !threading;
}

/**
 * packaging `cpython_tags`: cpXY-<abi>-<platform> for each ABI, then abi3,
 * then `none`, then abi3 wheels built for older 3.x minors (down to 3.2).
 * `abi3` and `none` in `abis` are ignored; they are yielded at their fixed place.
 */
export function cpythonTags(pythonVersion: PythonVersion, abis: readonly string[], platforms: readonly string[]): Tag[] {
  const out: Tag[] = [];
  const interpreter = `cp${versionNodot(pythonVersion.slice(0, 2))}`;
  const ownAbis = [...abis];
  for (const explicit of ['abi3', 'none']) {
    const i = ownAbis.indexOf(explicit);
    if (i >= 0) ownAbis.splice(i, 1);
  }
  for (const abi of ownAbis) for (const platform of platforms) out.push({ interpreter, abi, platform });
  const useAbi3 = abi3Applies(pythonVersion, isThreadedCpython(ownAbis));
  if (useAbi3) for (const platform of platforms) out.push({ interpreter, abi: 'abi3', platform });
  for (const platform of platforms) out.push({ interpreter, abi: 'none', platform });
  if (useAbi3) {
    const [major = 3, minor = 0] = pythonVersion;
    for (let m = minor - 1; m > 1; m--) {
      for (const platform of platforms) out.push({ interpreter: `cp${major}${m}`, abi: 'abi3', platform });
    }
  }
  return out;
}

/**
 * packaging `_generic_abi`: the ABI part of EXT_SUFFIX for interpreters other
 * than CPython (PyPy `.pypy38-pp73-x86_64-linux-gnu.so` -> `pypy38_pp73`).
 * `fallback` is what `_cpython_abis` gives, used when EXT_SUFFIX is `.pyd`.
 */
export function genericAbi(extSuffix: string, fallback: readonly string[]): string[] {
  if (!extSuffix.startsWith('.')) return [];
  const parts = extSuffix.split('.');
  if (parts.length < 3) return [...fallback];
  const soabi = parts[1] ?? '';
  let abi: string;
  if (soabi.startsWith('cpython')) abi = `cp${soabi.split('-')[1] ?? ''}`;
  else if (soabi.startsWith('cp')) abi = soabi.split('-')[0] ?? '';
  else if (soabi.startsWith('pypy')) abi = soabi.split('-').slice(0, 2).join('-');
  else if (soabi.startsWith('graalpy')) abi = soabi.split('-').slice(0, 3).join('-');
  else if (soabi) abi = soabi;
  else return [];
  return [normalizePlatformString(abi)];
}

/** packaging `generic_tags`: <interpreter>-<abi>-<platform>, with `none` appended. */
export function genericTags(interpreter: string, abis: readonly string[], platforms: readonly string[]): Tag[] {
  const all = abis.includes('none') ? [...abis] : [...abis, 'none'];
  const out: Tag[] = [];
  for (const abi of all) for (const platform of platforms) out.push({ interpreter, abi, platform });
  return out;
}

/** py311, py3, py310, …, py30: newer pure-Python tags are preferred. */
function pyInterpreterRange(pythonVersion: PythonVersion): string[] {
  const out: string[] = [];
  const [major = 3, minor] = pythonVersion;
  if (minor !== undefined) out.push(`py${major}${minor}`);
  out.push(`py${major}`);
  if (minor !== undefined) for (let m = minor - 1; m >= 0; m--) out.push(`py${major}${m}`);
  return out;
}

/**
 * packaging `compatible_tags`: py*-none-<platform>, then <interpreter>-none-any
 * (when given, e.g. `cp311`), then py*-none-any.
 */
export function compatibleTags(pythonVersion: PythonVersion, interpreter: string | undefined, platforms: readonly string[]): Tag[] {
  const out: Tag[] = [];
  const range = pyInterpreterRange(pythonVersion);
  for (const version of range) for (const platform of platforms) out.push({ interpreter: version, abi: 'none', platform });
  if (interpreter) out.push({ interpreter, abi: 'none', platform: 'any' });
  for (const version of range) out.push({ interpreter: version, abi: 'none', platform: 'any' });
  return out;
}

/** Everything `sys_tags()` would read from the running interpreter. */
export interface InterpreterFacts extends CpythonAbiFacts {
  /** `sys.implementation.name`, e.g. `cpython`. */
  implementation: string;
  /** `sys.version_info[:2]`. */
  pythonVersion: PythonVersion;
  /** sysconfig `py_version_nodot` (e.g. `311`). */
  pyVersionNodot?: ConfigValue;
  /** sysconfig `EXT_SUFFIX` (generic interpreters only). */
  extSuffix?: ConfigValue;
  /** `platform.system()`: `Linux`, `Darwin`, `Windows`, … */
  system: string;
  /** `sysconfig.get_platform()`, e.g. `linux-x86_64`, `win-amd64`, `macosx-11.0-arm64`. */
  sysconfigPlatform: string;
  /** Linux only. */
  linux?: LinuxFacts;
  /** macOS only: the OS version (`platform.mac_ver()[0]`, compat 10.16 resolved) and `mac_ver()[2]`. */
  macos?: { version: string; machine: string };
  /** `struct.calcsize("P") == 4`. */
  is32bit?: boolean;
}

/** packaging `interpreter_name`. */
export function interpreterName(implementation: string): string {
  return INTERPRETER_SHORT_NAMES[implementation] ?? implementation;
}

/** packaging `interpreter_version`: `py_version_nodot`, else major+minor. */
export function interpreterVersion(facts: Pick<InterpreterFacts, 'pyVersionNodot' | 'pythonVersion'>): string {
  const v = facts.pyVersionNodot;
  return truthy(v) ? String(v) : versionNodot(facts.pythonVersion.slice(0, 2));
}

/** packaging `_mac_arch`: a 32-bit interpreter on a 64-bit Mac runs as i386/ppc. */
export function macArch(machine: string, is32bit: boolean): string {
  if (!is32bit) return machine;
  return machine.startsWith('ppc') ? 'ppc' : 'i386';
}

/** packaging `platform_tags`, from facts. */
export function platformTags(facts: InterpreterFacts): string[] {
  if (facts.system === 'Darwin') {
    const mac = facts.macos ?? { version: '', machine: '' };
    return macPlatforms(mac.version, macArch(mac.machine, facts.is32bit ?? false));
  }
  if (facts.system === 'Linux') {
    return linuxPlatforms(facts.sysconfigPlatform, facts.is32bit ?? false, facts.linux ?? {});
  }
  return [normalizePlatformString(facts.sysconfigPlatform)];
}

/** packaging `sys_tags`: the full ordered tag list of an interpreter. */
export function sysTags(facts: InterpreterFacts): Tag[] {
  const name = interpreterName(facts.implementation);
  const platforms = platformTags(facts);
  const out: Tag[] = [];
  if (name === 'cp') {
    out.push(...cpythonTags(facts.pythonVersion, cpythonAbis(facts.pythonVersion, facts), platforms));
  } else {
    const ext = typeof facts.extSuffix === 'string' ? facts.extSuffix : '';
    const abis = genericAbi(ext, cpythonAbis(facts.pythonVersion, facts));
    out.push(...genericTags(`${name}${interpreterVersion(facts)}`, abis, platforms));
  }
  const interp = name === 'pp' ? 'pp3' : name === 'cp' ? `cp${interpreterVersion(facts)}` : undefined;
  out.push(...compatibleTags(facts.pythonVersion, interp, platforms));
  return out;
}
