/**
 * Every case of ../shared/corpus/pypi-2020/case: pyindex's resolution must
 * equal what pip 24.2 resolves on the same loopback index for Python 3.13
 * linux-x86_64, computed here in the same run.
 *
 * Where they differ:
 * - pip fails but pyindex finds a set: the set is checked by pip itself
 *   (every package pinned with a constraints file must resolve to exactly
 *   that set). pip 24.2's resolvelib backjumps past valid solutions in
 *   these snapshots (resolvelib issue #134 and its backjump tests); the
 *   cases' own `resolved` sets are what pyindex finds.
 * - both succeed with different sets: both are recorded; pyindex must not
 *   pick an older version of any package than pip when pip's set is also
 *   valid for pyindex's rules (checked by resolving with pip's set pinned).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Version } from '../../src/pep/version.js';
import { cachedIndex } from '../helpers/cached-index.js';
import { sharedAvailable, sharedDir } from '../helpers/mkindex.js';
import { pip313, pipResolve } from '../helpers/pip-oracle.js';
import { resolveOurs, sortedPins } from '../helpers/resolve-kit.js';
import { startStaticServer } from '../helpers/static-server.js';

t.setTimeout(1_200_000); // pip takes minutes to give up on the pyrax snapshot

const python = pip313();
const skip = !sharedAvailable() ? 'no ../shared/corpus here' : !python || !existsSync(python) ? 'no pyenv Python 3.13.0 (pip 24.2) here' : false;

t.test('pypi-2020 cases agree with pip 24.2', { skip }, async (t) => {
  const caseDir = join(sharedDir, 'corpus', 'pypi-2020', 'case');
  const tally = { same: 0, pipFailedOursVerified: 0, bothFailed: 0, differentBothValid: 0 };
  for (const file of readdirSync(caseDir).filter((f) => f.endsWith('.json')).sort()) {
    const c = JSON.parse(readFileSync(join(caseDir, file), 'utf8')) as { index: string; requested: string[] };
    const root = cachedIndex(`corpus/pypi-2020/index/${c.index}.json`, ['--json', '--metadata']);
    const server = await startStaticServer(root, { negotiate: true });
    const url = `${server.url}/simple/`;
    try {
      const [pip, ours] = await Promise.all([pipResolve(python!, url, c.requested), resolveOurs(url, c.requested)]);
      if (pip.ok && ours.ok) {
        if (sortedPins(pip.packages) === sortedPins(ours.packages)) {
          tally.same++;
          t.pass(`${file}: same ${Object.keys(ours.packages).length} packages as pip`);
          continue;
        }
        // Both answered, differently: is pip's answer valid under pyindex's rules?
        const pinned = await resolveOurs(url, c.requested, Object.entries(pip.packages).map(([n, v]) => `${n}==${v}`));
        tally.differentBothValid++;
        t.comment(`${file}: pip ${JSON.stringify(pip.packages)} vs pyindex ${JSON.stringify(ours.packages)}`);
        if (pinned.ok) {
          const older = Object.keys(ours.packages).filter((n) => pip.packages[n] && Version.parse(ours.packages[n]!).compare(Version.parse(pip.packages[n]!)) < 0);
          t.same(older, [], `${file}: pyindex picks no older version than pip where pip's set is valid for pyindex`);
        }
        const check = await pipResolve(python!, url, c.requested, ours.packages);
        t.ok(check.ok && sortedPins(check.packages) === sortedPins(ours.packages), `${file}: pip accepts pyindex's different answer`);
      } else if (!pip.ok && ours.ok) {
        const check = await pipResolve(python!, url, c.requested, ours.packages);
        t.ok(check.ok && sortedPins(check.packages) === sortedPins(ours.packages), `${file}: pip failed (${pip.error.slice(0, 120)}…); with pyindex's pins it accepts exactly pyindex's set`);
        tally.pipFailedOursVerified++;
      } else if (pip.ok && !ours.ok) {
        t.fail(`${file}: pip resolves ${JSON.stringify(pip.packages)} but pyindex fails: ${ours.error}`);
      } else {
        tally.bothFailed++;
        t.match(ours.ok ? '' : ours.error, /version solving failed/, `${file}: both fail; pyindex explains why`);
      }
    } finally {
      await server.close();
    }
  }
  t.comment(`pypi-2020: ${JSON.stringify(tally)}`);
});
