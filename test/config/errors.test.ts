/**
 * Every way pyindex.yaml can be wrong gives ONE error with the right code,
 * `<file>:<line>:` at the start, the key path (`(at jobs.talos.requires[2])`)
 * and a message/hint that says what to change.
 */
import { join } from 'node:path';
import t from 'tap';
import { loadConfig } from '../../src/config/load.js';
import { caught, writeConfig } from '../helpers/config-kit.js';

interface Case {
  name: string;
  yaml: string;
  files?: Record<string, string>;
  code: string;
  /** Line in pyindex.yaml (or in `inFile`). */
  line: number;
  /** Key path the message must end with, as `(at …)`. */
  path?: string;
  says?: RegExp;
  hint?: RegExp;
  /** The error is located in this other file of the test dir. */
  inFile?: string;
}

const JOB = 'jobs:\n  talos:\n    requires: [six]\n    profiles: [linux-x86_64-py3.11]\n';
const INDEX = 'index: http://pypi.internal/simple/\n';

const CASES: Case[] = [
  { name: 'malformed YAML', yaml: `${INDEX}jobs:\n  talos: { requires: [six, profiles: [x] }\n`, code: 'E_CONFIG_INVALID', line: 3, says: /invalid YAML/ },
  { name: 'duplicate key', yaml: `${INDEX}${JOB}  talos:\n    requires: [x]\n`, code: 'E_CONFIG_INVALID', line: 6, says: /invalid YAML: Map keys must be unique/ },
  { name: 'not a mapping', yaml: '- index\n- jobs\n', code: 'E_CONFIG_INVALID', line: 1, says: /the config must be a mapping, got a list/ },
  { name: 'missing index', yaml: JOB, code: 'E_CONFIG_INVALID', line: 1, says: /missing "index"/, hint: /index: http/ },
  { name: 'missing jobs', yaml: INDEX, code: 'E_CONFIG_INVALID', line: 1, says: /missing "jobs"/, hint: /jobs:/ },
  { name: 'unknown top-level key, near miss', yaml: `${INDEX}job:\n  talos: {}\n`, code: 'E_CONFIG_INVALID', line: 2, path: 'job', says: /unknown key "job" at the top level \(did you mean "jobs"\?\)/ },
  { name: 'unknown key far from any', yaml: `${INDEX}${JOB}wheelhouse: x\n`, code: 'E_CONFIG_INVALID', line: 6, path: 'wheelhouse', says: /unknown key "wheelhouse"/, hint: /index, profiles, jobs, options/ },
  { name: 'require -> requires', yaml: `${INDEX}jobs:\n  talos:\n    require: [six]\n    profiles: [linux-x86_64-py3.11]\n`, code: 'E_CONFIG_INVALID', line: 4, path: 'jobs.talos.require', says: /unknown key "require" in job "talos" \(did you mean "requires"\?\)/ },
  { name: 'profile -> profiles', yaml: `${INDEX}jobs:\n  talos:\n    requires: [six]\n    profile: [linux-x86_64-py3.11]\n`, code: 'E_CONFIG_INVALID', line: 5, path: 'jobs.talos.profile', says: /did you mean "profiles"/ },
  { name: 'unknown option', yaml: `${INDEX}${JOB}options:\n  prerelease: allow\n`, code: 'E_CONFIG_INVALID', line: 7, path: 'options.prerelease', says: /unknown key "prerelease" in options \(did you mean "prereleases"\?\)/ },
  { name: 'requires is a string', yaml: `${INDEX}jobs:\n  talos:\n    requires: mozrunner\n    profiles: [linux-x86_64-py3.11]\n`, code: 'E_CONFIG_INVALID', line: 4, path: 'jobs.talos.requires', says: /must be a list, got string "mozrunner"/, hint: /requires: \["mozrunner"\]/ },
  { name: 'a requirement is a number', yaml: `${INDEX}jobs:\n  talos:\n    requires:\n      - six\n      - 5\n    profiles: [linux-x86_64-py3.11]\n`, code: 'E_CONFIG_INVALID', line: 6, path: 'jobs.talos.requires[1]', says: /must be a string, got number 5/, hint: /Quote it/ },
  { name: 'jobs is a list', yaml: `${INDEX}jobs:\n  - talos\n`, code: 'E_CONFIG_INVALID', line: 2, path: 'jobs', says: /jobs must be a mapping, got a list/ },
  { name: 'empty job', yaml: `${INDEX}jobs:\n  talos:\n`, code: 'E_CONFIG_INVALID', line: 3, path: 'jobs.talos', says: /must be a mapping, got an empty value/ },
  { name: 'no jobs', yaml: `${INDEX}jobs: {}\n`, code: 'E_CONFIG_INVALID', line: 2, path: 'jobs', says: /"jobs" is empty/ },
  { name: 'index is a number', yaml: `index: 8080\n${JOB}`, code: 'E_CONFIG_INVALID', line: 1, path: 'index', says: /must be a string, got number 8080/ },
  { name: 'bad prereleases', yaml: `${INDEX}${JOB}options:\n  prereleases: sometimes\n`, code: 'E_CONFIG_INVALID', line: 7, path: 'options.prereleases', says: /"sometimes" is not a valid options\.prereleases/, hint: /if-necessary-or-explicit, allow, disallow/ },
  { name: 'invalid job name', yaml: `${INDEX}jobs:\n  "talos job":\n    requires: [six]\n    profiles: [linux-x86_64-py3.11]\n`, code: 'E_CONFIG_INVALID', line: 3, path: 'jobs.talos job', says: /invalid job name "talos job"/ },
  { name: 'invalid profile name', yaml: `${INDEX}profiles:\n  ok: { extends: linux-x86_64-py3.11 }\n  "-linux": { extends: linux-x86_64-py3.11 }\n${JOB}`, code: 'E_CONFIG_INVALID', line: 4, path: 'profiles.-linux', says: /invalid profile name "-linux"/ },
  { name: 'profile listed twice', yaml: `${INDEX}jobs:\n  talos:\n    requires: [six]\n    profiles:\n      - linux-x86_64-py3.11\n      - linux-x86_64-py3.11\n`, code: 'E_CONFIG_INVALID', line: 7, path: 'jobs.talos.profiles[1]', says: /"linux-x86_64-py3\.11" is listed twice/ },
  { name: 'invalid requirement', yaml: `${INDEX}jobs:\n  talos:\n    requires: ["mozrunner>=5", "mozprocess", "requests[socks]>>2"]\n    profiles: [linux-x86_64-py3.11]\n`, code: 'E_INVALID_REQUIREMENT', line: 4, path: 'jobs.talos.requires[2]', says: /"requests\[socks\]>>2" is not a valid requirement/ },
  { name: 'invalid requirement, block list', yaml: `${INDEX}jobs:\n  talos:\n    requires:\n      - six\n      - "six; python_version >"\n    profiles: [linux-x86_64-py3.11]\n`, code: 'E_INVALID_REQUIREMENT', line: 6, path: 'jobs.talos.requires[1]' },
  { name: 'URL requirement', yaml: `${INDEX}jobs:\n  talos:\n    requires:\n      - six @ https://example.org/six-1.16.0-py2.py3-none-any.whl\n    profiles: [linux-x86_64-py3.11]\n`, code: 'E_URL_REQUIREMENT', line: 5, path: 'jobs.talos.requires[0]', says: /direct URL requirement/ },
  { name: 'pip option as a requirement', yaml: `${INDEX}jobs:\n  talos:\n    requires: ["-r requirements.txt"]\n    profiles: [linux-x86_64-py3.11]\n`, code: 'E_CONFIG_INVALID', line: 4, path: 'jobs.talos.requires[0]', says: /is a pip option/, hint: /requires-file/ },
  { name: 'unknown profile (did you mean)', yaml: `${INDEX}profiles:\n  linux64-py311: { platform: linux-x86_64, python: "3.11" }\njobs:\n  talos:\n    requires: [six]\n    profiles: [linux-x86_64-py3.11, linux64-py31]\n`, code: 'E_UNKNOWN_PROFILE', line: 7, path: 'jobs.talos.profiles[1]', says: /job "talos": no profile named "linux64-py31"/, hint: /Did you mean "linux64-py311"/ },
  { name: 'unknown profile (nothing close)', yaml: `${INDEX}jobs:\n  talos:\n    requires: [six]\n    profiles:\n      - solaris\n`, code: 'E_UNKNOWN_PROFILE', line: 6, path: 'jobs.talos.profiles[0]', hint: /^A job can use/ },
  { name: 'job with no profiles', yaml: `${INDEX}jobs:\n  talos:\n    requires: [six]\n    profiles: []\n`, code: 'E_CONFIG_INVALID', line: 5, path: 'jobs.talos.profiles', says: /job "talos" lists no profiles/ },
  { name: 'job without a profiles key', yaml: `${INDEX}jobs:\n  talos:\n    requires: [six]\n`, code: 'E_CONFIG_INVALID', line: 3, path: 'jobs.talos', says: /job "talos" has no "profiles"/ },
  { name: 'job with neither requires nor requires-file', yaml: `${INDEX}jobs:\n  talos:\n    profiles: [linux-x86_64-py3.11]\n`, code: 'E_CONFIG_INVALID', line: 3, path: 'jobs.talos', says: /job "talos" has neither "requires" nor "requires-file"/ },
  { name: 'job that requires nothing', yaml: `${INDEX}jobs:\n  talos:\n    requires: []\n    profiles: [linux-x86_64-py3.11]\n`, code: 'E_CONFIG_INVALID', line: 4, path: 'jobs.talos.requires', says: /requires nothing/ },
  { name: 'only constraints in the file', yaml: `${INDEX}jobs:\n  talos:\n    requires-file: req.txt\n    profiles: [linux-x86_64-py3.11]\n`, files: { 'req.txt': '-c c.txt\n', 'c.txt': 'six<2\n' }, code: 'E_CONFIG_INVALID', line: 4, path: 'jobs.talos.requires-file', says: /requires nothing/ },
  { name: 'missing requirements file', yaml: `${INDEX}jobs:\n  talos:\n    requires: [six]\n    requires-file: ci/requirements.txt\n    profiles: [linux-x86_64-py3.11]\n`, code: 'E_FILE_NOT_FOUND', line: 5, path: 'jobs.talos.requires-file', says: /requirements file .*ci\/requirements\.txt does not exist/ },
  { name: 'bad line in the requirements file', yaml: `${INDEX}jobs:\n  talos:\n    requires-file: req.txt\n    profiles: [linux-x86_64-py3.11]\n`, files: { 'req.txt': 'six\n-e .\n' }, inFile: 'req.txt', code: 'E_CONFIG_INVALID', line: 2, says: /"-e"/ },
  { name: 'invalid exclude-newer', yaml: `${INDEX}${JOB}options:\n  exclude-newer: 2026-02-30T00:00:00Z\n`, code: 'E_CONFIG_INVALID', line: 7, path: 'options.exclude-newer', says: /"2026-02-30T00:00:00Z" is not an RFC 3339 date-time/ },
  { name: 'exclude-newer without a zone', yaml: `${INDEX}${JOB}options:\n  prereleases: allow\n  exclude-newer: "2026-01-01T00:00:00"\n`, code: 'E_CONFIG_INVALID', line: 8, path: 'options.exclude-newer' },
  { name: 'exclude-newer as a number', yaml: `${INDEX}${JOB}options:\n  exclude-newer: 2026\n`, code: 'E_CONFIG_INVALID', line: 7, path: 'options.exclude-newer', says: /must be a string/ },
  { name: 'invalid name in only-binary', yaml: `${INDEX}${JOB}options:\n  only-binary: [numpy, "not a name"]\n`, code: 'E_INVALID_NAME', line: 7, path: 'options.only-binary[1]', says: /"not a name" is not a valid project name/ },
  { name: 'no-binary and only-binary overlap', yaml: `${INDEX}${JOB}options:\n  only-binary: [":all:"]\n  no-binary: [lxml]\n`, code: 'E_CONFIG_INVALID', line: 8, path: 'options.no-binary', says: /"lxml" is in both no-binary and only-binary/ },
  { name: 'no-binary and no-build overlap', yaml: `${INDEX}${JOB}options:\n  no-binary: [LXML]\n  no-build: [lxml]\n`, code: 'E_CONFIG_INVALID', line: 7, path: 'options.no-binary', says: /no-build/ },
  { name: 'index with an unsupported scheme', yaml: `index: ftp://pypi.internal/simple/\n${JOB}`, code: 'E_CONFIG_INVALID', line: 1, path: 'index', says: /unsupported scheme "ftp:"/ },
  { name: 'index host without a scheme', yaml: `index: pypi.internal/simple/\n${JOB}`, code: 'E_CONFIG_INVALID', line: 1, path: 'index', says: /looks like a host name/, hint: /http:\/\/pypi\.internal\/simple\// },
  { name: 'index host:port without a scheme', yaml: `index: localhost:8080/simple\n${JOB}`, code: 'E_CONFIG_INVALID', line: 1, path: 'index', says: /unsupported scheme "localhost:"/ },
  { name: 'relative file: URL', yaml: `index: file:simple\n${JOB}`, code: 'E_CONFIG_INVALID', line: 1, path: 'index', says: /not an absolute file: URL/ },
  { name: 'index with spaces', yaml: `index: http://pypi internal/\n${JOB}`, code: 'E_CONFIG_INVALID', line: 1, path: 'index', says: /whitespace/ },
  { name: 'http URL without a host', yaml: `index: "http://"\n${JOB}`, code: 'E_CONFIG_INVALID', line: 1, path: 'index', says: /not a valid URL/ },
  { name: 'index with ~', yaml: `index: ~/pypi\n${JOB}`, code: 'E_CONFIG_INVALID', line: 1, path: 'index', says: /"~"/ },
  { name: 'inline profile: number python', yaml: `${INDEX}profiles:\n  lin:\n    platform: linux-x86_64\n    python: 3.1\n${JOB}`, code: 'E_PROFILE_INVALID', line: 5, path: 'profiles.lin.python', hint: /Quote/ },
  { name: 'inline profile extends an unknown one', yaml: `${INDEX}profiles:\n  lin: { extends: linux-x86_64-py3.1 }\n${JOB}`, code: 'E_UNKNOWN_PROFILE', line: 3, says: /no profile named "linux-x86_64-py3\.1"/ },
  { name: 'inline profile is not a mapping', yaml: `${INDEX}profiles:\n  lin: linux-x86_64\n${JOB}`, code: 'E_CONFIG_INVALID', line: 3, path: 'profiles.lin', says: /must be a mapping/ },
];

t.test('invalid configs', async (t) => {
  for (const c of CASES) {
    const { dir, file } = writeConfig(t, { 'pyindex.yaml': c.yaml, ...c.files });
    const e = caught(t, () => loadConfig(file));
    const at = `${c.inFile ? join(dir, c.inFile) : file}:${c.line}: `;
    t.equal(e.code, c.code, `${c.name}: code`);
    t.equal(e.message.slice(0, at.length), at, `${c.name}: starts with FILE:LINE (${e.message})`);
    const firstLine = e.message.split('\n')[0] ?? '';
    if (c.path !== undefined) t.equal(firstLine.slice(-` (at ${c.path})`.length), ` (at ${c.path})`, `${c.name}: first line ends with the key path`);
    if (c.says) t.match(e.message, c.says, `${c.name}: message`);
    if (c.hint) t.match(e.hint, c.hint, `${c.name}: hint`);
    t.ok(e.hint, `${c.name}: has a hint`);
  }
});

t.test('unknown profile details carry the suggestions', async (t) => {
  const { file } = writeConfig(t, { 'pyindex.yaml': `${INDEX}jobs:\n  talos:\n    requires: [six]\n    profiles: [linux-x86_64-py3.1]\n` });
  const e = caught(t, () => loadConfig(file));
  t.equal(e.code, 'E_UNKNOWN_PROFILE');
  t.same(e.details, { file, line: 5, path: 'jobs.talos.profiles[0]', profile: 'linux-x86_64-py3.1', suggestions: ['linux-x86_64-py3.10', 'linux-x86_64-py3.11', 'linux-x86_64-py3.12'] });
});

t.test('an empty config', async (t) => {
  const { file } = writeConfig(t, { 'pyindex.yaml': '# nothing yet\n' });
  const e = caught(t, () => loadConfig(file));
  t.equal(e.code, 'E_CONFIG_INVALID');
  t.equal(e.message, `${file}: the config is empty`);
});

t.test('a missing config file', async (t) => {
  const dir = t.testdir({});
  t.throws(() => loadConfig(join(dir, 'pyindex.yaml')), { code: 'E_FILE_NOT_FOUND' });
});

t.test('the first error in the file wins', async (t) => {
  const yaml = `${INDEX}jobs:\n  a:\n    requires: [six]\n    profiles: []\n  b:\n    requires: nope\n    profile: [x]\n`;
  const { file } = writeConfig(t, { 'pyindex.yaml': yaml });
  t.match(caught(t, () => loadConfig(file)).message, `${file}:5: job "a" lists no profiles (at jobs.a.profiles)`);
  const typo = `${INDEX}jobs:\n  b:\n    requires: [six]\n    profile: [x]\n`;
  const second = writeConfig(t, { 'pyindex.yaml': typo });
  t.match(caught(t, () => loadConfig(second.file)).message, `${second.file}:5: unknown key "profile"`, 'an unknown key wins over the "missing" key it explains, though the mapping starts earlier');
  const root = writeConfig(t, { 'pyindex.yaml': `index: 5
job: {}
` });
  t.match(caught(t, () => loadConfig(root.file)).message, `${root.file}:1: index must be a string`, 'line order, not keyword order, between keys of one mapping');
});
