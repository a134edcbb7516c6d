/**
 * Core metadata (METADATA in wheels, PKG-INFO in sdists), versions 1.0–2.4:
 * https://packaging.python.org/en/latest/specifications/core-metadata/
 *
 * The format is "email headers" as Python's `email.parser` with the compat32
 * policy reads them, because that is what pip (`importlib.metadata`,
 * `packaging.metadata.parse_email`) uses; we reproduce its quirks rather
 * than RFC 822's letter:
 * - a header line is `Name: value` where Name is printable ASCII without
 *   spaces or ':'; the value loses leading spaces/tabs of its first line only;
 * - continuation lines (leading space/tab) are appended raw, line breaks
 *   included (so a folded Requires-Dist keeps its "\n " and packaging then
 *   rejects it, as we do);
 * - headers end at the first blank line or at the first line that is neither
 *   a header nor a continuation; the rest is the body (the description);
 * - lines end with LF, CRLF or CR (universal newlines, as the feed parser's
 *   `StringIO.readlines()` splits them).
 */
import { PyindexError, isPyindexError } from '../errors/index.js';
import { canonicalizeName } from './names.js';
import { parseRequirement, type Requirement } from './requirement.js';
import { SpecifierSet } from './specifier.js';
import { Version } from './version.js';

export interface CoreMetadata {
  /** As written, e.g. "2.1" (defaults to "1.0" when the field is absent). */
  metadataVersion: string;
  name: string;
  canonicalName: string;
  version: Version;
  requiresDist: Requirement[];
  /** `undefined` when absent or unparseable (see {@link warnings}), like pip, which ignores a bad one. */
  requiresPython: SpecifierSet | undefined;
  /** As written (PEP 685 normalization is the caller's business). */
  providesExtra: string[];
  /** Field names listed in `Dynamic` (2.2+), as written. */
  dynamic: string[];
  summary: string | undefined;
  license: string | undefined;
  /** SPDX expression (2.4, PEP 639). */
  licenseExpression: string | undefined;
  licenseFiles: string[];
  /** The body, or (1.x style) the `Description` field with its continuation indent removed. */
  description: string | undefined;
  descriptionContentType: string | undefined;
  requiresExternal: string[];
  /** Problems that did not make the metadata unusable (e.g. an invalid Requires-Python). */
  warnings: string[];
  /** Every header by lowercased name, values as Python's email parser returns them, in order. */
  raw: Map<string, string[]>;
}

interface Header {
  /** Lowercased. */
  name: string;
  value: string;
  /** 1-based line of the header's first line. */
  line: number;
}

/** packaging's `email.feedparser.headerRE`, matched in place (sticky) at each line's start. */
const HEADER_LINE = /From |[\x21-\x39\x3b-\x7e]*:|[\t ]/y;

/**
 * The headers and body of an email-format text, as `email.parser` (compat32)
 * sees them. Lines end at \r\n, \r or \n (`str.splitlines(True)` for those).
 * A scanner over positions rather than a split into lines and a regex per
 * line: a lock parses this for every metadata file it reads, mostly in code
 * V8 has not optimised yet (171 files of a dask[distributed] lock: ~30 → ~12 ms
 * on first use). Only the header part is scanned; the body is one slice.
 */
export function parseEmailHeaders(input: string): { headers: Header[]; body: string | undefined } {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const n = text.length;
  const headers: Header[] = [];
  let current: { first: string; rest: string[]; line: number } | undefined;
  const flush = () => {
    if (!current) return;
    const { first, rest } = current;
    const colon = first.indexOf(':');
    // The value: after the colon and its leading blanks, continuation lines kept, line breaks at the end dropped.
    let from = colon + 1;
    while (from < first.length && (first.charCodeAt(from) === 0x20 || first.charCodeAt(from) === 0x09)) from++;
    let value = rest.length ? first.slice(from) + rest.join('') : first.slice(from);
    let to = value.length;
    while (to > 0 && (value.charCodeAt(to - 1) === 0x0a || value.charCodeAt(to - 1) === 0x0d)) to--;
    if (to < value.length) value = value.slice(0, to);
    headers.push({ name: first.slice(0, colon).toLowerCase(), value, line: current.line });
    current = undefined;
  };
  let pos = 0;
  let lineNo = 0;
  let nextLf = text.indexOf('\n');
  let nextCr = text.indexOf('\r');
  let bodyStart = -1;
  while (pos < n) {
    if (nextLf !== -1 && nextLf < pos) nextLf = text.indexOf('\n', pos);
    if (nextCr !== -1 && nextCr < pos) nextCr = text.indexOf('\r', pos);
    const end = nextLf === -1 ? (nextCr === -1 ? n : nextCr) : nextCr === -1 ? nextLf : Math.min(nextLf, nextCr);
    // The line with its ending: \r\n counts as one break.
    const next = end === n ? n : end === nextCr && nextLf === end + 1 ? end + 2 : end + 1;
    lineNo++;
    if (end === pos) {
      bodyStart = next; // the blank separator line is not part of the body
      break;
    }
    HEADER_LINE.lastIndex = pos;
    if (!HEADER_LINE.test(text)) {
      bodyStart = pos;
      break;
    }
    const line = text.slice(pos, next);
    pos = next;
    const c = line.charCodeAt(0);
    if (c === 0x20 || c === 0x09) {
      // A continuation with no header before it is a defect Python drops.
      current?.rest.push(line);
      continue;
    }
    flush();
    // Unix "From " envelope lines and ":value" lines carry no header.
    if (c === 0x3a || line.startsWith('From ')) continue;
    current = { first: line, rest: [], line: lineNo };
  }
  flush();
  const body = bodyStart !== -1 && bodyStart < n ? text.slice(bodyStart) : undefined;
  return { headers, body };
}

/**
 * Metadata 1.x `Description` continuation lines are indented by 8 spaces
 * (setuptools) or by 7 spaces and a `|` (the spec's escape for blank and
 * indented lines); strip either to get the text back.
 */
function unescapeDescription(value: string): string {
  return value
    .split(/\r\n|\r|\n/)
    .map((l, idx) => (idx === 0 ? l : l.replace(/^ {7}\||^ {8}|^\t/, '')))
    .join('\n');
}

function invalidMetadata(source: string, what: string, options: { line?: number; cause?: unknown; hint?: string } = {}): PyindexError {
  const where = options.line === undefined ? source : `${source}, line ${options.line}`;
  return new PyindexError('E_INVALID_METADATA', `${where}: ${what}`, {
    hint: options.hint ?? 'The distribution ships broken core metadata; pin another version or ask its maintainers to fix it.',
    cause: options.cause,
    details: { source, ...(options.line === undefined ? {} : { line: options.line }) },
  });
}

/** Parses METADATA / PKG-INFO text. `source` names the file in error messages. */
export function parseCoreMetadata(text: string, source = '<metadata>'): CoreMetadata {
  const { headers, body } = parseEmailHeaders(text);
  const raw = new Map<string, string[]>();
  for (const h of headers) {
    const list = raw.get(h.name);
    if (list) list.push(h.value);
    else raw.set(h.name, [h.value]);
  }
  const first = (name: string): Header | undefined => headers.find((h) => h.name === name);
  const all = (name: string): string[] => raw.get(name) ?? [];
  const warnings: string[] = [];

  const metadataVersion = first('metadata-version')?.value.trim() ?? '1.0';
  const mv = /^(\d+)\.(\d+)$/.exec(metadataVersion);
  if (!mv) throw invalidMetadata(source, `Metadata-Version ${JSON.stringify(metadataVersion)} is not a version like "2.1"`);
  // The spec: tools must refuse metadata of a major version they do not know.
  if (Number(mv[1]) > 2) {
    throw invalidMetadata(source, `Metadata-Version ${metadataVersion} is newer than the 2.x versions pyindex understands`, {
      hint: 'Upgrade pyindex, or use a release of the package built with older tooling.',
    });
  }

  const nameHeader = first('name');
  const name = nameHeader?.value.trim() ?? '';
  if (name === '') throw invalidMetadata(source, 'the required field Name is missing or empty');
  const versionHeader = first('version');
  if (versionHeader === undefined || versionHeader.value.trim() === '') throw invalidMetadata(source, 'the required field Version is missing or empty');
  const version = Version.tryParse(versionHeader.value);
  if (version === undefined) {
    throw invalidMetadata(source, `Version ${JSON.stringify(versionHeader.value)} is not a valid PEP 440 version`, { line: versionHeader.line });
  }

  const requiresDist = headers.filter((h) => h.name === 'requires-dist').map((h) => parseRequiresDist(h, source));

  let requiresPython: SpecifierSet | undefined;
  const rp = first('requires-python');
  if (rp !== undefined) {
    try {
      requiresPython = SpecifierSet.parse(rp.value);
    } catch (err) {
      if (!isPyindexError(err)) throw err;
      warnings.push(`${source}, line ${rp.line}: ignoring invalid Requires-Python ${JSON.stringify(rp.value)}`);
    }
  }

  const descriptionHeader = first('description')?.value;
  const description = body !== undefined && body.trim() !== '' ? body : descriptionHeader === undefined ? undefined : unescapeDescription(descriptionHeader);

  return {
    metadataVersion,
    name,
    canonicalName: canonicalizeName(name),
    version,
    requiresDist,
    requiresPython,
    providesExtra: all('provides-extra'),
    dynamic: all('dynamic'),
    summary: first('summary')?.value,
    license: first('license')?.value,
    licenseExpression: first('license-expression')?.value,
    licenseFiles: all('license-file'),
    description,
    descriptionContentType: first('description-content-type')?.value,
    requiresExternal: all('requires-external'),
    warnings,
    raw,
  };
}

function parseRequiresDist(h: Header, source: string): Requirement {
  try {
    return parseRequirement(h.value);
  } catch (err) {
    if (isPyindexError(err, 'E_URL_REQUIREMENT')) {
      throw new PyindexError('E_URL_REQUIREMENT', `${source}, line ${h.line}: Requires-Dist ${JSON.stringify(h.value)} is a direct URL requirement`, {
        hint: err.hint,
        cause: err,
        details: { source, line: h.line },
      });
    }
    if (!isPyindexError(err)) throw err;
    throw invalidMetadata(source, `Requires-Dist ${JSON.stringify(h.value)} is not a valid PEP 508 requirement: ${err.message}`, { line: h.line, cause: err });
  }
}

/**
 * Whether the dependencies in this metadata may differ from those of a wheel
 * built from it. Before 2.2 nothing promised that sdist PKG-INFO matches the
 * built wheel; from 2.2 (PEP 643) a field not listed in `Dynamic` is final.
 * When this returns true, the dependencies must come from a built wheel.
 */
export function requiresDistIsDynamic(meta: CoreMetadata): boolean {
  const [major = 0, minor = 0] = meta.metadataVersion.split('.').map(Number);
  if (major < 2 || (major === 2 && minor < 2)) return true;
  return meta.dynamic.some((d) => d.trim().toLowerCase() === 'requires-dist');
}
