/**
 * pip-style requirements files (https://pip.pypa.io/en/stable/reference/requirements-file-format/),
 * the subset a lock can honour: requirement lines, `-r` includes and `-c`
 * constraints files, comments, blank lines and `\` continuations. Everything
 * else pip accepts there (editables, URLs and paths, index options, per-line
 * `--hash`) would either bypass the index or is the config's job; each is an
 * error naming FILE:LINE rather than being silently ignored.
 *
 * Line handling follows pip's `req_file.py` (join_lines, ignore_comments,
 * break_args_options) so a file pip reads reads the same here.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PyindexError, isPyindexError, type ErrorCode } from '../errors/index.js';
import { parseRequirement, type Requirement } from '../pep/requirement.js';

export interface RequirementLine {
  requirement: Requirement;
  /** The requirement as written (continuations joined, comment and per-line whitespace removed). */
  text: string;
  /** Absolute path of the file it is in. */
  file: string;
  /** 1-based line where it starts. */
  line: number;
}

export interface RequirementsFile {
  requirements: RequirementLine[];
  /** Lines of `-c` files: they restrict versions of packages something else requires, and add none. */
  constraints: RequirementLine[];
  /** Every file read, absolute, in reading order. */
  files: string[];
}

/** Where a requirements file is named (the config key, or an including file's `-r`/`-c` line). */
export interface FileReference {
  /** `file:line`. */
  where: string;
  /** Key path in the config (`jobs.talos.requires-file`), when named there. */
  path?: string;
}

type Kind = 'requirements' | 'constraints';

/** pip's COMMENT_RE: `#` at line start or after whitespace starts a comment. */
const COMMENT = /(^|\s+)#.*$/;

/** Logical lines: pip's join_lines then ignore_comments. */
export function logicalLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let pending: string[] = [];
  let start = 0;
  const emit = (line: number, raw: string): void => {
    const stripped = raw.replace(COMMENT, '').trim();
    if (stripped) out.push({ line, text: stripped });
  };
  const physical = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  physical.forEach((raw, i) => {
    // A whole-line comment ending in "\" is not a continuation (pip: `COMMENT_RE.match`, anchored at the start).
    const wholeComment = /^\s*#/.test(raw);
    if (!raw.endsWith('\\') || wholeComment) {
      // pip prefixes a space so the comment still starts after whitespace once joined.
      const piece = wholeComment ? ` ${raw}` : raw;
      if (pending.length) {
        emit(start, pending.join('') + piece);
        pending = [];
      } else {
        emit(i + 1, piece);
      }
    } else {
      if (!pending.length) start = i + 1;
      pending.push(raw.replace(/^\\+|\\+$/g, '')); // pip: line.strip("\\")
    }
  });
  if (pending.length) emit(start, pending.join(''));
  return out;
}

function lineError(code: ErrorCode, file: string, line: number, text: string, hint: string, details: Record<string, unknown> = {}): PyindexError {
  return new PyindexError(code, `${file}:${line}: ${text}`, { hint, details: { file, line, ...details } });
}

const INDEX_HINT = 'Set the index in pyindex.yaml ("index:"); a requirements file cannot change it for a lock.';
const HASH_HINT = 'Remove it: the lock records the sha256 of every file it selects, and installs verify them.';

/** pip options that make sense for pip but not in a lock input, with what to do instead. */
const UNSUPPORTED: Record<string, string> = {
  '-e': 'Editable installs are local checkouts, not index packages: require the published package by version instead.',
  '--editable': 'Editable installs are local checkouts, not index packages: require the published package by version instead.',
  '-i': INDEX_HINT,
  '--index-url': INDEX_HINT,
  '--extra-index-url': INDEX_HINT,
  '--no-index': INDEX_HINT,
  '-f': INDEX_HINT,
  '--find-links': INDEX_HINT,
  '--trusted-host': INDEX_HINT,
  '--pre': 'Use options.prereleases in pyindex.yaml (allow / disallow / if-necessary-or-explicit).',
  '--only-binary': 'Use options.only-binary in pyindex.yaml.',
  '--no-binary': 'Use options.no-binary in pyindex.yaml.',
  '--prefer-binary': 'Use options.only-binary in pyindex.yaml to rule sdists out.',
  '--require-hashes': HASH_HINT,
  '--hash': HASH_HINT,
  '--use-feature': 'pip feature flags do not apply to pyindex; remove the line.',
  '--config-settings': 'Build settings are not supported; remove them.',
  '--global-option': 'Build settings are not supported; remove them.',
};

const SUPPORTED = '-r/--requirement FILE and -c/--constraint FILE';

/** `-r file`, `-rfile`, `--requirement file`, `--requirement=file` (and the -c forms); `used` counts tokens. */
function includeOf(tokens: string[]): { kind: Kind; target: string | undefined; used: number } | undefined {
  const first = tokens[0] ?? '';
  for (const [kind, short, long] of [['requirements', '-r', '--requirement'], ['constraints', '-c', '--constraint']] as const) {
    if (first === short || first === long) return { kind, target: tokens[1], used: 2 };
    if (first.startsWith(`${long}=`)) return { kind, target: first.slice(long.length + 1) || undefined, used: 1 };
    if (first.startsWith(short) && !first.startsWith('--')) return { kind, target: first.slice(short.length), used: 1 };
  }
  return undefined;
}

/** `--index-url=x` -> `--index-url`, `-ehttp://…` -> `-e`. */
function optionName(token: string): string {
  return token.startsWith('--') ? (token.split('=')[0] ?? token) : token.slice(0, 2);
}

/** pip's break_args_options: the requirement ends at the first space-separated token starting with "-". */
function splitLineOptions(text: string): { requirement: string; options: string } {
  const tokens = text.split(' ');
  const at = tokens.findIndex((tok) => tok.startsWith('-'));
  if (at < 0) return { requirement: text, options: '' };
  return { requirement: tokens.slice(0, at).join(' ').trim(), options: tokens.slice(at).join(' ') };
}

/** Requirement forms pip takes that name a URL or a local path instead of an index package. */
function directReference(text: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /^(git|hg|svn|bzr)\+/i.test(text) || /^file:/i.test(text)) return 'a URL';
  const head = text.split(/[;@[<>=!~( ]/)[0] ?? '';
  if (/^[.~]/.test(head) || /[/\\]/.test(head)) return 'a local path';
  if (/\.(whl|zip|tar\.gz|tgz|tar\.bz2|tar\.xz|tar)$/i.test(head)) return 'an archive file';
  return undefined;
}

function parseLine(text: string, file: string, line: number, kind: Kind): RequirementLine {
  const { requirement, options } = splitLineOptions(text);
  if (options) {
    const option = optionName(options.split(/\s/)[0] ?? options);
    throw lineError('E_CONFIG_INVALID', file, line, `per-requirement option ${JSON.stringify(option)} is not supported (in ${JSON.stringify(text)})`, UNSUPPORTED[option] ?? 'Remove the option; only the requirement itself is used.', { option });
  }
  if (requirement.includes('${')) {
    throw lineError('E_CONFIG_INVALID', file, line, `environment variables are not expanded (in ${JSON.stringify(text)})`, 'Write the requirement out: a lock must not depend on the environment it is made in.');
  }
  const direct = directReference(requirement);
  if (direct) {
    throw lineError('E_URL_REQUIREMENT', file, line, `${JSON.stringify(requirement)} is ${direct}, not a requirement on an index package`, 'pyindex installs only from the package index: publish the package there and require it by name and version, e.g. "name==1.0".', { input: requirement });
  }
  let parsed: Requirement;
  try {
    parsed = parseRequirement(requirement);
  } catch (err) {
    if (!isPyindexError(err)) throw err;
    throw new PyindexError(err.code, `${file}:${line}: ${err.message}`, { hint: err.hint, cause: err, details: { ...err.details, file, line } });
  }
  if (kind === 'constraints' && parsed.extras.length > 0) {
    // pip (new resolver) refuses these too: a constraint restricts versions, it cannot enable extras.
    throw lineError('E_CONFIG_INVALID', file, line, `constraint ${JSON.stringify(requirement)} has extras`, `Constraints restrict versions only: write ${JSON.stringify(parsed.name + requirement.slice(requirement.indexOf(']') + 1))}, and require the extra in the requirements.`);
  }
  return { requirement: parsed, text: requirement, file, line };
}

function readText(file: string, from: FileReference | undefined): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code;
    const at = from ? `${from.where}: ` : '';
    const suffix = from?.path ? ` (at ${from.path})` : '';
    throw new PyindexError('E_FILE_NOT_FOUND', `${at}requirements file ${file} ${errno === 'ENOENT' ? 'does not exist' : `cannot be read (${errno ?? String(err)})`}${suffix}`, {
      hint: 'Check the path: it is relative to the file that names it.',
      cause: err,
      details: { file, referencedFrom: from?.where, path: from?.path },
    });
  }
}

/**
 * Reads `file` and what it includes. `-r` lines add requirements and `-c`
 * lines constraints, whatever file they appear in (as pip does); nested
 * paths are relative to the including file. A file already read for the same
 * purpose is skipped, so include cycles and diamonds are harmless.
 */
export function readRequirementsFile(file: string, from?: FileReference): RequirementsFile {
  const out: RequirementsFile = { requirements: [], constraints: [], files: [] };
  const seen = new Set<string>();
  const visit = (path: string, kind: Kind, ref: FileReference | undefined): void => {
    const text = readText(path, ref);
    const key = `${kind}:${realpathSync(path)}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.files.push(path);
    for (const { line, text: logical } of logicalLines(text)) {
      if (!logical.startsWith('-')) {
        out[kind].push(parseLine(logical, path, line, kind));
        continue;
      }
      const tokens = logical.split(/\s+/);
      const include = includeOf(tokens);
      if (include) {
        if (!include.target) throw lineError('E_CONFIG_INVALID', path, line, `${JSON.stringify(tokens[0])} needs a file name`, `Write e.g. "${tokens[0]?.startsWith('-c') || tokens[0]?.startsWith('--c') ? '-c constraints.txt' : '-r base.txt'}".`);
        if (tokens.length > include.used) throw lineError('E_CONFIG_INVALID', path, line, `unexpected text after ${JSON.stringify(tokens.slice(0, include.used).join(' '))}`, 'Put one option per line.');
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(include.target)) {
          throw lineError('E_CONFIG_INVALID', path, line, `${JSON.stringify(include.target)} is a URL; only local requirements files can be included`, 'Download the file next to the config, or copy its lines in.');
        }
        visit(resolve(dirname(path), include.target), include.kind, { where: `${path}:${line}` });
        continue;
      }
      const option = optionName(tokens[0] ?? logical);
      const hint = UNSUPPORTED[option];
      throw lineError(
        'E_CONFIG_INVALID',
        path,
        line,
        hint ? `option ${JSON.stringify(option)} is not supported in requirements files read by pyindex (only ${SUPPORTED})` : `unknown option ${JSON.stringify(option)} (pyindex reads ${SUPPORTED})`,
        hint ?? 'Remove the line.',
        { option },
      );
    }
  };
  visit(file, 'requirements', from);
  return out;
}
