/**
 * pip as a test oracle: `pip install --dry-run --report` against a loopback
 * index, isolated from this machine's pip configuration (which adds other
 * indexes and find-links).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { canonicalizeName } from '../../src/pep/names.js';
import { Version } from '../../src/pep/version.js';
import { isolatedEnv, pyenvRoot } from './python.js';

export type PipOutcome = { ok: true; packages: Record<string, string> } | { ok: false; error: string };

export function pip313(): string | undefined {
  const root = pyenvRoot();
  return root ? join(root, 'versions', '3.13.0', 'bin', 'python') : undefined;
}

/** Resolves `requirements` with pip (dry run); `pins` become a constraints file. */
export async function pipResolve(python: string, indexUrl: string, requirements: string[], pins?: Record<string, string>): Promise<PipOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'pyindex-pip-'));
  const args = ['-m', 'pip', 'install', '--isolated', '--dry-run', '--ignore-installed', '--quiet', '--report', join(dir, 'report.json'), '--cache-dir', join(dir, 'cache'), '--index-url', indexUrl];
  if (pins) {
    const file = join(dir, 'constraints.txt');
    writeFileSync(file, Object.entries(pins).map(([n, v]) => `${n}==${v}\n`).join(''));
    args.push('-c', file);
  }
  const res = await execa(python, [...args, ...requirements], { env: isolatedEnv(), extendEnv: false, reject: false, maxBuffer: 1 << 28 });
  if (res.exitCode !== 0) return { ok: false, error: res.stderr.split('\n').filter((l) => l.startsWith('ERROR')).join(' ') || res.stderr.slice(-500) };
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { install: { metadata: { name: string; version: string } }[] };
  const packages: Record<string, string> = {};
  for (const i of report.install) packages[canonicalizeName(i.metadata.name)] = Version.parse(i.metadata.version).toString();
  return { ok: true, packages };
}
