/**
 * Wheel compatibility tags.
 * PEP 425: https://peps.python.org/pep-0425/
 * Spec: https://packaging.python.org/en/latest/specifications/platform-compatibility-tags/
 *
 * The generators that produce an interpreter's ordered tag list live in
 * `tags-generators.ts` (CPython/generic/compatible tags) and
 * `tags-platforms.ts` (manylinux, musllinux, macOS, Windows platform tags);
 * they are re-exported here so callers import one module.
 */
import { PyindexError } from '../errors/index.js';

export interface Tag {
  interpreter: string;
  abi: string;
  platform: string;
}

/** `cp311-cp311-manylinux_2_17_x86_64`. */
export function tagToString(t: Tag): string {
  return `${t.interpreter}-${t.abi}-${t.platform}`;
}

function splitTriple(s: string): [string, string, string] {
  const parts = s.split('-');
  const [interpreter, abi, platform] = parts;
  if (parts.length !== 3 || !interpreter || !abi || !platform) {
    throw new PyindexError('E_INVALID_TAG', `${JSON.stringify(s)} is not a wheel tag (expected interpreter-abi-platform)`, {
      hint: 'A tag has exactly three dash-separated parts, e.g. "py3-none-any" or "cp311-cp311-manylinux_2_17_x86_64".',
    });
  }
  return [interpreter, abi, platform];
}

/**
 * Parses ONE tag. Like `packaging.tags.Tag`, the parts are lowercased (tags
 * compare case-insensitively). A compressed tag set (parts joined with `.`,
 * PEP 425 "Compressed Tag Sets") is rejected: use `expandCompressedTagSet`.
 */
export function parseTag(s: string): Tag {
  const [interpreter, abi, platform] = splitTriple(s);
  if (s.includes('.')) {
    throw new PyindexError('E_INVALID_TAG', `${JSON.stringify(s)} is a compressed tag set, not a single tag`, {
      hint: 'Expand it with expandCompressedTagSet() first.',
    });
  }
  return { interpreter: interpreter.toLowerCase(), abi: abi.toLowerCase(), platform: platform.toLowerCase() };
}

/**
 * PEP 425 compressed tag sets: each part may list alternatives joined by `.`,
 * the set is their cartesian product. Order follows `packaging.tags.parse_tag`'s
 * loops (interpreter, then abi, then platform); packaging returns a frozenset,
 * so the order carries no preference — duplicates are dropped.
 * "py2.py3-none-any" -> ["py2-none-any", "py3-none-any"].
 */
export function expandCompressedTagSet(tagSet: string): string[] {
  const [interpreters, abis, platforms] = splitTriple(tagSet);
  const out = new Set<string>();
  for (const interpreter of interpreters.split('.')) {
    for (const abi of abis.split('.')) {
      for (const platform of platforms.split('.')) {
        if (!interpreter || !abi || !platform) {
          throw new PyindexError('E_INVALID_TAG', `${JSON.stringify(tagSet)} has an empty part in its compressed tag set`, {
            hint: 'Alternatives are joined by single dots, e.g. "py2.py3-none-any".',
          });
        }
        out.add(`${interpreter}-${abi}-${platform}`.toLowerCase());
      }
    }
  }
  return [...out];
}

export {
  cpythonAbis,
  cpythonTags,
  genericAbi,
  genericTags,
  compatibleTags,
  interpreterName,
  interpreterVersion,
  macArch,
  platformTags,
  sysTags,
  type ConfigValue,
  type CpythonAbiFacts,
  type InterpreterFacts,
  type PythonVersion,
} from './tags-generators.js';
export {
  linuxPlatforms,
  macPlatforms,
  manylinuxPlatforms,
  musllinuxPlatforms,
  normalizePlatformString,
  parseMajorMinor,
  windowsPlatforms,
  type ElfHeader,
  type LinuxFacts,
} from './tags-platforms.js';
