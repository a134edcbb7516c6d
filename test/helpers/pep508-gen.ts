/**
 * Seeded generators of PEP 508 markers and requirements for differential
 * tests and benchmarks against Python's packaging, plus the Pythons that
 * carry the packaging versions we compare with.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pyenvRoot } from './python.js';
import { prng } from './pep440-corpus.js';
import type { MarkerEnvironment } from '../../src/pep/markers.js';

/** pip 24.2 under 3.13.0 vendors packaging 24.1: the oracle. */
export function packaging24Python(): string | undefined {
  const root = pyenvRoot();
  const p = root ? join(root, 'versions', '3.13.0', 'bin', 'python') : undefined;
  return p && existsSync(p) ? p : undefined;
}

/** pip 23.2.1 under 3.11.7 vendors packaging 21.3 (LegacyVersion, pyparsing grammar). */
export function packaging21Python(): string | undefined {
  const root = pyenvRoot();
  const p = root ? join(root, 'versions', '3.11.7', 'bin', 'python') : undefined;
  return p && existsSync(p) ? p : undefined;
}

export { prng };

export class Gen {
  readonly rnd: () => number;
  constructor(seed: number) {
    this.rnd = prng(seed);
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rnd() * items.length)] as T;
  }
  chance(p: number): boolean {
    return this.rnd() < p;
  }
  ws(): string {
    return this.pick(['', '', ' ', ' ', ' ', '  ', '\t']);
  }
}

const VARIABLES = [
  'python_version', 'python_version', 'python_version', 'python_full_version', 'python_full_version',
  'os_name', 'sys_platform', 'sys_platform', 'platform_system', 'platform_machine', 'platform_release',
  'platform_version', 'platform_python_implementation', 'implementation_name', 'implementation_version',
  'extra', 'extra', 'extra',
  // legacy spellings packaging 24.1 still accepts
  'os.name', 'sys.platform', 'platform.version', 'platform.machine', 'platform.python_implementation', 'python_implementation',
];
const BAD_VARIABLES = ['platform.release', 'implementation.name', 'foo', 'python_versions', 'Python_version', 'extras'];

const OPERATORS = ['<', '<=', '==', '==', '==', '!=', '>=', '>=', '>', '~=', '===', 'in', 'not in', 'not  in'];
const BAD_OPERATORS = ['=', '=>', '<>', 'notin', 'is', '!', '==='];

const VERSION_VALUES = [
  '2.7', '3', '3.6', '3.8', '3.10', '3.11', '3.12', '3.13', '3.11.7', '3.8.0', '3.13.0rc1', '3.14.0a1', '3.*', '3.11.*',
  '2.7.*', '1!3.8', '3.8.dev0', '3.9.post1', ' 3.9 ', 'v3.10', '3.11.7+local', '3.11.7+', '6.1.0-18-amd64', '6.1', '5.15.0',
  '10', '10.0.19041', '23.1.0', '7.3.13', '3.11.7.0', '3.1', '3.13.0',
];
const STRING_VALUES = [
  'linux', 'win32', 'darwin', 'cygwin', 'posix', 'nt', 'Linux', 'Windows', 'Darwin', 'x86_64', 'AMD64', 'arm64', 'aarch64',
  'i686', 'CPython', 'PyPy', 'cpython', 'pypy', '', 'lin', 'foo bar', '#1 SMP', 'win', 'x86_64 aarch64', 'Linux Darwin',
  'ä', 'A', 'z',
];
const EXTRA_VALUES = ['test', 'tests', 'Foo_Bar', 'foo-bar', 'foo.bar', 'DOCS', 'docs', 'a', 'Foo__Bar', '1.0', 'dev'];
const ESCAPED_VALUES = ['a\\tb', '\\x41', 'lin\\\\ux', '\\u00e9', 'li\\nux', '\\d'];

function quote(g: Gen, value: string): string {
  if (value.includes("'")) return `"${value}"`;
  if (value.includes('"')) return `'${value}'`;
  return g.chance(0.5) ? `"${value}"` : `'${value}'`;
}

function value(g: Gen, variable: string): string {
  if (g.chance(0.03)) return g.pick(ESCAPED_VALUES);
  if (variable === 'extra') return g.chance(0.85) ? g.pick(EXTRA_VALUES) : g.pick(STRING_VALUES);
  if (/version|release/.test(variable)) return g.chance(0.85) ? g.pick(VERSION_VALUES) : g.pick(STRING_VALUES);
  return g.chance(0.8) ? g.pick(STRING_VALUES) : g.pick(VERSION_VALUES);
}

/** One comparison; `broken` makes it syntactically invalid on purpose. */
function comparison(g: Gen, broken: boolean): string {
  const variable = broken && g.chance(0.3) ? g.pick(BAD_VARIABLES) : g.pick(VARIABLES);
  const op = broken && g.chance(0.3) ? g.pick(BAD_OPERATORS) : g.pick(OPERATORS);
  const lit = quote(g, value(g, variable.replace('.', '_')));
  const [a, b] = g.chance(0.8) ? [variable, lit] : [lit, variable];
  const wsA = /^[a-z]/.test(op) ? g.pick([' ', ' ', '\t']) : g.ws();
  const wsB = /[a-z]$/.test(op) ? g.pick([' ', ' ', '\t', '']) : g.ws();
  return `${g.ws()}${a}${wsA}${op}${wsB}${b}${g.ws()}`;
}

function expression(g: Gen, depth: number, broken: boolean): string {
  const n = depth > 2 ? 1 : g.pick([1, 1, 1, 2, 2, 3, 4]);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0) parts.push(g.pick([' and ', ' or ', ' and ', ' or ', 'and ', ' or\t']));
    if (depth < 3 && g.chance(0.25)) {
      const inner = expression(g, depth + 1, false);
      parts.push(g.chance(0.15) ? `((${inner}))` : `(${g.ws()}${inner}${g.ws()})`);
    } else {
      parts.push(comparison(g, false));
    }
  }
  let out = parts.join('');
  if (broken) {
    const how = g.pick(['variable', 'trailing', 'comment', 'paren', 'drop', 'and', 'quote']);
    switch (how) {
      case 'variable':
        out = `${comparison(g, true)} and ${out}`;
        break;
      case 'trailing':
        out += g.pick([' x', ' ;', ',', ' "a"', ')']);
        break;
      case 'comment':
        out += ' # comment';
        break;
      case 'paren':
        out = `(${out}`;
        break;
      case 'drop':
        out = out.slice(0, Math.floor(g.rnd() * out.length));
        break;
      case 'and':
        out += ' and';
        break;
      case 'quote':
        out = out.replace(/["']/, '');
        break;
    }
  }
  return out;
}

/** `count` marker strings, about 10 % of them broken on purpose. */
export function generateMarkers(seed: number, count: number): string[] {
  const g = new Gen(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(expression(g, 0, g.chance(0.1)));
  return out;
}

const NAMES = ['requests', 'Django', 'zope.interface', 'typing_extensions', 'A', 'a-b', 'A.B-C_D', 'pkg1', 'x_', '1pkg'];
const BAD_NAMES = ['-a', 'a b', 'é', '_x', '.a'];
const SPEC_VERSIONS = ['1', '1.0', '1.0.0', '2.1', '1.0a1', '1.0.post1', '1.0.dev0', '1!1.0', 'v1.0', '1.*', '1.0.*', '1.0+local', '0.9', 'foo', '1.0-1', '1.0rc2', '2021.10'];
const SPEC_OPS = ['==', '>=', '<=', '<', '>', '!=', '~=', '==='];
const URLS = ['https://example.com/pkg-1.0.tar.gz', 'file:///tmp/pkg', 'git+https://github.com/a/b.git@v1'];

function specifier(g: Gen): string {
  const n = g.pick([1, 1, 1, 2, 2, 3]);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`${g.pick(SPEC_OPS)}${g.pick(['', '', ' '])}${g.pick(SPEC_VERSIONS)}`);
  const joined = parts.join(g.pick([',', ', ', ' ,', ' , ']));
  return g.chance(0.25) ? `${g.pick([' ', ''])}(${joined})` : `${g.ws()}${joined}${g.chance(0.05) ? ',' : ''}`;
}

/** `count` requirement strings (≈ 8 % broken, ≈ 3 % direct URLs). */
export function generateRequirements(seed: number, count: number): string[] {
  const g = new Gen(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = g.ws() + (g.chance(0.02) ? g.pick(BAD_NAMES) : g.pick(NAMES));
    if (g.chance(0.3)) {
      const extras = Array.from({ length: g.pick([0, 1, 2, 3]) }, () => g.pick(['security', 'socks', 'Test', 'b', 'a', 'Foo_Bar', 'a.b']));
      s += `${g.ws()}[${g.ws()}${extras.join(g.pick([',', ', ', ' ,']))}${g.ws()}]`;
    }
    if (g.chance(0.03)) {
      s += `${g.pick([' @ ', '@', ' @'])}${g.pick(URLS)}${g.chance(0.5) ? ` ; ${expression(g, 1, false)}` : ''}`;
    } else {
      if (g.chance(0.7)) s += specifier(g);
      if (g.chance(0.4)) s += `${g.ws()};${expression(g, 1, false)}`;
    }
    if (g.chance(0.06)) s += g.pick([' junk', ' #c', ')', '[x]', ' ; ', ' and', ' == 1']);
    out.push(s + g.ws());
  }
  return out;
}

/** Target environments covering the cases the marker semantics have to get right. */
export const ENVIRONMENTS: Record<string, MarkerEnvironment> = {
  'linux-cp311': {
    implementation_name: 'cpython', implementation_version: '3.11.7', os_name: 'posix', platform_machine: 'x86_64',
    platform_release: '6.1.0-18-amd64', platform_system: 'Linux', platform_version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1',
    python_full_version: '3.11.7', platform_python_implementation: 'CPython', python_version: '3.11', sys_platform: 'linux',
  },
  'linux-cp27': {
    implementation_name: 'cpython', implementation_version: '0', os_name: 'posix', platform_machine: 'aarch64',
    platform_release: '5.15.0', platform_system: 'Linux', platform_version: '#1 SMP', python_full_version: '2.7.18',
    platform_python_implementation: 'CPython', python_version: '2.7', sys_platform: 'linux2',
  },
  'windows-cp38': {
    implementation_name: 'cpython', implementation_version: '3.8.18', os_name: 'nt', platform_machine: 'AMD64',
    platform_release: '10', platform_system: 'Windows', platform_version: '10.0.19041', python_full_version: '3.8.18',
    platform_python_implementation: 'CPython', python_version: '3.8', sys_platform: 'win32',
  },
  'macos-cp313': {
    implementation_name: 'cpython', implementation_version: '3.13.0', os_name: 'posix', platform_machine: 'arm64',
    platform_release: '23.1.0', platform_system: 'Darwin', platform_version: 'Darwin Kernel Version 23.1.0',
    python_full_version: '3.13.0', platform_python_implementation: 'CPython', python_version: '3.13', sys_platform: 'darwin',
  },
  'linux-cp312-dev': {
    implementation_name: 'cpython', implementation_version: '3.12.1', os_name: 'posix', platform_machine: 'x86_64',
    platform_release: '6.5.0-1015-azure', platform_system: 'Linux', platform_version: '#15~22.04.1-Ubuntu SMP',
    python_full_version: '3.12.1+', platform_python_implementation: 'CPython', python_version: '3.12', sys_platform: 'linux',
  },
  'linux-pypy310': {
    implementation_name: 'pypy', implementation_version: '7.3.13', os_name: 'posix', platform_machine: 'x86_64',
    platform_release: '6.1', platform_system: 'Linux', platform_version: '#1 SMP', python_full_version: '3.10.13',
    platform_python_implementation: 'PyPy', python_version: '3.10', sys_platform: 'linux',
  },
};

export const EXTRAS_SETS: readonly (readonly string[])[] = [[], ['test'], ['Foo.Bar', 'docs']];

/** Every distinct requirement string of the resolver corpora (PyPI 2020 snapshots, packse scenarios). */
export function corpusRequirements(): string[] {
  const shared = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
  const out = new Set<string>();
  const walk = (o: unknown): void => {
    if (Array.isArray(o)) o.forEach(walk);
    else if (o !== null && typeof o === 'object') {
      for (const [k, v] of Object.entries(o)) {
        if ((k === 'dependencies' || k === 'requires') && Array.isArray(v)) {
          for (const s of v) if (typeof s === 'string') out.add(s);
        } else walk(v);
      }
    }
  };
  const visit = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) visit(p);
      else if (entry.name.endsWith('.json')) walk(JSON.parse(readFileSync(p, 'utf8')));
    }
  };
  visit(join(shared, 'pypi-2020', 'index'));
  visit(join(shared, 'packse'));
  return [...out];
}
