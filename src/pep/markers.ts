/**
 * PEP 508 environment markers: https://peps.python.org/pep-0508/#environment-markers
 *
 * Parsing and `markerToString` reproduce packaging 24.1 (vendored by pip
 * 24.2) exactly, so a marker pip accepts is accepted here and prints the
 * same. Evaluation lives in marker-evaluate.ts.
 */
import { PyindexError } from '../errors/index.js';
import { canonicalizeName } from './names.js';
import { MarkerSyntaxError, Tokenizer, decodePythonString } from './marker-tokenizer.js';

export const MARKER_VARIABLES = [
  'implementation_name',
  'implementation_version',
  'os_name',
  'platform_machine',
  'platform_python_implementation',
  'platform_release',
  'platform_system',
  'platform_version',
  'python_full_version',
  'python_version',
  'sys_platform',
] as const;
export type MarkerVariable = (typeof MARKER_VARIABLES)[number];
export type MarkerEnvironment = Record<MarkerVariable, string>;

export type MarkerOperator = '<' | '<=' | '==' | '!=' | '>=' | '>' | '~=' | '===' | 'in' | 'not in';

export type MarkerOperand =
  | { kind: 'variable'; name: MarkerVariable | 'extra' }
  | { kind: 'value'; value: string };

/** A comparison leaf: `python_version >= "3.8"` or `"linux" in sys_platform`. */
export interface MarkerComparison {
  type: 'comparison';
  left: MarkerOperand;
  op: MarkerOperator;
  right: MarkerOperand;
}

/**
 * A (parenthesised or top-level) sequence of items joined by `and`/`or`.
 * `ops[i]` joins `items[i]` and `items[i + 1]`; `and` binds tighter than
 * `or`, as in Python. The flat shape mirrors packaging's marker list, which
 * is what `str(Marker)` is defined on (it keeps or drops parentheses by it).
 */
export interface MarkerGroup {
  type: 'group';
  items: MarkerNode[];
  ops: ('and' | 'or')[];
}

export type MarkerNode = MarkerComparison | MarkerGroup;
export type Marker = MarkerGroup;

export const HINT_MARKER =
  'Markers compare a variable with a quoted string, joined by "and"/"or", e.g. python_version >= "3.8" and sys_platform == "linux" (https://peps.python.org/pep-0508/#environment-markers).';

/** Parses a marker; throws `E_INVALID_MARKER` quoting the text and pointing at the column. */
export function parseMarker(text: string): Marker {
  const tokenizer = new Tokenizer(text);
  try {
    const marker = parseMarkerExpression(tokenizer);
    tokenizer.expect('END', 'end of marker expression');
    return normalizeFirstExtra(marker);
  } catch (err) {
    if (err instanceof MarkerSyntaxError) throw syntaxErrorToPyindex(err, 'E_INVALID_MARKER', 'environment marker', HINT_MARKER);
    throw err;
  }
}

/** Turns a located syntax error into the one PyindexError shape both parsers use. */
export function syntaxErrorToPyindex(
  err: MarkerSyntaxError,
  code: 'E_INVALID_MARKER' | 'E_INVALID_REQUIREMENT',
  what: string,
  hint: string,
): PyindexError {
  const column = err.span[1] + 1;
  const reason = err.reason.charAt(0).toLowerCase() + err.reason.slice(1);
  return new PyindexError(code, `${JSON.stringify(err.source)} is not a valid ${what}: ${reason} (column ${column})\n${err.diagram}`, {
    hint,
    cause: err,
    details: { input: err.source, column, span: [...err.span], reason: err.reason },
  });
}

/*
 * packaging normalizes the extra name (PEP 685) only in the *first* item of
 * the top-level list (`_normalize_extra_values` looks at `results[0]`), so
 * `extra == "Foo_Bar"` prints as `extra == "foo-bar"` but `os_name == "x" and
 * extra == "Foo_Bar"` keeps its spelling. Evaluation normalizes every extra
 * comparison anyway; this only keeps `markerToString` identical to str().
 */
export function normalizeFirstExtra(marker: Marker): Marker {
  const first = marker.items[0];
  if (first?.type === 'comparison') {
    if (first.left.kind === 'variable' && first.left.name === 'extra') {
      first.right = { kind: 'value', value: canonicalizeName(operandText(first.right)) };
    } else if (first.right.kind === 'variable' && first.right.name === 'extra') {
      first.left = { kind: 'value', value: canonicalizeName(operandText(first.left)) };
    }
  }
  return marker;
}

function operandText(o: MarkerOperand): string {
  return o.kind === 'value' ? o.value : o.name;
}

/** marker = marker_atom (BOOLOP marker_atom)* */
export function parseMarkerExpression(tokenizer: Tokenizer): MarkerGroup {
  const group: MarkerGroup = { type: 'group', items: [parseMarkerAtom(tokenizer)], ops: [] };
  while (tokenizer.check('BOOLOP')) {
    group.ops.push(tokenizer.read().text as 'and' | 'or');
    group.items.push(parseMarkerAtom(tokenizer));
  }
  return group;
}

/** marker_atom = WS? '(' WS? marker WS? ')' WS? | WS? marker_item WS? */
function parseMarkerAtom(tokenizer: Tokenizer): MarkerNode {
  tokenizer.consume('WS');
  let node: MarkerNode;
  if (tokenizer.check('LEFT_PARENTHESIS', true)) {
    node = tokenizer.enclosed('LEFT_PARENTHESIS', 'RIGHT_PARENTHESIS', 'marker expression', () => {
      tokenizer.consume('WS');
      const inner = parseMarkerExpression(tokenizer);
      tokenizer.consume('WS');
      return inner;
    });
  } else {
    node = parseMarkerItem(tokenizer);
  }
  tokenizer.consume('WS');
  return node;
}

/** marker_item = WS? marker_var WS? marker_op WS? marker_var WS? */
function parseMarkerItem(tokenizer: Tokenizer): MarkerComparison {
  tokenizer.consume('WS');
  const left = parseMarkerVar(tokenizer);
  tokenizer.consume('WS');
  const op = parseMarkerOp(tokenizer);
  tokenizer.consume('WS');
  const right = parseMarkerVar(tokenizer);
  tokenizer.consume('WS');
  return { type: 'comparison', left, op, right };
}

function parseMarkerVar(tokenizer: Tokenizer): MarkerOperand {
  if (tokenizer.check('VARIABLE')) {
    // Legacy dotted names (`os.name`) and `python_implementation` are aliases.
    const name = tokenizer.read().text.replaceAll('.', '_');
    return { kind: 'variable', name: (name === 'python_implementation' ? 'platform_python_implementation' : name) as MarkerVariable | 'extra' };
  }
  if (tokenizer.check('QUOTED_STRING')) {
    const token = tokenizer.read();
    const decoded = decodePythonString(token.text);
    if ('error' in decoded) tokenizer.raise(`Invalid quoted string: ${decoded.error}`, token.position, token.position + token.text.length - 1);
    return { kind: 'value', value: decoded.value };
  }
  return tokenizer.raise('Expected a marker variable or quoted string');
}

function parseMarkerOp(tokenizer: Tokenizer): MarkerOperator {
  if (tokenizer.check('IN')) {
    tokenizer.read();
    return 'in';
  }
  if (tokenizer.check('NOT')) {
    tokenizer.read();
    tokenizer.expect('WS', "whitespace after 'not'");
    tokenizer.expect('IN', "'in' after 'not'");
    return 'not in';
  }
  if (tokenizer.check('OP')) return tokenizer.read().text as MarkerOperator;
  return tokenizer.raise('Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in');
}

/** `str(packaging.markers.Marker(text))`: canonical spacing, double quotes, redundant parentheses dropped. */
export function markerToString(marker: Marker): string {
  return formatNode(marker, true);
}

function formatNode(node: MarkerNode, first: boolean): string {
  if (node.type === 'comparison') {
    return `${formatOperand(node.left)} ${node.op} ${formatOperand(node.right)}`;
  }
  // A one-item group prints as its item (packaging's `[[...]]` shortcut).
  const only = node.items.length === 1 ? node.items[0] : undefined;
  if (only !== undefined) return formatNode(only, true);
  const parts: string[] = [];
  node.items.forEach((item, i) => {
    if (i > 0) parts.push(node.ops[i - 1] ?? 'and');
    parts.push(formatNode(item, false));
  });
  const inner = parts.join(' ');
  return first ? inner : `(${inner})`;
}

function formatOperand(o: MarkerOperand): string {
  // packaging wraps the value in double quotes verbatim, without escaping.
  return o.kind === 'variable' ? o.name : `"${o.value}"`;
}

/** Which variables a marker reads (the resolver uses it to know which profiles a marker distinguishes). */
export function markerVariables(marker: Marker): Set<MarkerVariable | 'extra'> {
  const out = new Set<MarkerVariable | 'extra'>();
  const visit = (node: MarkerNode): void => {
    if (node.type === 'group') {
      for (const item of node.items) visit(item);
      return;
    }
    if (node.left.kind === 'variable') out.add(node.left.name);
    if (node.right.kind === 'variable') out.add(node.right.name);
  };
  visit(marker);
  return out;
}

export { evaluateMarker } from './marker-evaluate.js';
