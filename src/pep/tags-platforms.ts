/**
 * Platform tags, most preferred first, ported from packaging 24.1
 * (`tags.mac_platforms`, `tags._linux_platforms`, `_manylinux.platform_tags`,
 * `_musllinux.platform_tags`).
 * manylinux: PEP 513 / 571 / 599 legacy names, PEP 600 `manylinux_x_y`.
 * musllinux: PEP 656. macOS: https://packaging.python.org/en/latest/specifications/platform-compatibility-tags/#macos
 */

/** packaging `_normalize_string`: `linux-x86_64` -> `linux_x86_64`, `macosx-11.0-arm64` -> `macosx_11_0_arm64`. */
export function normalizePlatformString(s: string): string {
  return s.replace(/[.\- ]/g, '_');
}

type MajorMinor = [number, number];

function cmp(a: MajorMinor, b: MajorMinor): number {
  return a[0] - b[0] || a[1] - b[1];
}

/**
 * Parses `2.17` / `10.12` / `11` to (major, minor). Like packaging's
 * `_parse_glibc_version`, trailing junk (`2.20-2014.11`) is ignored; anything
 * without a leading number gives undefined.
 */
export function parseMajorMinor(version: string): MajorMinor | undefined {
  const m = /^(\d+)(?:\.(\d+))?/.exec(version);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2] ?? 0)];
}

/** packaging `_mac_binary_formats`: the fat/universal formats that include `cpuArch`. */
function macBinaryFormats(version: MajorMinor, cpuArch: string): string[] {
  const formats = [cpuArch];
  if (cpuArch === 'x86_64') {
    if (cmp(version, [10, 4]) < 0) return [];
    formats.push('intel', 'fat64', 'fat32');
  } else if (cpuArch === 'i386') {
    if (cmp(version, [10, 4]) < 0) return [];
    formats.push('intel', 'fat32', 'fat');
  } else if (cpuArch === 'ppc64') {
    if (cmp(version, [10, 5]) > 0 || cmp(version, [10, 4]) < 0) return [];
    formats.push('fat64');
  } else if (cpuArch === 'ppc') {
    if (cmp(version, [10, 6]) > 0) return [];
    formats.push('fat32', 'fat');
  }
  if (cpuArch === 'arm64' || cpuArch === 'x86_64') formats.push('universal2');
  if (['x86_64', 'i386', 'ppc64', 'ppc', 'intel'].includes(cpuArch)) formats.push('universal');
  return formats;
}

/**
 * packaging `mac_platforms`. Before macOS 11 the yearly release bumped the
 * minor (10.15, 10.14, …); from 11 on it bumps the major, so 13.x accepts
 * 13_0, 12_0, 11_0 and then every 10.x. Apple Silicon has no pre-11 binaries
 * except `universal2` ones whose x86_64 half targets 10.x.
 * `version` is the macOS version of the target (`"11.0"`, `"10.12"`).
 */
export function macPlatforms(version: string | MajorMinor, arch: string): string[] {
  const v = typeof version === 'string' ? parseMajorMinor(version) : version;
  const out: string[] = [];
  if (!v) return out;
  const push = (major: number, minor: number, formats: readonly string[]): void => {
    for (const f of formats) out.push(`macosx_${major}_${minor}_${f}`);
  };
  if (cmp(v, [10, 0]) >= 0 && cmp(v, [11, 0]) < 0) {
    for (let minor = v[1]; minor >= 0; minor--) push(10, minor, macBinaryFormats([10, minor], arch));
  }
  if (cmp(v, [11, 0]) >= 0) {
    for (let major = v[0]; major > 10; major--) push(major, 0, macBinaryFormats([major, 0], arch));
    for (let minor = 16; minor > 3; minor--) {
      push(10, minor, arch === 'x86_64' ? macBinaryFormats([10, minor], arch) : ['universal2']);
    }
  }
  return out;
}

/** PEP 600's legacy aliases, emitted right after the `manylinux_2_x` tag they alias. */
const LEGACY_MANYLINUX: ReadonlyMap<string, string> = new Map([
  ['2.17', 'manylinux2014'],
  ['2.12', 'manylinux2010'],
  ['2.5', 'manylinux1'],
]);

/** packaging `_LAST_GLIBC_MINOR` default: assumed last minor of an older glibc major. */
const LAST_GLIBC_MINOR = 50;

/**
 * `_manylinux.platform_tags` for a target whose glibc is `glibc` (`"2.17"`;
 * undefined/null = not a glibc system, giving no tags). For every glibc from
 * the target's down to the oldest manylinux baseline (2.5 on x86_64/i686,
 * 2.17 elsewhere — no older manylinux existed for those arches) it yields
 * `manylinux_2_N_<arch>` and, for 2.17/2.12/2.5, the legacy alias.
 * Not modelled: a `_manylinux` module on the target that vetoes versions
 * (PEP 600 `manylinux_compatible`); `detectProfile` warns about it.
 */
export function manylinuxPlatforms(archs: string | readonly string[], glibc: string | null | undefined): string[] {
  const list = typeof archs === 'string' ? [archs] : archs;
  // `_parse_glibc_version` wants both major and minor; otherwise (-1, -1), no tags.
  const m = glibc ? /^(\d+)\.(\d+)/.exec(glibc) : null;
  const current: MajorMinor = m ? [Number(m[1]), Number(m[2])] : [-1, -1];
  const tooOld: MajorMinor = list.some((a) => a === 'x86_64' || a === 'i686') ? [2, 4] : [2, 16];
  const maxList: MajorMinor[] = [current];
  for (let major = current[0] - 1; major > 1; major--) maxList.push([major, LAST_GLIBC_MINOR]);
  const out: string[] = [];
  for (const arch of list) {
    for (const max of maxList) {
      const minMinor = max[0] === tooOld[0] ? tooOld[1] : -1;
      for (let minor = max[1]; minor > minMinor; minor--) {
        out.push(`manylinux_${max[0]}_${minor}_${arch}`);
        const legacy = LEGACY_MANYLINUX.get(`${max[0]}.${minor}`);
        if (legacy) out.push(`${legacy}_${arch}`);
      }
    }
  }
  return out;
}

/** `_musllinux.platform_tags` (PEP 656): musllinux_1_N for N from the target's minor down to 0. */
export function musllinuxPlatforms(archs: string | readonly string[], musl: string | null | undefined): string[] {
  const list = typeof archs === 'string' ? [archs] : archs;
  const v = musl ? parseMajorMinor(musl) : undefined;
  if (!v) return [];
  const out: string[] = [];
  for (const arch of list) for (let minor = v[1]; minor >= 0; minor--) out.push(`musllinux_${v[0]}_${minor}_${arch}`);
  return out;
}

/** What `_manylinux._have_compatible_abi` reads from the interpreter's ELF header. */
export interface ElfHeader {
  /** EI_CLASS: 32 or 64. */
  bits: 32 | 64;
  /** EI_DATA little-endian. */
  littleEndian: boolean;
  /** e_machine (3 = i386, 40 = ARM, 62 = x86_64). */
  machine: number;
  /** e_flags. */
  flags: number;
}

export interface LinuxFacts {
  /** glibc version (`os.confstr("CS_GNU_LIBC_VERSION")`), or null/undefined if not glibc. */
  glibc?: string | null;
  /** musl version from the dynamic loader, or null/undefined if not musl. */
  musl?: string | null;
  /**
   * The interpreter executable's ELF header. Undefined = assume it matches the
   * platform (a profile describes a consistent interpreter); null = unreadable.
   */
  executable?: ElfHeader | null;
}

const EM_386 = 3;
const EM_ARM = 40;
const EF_ARM_ABIMASK = 0xff000000;
const EF_ARM_ABI_VER5 = 0x05000000;
const EF_ARM_ABI_FLOAT_HARD = 0x00000400;

/** `_manylinux._have_compatible_abi`: manylinux armv7l needs hard-float, i686 a 32-bit x86 executable. */
function haveCompatibleManylinuxAbi(archs: readonly string[], elf: ElfHeader | null | undefined): boolean {
  if (archs.includes('armv7l')) {
    if (elf === undefined) return true;
    return (
      elf !== null &&
      elf.bits === 32 &&
      elf.littleEndian &&
      elf.machine === EM_ARM &&
      (elf.flags & EF_ARM_ABIMASK) >>> 0 === EF_ARM_ABI_VER5 &&
      (elf.flags & EF_ARM_ABI_FLOAT_HARD) === EF_ARM_ABI_FLOAT_HARD
    );
  }
  if (archs.includes('i686')) {
    if (elf === undefined) return true;
    return elf !== null && elf.bits === 32 && elf.littleEndian && elf.machine === EM_386;
  }
  const allowed = new Set(['x86_64', 'aarch64', 'ppc64', 'ppc64le', 's390x', 'loongarch64', 'riscv64']);
  return archs.some((a) => allowed.has(a));
}

/**
 * packaging `_linux_platforms`: manylinux, then musllinux, then the plain
 * `linux_<arch>` tag (only installable on the machine that built it). A 32-bit
 * interpreter on a 64-bit kernel reports `linux-x86_64`/`linux-aarch64` in
 * sysconfig but runs i686/armv8l code; armv8l also accepts armv7l wheels.
 */
export function linuxPlatforms(sysconfigPlatform: string, is32bit: boolean, facts: LinuxFacts): string[] {
  let linux = normalizePlatformString(sysconfigPlatform);
  if (!linux.startsWith('linux_')) return [linux];
  if (is32bit) {
    if (linux === 'linux_x86_64') linux = 'linux_i686';
    else if (linux === 'linux_aarch64') linux = 'linux_armv8l';
  }
  const arch = linux.slice('linux_'.length);
  const archs = arch === 'armv8l' ? ['armv8l', 'armv7l'] : [arch];
  const out: string[] = [];
  if (haveCompatibleManylinuxAbi(archs, facts.executable)) out.push(...manylinuxPlatforms(archs, facts.glibc));
  out.push(...musllinuxPlatforms(archs, facts.musl));
  for (const a of archs) out.push(`linux_${a}`);
  return out;
}

/** Windows has one platform tag per architecture (`sysconfig.get_platform()` normalized). */
export function windowsPlatforms(arch: 'amd64' | 'x86' | 'arm64'): string[] {
  return [arch === 'amd64' ? 'win_amd64' : arch === 'arm64' ? 'win_arm64' : 'win32'];
}
