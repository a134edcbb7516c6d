/**
 * Refused uploads over real HTTP: malformed multipart, bad or inconsistent
 * fields, digest mismatches, broken archives, path-traversal filenames
 * (400), oversized bodies (413, declared or streamed), stalled clients
 * (408). Each answer carries the reason, and nothing is stored: no file
 * under files/, no project, no temp file left in .pyindex/tmp/.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { makeZip } from '../helpers/make-archive.js';
import { addTestUsers, basic, BOUNDARY, httpRequest, multipart, waitUntil, postUpload, sdist, startUploadServer, tempRoot, uploadBody, uploadFields, wheel, type Dist, type UploadServer } from '../helpers/upload-kit.js';

const root = tempRoot();
const LIMIT = 64 * 1024;
let server: UploadServer;
t.before(async () => {
  await addTestUsers(root, [['alice', 'uploader']]);
  server = await startUploadServer(root, { limits: { maxBodyBytes: LIMIT, idleTimeoutMs: 300 } });
});
t.teardown(async () => {
  await server.close(0);
  rmSync(root, { recursive: true, force: true });
});
const auth = { Authorization: basic('alice', 'alice-pw') };

function assertNothingStored(t: Test, what: string): void {
  t.same(existsSync(join(root, 'files')) ? readdirSync(join(root, 'files')) : [], [], `${what}: nothing under files/`);
  t.same(existsSync(join(root, '.pyindex', 'projects')) ? readdirSync(join(root, '.pyindex', 'projects')) : [], [], `${what}: no project state`);
  t.same(existsSync(join(root, '.pyindex', 'tmp')) ? readdirSync(join(root, '.pyindex', 'tmp')) : [], [], `${what}: no temp file`);
}

const good = wheel({ name: 'victim', version: '1.0' });

t.test('bad fields and inconsistent files: 400 with the reason', async (t) => {
  const otherMeta: Dist = { ...wheel({ name: 'other', version: '1.0' }), name: 'victim', filename: 'victim-1.0-py3-none-any.whl' };
  const noPkgInfo: Dist = { filename: 'victim-1.0.tar.gz', data: await (await import('../helpers/make-archive.js')).makeTar([{ name: 'victim-1.0/setup.py', data: '' }]), name: 'victim', version: '1.0', filetype: 'sdist' };
  const wrongPkgInfo = { ...(await sdist('victim', '1.0', { pkgInfoVersion: '2.0' })) };
  const garbage: Dist = { ...good, data: Buffer.from('this is not a zip file at all') };
  const cases: { what: string; body: Buffer; reason: RegExp }[] = [
    { what: 'no :action', body: uploadBody(good, { ':action': undefined }), reason: /":action" is missing/ },
    { what: 'another action', body: uploadBody(good, { ':action': 'doc_upload' }), reason: /only supports "file_upload"/ },
    { what: 'protocol 2', body: uploadBody(good, { protocol_version: '2' }), reason: /protocol_version/ },
    { what: 'no file part', body: multipart(uploadFields(good)), reason: /no "content" file part/ },
    { what: 'name mismatch', body: uploadBody(good, { name: 'other' }), reason: /"name" is "other"/ },
    { what: 'version mismatch', body: uploadBody(good, { version: '1.1' }), reason: /"version" is "1.1"/ },
    { what: 'invalid version', body: uploadBody(good, { version: 'one' }), reason: /not a valid PEP 440 version/ },
    { what: 'filetype mismatch', body: uploadBody(good, { filetype: 'sdist' }), reason: /"filetype" is sdist/ },
    { what: 'unknown filetype', body: uploadBody(good, { filetype: 'bdist_egg' }), reason: /accepts bdist_wheel and sdist/ },
    { what: 'sha256 mismatch', body: uploadBody(good, { sha256_digest: 'ab'.repeat(32) }), reason: /sha256_digest mismatch/ },
    { what: 'md5 mismatch', body: uploadBody(good, { md5_digest: 'ab'.repeat(16) }), reason: /md5_digest mismatch/ },
    { what: 'md5 without sha256', body: uploadBody(good, { sha256_digest: undefined }), reason: /requires sha256_digest/ },
    { what: 'digest not hex', body: uploadBody(good, { sha256_digest: 'xyz' }), reason: /not a hex digest/ },
    { what: 'field twice', body: multipart([...uploadFields(good), ['name', 'victim']], { filename: good.filename, data: good.data }), reason: /given 2 times/ },
    { what: 'not a zip', body: uploadBody(garbage), reason: /not a valid wheel/ },
    { what: 'metadata names another project', body: uploadBody(otherMeta), reason: /not a valid wheel|metadata inside/ },
    { what: 'sdist without PKG-INFO', body: uploadBody(noPkgInfo), reason: /no PKG-INFO/ },
    { what: 'sdist PKG-INFO with another version', body: uploadBody(wrongPkgInfo), reason: /metadata inside .* names victim 2\.0/ },
    { what: 'sdist as .tar.bz2', body: uploadBody({ ...wrongPkgInfo, filename: 'victim-1.0.tar.bz2' }), reason: /accepted as .tar.gz or .zip only/ },
    { what: 'unexpected file part', body: multipart(uploadFields(good), { field: 'readme', filename: 'x.txt', data: Buffer.from('x') }), reason: /unexpected file part "readme"/ },
  ];
  for (const c of cases) {
    const res = await postUpload(server, c.body, { headers: auth });
    t.equal(res.status, 400, c.what);
    t.match(res.body, c.reason, c.what);
    t.match(res.statusMessage, /^Bad Request: /, `${c.what}: reason in the status line`);
  }
  assertNothingStored(t, 'bad fields');
});

t.test('path-traversal and unsafe filenames: 400 before anything touches the disk', async (t) => {
  const names = ['../victim-1.0-py3-none-any.whl', '/tmp/victim-1.0-py3-none-any.whl', '..\\victim-1.0-py3-none-any.whl', 'victim-1.0-py3-none-any.whl\0.txt', 'sub/victim-1.0-py3-none-any.whl', '.victim-1.0-py3-none-any.whl', '..', 'victim\t-1.0.tar.gz', ''];
  for (const filename of names) {
    const res = await postUpload(server, uploadBody(good, {}, filename), { headers: auth });
    t.equal(res.status, 400, JSON.stringify(filename));
    t.match(res.body, /refusing the filename|not a valid|no filename/, JSON.stringify(filename));
  }
  // The RFC 5987 form decodes to the same refused names.
  const ext = Buffer.concat([
    ...uploadFields(good).map(([k, v]) => Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)),
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="content"; filename*=UTF-8''..%2Fvictim-1.0-py3-none-any.whl\r\n\r\n`),
    good.data,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
  const res = await postUpload(server, ext, { headers: auth });
  t.equal(res.status, 400);
  t.match(res.body, 'path separator');
  assertNothingStored(t, 'traversal');
});

t.test('malformed multipart bodies: 400', async (t) => {
  const full = uploadBody(good);
  const cases: { what: string; body: Buffer; contentType?: string; reason: RegExp }[] = [
    { what: 'not multipart', body: Buffer.from('{"a":1}'), contentType: 'application/json', reason: /expected a multipart\/form-data body/ },
    { what: 'no boundary', body: full, contentType: 'multipart/form-data', reason: /no usable boundary/ },
    { what: 'wrong boundary', body: full, contentType: 'multipart/form-data; boundary=nope', reason: /no parts/ },
    { what: 'truncated', body: full.subarray(0, full.length - 30), reason: /ends before the closing boundary/ },
    { what: 'empty', body: Buffer.alloc(0), reason: /no parts/ },
    { what: 'no Content-Disposition', body: Buffer.from(`--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nx\r\n--${BOUNDARY}--\r\n`), reason: /no Content-Disposition/ },
    { what: 'no name', body: Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--${BOUNDARY}--\r\n`), reason: /no name parameter/ },
    { what: 'garbage after boundary', body: Buffer.from(`--${BOUNDARY}garbage\r\n\r\n--${BOUNDARY}--\r\n`), reason: /garbage after a boundary/ },
    { what: 'huge part header', body: Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${'a'.repeat(20000)}"\r\n\r\nx\r\n--${BOUNDARY}--\r\n`), reason: /headers exceed/ },
    { what: 'unterminated quote', body: Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="abc\r\n\r\nx\r\n--${BOUNDARY}--\r\n`), reason: /unterminated quoted/ },
  ];
  for (const c of cases) {
    const res = await postUpload(server, c.body, { headers: auth, ...(c.contentType ? { contentType: c.contentType } : {}) });
    t.equal(res.status, 400, c.what);
    t.match(res.body, c.reason, c.what);
  }
  assertNothingStored(t, 'malformed');
});

t.test('over the size limit: 413, whether declared by Content-Length or found while streaming', async (t) => {
  const big = wheel({ name: 'victim', version: '1.0' });
  const padded = uploadBody(big, { summary: 'x'.repeat(LIMIT) });
  const declared = await postUpload(server, padded, { headers: auth });
  t.equal(declared.status, 413);
  t.match(declared.body, `limit of ${LIMIT} bytes`);
  const streamed = await postUpload(server, padded, { headers: auth, chunked: 4096 });
  t.equal(streamed.status, 413);
  // A big file part (rather than a big field) is cut off while it streams to the temp file.
  const bigFile = multipart(uploadFields(big), { filename: big.filename, data: Buffer.alloc(LIMIT * 2, 7) });
  t.equal((await postUpload(server, bigFile, { headers: auth, chunked: 8192 })).status, 413);
  // Just under the limit is fine.
  t.ok(uploadBody(big).length < LIMIT);
  assertNothingStored(t, 'oversized');
});

t.test('a client that stops sending mid-body gets 408 and nothing is stored', async (t) => {
  const body = uploadBody(good);
  const res = await httpRequest(server.url, undefined, { headers: auth, stallAfter: body.subarray(0, body.length - 100) });
  t.equal(res.status, 408);
  t.match(res.body, /sent nothing for 300 ms/);
  t.equal(res.headers.connection, 'close');
  assertNothingStored(t, 'stalled');
});

t.test('a client that hangs up mid-body leaves nothing behind, and the server keeps serving', async (t) => {
  const { request } = await import('node:http');
  const body = uploadBody(wheel({ name: 'victim', version: '1.0' }));
  await new Promise<void>((resolve) => {
    const req = request(server.url, { method: 'POST', agent: false, headers: { ...auth, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': body.length } });
    req.on('error', () => resolve());
    req.write(body.subarray(0, body.length - 50), () => setImmediate(() => req.destroy()));
    req.on('close', () => resolve());
  });
  // The server notices the hang-up on its own schedule: wait (bounded) for the temp file to go.
  await waitUntil(() => readdirSync(join(root, '.pyindex', 'tmp')).length === 0, 'the aborted upload\'s temp file is removed');
  const ok = await postUpload(server, uploadBody(wheel({ name: 'survivor', version: '1.0' })), { headers: auth });
  t.equal(ok.status, 200);
  t.notOk(existsSync(join(root, 'files', 'victim')));
  // A zip without a .dist-info directory is no wheel.
  const noDistInfo: Dist = { ...good, data: makeZip([{ name: 'victim/__init__.py', data: '' }]) };
  const res = await postUpload(server, uploadBody(noDistInfo), { headers: auth });
  t.equal(res.status, 400);
  t.match(res.body, /no \.dist-info directory/);
});
