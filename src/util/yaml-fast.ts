/**
 * A fast reader for the plain subset of YAML that pyindex's own files use:
 * block mappings and sequences (indented or not), one-line plain, single-
 * and double-quoted scalars, one-line flow collections (`[a, "b"]`,
 * `{ k: v }`), comments. It returns exactly what
 * `yaml` (2.x, YAML 1.2 core schema, https://yaml.org/spec/1.2.2/) would
 * give for the text — or `undefined` the moment it meets anything else
 * (anchors, tags, multi-line flow collections, block or multi-line scalars, floats,
 * odd keys, syntax errors …), and the caller then asks `yaml` itself.
 *
 * Why: `pyindex fetch` and `provision` read the config and the lockfile on
 * every run, and with a cold parsed-YAML cache (a new lockfile: exactly
 * when fetch has work to do) loading `yaml` and parsing a 17 KB lockfile
 * took 100–200 ms of a ~1 s fetch on the bench machine; this takes ~1 ms.
 * test/util/yaml-fast.test.ts checks it differentially against `yaml` on
 * emitted lockfiles, fixtures and seeded random texts.
 */
import { CORE_NON_STRING } from './yaml-core.js';

interface Line {
  indent: number;
  /** The line without its indentation (comments still on it). */
  text: string;
}

class Bail extends Error {}

/** YAML's white space is the space and the tab only (no tabs get this far): String#trim would also eat U+00A0 and friends. */
const LEADING = /^ +/;
const TRAILING = / +$/;

function bail(): never {
  throw new Bail();
}

/** The value `yaml` would parse from `text`, or undefined when the text is outside this reader's subset. */
export function parseSimpleYaml(text: string): unknown {
  // Tabs, CR, other control characters, BOM, line separators, document markers and directives are
  // rare in these files and each has rules of its own.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\x00-\x09\x0b-\x1f\x7f-\x9f\uFEFF\u2028\u2029]/.test(text) || /^(?:---|\.\.\.|%)/m.test(text)) return undefined;
  const lines: Line[] = [];
  for (const raw of text.split('\n')) {
    const body = raw.replace(LEADING, '');
    if (body === '' || body.startsWith('#')) continue;
    lines.push({ indent: raw.length - body.length, text: body });
  }
  if (!lines.length) return undefined;
  try {
    const reader = new Reader(lines);
    const first = lines[0] as Line;
    if (first.indent !== 0) return undefined;
    const value = reader.node(0);
    if (reader.at !== lines.length) return undefined;
    return value;
  } catch (err) {
    if (err instanceof Bail) return undefined;
    throw err;
  }
}

class Reader {
  at = 0;
  constructor(private readonly lines: Line[]) {}

  private peek(): Line | undefined {
    return this.lines[this.at];
  }

  /** A block node starting at the current line, whose lines are indented exactly `indent`. */
  node(indent: number): unknown {
    const line = this.peek() ?? bail();
    if (line.indent !== indent) bail();
    if (isSeqEntry(line.text)) return this.seq(indent);
    if (splitKey(line.text)) return this.map(indent);
    return bail(); // a scalar on a line of its own (multi-line or a bare document): yaml's business
  }

  private seq(indent: number): unknown[] {
    const out: unknown[] = [];
    for (let line = this.peek(); line && line.indent === indent && isSeqEntry(line.text); line = this.peek()) {
      const rest = line.text.slice(1).replace(LEADING, '');
      const column = indent + (line.text.length - rest.length);
      if (rest === '' || rest.startsWith('#')) {
        this.at++;
        out.push(this.nested(indent, false));
      } else if (isSeqEntry(rest)) {
        bail(); // `- - x`
      } else if (splitKey(rest)) {
        // A compact mapping: its first pair is on the dash line, the rest aligned under it.
        this.lines[this.at] = { indent: column, text: rest };
        out.push(this.map(column));
      } else {
        this.at++;
        out.push(this.scalarAfter(rest, indent));
      }
    }
    return out;
  }

  private map(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let line = this.peek(); line && line.indent === indent && !isSeqEntry(line.text); line = this.peek()) {
      const split = splitKey(line.text) ?? bail();
      const key = split.key;
      if (key === '__proto__' || key === '<<' || Object.hasOwn(out, key)) bail();
      this.at++;
      const rest = split.rest;
      if (rest === '' || rest.startsWith('#')) out[key] = this.nested(indent, true);
      else out[key] = this.scalarAfter(rest, indent);
    }
    return out;
  }

  /**
   * The value of a `key:` or `-` with nothing after it: a more indented
   * block, an indentless sequence under a mapping key, or null.
   */
  private nested(indent: number, inMap: boolean): unknown {
    const next = this.peek();
    if (next && next.indent > indent) return this.node(next.indent);
    if (inMap && next && next.indent === indent && isSeqEntry(next.text)) return this.seq(indent);
    return null;
  }

  /** A scalar (or `[]`/`{}`) written after `key: ` or `- `; the next line must not continue it. */
  private scalarAfter(rest: string, indent: number): unknown {
    const next = this.peek();
    if (next && next.indent > indent) bail(); // a multi-line scalar, or bad indentation
    return scalar(rest);
  }
}

function isSeqEntry(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

/**
 * `key: rest` → the key (unquoted) and what follows the colon (trimmed); undefined when the
 * line is not a simple mapping entry.
 */
function splitKey(text: string): { key: string; rest: string } | undefined {
  let key: string;
  let after: number;
  const c = text[0];
  if (c === '"' || c === "'") {
    const q = quoted(text);
    if (!q) return undefined;
    key = q.value;
    after = q.end;
    if (text[after] !== ':') return undefined;
  } else {
    const colon = text.search(/:(?: |$)/);
    if (colon <= 0) return undefined;
    const raw = text.slice(0, colon);
    if (raw.endsWith(' ') || raw.includes(' #') || !plainStart(raw)) return undefined;
    if (CORE_NON_STRING.some((re) => re.test(raw))) return undefined; // a key yaml would read as null, bool or number
    key = raw;
    after = colon;
  }
  if (text.length > after + 1 && text[after + 1] !== ' ') return undefined;
  // An implicit key is at most 1024 characters (YAML 1.2 §7.4.2); yaml rejects longer ones.
  if (after > 1024) return undefined;
  return { key, rest: text.slice(after + 1).replace(LEADING, '').replace(TRAILING, '') };
}

/**
 * A plain scalar may not start with an indicator (YAML 1.2 §7.3.3), except
 * `-`, `?`, `:` followed by a non-space; of those only `-` is taken (`-20`,
 * `-x`), to stay simple.
 */
function plainStart(s: string): boolean {
  if (s.length === 0) return false;
  if (s[0] === '-') return s.length > 1 && s[1] !== ' ';
  return !/^[?:,[\]{}#&*!|>'"%@`]/.test(s);
}

/** A value after `: ` or `- `, comment included. */
function scalar(rest: string): unknown {
  const c = rest[0];
  if (c === '"' || c === "'") {
    const q = quoted(rest) ?? bail();
    const tail = rest.slice(q.end).replace(LEADING, '');
    if (tail !== '' && !(tail.startsWith('#') && rest[q.end] === ' ')) bail();
    return q.value;
  }
  if (c === '[' || c === '{') {
    const flow = new FlowReader(rest);
    const value = flow.collection();
    const tail = rest.slice(flow.at);
    if (tail !== '' && !/^ +#/.test(tail) && !/^ *$/.test(tail)) bail();
    return value;
  }
  const hash = rest.indexOf(' #');
  const value = (hash >= 0 ? rest.slice(0, hash) : rest).replace(TRAILING, '');
  if (!plainStart(value) || /: |:$/.test(value)) bail();
  return plainValue(value);
}

/** What the core schema makes of a one-line plain scalar; only the forms whose reading is unambiguous are taken. */
function plainValue(s: string): unknown {
  if (!CORE_NON_STRING.some((re) => re.test(s))) return s;
  if (s === '~' || s === 'null' || s === 'Null' || s === 'NULL') return null;
  if (s === 'true' || s === 'True' || s === 'TRUE') return true;
  if (s === 'false' || s === 'False' || s === 'FALSE') return false;
  if (/^-?[0-9]{1,15}$/.test(s) && s !== '-0') return parseInt(s, 10);
  return bail(); // octal, hex, floats, .inf, leading + …
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0' };

/** A one-line quoted scalar at the start of `text`: its value and the index after the closing quote. */
function quoted(text: string): { value: string; end: number } | undefined {
  const q = text[0];
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i] as string;
    if (q === "'") {
      if (c !== "'") {
        value += c;
        continue;
      }
      if (text[i + 1] === "'") {
        value += "'";
        i++;
        continue;
      }
      return { value, end: i + 1 };
    }
    if (c === '"') return { value, end: i + 1 };
    if (c !== '\\') {
      value += c;
      continue;
    }
    const e = text[++i];
    if (e === 'u' || e === 'x') {
      const len = e === 'u' ? 4 : 2;
      const hex = text.slice(i + 1, i + 1 + len);
      if (hex.length !== len || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
      value += String.fromCharCode(parseInt(hex, 16));
      i += len;
      continue;
    }
    const mapped = e === undefined ? undefined : ESCAPES[e];
    if (mapped === undefined) return undefined;
    value += mapped;
  }
  return undefined; // unterminated on this line: a multi-line scalar
}

/**
 * A one-line flow collection (YAML 1.2 §7.4): `[item, …]` and `{key: value, …}`
 * of quoted scalars, plain scalars (no flow indicators in them) and nested
 * flow collections. Empty entries, implicit null values, `? ` keys and
 * anything spanning lines are left to yaml.
 */
class FlowReader {
  at = 0;
  constructor(private readonly text: string) {}

  private spaces(): void {
    while (this.text[this.at] === ' ') this.at++;
  }

  collection(): unknown {
    const open = this.text[this.at];
    const close = open === '[' ? ']' : '}';
    this.at++;
    const list: unknown[] = [];
    const map: Record<string, unknown> = {};
    this.spaces();
    if (this.text[this.at] === close) {
      this.at++;
      return open === '[' ? list : map;
    }
    for (;;) {
      this.spaces();
      if (open === '[') list.push(this.item());
      else {
        const key = this.key();
        if (key === '__proto__' || key === '<<' || Object.hasOwn(map, key)) bail();
        map[key] = this.item();
      }
      this.spaces();
      const c = this.text[this.at++];
      if (c === close) return open === '[' ? list : map;
      if (c !== ',') bail();
    }
  }

  private key(): string {
    const c = this.text[this.at];
    let key: string;
    if (c === '"' || c === "'") {
      const q = quoted(this.text.slice(this.at)) ?? bail();
      key = q.value;
      this.at += q.end;
    } else {
      const raw = this.plain();
      if (CORE_NON_STRING.some((re) => re.test(raw))) bail();
      key = raw;
    }
    if (this.text[this.at] !== ':' || this.text[this.at + 1] !== ' ') bail();
    this.at += 2;
    return key;
  }

  private item(): unknown {
    this.spaces();
    const c = this.text[this.at];
    if (c === '[' || c === '{') return this.collection();
    if (c === '"' || c === "'") {
      const q = quoted(this.text.slice(this.at)) ?? bail();
      this.at += q.end;
      return q.value;
    }
    return plainValue(this.plain());
  }

  /** A plain scalar in flow context: up to `,`, a bracket, `: ` or the end; ` #` (a comment) is left to yaml. */
  private plain(): string {
    const start = this.at;
    for (; this.at < this.text.length; this.at++) {
      const c = this.text[this.at];
      if (c === ',' || c === '[' || c === ']' || c === '{' || c === '}') break;
      if (c === ':' && /[ ,[\]{}]/.test(this.text[this.at + 1] ?? ' ')) break;
      if (c === '#' && this.text[this.at - 1] === ' ') bail();
    }
    const value = this.text.slice(start, this.at).replace(TRAILING, '');
    if (!plainStart(value)) bail();
    return value;
  }
}
