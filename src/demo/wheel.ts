/**
 * Builds small pure-Python wheels (PEP 427 / binary distribution format):
 * a module, METADATA (core metadata 2.1), WHEEL and RECORD with sha256s.
 */
import { createHash } from 'node:crypto';
import { writeZip, type ZipEntry } from '../archive/zip-writer.js';

export interface WheelSpec {
  name: string;
  version: string;
  requires?: string[];
  extras?: Record<string, string[]>;
  requiresPython?: string;
  tag?: string;
}

function recordHash(data: Buffer): string {
  return `sha256=${createHash('sha256').update(data).digest('base64url')}`;
}

export function wheelFilename(spec: WheelSpec): string {
  return `${spec.name.replace(/[-.]+/g, '_')}-${spec.version}-${spec.tag ?? 'py3-none-any'}.whl`;
}

export function buildWheel(spec: WheelSpec): { filename: string; data: Buffer; metadata: string } {
  const dist = spec.name.replace(/[-.]+/g, '_');
  const info = `${dist}-${spec.version}.dist-info`;
  const lines = ['Metadata-Version: 2.1', `Name: ${spec.name}`, `Version: ${spec.version}`, `Summary: pyindex demo package ${spec.name}`];
  if (spec.requiresPython) lines.push(`Requires-Python: ${spec.requiresPython}`);
  for (const r of spec.requires ?? []) lines.push(`Requires-Dist: ${r}`);
  for (const [extra, reqs] of Object.entries(spec.extras ?? {})) {
    lines.push(`Provides-Extra: ${extra}`);
    for (const r of reqs) lines.push(`Requires-Dist: ${r.includes(';') ? `${r.replace(';', '; (')}) and extra == "${extra}"` : `${r}; extra == "${extra}"`}`);
  }
  const metadata = `${lines.join('\n')}\n\n`;
  const files: ZipEntry[] = [
    { name: `${dist}/__init__.py`, data: Buffer.from(`__version__ = "${spec.version}"\n`) },
    { name: `${info}/METADATA`, data: Buffer.from(metadata) },
    { name: `${info}/WHEEL`, data: Buffer.from(`Wheel-Version: 1.0\nGenerator: pyindex-demo\nRoot-Is-Purelib: true\nTag: ${spec.tag ?? 'py3-none-any'}\n`) },
  ];
  const record = files.map((f) => `${f.name},${recordHash(f.data)},${f.data.length}`).concat(`${info}/RECORD,,`).join('\n');
  files.push({ name: `${info}/RECORD`, data: Buffer.from(`${record}\n`) });
  return { filename: wheelFilename(spec), data: writeZip(files), metadata };
}
