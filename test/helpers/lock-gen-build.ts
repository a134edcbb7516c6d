/**
 * Build closures (`build:` on sdist file entries, issue 4 point 2) for the
 * lockfile emitter's differential test: decorates lock-gen.ts's random and
 * realistic locks without touching their own random sequences, so the
 * existing seeded corpus stays exactly what it was.
 */
import type { LockedBuildRequirement, Lockfile } from '../../src/lock/types.js';
import { adversarialString, type Rand } from './lock-gen.js';

function count(rand: Rand, max: number): number {
  return Math.floor(rand() * (max + 1));
}

/** Adds a `build` record (0–2 profiles of 0–3 adversarial entries, sometimes an empty record) to about half the files. */
export function withRandomBuilds(lock: Lockfile, rand: Rand): Lockfile {
  for (const pkg of lock.packages) {
    for (const file of pkg.files) {
      if (rand() < 0.5) continue;
      const build: Record<string, LockedBuildRequirement[]> = {};
      for (let i = count(rand, 2); i > 0; i--) {
        const key = adversarialString(rand);
        if (key === '__proto__') continue;
        build[key] = Array.from({ length: count(rand, 3) }, () => ({ name: adversarialString(rand), version: adversarialString(rand), file: adversarialString(rand) }));
      }
      file.build = build;
    }
  }
  return lock;
}

/**
 * Makes every 7th package of a realistic lock an sdist (its first file
 * renamed, job sets following) with a setuptools + wheel closure per
 * profile: the shape real locks with sdists have.
 */
export function withRealisticBuilds(lock: Lockfile): Lockfile {
  const renamed = new Map<string, string>();
  lock.packages.forEach((pkg, i) => {
    const file = pkg.files[0];
    if (i % 7 !== 3 || !file) return;
    const sdist = `${pkg.name}-${pkg.version}.tar.gz`;
    renamed.set(file.filename, sdist);
    file.filename = sdist;
    file.build = Object.fromEntries(
      file.profiles.map((p) => [
        p,
        [
          { name: 'setuptools', version: '75.1.0', file: 'setuptools-75.1.0-py3-none-any.whl' },
          { name: 'wheel', version: '0.44.0', file: 'wheel-0.44.0-py3-none-any.whl' },
        ],
      ]),
    );
  });
  for (const job of Object.values(lock.jobs)) for (const set of Object.values(job.profiles)) for (const r of set) r.file = renamed.get(r.file) ?? r.file;
  return lock;
}

/**
 * The per-package `index` (issue 6: several indexes) on about half the
 * packages: an adversarial string, or one of two realistic index URLs.
 */
export function withRandomIndexes(lock: Lockfile, rand: Rand): Lockfile {
  for (const pkg of lock.packages) {
    const r = rand();
    if (r < 0.5) continue;
    pkg.index = r < 0.75 ? adversarialString(rand) : r < 0.875 ? 'http://pypi.internal/simple/' : '/srv/wheels';
  }
  return lock;
}
