/**
 * The oracle for src/lock/yaml-emit.ts: how write.ts serialized a lockfile
 * before the dedicated emitter — yaml 2's `stringify` with exactly these
 * options (copied verbatim from the old write.ts). Tests and the benchmark
 * only; src never calls the generic stringifier for the lockfile any more.
 */
import { stringify, type CreateNodeOptions, type DocumentOptions, type SchemaOptions, type ToStringOptions } from 'yaml';
import type { Lockfile } from '../../src/lock/types.js';
import { LOCK_HEADER, lockfileToDocument } from '../../src/lock/write.js';

export const ORACLE_YAML_OPTIONS: DocumentOptions & SchemaOptions & CreateNodeOptions & ToStringOptions = {
  version: '1.2',
  lineWidth: 0,
  minContentWidth: 0,
  indent: 2,
  indentSeq: true,
  aliasDuplicateObjects: false,
  sortMapEntries: false,
  defaultStringType: 'PLAIN',
  defaultKeyType: 'PLAIN',
  doubleQuotedAsJSON: true,
  flowCollectionPadding: false,
};

/** The old `serializeLockfile`. */
export function oracleSerialize(lock: Lockfile): string {
  return LOCK_HEADER + stringify(lockfileToDocument(lock), ORACLE_YAML_OPTIONS);
}

/** How yaml writes one string as a top-level mapping value: `k: <value>`. */
export function oracleScalar(value: string): string {
  return stringify({ k: value }, ORACLE_YAML_OPTIONS);
}

/** How yaml writes one string as a nested mapping key (as every free-form lockfile key is): `m:\n  <key>: v`. */
export function oracleKey(key: string): string {
  return stringify({ m: { [key]: 'v' } }, ORACLE_YAML_OPTIONS);
}
