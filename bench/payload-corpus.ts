/**
 * Generated indexes of payload wheels for the fetch and mirror benchmarks,
 * kept across runs under a key of their shape (random bytes need not repeat,
 * only sizes) in the temp directory; built beside and renamed into place.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePayloadIndex, type PayloadWheelSpec } from '../test/helpers/wheelhouse-kit.js';
import type { Measured } from './lock-tools.js';

export function payloadCorpus(kind: string, specs: PayloadWheelSpec[]): string {
  const key = createHash('sha256').update(JSON.stringify({ v: 1, SPECS: specs })).digest('hex').slice(0, 16);
  const parent = join(tmpdir(), `pyindex-bench-${kind}`);
  const dest = join(parent, key);
  if (existsSync(join(dest, 'done'))) return dest;
  const building = `${dest}.${process.pid}.tmp`;
  rmSync(building, { recursive: true, force: true });
  writePayloadIndex(building, specs);
  writeFileSync(join(building, 'done'), '');
  mkdirSync(parent, { recursive: true });
  rmSync(dest, { recursive: true, force: true });
  renameSync(building, dest);
  return dest;
}

/** A measured run's time, or the failure as an error (a failed run must not count as fast). */
export function succeeded(m: Measured, what: string): number {
  if (m.error) throw new Error(`${what} failed: ${m.error}`);
  return m.ms;
}
