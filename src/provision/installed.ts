/**
 * What a venv has installed, asked of the venv's own interpreter in ONE call
 * (importlib.metadata on 3.8+, pkg_resources — or pip's vendored copy — on
 * 2.7), and how that differs from the locked set.
 *
 * The seeded tools: `python -m venv` puts pip (and setuptools up to 3.11)
 * into every venv, and jobs rely on `venv/bin/pip` being there. They are
 * part of the venv, not of the job's set, so sync never removes pip,
 * setuptools or wheel unless the lock names them — then pip installs the
 * locked version and verification demands exactly that version. Everything
 * else the lock does not name is removed.
 */
import { tmpdir } from 'node:os';
import { sep } from 'node:path';
import { PyindexError } from '../errors/index.js';
import { canonicalizeName } from '../pep/names.js';
import { Version } from '../pep/version.js';

export const SEEDED_TOOLS: ReadonlySet<string> = new Set(['pip', 'setuptools', 'wheel']);

const QUERY_SCRIPT = String.raw`
import sys
sys.path = [p for p in sys.path if p not in ('', '.')]
import json, sysconfig
dists = []
try:
    from importlib import metadata as md
    for d in md.distributions():
        name = d.metadata['Name']
        dists.append([name, d.version, str(getattr(d, '_path', ''))])
except ImportError:
    try:
        import pkg_resources as pr
    except ImportError:
        try:
            from pip._vendor import pkg_resources as pr
        except ImportError:
            pr = None
    if pr is not None:
        for d in pr.WorkingSet(sys.path):
            dists.append([d.project_name, d.version, d.location])
paths = sysconfig.get_paths()
sys.stdout.write(json.dumps({'dists': dists, 'purelib': paths['purelib'], 'platlib': paths['platlib'], 'prefix': sys.prefix, 'version': list(sys.version_info[:3])}))
`;

export interface InstalledDist {
  /** PEP 503 normalized. */
  name: string;
  /** PEP 440 normal form when it parses, else as written. */
  version: string;
  location: string;
}

export interface VenvState {
  dists: InstalledDist[];
  purelib: string;
  platlib: string;
  prefix: string;
  version: [number, number, number];
}

function normalVersion(v: string): string {
  try {
    return Version.parse(v).toString();
  } catch {
    return v;
  }
}

export async function queryVenv(python: string, env: NodeJS.ProcessEnv): Promise<VenvState> {
  const { execa } = await import('execa');
  const res = await execa(python, ['-c', QUERY_SCRIPT], { env, extendEnv: false, cwd: tmpdir(), reject: false, stdin: 'ignore' });
  if (res.failed) {
    throw new PyindexError('E_PYTHON_FAILED', `${python} could not list its installed distributions (exit ${String(res.exitCode ?? res.signal)}): ${String(res.stderr).trim().slice(-2000)}`, {
      hint: 'The venv may be broken; remove it and provision again.',
      details: { python, stderr: String(res.stderr) },
    });
  }
  const raw = JSON.parse(String(res.stdout)) as { dists: [string | null, string, string][]; purelib: string; platlib: string; prefix: string; version: [number, number, number] };
  // Only the venv's own site directories: 2.7's stdlib carries wsgiref.egg-info, and a venv with system site-packages sees the base's.
  const inSite = (location: string): boolean => [raw.purelib, raw.platlib].some((d) => location === d || location.startsWith(d.endsWith(sep) ? d : d + sep));
  return {
    ...raw,
    // A dist-info whose METADATA lacks Name (a half-written install) shows as "": it is never in the lock, so it gets removed or reinstalled over.
    dists: raw.dists.filter(([, , location]) => inSite(location)).map(([name, version, location]) => ({ name: canonicalizeName(name ?? ''), version: normalVersion(version), location })),
  };
}

export interface LockedPin {
  name: string;
  version: string;
}

export interface SetDiff {
  missing: LockedPin[];
  wrongVersion: { name: string; locked: string; installed: string[] }[];
  /** Installed, not named by the lock, not a seeded tool: sync removes these. */
  extra: InstalledDist[];
}

export function diffInstalled(installed: readonly InstalledDist[], locked: readonly LockedPin[]): SetDiff {
  const byName = new Map<string, InstalledDist[]>();
  for (const d of installed) byName.set(d.name, [...(byName.get(d.name) ?? []), d]);
  const lockedNames = new Set(locked.map((p) => p.name));
  const missing: LockedPin[] = [];
  const wrongVersion: SetDiff['wrongVersion'] = [];
  for (const pin of locked) {
    const have = byName.get(pin.name);
    if (!have) missing.push(pin);
    // Two metadata directories of one project (an interrupted upgrade) count as wrong even if one matches.
    else if (have.length !== 1 || have[0]?.version !== pin.version) wrongVersion.push({ name: pin.name, locked: pin.version, installed: have.map((d) => d.version) });
  }
  const extra = installed.filter((d) => !lockedNames.has(d.name) && !SEEDED_TOOLS.has(d.name));
  return { missing, wrongVersion, extra };
}

export function isInSync(diff: SetDiff): boolean {
  return !diff.missing.length && !diff.wrongVersion.length && !diff.extra.length;
}

export function describeDiff(diff: SetDiff): string {
  const parts: string[] = [];
  if (diff.missing.length) parts.push(`missing ${diff.missing.map((p) => `${p.name}==${p.version}`).join(', ')}`);
  if (diff.wrongVersion.length) parts.push(`wrong version ${diff.wrongVersion.map((w) => `${w.name} (${w.installed.join(' + ')}, locked ${w.locked})`).join(', ')}`);
  if (diff.extra.length) parts.push(`not in the lock ${diff.extra.map((d) => `${d.name} ${d.version}`).join(', ')}`);
  return parts.join('; ');
}
