/**
 * The config's indexes: `index:` (one, as a location or `{url, mirrors}`),
 * or `indexes:` (several, first one wins), and `packages:` pins. The schema
 * has checked the shapes; this checks what it cannot — locations, mirrors
 * being http(s), unique names and URLs, pins naming a real index, at least
 * one index usable for unpinned projects — each error with file:line.
 *
 * The rules are uv's "first-index" strategy (docs.astral.sh/uv, "Index
 * strategy"): a project found on an earlier index is taken from that index
 * only, which is what keeps a name published on a public index from
 * shadowing an internal one (dependency confusion).
 */
import { canonicalizeName, isValidName } from '../pep/names.js';
import { closestNames } from '../profile/resolve.js';
import { schemaError } from '../util/schema-error.js';
import type { SpecSource } from '../util/yaml-source.js';
import { indexMeaning } from './digest.js';
import { readIndexLocation } from './options.js';
import type { IndexConfig } from './types.js';

export type RawLocation = string | { url: string; mirrors?: string[] };
export type RawIndexEntry = string | { name?: string; url: string; mirrors?: string[]; explicit?: boolean };

export interface RawIndexKeys {
  index?: RawLocation;
  indexes?: RawIndexEntry[];
  packages?: Record<string, string>;
}

export interface ReadIndexes {
  indexes: IndexConfig[];
  packages: Map<string, number>;
  /** What the config digest records about the indexes beyond the first one's location (undefined for one index). */
  digest: { index: string; extra?: { indexes: { url: string; explicit: boolean }[]; packages: Record<string, string> } };
}

type Path = (string | number)[];

function isHttp(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/** `http://h/simple` and `http://h/simple/` are one index. */
function sameLocation(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

function readEntry(raw: RawIndexEntry, dir: string, source: SpecSource, at: Path): { config: IndexConfig; written: string } {
  const entry = typeof raw === 'string' ? { url: raw } : raw;
  const urlPath = typeof raw === 'string' ? at : [...at, 'url'];
  const url = readIndexLocation(entry.url, dir, source, urlPath);
  const mirrors = (entry.mirrors ?? []).map((m, i) => {
    const mirrorPath = [...at, 'mirrors', i];
    const location = readIndexLocation(m, dir, source, mirrorPath, 'mirror');
    if (!isHttp(location)) {
      throw schemaError('E_CONFIG_INVALID', source, mirrorPath, `mirror ${JSON.stringify(m)} is not an http(s) URL`, 'A mirror is another server of the same index: write its simple root, e.g. http://mirror2.internal/simple/.');
    }
    if (sameLocation(location, url)) throw schemaError('E_CONFIG_INVALID', source, mirrorPath, `mirror ${JSON.stringify(m)} is the index itself`, 'List only the other servers under mirrors:.');
    return location;
  });
  if (mirrors.length && !isHttp(url)) {
    throw schemaError('E_CONFIG_INVALID', source, urlPath, `index ${JSON.stringify(entry.url)} has mirrors but is not an http(s) URL`, 'Mirrors fail over between servers of one index: give the index as its http(s) simple root too.');
  }
  const config: IndexConfig = { name: 'name' in entry ? entry.name : undefined, url, mirrors, explicit: 'explicit' in entry && entry.explicit === true };
  return { config, written: entry.url.trim() };
}

/** `index:` or `indexes:` (exactly one of them) and `packages:`. */
export function readIndexes(raw: RawIndexKeys, dir: string, source: SpecSource): ReadIndexes {
  if (raw.index !== undefined && raw.indexes !== undefined) {
    throw schemaError('E_CONFIG_INVALID', source, ['indexes'], 'both "index" and "indexes" are given', 'Use one: "index:" for a single index, or list every index, in priority order, under "indexes:".');
  }
  const entries = raw.indexes !== undefined ? raw.indexes.map((e, i) => readEntry(e, dir, source, ['indexes', i])) : [readEntry(raw.index as RawLocation, dir, source, ['index'])];
  const indexes = entries.map((e) => e.config);

  indexes.forEach((ix, i) => {
    const earlier = indexes.slice(0, i);
    if (ix.name !== undefined && earlier.some((o) => o.name === ix.name)) {
      throw schemaError('E_CONFIG_INVALID', source, ['indexes', i, 'name'], `two indexes are named ${JSON.stringify(ix.name)}`, 'Give each index its own name.');
    }
    const clash = earlier.find((o) => [o.url, ...o.mirrors].some((u) => [ix.url, ...ix.mirrors].some((v) => sameLocation(u, v))));
    if (clash) {
      throw schemaError('E_CONFIG_INVALID', source, ['indexes', i], `index ${JSON.stringify(ix.url)} shares a URL with an earlier index (${clash.url})`, 'List each index once; its other servers go under its mirrors:.');
    }
  });
  if (indexes.every((ix) => ix.explicit)) {
    const at: Path = raw.indexes !== undefined ? ['indexes', 0, 'explicit'] : ['index'];
    throw schemaError('E_CONFIG_INVALID', source, at, 'every index is explicit, so a project not pinned under "packages:" could come from none', 'Leave at least one index without "explicit: true" (usually the first, internal one).');
  }

  const packages = new Map<string, number>();
  for (const [name, target] of Object.entries(raw.packages ?? {})) {
    const at: Path = ['packages', name];
    if (!isValidName(name)) throw schemaError('E_INVALID_NAME', source, at, `${JSON.stringify(name)} is not a valid project name`, 'Use the project name as on the index (letters, digits, ".", "_", "-").');
    const canonical = canonicalizeName(name);
    if (packages.has(canonical)) throw schemaError('E_CONFIG_INVALID', source, at, `project ${JSON.stringify(name)} is pinned twice (names are compared after PEP 503 normalization)`, 'Keep one pin per project.');
    const position = indexes.findIndex((ix, i) => ix.name === target || sameLocation(entries[i]!.written, target.trim()) || sameLocation(ix.url, target.trim()));
    if (position < 0) {
      const names = indexes.flatMap((ix) => (ix.name ? [ix.name] : []));
      const close = closestNames(target, names);
      throw schemaError('E_CONFIG_INVALID', source, at, `${JSON.stringify(name)} is pinned to ${JSON.stringify(target)}, which is no index of this config`, `${close.length ? `Did you mean ${JSON.stringify(close[0])}? ` : ''}Pin to the name (or url) of an entry of "indexes:"${names.length ? ` (names: ${names.join(', ')})` : ''}.`);
    }
    packages.set(canonical, position);
  }

  const meanings = entries.map((e) => indexMeaning(e.written, e.config.url, dir));
  // One index means what `index: URL` always meant, mirrors or not: a lock stays current when mirrors change.
  const digest: ReadIndexes['digest'] = { index: meanings[0]! };
  if (indexes.length > 1) {
    const pins: Record<string, string> = {};
    for (const [name, i] of packages) pins[name] = meanings[i]!;
    digest.extra = { indexes: indexes.map((ix, i) => ({ url: meanings[i]!, explicit: ix.explicit })), packages: pins };
  }
  return { indexes, packages, digest };
}
