/**
 * Lockfile serialization: the dedicated emitter behind `serializeLockfile`
 * (src/lock/yaml-emit.ts) against yaml 2's generic `stringify` with the
 * options write.ts used to pass, on the same generated locks in the same run.
 * Both produce the same bytes (checked here before timing, and by
 * test/lock/yaml-emit.test.ts); the peer includes building the plain document
 * object, as the old `serializeLockfile` did.
 */
import { medianMs, type Bench, type BenchRow } from './lib.js';
import { serializeLockfile } from '../src/lock/write.js';
import { realisticLockfile } from '../test/helpers/lock-gen.js';
import { oracleSerialize } from '../test/helpers/lock-yaml-oracle.js';

const PROFILES = ['linux-x86_64-py3.11', 'linux-aarch64-py3.11', 'windows-amd64-py3.12', 'macosx-arm64-py3.12'];
const RUNS = 15;
const WARMUP = 3;

const bench: Bench = {
  title: 'Lockfile serialization (dedicated emitter vs yaml.stringify)',
  async run(): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    for (const packages of [20, 200, 800]) {
      const lock = realisticLockfile(packages, PROFILES);
      const text = serializeLockfile(lock);
      if (text !== oracleSerialize(lock)) throw new Error(`the emitter and yaml.stringify disagree on the ${packages}-package lock`);
      const ours = await medianMs(() => serializeLockfile(lock), RUNS, WARMUP);
      const peer = await medianMs(() => oracleSerialize(lock), RUNS, WARMUP);
      rows.push({
        name: `serialize ${packages} packages × ${PROFILES.length} profiles (${(text.length / 1024).toFixed(0)} KiB)`,
        ours,
        peer,
        peerName: 'yaml 2 stringify',
        unit: 'ms',
        target: '≈10× faster',
      });
    }
    return rows;
  },
};

export default bench;
