/**
 * Reads a YAML file keeping node positions, so a validation error can name
 * the LINE of the offending key, not just its path.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { PyindexError } from '../errors/index.js';

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

/** Parses YAML text; syntax errors become `code` with file:line. */
export function parseLocatedYaml(text: string, file: string, code: 'E_PROFILE_INVALID' | 'E_CONFIG_INVALID' = 'E_PROFILE_INVALID'): LocatedYaml {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const line = counter.linePos(first.pos[0]).line;
    throw new PyindexError(code, `${file}:${line}: invalid YAML: ${first.message.split('\n')[0] ?? ''}`, {
      hint: 'Fix the YAML syntax at that line.',
      details: { file, line },
    });
  }
  return {
    value: doc.toJS() as unknown,
    source: { file, prefix: [], lineOf: (path) => lineOfIn(doc.contents, counter, path) },
  };
}

export function readLocatedYaml(file: string, code: 'E_PROFILE_INVALID' | 'E_CONFIG_INVALID' = 'E_PROFILE_INVALID'): LocatedYaml {
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
