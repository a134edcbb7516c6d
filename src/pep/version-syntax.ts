/**
 * The PEP 440 version grammar, transcribed from packaging's `VERSION_PATTERN`
 * (https://peps.python.org/pep-0440/#appendix-b-parsing-version-strings-with-regular-expressions)
 * so that pyindex accepts exactly the strings packaging ≥ 22 accepts.
 *
 * Python compiles that pattern with `re.IGNORECASE | re.VERBOSE` on `str`,
 * which differs from a JavaScript `/i` regex in two ways we reproduce:
 * - `\s` is Python's Unicode whitespace (includes U+001C–U+001F and U+0085,
 *   excludes U+FEFF), not JavaScript's.
 * - case-insensitive matching also folds `ı`/`İ` to `i`, `ſ` to `s` and the
 *   Kelvin sign to `k` (sre's simple case folding), so `1.0poſt1` is a valid
 *   version for packaging. Matching it keeps `str(Version(x))` identical.
 */

/** Python's `str.isspace()` set, which is what `\s` and `str.strip()` use. */
export const PY_WS_CHARS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
export const PY_WS = `[${PY_WS_CHARS}]`;

const PY_WS_RE = new RegExp(`^${PY_WS}+|${PY_WS}+$`, 'g');

/** Python's `str.strip()` (JavaScript's `trim()` strips a different set). */
export function pyStrip(text: string): string {
  return text.replace(PY_WS_RE, '');
}

/** Extra characters Python's IGNORECASE treats as equal to an ASCII letter. */
const FOLDS: Record<string, string> = { i: '\\u0130\\u0131', s: '\\u017f', k: '\\u212a' };

/** A regex fragment matching `word` case-insensitively the way Python's sre does. */
export function ci(word: string): string {
  let out = '';
  for (const ch of word) {
    const lower = ch.toLowerCase();
    out += lower >= 'a' && lower <= 'z' ? `[${lower}${lower.toUpperCase()}${FOLDS[lower] ?? ''}]` : ch;
  }
  return out;
}

/** `[a-z0-9]` under Python's IGNORECASE. */
export const ALNUM = `[a-zA-Z0-9${FOLDS.i}${FOLDS.s}${FOLDS.k}]`;
export const SEP = '[-_.]';

export const PRE_LABELS = `(?:${['alpha', 'a', 'beta', 'b', 'preview', 'pre', 'c', 'rc'].map(ci).join('|')})`;
export const POST_LABELS = `(?:${['post', 'rev', 'r'].map(ci).join('|')})`;
export const DEV_LABEL = ci('dev');

/** packaging's VERSION_PATTERN with capture groups, anchored and whitespace-tolerant. */
export const VERSION_RE = new RegExp(
  `^${PY_WS}*${ci('v')}?` +
    `(?:([0-9]+)!)?` + // 1 epoch
    `([0-9]+(?:\\.[0-9]+)*)` + // 2 release
    `(?:${SEP}?(${PRE_LABELS})${SEP}?([0-9]+)?)?` + // 3 pre_l, 4 pre_n
    `(?:-([0-9]+)|${SEP}?(${POST_LABELS})${SEP}?([0-9]+)?)?` + // 5 post_n1, 6 post_l, 7 post_n2
    `(?:${SEP}?(${DEV_LABEL})${SEP}?([0-9]+)?)?` + // 8 dev_l, 9 dev_n
    `(?:\\+(${ALNUM}+(?:${SEP}${ALNUM}+)*))?` + // 10 local
    `${PY_WS}*$`,
);

export const HINT_VERSION = 'PEP 440 versions look like 1.2.3, 1.0rc1, 2!1.0.post2.dev3+local (https://peps.python.org/pep-0440/).';
