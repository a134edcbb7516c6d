/**
 * Generated Lockfile objects: adversarial ones (every string drawn from
 * pieces YAML treats specially) for the emitter's differential test, and a
 * realistic large one for the lock-write benchmark. Seeded, so a failure
 * reproduces from its seed.
 */
import { createHash } from 'node:crypto';
import type { LockedFile, LockedJob, LockedPackage, LockedProfile, LockedRequirement, Lockfile } from '../../src/lock/types.js';

export type Rand = () => number;

/** mulberry32: small, fast, good enough to spread test cases. */
export function seededRandom(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const count = (rand: Rand, max: number): number => Math.floor(rand() * (max + 1));

/**
 * Pieces YAML 1.2 (core schema) and yaml 2's quoting rules care about:
 * things that resolve to null/bool/int/float, YAML 1.1-only booleans and
 * timestamps (plain in 1.2), indicators, `: ` and ` #`, whitespace at the
 * ends, newlines (block scalars, chomping), control characters, surrogates,
 * document markers, and realistic requirement/marker texts.
 */
export const ATOMS: readonly string[] = [
  '', ' ', '  ', '1', '0', '007', '1.0', '2020.1', '3.10', '1e5', '1E-5', '1e+5', '.5', '5.', '0x1F', '0X1F', '0o17', '0o8', '0b101', '+1', '-1', '-1.5', '1_000',
  '.inf', '-.Inf', '+.INF', '.nan', '.NaN', '.NAN', 'inf', 'nan', 'true', 'True', 'TRUE', 'tRue', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL', 'nULL', '~',
  'yes', 'no', 'on', 'off', 'Yes', 'NO', 'y', 'n', 'Y', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '12:30:45', '1:2', '<<', '=',
  ':', ': ', ' :', '::', ':x', 'x:', '#', ' #', '# ', 'a#b', '*', '&', '!', '!!str', '%', '%YAML 1.2', '@', '`', '|', '>', '[', ']', '{', '}', ',', '?', '? ', '-', '- ', '--', '---', '...', '-x', '?x',
  "'", '"', "''", '""', '\\', '\\n', '/', '\t', ' \t', '\n', '\n\n', ' \n', '\n ', '\n\t', '\r', '\r\n', '\x00', '\x07', '\x1b', '\x7f', '\x85', '\x9f', '\u00a0', '\u2028', '\u2029', '\ufeff',
  'é', 'ß', '日本語', '😀', '\ud800', '\udfff', 'job', 'job: ', 'requests', 'requests[socks]>=2', 'urllib3<3,>=1.21.1', 'PySocks!=1.5.7,>=1.5.6; extra == "socks"',
  "six; platform_system == 'Windows'", 'idna>=1.0; python_version >= "3.8" and sys_platform != "win32" # comment', 'pkg @ https://example.invalid/pkg-1.0.tar.gz#sha256=abc',
  'https://pypi.example/simple/', 'file:///srv/wheels', 'C:\\wheels', 'sha256:', 'linux-x86_64-py3.11', 'charset_normalizer-3.4.0-cp311-cp311-win_amd64.whl', '__proto__', 'constructor', 'toString',
];

const ALPHABET = 'aZ09 .-_:#,[]{}&*!|>\'"%@`?~\\/=<>+;\t\n\r\u00e9\u00a0\u0085\u2028';

/** An adversarial string: an atom, a few atoms glued, random characters, or a long run. */
export function adversarialString(rand: Rand): string {
  const mode = rand();
  if (mode < 0.35) return pick(rand, ATOMS);
  if (mode < 0.75) {
    let s = '';
    for (let i = 1 + count(rand, 3); i > 0; i--) s += pick(rand, ATOMS);
    return s;
  }
  if (mode < 0.97) {
    let s = '';
    for (let i = count(rand, 12); i > 0; i--) s += pick(rand, ALPHABET.split(''));
    return s;
  }
  // Long strings: folding would kick in at the default lineWidth; keys over 1024 characters become explicit `? key`.
  return pick(rand, ['x', 'ab ', 'a: ', '1']).repeat(300 + count(rand, 200)) + pick(rand, ATOMS);
}

function randomSize(rand: Rand): number {
  return pick(rand, [0, 1, 12, 46, 2 ** 31, 2 ** 53 - 1, count(rand, 1e9), count(rand, 1e6), 1e21]);
}

function randomRecord<T>(rand: Rand, max: number, value: () => T): Record<string, T> {
  const out: Record<string, T> = {};
  for (let i = count(rand, max); i > 0; i--) {
    const key = adversarialString(rand);
    // Never `__proto__`: config names cannot be (schemas/config.schema.json), and the old writer copied records by
    // assignment, which turned such an entry into a prototype (dropped, or written as a list); see yaml-emit.test.ts.
    if (key !== '__proto__') out[key] = value();
  }
  return out;
}

const strings = (rand: Rand, max: number): string[] => Array.from({ length: count(rand, max) }, () => adversarialString(rand));

/** A Lockfile of the right TypeScript shape whose every string and key is adversarial. */
export function randomLockfile(rand: Rand): Lockfile {
  const profiles = randomRecord(rand, 3, (): LockedProfile => ({ platform: adversarialString(rand), python: adversarialString(rand), digest: adversarialString(rand) }));
  const packages = Array.from({ length: count(rand, 3) }, (): LockedPackage => ({
    name: adversarialString(rand),
    version: adversarialString(rand),
    files: Array.from({ length: 1 + count(rand, 2) }, (): LockedFile => ({
      filename: adversarialString(rand),
      sha256: adversarialString(rand),
      size: randomSize(rand),
      url: adversarialString(rand),
      profiles: strings(rand, 3),
    })),
  }));
  const requirement = (): LockedRequirement => ({
    name: adversarialString(rand),
    version: adversarialString(rand),
    file: adversarialString(rand),
    extras: strings(rand, 2),
    requiredBy: strings(rand, 3),
  });
  const jobs = randomRecord(rand, 3, (): LockedJob => ({
    requires: strings(rand, 3),
    constraints: strings(rand, 2),
    profiles: randomRecord(rand, 2, () => Array.from({ length: count(rand, 3) }, requirement)),
  }));
  return { version: 1, configDigest: adversarialString(rand), index: adversarialString(rand), profiles, packages, jobs };
}

const hex = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * A realistic large lock: `packageCount` projects, `profileNames.length`
 * profiles, each package with one universal wheel or per-profile platform
 * wheels, one job installing everything in every profile.
 */
export function realisticLockfile(packageCount: number, profileNames: readonly string[]): Lockfile {
  const rand = seededRandom(packageCount * 31 + profileNames.length);
  const profiles: Record<string, LockedProfile> = {};
  for (const p of profileNames) profiles[p] = { platform: p.replace(/-py.*/, ''), python: p.replace(/.*-py/, ''), digest: `sha256:${hex(p)}` };
  const packages: LockedPackage[] = [];
  const reqs: Record<string, LockedRequirement[]> = Object.fromEntries(profileNames.map((p) => [p, []]));
  for (let i = 0; i < packageCount; i++) {
    const name = `project-${i.toString(36)}${pick(rand, ['', '-utils', '-core', 'lib'])}`;
    const version = pick(rand, ['1.0', '2.32.3', '2024.8.30', '0.9.1', '3.10', '1.26.20', '10.0.0rc1', '4.2.post1']);
    const universal = rand() < 0.7;
    const files: LockedFile[] = universal
      ? [{ filename: `${name.replace(/-/g, '_')}-${version}-py3-none-any.whl`, sha256: hex(name), size: count(rand, 5e6), url: '', profiles: [...profileNames] }]
      : profileNames.map((p) => ({ filename: `${name.replace(/-/g, '_')}-${version}-cp311-cp311-${p}.whl`, sha256: hex(name + p), size: count(rand, 5e6), url: '', profiles: [p] }));
    for (const f of files) f.url = `https://pypi.example/packages/${hex(f.filename).slice(0, 2)}/${f.filename}`;
    packages.push({ name, version, files });
    for (const [k, p] of profileNames.entries()) {
      const by = i === 0 || rand() < 0.1 ? `job: ${name}>=1` : `${packages[Math.floor(rand() * i)]!.name}: ${name}<5,>=${version}${rand() < 0.2 ? '; python_version >= "3.8"' : ''}`;
      reqs[p]!.push({ name, version, file: files[universal ? 0 : k]!.filename, extras: rand() < 0.1 ? ['socks'] : [], requiredBy: [by] });
    }
  }
  const requires = packages.filter((_, i) => i % 10 === 0).map((p) => `${p.name}>=${p.version}`);
  return {
    version: 1,
    configDigest: `sha256:${hex('config')}`,
    index: 'https://pypi.example/simple/',
    profiles,
    packages,
    jobs: { ci: { requires, constraints: ['urllib3<3'], profiles: reqs } },
  };
}
