/**
 * Every packse scenario in ../shared/corpus/packse, resolved by pyindex
 * through a real loopback HTTP index built by mkindex (one server, one
 * sub-tree per scenario). Satisfiable scenarios must give exactly
 * `expected.packages` (when given); unsatisfiable ones must fail with
 * E_NO_SOLUTION (exit code 1) and an explanation.
 *
 * Profiles: python = resolver_options.python, else environment.python,
 * else 3.12; linux-x86_64 with glibc 2.17. `universal = true` scenarios are
 * resolved once per concrete profile their markers distinguish (see
 * universalProfiles); satisfiable ones must succeed on every profile,
 * unsatisfiable ones must fail on at least one.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { exitCodeFor } from '../../src/errors/index.js';
import { canonicalizeName } from '../../src/pep/names.js';
import { Version } from '../../src/pep/version.js';
import { sharedAvailable } from '../helpers/mkindex.js';
import { buildScenarioIndexes, loadScenarios, resolveScenario, scenarioProfile, universalProfiles, type Outcome, type Scenario } from '../helpers/packse.js';
import { startStaticServer } from '../helpers/static-server.js';

/**
 * Scenarios where pyindex's answer differs from packse's (uv's) expectation
 * on purpose. pyindex locks per concrete profile, exactly; uv makes one
 * universal lock, and some expectations follow from that design.
 */
const DOCUMENTED: Record<string, string> = {
  'fork-non-local-fork-marker-direct':
    'uv refuses to fork on markers that are not on a direct requirement; resolving per profile, each profile has a consistent answer (linux: a 1.0.0 + c 1.0.0; darwin: b 1.0.0 + c 2.0.0).',
  'preferences-dependent-forking-conflicting':
    'the failure depends on uv reading preferences from its own universal lockfile; per profile, cleaver 1.0.0, foo 1.0.0, bar 2.0.0 is valid.',
  'python-less-than-current':
    'uv ignores Requires-Python upper bounds ("<=3.8") in universal locks; pyindex checks every candidate against the profile\'s Python (3.9 here), as pip does at install time, so a lock never pins what the target cannot install.',
  'specific-architecture':
    "b, c and d only have cp313 wheels, the scenario's Python is 3.12; uv's universal lock does not check tags, pyindex's coverage check requires an installable file for the profile.",
};

const scenarios = loadScenarios();

t.test('packse scenarios', { skip: sharedAvailable() ? false : 'no ../shared/corpus here' }, async (t) => {
  const root = buildScenarioIndexes(scenarios);
  const server = await startStaticServer(root, { negotiate: true });
  t.teardown(() => server.close());
  const cache = mkdtempSync(join(tmpdir(), 'pyindex-packse-cache-'));
  const counts: Record<string, { pass: number; documented: number; total: number }> = {};

  for (const s of scenarios) {
    const profiles = s.resolver_options?.universal ? universalProfiles(s) : [scenarioProfile(s)];
    const outcomes: Outcome[] = [];
    for (const p of profiles) outcomes.push(await resolveScenario(s, `${server.url}/${s.name}/simple/`, p, cache));
    const verdict = judge(s, outcomes);
    const group = (counts[s.group] ??= { pass: 0, documented: 0, total: 0 });
    group.total++;
    if (DOCUMENTED[s.name]) {
      group.documented++;
      t.notOk(verdict.ok, `${s.group}/${s.name}: documented difference still differs (${DOCUMENTED[s.name]})`);
      continue;
    }
    if (verdict.ok) group.pass++;
    t.ok(verdict.ok, `${s.group}/${s.name}${verdict.ok ? '' : `: ${verdict.why}`}`);
  }
  for (const [group, c] of Object.entries(counts).sort()) {
    t.comment(`${group}: ${c.pass}/${c.total} as expected${c.documented ? `, ${c.documented} documented differences` : ''}`);
  }
  const total = Object.values(counts).reduce((a, c) => ({ pass: a.pass + c.pass, documented: a.documented + c.documented, total: a.total + c.total }), { pass: 0, documented: 0, total: 0 });
  t.comment(`all: ${total.pass}/${total.total} as expected, ${total.documented} documented differences`);
});

function judge(s: Scenario, outcomes: Outcome[]): { ok: boolean; why?: string } {
  if (!s.expected.satisfiable) {
    const failed = outcomes.find((o) => !o.ok);
    if (!failed || failed.ok) return { ok: false, why: `expected no solution, got ${JSON.stringify(outcomes)}` };
    if (failed.code !== 'E_NO_SOLUTION') return { ok: false, why: `expected E_NO_SOLUTION, got ${failed.code}: ${failed.message}` };
    if (exitCodeFor(failed.code) !== 1) return { ok: false, why: 'E_NO_SOLUTION must exit 1' };
    if (!/Because .+, version solving failed\./s.test(failed.message)) return { ok: false, why: `no explanation in: ${failed.message}` };
    return { ok: true };
  }
  const bad = outcomes.find((o) => !o.ok);
  if (bad && !bad.ok) return { ok: false, why: `${bad.profile}: ${bad.code}: ${bad.message}` };
  if (!s.expected.packages) return { ok: true };
  const expected = Object.fromEntries(Object.entries(s.expected.packages).map(([k, v]) => [canonicalizeName(k), Version.parse(v).toString()]));
  // Universal: the union of the per-profile answers is the lock's package set.
  const got: Record<string, string> = {};
  for (const o of outcomes) if (o.ok) Object.assign(got, o.packages);
  const same = JSON.stringify(Object.entries(expected).sort()) === JSON.stringify(Object.entries(got).sort());
  return same ? { ok: true } : { ok: false, why: `expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}` };
}
