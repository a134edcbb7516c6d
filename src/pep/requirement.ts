/**
 * PEP 508 dependency specifiers ("requirements"): https://peps.python.org/pep-0508/
 *
 * The grammar is packaging 24.1's hand-written parser (`_parser.py`), what
 * pip 24.2 uses to read `Requires-Dist`, so anything pip accepts from an
 * index's metadata parses here, including the old parenthesised form
 * `name (>=1.0, <2)` still common in PyPI metadata. Direct URL requirements
 * (`name @ https://…`) parse but are refused: pyindex resolves only from the
 * index, and a URL would bypass it.
 */
import { PyindexError } from '../errors/index.js';
import { SpecifierSet } from './specifier.js';
import { MarkerSyntaxError, Tokenizer } from './marker-tokenizer.js';
import { markerToString, normalizeFirstExtra, parseMarkerExpression, syntaxErrorToPyindex, type Marker } from './markers.js';

export interface Requirement {
  /** As written. */
  name: string;
  /** As written, de-duplicated and sorted like packaging (by code point). */
  extras: string[];
  specifier: SpecifierSet;
  marker: Marker | undefined;
}

export const HINT_REQUIREMENT =
  'Requirements look like name[extra1,extra2]>=1.0,<2; python_version >= "3.8" (https://peps.python.org/pep-0508/).';

interface ParsedRequirement {
  name: string;
  url: string | undefined;
  extras: string[];
  specifier: string;
  marker: Marker | undefined;
}

/**
 * Parsed requirements by their text. The same Requires-Dist lines repeat in
 * the metadata of every version a resolver reads (a backtracking lock of
 * dask[distributed] reads 171 metadata files, mostly the same ~20 lines), so
 * each text is parsed once. Results are frozen: callers share them. Bounded
 * for long-running processes (pyindex serve reads uploads' metadata).
 */
const parsedRequirements = new Map<string, Requirement>();
const PARSED_LIMIT = 20_000;

/** Parses a PEP 508 requirement; throws `E_INVALID_REQUIREMENT`, or `E_URL_REQUIREMENT` for `name @ url`. */
export function parseRequirement(text: string): Requirement {
  let req = parsedRequirements.get(text);
  if (!req) {
    req = parseRequirementText(text);
    Object.freeze(req.extras);
    Object.freeze(req);
    if (parsedRequirements.size >= PARSED_LIMIT) parsedRequirements.clear();
    parsedRequirements.set(text, req);
  }
  return req;
}

function parseRequirementText(text: string): Requirement {
  let parsed: ParsedRequirement;
  try {
    parsed = parseTokens(new Tokenizer(text));
  } catch (err) {
    if (err instanceof MarkerSyntaxError) throw syntaxErrorToPyindex(err, 'E_INVALID_REQUIREMENT', 'requirement', HINT_REQUIREMENT);
    throw err;
  }
  if (parsed.url !== undefined) {
    throw new PyindexError('E_URL_REQUIREMENT', `${JSON.stringify(text)} is a direct URL requirement (${parsed.name} @ ${parsed.url})`, {
      hint: `pyindex installs only from the package index: publish ${parsed.name} to the index and require it by version, e.g. "${parsed.name}==1.0".`,
      details: { input: text, name: parsed.name, url: parsed.url },
    });
  }
  let specifier: SpecifierSet;
  try {
    specifier = SpecifierSet.parse(parsed.specifier);
  } catch (err) {
    // The token grammar admits only valid specifiers; this guards the two grammars drifting apart.
    throw new PyindexError('E_INVALID_REQUIREMENT', `${JSON.stringify(text)} is not a valid requirement: invalid version specifier ${JSON.stringify(parsed.specifier)}`, {
      hint: HINT_REQUIREMENT,
      cause: err,
      details: { input: text },
    });
  }
  return {
    name: parsed.name,
    extras: [...new Set(parsed.extras)].sort(compareCodePoints),
    specifier,
    marker: parsed.marker,
  };
}

/** `str(packaging.requirements.Requirement(text))`. */
export function requirementToString(req: Requirement): string {
  let out = req.name;
  if (req.extras.length > 0) out += `[${[...new Set(req.extras)].sort(compareCodePoints).join(',')}]`;
  if (!req.specifier.isEmpty) out += req.specifier.toString();
  if (req.marker !== undefined) out += `; ${markerToString(req.marker)}`;
  return out;
}

function compareCodePoints(a: string, b: string): number {
  // Extras are ASCII by grammar, so UTF-16 order equals Python's code point order.
  return a < b ? -1 : a > b ? 1 : 0;
}

/** requirement = WS? IDENTIFIER WS? extras WS? requirement_details END */
function parseTokens(tokenizer: Tokenizer): ParsedRequirement {
  tokenizer.consume('WS');
  const name = tokenizer.expect('IDENTIFIER', 'package name at the start of dependency specifier').text;
  tokenizer.consume('WS');
  const extras = parseExtras(tokenizer);
  tokenizer.consume('WS');
  const details = parseDetails(tokenizer);
  tokenizer.expect('END', 'end of dependency specifier');
  return { name, extras, ...details };
}

/**
 * requirement_details = AT URL (WS requirement_marker?)?
 *                     | specifier WS? requirement_marker?
 */
function parseDetails(tokenizer: Tokenizer): Pick<ParsedRequirement, 'url' | 'specifier' | 'marker'> {
  if (tokenizer.check('AT')) {
    tokenizer.read();
    tokenizer.consume('WS');
    const urlStart = tokenizer.position;
    const url = tokenizer.expect('URL', 'URL after @').text;
    if (tokenizer.check('END', true)) return { url, specifier: '', marker: undefined };
    tokenizer.expect('WS', 'whitespace after URL');
    if (tokenizer.check('END', true)) return { url, specifier: '', marker: undefined };
    return { url, specifier: '', marker: parseRequirementMarker(tokenizer, urlStart, 'URL and whitespace') };
  }
  const specifierStart = tokenizer.position;
  const specifier = parseSpecifier(tokenizer);
  tokenizer.consume('WS');
  if (tokenizer.check('END', true)) return { url: undefined, specifier, marker: undefined };
  const after = specifier ? 'version specifier' : 'name and no valid version specifier';
  return { url: undefined, specifier, marker: parseRequirementMarker(tokenizer, specifierStart, after) };
}

/** requirement_marker = SEMICOLON marker WS? */
function parseRequirementMarker(tokenizer: Tokenizer, spanStart: number, after: string): Marker {
  if (!tokenizer.check('SEMICOLON')) tokenizer.raise(`Expected end or semicolon (after ${after})`, spanStart);
  tokenizer.read();
  const marker = parseMarkerExpression(tokenizer);
  tokenizer.consume('WS');
  return normalizeFirstExtra(marker);
}

/** extras = ('[' WS? extras_list? WS? ']')? */
function parseExtras(tokenizer: Tokenizer): string[] {
  if (!tokenizer.check('LEFT_BRACKET', true)) return [];
  return tokenizer.enclosed('LEFT_BRACKET', 'RIGHT_BRACKET', 'extras', () => {
    tokenizer.consume('WS');
    const extras = parseExtrasList(tokenizer);
    tokenizer.consume('WS');
    return extras;
  });
}

/** extras_list = IDENTIFIER (WS? ',' WS? IDENTIFIER)* */
function parseExtrasList(tokenizer: Tokenizer): string[] {
  const extras: string[] = [];
  if (!tokenizer.check('IDENTIFIER')) return extras;
  extras.push(tokenizer.read().text);
  for (;;) {
    tokenizer.consume('WS');
    if (tokenizer.check('IDENTIFIER', true)) tokenizer.raise('Expected comma between extra names');
    if (!tokenizer.check('COMMA')) break;
    tokenizer.read();
    tokenizer.consume('WS');
    extras.push(tokenizer.expect('IDENTIFIER', 'extra name after comma').text);
  }
  return extras;
}

/** specifier = '(' WS? version_many WS? ')' | WS? version_many WS? */
function parseSpecifier(tokenizer: Tokenizer): string {
  return tokenizer.enclosed('LEFT_PARENTHESIS', 'RIGHT_PARENTHESIS', 'version specifier', () => {
    tokenizer.consume('WS');
    const specifiers = parseVersionMany(tokenizer);
    tokenizer.consume('WS');
    return specifiers;
  });
}

/**
 * version_many = (SPECIFIER (WS? ',' WS? SPECIFIER)*)?
 * Returns the specifier tokens joined by commas, which is the string
 * packaging hands to SpecifierSet (a trailing comma is allowed and ignored).
 */
function parseVersionMany(tokenizer: Tokenizer): string {
  let specifiers = '';
  while (tokenizer.check('SPECIFIER')) {
    const spanStart = tokenizer.position;
    specifiers += tokenizer.read().text;
    if (tokenizer.check('VERSION_PREFIX_TRAIL', true)) {
      tokenizer.raise('.* suffix can only be used with `==` or `!=` operators', spanStart, tokenizer.position + 1);
    }
    if (tokenizer.check('VERSION_LOCAL_LABEL_TRAIL', true)) {
      tokenizer.raise('Local version label can only be used with `==` or `!=` operators', spanStart, tokenizer.position);
    }
    tokenizer.consume('WS');
    if (!tokenizer.check('COMMA')) break;
    specifiers += tokenizer.read().text;
    tokenizer.consume('WS');
  }
  return specifiers;
}
