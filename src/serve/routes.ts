/**
 * The route table of `pyindex serve`. A route says which decoded path it
 * handles and with which methods; the server finds the first match, answers
 * 405 (with Allow) for a known path asked with another method, 404 else.
 * The read routes (read-routes.ts) and the upload/admin routes each export
 * their list; server.ts concatenates them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  /** Path segments after the leading "/", percent-decoded; a trailing "/" gives a final "". */
  segments: string[];
  /** The query string (`?format=…`), without "?"; kept on redirects. */
  search: URLSearchParams;
  /** The raw query string with its "?", or "". */
  rawSearch: string;
}

export interface Route {
  name: string;
  methods: readonly string[];
  /** Reads are gated by `--read-auth` when it is on. */
  read: boolean;
  matches(segments: readonly string[]): boolean;
  handle(r: RouteRequest): Promise<void> | void;
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string | number> = {}): void {
  const body = Buffer.from(text.endsWith('\n') ? text : `${text}\n`, 'utf8');
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length, ...headers });
  res.end(body);
}
