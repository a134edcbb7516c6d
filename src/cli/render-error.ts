/**
 * The one place errors become text and exit codes (after pnpm's reporter).
 */
import { ERROR_CODES, PyindexError, exitCodeFor } from '../errors/index.js';

export interface RenderedError {
  exitCode: number;
  text: string;
  json: { error: { code: string; message: string; hint?: string; exitCode: number; details?: Record<string, unknown> } };
}

export function renderError(err: unknown, debug = false): RenderedError {
  const e =
    err instanceof PyindexError
      ? err
      : new PyindexError('E_INTERNAL', err instanceof Error ? err.message : String(err), {
          hint: 'This is a bug in pyindex; please report it with the command you ran (set PYINDEX_DEBUG=1 for a stack trace).',
          cause: err,
        });
  const exitCode = exitCodeFor(e.code);
  const lines = [`error ${e.code}: ${e.message}`];
  if (e.hint) lines.push(`  hint: ${e.hint}`);
  if (debug) {
    const stack = e.cause instanceof Error ? e.cause.stack : e.stack;
    if (stack) lines.push(stack);
  }
  const details = Object.keys(e.details).length ? e.details : undefined;
  return {
    exitCode,
    text: lines.join('\n'),
    json: { error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}), exitCode, ...(details ? { details } : {}) } },
  };
}

/** The exit-code table as the README documents it. */
export function exitCodeTable(): { code: string; exit: number; summary: string }[] {
  return Object.entries(ERROR_CODES)
    .map(([code, v]) => ({ code, exit: v.exit as number, summary: v.summary as string }))
    .sort((a, b) => a.exit - b.exit || a.code.localeCompare(b.code));
}
