/**
 * Plain-text answers of the upload and admin routes.
 *
 * twine prints the HTTP reason phrase of a failed upload, not the body, so
 * the reason is put in both, like Warehouse (PyPI) does: `400 Bad Request:
 * <why>` in the status line. Reason phrases must be Latin-1 without
 * control characters (RFC 9112 §4), so the status-line copy is sanitised.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';

/**
 * Answers a request with a status and its reason: text for twine and the
 * CLI (`sendText`), a page for a browser (web/upload-page.ts). `context`
 * names the project concerned, when known, for a page to link to.
 */
export type SendReason = (res: ServerResponse, status: number, reason: string, headers?: Record<string, string>, context?: { project?: string }) => void;

export function sendText(res: ServerResponse, status: number, reason: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const base = STATUS_CODES[status] ?? 'Error';
  const phrase = status >= 400 && reason !== '' ? `${base}: ${reason}` : base;
  res.statusCode = status;
  res.statusMessage = phrase.replace(/[^\x20-\x7e]/g, '?').slice(0, 300);
  const body = `${reason === '' ? base : reason}\n`;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = `${JSON.stringify(value)}\n`;
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}
