/**
 * The `[build-system]` table of pyproject.toml (PEP 518 / PEP 517). Node has
 * no TOML parser in this project's dependencies and older Pythons lack
 * tomllib, so this reads just the subset that table uses in practice: string
 * values and (possibly multi-line) arrays of strings, with comments.
 * Anything it cannot read is reported, not guessed.
 */
import { PyindexError } from '../errors/index.js';

export interface BuildSystem {
  /** PEP 517 `build-backend`, `module:object` (object optional). */
  backend: string;
  /** PEP 517 `backend-path`: source-tree directories to put first on sys.path. */
  backendPath: string[];
  /** PEP 518 `requires`; pyindex does not install them (offline), it names them in hints. */
  requires: string[];
  /** true when pyproject.toml named no backend and the PEP 517 fallback applies. */
  defaulted: boolean;
}

/** PEP 517: "If the pyproject.toml file is absent, or the build-backend key is missing, the source tree is not using this specification" — pip then uses setuptools' legacy backend. */
export const DEFAULT_BACKEND = 'setuptools.build_meta:__legacy__';
const DEFAULT_REQUIRES = ['setuptools>=40.8.0'];

export function parseBuildSystem(pyproject: string | undefined, where: string): BuildSystem {
  const fallback: BuildSystem = { backend: DEFAULT_BACKEND, backendPath: [], requires: DEFAULT_REQUIRES, defaulted: true };
  if (pyproject === undefined) return fallback;
  const table = extractTable(pyproject);
  if (table === undefined) return fallback;
  const values = parseAssignments(table, where);
  const backend = values.get('build-backend');
  const requires = values.get('requires');
  const backendPath = values.get('backend-path');
  if (backend !== undefined && typeof backend !== 'string') throw bad(where, 'build-backend must be a string');
  if (requires !== undefined && !Array.isArray(requires)) throw bad(where, 'requires must be an array of strings');
  if (backendPath !== undefined && !Array.isArray(backendPath)) throw bad(where, 'backend-path must be an array of strings');
  return {
    backend: backend ?? DEFAULT_BACKEND,
    backendPath: backendPath ?? [],
    requires: requires ?? DEFAULT_REQUIRES,
    defaulted: backend === undefined,
  };
}

function bad(where: string, what: string): PyindexError {
  return new PyindexError('E_BUILD_BACKEND', `${where}: [build-system] ${what}`, {
    hint: 'Fix pyproject.toml of the sdist (PEP 517/518), or use a wheel of this project.',
    details: { file: where },
  });
}

/** The body of `[build-system]` up to the next table header. */
function extractTable(text: string): string | undefined {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => /^\s*\[\s*build-system\s*\]\s*(#.*)?$/.test(l));
  if (start < 0) return undefined;
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\s*\[\[?\s*[A-Za-z0-9_."'-]+\s*\]\]?\s*(#.*)?$/.test(line)) break;
    body.push(line);
  }
  return body.join('\n');
}

type Value = string | string[];

function parseAssignments(text: string, where: string): Map<string, Value> {
  const out = new Map<string, Value>();
  let i = 0;
  const skipSpace = (newlines: boolean) => {
    while (i < text.length) {
      const c = text[i];
      if (c === '#') while (i < text.length && text[i] !== '\n') i++;
      else if (c === ' ' || c === '\t' || c === '\r' || (newlines && c === '\n')) i++;
      else break;
    }
  };
  const readString = (): string => {
    const quote = text[i];
    const triple = text.startsWith(quote!.repeat(3), i);
    if (triple) throw bad(where, 'multi-line strings are not supported here');
    i++;
    let s = '';
    while (i < text.length && text[i] !== quote) {
      if (quote === '"' && text[i] === '\\') {
        const esc = text[i + 1];
        const map: Record<string, string> = { n: '\n', t: '\t', '"': '"', '\\': '\\', r: '\r' };
        if (esc === undefined || map[esc] === undefined) throw bad(where, `unsupported escape \\${esc ?? ''}`);
        s += map[esc];
        i += 2;
      } else {
        s += text[i];
        i++;
      }
    }
    if (text[i] !== quote) throw bad(where, 'unterminated string');
    i++;
    return s;
  };
  const readValue = (): Value => {
    const c = text[i];
    if (c === '"' || c === "'") return readString();
    if (c === '[') {
      i++;
      const items: string[] = [];
      for (;;) {
        skipSpace(true);
        if (text[i] === ']') {
          i++;
          return items;
        }
        if (text[i] !== '"' && text[i] !== "'") throw bad(where, 'arrays may only hold strings');
        items.push(readString());
        skipSpace(true);
        if (text[i] === ',') i++;
        else if (text[i] !== ']') throw bad(where, 'expected , or ] in an array');
      }
    }
    throw bad(where, `unsupported value starting ${JSON.stringify(text.slice(i, i + 20))}`);
  };
  for (;;) {
    skipSpace(true);
    if (i >= text.length) break;
    const m = /^([A-Za-z0-9_-]+|"[^"]*")\s*=\s*/.exec(text.slice(i));
    if (!m || m[1] === undefined) throw bad(where, `cannot read ${JSON.stringify(text.slice(i, i + 30))}`);
    const key = m[1].replace(/^"|"$/g, '');
    i += m[0].length;
    out.set(key, readValue());
    skipSpace(false);
    if (i < text.length && text[i] !== '\n') throw bad(where, `unexpected text after ${key}`);
  }
  return out;
}
