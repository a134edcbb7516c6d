/**
 * Hand-made resolver results for lockfile tests: profiles, index files and
 * resolutions built by code, plus a small realistic config (two jobs, two
 * profiles, one package resolved at two versions).
 */
import { createHash } from 'node:crypto';
import type { Config, JobConfig } from '../../src/config/types.js';
import type { IndexFile } from '../../src/index/types.js';
import { Version } from '../../src/pep/version.js';
import type { Profile } from '../../src/profile/types.js';
import type { RequiredBy, Resolution, ResolvedPackage } from '../../src/resolve/resolve.js';

export function fakeProfile(name: string, platform: Profile['platform'], python: string): Profile {
  return {
    name,
    platform,
    python,
    implementation: 'cpython',
    markers: {
      implementation_name: 'cpython',
      implementation_version: `${python}.0`,
      os_name: platform.startsWith('windows') ? 'nt' : 'posix',
      platform_machine: platform.split('-')[1] ?? '',
      platform_python_implementation: 'CPython',
      platform_release: '',
      platform_system: platform.startsWith('windows') ? 'Windows' : 'Linux',
      platform_version: '',
      python_full_version: `${python}.0`,
      python_version: python,
      sys_platform: platform.startsWith('windows') ? 'win32' : 'linux',
    },
    tags: [`cp${python.replace('.', '')}-none-any`, 'py3-none-any'],
  };
}

/** sha256 of a fake content derived from the filename (or of `content`). */
export function sha256Of(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

export function indexFile(filename: string, extra: Partial<IndexFile> = {}): IndexFile {
  const content = `contents of ${filename}`;
  return {
    filename,
    url: `https://pypi.example/packages/${filename}`,
    hashes: { sha256: sha256Of(content) },
    requiresPython: undefined,
    yanked: false,
    coreMetadata: false,
    size: Buffer.byteLength(content),
    kind: filename.endsWith('.whl') ? 'wheel' : 'sdist',
    ...extra,
  };
}

/** "requests==2.32.3 <- job: requests[socks]>=2, ..." */
export function resolved(name: string, version: string, file: IndexFile | string, requiredBy: [string, string][], extras: string[] = []): ResolvedPackage {
  const f = typeof file === 'string' ? indexFile(file) : file;
  return {
    name,
    version: Version.parse(version),
    file: { file: f, kind: f.kind === 'wheel' ? 'wheel' : 'sdist', rank: 0, build: 0 },
    extras,
    requiredBy: requiredBy.map(([by, requirement]): RequiredBy => ({ by, requirement })),
  };
}

export function resolution(job: string, profile: Profile, packages: ResolvedPackage[]): Resolution {
  return { job, profile, packages, stats: { decisions: 0, conflicts: 0, backtracks: 0, candidatesTried: 0 } };
}

export function jobConfig(name: string, requires: string[], profiles: string[], constraints: string[] = []): JobConfig {
  return { name, requirements: [], requirementTexts: requires, constraints: [], constraintTexts: constraints, profiles };
}

export type LockConfig = Pick<Config, 'digest' | 'index' | 'profiles' | 'jobs'>;

export const LINUX = fakeProfile('linux-x86_64-py3.11', 'linux-x86_64', '3.11');
export const WINDOWS = fakeProfile('windows-amd64-py3.11', 'windows-amd64', '3.11');

export const CONFIG_DIGEST = `sha256:${sha256Of('config')}`;

export function sampleConfig(): LockConfig {
  return {
    digest: CONFIG_DIGEST,
    index: 'https://pypi.example/simple/',
    profiles: new Map([
      [WINDOWS.name, WINDOWS],
      [LINUX.name, LINUX],
    ]),
    jobs: new Map([
      ['talos', jobConfig('talos', ['requests[socks]>=2', 'six'], [LINUX.name, WINDOWS.name], ['urllib3<3'])],
      ['docs', jobConfig('docs', ['requests==2.31.0'], [LINUX.name])],
    ]),
  };
}

const requestsDeps = (v: string): [string, string][] => [['requests', v]];

/**
 * talos: requests 2.32.3 (+socks → pysocks), urllib3, certifi, idna,
 * charset-normalizer (a platform wheel per profile), six (an sdist).
 * docs: requests 2.31.0 with an older urllib3.
 */
export function sampleResolutions(): Resolution[] {
  const talos = (profile: Profile, charset: string): Resolution =>
    resolution('talos', profile, [
      resolved('six', '1.16.0', 'six-1.16.0.tar.gz', [['job', 'six']]),
      resolved('requests', '2.32.3', 'requests-2.32.3-py3-none-any.whl', [['job', 'requests[socks]>=2']], ['socks']),
      resolved('urllib3', '2.2.3', 'urllib3-2.2.3-py3-none-any.whl', requestsDeps('urllib3<3,>=1.21.1')),
      resolved('certifi', '2024.8.30', 'certifi-2024.8.30-py3-none-any.whl', requestsDeps('certifi>=2017.4.17')),
      resolved('idna', '3.10', 'idna-3.10-py3-none-any.whl', requestsDeps('idna<4,>=2.5')),
      resolved('charset-normalizer', '3.4.0', charset, requestsDeps('charset_normalizer<4,>=2')),
      resolved('pysocks', '1.7.1', 'PySocks-1.7.1-py3-none-any.whl', requestsDeps('PySocks!=1.5.7,>=1.5.6; extra == "socks"')),
    ]);
  return [
    talos(LINUX, 'charset_normalizer-3.4.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl'),
    talos(WINDOWS, 'charset_normalizer-3.4.0-cp311-cp311-win_amd64.whl'),
    resolution('docs', LINUX, [
      resolved('requests', '2.31.0', 'requests-2.31.0-py3-none-any.whl', [['job', 'requests==2.31.0']]),
      resolved('urllib3', '1.26.20', 'urllib3-1.26.20-py2.py3-none-any.whl', requestsDeps('urllib3<3,>=1.21.1')),
      resolved('certifi', '2024.8.30', 'certifi-2024.8.30-py3-none-any.whl', requestsDeps('certifi>=2017.4.17')),
      resolved('idna', '3.10', 'idna-3.10-py3-none-any.whl', requestsDeps('idna<4,>=2.5')),
      resolved('charset-normalizer', '3.4.0', 'charset_normalizer-3.4.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', requestsDeps('charset_normalizer<4,>=2')),
    ]),
  ];
}

/** Stand-in for the config loader's profile digest. */
export function fakeProfileDigest(p: Profile): string {
  return `sha256:${sha256Of(JSON.stringify([p.markers, p.tags]))}`;
}
