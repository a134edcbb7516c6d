/**
 * PEP 440 version specifier grammar (https://peps.python.org/pep-0440/#version-specifiers),
 * transcribed from packaging's `Specifier._regex` so the same strings are
 * accepted and rejected: `.*` and local versions only after `==`/`!=`, at
 * least two release segments after `~=`, anything without whitespace, `;`
 * or `)` after `===`. Python-flavoured whitespace and case folding as in
 * version-syntax.ts.
 */
import { ALNUM, DEV_LABEL, POST_LABELS, PRE_LABELS, PY_WS, PY_WS_CHARS, SEP, ci } from './version-syntax.js';

const PRE = `(?:${SEP}?${PRE_LABELS}${SEP}?[0-9]*)?`;
const POST = `(?:(?:-[0-9]+)|(?:${SEP}?${POST_LABELS}${SEP}?[0-9]*))?`;
const DEV = `(?:${SEP}?${DEV_LABEL}${SEP}?[0-9]*)?`;
const LOCAL = `(?:\\+${ALNUM}+(?:${SEP}${ALNUM}+)*)?`;
const HEAD = `${PY_WS}*${ci('v')}?(?:[0-9]+!)?`;

/*
 * Python tries the operator alternatives in this order and backtracks into
 * the next one when the version branch (selected by a lookbehind on the
 * operator) fails, e.g. `===x` first tries `==` then `===`.
 */
export const SPECIFIER_RE = new RegExp(
  `^${PY_WS}*(~=|==|!=|<=|>=|<|>|===)(` +
    `(?:(?<====)${PY_WS}*[^${PY_WS_CHARS};)]*)` +
    `|(?:(?<===|!=)${HEAD}[0-9]+(?:\\.[0-9]+)*(?:\\.\\*|${PRE}${POST}${DEV}${LOCAL})?)` +
    `|(?:(?<=~=)${HEAD}[0-9]+(?:\\.[0-9]+)+${PRE}${POST}${DEV})` +
    `|(?:(?<!==|!=|~=)${HEAD}[0-9]+(?:\\.[0-9]+)*${PRE}${POST}${DEV})` +
    `)${PY_WS}*$`,
);

export const HINT_SPECIFIER =
  'PEP 440 specifiers look like ">=1.2,<2", "~=1.4.2", "==1.*", "!=1.3.0"; "~=" needs two release segments, ".*" and "+local" only follow "==" or "!=" (https://peps.python.org/pep-0440/#version-specifiers).';
