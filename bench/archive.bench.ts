/**
 * Reading wheel METADATA in place: openZip + readZipEntry over real wheels
 * (/opt/pypi/files when present, else wheels generated here) against
 * Python's zipfile doing the same (open, find the .dist-info, read METADATA),
 * timed inside Python so interpreter start-up is not counted.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openZip, readZipEntry, withFileSource } from '../src/archive/zip-reader.js';
import { makeZip } from '../test/helpers/make-archive.js';
import { oraclePython, runPythonJson } from '../test/helpers/python.js';
import { medianMs, type Bench, type BenchRow } from './lib.js';

const PYPI = '/opt/pypi/files';

function wheels(): { files: string[]; cleanup: () => void; origin: string } {
  if (existsSync(PYPI)) {
    const files = readdirSync(PYPI)
      .filter((f) => f.endsWith('.whl'))
      .map((f) => join(PYPI, f));
    if (files.length > 0) return { files, cleanup: () => {}, origin: `${files.length} wheels from ${PYPI}` };
  }
  const dir = mkdtempSync(join(tmpdir(), 'pyindex-bench-'));
  const files: string[] = [];
  for (let i = 0; i < 200; i++) {
    const members = Array.from({ length: 50 }, (_, j) => ({ name: `pkg${i}/m${j}.py`, data: `x = ${j}\n`.repeat(200) }));
    members.push({ name: `pkg${i}-1.0.dist-info/METADATA`, data: `Metadata-Version: 2.1\nName: pkg${i}\nVersion: 1.0\n` });
    const f = join(dir, `pkg${i}-1.0-py3-none-any.whl`);
    writeFileSync(f, makeZip(members));
    files.push(f);
  }
  return { files, cleanup: () => rmSync(dir, { recursive: true, force: true }), origin: '200 generated wheels' };
}

async function readAllMetadata(files: string[]): Promise<number> {
  let bytes = 0;
  for (const f of files) {
    await withFileSource(f, async (src) => {
      const zip = await openZip(src);
      const e = zip.entries.find((x) => /^[^/]+\.dist-info\/METADATA$/.test(x.name));
      if (e) bytes += (await readZipEntry(zip, e)).length;
    });
  }
  return bytes;
}

const bench: Bench = {
  title: 'Wheel METADATA read in place (zip reader)',
  async run(): Promise<BenchRow[]> {
    const { files, cleanup, origin } = wheels();
    try {
      const ours = await medianMs(() => readAllMetadata(files), 5, 1);
      const python = oraclePython();
      const peer = python
        ? runPythonJson<number>(python, `
import sys, json, zipfile, time
files = json.load(sys.stdin)
def once():
    for f in files:
        with zipfile.ZipFile(f) as z:
            n = next(n for n in z.namelist() if n.count('/') == 1 and n.split('/')[0].endswith('.dist-info') and n.endswith('/METADATA'))
            z.read(n)
once()
ts = []
for _ in range(5):
    t = time.perf_counter(); once(); ts.append((time.perf_counter() - t) * 1000)
print(json.dumps(sorted(ts)[2]))`, files)
        : undefined;
      const biggest = files.reduce((a, b) => (statSync(a).size >= statSync(b).size ? a : b));
      let bytesRead = 0;
      const single = await medianMs(async () => {
        bytesRead = 0;
        await withFileSource(biggest, async (src) => {
          const read = src.read.bind(src);
          const counted = { ...src, read: async (o: number, l: number) => { const b = await read(o, l); bytesRead += b.length; return b; } };
          const zip = await openZip(counted);
          const e = zip.entries.find((x) => x.name.endsWith('.dist-info/METADATA'));
          if (e) await readZipEntry(zip, e);
        });
      }, 9, 1);
      return [
        { name: `METADATA of ${origin}`, ours, peer, peerName: 'Python zipfile', unit: 'ms', higherIsBetter: false, target: 'no slower than zipfile' },
        { name: `largest wheel (${(statSync(biggest).size / 1e6).toFixed(0)} MB): time`, ours: single, unit: 'ms', higherIsBetter: false },
        { name: 'largest wheel: bytes read', ours: bytesRead / 1024, unit: 'KiB', higherIsBetter: false, note: 'no whole-file read' },
      ];
    } finally {
      cleanup();
    }
  },
};

export default bench;
