/**
 * Reads an upload request body: text fields into memory (bounded), the one
 * `content` file part straight into a temp file under `.pyindex/tmp/`,
 * hashed (sha256, md5) as it streams.
 *
 * Limits are checked while bytes arrive, never after: the body size (413),
 * field sizes and part counts (400), and an idle timeout for clients that
 * stop sending (408). On any failure the temp file is removed before the
 * error propagates, so a refused upload leaves nothing behind; a killed
 * process leaves at most a temp file, which the server removes at start.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { PyindexError, isPyindexError } from '../../errors/index.js';
import { MultipartParser, malformed, multipartBoundary, type MultipartLimits } from './multipart.js';

export interface UploadLimits extends MultipartLimits {
  /** Whole request body. Default 512 MiB. */
  maxBodyBytes?: number;
  /** One text field (e.g. a long description). Default 4 MiB. */
  maxFieldBytes?: number;
  /** All text fields together. Default 16 MiB. */
  maxFieldsBytes?: number;
  /** The client may pause at most this long between chunks. Default 30 s. */
  idleTimeoutMs?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 512 * 1024 * 1024;

export interface UploadedFile {
  /** The filename as the client sent it (unchecked). */
  filename: string;
  /** Temp file holding the bytes; the caller removes it. */
  path: string;
  size: number;
  sha256: string;
  md5: string;
}

export interface UploadForm {
  /** Text fields by name, every value in order (metadata fields may repeat). */
  fields: Map<string, string[]>;
  file: UploadedFile | undefined;
}

/** The name of the form field holding the distribution (legacy upload API). */
export const CONTENT_FIELD = 'content';

/** A PyindexError carrying the HTTP status the server should answer with. */
export function httpError(code: 'E_UPLOAD_INVALID' | 'E_UPLOAD_TOO_LARGE', status: number, message: string, hint?: string): PyindexError {
  return new PyindexError(code, message, { hint, details: { httpStatus: status } });
}

export function tooLarge(limit: number): PyindexError {
  return httpError('E_UPLOAD_TOO_LARGE', 413, `the upload is larger than this server's limit of ${limit} bytes`, 'Ask the index operator to raise --max-upload-size, or upload a smaller file.');
}

/** Temp files of uploads start with the pid, like the tree's, so a start-up sweep can tell whose they are. */
export function uploadTempPath(tmpDir: string): string {
  return join(tmpDir, `${process.pid}-upload-${randomBytes(8).toString('hex')}.part`);
}

interface FilePartSink {
  kind: 'file';
  handle: fsp.FileHandle;
  file: UploadedFile;
  sha256: Hash;
  md5: Hash;
}
interface FieldPartSink {
  kind: 'field';
  name: string;
  chunks: Buffer[];
  bytes: number;
}
interface IgnoredPartSink {
  kind: 'ignored';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Feeds the request body to `onChunk` one chunk at a time (the stream is
 * paused while a chunk is processed, so a slow disk throttles the client),
 * failing with 408 when the client goes quiet for `idleMs`. On failure the
 * listeners are removed and the request is left paused and open, so the
 * caller can still answer and then drain or close the connection.
 */
function pumpBody(req: IncomingMessage, idleMs: number, onChunk: (chunk: Buffer) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    // The chunk being processed: 'end' can arrive while it is (pause() does not hold back 'end').
    let inFlight: Promise<void> = Promise.resolve();
    const cleanup = (): void => {
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      req.pause();
    };
    const fail = (err: unknown): void => {
      if (settled) return;
      cleanup();
      reject(err);
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => fail(httpError('E_UPLOAD_INVALID', 408, `the client sent nothing for ${idleMs} ms; upload abandoned`)), idleMs);
    };
    const onData = (chunk: Buffer): void => {
      req.pause();
      clearTimeout(timer);
      inFlight = onChunk(chunk).then(() => {
        if (settled) return;
        arm();
        req.resume();
      }, fail);
    };
    let ended = false;
    const onEnd = (): void => {
      ended = true;
      clearTimeout(timer);
      void inFlight.then(() => {
        if (settled) return;
        cleanup();
        resolve();
      });
    };
    const onError = (err: Error): void => fail(err);
    // 'close' before 'end': the client hung up mid-body ('close' also follows a normal 'end').
    const onClose = (): void => {
      if (!ended) fail(new Error('the client closed the connection before the body was complete'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
    arm();
    req.resume();
  });
}

export async function readUploadForm(req: IncomingMessage, tmpDir: string, limits: UploadLimits = {}): Promise<UploadForm> {
  const maxBody = limits.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxField = limits.maxFieldBytes ?? 4 * 1024 * 1024;
  const maxFields = limits.maxFieldsBytes ?? 16 * 1024 * 1024;
  const boundary = multipartBoundary(req.headers['content-type']);
  if (boundary === undefined) {
    throw httpError('E_UPLOAD_INVALID', 400, `expected a multipart/form-data body, got Content-Type ${JSON.stringify(req.headers['content-type'] ?? '')}`, 'Upload with twine (the legacy upload API takes multipart/form-data).');
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBody) throw tooLarge(maxBody);

  const parser = new MultipartParser(boundary, limits);
  const form: UploadForm = { fields: new Map(), file: undefined };
  let sink: FilePartSink | FieldPartSink | IgnoredPartSink | undefined;
  let received = 0;
  let fieldBytes = 0;
  let tempPath: string | undefined;
  let handle: fsp.FileHandle | undefined;

  try {
    await pumpBody(req, limits.idleTimeoutMs ?? 30_000, async (chunk) => {
      received += chunk.length;
      if (received > maxBody) throw tooLarge(maxBody);
      for (const event of parser.write(chunk)) {
        if (event.type === 'part') {
          const { name, filename } = event.headers;
          if (name === CONTENT_FIELD) {
            if (filename === undefined) throw httpError('E_UPLOAD_INVALID', 400, 'the "content" part has no filename', 'Send the distribution as a file part named "content" with its filename.');
            if (form.file !== undefined) throw httpError('E_UPLOAD_INVALID', 400, 'more than one "content" part; upload one file per request');
            tempPath = uploadTempPath(tmpDir);
            await fsp.mkdir(tmpDir, { recursive: true });
            handle = await fsp.open(tempPath, 'wx', 0o644);
            form.file = { filename, path: tempPath, size: 0, sha256: '', md5: '' };
            sink = { kind: 'file', handle, file: form.file, sha256: createHash('sha256'), md5: createHash('md5') };
          } else if (filename !== undefined && name !== 'gpg_signature' && name !== 'attestations') {
            throw httpError('E_UPLOAD_INVALID', 400, `unexpected file part ${JSON.stringify(name)}; only "content" carries a file`);
          } else if (filename !== undefined) {
            sink = { kind: 'ignored' };
          } else {
            sink = { kind: 'field', name, chunks: [], bytes: 0 };
          }
        } else if (event.type === 'data') {
          if (sink?.kind === 'file') {
            sink.sha256.update(event.data);
            sink.md5.update(event.data);
            sink.file.size += event.data.length;
            await sink.handle.write(event.data);
          } else if (sink?.kind === 'field') {
            sink.bytes += event.data.length;
            fieldBytes += event.data.length;
            if (sink.bytes > maxField) throw httpError('E_UPLOAD_INVALID', 400, `the field ${JSON.stringify(sink.name)} is larger than ${maxField} bytes`);
            if (fieldBytes > maxFields) throw httpError('E_UPLOAD_INVALID', 400, `the form fields together are larger than ${maxFields} bytes`);
            sink.chunks.push(Buffer.from(event.data));
          }
        } else if (sink?.kind === 'file') {
          sink.file.sha256 = sink.sha256.digest('hex');
          sink.file.md5 = sink.md5.digest('hex');
          // No fsync: this file is scratch; the tree makes its own copy durable.
          await sink.handle.close();
          handle = undefined;
          sink = undefined;
        } else if (sink?.kind === 'field') {
          let value: string;
          try {
            value = utf8.decode(Buffer.concat(sink.chunks));
          } catch {
            throw httpError('E_UPLOAD_INVALID', 400, `the field ${JSON.stringify(sink.name)} is not UTF-8`);
          }
          const list = form.fields.get(sink.name) ?? [];
          list.push(value);
          form.fields.set(sink.name, list);
          sink = undefined;
        } else sink = undefined;
      }
    });
    parser.end();
    return form;
  } catch (err) {
    await handle?.close().catch(() => undefined);
    if (tempPath !== undefined) await fsp.rm(tempPath, { force: true });
    if (isPyindexError(err)) {
      if (err.code === 'E_UPLOAD_INVALID' && err.details.httpStatus === undefined) err.details.httpStatus = 400;
      throw err;
    }
    // The client hung up (ECONNRESET, aborted): nothing to answer, nothing stored.
    throw new PyindexError('E_UPLOAD_INVALID', `the upload was interrupted: ${(err as Error).message}`, { cause: err, details: { httpStatus: 400, aborted: true } });
  }
}

export { malformed };
