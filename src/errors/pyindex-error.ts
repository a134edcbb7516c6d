import type { ErrorCode } from './codes.js';

export interface PyindexErrorOptions {
  /** What the user can do about it, in one sentence. */
  hint?: string;
  /** The lower-level error this one wraps. */
  cause?: unknown;
  /** Structured facts (URL, status, file, line …) for `--json` output. */
  details?: Record<string, unknown>;
}

/**
 * The one error type of pyindex (after pnpm's PnpmError): a stable `code`, a
 * message stating the fact and a hint stating the fix. Library code throws it;
 * only the CLI renders it.
 */
export class PyindexError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: PyindexErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PyindexError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }
}

export function isPyindexError(err: unknown, code?: ErrorCode): err is PyindexError {
  return err instanceof PyindexError && (code === undefined || err.code === code);
}
