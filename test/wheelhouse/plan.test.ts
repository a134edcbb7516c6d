import t from 'tap';
import type { LockedRequirement, Lockfile } from '../../src/lock/types.js';
import { plannedFiles } from '../../src/wheelhouse/plan.js';

const hex = (c: string) => c.repeat(64);
const req = (name: string, version: string, file: string): LockedRequirement => ({ name, version, file, extras: [], requiredBy: [`job: ${name}`] });

/** Two jobs over linux/windows: a pure wheel shared by all, per-platform wheels of `native`, a windows-only dep. */
function sampleLock(): Lockfile {
  const file = (filename: string, sha: string, profiles: string[]) => ({ filename, sha256: hex(sha), size: 10, url: `http://i/files/${filename}`, profiles });
  return {
    version: 1,
    configDigest: 'sha256:x',
    index: 'http://i/simple/',
    profiles: {
      linux: { platform: 'linux-x86_64', python: '3.11', digest: 'a' },
      windows: { platform: 'windows-amd64', python: '3.11', digest: 'b' },
    },
    packages: [
      { name: 'native', version: '1.0', files: [file('native-1.0-cp311-cp311-manylinux_2_17_x86_64.whl', 'a', ['linux']), file('native-1.0-cp311-cp311-win_amd64.whl', 'b', ['windows'])] },
      { name: 'pure', version: '2.0', files: [file('pure-2.0-py3-none-any.whl', 'c', ['linux', 'windows'])] },
      { name: 'winonly', version: '3.0', files: [file('winonly-3.0-py3-none-any.whl', 'd', ['windows'])] },
      { name: 'lint', version: '4.0', files: [file('lint-4.0-py3-none-any.whl', 'e', ['linux'])] },
    ],
    jobs: {
      build: {
        requires: ['native', 'pure'],
        constraints: [],
        profiles: {
          linux: [req('native', '1.0', 'native-1.0-cp311-cp311-manylinux_2_17_x86_64.whl'), req('pure', '2.0', 'pure-2.0-py3-none-any.whl')],
          windows: [req('native', '1.0', 'native-1.0-cp311-cp311-win_amd64.whl'), req('pure', '2.0', 'pure-2.0-py3-none-any.whl'), req('winonly', '3.0', 'winonly-3.0-py3-none-any.whl')],
        },
      },
      lint: { requires: ['lint', 'pure'], constraints: [], profiles: { linux: [req('lint', '4.0', 'lint-4.0-py3-none-any.whl'), req('pure', '2.0', 'pure-2.0-py3-none-any.whl')] } },
    },
  };
}

t.test('the union of the chosen sets, each file once with the profiles that install it', async (t) => {
  const all = plannedFiles(sampleLock(), [], []);
  t.same(
    all.map((f) => [f.filename, f.profiles]),
    [
      ['lint-4.0-py3-none-any.whl', ['linux']],
      ['native-1.0-cp311-cp311-manylinux_2_17_x86_64.whl', ['linux']],
      ['native-1.0-cp311-cp311-win_amd64.whl', ['windows']],
      ['pure-2.0-py3-none-any.whl', ['linux', 'windows']],
      ['winonly-3.0-py3-none-any.whl', ['windows']],
    ],
    'sorted by filename; the shared pure wheel appears once',
  );
  const pure = all.find((f) => f.filename.startsWith('pure'));
  t.same(pure, { filename: 'pure-2.0-py3-none-any.whl', sha256: hex('c'), size: 10, url: 'http://i/files/pure-2.0-py3-none-any.whl', project: 'pure', version: '2.0', profiles: ['linux', 'windows'] });
});

t.test('job and profile filters', async (t) => {
  const lock = sampleLock();
  t.same(plannedFiles(lock, ['build'], ['linux']).map((f) => f.filename), ['native-1.0-cp311-cp311-manylinux_2_17_x86_64.whl', 'pure-2.0-py3-none-any.whl']);
  t.same(plannedFiles(lock, [], ['windows']).map((f) => f.filename), ['native-1.0-cp311-cp311-win_amd64.whl', 'pure-2.0-py3-none-any.whl', 'winonly-3.0-py3-none-any.whl'], 'lint has no windows profile: skipped, not an error');
  t.same(plannedFiles(lock, ['lint'], []).map((f) => f.filename), ['lint-4.0-py3-none-any.whl', 'pure-2.0-py3-none-any.whl']);
  t.same(plannedFiles(lock, ['lint', 'build'], ['linux']).length, 3);
});

t.test('unknown names and inconsistent locks are errors', async (t) => {
  const lock = sampleLock();
  t.throws(() => plannedFiles(lock, ['nope'], []), { code: 'E_UNKNOWN_JOB', message: /"nope"/ });
  t.throws(() => plannedFiles(lock, ['lint'], ['windows']), { code: 'E_UNKNOWN_PROFILE', message: /"windows"/ });
  t.throws(() => plannedFiles(lock, [], ['macos']), { code: 'E_UNKNOWN_PROFILE' });
  const broken = sampleLock();
  broken.packages[1]!.files[0]!.filename = 'other.whl';
  t.throws(() => plannedFiles(broken, ['build'], ['linux']), { code: 'E_LOCK_INVALID' });
  const twoHashes = sampleLock();
  twoHashes.packages.push({ name: 'pure2', version: '1', files: [{ filename: 'pure-2.0-py3-none-any.whl', sha256: hex('f'), size: 1, url: 'u', profiles: ['linux'] }] });
  twoHashes.jobs.lint!.profiles.linux!.push(req('pure2', '1', 'pure-2.0-py3-none-any.whl'));
  t.throws(() => plannedFiles(twoHashes, [], []), { code: 'E_LOCK_INVALID', message: /two different hashes/ });
});
