import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { findDistInfoDir, readWheelMetadata } from '../../src/archive/wheel-metadata.js';
import { bufferSource, withFileSource } from '../../src/archive/zip-reader.js';
import { parseEmailHeaders } from '../../src/pep/metadata.js';
import { requirementToString } from '../../src/pep/requirement.js';
import { parseWheelFilename } from '../../src/pep/wheel-filename.js';
import { countingSource, makeZip } from '../helpers/make-archive.js';
import { runPythonJson } from '../helpers/python.js';
import { packaging241Python } from '../helpers/packaging-oracle.js';

const META = 'Metadata-Version: 2.1\nName: Foo.Bar\nVersion: 1.0\nRequires-Dist: requests>=2\n\nreadme\n';
const python = packaging241Python();

t.test('reads METADATA of a wheel built by Python zipfile, in two reads', { skip: python ? false : 'no Python here' }, async (t) => {
  if (!python) return;
  const dir = mkdtempSync(join(tmpdir(), 'pyindex-whl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'Foo.Bar-1.0-py3-none-any.whl');
  runPythonJson(python, `
import sys, json, zipfile
a = json.load(sys.stdin)
with zipfile.ZipFile(a['path'], 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('foo_bar/__init__.py', 'x = 1\\n' * 50000)
    z.writestr('foo_bar-1.0.dist-info/METADATA', a['meta'])
    z.writestr('foo_bar-1.0.dist-info/WHEEL', 'Wheel-Version: 1.0\\n')
    z.writestr('foo_bar-1.0.dist-info/RECORD', '')
print('null')`, { path, meta: META });
  await withFileSource(path, async (file) => {
    const src = countingSource(file);
    const r = await readWheelMetadata(src, 'Foo.Bar-1.0-py3-none-any.whl');
    t.equal(r.text, META);
    t.equal(r.path, 'foo_bar-1.0.dist-info/METADATA');
    t.equal(r.metadata.canonicalName, 'foo-bar');
    t.same(r.metadata.requiresDist.map((q) => q.name), ['requests']);
    t.ok(src.reads <= 2, `${src.reads} reads`);
  });
});

t.test('finds the .dist-info directory by canonical name and version', async (t) => {
  const w = parseWheelFilename('Foo.Bar-1.0-py3-none-any.whl');
  t.equal(findDistInfoDir(['foo_bar-1.0.dist-info/METADATA', 'foo_bar/__init__.py'], w), 'foo_bar-1.0.dist-info');
  t.equal(findDistInfoDir(['Foo.Bar-1.0.0.dist-info/METADATA'], w), 'Foo.Bar-1.0.0.dist-info', 'versions compare as versions');
  t.equal(findDistInfoDir(['foo_bar-1.0.dist-info/METADATA', 'other-2.0.dist-info/METADATA'], w), 'foo_bar-1.0.dist-info');
  t.equal(findDistInfoDir(['foo_bar-0.9.dist-info/METADATA'], w), 'foo_bar-0.9.dist-info', 'falls back to the one with the right name');
  t.throws(() => findDistInfoDir(['other-1.0.dist-info/METADATA'], w), { code: 'E_BAD_ARCHIVE', message: /no \.dist-info directory for foo-bar 1\.0 \(found: "other-1\.0\.dist-info"\)/ });
  t.throws(() => findDistInfoDir(['foo_bar/x.py'], w), { code: 'E_BAD_ARCHIVE', message: /found: none/ });
  t.throws(() => findDistInfoDir(['foo_bar-1.0.dist-info/METADATA', 'Foo.Bar-1.0.dist-info/METADATA'], w), { code: 'E_BAD_ARCHIVE', message: /several/ });
  t.throws(() => findDistInfoDir(['foo_bar-0.9.dist-info/METADATA', 'foo_bar-0.8.dist-info/METADATA'], w), { code: 'E_BAD_ARCHIVE', message: /several/ });
});

t.test('missing METADATA, bad UTF-8 and bad metadata', async (t) => {
  const f = 'x-1-py3-none-any.whl';
  await t.rejects(readWheelMetadata(bufferSource(makeZip([{ name: 'x-1.dist-info/WHEEL', data: '' }]), f), f), { code: 'E_BAD_ARCHIVE', message: /has no METADATA/ });
  await t.rejects(readWheelMetadata(bufferSource(makeZip([{ name: 'x-1.dist-info/METADATA', data: Buffer.from([0x4e, 0xff, 0xfe]) }]), f), f), { code: 'E_INVALID_METADATA', message: /not valid UTF-8/ });
  await t.rejects(readWheelMetadata(bufferSource(makeZip([{ name: 'x-1.dist-info/METADATA', data: 'Name: x\n' }]), f), f), {
    code: 'E_INVALID_METADATA',
    message: /x-1-py3-none-any\.whl\/x-1\.dist-info\/METADATA: the required field Version/,
  });
  await t.rejects(readWheelMetadata(bufferSource(makeZip([{ name: '../x-1.dist-info/METADATA', data: 'Name: x\n' }]), f), f), { code: 'E_BAD_ARCHIVE' });
  await t.rejects(readWheelMetadata(bufferSource(Buffer.from('garbage'.repeat(10)), f), 'x-1-py3-none-any.whl'), { code: 'E_BAD_ARCHIVE', message: /not a zip/ });
});

const PYPI = '/opt/pypi/files';
const realWheels = existsSync(PYPI) ? readdirSync(PYPI).filter((f) => f.endsWith('.whl')) : [];
t.test('every real wheel in /opt/pypi/files agrees with zipfile + email.parser + packaging', { skip: realWheels.length === 0 ? `${PYPI} not present` : !python ? 'no Python' : false }, async (t) => {
  if (!python) return;
  type Py = {
    sha: string;
    name: string;
    version: string;
    requiresDist: { name: string; extras: string[]; specifier: string; str: string }[];
    requiresPython: string | null;
    providesExtra: string[];
    dynamic: string[];
    summary: string | null;
    bodySha: string;
  } | { error: string };
  const theirs = runPythonJson<Py[]>(python, `
import sys, json, zipfile, hashlib, email.parser, email.policy
from pip._vendor.packaging import version as V, requirements as R, specifiers as S
out = []
for path in json.load(sys.stdin):
    try:
        with zipfile.ZipFile(path) as z:
            dirs = {n.split('/', 1)[0] for n in z.namelist() if n.split('/', 1)[0].endswith('.dist-info')}
            (d,) = dirs
            raw = z.read(d + '/METADATA')
        text = raw.decode('utf-8')
        msg = email.parser.Parser(policy=email.policy.compat32).parsestr(text)
        g = lambda f: [str(v) for v in (msg.get_all(f) or [])]
        reqs = []
        for r in g('Requires-Dist'):
            q = R.Requirement(r)
            reqs.append({"name": q.name, "extras": sorted(q.extras), "specifier": str(q.specifier), "str": str(q)})
        rp = msg.get('Requires-Python')
        try:
            rp = str(S.SpecifierSet(rp)) if rp is not None else None
        except Exception:
            rp = 'INVALID'
        out.append({"sha": hashlib.sha256(raw).hexdigest(), "name": msg['Name'], "version": str(V.Version(msg['Version'])),
                    "requiresDist": reqs, "requiresPython": rp, "providesExtra": g('Provides-Extra'), "dynamic": g('Dynamic'),
                    "summary": msg.get('Summary'), "bodySha": hashlib.sha256(msg.get_payload().encode('utf-8', 'surrogatepass')).hexdigest()})
    except Exception as e:
        out.append({"error": type(e).__name__ + ': ' + str(e)})
print(json.dumps(out))`, realWheels.map((f) => join(PYPI, f)));

  const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
  const mismatches: string[] = [];
  let checked = 0;
  let reqCount = 0;
  for (const [i, f] of realWheels.entries()) {
    const py = theirs[i] as Py;
    let ours;
    try {
      ours = await withFileSource(join(PYPI, f), (src) => readWheelMetadata(src, f));
    } catch (err) {
      mismatches.push(`${f}: we failed (${(err as Error).message}); python ${'error' in py ? py.error : 'ok'}`);
      continue;
    }
    if ('error' in py) {
      mismatches.push(`${f}: python failed (${py.error}), we parsed it`);
      continue;
    }
    const m = ours.metadata;
    const mine = {
      sha: sha(ours.text),
      name: m.name,
      version: m.version.toString(),
      requiresDist: m.requiresDist.map((r) => ({ name: r.name, extras: [...r.extras].sort(), specifier: r.specifier.toString(), str: requirementToString(r) })),
      requiresPython: m.requiresPython?.toString() ?? (m.warnings.length > 0 ? 'INVALID' : null),
      providesExtra: m.providesExtra,
      dynamic: m.dynamic,
      summary: m.summary ?? null,
      bodySha: sha(parseEmailHeaders(ours.text).body ?? ''),
    };
    reqCount += mine.requiresDist.length;
    for (const k of Object.keys(py) as (keyof typeof mine)[]) {
      if (JSON.stringify(mine[k]) !== JSON.stringify(py[k])) mismatches.push(`${f} ${k}: ours ${JSON.stringify(mine[k]).slice(0, 300)} theirs ${JSON.stringify(py[k]).slice(0, 300)}`);
    }
    checked++;
  }
  t.same(mismatches.slice(0, 20), [], `${checked} of ${realWheels.length} real wheels compared, ${reqCount} Requires-Dist`);
  t.equal(checked, realWheels.length);
});
