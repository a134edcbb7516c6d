/**
 * One `pyindex lock`-equivalent run in its own process, without the CLI (no
 * config, no lockfile, no progress output): resolve one job for every given
 * profile against an index, sharing one index client and package source
 * between the profiles as the CLI does, and print the pins as one JSON line.
 * The bench measures the CLI; this isolates resolveJob for profiling
 * (`node --cpu-prof bench/out/lock-build/bench/lock-child.js '{...}'`).
 *
 * A separate process per run so that start-up, time and peak RSS are per run
 * and comparable with pip's (which also starts a fresh interpreter).
 *
 * usage: node --import=tsx bench/lock-child.ts '{"index":URL,"cacheDir":DIR,"profiles":[...],"requirements":[...]}'
 * A profile is a built-in name, or PIP_PROFILE (bench/lock-profile.ts).
 */
import { SimpleIndexClient } from '../src/index/client.js';
import { parseRequirement } from '../src/pep/requirement.js';
import { loadBuiltinProfiles, resolveProfile } from '../src/profile/index.js';
import type { Profile } from '../src/profile/types.js';
import { DEFAULT_OPTIONS } from '../src/resolve/options.js';
import { IndexPackageSource } from '../src/resolve/package-source.js';
import { resolveJob } from '../src/resolve/resolve.js';
import { PIP_PROFILE, PIP_PROFILE_SPEC, type LockChildInput, type LockChildOutput } from './lock-profile.js';

function profileNamed(name: string): Profile {
  const builtins = loadBuiltinProfiles();
  if (name === PIP_PROFILE) {
    return resolveProfile(name, PIP_PROFILE_SPEC, { builtins });
  }
  return resolveProfile(name, undefined, { builtins });
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as LockChildInput;
  let requests = 0;
  const client = new SimpleIndexClient({
    index: input.index,
    cacheDir: input.cacheDir,
    userAgent: 'pyindex-bench',
    onEvent: (e) => {
      if (e.type === 'index:request') requests++;
    },
  });
  const source = new IndexPackageSource(client);
  const root = { requirements: input.requirements.map((r) => parseRequirement(r)), constraints: [] };
  try {
    const results = await Promise.all(
      input.profiles.map((name) => resolveJob({ job: 'bench', profile: profileNamed(name), root, options: DEFAULT_OPTIONS, source })),
    );
    const out: LockChildOutput = { pins: {}, stats: {}, requests, maxRssKb: process.resourceUsage().maxRSS };
    for (const r of results) {
      out.pins[r.profile.name] = Object.fromEntries(r.packages.map((p) => [p.name, p.version.toString()]));
      out.stats[r.profile.name] = r.stats;
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await client.close();
  }
}

await main();
