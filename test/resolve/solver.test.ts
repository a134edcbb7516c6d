import t from 'tap';
import { explainFailure } from '../../src/resolve/explain.js';
import { NoSolutionError, Solver } from '../../src/resolve/solver.js';
import { MemoryProvider, ROOT, type MemoryIndex } from '../helpers/memory-provider.js';

async function solve(index: MemoryIndex, root: Record<string, string>) {
  const provider = new MemoryProvider(index, root);
  try {
    const solution = await new Solver(provider, ROOT).solve();
    const out: Record<string, string> = {};
    for (const [pkg, i] of solution.versions) if (pkg !== ROOT) out[pkg] = provider.universe(pkg)[i]!.toString();
    return { ok: true as const, versions: out, stats: solution.stats };
  } catch (err) {
    if (err instanceof NoSolutionError) return { ok: false as const, explanation: explainFailure(err.incompatibility, provider.describer()) };
    throw err;
  }
}

// The examples of pub's solver.md, with ^1.0.0 written as >=1.0.0,<2.0.0.
t.test('no conflicts', async (t) => {
  const r = await solve(
    { foo: { '1.0.0': { bar: '>=1.0.0,<2.0.0' } }, bar: { '1.0.0': {}, '2.0.0': {} } },
    { foo: '>=1.0.0,<2.0.0' },
  );
  t.same(r, { ok: true, versions: { foo: '1.0.0', bar: '1.0.0' }, stats: r.ok ? r.stats : {} });
});

t.test('avoiding conflict during decision making', async (t) => {
  const r = await solve(
    {
      foo: { '1.0.0': {}, '1.1.0': { bar: '>=2.0.0,<3.0.0' } },
      bar: { '1.0.0': {}, '1.1.0': {}, '2.0.0': {} },
    },
    { foo: '>=1.0.0,<2.0.0', bar: '>=1.0.0,<2.0.0' },
  );
  t.ok(r.ok);
  if (r.ok) t.same(r.versions, { foo: '1.0.0', bar: '1.1.0' });
});

t.test('performing conflict resolution', async (t) => {
  const r = await solve(
    { foo: { '1.0.0': {}, '2.0.0': { bar: '>=1.0.0,<2.0.0' } }, bar: { '1.0.0': { foo: '>=1.0.0,<2.0.0' } } },
    { foo: '>=1.0.0' },
  );
  t.ok(r.ok);
  if (r.ok) {
    t.same(r.versions, { foo: '1.0.0' });
    t.ok(r.stats.conflicts >= 1, 'learned from a conflict');
  }
});

t.test('conflict resolution with a partial satisfier', async (t) => {
  const r = await solve(
    {
      foo: { '1.0.0': {}, '1.1.0': { left: '>=1.0.0,<2.0.0', right: '>=1.0.0,<2.0.0' } },
      left: { '1.0.0': { shared: '>=1.0.0' } },
      right: { '1.0.0': { shared: '<1.0.0' } },
      shared: { '0.9.0': {}, '1.0.0': { target: '>=1.0.0,<2.0.0' } },
      target: { '1.0.0': {}, '2.0.0': {} },
    },
    { foo: '>=1.0.0,<2.0.0', target: '>=2.0.0,<3.0.0' },
  );
  t.ok(r.ok);
  if (r.ok) t.same(r.versions, { foo: '1.0.0', target: '2.0.0' });
});

t.test('linear error reporting explains the chain', async (t) => {
  const r = await solve(
    { foo: { '1.0.0': { bar: '>=2.0.0,<3.0.0' } }, bar: { '2.0.0': { baz: '>=3.0.0,<4.0.0' } }, baz: { '1.0.0': {}, '3.0.0': {} } },
    { foo: '>=1.0.0,<2.0.0', baz: '>=1.0.0,<2.0.0' },
  );
  t.notOk(r.ok);
  if (!r.ok) {
    t.match(r.explanation, /foo 1\.0\.0 depends on bar>=2\.0\.0,<3\.0\.0/);
    t.match(r.explanation, /bar 2\.0\.0 depends on baz>=3\.0\.0,<4\.0\.0/);
    t.match(r.explanation, /the job requires baz>=1\.0\.0,<2\.0\.0/);
    t.match(r.explanation, /version solving failed\.$/);
    t.comment(r.explanation);
  }
});

t.test('branching error reporting numbers shared lines', async (t) => {
  const r = await solve(
    {
      foo: { '1.0.0': { a: '>=1.0.0,<2.0.0', b: '>=1.0.0,<2.0.0' }, '1.1.0': { x: '>=1.0.0,<2.0.0', y: '>=1.0.0,<2.0.0' } },
      a: { '1.0.0': { b: '>=2.0.0,<3.0.0' } },
      b: { '1.0.0': {}, '2.0.0': {} },
      x: { '1.0.0': { y: '>=2.0.0,<3.0.0' } },
      y: { '1.0.0': {}, '2.0.0': {} },
    },
    { foo: '>=1.0.0,<2.0.0' },
  );
  t.notOk(r.ok);
  if (!r.ok) {
    t.match(r.explanation, /a 1\.0\.0 depends on b>=2\.0\.0,<3\.0\.0/);
    t.match(r.explanation, /x 1\.0\.0 depends on y>=2\.0\.0,<3\.0\.0/);
    t.match(r.explanation, /version solving failed\.$/);
    t.comment(r.explanation);
  }
});

t.test('an unavailable version is skipped with its reason kept', async (t) => {
  const ok = await solve({ a: { '1.0': {}, '2.0': 'no wheel for the profile' } }, { a: '>=1' });
  t.same(ok.ok && ok.versions, { a: '1.0' });
  const fail = await solve({ a: { '2.0': 'no wheel for the profile' } }, { a: '>=2' });
  t.notOk(fail.ok);
  if (!fail.ok) t.match(fail.explanation, /a 2\.0 cannot be used: no wheel for the profile/);
});

t.test('a missing package is explained', async (t) => {
  const r = await solve({}, { ghost: '>=1' });
  t.notOk(r.ok);
  if (!r.ok) {
    t.match(r.explanation, /the job requires ghost>=1, which no usable version of ghost matches \(not on the index\)/);
    t.comment(r.explanation);
  }
});

t.test('backtracks through many versions to a solution (completeness)', async (t) => {
  // a 1..30: every version but 1 depends on b==v, which does not exist; only a 1 works.
  const a: Record<string, Record<string, string>> = {};
  for (let i = 1; i <= 30; i++) a[`${i}.0`] = i === 1 ? {} : { b: `==${i}.0` };
  const r = await solve({ a, b: { '1.0': {} } }, { a: '>=1' });
  t.ok(r.ok);
  if (r.ok) t.same(r.versions, { a: '1.0' });
});
