/**
 * Config.digest hashes the config's meaning: rewriting the same config
 * (key order, comments, whitespace, flow vs block style, quoting, requirement
 * spelling, moving lines into a requirements file) keeps it; every semantic
 * change (a requirement, a constraint, a profile's glibc, an option, the
 * index, a job's profiles) changes it.
 */
import t from 'tap';
import { loadFrom } from '../helpers/config-kit.js';

const BASE = `index: http://pypi.internal/simple/
profiles:
  linux64-py311: { platform: linux-x86_64, python: "3.11", glibc: "2.28" }
  win64-py311: { platform: windows-amd64, python: "3.11" }
jobs:
  talos:
    requires: ["mozrunner>=5", "mozprocess", "requests[socks]; python_version >= '3'"]
    requires-file: req.txt
    profiles: [linux64-py311, win64-py311]
  lint:
    requires: [flake8]
    profiles: [linux-x86_64-py3.12]
options:
  prereleases: if-necessary-or-explicit
  only-binary: [lxml]
  exclude-newer: 2026-01-01T00:00:00Z
`;

const REQ = '-c constraints.txt\nsix>=1.16\n';
const CONSTRAINTS = 'urllib3<2\n';

function digestOf(t: Parameters<typeof loadFrom>[0], yaml: string, req = REQ, constraints = CONSTRAINTS): string {
  return loadFrom(t, { 'pyindex.yaml': yaml, 'req.txt': req, 'constraints.txt': constraints }).digest;
}

const SAME: [string, string, string?, string?][] = [
  [
    'keys reordered, comments, block style, other quoting and spacing',
    `# the CI lock
options:
  exclude-newer: "2026-01-01T00:00:00Z"   # frozen
  only-binary:
    - lxml
jobs:
  lint:
    profiles: [ linux-x86_64-py3.12 ]
    requires: [ 'flake8' ]
  talos:
    profiles:
      - linux64-py311
      - win64-py311
    requires-file: "req.txt"
    requires:
      - mozrunner >= 5
      - mozprocess
      - 'requests[ socks ] ; python_version>="3"'
profiles:
  win64-py311:
    python: "3.11"
    platform: windows-amd64
  linux64-py311: {python: '3.11', glibc: '2.28', platform: linux-x86_64}
index:   http://pypi.internal/simple/
`,
  ],
  ['default option written out vs left out', BASE.replace('  prereleases: if-necessary-or-explicit\n', '')],
  ['exclude-newer as the same instant in another zone', BASE.replace('2026-01-01T00:00:00Z', '2026-01-01T01:00:00+01:00')],
  ['exclude-newer as a bare date', BASE.replace('2026-01-01T00:00:00Z', '2026-01-01')],
  ['requirement name spelling (PEP 503) and extra case', BASE.replace('"mozrunner>=5"', '"MozRunner>=5"').replace('requests[socks]', 'Requests[SOCKS]')],
  ['only-binary name spelling and order', BASE.replace('only-binary: [lxml]', 'only-binary: [LXML, lxml]')],
  ['an inline profile equal to a built-in, written as extends', BASE.replace('win64-py311: { platform: windows-amd64, python: "3.11" }', 'win64-py311: { extends: windows-amd64-py3.11 }')],
  ['an unused inline profile', BASE.replace('profiles:\n', 'profiles:\n  spare: { platform: macos-arm64, python: "3.13" }\n')],
  ['requirements file comments, blank lines and continuations', BASE, '# pins\n\n-c constraints.txt   # shared\nsix \\\n  >=1.16\n', '# none\nurllib3 < 2\n'],
  [
    'requirements moved from requires into the file, same order',
    BASE.replace('requires: ["mozrunner>=5", "mozprocess", "requests[socks]; python_version >= \'3\'"]\n    ', ''),
    `mozrunner>=5\nmozprocess\nrequests[socks]; python_version >= '3'\n${REQ}`,
  ],
];

const DIFFERENT: [string, string, string?, string?][] = [
  ['a requirement version', BASE.replace('mozrunner>=5', 'mozrunner>=6')],
  ['a requirement marker', BASE.replace(">= '3'", ">= '3.8'")],
  ['an extra', BASE.replace('requests[socks]', 'requests[security]')],
  ['a requirement added', BASE.replace('"mozprocess"', '"mozprocess", "mozlog"')],
  ['requirements reordered', BASE.replace('"mozrunner>=5", "mozprocess"', '"mozprocess", "mozrunner>=5"')],
  ['a requirement in the file', BASE, '-c constraints.txt\nsix>=1.15\n'],
  ['a constraint', BASE, REQ, 'urllib3<1.27\n'],
  ['a profile glibc', BASE.replace('glibc: "2.28"', 'glibc: "2.31"')],
  ['a profile python', BASE.replace('windows-amd64, python: "3.11"', 'windows-amd64, python: "3.12"')],
  ['a profile marker', BASE.replace('{ platform: windows-amd64, python: "3.11" }', '{ platform: windows-amd64, python: "3.11", markers: { platform_release: "11" } }')],
  ['a job profile dropped', BASE.replace('[linux64-py311, win64-py311]', '[linux64-py311]')],
  ['a job renamed', BASE.replace('  lint:', '  style:')],
  ['prereleases', BASE.replace('if-necessary-or-explicit', 'allow')],
  ['only-binary', BASE.replace('only-binary: [lxml]', 'only-binary: [":all:"]')],
  ['no-build added', `${BASE}  no-build: [numpy]\n`],
  ['exclude-newer', BASE.replace('2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z')],
  ['exclude-newer removed', BASE.replace('  exclude-newer: 2026-01-01T00:00:00Z\n', '')],
  ['the index', BASE.replace('http://pypi.internal/simple/', 'http://pypi.internal/simple-staging/')],
];

t.test('same meaning, same digest', async (t) => {
  const base = digestOf(t, BASE);
  t.match(base, /^sha256:[0-9a-f]{64}$/);
  for (const [name, yaml, req, constraints] of SAME) t.equal(digestOf(t, yaml, req, constraints), base, name);
});

t.test('different meaning, different digest', async (t) => {
  const base = digestOf(t, BASE);
  const seen = new Set([base]);
  for (const [name, yaml, req, constraints] of DIFFERENT) {
    const d = digestOf(t, yaml, req, constraints);
    t.not(d, base, name);
    seen.add(d);
  }
  t.equal(seen.size, DIFFERENT.length + 1, 'all distinct');
});

t.test('build-python is not part of the meaning', async (t) => {
  t.equal(digestOf(t, `${BASE}  build-python: /usr/bin/python3\n`), digestOf(t, BASE));
});

t.test('a relative local index: same digest from another checkout directory', async (t) => {
  const yaml = BASE.replace('http://pypi.internal/simple/', './wheels');
  const a = loadFrom(t, { 'pyindex.yaml': yaml, 'req.txt': REQ, 'constraints.txt': CONSTRAINTS });
  const b = loadFrom(t, { checkout: { 'pyindex.yaml': yaml, 'req.txt': REQ, 'constraints.txt': CONSTRAINTS } }, 'checkout/pyindex.yaml');
  t.not(a.index, b.index, 'absolute index paths differ');
  t.equal(a.digest, b.digest);
  t.equal(digestOf(t, BASE.replace('http://pypi.internal/simple/', 'wheels/')), a.digest, './wheels and wheels/ are the same directory');
  t.not(digestOf(t, BASE.replace('http://pypi.internal/simple/', './other')), a.digest);
});
