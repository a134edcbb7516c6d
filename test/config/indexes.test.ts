/**
 * `index:` with mirrors, `indexes:` (first one wins, `explicit`), and
 * `packages:` pins: what the loader makes of them, the digest rules (an old
 * single-index config keeps its digest; mirrors never change it), and one
 * clear error with file:line for each way they can be wrong.
 */
import t from 'tap';
import { loadConfig } from '../../src/config/load.js';
import { caught, loadFrom, writeConfig } from '../helpers/config-kit.js';

const JOB = 'jobs:\n  talos:\n    requires: [six]\n    profiles: [linux-x86_64-py3.11]\n';
const URL_A = 'http://pypi.internal/simple/';
const URL_B = 'https://pypi.org/simple/';

t.test('index as a mapping with mirrors', async (t) => {
  const plain = loadFrom(t, { 'pyindex.yaml': `index: ${URL_A}\n${JOB}` });
  const mirrored = loadFrom(t, { 'pyindex.yaml': `index:\n  url: ${URL_A}\n  mirrors: [http://m1.internal/simple/, "https://m2.internal/pypi/simple"]\n${JOB}` });
  t.equal(mirrored.index, URL_A, 'the primary is the index');
  t.same(mirrored.indexes, [{ name: undefined, url: URL_A, mirrors: ['http://m1.internal/simple/', 'https://m2.internal/pypi/simple'], explicit: false }]);
  t.same(plain.indexes, [{ name: undefined, url: URL_A, mirrors: [], explicit: false }], 'index: URL is one index without mirrors');
  t.equal(mirrored.digest, plain.digest, 'mirrors do not change the digest: a lock stays current when mirrors are added');
  t.equal(plain.packages.size, 0);
  const single = loadFrom(t, { 'pyindex.yaml': `indexes:\n  - name: internal\n    url: ${URL_A}\n${JOB}` });
  t.equal(single.digest, plain.digest, 'one entry of indexes: means index:');
  const mapOnly = loadFrom(t, { 'pyindex.yaml': `index: { url: ${URL_A} }\n${JOB}` });
  t.equal(mapOnly.digest, plain.digest);
});

t.test('several indexes, explicit, pins', async (t) => {
  const yaml = `indexes:
  - name: internal
    url: ${URL_A}
    mirrors: [http://m1.internal/simple/]
  - ${URL_B}
  - name: torch
    url: https://download.pytorch.org/whl/cpu
    explicit: true
packages:
  Torch: torch
  Flask_Extra: ${URL_B}
${JOB}`;
  const c = loadFrom(t, { 'pyindex.yaml': yaml });
  t.equal(c.index, URL_A);
  t.same(
    c.indexes.map((i) => [i.name, i.url, i.mirrors.length, i.explicit]),
    [
      ['internal', URL_A, 1, false],
      [undefined, URL_B, 0, false],
      ['torch', 'https://download.pytorch.org/whl/cpu', 0, true],
    ],
  );
  t.same([...c.packages], [['torch', 2], ['flask-extra', 1]], 'pins by name or URL, project names normalized');

  const digestOf = (text: string): string => loadFrom(t, { 'pyindex.yaml': text }).digest;
  const plain = digestOf(`index: ${URL_A}\n${JOB}`);
  t.not(c.digest, plain, 'a second index changes the digest');
  t.equal(digestOf(yaml.replace('    mirrors: [http://m1.internal/simple/]\n', '')), c.digest, 'mirrors still do not count');
  t.not(digestOf(yaml.replace('explicit: true', 'explicit: false')), c.digest, 'explicit counts');
  t.not(digestOf(yaml.replace('  Torch: torch\n', '')), c.digest, 'a pin counts');
  t.not(digestOf(yaml.replace('  Torch: torch\n', '  Torch: internal\n')), c.digest, 'where a pin points counts');
  t.equal(digestOf(yaml.replace('  Torch: torch\n', '  torch: torch\n')), c.digest, 'pin names count normalized');
});

interface Case {
  name: string;
  yaml: string;
  line: number;
  code?: string;
  path?: string;
  says: RegExp;
  hint?: RegExp;
}

const CASES: Case[] = [
  { name: 'both index and indexes', yaml: `index: ${URL_A}\nindexes: [${URL_B}]\n${JOB}`, line: 2, path: 'indexes', says: /both "index" and "indexes"/ },
  { name: 'misspelt mirrors', yaml: `index:\n  url: ${URL_A}\n  mirror: [http://m1/simple/]\n${JOB}`, line: 3, path: 'index.mirror', says: /unknown key "mirror" in index \(did you mean "mirrors"\?\)/ },
  { name: 'index mapping without url', yaml: `index:\n  mirrors: [http://m1/simple/]\n${JOB}`, line: 1, says: /missing "url" in index/ },
  { name: 'index is a list', yaml: `index: [${URL_A}]\n${JOB}`, line: 1, path: 'index', says: /index must be a string or a mapping, got a list/, hint: /mirrors/ },
  { name: 'mirror is a directory', yaml: `index:\n  url: ${URL_A}\n  mirrors: [./copy]\n${JOB}`, line: 3, path: 'index.mirrors[0]', says: /mirror "\.\/copy" is not an http\(s\) URL/ },
  { name: 'mirror with a bad scheme', yaml: `index:\n  url: ${URL_A}\n  mirrors: [ftp://m1/simple/]\n${JOB}`, line: 3, path: 'index.mirrors[0]', says: /mirror "ftp:\/\/m1\/simple\/" has an unsupported scheme/ },
  { name: 'mirror is the index', yaml: `index:\n  url: ${URL_A}\n  mirrors: [http://pypi.internal/simple]\n${JOB}`, line: 3, says: /is the index itself/ },
  { name: 'mirrors of a directory', yaml: `index:\n  url: ./wheels\n  mirrors: [http://m1/simple/]\n${JOB}`, line: 2, path: 'index.url', says: /has mirrors but is not an http\(s\) URL/ },
  { name: 'mirror listed twice', yaml: `index:\n  url: ${URL_A}\n  mirrors: [http://m1/simple/, http://m1/simple/]\n${JOB}`, line: 3, says: /listed twice/ },
  { name: 'empty indexes', yaml: `indexes: []\n${JOB}`, line: 1, path: 'indexes', says: /must not be empty/ },
  { name: 'bad index name', yaml: `indexes:\n  - name: "my index"\n    url: ${URL_A}\n${JOB}`, line: 2, path: 'indexes[0].name', says: /invalid index name "my index"/ },
  { name: 'duplicate index names', yaml: `indexes:\n  - { name: a, url: ${URL_A} }\n  - { name: a, url: ${URL_B} }\n${JOB}`, line: 3, path: 'indexes[1].name', says: /two indexes are named "a"/ },
  { name: 'the same URL twice', yaml: `indexes:\n  - ${URL_A}\n  - { url: ${URL_B}, mirrors: ["${URL_A}"] }\n${JOB}`, line: 3, path: 'indexes[1]', says: /shares a URL with an earlier index/ },
  { name: 'every index explicit', yaml: `indexes:\n  - { url: ${URL_A}, explicit: true }\n${JOB}`, line: 2, says: /every index is explicit/ },
  { name: 'explicit is not a boolean', yaml: `indexes:\n  - { url: ${URL_A}, explicit: "yes" }\n${JOB}`, line: 2, path: 'indexes[0].explicit', says: /must be true or false/ },
  { name: 'pin to an unknown index', yaml: `indexes:\n  - { name: internal, url: ${URL_A} }\n  - { name: pypi, url: ${URL_B} }\npackages:\n  six: pipy\n${JOB}`, line: 5, path: 'packages.six', says: /"six" is pinned to "pipy", which is no index of this config/, hint: /Did you mean "pypi"\?/ },
  { name: 'pin of a bad name', yaml: `indexes:\n  - { name: internal, url: ${URL_A} }\npackages:\n  "-six": internal\n${JOB}`, line: 4, code: 'E_INVALID_NAME', says: /"-six" is not a valid project name/ },
  { name: 'pinned twice', yaml: `indexes:\n  - { name: internal, url: ${URL_A} }\npackages:\n  Six: internal\n  six: internal\n${JOB}`, line: 5, path: 'packages.six', says: /pinned twice/ },
  { name: 'pin to a number', yaml: `indexes:\n  - { name: internal, url: ${URL_A} }\npackages:\n  six: 3\n${JOB}`, line: 4, path: 'packages.six', says: /must be a string, got number 3/ },
];

t.test('invalid index configs', async (t) => {
  for (const c of CASES) {
    const { file } = writeConfig(t, { 'pyindex.yaml': c.yaml });
    const e = caught(t, () => loadConfig(file));
    const at = `${file}:${c.line}: `;
    t.equal(e.code, c.code ?? 'E_CONFIG_INVALID', `${c.name}: code (${e.message})`);
    t.equal(e.message.slice(0, at.length), at, `${c.name}: starts with FILE:LINE (${e.message})`);
    if (c.path !== undefined) t.match(e.message, ` (at ${c.path})`, `${c.name}: names the key path`);
    t.match(e.message, c.says, `${c.name}: message`);
    if (c.hint) t.match(e.hint, c.hint, `${c.name}: hint`);
    t.ok(e.hint, `${c.name}: has a hint`);
  }
});
