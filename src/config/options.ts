/**
 * The config's `index:` and `options:` values, turned into what the index
 * client and resolver take (src/resolve/options.ts). The schema has already
 * checked their types; this checks their content.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { isValidName } from '../pep/names.js';
import { DEFAULT_OPTIONS, nameSet, type NameSet, type PrereleasePolicy, type ResolveOptions } from '../resolve/options.js';
import { schemaError } from '../util/schema-error.js';
import type { SpecSource } from '../util/yaml-source.js';
import { takeCredentials } from '../index/credentials.js';

export interface RawOptions {
  prereleases?: PrereleasePolicy;
  'only-binary'?: string[];
  'no-binary'?: string[];
  'no-build'?: string[];
  'exclude-newer'?: string;
  'build-python'?: string;
}

const INDEX_HINT = 'Write an http(s) URL of a PEP 503/691 simple index (http://pypi.internal/simple/), or a directory path (relative to this file).';

/**
 * `index:` as the index client takes it: an http(s) or `file://` URL as
 * written, anything else a directory made absolute against the config's
 * directory. Whether it exists is the index client's business, but values
 * that are clearly neither a URL nor a path are refused here.
 */
export function readIndexLocation(written: string, dir: string, source: SpecSource, path: readonly (string | number)[] = ['index'], what: 'index' | 'mirror' = 'index'): string {
  const text = written.trim();
  const fail = (why: string, hint = INDEX_HINT): never => {
    throw schemaError('E_CONFIG_INVALID', source, path, `${what} ${JSON.stringify(written)} ${why}`, hint);
  };
  if (/\s/.test(text)) fail('contains whitespace');
  // A Windows drive path (C:\pypi) is not a URL with scheme "c".
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme !== undefined && !/^[a-z]:[\\/]/i.test(text)) {
    if (scheme === 'http' || scheme === 'https') {
      let url: URL | undefined;
      try {
        url = new URL(text);
      } catch {
        url = undefined;
      }
      if (!url?.host) fail('is not a valid URL');
      // Credentials in the URL go to the request headers only, never into the lockfile or messages (index/credentials.ts).
      return takeCredentials(text);
    }
    if (scheme === 'file') {
      // WHATWG parsing would turn file:simple into file:///simple, silently.
      if (!text.startsWith('file://')) fail('is not an absolute file: URL', 'Write file:///abs/path, or just the directory path (relative to this file).');
      return text;
    }
    fail(`has an unsupported scheme "${scheme}:"`);
  }
  if (text.startsWith('//')) fail('has no scheme', 'Write http://… or https://….');
  if (text.startsWith('~')) fail('starts with "~", which is not expanded', 'Write the directory as an absolute path or relative to this file.');
  const abs = resolve(dir, text);
  // pypi.internal/simple is far likelier a URL missing its scheme than a directory named so.
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+(\/|$)/i.test(text) && !isAbsolute(text) && !existsSync(abs)) {
    fail(`looks like a host name, but has no http:// or https://`, `Write http://${text} (or, if it is a directory, it does not exist: ${abs}).`);
  }
  return abs;
}

function readNameList(list: string[] | undefined, key: string, source: SpecSource): NameSet {
  (list ?? []).forEach((name, i) => {
    if (name !== ':all:' && name !== ':none:' && !isValidName(name)) {
      throw schemaError('E_INVALID_NAME', source, [key, i], `${JSON.stringify(name)} is not a valid project name`, 'Use the project name as on the index (letters, digits, ".", "_", "-"), or ":all:".');
    }
  });
  return list === undefined ? nameSet([]) : nameSet(list);
}

function overlap(a: NameSet, b: NameSet): string | undefined {
  if (a.all && b.all) return ':all:';
  if (a.all) return b.all ? ':all:' : [...b.names][0];
  if (b.all) return [...a.names][0];
  return [...a.names].find((n) => b.names.has(n));
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2}))?$/;

/**
 * RFC 3339 `date-time` (https://www.rfc-editor.org/rfc/rfc3339#section-5.6),
 * or a bare `full-date` meaning midnight UTC (uv's --exclude-newer takes both).
 * Returns undefined if the text is not one or names an impossible instant.
 */
export function parseInstant(text: string): Date | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const n = (v: string | undefined): number => Number(v);
  if (n(mo) < 1 || n(mo) > 12 || n(d) < 1 || n(h) > 23 || n(mi) > 59 || n(s) > 59) return undefined;
  const date = new Date(Date.UTC(2000, 0, 1));
  // setUTCFullYear, not Date.UTC(y, …): Date.UTC reads years 0-99 as 1900-1999.
  date.setUTCFullYear(n(y), n(mo) - 1, n(d));
  date.setUTCHours(n(h), n(mi), n(s), Math.floor(Number(`0${frac || '.0'}`) * 1000));
  // 02-30 rolls over into March; a real date survives the round trip.
  if (date.getUTCDate() !== n(d)) return undefined;
  const utc = date.getTime();
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const [oh, om] = zone.slice(1).split(':').map(Number);
    if (oh === undefined || om === undefined || oh > 23 || om > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  return new Date(utc - offsetMinutes * 60_000);
}

/** `options:` → ResolveOptions (defaults for what is absent) and the build interpreter. */
export function readOptions(raw: RawOptions | undefined, dir: string, source: SpecSource): { options: ResolveOptions; buildPython: string | undefined } {
  const o = raw ?? {};
  const onlyBinary = readNameList(o['only-binary'], 'only-binary', source);
  const noBinary = readNameList(o['no-binary'], 'no-binary', source);
  const noBuild = readNameList(o['no-build'], 'no-build', source);
  // A project in both lists could never be installed: every file kind it has is ruled out.
  for (const [other, otherSet, why] of [['only-binary', onlyBinary, 'only-binary rules out its sdists'], ['no-build', noBuild, 'no-build rules out building its sdists']] as const) {
    const both = overlap(noBinary, otherSet);
    if (both !== undefined) {
      throw schemaError('E_CONFIG_INVALID', source, ['no-binary'], `${JSON.stringify(both)} is in both no-binary and ${other}: no-binary rules out its wheels and ${why}`, `Remove it from one of the two lists.`);
    }
  }
  let excludeNewer = DEFAULT_OPTIONS.excludeNewer;
  const cutoff = o['exclude-newer'];
  if (cutoff !== undefined) {
    excludeNewer = parseInstant(cutoff.trim());
    if (!excludeNewer) {
      throw schemaError('E_CONFIG_INVALID', source, ['exclude-newer'], `exclude-newer ${JSON.stringify(cutoff)} is not an RFC 3339 date-time or date`, 'Write e.g. 2026-01-01T00:00:00Z, 2026-01-01T09:30:00+01:00, or 2026-01-01 (midnight UTC).');
    }
  }
  const py = o['build-python'];
  // A bare command (python3) is looked up on PATH when used; a path is relative to the config.
  const buildPython = py === undefined ? undefined : /[/\\]/.test(py) ? resolve(dir, py) : py;
  return { options: { prereleases: o.prereleases ?? DEFAULT_OPTIONS.prereleases, onlyBinary, noBinary, noBuild, excludeNewer }, buildPython };
}
