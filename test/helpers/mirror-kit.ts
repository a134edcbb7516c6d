/**
 * Kit for the mirror and multi-index tests: package trees written with the
 * real tree code (src/serve/tree), identical copies of one tree for several
 * `pyindex serve` instances, and readers for the CLI's --json output and
 * event stream.
 */
import { cpSync } from 'node:fs';
import type { Test } from 'tap';
import type { PyindexEvent } from '../../src/events/index.js';
import { openTree } from '../../src/serve/tree/index.js';
import { startServeCli, type ServeProcess } from './serve-cli.js';
import type { BuiltDist } from './serve-dists.js';

export async function writeTree(root: string, dists: readonly BuiltDist[]): Promise<void> {
  const tree = openTree(root);
  for (const d of dists) await tree.addFile({ filename: d.filename, bytes: d.bytes, sha256: d.sha256 });
}

/** A byte-for-byte copy of a tree (state, pages, files, timestamps): another server of the same index. */
export function copyTree(from: string, to: string): void {
  cpSync(from, to, { recursive: true, preserveTimestamps: true });
}

/** `pyindex serve` on `root`, killed when the test ends; `simple` is its index URL. */
export async function serveTree(t: Test, root: string): Promise<ServeProcess & { simple: string }> {
  const server = await startServeCli(root, ['--no-download-log']);
  t.teardown(() => server.stop('SIGKILL'));
  return { ...server, simple: `${server.url}simple/` };
}

/** The JSON lines a `--json` run wrote on stderr (progress events), other lines skipped. */
export function jsonEvents(stderr: string): PyindexEvent[] {
  return stderr.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as PyindexEvent];
    } catch {
      return [];
    }
  });
}

export function eventsOf<K extends PyindexEvent['type']>(events: readonly PyindexEvent[], type: K): Extract<PyindexEvent, { type: K }>[] {
  return events.filter((e): e is Extract<PyindexEvent, { type: K }> => e.type === type);
}
