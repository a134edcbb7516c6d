/**
 * Parses TOML texts with Python's tomllib (3.11+), the reference reader for
 * what pyindex writes. Integers come back tagged (`{ $int: "…" }`) so 64-bit
 * values survive JSON.
 */
import { pyenvPythons, runPythonJson } from './python.js';

export type Tagged = string | boolean | { $int: string } | Tagged[] | { [key: string]: Tagged };

/** Python ≥ 3.11 from pyenv (3.11.7 preferred: it also has packaging 26 with packaging.pylock). */
export function tomllibPython(): string | undefined {
  const pythons = pyenvPythons();
  return (pythons.find((p) => p.version === '3.11.7') ?? pythons.find((p) => /^3\.(1[1-9])\./.test(p.version)))?.path;
}

export const TAG_SCRIPT = `
import json, sys, tomllib
def tag(v):
    if isinstance(v, bool): return v
    if isinstance(v, int): return {'$int': str(v)}
    if isinstance(v, list): return [tag(x) for x in v]
    if isinstance(v, dict): return {k: tag(x) for k, x in v.items()}
    if isinstance(v, str): return v
    raise TypeError(type(v).__name__)
`;

/** Each text parsed: `{ ok: value }` or `{ error: message }`. One Python process for all. */
export function parseTomlBatch(python: string, texts: string[]): ({ ok: Tagged } | { error: string })[] {
  return runPythonJson(
    python,
    `${TAG_SCRIPT}
out = []
for text in json.load(sys.stdin):
    try:
        out.append({'ok': tag(tomllib.loads(text))})
    except Exception as e:
        out.append({'error': f'{type(e).__name__}: {e}'})
json.dump(out, sys.stdout)
`,
    texts,
  );
}
