/**
 * Wheel filenames.
 * PEP 427 / PEP 491; current spec:
 * https://packaging.python.org/en/latest/specifications/binary-distribution-format/#file-name-convention
 *
 * `{distribution}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}.whl`
 *
 * Behaviour follows `packaging.utils.parse_wheel_filename` (packaging 24.1,
 * the copy pip 24.2 vendors), because pip decides with it which files on an
 * index are wheels: a name we accepted and pip refused (or the reverse) would
 * make a lock that pip cannot install. Deliberate differences, both for
 * inputs no installer can use: an empty distribution name and an empty
 * component in a compressed tag set (`py3.-none-any`) are refused here,
 * packaging 24.1 lets both through.
 */
import { PyindexError, isPyindexError } from '../errors/index.js';
import { canonicalizeName } from './names.js';
import { expandCompressedTagSet } from './tags.js';
import { Version } from './version.js';

export interface WheelFilename {
  filename: string;
  /** The distribution part exactly as in the filename (`Foo.Bar`, `foo_bar`). */
  name: string;
  /** PEP 503 form of {@link name} (`foo-bar`). */
  canonicalName: string;
  version: Version;
  /**
   * The optional build tag, split like packaging: leading digits and the rest
   * (`1abc` → `{ number: 1, tag: 'abc' }`); it only breaks ties between wheels
   * of the same version and tags.
   */
  build: { number: number; tag: string } | undefined;
  /** Expanded `interpreter-abi-platform` tags (lowercased, like packaging.tags.Tag), in file order; shared between wheels of one tag set. */
  tags: readonly string[];
}

const SHAPE = '{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl';
const HINT = `Wheel filenames look like ${SHAPE}, e.g. "requests-2.32.3-py3-none-any.whl" (https://packaging.python.org/en/latest/specifications/binary-distribution-format/).`;

/**
 * PEP 427 escapes runs of non-alphanumerics in the name to `_`, so a dash can
 * never be in it. packaging's check is `re.match(r"^[\w\d._]*$")` with
 * Python's Unicode `\w` (letters, numbers, underscore) plus no `__`.
 */
const NAME_CHARS = /^[\p{L}\p{N}_.]*$/u;
/** packaging: `re.compile(r"(\d+)(.*)")`. */
const BUILD_TAG = /^([0-9]+)(.*)$/s;

function invalid(filename: string, what: string, cause?: unknown): PyindexError {
  return new PyindexError('E_INVALID_WHEEL_FILENAME', `${JSON.stringify(filename)} is not a valid wheel filename: ${what}`, {
    hint: HINT,
    cause,
    details: { filename },
  });
}

export function parseWheelFilename(filename: string): WheelFilename {
  if (!filename.endsWith('.whl')) throw invalid(filename, 'the extension must be ".whl"');
  const stem = filename.slice(0, -4);
  const parts = stem.split('-');
  // Exactly 5 or 6 dash-separated parts; packaging counts dashes the same way.
  if (parts.length !== 5 && parts.length !== 6) {
    throw invalid(filename, `it has ${parts.length} dash-separated parts, a wheel has 5 (or 6 with a build tag)`);
  }
  const [name = '', versionText = ''] = parts;
  if (name === '') throw invalid(filename, 'the distribution name is empty');
  if (name.includes('__') || !NAME_CHARS.test(name)) {
    throw invalid(filename, `the distribution name ${JSON.stringify(name)} may only contain letters, digits, "." and single "_"`);
  }

  const version = Version.tryParse(versionText);
  if (version === undefined) throw invalid(filename, `${JSON.stringify(versionText)} is not a valid PEP 440 version`);

  let build: WheelFilename['build'];
  if (parts.length === 6) {
    const buildText = parts[2] ?? '';
    const m = BUILD_TAG.exec(buildText);
    if (!m) throw invalid(filename, `the build tag ${JSON.stringify(buildText)} must start with a digit`);
    build = { number: Number(m[1]), tag: m[2] ?? '' };
  }

  const tagSet = parts.slice(-3).join('-');
  let tags = expandedTagSets.get(tagSet);
  if (tags === undefined) {
    try {
      tags = expandCompressedTagSet(tagSet);
    } catch (err) {
      if (!isPyindexError(err)) throw err;
      throw invalid(filename, `the tag set ${JSON.stringify(tagSet)} has an empty part`, err);
    }
    if (expandedTagSets.size >= MEMO_LIMIT) expandedTagSets.clear();
    expandedTagSets.set(tagSet, tags);
  }
  let canonicalName = canonicalNames.get(name);
  if (canonicalName === undefined) {
    if (canonicalNames.size >= MEMO_LIMIT) canonicalNames.clear();
    canonicalNames.set(name, (canonicalName = canonicalizeName(name)));
  }
  return { filename, name, canonicalName, version, build, tags };
}

/**
 * A project page lists hundreds of wheels under one name and a handful of
 * tag sets (`py3-none-any`, `cp311-cp311-manylinux_2_17_x86_64…`): both are
 * worked out once. The expanded tag arrays are shared between the results
 * (never mutated), which also lets a profile rank a tag set once
 * (candidates.ts). Bounded, like Version's parse cache.
 */
const MEMO_LIMIT = 4096;
const expandedTagSets = new Map<string, string[]>();
const canonicalNames = new Map<string, string>();

/** True when `filename` parses as a wheel filename. */
export function isWheelFilename(filename: string): boolean {
  try {
    parseWheelFilename(filename);
    return true;
  } catch (err) {
    if (isPyindexError(err, 'E_INVALID_WHEEL_FILENAME')) return false;
    throw err;
  }
}
