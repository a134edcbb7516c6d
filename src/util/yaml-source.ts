/**
 * Reads a YAML file keeping node positions, so a validation error can name
 * the LINE of the offending key, not just its path.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { LineCounter, Node as YamlNode, parseDocument } from 'yaml';
import { PyindexError, type ErrorCode } from '../errors/index.js';
import { parseSimpleYaml } from './yaml-fast.js';

/**
 * `yaml` is loaded on first need (loading it took 50–120 ms of a command's
 * start-up here): the files pyindex reads are usually in the subset
 * yaml-fast.ts reads, and positions are only wanted for an error message.
 */
let yamlModule: typeof import('yaml') | undefined;
export function yamlLib(): typeof import('yaml') {
  yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yamlModule;
}

/** Where a value came from, for error messages: file and a key-path -> line lookup. */
export interface SpecSource {
  file: string;
  /** 1-based line of the node at `path` (or of its closest existing parent). */
  lineOf(path: readonly (string | number)[]): number | undefined;
  /** Key path of this value inside the file (e.g. ['profiles', 'win']); [] for a whole file. */
  prefix: readonly (string | number)[];
}

export interface LocatedYaml {
  value: unknown;
  source: SpecSource;
}

function lineOfIn(contents: unknown, counter: LineCounter, path: readonly (string | number)[]): number | undefined {
  const { isMap, isScalar, isSeq } = yamlLib();
  let node: unknown = contents;
  let line: number | undefined;
  const lineAt = (n: unknown): number | undefined => {
    const range = (n as YamlNode | null | undefined)?.range;
    return range ? counter.linePos(range[0]).line : undefined;
  };
  line = lineAt(node);
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) return line;
      line = lineAt(pair.key) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      line = lineAt(node) ?? line;
    } else {
      return line;
    }
  }
  return line;
}

/**
 * Parsed YAML documents keyed by the sha256 of their text, as JSON, so a
 * command that reads the same config and lockfile run after run (the CI
 * case) does not pay for the YAML parser each time. Set by the CLI to a
 * directory in the cache; unset (library use, tests) means no caching.
 */
let parsedCacheDir: string | undefined;

export function setParsedYamlCacheDir(dir: string | undefined): void {
  parsedCacheDir = dir;
}

function parseWithPositions(text: string, file: string, code: string): { doc: ReturnType<typeof parseDocument>; counter: LineCounter } {
  const { LineCounter: Counter, parseDocument: parse } = yamlLib();
  const counter = new Counter();
  const doc = parse(text, { lineCounter: counter, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const line = counter.linePos(first.pos[0]).line;
    throw new PyindexError(code as ErrorCode, `${file}:${line}: invalid YAML: ${first.message.split('\n')[0] ?? ''}`, {
      hint: 'Fix the YAML syntax at that line.',
      details: { file, line },
    });
  }
  return { doc, counter };
}

/**
 * Parses YAML text; syntax errors become `code` with file:line. Line lookups
 * parse positions only when asked. Text in the subset yaml-fast.ts reads
 * skips both `yaml` and the parsed-YAML cache.
 */
export function parseLocatedYaml(text: string, file: string, code: 'E_PROFILE_INVALID' | 'E_CONFIG_INVALID' | 'E_LOCK_INVALID' = 'E_PROFILE_INVALID'): LocatedYaml {
  let positions: { doc: ReturnType<typeof parseDocument>; counter: LineCounter } | undefined;
  let value = parseSimpleYaml(text);
  if (value === undefined) {
    const cacheFile = parsedCacheDir ? join(parsedCacheDir, `${createHash('sha256').update(text).digest('hex')}.json`) : undefined;
    let cached = false;
    if (cacheFile) {
      try {
        value = JSON.parse(readFileSync(cacheFile, 'utf8')) as unknown;
        cached = true;
      } catch {
        // a miss (or a damaged entry): parse below
      }
    }
    if (!cached) {
      positions = parseWithPositions(text, file, code);
      value = positions.doc.toJS() as unknown;
      if (cacheFile && parsedCacheDir) {
        try {
          mkdirSync(parsedCacheDir, { recursive: true });
          const tmp = `${cacheFile}.${process.pid}.tmp`;
          writeFileSync(tmp, JSON.stringify(value));
          renameSync(tmp, cacheFile);
        } catch {
          // caching is an optimisation; a read-only cache is fine
        }
      }
    }
  }
  return {
    value,
    source: {
      file,
      prefix: [],
      lineOf: (path) => {
        positions ??= parseWithPositions(text, file, code);
        return lineOfIn(positions.doc.contents, positions.counter, path);
      },
    },
  };
}

export function readLocatedYaml(file: string, code: 'E_PROFILE_INVALID' | 'E_CONFIG_INVALID' | 'E_LOCK_INVALID' = 'E_PROFILE_INVALID'): LocatedYaml {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PyindexError('E_FILE_NOT_FOUND', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      hint: 'Check the path.',
      cause: err,
    });
  }
  return parseLocatedYaml(text, file, code);
}

/** A source for a sub-tree of a file (e.g. one entry of `profiles:`). */
export function subSource(source: SpecSource, ...path: (string | number)[]): SpecSource {
  return { file: source.file, lineOf: source.lineOf, prefix: [...source.prefix, ...path] };
}

/** `file:line` for a key path below the source's prefix. */
export function where(source: SpecSource, path: readonly (string | number)[]): string {
  const line = source.lineOf([...source.prefix, ...path]);
  return line === undefined ? source.file : `${source.file}:${line}`;
}
