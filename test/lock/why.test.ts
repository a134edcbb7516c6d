import t from 'tap';
import { buildLockfile } from '../../src/lock/build.js';
import { formatWhy, whyChains, whyPaths } from '../../src/lock/why.js';
import { fakeProfileDigest, jobConfig, LINUX, resolution, resolved, sampleConfig, type LockConfig } from '../helpers/lock-fixtures.js';

/**
 * talos requires app and lib-b; app depends on lib-a and lib-b; both libs
 * depend on core (a diamond); core depends on tiny; cyc-x and cyc-y depend on
 * each other, and app on cyc-x.
 */
function diamond() {
  const config: LockConfig = { ...sampleConfig(), jobs: new Map([['talos', jobConfig('talos', ['app>=1', 'lib-b'], [LINUX.name])]]) };
  const w = (n: string, v: string) => `${n.replace(/-/g, '_')}-${v}-py3-none-any.whl`;
  return buildLockfile({
    config,
    profileDigest: fakeProfileDigest,
    resolutions: [
      resolution('talos', LINUX, [
        resolved('app', '1.2', w('app', '1.2'), [['job', 'app>=1']]),
        resolved('lib-a', '2.0', w('lib-a', '2.0'), [['app', 'lib-a<3']]),
        resolved('lib-b', '3.1', w('lib-b', '3.1'), [['app', 'lib_b'], ['job', 'lib-b']]),
        resolved('core', '0.9', w('core', '0.9'), [['lib-a', 'core>=0.5'], ['lib-b', 'Core']]),
        resolved('tiny', '1', w('tiny', '1'), [['core', 'tiny; python_version >= "3"']]),
        resolved('cyc-x', '1', w('cyc-x', '1'), [['app', 'cyc-x'], ['cyc-y', 'cyc-x>0']]),
        resolved('cyc-y', '1', w('cyc-y', '1'), [['cyc-x', 'cyc-y']]),
      ]),
    ],
  });
}

t.test('every path through a diamond, sorted', async (t) => {
  const lock = diamond();
  t.same(whyPaths(lock, 'core', 'talos', LINUX.name), [
    ['job talos requires app>=1', 'app 1.2 depends on lib-a<3', 'lib-a 2.0 depends on core>=0.5'],
    ['job talos requires app>=1', 'app 1.2 depends on lib_b', 'lib-b 3.1 depends on Core'],
    ['job talos requires lib-b', 'lib-b 3.1 depends on Core'],
  ]);
  t.equal(whyPaths(lock, 'tiny', 'talos', LINUX.name).length, 3, 'one step further: still three paths');
  t.same(whyPaths(lock, 'App', 'talos', LINUX.name), [['job talos requires app>=1']], 'a direct requirement; name normalized');
  t.same(whyPaths(lock, 'LIB_B', 'talos', LINUX.name), [['job talos requires app>=1', 'app 1.2 depends on lib_b'], ['job talos requires lib-b']]);
});

t.test('cycles end, and every acyclic path is found', async (t) => {
  const lock = diamond();
  t.same(whyPaths(lock, 'cyc-y', 'talos', LINUX.name), [['job talos requires app>=1', 'app 1.2 depends on cyc-x', 'cyc-x 1 depends on cyc-y']]);
  t.same(whyPaths(lock, 'cyc-x', 'talos', LINUX.name), [['job talos requires app>=1', 'app 1.2 depends on cyc-x']]);
});

t.test('structured chains carry versions and requirement texts', async (t) => {
  const [first] = whyChains(diamond(), 'core', 'talos', LINUX.name);
  t.same(first, [
    { by: 'job', byVersion: undefined, requirement: 'app>=1', name: 'app', version: '1.2' },
    { by: 'app', byVersion: '1.2', requirement: 'lib-a<3', name: 'lib-a', version: '2.0' },
    { by: 'lib-a', byVersion: '2.0', requirement: 'core>=0.5', name: 'core', version: '0.9' },
  ]);
  t.equal(whyChains(diamond(), 'tiny', 'talos', LINUX.name, { maxPaths: 2 }).length, 2, 'maxPaths stops the walk');
});

t.test('a package not in the set has no paths; unknown job or profile is an error', async (t) => {
  const lock = diamond();
  t.same(whyPaths(lock, 'numpy', 'talos', LINUX.name), []);
  t.equal(formatWhy([]), '');
  t.throws(() => whyPaths(lock, 'core', 'docs', LINUX.name), { code: 'E_UNKNOWN_JOB', hint: /talos/ });
  t.throws(() => whyPaths(lock, 'core', 'talos', 'windows-amd64-py3.11'), { code: 'E_UNKNOWN_PROFILE' });
});

t.test('formatWhy indents by depth and does not repeat a shared prefix', async (t) => {
  t.equal(
    formatWhy(whyPaths(diamond(), 'tiny', 'talos', LINUX.name)),
    [
      'job talos requires app>=1',
      '  app 1.2 depends on lib-a<3',
      '    lib-a 2.0 depends on core>=0.5',
      '      core 0.9 depends on tiny; python_version >= "3"',
      '  app 1.2 depends on lib_b',
      '    lib-b 3.1 depends on Core',
      '      core 0.9 depends on tiny; python_version >= "3"',
      'job talos requires lib-b',
      '  lib-b 3.1 depends on Core',
      '    core 0.9 depends on tiny; python_version >= "3"',
    ].join('\n'),
  );
});
