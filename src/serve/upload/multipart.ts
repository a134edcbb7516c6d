/**
 * A streaming `multipart/form-data` parser (RFC 7578 over RFC 2046 §5.1).
 *
 * Uploads can be hundreds of megabytes, so the body is never held in
 * memory: `write(chunk)` returns the events the chunk completes (a part
 * began, part data, a part ended) and keeps back only the few bytes that
 * could be the start of a delimiter split across chunks. Every limit is
 * enforced as bytes arrive (header block size, number of parts), so a
 * hostile body costs bounded memory.
 *
 * The body is read as `CRLF "--" boundary` delimiters: a virtual CRLF is
 * put in front of the stream so the first boundary (which RFC 2046 lets
 * start the body) needs no special case. Preamble and epilogue are ignored.
 */
import { PyindexError } from '../../errors/index.js';

export interface PartHeaders {
  /** Content-Disposition `name`. */
  name: string;
  /** Content-Disposition `filename` (or RFC 5987 `filename*`), exactly as sent; undefined for plain fields. */
  filename: string | undefined;
  contentType: string | undefined;
}

export type MultipartEvent = { type: 'part'; headers: PartHeaders } | { type: 'data'; data: Buffer } | { type: 'end' };

export interface MultipartLimits {
  /** Bytes of one part's header block. Default 16 KiB. */
  maxHeaderBytes?: number;
  /** Number of parts. Default 1000. */
  maxParts?: number;
}

export function malformed(what: string): PyindexError {
  return new PyindexError('E_UPLOAD_INVALID', `malformed multipart/form-data body: ${what}`, {
    hint: 'Upload with twine, or any client that sends RFC 7578 multipart/form-data.',
  });
}

/** The boundary parameter of a `multipart/form-data` Content-Type, or undefined when it is another type. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const [type, ...params] = splitParams(contentType);
  if (type?.trim().toLowerCase() !== 'multipart/form-data') return undefined;
  const boundary = params.map(parseParam).find((p) => p?.key === 'boundary')?.value;
  // RFC 2046 §5.1.1: 1 to 70 characters.
  if (boundary === undefined || boundary.length === 0 || boundary.length > 70) throw malformed('the Content-Type has no usable boundary parameter');
  return boundary;
}

/** Splits a header value at `;` outside quoted strings. */
function splitParams(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    if (ch === ';' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * `key=value` or `key="value"`. Quoted values are taken verbatim up to the
 * closing quote: browsers and urllib3 (under requests and twine) follow the
 * WHATWG form encoding, which percent-encodes `"` and CR/LF and does NOT
 * backslash-escape, so treating `\` as an escape would silently drop the
 * backslash of `..\x.whl` and hide it from the filename checks.
 */
function parseParam(raw: string): { key: string; value: string } | undefined {
  const eq = raw.indexOf('=');
  if (eq === -1) return undefined;
  const key = raw.slice(0, eq).trim().toLowerCase();
  let value = raw.slice(eq + 1).trim();
  if (value.startsWith('"')) {
    if (value.length < 2 || !value.endsWith('"')) throw malformed(`unterminated quoted parameter ${JSON.stringify(key)}`);
    value = value.slice(1, -1);
  }
  return { key, value };
}

/** RFC 5987 `UTF-8''percent-encoded`. */
function decodeExtValue(value: string): string {
  const m = /^utf-8'[^']*'(.*)$/i.exec(value);
  if (m === null) throw malformed(`unsupported filename* encoding in ${JSON.stringify(value)}`);
  try {
    return decodeURIComponent(m[1] as string);
  } catch {
    throw malformed(`bad percent-encoding in filename* ${JSON.stringify(value)}`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseHeaderBlock(block: Buffer): PartHeaders {
  let text: string;
  try {
    text = utf8.decode(block);
  } catch {
    throw malformed('part headers are not UTF-8');
  }
  let disposition: string | undefined;
  let contentType: string | undefined;
  for (const line of text.split('\r\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed(`bad part header line ${JSON.stringify(line.slice(0, 100))}`);
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-disposition') disposition = value;
    else if (key === 'content-type') contentType = value;
  }
  if (disposition === undefined) throw malformed('a part has no Content-Disposition header');
  const [kind, ...rawParams] = splitParams(disposition);
  if (kind?.trim().toLowerCase() !== 'form-data') throw malformed(`a part's Content-Disposition is ${JSON.stringify(kind)}, not form-data`);
  const params = new Map<string, string>();
  for (const raw of rawParams) {
    const p = parseParam(raw);
    if (p !== undefined) params.set(p.key, p.value);
  }
  const name = params.get('name');
  if (name === undefined) throw malformed('a part has no name parameter');
  const ext = params.get('filename*');
  const filename = ext !== undefined ? decodeExtValue(ext) : params.get('filename');
  return { name, filename, contentType };
}

type State = 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done';

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

export class MultipartParser {
  private readonly delimiter: Buffer;
  private readonly maxHeaderBytes: number;
  private readonly maxParts: number;
  private state: State = 'preamble';
  private pending: Buffer = CRLF;
  private parts = 0;

  constructor(boundary: string, limits: MultipartLimits = {}) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
    this.maxHeaderBytes = limits.maxHeaderBytes ?? 16 * 1024;
    this.maxParts = limits.maxParts ?? 1000;
  }

  get finished(): boolean {
    return this.state === 'done';
  }

  write(chunk: Buffer): MultipartEvent[] {
    if (this.state === 'done') return [];
    const events: MultipartEvent[] = [];
    let buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      if (this.state === 'preamble') {
        const at = buf.indexOf(this.delimiter);
        if (at === -1) {
          buf = buf.subarray(Math.max(0, buf.length - this.delimiter.length + 1));
          break;
        }
        buf = buf.subarray(at + this.delimiter.length);
        this.state = 'after-delimiter';
      } else if (this.state === 'after-delimiter') {
        // "--" closes the body; otherwise optional transport padding, then CRLF.
        if (buf.length < 2) break;
        if (buf[0] === 0x2d && buf[1] === 0x2d) {
          this.state = 'done';
          buf = Buffer.alloc(0);
          break;
        }
        const eol = buf.indexOf(CRLF);
        if (eol === -1) {
          if (buf.length > 256) throw malformed('garbage after a boundary');
          break;
        }
        if (!/^[ \t]*$/.test(buf.subarray(0, eol).toString('latin1'))) throw malformed('garbage after a boundary');
        buf = buf.subarray(eol + 2);
        this.state = 'headers';
      } else if (this.state === 'headers') {
        // A part with no headers at all starts directly with the blank line.
        if (buf.length >= 2 && buf[0] === 0x0d && buf[1] === 0x0a) throw malformed('a part has no headers');
        const end = buf.indexOf(HEADER_END);
        if (end === -1) {
          if (buf.length > this.maxHeaderBytes) throw malformed(`a part's headers exceed ${this.maxHeaderBytes} bytes`);
          break;
        }
        if (end > this.maxHeaderBytes) throw malformed(`a part's headers exceed ${this.maxHeaderBytes} bytes`);
        if (++this.parts > this.maxParts) throw malformed(`more than ${this.maxParts} parts`);
        events.push({ type: 'part', headers: parseHeaderBlock(buf.subarray(0, end)) });
        buf = buf.subarray(end + HEADER_END.length);
        this.state = 'body';
      } else if (this.state === 'body') {
        const at = buf.indexOf(this.delimiter);
        if (at === -1) {
          // Keep back what could be the first bytes of a delimiter.
          const safe = buf.length - this.delimiter.length + 1;
          if (safe > 0) {
            events.push({ type: 'data', data: buf.subarray(0, safe) });
            buf = buf.subarray(safe);
          }
          break;
        }
        if (at > 0) events.push({ type: 'data', data: buf.subarray(0, at) });
        events.push({ type: 'end' });
        buf = buf.subarray(at + this.delimiter.length);
        this.state = 'after-delimiter';
      } else break;
    }
    // Copy what is kept: a subarray would pin the whole (possibly large) chunk.
    this.pending = Buffer.from(buf);
    return events;
  }

  /** Throws unless the closing delimiter was seen. */
  end(): void {
    if (this.state !== 'done') throw malformed(this.parts === 0 ? 'no parts (is the body empty or the boundary wrong?)' : 'the body ends before the closing boundary');
  }
}
