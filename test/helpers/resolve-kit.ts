/**
 * pyindex's side of the differential resolver tests (pypi2020, preference):
 * one job resolved with resolveJob for Python 3.13.0 on linux-x86_64 — the
 * interpreter pip-oracle.ts runs pip 24.2 on — against a loopback index.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPyindexError } from '../../src/errors/index.js';
import { SimpleIndexClient } from '../../src/index/client.js';
import { parseRequirement } from '../../src/pep/requirement.js';
import { loadBuiltinProfiles, resolveProfile } from '../../src/profile/index.js';
import { DEFAULT_OPTIONS } from '../../src/resolve/options.js';
import { IndexPackageSource } from '../../src/resolve/package-source.js';
import { resolveJob } from '../../src/resolve/resolve.js';

export type Ours = { ok: true; packages: Record<string, string> } | { ok: false; error: string };

export const pipProfile = () =>
  resolveProfile('pip-py3.13', { platform: 'linux-x86_64', python: '3.13', markers: { python_full_version: '3.13.0' } }, { builtins: loadBuiltinProfiles() });

/** pyindex's resolution of `requested` (with `constraints` as `-c` lines); no solution is a value, other errors throw. */
export async function resolveOurs(url: string, requested: string[], constraints: string[] = []): Promise<Ours> {
  const client = new SimpleIndexClient({ index: url, cacheDir: mkdtempSync(join(tmpdir(), 'pyindex-resolve-')), userAgent: 'pyindex-test', retries: 0 });
  try {
    const res = await resolveJob({
      job: 'case',
      profile: pipProfile(),
      root: { requirements: requested.map((r) => parseRequirement(r)), constraints: constraints.map((r) => parseRequirement(r)) },
      options: DEFAULT_OPTIONS,
      source: new IndexPackageSource(client),
    });
    return { ok: true, packages: Object.fromEntries(res.packages.map((p) => [p.name, p.version.toString()])) };
  } catch (err) {
    if (isPyindexError(err, 'E_NO_SOLUTION')) return { ok: false, error: err.message };
    throw err;
  } finally {
    await client.close();
  }
}

/** Name=version pairs in name order, for comparing two resolutions. */
export const sortedPins = (o: Record<string, string>) => JSON.stringify(Object.entries(o).sort());
