/**
 * pip-style requirements files: logical lines as pip's req_file.py makes them
 * (continuations, comments), -r / -c includes relative to the including file
 * (cycles and diamonds harmless), and a FILE:LINE error for everything a
 * lock cannot honour.
 */
import { join } from 'node:path';
import t from 'tap';
import { logicalLines, readRequirementsFile } from '../../src/config/requirements-file.js';
import { caught } from '../helpers/config-kit.js';

t.test('logical lines: continuations, comments, blank lines, CRLF, BOM', async (t) => {
  const text = [
    '\uFEFF# a comment',
    '',
    'mozrunner>=5   # trailing comment',
    'requests[socks] \\',
    '  >=2.0,\\',
    '  <3 ; python_version >= "3"',
    'url#fragment-is-not-a-comment',
    '   # indented comment \\',
    'six',
    'last \\',
  ].join('\r\n');
  t.same(logicalLines(text), [
    { line: 3, text: 'mozrunner>=5' },
    { line: 4, text: 'requests[socks]   >=2.0,  <3 ; python_version >= "3"' },
    { line: 7, text: 'url#fragment-is-not-a-comment' },
    { line: 9, text: 'six' },
    { line: 10, text: 'last' },
  ]);
});

t.test('requirements, -r and -c (all spellings), nested relative paths, cycles', async (t) => {
  const dir = t.testdir({
    'requirements.txt': [
      '# top',
      'mozrunner>=5',
      '-r sub/base.txt',
      '-c constraints.txt',
      'requests[socks]>=2 ; python_version >= "3"',
      '--requirement=sub/base.txt', // already read: skipped
    ].join('\n'),
    'constraints.txt': 'urllib3<2\n--constraint more-constraints.txt\n',
    'more-constraints.txt': 'idna==3.4 ; python_version >= "3.7"\n-rrequirements.txt\n',
    sub: {
      'base.txt': 'six\n-r ../requirements.txt\n--requirement extra.txt\n',
      'extra.txt': 'mozprocess \\\n  >=1.0\n',
    },
  });
  const read = readRequirementsFile(join(dir, 'requirements.txt'));
  t.same(
    read.requirements.map((r) => [r.text, r.file.slice(dir.length + 1), r.line]),
    [
      ['mozrunner>=5', 'requirements.txt', 2],
      ['six', 'sub/base.txt', 1],
      ['mozprocess   >=1.0', 'sub/extra.txt', 1],
      ['requests[socks]>=2 ; python_version >= "3"', 'requirements.txt', 5],
    ],
  );
  t.same(
    read.constraints.map((r) => [r.text, r.file.slice(dir.length + 1), r.line]),
    [
      ['urllib3<2', 'constraints.txt', 1],
      ['idna==3.4 ; python_version >= "3.7"', 'more-constraints.txt', 1],
    ],
  );
  t.equal(read.requirements[3]?.requirement.name, 'requests');
  t.same(read.requirements[3]?.requirement.extras, ['socks']);
  t.equal(read.requirements[2]?.requirement.specifier.toString(), '>=1.0');
  t.same(
    read.files.map((f) => f.slice(dir.length + 1)),
    ['requirements.txt', 'sub/base.txt', 'sub/extra.txt', 'constraints.txt', 'more-constraints.txt'],
    'every file once per purpose (the -r of requirements.txt from a constraints file is a repeat)',
  );
});

t.test('an empty file and a comments-only file give nothing', async (t) => {
  const dir = t.testdir({ 'a.txt': '', 'b.txt': '# only\n\n   # comments\n' });
  t.same(readRequirementsFile(join(dir, 'a.txt')).requirements, []);
  t.same(readRequirementsFile(join(dir, 'b.txt')), { requirements: [], constraints: [], files: [join(dir, 'b.txt')] });
});

interface BadLine {
  name: string;
  text: string;
  code: string;
  line: number;
  says: RegExp;
  hint?: RegExp;
}

const BAD: BadLine[] = [
  { name: 'editable', text: 'six\n-e ./local/pkg\n', code: 'E_CONFIG_INVALID', line: 2, says: /option "-e" is not supported/, hint: /Editable/ },
  { name: 'editable, long form', text: '--editable=git+https://x/y.git#egg=y\n', code: 'E_CONFIG_INVALID', line: 1, says: /"--editable"/ },
  { name: 'index url', text: '\n\n--index-url https://pypi.org/simple\n', code: 'E_CONFIG_INVALID', line: 3, says: /"--index-url" is not supported.*only -r\/--requirement FILE and -c\/--constraint FILE/, hint: /index:/ },
  { name: 'extra index url', text: '--extra-index-url=https://x/\n', code: 'E_CONFIG_INVALID', line: 1, says: /"--extra-index-url"/ },
  { name: 'short -i', text: '-ihttps://x/\n', code: 'E_CONFIG_INVALID', line: 1, says: /"-i"/ },
  { name: 'find links', text: '-f ./wheels\n', code: 'E_CONFIG_INVALID', line: 1, says: /"-f"/ },
  { name: '--pre', text: '--pre\n', code: 'E_CONFIG_INVALID', line: 1, says: /"--pre"/, hint: /options\.prereleases/ },
  { name: '--only-binary', text: '--only-binary :all:\n', code: 'E_CONFIG_INVALID', line: 1, says: /"--only-binary"/, hint: /options\.only-binary/ },
  { name: 'unknown option', text: '--frobnicate\n', code: 'E_CONFIG_INVALID', line: 1, says: /unknown option "--frobnicate"/ },
  { name: 'hash on a requirement', text: 'six==1.16.0 \\\n    --hash=sha256:abc\n', code: 'E_CONFIG_INVALID', line: 1, says: /per-requirement option "--hash"/, hint: /records the sha256/ },
  { name: 'require-hashes', text: '--require-hashes\n', code: 'E_CONFIG_INVALID', line: 1, says: /"--require-hashes"/, hint: /sha256/ },
  { name: 'URL', text: 'https://example.org/six-1.16.0-py2.py3-none-any.whl\n', code: 'E_URL_REQUIREMENT', line: 1, says: /is a URL/ },
  { name: 'VCS URL', text: 'git+https://github.com/x/y.git\n', code: 'E_URL_REQUIREMENT', line: 1, says: /is a URL/ },
  { name: 'local path', text: './vendor/six\n', code: 'E_URL_REQUIREMENT', line: 1, says: /is a local path/ },
  { name: 'archive file', text: 'six-1.16.0.tar.gz\n', code: 'E_URL_REQUIREMENT', line: 1, says: /is an archive file/ },
  { name: 'name @ url (PEP 508)', text: 'ok\nsix @ https://example.org/six.whl\n', code: 'E_URL_REQUIREMENT', line: 2, says: /direct URL requirement/ },
  { name: 'invalid requirement', text: 'ok\n\nsix>>1\n', code: 'E_INVALID_REQUIREMENT', line: 3, says: /"six>>1"/ },
  { name: 'environment variable', text: 'six==${SIX_VERSION}\n', code: 'E_CONFIG_INVALID', line: 1, says: /environment variables are not expanded/ },
  { name: '-r without a file', text: '-r\n', code: 'E_CONFIG_INVALID', line: 1, says: /"-r" needs a file name/ },
  { name: '-r of a URL', text: '-r https://example.org/req.txt\n', code: 'E_CONFIG_INVALID', line: 1, says: /is a URL; only local requirements files/ },
  { name: 'two things on an -r line', text: '-r a.txt b.txt\n', code: 'E_CONFIG_INVALID', line: 1, says: /unexpected text after "-r a.txt"/ },
];

t.test('lines a lock cannot honour: code and FILE:LINE', async (t) => {
  for (const c of BAD) {
    const dir = t.testdir({ 'req.txt': c.text, 'a.txt': 'six\n' });
    const file = join(dir, 'req.txt');
    const e = caught(t, () => readRequirementsFile(file));
    t.equal(e.code, c.code, `${c.name}: code`);
    t.equal(e.message.slice(0, `${file}:${c.line}: `.length), `${file}:${c.line}: `, `${c.name}: names FILE:LINE`);
    t.match(e.message, c.says, `${c.name}: message`);
    if (c.hint) t.match(e.hint, c.hint, `${c.name}: hint`);
    t.equal(e.details.line, c.line, `${c.name}: details.line`);
  }
});

t.test('constraints cannot have extras', async (t) => {
  const dir = t.testdir({ 'req.txt': 'requests\n-c c.txt\n', 'c.txt': '\nrequests[socks]<3\n' });
  const e = caught(t, () => readRequirementsFile(join(dir, 'req.txt')));
  t.equal(e.code, 'E_CONFIG_INVALID');
  t.ok(e.message.startsWith(`${join(dir, 'c.txt')}:2: `), e.message);
  t.match(e.hint, /"requests<3"/);
});

t.test('a missing file names the line that includes it', async (t) => {
  const dir = t.testdir({ 'req.txt': 'six\n\n-c nowhere.txt\n' });
  const e = caught(t, () => readRequirementsFile(join(dir, 'req.txt')));
  t.equal(e.code, 'E_FILE_NOT_FOUND');
  t.match(e.message, `${join(dir, 'req.txt')}:3: requirements file ${join(dir, 'nowhere.txt')} does not exist`);
  const top = caught(t, () => readRequirementsFile(join(dir, 'absent.txt'), { where: '/x/pyindex.yaml:7', path: 'jobs.a.requires-file' }));
  t.equal(top.code, 'E_FILE_NOT_FOUND');
  t.match(top.message, /^\/x\/pyindex\.yaml:7: requirements file .*absent\.txt does not exist \(at jobs\.a\.requires-file\)$/);
});
