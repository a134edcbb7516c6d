/**
 * The frame of every page of the web UI, and how pages are sent.
 *
 * Every value that comes from a user, an upload or a request (project and
 * file names, yank reasons, Requires-Python, the search query, the Host
 * header) goes through `escapeHtml` — in text and in attribute values,
 * which are always double-quoted. The Content-Security-Policy is the second
 * line of defence: scripts and styles only from this server's own
 * `/static/` files, nothing inline, no framing, forms only to this origin.
 *
 * Links are relative (`base` is the way back to `/`: '', '../' or
 * '../../'), like the static tree's, so the UI works under a path prefix.
 */
import type { ServerResponse } from 'node:http';
import { escapeHtml } from '../tree/pages.js';

export { escapeHtml };

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
};

export interface PageFrame {
  title: string;
  /** Relative path from this page to `/`. */
  base: string;
  /** Which navigation entry is current. */
  current?: 'projects' | 'upload';
  /** Trusted HTML: built by this module's callers from escaped parts. */
  body: string;
}

export function renderPage(frame: PageFrame): string {
  const { base } = frame;
  const nav = (key: 'projects' | 'upload', href: string, label: string): string => `<a href="${href}"${frame.current === key ? ' aria-current="page"' : ''}>${label}</a>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(frame.title)} · pyindex</title>
<link rel="stylesheet" href="${base}static/pyindex.css">
<script src="${base}static/pyindex.js" defer></script>
</head>
<body>
<header><a class="brand" href="${base === '' ? './' : base}">pyindex</a><nav>${nav('projects', base === '' ? './' : base, 'Projects')} ${nav('upload', `${base}upload/`, 'Upload')} <a href="${base}simple/">Simple API</a></nav></header>
<main>
${frame.body}
</main>
</body>
</html>
`;
}

export function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = Buffer.from(html, 'utf8');
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length, 'Cache-Control': 'no-cache', ...SECURITY_HEADERS, ...headers });
  res.end(body);
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1234 → "1.2 KiB"; exact byte counts go in a title attribute beside it. */
export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit] ?? ''}`;
}

/** ISO 8601 → "2024-05-01 12:34:56 UTC" (the page shows UTC, as the JSON API does). */
export function formatTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1] ?? ''} ${m[2] ?? ''} UTC` : iso;
}

/** The search key of a name: PEP 503 normalization, so "Foo_Bar", "foo.bar" and "foo-bar" all match "foo-b". */
export function searchKey(text: string): string {
  return text.toLowerCase().replace(/[-_.]+/g, '-').trim();
}
