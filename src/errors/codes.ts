/**
 * Every error pyindex raises has a stable code. This table is the one place
 * that maps codes to process exit codes; the CLI and the README both read it.
 *
 * Exit codes: 0 ok · 1 no solution · 2 bad input · 3 index or network
 * failure · 4 integrity (hash/archive) · 5 local environment (Python, filesystem) · 6 lock stale ·
 * 70 internal error.
 */
export const EXIT = {
  OK: 0,
  NO_SOLUTION: 1,
  BAD_INPUT: 2,
  INDEX: 3,
  INTEGRITY: 4,
  ENVIRONMENT: 5,
  LOCK_STALE: 6,
  INTERNAL: 70,
} as const;

export const ERROR_CODES = {
  // 1 — resolution
  E_NO_SOLUTION: { exit: EXIT.NO_SOLUTION, summary: 'no set of versions satisfies the requirements' },

  // 2 — bad input
  E_USAGE: { exit: EXIT.BAD_INPUT, summary: 'bad command-line usage' },
  E_CONFIG_INVALID: { exit: EXIT.BAD_INPUT, summary: 'a configuration or profile file is invalid' },
  E_FILE_NOT_FOUND: { exit: EXIT.BAD_INPUT, summary: 'an input file does not exist' },
  E_INVALID_NAME: { exit: EXIT.BAD_INPUT, summary: 'not a valid project name' },
  E_INVALID_VERSION: { exit: EXIT.BAD_INPUT, summary: 'not a valid PEP 440 version' },
  E_INVALID_SPECIFIER: { exit: EXIT.BAD_INPUT, summary: 'not a valid PEP 440 version specifier' },
  E_INVALID_MARKER: { exit: EXIT.BAD_INPUT, summary: 'not a valid PEP 508 environment marker' },
  E_INVALID_REQUIREMENT: { exit: EXIT.BAD_INPUT, summary: 'not a valid PEP 508 requirement' },
  E_URL_REQUIREMENT: { exit: EXIT.BAD_INPUT, summary: 'direct URL requirements are not supported' },
  E_INVALID_TAG: { exit: EXIT.BAD_INPUT, summary: 'not a valid wheel compatibility tag (PEP 425)' },
  E_INVALID_WHEEL_FILENAME: { exit: EXIT.BAD_INPUT, summary: 'not a valid wheel filename' },
  E_INVALID_SDIST_FILENAME: { exit: EXIT.BAD_INPUT, summary: 'not a valid sdist filename' },
  E_INVALID_METADATA: { exit: EXIT.BAD_INPUT, summary: 'core metadata is malformed' },
  E_UNKNOWN_PROFILE: { exit: EXIT.BAD_INPUT, summary: 'no profile has this name' },
  E_PROFILE_INVALID: { exit: EXIT.BAD_INPUT, summary: 'a target profile is invalid' },
  E_LOCK_INVALID: { exit: EXIT.BAD_INPUT, summary: 'the lockfile is malformed or inconsistent' },
  E_LOCK_MISSING: { exit: EXIT.BAD_INPUT, summary: 'there is no lockfile yet' },
  E_UNKNOWN_JOB: { exit: EXIT.BAD_INPUT, summary: 'no job has this name' },
  E_UPLOAD_INVALID: { exit: EXIT.BAD_INPUT, summary: 'an upload to pyindex serve is malformed or disagrees with its file (HTTP 400)' },
  E_UPLOAD_TOO_LARGE: { exit: EXIT.BAD_INPUT, summary: 'an upload exceeds the server size limit (HTTP 413)' },
  E_AUTH_FAILED: { exit: EXIT.BAD_INPUT, summary: 'the index refused the credentials, or none were given (HTTP 401/429)' },
  E_FORBIDDEN: { exit: EXIT.BAD_INPUT, summary: 'the user may not do this on the index (HTTP 403)' },
  // Nothing on an index is ever overwritten (PyPI's rule): a filename is bound to its first bytes forever.
  E_UPLOAD_CONFLICT: { exit: EXIT.BAD_INPUT, summary: 'a different file with this filename is already on the index (files are never overwritten)' },

  // 3 — index or network
  E_HTTP: { exit: EXIT.INDEX, summary: 'the index answered with an HTTP error' },
  E_NOT_FOUND: { exit: EXIT.INDEX, summary: 'the index has no such page or file' },
  E_NETWORK: { exit: EXIT.INDEX, summary: 'the index could not be reached' },
  E_TIMEOUT: { exit: EXIT.INDEX, summary: 'the index did not answer in time' },
  E_TLS: { exit: EXIT.INDEX, summary: "the index's TLS certificate was not accepted (untrusted issuer, other host name, expired), or the port does not speak TLS" },
  E_INDEX_PAGE_INVALID: { exit: EXIT.INDEX, summary: 'an index page is not valid PEP 503 HTML or PEP 691 JSON' },
  E_OFFLINE_MISS: { exit: EXIT.INDEX, summary: 'offline mode and the cache lacks an entry' },
  E_STATS_INVALID: { exit: EXIT.INDEX, summary: 'a server answered its stats URL with something that is not a pyindex stats document' },
  // A host a wheelhouse is pushed to is a network peer like the index: unreachable, refused, or it
  // failed remote verification; re-running once it is fixed is the remedy, as for exit 3.
  E_PUSH_FAILED: { exit: EXIT.INDEX, summary: 'one or more hosts could not be synchronised or verified (network/remote failure, exit 3 as for the index)' },

  // 4 — integrity
  E_HASH_MISMATCH: { exit: EXIT.INTEGRITY, summary: 'a file does not have the expected hash' },
  E_BAD_ARCHIVE: { exit: EXIT.INTEGRITY, summary: 'a wheel or sdist archive is malformed or unsafe' },

  // 5 — Python environment
  E_PYTHON_NOT_FOUND: { exit: EXIT.ENVIRONMENT, summary: 'no suitable Python interpreter was found' },
  E_PYTHON_FAILED: { exit: EXIT.ENVIRONMENT, summary: 'a Python subprocess failed' },
  E_BUILD_BACKEND: { exit: EXIT.ENVIRONMENT, summary: 'a build backend hook failed' },
  E_WHEELHOUSE_INCOMPLETE: { exit: EXIT.ENVIRONMENT, summary: 'the wheelhouse lacks files the lock names (run pyindex fetch)' },
  E_PIP_FAILED: { exit: EXIT.ENVIRONMENT, summary: 'pip failed while provisioning a venv (its output and exit code are in the details)' },
  E_VENV_BUSY: { exit: EXIT.ENVIRONMENT, summary: 'another provision held the venv lock for too long' },
  E_TREE_BUSY: { exit: EXIT.ENVIRONMENT, summary: 'another process held a package tree lock for too long' },
  E_WRITE_FAILED: { exit: EXIT.ENVIRONMENT, summary: 'an output file could not be written (permissions, disk full, not a file)' },

  // 6 — lock
  E_LOCK_STALE: { exit: EXIT.LOCK_STALE, summary: 'the lockfile does not match the configuration' },

  // 70 — bug
  E_INTERNAL: { exit: EXIT.INTERNAL, summary: 'internal error (a bug in pyindex)' },
} as const satisfies Record<string, { exit: number; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function exitCodeFor(code: ErrorCode): number {
  return ERROR_CODES[code].exit;
}
