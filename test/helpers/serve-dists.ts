/**
 * Small wheels and sdists built in JavaScript for the serve tests (no Python
 * start-up): a wheel is a zip with a `.dist-info/METADATA` (+ WHEEL and an
 * honest RECORD, so pip installs it), an sdist a tar.gz with PKG-INFO.
 */
import { createHash } from 'node:crypto';
import { openTree } from '../../src/serve/tree/index.js';
import { makeTar, makeZip } from './make-archive.js';

export interface DistSpec {
  name: string;
  version: string;
  requires?: string[];
  requiresPython?: string;
  metadataVersion?: string;
  /** Extra payload (e.g. to make a big file or a different one under the same name). */
  payload?: string | Buffer;
}

export interface BuiltDist {
  filename: string;
  bytes: Buffer;
  sha256: string;
  metadata: string;
}

export const sha256Hex = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

function metadataText(s: DistSpec): string {
  return (
    `Metadata-Version: ${s.metadataVersion ?? '2.1'}\nName: ${s.name}\nVersion: ${s.version}\n` +
    (s.requiresPython ? `Requires-Python: ${s.requiresPython}\n` : '') +
    (s.requires ?? []).map((r) => `Requires-Dist: ${r}\n`).join('')
  );
}

const escapeName = (name: string): string => name.replace(/[-_.]+/g, '_').toLowerCase();

export function makeWheel(s: DistSpec): BuiltDist {
  const dist = escapeName(s.name);
  const info = `${dist}-${s.version}.dist-info`;
  const module = `${dist}/__init__.py`;
  const metadata = metadataText(s);
  const files: [string, Buffer][] = [
    [module, Buffer.from(`VALUE = ${JSON.stringify(s.name)}\n`)],
    ...(s.payload !== undefined ? ([[`${dist}/payload.bin`, Buffer.isBuffer(s.payload) ? s.payload : Buffer.from(s.payload)]] as [string, Buffer][]) : []),
    [`${info}/METADATA`, Buffer.from(metadata)],
    [`${info}/WHEEL`, Buffer.from('Wheel-Version: 1.0\nGenerator: pyindex-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n')],
  ];
  const record = files.map(([p, b]) => `${p},sha256=${createHash('sha256').update(b).digest('base64url')},${b.length}`);
  record.push(`${info}/RECORD,,`);
  files.push([`${info}/RECORD`, Buffer.from(`${record.join('\n')}\n`)]);
  // Stored (method 0) payloads stay the size asked for, which the 1 MB benchmark file needs.
  const bytes = makeZip(files.map(([name, data]) => ({ name, data, method: name.endsWith('payload.bin') ? 0 : 8 })));
  return { filename: `${dist}-${s.version}-py3-none-any.whl`, bytes, sha256: sha256Hex(bytes), metadata };
}

export async function makeSdist(s: DistSpec): Promise<BuiltDist> {
  const base = `${escapeName(s.name)}-${s.version}`;
  const metadata = metadataText({ metadataVersion: '2.2', ...s });
  const bytes = await makeTar([
    { name: `${base}/PKG-INFO`, data: metadata },
    { name: `${base}/setup.py`, data: 'from setuptools import setup\nsetup()\n' },
    ...(s.payload !== undefined ? [{ name: `${base}/payload.bin`, data: s.payload }] : []),
  ]);
  return { filename: `${base}.tar.gz`, bytes, sha256: sha256Hex(bytes), metadata };
}

/** app → lib; lib 2.0 needs a Python that does not exist, so every client must pick lib 1.0. */
export async function populateClientTree(dir: string): Promise<void> {
  const tree = openTree(dir);
  const dists = [
    makeWheel({ name: 'App', version: '1.0', requires: ['lib>=0.5'] }),
    makeWheel({ name: 'lib', version: '1.0', requiresPython: '>=3.7' }),
    makeWheel({ name: 'lib', version: '2.0', requiresPython: '>=3.99' }),
    await makeSdist({ name: 'lib', version: '1.0', requiresPython: '>=3.7' }),
  ];
  for (const d of dists) await tree.addFile({ filename: d.filename, bytes: d.bytes, sha256: d.sha256 });
}

