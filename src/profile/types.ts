/**
 * A target profile: the environment a lock is made for. It carries the
 * PEP 508 marker values (to evaluate `; sys_platform == "win32"` and friends)
 * and the ORDERED wheel tags pip on that interpreter would accept
 * (`packaging.tags.sys_tags()`), most preferred first.
 */

/** The platforms pyindex has built-in profiles for. */
export const PLATFORM_NAMES = [
  'linux-x86_64',
  'linux-i686',
  'linux-aarch64',
  'macos-x86_64',
  'macos-arm64',
  'windows-amd64',
  'windows-x86',
] as const;
export type PlatformName = (typeof PLATFORM_NAMES)[number];

/** CPython feature versions with built-in profiles. */
export const PYTHON_VERSIONS = ['2.7', '3.8', '3.9', '3.10', '3.11', '3.12', '3.13', '3.14'] as const;

/** PEP 508 environment markers: https://peps.python.org/pep-0508/#environment-markers */
import type { MarkerEnvironment } from '../pep/markers.js';
export { MARKER_VARIABLES as MARKER_NAMES, type MarkerVariable as MarkerName, type MarkerEnvironment } from '../pep/markers.js';

export interface Profile {
  name: string;
  platform: PlatformName;
  /** Feature version, e.g. "3.11". */
  python: string;
  implementation: 'cpython';
  markers: MarkerEnvironment;
  /** Wheel tags, most preferred first (`cp311-cp311-manylinux_2_17_x86_64`, …). */
  tags: string[];
  /** Linux/glibc targets: the glibc version the target machine has. */
  glibc?: string;
  /** Linux/musl targets (PEP 656): the musl version; replaces manylinux tags. */
  musl?: string;
  /** macOS targets: the oldest macOS version the target machines run. */
  macos?: string;
}

/**
 * A profile as written in YAML (a built-in file or an inline entry under a
 * config's `profiles:`). Either standalone (`platform` + `python`) or
 * `extends` another profile and overrides some fields.
 */
export interface ProfileSpec {
  extends?: string;
  description?: string;
  platform?: PlatformName;
  python?: string;
  glibc?: string;
  musl?: string;
  macos?: string;
  markers?: Partial<MarkerEnvironment>;
}

export type { SpecSource } from '../util/yaml-source.js';
import type { SpecSource } from '../util/yaml-source.js';

export interface BuiltinProfile {
  name: string;
  spec: ProfileSpec & { platform: PlatformName; python: string; markers: MarkerEnvironment };
  source: SpecSource;
}
