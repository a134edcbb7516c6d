/**
 * Kit for the upload/auth/admin tests of `pyindex serve`: a real server on
 * an ephemeral loopback port with the upload routes mounted, distributions
 * built in code, multipart bodies built by hand (so malformed ones are
 * possible), and a raw HTTP client that reports status line, headers and body.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWheel, type WheelSpec } from '../../src/demo/wheel.js';
import { setUser, type Role } from '../../src/serve/auth/index.js';
import { startServer, type RunningServer } from '../../src/serve/server.js';
import { sweepUploadTemps } from '../../src/serve/upload/sweep.js';
import { uploadServeOptions, type UploadRouteOptions } from '../../src/serve/upload/routes.js';
import { makeTar } from './make-archive.js';

export function tempRoot(prefix = 'pyindex-upload-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface Dist {
  filename: string;
  data: Buffer;
  name: string;
  version: string;
  filetype: 'bdist_wheel' | 'sdist';
}

export function wheel(spec: WheelSpec): Dist {
  const w = buildWheel(spec);
  return { filename: w.filename, data: w.data, name: spec.name, version: spec.version, filetype: 'bdist_wheel' };
}

/** A minimal sdist: `{name}-{version}/PKG-INFO` (+ a setup.py), gzipped tar. */
export async function sdist(name: string, version: string, options: { metadataVersion?: string; pkgInfoName?: string; pkgInfoVersion?: string } = {}): Promise<Dist> {
  const base = `${name.replace(/[-.]+/g, '_').toLowerCase()}-${version}`;
  const pkgInfo = `Metadata-Version: ${options.metadataVersion ?? '2.1'}\nName: ${options.pkgInfoName ?? name}\nVersion: ${options.pkgInfoVersion ?? version}\n`;
  const data = await makeTar([
    { name: `${base}/PKG-INFO`, data: pkgInfo },
    { name: `${base}/setup.py`, data: 'from setuptools import setup\nsetup()\n' },
  ]);
  return { filename: `${base}.tar.gz`, data, name, version, filetype: 'sdist' };
}

export type FormField = [name: string, value: string];

export interface MultipartFile {
  field?: string;
  filename: string;
  data: Buffer;
}

export const BOUNDARY = 'pyindexTestBoundary7MA4YWxkTrZu0gW';

/** A multipart/form-data body the way urllib3 writes it (quoted params, CRLF). */
export function multipart(fields: FormField[], file?: MultipartFile, boundary = BOUNDARY): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`, 'utf8'));
  }
  if (file !== undefined) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'content'}"; filename="${file.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`, 'utf8'));
    parts.push(file.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(parts);
}

/** The fields twine sends for `dist`, digests included; `overrides` replace or (value undefined) drop fields. */
export function uploadFields(dist: Dist, overrides: Record<string, string | undefined> = {}): FormField[] {
  const base: Record<string, string> = {
    ':action': 'file_upload',
    protocol_version: '1',
    name: dist.name,
    version: dist.version,
    filetype: dist.filetype,
    pyversion: dist.filetype === 'sdist' ? 'source' : 'py3',
    metadata_version: '2.1',
    summary: 'test package',
    md5_digest: createHash('md5').update(dist.data).digest('hex'),
    sha256_digest: sha256(dist.data),
    blake2_256_digest: '0'.repeat(64),
  };
  const out: FormField[] = [];
  for (const [k, v] of Object.entries({ ...base, ...overrides })) if (v !== undefined) out.push([k, v]);
  return out;
}

export function uploadBody(dist: Dist, overrides: Record<string, string | undefined> = {}, filename = dist.filename): Buffer {
  return multipart(uploadFields(dist, overrides), { filename, data: dist.data });
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

export interface HttpResult {
  status: number;
  statusMessage: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface PostOptions {
  headers?: Record<string, string>;
  contentType?: string;
  method?: string;
  /** Send these bytes, then keep the request open without ending it (a stalled client). */
  stallAfter?: Buffer;
  /** Send the body chunked (no Content-Length), in pieces of this size. */
  chunked?: number;
  /** Client-side source address (any 127.x.y.z works on Linux loopback), to act as another client. */
  localAddress?: string;
}

/** One request on a fresh connection; resolves with the response (also when the server answered before the body was sent). */
export function httpRequest(url: string, body: Buffer | undefined, options: PostOptions = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...options.headers };
    if (body !== undefined || options.stallAfter !== undefined) headers['Content-Type'] = options.contentType ?? `multipart/form-data; boundary=${BOUNDARY}`;
    if (body !== undefined && options.chunked === undefined) headers['Content-Length'] = body.length;
    const req = request(url, { method: options.method ?? (body !== undefined || options.stallAfter ? 'POST' : 'GET'), headers, agent: false, ...(options.localAddress ? { localAddress: options.localAddress } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    // EPIPE/ECONNRESET after an early answer are expected; a request that never got one fails.
    req.on('error', (err) => setImmediate(() => reject(err)));
    if (options.stallAfter !== undefined) req.write(options.stallAfter);
    else if (body !== undefined && options.chunked !== undefined) {
      for (let at = 0; at < body.length; at += options.chunked) req.write(body.subarray(at, at + options.chunked));
      req.end();
    } else req.end(body);
  });
}

export function postUpload(server: { url: string }, body: Buffer, options: PostOptions = {}): Promise<HttpResult> {
  return httpRequest(server.url, body, options);
}

export interface UploadServer extends RunningServer {
  root: string;
  swept: string[];
}

/** Starts `pyindex serve` on 127.0.0.1:0 over `root` with the upload routes (sweeping dead uploads' temp files first, as the CLI does). */
export async function startUploadServer(root: string, options: UploadRouteOptions = {}): Promise<UploadServer> {
  const swept = await sweepUploadTemps(join(root, '.pyindex', 'tmp'));
  const upload = uploadServeOptions(root, options);
  const server = await startServer({ root, host: '127.0.0.1', port: 0, downloadLog: false, routes: upload.routes, ...(upload.readGate ? { readGate: upload.readGate } : {}) });
  return Object.assign(server, { root, swept });
}

/** Users for the tests: alice and bob upload, root is admin, reader only reads. Passwords are `<name>-pw`. */
export async function addTestUsers(root: string, users: [string, Role][] = [['alice', 'uploader'], ['bob', 'uploader'], ['root', 'admin'], ['reader', 'reader']]): Promise<void> {
  for (const [name, role] of users) await setUser(root, name, `${name}-pw`, role);
}

/**
 * Polls `predicate` until it holds, for effects a server completes on its
 * own schedule (e.g. cleaning up after a client hung up). Fails after
 * `limitMs`; the poll interval is not a timing assumption.
 */
export async function waitUntil(predicate: () => boolean | Promise<boolean>, what: string, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
