/**
 * Installable pure-Python wheels tagged py2.py3-none-any (so Python 2.7 and
 * every 3.x accept them), written in TypeScript with the project's zip
 * writer: METADATA, WHEEL and a RECORD with correct hashes (PEP 427/376).
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeZip } from '../../src/archive/zip-writer.js';

export interface UniversalWheelSpec {
  name: string;
  version: string;
  /** Top-level module name (default: the name with "-" → "_"). */
  module?: string;
  requires?: string[];
  /** Extra text in the module, e.g. to make two builds differ. */
  body?: string;
  /** WHEEL's Wheel-Version (default 1.0); 9.0 makes pip refuse the wheel. */
  wheelVersion?: string;
}

function recordHash(data: Buffer): string {
  return `sha256=${createHash('sha256').update(data).digest('base64url')}`;
}

/** Writes each wheel into `dir`; returns filename, sha256 and size. */
export function makeUniversalWheels(dir: string, specs: UniversalWheelSpec[]): { filename: string; sha256: string; size: number }[] {
  return specs.map((s) => {
    const dist = s.name.replace(/[-_.]+/g, '_').toLowerCase();
    const module = s.module ?? dist;
    const info = `${dist}-${s.version}.dist-info`;
    const files: [string, string][] = [
      [`${module}/__init__.py`, `VALUE = ${JSON.stringify(`${s.name} ${s.version}`)}\n${s.body ?? ''}`],
      [`${info}/METADATA`, `Metadata-Version: 2.1\nName: ${s.name}\nVersion: ${s.version}\n${(s.requires ?? []).map((r) => `Requires-Dist: ${r}\n`).join('')}`],
      [`${info}/WHEEL`, `Wheel-Version: ${s.wheelVersion ?? '1.0'}\nGenerator: pyindex-test\nRoot-Is-Purelib: true\nTag: py2-none-any\nTag: py3-none-any\n`],
    ];
    const entries = files.map(([name, text]) => ({ name, data: Buffer.from(text) }));
    const record = [...entries.map((e) => `${e.name},${recordHash(e.data)},${e.data.length}`), `${info}/RECORD,,`, ''].join('\n');
    entries.push({ name: `${info}/RECORD`, data: Buffer.from(record) });
    const bytes = writeZip(entries);
    const filename = `${dist}-${s.version}-py2.py3-none-any.whl`;
    writeFileSync(join(dir, filename), bytes);
    return { filename, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
  });
}
