/**
 * The tokenizer shared by the PEP 508 marker and requirement parsers
 * (https://peps.python.org/pep-0508/#grammar).
 *
 * It reproduces packaging 24.1's `_tokenizer.py` (the copy pip 24.2 vendors)
 * rule for rule, because "valid" for pyindex has to mean "valid for pip":
 * metadata that pip accepts must not fail our resolve, and metadata pip
 * rejects must not silently resolve. The JavaScript regexes differ from
 * Python's `re` in ways we compensate for here:
 * - `\b` in Python is Unicode-aware (`aé` is one word), in JavaScript ASCII
 *   only, so word boundaries are checked by hand with `isWordAt`.
 * - Python's `$` also matches before a final "\n", so `name\n` is accepted.
 * - Python's `\s` and IGNORECASE differ from JavaScript's (see the specifier
 *   token below).
 */

/** Whitespace between tokens: only spaces and tabs (packaging's `WS` rule). */
const WS_RE = /[ \t]+/y;
const QUOTED_STRING_RE = /'[^']*'|"[^"]*"/y;
const OP_RE = /===|==|~=|!=|<=|>=|<|>/y;
const URL_RE = /[^ \t]+/y;
const IDENTIFIER_HEAD_RE = /[a-zA-Z0-9][a-zA-Z0-9._-]*/y;
/*
 * packaging's VARIABLE rule, including the legacy dotted spellings it still
 * accepts (`os.name`, `sys.platform`, `platform.version`, `platform.machine`,
 * `platform.python_implementation`) and `python_implementation`.
 */
const VARIABLE_RE =
  /python_version|python_full_version|os[._]name|sys[._]platform|platform_(?:release|system)|platform[._](?:version|machine|python_implementation)|python_implementation|implementation_(?:name|version)|extra/y;
/* Only `==`/`!=` may be followed by these; packaging reports them specially. */
const VERSION_PREFIX_TRAIL_RE = /\.\*/y;
const VERSION_LOCAL_LABEL_TRAIL_RE = /\+[a-z0-9]+(?:[-_.][a-z0-9]+)*/y;

/*
 * packaging's SPECIFIER token: `Specifier._operator_regex_str +
 * Specifier._version_regex_str`, compiled VERBOSE | IGNORECASE and matched
 * unanchored at the current position. Python's IGNORECASE also folds
 * `ı`/`İ` to i, `ſ` to s and the Kelvin sign to k; `\s` is `str.isspace()`.
 */
const PY_WS_CHARS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_WS = `[${PY_WS_CHARS}]`;
const FOLDS: Record<string, string> = { i: '\\u0130\\u0131', s: '\\u017f', k: '\\u212a' };
function ci(word: string): string {
  let out = '';
  for (const ch of word) out += ch >= 'a' && ch <= 'z' ? `[${ch}${ch.toUpperCase()}${FOLDS[ch] ?? ''}]` : ch;
  return out;
}
const ALNUM = `[a-zA-Z0-9${FOLDS.i}${FOLDS.s}${FOLDS.k}]`;
const SEP = '[-_.]';
const PRE = `(?:${SEP}?(?:${['alpha', 'beta', 'preview', 'pre', 'a', 'b', 'c', 'rc'].map(ci).join('|')})${SEP}?[0-9]*)?`;
const POST = `(?:(?:-[0-9]+)|(?:${SEP}?(?:${['post', 'rev', 'r'].map(ci).join('|')})${SEP}?[0-9]*))?`;
const DEV = `(?:${SEP}?${ci('dev')}${SEP}?[0-9]*)?`;
const LOCAL = `(?:\\+${ALNUM}+(?:${SEP}${ALNUM}+)*)?`;
const HEAD = `${PY_WS}*${ci('v')}?(?:[0-9]+!)?`;
const SPECIFIER_RE = new RegExp(
  '(?:~=|==|!=|<=|>=|<|>|===)(?:' +
    `(?:(?<====)${PY_WS}*[^${PY_WS_CHARS};)]*)` +
    `|(?:(?<===|!=)${HEAD}[0-9]+(?:\\.[0-9]+)*(?:\\.\\*|${PRE}${POST}${DEV}${LOCAL})?)` +
    `|(?:(?<=~=)${HEAD}[0-9]+(?:\\.[0-9]+)+${PRE}${POST}${DEV})` +
    `|(?:(?<!==|!=|~=)${HEAD}[0-9]+(?:\\.[0-9]+)*${PRE}${POST}${DEV})` +
    ')',
  'y',
);

/** Python's `\w` for `str`: letters, digits/numerics and `_`. */
const WORD_CHAR_RE = /[\p{L}\p{N}_]/u;

function isWordAt(text: string, index: number): boolean {
  if (index < 0 || index >= text.length) return false;
  let cp = text.charCodeAt(index);
  // Read whole surrogate pairs so astral letters count as word characters.
  if (cp >= 0xdc00 && cp <= 0xdfff && index > 0) {
    const hi = text.charCodeAt(index - 1);
    if (hi >= 0xd800 && hi <= 0xdbff) cp = text.codePointAt(index - 1) ?? cp;
  } else {
    cp = text.codePointAt(index) ?? cp;
  }
  if (cp < 0x80) return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f;
  return WORD_CHAR_RE.test(String.fromCodePoint(cp));
}

/** Python's `\b` between `index - 1` and `index`. */
function isBoundary(text: string, index: number): boolean {
  return isWordAt(text, index - 1) !== isWordAt(text, index);
}

export type TokenName =
  | 'LEFT_PARENTHESIS'
  | 'RIGHT_PARENTHESIS'
  | 'LEFT_BRACKET'
  | 'RIGHT_BRACKET'
  | 'SEMICOLON'
  | 'COMMA'
  | 'QUOTED_STRING'
  | 'OP'
  | 'BOOLOP'
  | 'IN'
  | 'NOT'
  | 'VARIABLE'
  | 'SPECIFIER'
  | 'AT'
  | 'URL'
  | 'IDENTIFIER'
  | 'VERSION_PREFIX_TRAIL'
  | 'VERSION_LOCAL_LABEL_TRAIL'
  | 'WS'
  | 'END';

const SINGLE_CHAR: Partial<Record<TokenName, string>> = {
  LEFT_PARENTHESIS: '(',
  RIGHT_PARENTHESIS: ')',
  LEFT_BRACKET: '[',
  RIGHT_BRACKET: ']',
  SEMICOLON: ';',
  COMMA: ',',
  AT: '@',
};

function sticky(re: RegExp, text: string, pos: number): string | undefined {
  re.lastIndex = pos;
  const m = re.exec(text);
  return m ? m[0] : undefined;
}

/** A keyword such as `and` that must stand as a whole word (`\bword\b`). */
function keyword(text: string, pos: number, words: readonly string[]): string | undefined {
  if (!isBoundary(text, pos)) return undefined;
  for (const w of words) {
    if (text.startsWith(w, pos) && isBoundary(text, pos + w.length)) return w;
  }
  return undefined;
}

/** Length of the token `name` at `pos`, or undefined when it does not match there. */
function matchToken(name: TokenName, text: string, pos: number): string | undefined {
  const single = SINGLE_CHAR[name];
  if (single !== undefined) return text[pos] === single ? single : undefined;
  switch (name) {
    case 'WS':
      return sticky(WS_RE, text, pos);
    case 'QUOTED_STRING':
      return sticky(QUOTED_STRING_RE, text, pos);
    case 'OP':
      return sticky(OP_RE, text, pos);
    case 'URL':
      return sticky(URL_RE, text, pos);
    case 'SPECIFIER':
      return sticky(SPECIFIER_RE, text, pos);
    case 'VERSION_PREFIX_TRAIL':
      return sticky(VERSION_PREFIX_TRAIL_RE, text, pos);
    case 'VERSION_LOCAL_LABEL_TRAIL':
      return sticky(VERSION_LOCAL_LABEL_TRAIL_RE, text, pos);
    case 'BOOLOP':
      return keyword(text, pos, ['or', 'and']);
    case 'IN':
      return keyword(text, pos, ['in']);
    case 'NOT':
      return keyword(text, pos, ['not']);
    case 'VARIABLE': {
      if (!isBoundary(text, pos)) return undefined;
      const m = sticky(VARIABLE_RE, text, pos);
      return m !== undefined && isBoundary(text, pos + m.length) ? m : undefined;
    }
    case 'IDENTIFIER': {
      // `\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b`: backtrack until the end is a boundary.
      if (!isBoundary(text, pos)) return undefined;
      const m = sticky(IDENTIFIER_HEAD_RE, text, pos);
      if (m === undefined) return undefined;
      for (let end = pos + m.length; end > pos; end--) {
        if (isBoundary(text, end)) return text.slice(pos, end);
      }
      return undefined;
    }
    case 'END':
      // Python's `$` also matches just before a trailing newline.
      return pos === text.length || (pos === text.length - 1 && text[pos] === '\n') ? '' : undefined;
    default:
      return undefined;
  }
}

/** A syntax error at a span of the source, like packaging's ParserSyntaxError. */
export class MarkerSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly source: string,
    readonly span: readonly [number, number],
  ) {
    super(reason);
    this.name = 'MarkerSyntaxError';
  }

  /** The source with `~~~^` under the offending span, as packaging prints it. */
  get diagram(): string {
    const [start, end] = this.span;
    return `    ${this.source}\n    ${' '.repeat(start)}${'~'.repeat(Math.max(0, end - start))}^`;
  }
}

export interface Token {
  name: TokenName;
  text: string;
  position: number;
}

/** Context-sensitive tokenizer: the parser asks whether a given token comes next. */
export class Tokenizer {
  position = 0;
  private next: Token | undefined;

  constructor(readonly source: string) {}

  /** Consumes `name` if it comes next. */
  consume(name: TokenName): void {
    if (this.check(name)) this.read();
  }

  /** Whether `name` comes next; unless `peek`, the token must then be read. */
  check(name: TokenName, peek = false): boolean {
    const text = matchToken(name, this.source, this.position);
    if (text === undefined) return false;
    if (!peek) this.next = { name, text, position: this.position };
    return true;
  }

  expect(name: TokenName, expected: string): Token {
    if (!this.check(name)) this.raise(`Expected ${expected}`);
    return this.read();
  }

  read(): Token {
    const token = this.next;
    if (token === undefined) throw new Error('Tokenizer.read() without a successful check()');
    this.position += token.text.length;
    this.next = undefined;
    return token;
  }

  raise(reason: string, spanStart?: number, spanEnd?: number): never {
    throw new MarkerSyntaxError(reason, this.source, [spanStart ?? this.position, spanEnd ?? this.position]);
  }

  /** Runs `body` inside optional `open` … `close` tokens (packaging's `enclosing_tokens`). */
  enclosed<T>(open: TokenName, close: TokenName, around: string, body: () => T): T {
    const openPosition = this.check(open) ? this.read().position : undefined;
    const result = body();
    if (openPosition === undefined) return result;
    if (!this.check(close)) this.raise(`Expected matching ${close} for ${open}, after ${around}`, openPosition);
    this.read();
    return result;
  }
}

/**
 * The value of a quoted string token, as `ast.literal_eval` computes it:
 * PEP 508 strings are Python string literals, so escapes such as `\n`,
 * `\x41` or `\u00e9` are decoded and unknown escapes such as `\d` are kept.
 * Returns an error reason instead of throwing so the caller can place it.
 */
export function decodePythonString(token: string): { value: string } | { error: string } {
  const body = token.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '\n' || c === '\r') return { error: 'unterminated string literal (a line break inside quotes)' };
    if (c === '\0') return { error: 'a string cannot contain a NUL character' };
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) return { error: 'unterminated string literal (the closing quote is escaped)' };
    i++;
    switch (e) {
      case '\n':
        break; // line continuation
      case '\r':
        if (body[i + 1] === '\n') i++;
        break;
      case '\\':
      case "'":
      case '"':
        out += e;
        break;
      case 'a':
        out += '\x07';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x':
      case 'u':
      case 'U': {
        const width = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = body.slice(i + 1, i + 1 + width);
        if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) return { error: `truncated \\${e} escape` };
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff) return { error: `illegal Unicode character in \\${e} escape` };
        out += String.fromCodePoint(cp);
        i += width;
        break;
      }
      case 'N':
        return { error: 'named Unicode escapes (\\N{...}) are not supported; write the character itself' };
      default:
        if (e >= '0' && e <= '7') {
          let digits = e;
          while (digits.length < 3 && (body[i + 1] ?? '') >= '0' && (body[i + 1] ?? '') <= '7') digits += body[++i];
          out += String.fromCodePoint(parseInt(digits, 8));
        } else {
          out += `\\${e}`; // Python keeps unknown escapes verbatim (with a SyntaxWarning).
        }
    }
  }
  return { value: out };
}
