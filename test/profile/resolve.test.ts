/**
 * Inline profiles (a config's `profiles:` map): standalone specs, `extends`
 * with parameter and marker overrides, and invalid specs — each error must
 * carry the right code and name the file, the LINE and the key path.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { isPyindexError } from '../../src/errors/index.js';
import { loadBuiltinProfiles, profileContextFromConfig, resolveProfile, targetTags } from '../../src/profile/index.js';

const builtins = loadBuiltinProfiles();

type TestLike = Pick<typeof t, 'testdir' | 'fail'>;

function configFile(t: TestLike, yaml: string): string {
  const dir = t.testdir({});
  const file = join(dir, 'pyindex.yaml');
  writeFileSync(file, yaml);
  return file;
}

/** Resolves `name` from a config and returns the thrown PyindexError (fails the test if none). */
function errorOf(t: TestLike, yaml: string, name: string): { code: string; message: string; hint: string | undefined; file: string } {
  const file = configFile(t, yaml);
  try {
    resolveProfile(name, undefined, profileContextFromConfig(file));
  } catch (err) {
    if (isPyindexError(err)) return { code: err.code, message: err.message, hint: err.hint, file };
    throw err;
  }
  t.fail(`resolving ${name} should have thrown`);
  return { code: '', message: '', hint: undefined, file };
}

t.test('standalone inline profile with a glibc', async (t) => {
  const p = resolveProfile('linux64-py311', { platform: 'linux-x86_64', python: '3.11', glibc: '2.28' }, { builtins });
  t.equal(p.name, 'linux64-py311');
  t.equal(p.glibc, '2.28');
  t.equal(p.tags[0], 'cp311-cp311-manylinux_2_28_x86_64');
  t.ok(p.tags.includes('cp311-cp311-manylinux2014_x86_64'));
  t.same(p.markers, builtins.get('linux-x86_64-py3.11')?.spec.markers, 'markers from the built-in of the same platform/python');
});

t.test('extends a built-in and overrides a marker', async (t) => {
  const ctx = { builtins, inline: { win: { extends: 'windows-amd64-py3.11', markers: { platform_release: '11' } } } };
  const p = resolveProfile('win', undefined, ctx);
  const base = resolveProfile('windows-amd64-py3.11', undefined, { builtins });
  t.equal(p.markers.platform_release, '11');
  t.same({ ...p.markers, platform_release: base.markers.platform_release }, base.markers, 'other markers unchanged');
  t.same(p.tags, base.tags);
  t.equal(p.platform, 'windows-amd64');
  t.notOk('glibc' in p);
});

t.test('extends chains, python and platform overrides, musl, shadowing', async (t) => {
  const inline = {
    base: { extends: 'linux-x86_64-py3.11', glibc: '2.28', markers: { platform_release: '5.15.0' } },
    newer: { extends: 'base', python: '3.12' },
    alpine: { extends: 'newer', musl: '1.2' },
    mac: { extends: 'newer', platform: 'macos-arm64' },
    'linux-x86_64-py3.11': { extends: 'linux-x86_64-py3.11', glibc: '2.31' },
  };
  const ctx = { builtins, inline };
  const newer = resolveProfile('newer', undefined, ctx);
  t.equal(newer.python, '3.12');
  t.equal(newer.markers.python_version, '3.12', 'python markers follow the overridden python');
  t.equal(newer.markers.platform_release, '5.15.0', 'inherited inline marker override kept');
  t.equal(newer.glibc, '2.28');
  t.same(newer.tags, targetTags({ platform: 'linux-x86_64', python: '3.12', glibc: '2.28' }));

  const alpine = resolveProfile('alpine', undefined, ctx);
  t.equal(alpine.musl, '1.2');
  t.notOk('glibc' in alpine, 'musl replaces the inherited glibc');
  t.equal(alpine.tags[0], 'cp312-cp312-musllinux_1_2_x86_64');
  t.notOk(alpine.tags.some((x) => x.includes('manylinux')));

  const mac = resolveProfile('mac', undefined, ctx);
  t.equal(mac.platform, 'macos-arm64');
  t.notOk('glibc' in mac, 'glibc does not carry over to another platform');
  t.equal(mac.macos, '11.0');
  t.equal(mac.markers.sys_platform, 'darwin');
  t.equal(mac.markers.platform_release, '5.15.0', 'explicit marker overrides are kept even across platforms');

  const shadow = resolveProfile('linux-x86_64-py3.11', undefined, ctx);
  t.equal(shadow.glibc, '2.31', 'an inline profile may shadow and extend the built-in of the same name');
});

t.test('config file: profiles map resolved against built-ins', async (t) => {
  const file = configFile(
    t,
    `index: https://pypi.internal/simple
profiles:
  linux64-py311: { platform: linux-x86_64, python: "3.11", glibc: "2.28" }
  win:
    extends: windows-amd64-py3.11
    markers:
      platform_release: "10"
`,
  );
  const ctx = profileContextFromConfig(file);
  t.equal(resolveProfile('linux64-py311', undefined, ctx).tags[0], 'cp311-cp311-manylinux_2_28_x86_64');
  t.equal(resolveProfile('win', undefined, ctx).markers.platform_release, '10');
  t.equal(resolveProfile('macos-arm64-py3.12', undefined, ctx).platform, 'macos-arm64', 'built-ins still reachable');
});

t.test('invalid inline profiles: code, file:line and key path', async (t) => {
  const cases: { what: string; yaml: string; name: string; code: string; line: number; path?: string; hint?: RegExp }[] = [
    { what: 'unknown platform', yaml: 'profiles:\n  a:\n    platform: linux-riscv64\n    python: "3.11"\n', name: 'a', code: 'E_PROFILE_INVALID', line: 3, path: 'profiles.a.platform', hint: /linux-x86_64/ },
    { what: 'unsupported python', yaml: 'profiles:\n  a:\n    platform: linux-x86_64\n    python: "3.7"\n', name: 'a', code: 'E_PROFILE_INVALID', line: 4, path: 'profiles.a.python' },
    { what: 'python as a YAML number', yaml: 'profiles:\n  a:\n    platform: linux-x86_64\n    python: 3.10\n', name: 'a', code: 'E_PROFILE_INVALID', line: 4, path: 'profiles.a.python', hint: /quote|"3.10"/i },
    { what: 'unknown marker key', yaml: 'profiles:\n  a:\n    extends: linux-x86_64-py3.11\n    markers:\n      os_name: posix\n      platform_machin: x86_64\n', name: 'a', code: 'E_PROFILE_INVALID', line: 6, path: 'profiles.a.markers.platform_machin', hint: /platform_machine/ },
    { what: 'unknown top-level key', yaml: 'profiles:\n  a:\n    extends: linux-x86_64-py3.11\n    glibcc: "2.28"\n', name: 'a', code: 'E_PROFILE_INVALID', line: 4, path: 'profiles.a.glibcc' },
    { what: 'marker of the wrong type', yaml: 'profiles:\n  a:\n    extends: linux-x86_64-py3.11\n    markers:\n      platform_release: 10\n', name: 'a', code: 'E_PROFILE_INVALID', line: 5, path: 'profiles.a.markers.platform_release' },
    { what: 'glibc as a number', yaml: 'profiles:\n  a:\n    platform: linux-x86_64\n    python: "3.11"\n    glibc: 2.28\n', name: 'a', code: 'E_PROFILE_INVALID', line: 5, path: 'profiles.a.glibc' },
    { what: 'spec is not a mapping', yaml: 'profiles:\n  a: linux-x86_64\n', name: 'a', code: 'E_PROFILE_INVALID', line: 2, path: 'profiles.a' },
    { what: 'bad glibc version', yaml: 'profiles:\n  a:\n    platform: linux-x86_64\n    python: "3.11"\n    glibc: "two"\n', name: 'a', code: 'E_PROFILE_INVALID', line: 5, path: 'profiles.a.glibc' },
    { what: 'extends cycle', yaml: 'profiles:\n  a:\n    extends: b\n  b:\n    python: "3.12"\n    extends: a\n', name: 'a', code: 'E_PROFILE_INVALID', line: 6, path: 'profiles.b.extends' },
    { what: 'self cycle', yaml: 'profiles:\n  a:\n    extends: a\n', name: 'a', code: 'E_PROFILE_INVALID', line: 3, path: 'profiles.a.extends' },
    { what: 'glibc on windows', yaml: 'profiles:\n  w:\n    extends: windows-amd64-py3.11\n    glibc: "2.28"\n', name: 'w', code: 'E_PROFILE_INVALID', line: 4, path: 'profiles.w.glibc' },
    { what: 'macos on linux', yaml: 'profiles:\n  l:\n    platform: linux-aarch64\n    python: "3.9"\n    macos: "11.0"\n', name: 'l', code: 'E_PROFILE_INVALID', line: 5, path: 'profiles.l.macos' },
    { what: 'glibc and musl together', yaml: 'profiles:\n  l:\n    platform: linux-x86_64\n    python: "3.9"\n    glibc: "2.28"\n    musl: "1.2"\n', name: 'l', code: 'E_PROFILE_INVALID', line: 6, path: 'profiles.l.musl' },
    { what: 'arm64 before macOS 11', yaml: 'profiles:\n  m:\n    extends: macos-arm64-py3.11\n    macos: "10.15"\n', name: 'm', code: 'E_PROFILE_INVALID', line: 4, path: 'profiles.m.macos' },
    { what: 'neither platform nor extends', yaml: 'profiles:\n  m:\n    python: "3.11"\n', name: 'm', code: 'E_PROFILE_INVALID', line: 2, path: 'profiles.m' },
    { what: 'extends an unknown profile', yaml: 'profiles:\n  a:\n    extends: linux-x86_64-py311\n', name: 'a', code: 'E_UNKNOWN_PROFILE', line: 3, hint: /linux-x86_64-py3\.11/ },
    { what: 'profiles is a list', yaml: 'profiles:\n  - a\n', name: 'a', code: 'E_PROFILE_INVALID', line: 1, path: 'profiles' },
    { what: 'YAML syntax error', yaml: 'profiles:\n\ta: {platform: linux-x86_64}\n', name: 'a', code: 'E_CONFIG_INVALID', line: 2 },
  ];
  for (const c of cases) {
    const e = errorOf(t, c.yaml, c.name);
    t.equal(e.code, c.code, `${c.what}: code`);
    t.ok(e.message.startsWith(`${e.file}:${c.line}`) || e.message.includes(`${e.file}:${c.line}:`), `${c.what}: names ${e.file}:${c.line} — ${e.message}`);
    if (c.path) t.match(e.message, `(at ${c.path})`, `${c.what}: key path`);
    if (c.hint) t.match(e.hint ?? '', c.hint, `${c.what}: hint`);
  }
});

t.test('unknown profile names suggest the closest ones', async (t) => {
  t.throws(() => resolveProfile('linux-x86_64-py311', undefined, { builtins }), { code: 'E_UNKNOWN_PROFILE' });
  try {
    resolveProfile('windows-amd64-py3.1', undefined, { builtins, inline: { 'win-py3.11': { extends: 'windows-amd64-py3.11' } } });
  } catch (err) {
    t.ok(isPyindexError(err, 'E_UNKNOWN_PROFILE'));
    t.match((err as Error).message, 'no profile named "windows-amd64-py3.1"');
    t.match(isPyindexError(err) ? (err.hint ?? '') : '', /"windows-amd64-py3\.11"/);
  }
});

t.test('invalid built-in profile files', async (t) => {
  const root = t.testdir({
    incomplete: { 'linux-x86_64-py3.11.yaml': 'platform: linux-x86_64\npython: "3.11"\nmarkers:\n  os_name: posix\n' },
    extending: { 'x.yaml': 'extends: linux-x86_64-py3.11\nplatform: linux-x86_64\npython: "3.11"\nmarkers: {}\n' },
  });
  const dir = join(root, 'incomplete');
  // Built-ins are read on first use, so the error comes from get().
  t.throws(() => loadBuiltinProfiles(dir).get('linux-x86_64-py3.11'), { code: 'E_PROFILE_INVALID' });
  try {
    loadBuiltinProfiles(dir).get('linux-x86_64-py3.11');
  } catch (err) {
    t.match((err as Error).message, `${join(dir, 'linux-x86_64-py3.11.yaml')}:3`, 'incomplete markers: line of markers');
    t.match((err as Error).message, /missing markers\.\w+/);
  }
  const dir2 = join(root, 'extending');
  try {
    loadBuiltinProfiles(dir2).get('x');
    t.fail('should throw');
  } catch (err) {
    t.ok(isPyindexError(err, 'E_PROFILE_INVALID'));
    t.match((err as Error).message, `${join(dir2, 'x.yaml')}:1`, 'a built-in cannot extend');
  }
});
