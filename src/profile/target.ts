/**
 * From profile parameters (platform, python, glibc/musl/macos) to the facts
 * an interpreter on that target would report, and from there to its tag list
 * with the same generators `detectProfile` uses (one algorithm for both).
 */
import { sysTags, tagToString, type InterpreterFacts } from '../pep/tags.js';
import type { PlatformName } from './types.js';

/**
 * manylinux2014's baseline: the oldest glibc still widely targeted by
 * manylinux wheels (CentOS 7). Targets with a newer glibc should say so
 * (`glibc: "2.28"`) to also accept manylinux_2_28 wheels.
 */
export const DEFAULT_GLIBC = '2.17';

/**
 * Default minimum macOS: 10.12 for Intel (python.org installers up to 3.12
 * support 10.9+, wheels commonly target 10.9–10.13; 10.12 accepts most of
 * them while excluding wheels that need a newer OS), 11.0 for Apple Silicon
 * (the first release that runs on it).
 */
export const DEFAULT_MACOS: Readonly<Record<'macos-x86_64' | 'macos-arm64', string>> = {
  'macos-x86_64': '10.12',
  'macos-arm64': '11.0',
};

export interface TargetParams {
  platform: PlatformName;
  python: string;
  glibc?: string;
  musl?: string;
  macos?: string;
}

export function isLinux(p: PlatformName): boolean {
  return p.startsWith('linux-');
}

export function isMacos(p: PlatformName): p is 'macos-x86_64' | 'macos-arm64' {
  return p.startsWith('macos-');
}

function pythonVersion(python: string): [number, number] {
  const [major, minor] = python.split('.').map(Number);
  return [major ?? 3, minor ?? 0];
}

/**
 * The facts of a standard (release, non-debug, GIL) CPython build on the
 * target. Python 2.7 is the one case where the build flavour shows in the ABI
 * tag: Linux builds (distros, pyenv, manylinux images) use UCS-4 (`cp27mu`),
 * python.org's macOS and Windows builds UCS-2 (`cp27m`).
 */
export function targetFacts(p: TargetParams): InterpreterFacts {
  const [major, minor] = pythonVersion(p.python);
  const base = {
    implementation: 'cpython',
    pythonVersion: [major, minor],
    pyVersionNodot: `${major}${minor}`,
    pyDebug: 0,
    gilDisabled: 0,
    withPymalloc: 1,
    hasGettotalrefcount: false,
    extensionSuffixes: [],
  } satisfies Partial<InterpreterFacts>;
  switch (p.platform) {
    case 'linux-x86_64':
    case 'linux-i686':
    case 'linux-aarch64': {
      const musl = p.musl;
      return {
        ...base,
        unicodeSize: 4,
        maxunicode: 0x10ffff,
        system: 'Linux',
        sysconfigPlatform: p.platform,
        is32bit: p.platform === 'linux-i686',
        linux: musl ? { musl } : { glibc: p.glibc ?? DEFAULT_GLIBC },
      };
    }
    case 'macos-x86_64':
    case 'macos-arm64': {
      const machine = p.platform === 'macos-arm64' ? 'arm64' : 'x86_64';
      const version = p.macos ?? DEFAULT_MACOS[p.platform];
      return {
        ...base,
        unicodeSize: 2,
        maxunicode: 0xffff,
        system: 'Darwin',
        sysconfigPlatform: `macosx-${version}-${machine}`,
        is32bit: false,
        macos: { version, machine },
      };
    }
    case 'windows-amd64':
    case 'windows-x86':
      return {
        ...base,
        unicodeSize: 2,
        maxunicode: 0xffff,
        system: 'Windows',
        sysconfigPlatform: p.platform === 'windows-amd64' ? 'win-amd64' : 'win32',
        is32bit: p.platform === 'windows-x86',
      };
  }
}

/** The ordered tag list of the target, as `packaging.tags.sys_tags()` would give it there. */
export function targetTags(p: TargetParams): string[] {
  return sysTags(targetFacts(p)).map(tagToString);
}
