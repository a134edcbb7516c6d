/**
 * Runs the packse resolver scenarios (../shared/corpus/packse) through
 * pyindex's resolver against a real loopback HTTP index built by mkindex.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimpleIndexClient } from '../../src/index/client.js';
import { isPyindexError } from '../../src/errors/index.js';
import { parseMarker, markerVariables } from '../../src/pep/markers.js';
import { parseRequirement } from '../../src/pep/requirement.js';
import { SpecifierSet } from '../../src/pep/specifier.js';
import { loadBuiltinProfiles, resolveProfile, type Profile, type ProfileSpec } from '../../src/profile/index.js';
import { IndexPackageSource } from '../../src/resolve/package-source.js';
import { DEFAULT_OPTIONS, nameSet, type ResolveOptions } from '../../src/resolve/options.js';
import { resolveJob } from '../../src/resolve/resolve.js';
import { mkindexTool, sharedDir } from './mkindex.js';
import { isolatedEnv, oraclePython } from './python.js';

export interface Scenario {
  name: string;
  group: string;
  file: string;
  description?: string;
  root: { requires?: string[]; requires_python?: string };
  expected: { satisfiable: boolean; packages?: Record<string, string>; explanation?: string };
  packages: Record<string, { versions: Record<string, Record<string, unknown>> }>;
  environment?: { python?: string };
  resolver_options?: { python?: string; universal?: boolean; prereleases?: boolean; no_build?: string[]; no_binary?: string[]; python_platform?: string; required_environments?: string[] };
}

export function loadScenarios(): Scenario[] {
  const dir = join(sharedDir, 'corpus', 'packse');
  const out: Scenario[] = [];
  for (const group of readdirSync(dir, { withFileTypes: true })) {
    if (!group.isDirectory()) continue;
    for (const f of readdirSync(join(dir, group.name)).filter((n) => n.endsWith('.json')).sort()) {
      const file = join(dir, group.name, f);
      out.push({ ...(JSON.parse(readFileSync(file, 'utf8')) as Omit<Scenario, 'group' | 'file'>), group: group.name, file });
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Builds every scenario's index under one root: ROOT/<scenario>/simple/. */
export function buildScenarioIndexes(scenarios: Scenario[]): string {
  const root = mkdtempSync(join(tmpdir(), 'pyindex-packse-'));
  const python = oraclePython() ?? 'python3';
  // One Python process per scenario is the slow part; run them in a shell loop.
  const script = scenarios.map((s) => `"${python}" "${mkindexTool}" "${s.file}" "${join(root, s.name)}" -q --json --metadata --sdists`).join(' && ');
  execFileSync('bash', ['-c', script], { env: isolatedEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  return root;
}

export function scenarioOptions(s: Scenario): ResolveOptions {
  const ro = s.resolver_options ?? {};
  return {
    ...DEFAULT_OPTIONS,
    prereleases: ro.prereleases ? 'allow' : 'if-necessary-or-explicit',
    noBinary: nameSet(ro.no_binary),
    noBuild: nameSet(ro.no_build),
  };
}

function pythonOf(s: Scenario): string {
  return s.resolver_options?.python ?? s.environment?.python ?? '3.12';
}

/** The concrete profile for a non-universal scenario: linux-x86_64 (glibc 2.17), the scenario's Python. */
export function scenarioProfile(s: Scenario, overrides: ProfileSpec['markers'] = {}, platform: ProfileSpec['platform'] = 'linux-x86_64', python = pythonOf(s)): Profile {
  const [major, minor, patch] = python.split('.');
  const feature = `${major}.${minor}`;
  const spec: ProfileSpec = {
    platform,
    python: feature,
    markers: { python_full_version: patch !== undefined ? python : `${feature}.0`, ...overrides },
  };
  if (platform.startsWith('linux')) spec.glibc = '2.17';
  return resolveProfile(`packse-${s.name}`, spec, { builtins: loadBuiltinProfiles() });
}

/**
 * Concrete profiles a universal scenario's markers distinguish: every
 * sys_platform value its markers name (on a matching platform), and every
 * Python feature version named by python_version / python_full_version.
 */
export function universalProfiles(s: Scenario): Profile[] {
  const reqs = [...(s.root.requires ?? [])];
  for (const p of Object.values(s.packages)) for (const v of Object.values(p.versions)) reqs.push(...((v.requires as string[] | undefined) ?? []));
  const platforms = new Set<string>(['linux']);
  const pythons = new Set<string>([pythonOf(s)]);
  for (const text of reqs) {
    const marker = text.includes(';') ? text.slice(text.indexOf(';') + 1) : undefined;
    if (!marker) continue;
    const vars = markerVariables(parseMarker(marker));
    if (vars.has('sys_platform')) for (const m of marker.matchAll(/sys_platform\s*==\s*['"]([^'"]+)['"]/g)) platforms.add(m[1]!);
    if (vars.has('python_version') || vars.has('python_full_version')) {
      for (const m of marker.matchAll(/python(?:_full)?_version\s*[<>=!~]+\s*['"](\d+\.\d+)/g)) pythons.add(m[1]!);
    }
  }
  const profiles: Profile[] = [];
  const known = new Set(['2.7', '3.8', '3.9', '3.10', '3.11', '3.12', '3.13', '3.14']);
  // A universal lock covers the project's Python range: the scenario's
  // requires-python, else its Python and newer.
  const floor = SpecifierSet.parse(s.root.requires_python ?? `>=${pythonOf(s).split('.').slice(0, 2).join('.')}`);
  for (const py of [...pythons]) if (!floor.contains(`${py.split('.').slice(0, 2).join('.')}.99`)) pythons.delete(py);
  for (const plat of platforms) {
    for (const py of pythons) {
      const feature = py.split('.').slice(0, 2).join('.');
      if (!known.has(feature)) continue;
      const platform = plat === 'win32' ? 'windows-amd64' : plat === 'darwin' ? 'macos-arm64' : 'linux-x86_64';
      const overrides = plat === 'win32' || plat === 'darwin' || plat === 'linux' ? {} : { sys_platform: plat };
      profiles.push(scenarioProfile(s, overrides, platform, py === pythonOf(s) ? py : feature));
    }
  }
  return profiles;
}

export type Outcome =
  | { ok: true; profile: string; packages: Record<string, string> }
  | { ok: false; profile: string; code: string; message: string };

export async function resolveScenario(s: Scenario, indexUrl: string, profile: Profile, cacheDir: string): Promise<Outcome> {
  const client = new SimpleIndexClient({ index: indexUrl, cacheDir, userAgent: 'pyindex-test', retries: 0 });
  try {
    const requirements = (s.root.requires ?? []).map((r) => parseRequirement(r));
    const res = await resolveJob({
      job: s.name,
      profile,
      root: { requirements, constraints: [] },
      options: scenarioOptions(s),
      source: new IndexPackageSource(client, oraclePython()),
    });
    const packages: Record<string, string> = {};
    for (const p of res.packages) packages[p.name] = p.version.toString();
    return { ok: true, profile: profile.name, packages };
  } catch (err) {
    if (isPyindexError(err)) return { ok: false, profile: profile.name, code: err.code, message: err.message };
    throw err;
  } finally {
    await client.close();
  }
}
