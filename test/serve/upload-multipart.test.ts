/**
 * The streaming multipart parser: the same parts and bytes whatever the
 * chunking (one byte at a time, splits inside delimiters and header ends,
 * delimiter look-alikes in the data), preamble/epilogue ignored, RFC 5987
 * filenames, and the boundary parameter of Content-Type.
 */
import t from 'tap';
import { MultipartParser, multipartBoundary, type MultipartEvent } from '../../src/serve/upload/multipart.js';
import { BOUNDARY, multipart } from '../helpers/upload-kit.js';

interface Part {
  name: string;
  filename: string | undefined;
  data: string;
}

function parse(body: Buffer, splits: (i: number) => number, boundary = BOUNDARY): Part[] {
  const parser = new MultipartParser(boundary);
  const parts: Part[] = [];
  const chunks: Buffer[] = [];
  const apply = (events: MultipartEvent[]) => {
    for (const e of events) {
      if (e.type === 'part') parts.push({ name: e.headers.name, filename: e.headers.filename, data: '' });
      else if (e.type === 'data') chunks.push(Buffer.from(e.data));
      else {
        (parts[parts.length - 1] as Part).data = Buffer.concat(chunks).toString('latin1');
        chunks.length = 0;
      }
    }
  };
  let at = 0;
  for (let i = 0; at < body.length; i++) {
    const size = Math.max(1, splits(i));
    apply(parser.write(body.subarray(at, at + size)));
    at += size;
  }
  parser.end();
  return parts;
}

t.test('any chunking yields the same parts', (t) => {
  // Data that contains near-delimiters: "\r\n--", the boundary without its CRLF, a CR at a chunk end.
  const tricky = Buffer.from(`line\r\n--not-the-boundary\r\n-${BOUNDARY}\r\n--${BOUNDARY.slice(0, 10)}\r`, 'latin1');
  const body = Buffer.concat([Buffer.from('preamble to ignore\r\n'), multipart([['a', '1'], ['empty', ''], ['unicode', 'Grüße ✓']], { filename: 'x-1.0.tar.gz', data: tricky }), Buffer.from('epilogue to ignore')]);
  const expected: Part[] = [
    { name: 'a', filename: undefined, data: '1' },
    { name: 'empty', filename: undefined, data: '' },
    { name: 'unicode', filename: undefined, data: Buffer.from('Grüße ✓').toString('latin1') },
    { name: 'content', filename: 'x-1.0.tar.gz', data: tricky.toString('latin1') },
  ];
  t.same(parse(body, () => body.length), expected, 'one chunk');
  t.same(parse(body, () => 1), expected, 'one byte at a time');
  for (const size of [2, 3, 7, 13, 38, 39, 40, 41, 64, 100]) t.same(parse(body, () => size), expected, `chunks of ${size}`);
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return 1 + (seed % 50);
  };
  for (let run = 0; run < 20; run++) t.same(parse(body, random), expected, `random chunking ${run}`);
  t.end();
});

t.test('header parameters: quoted verbatim (no backslash escapes), RFC 5987 filename*, case-insensitive names', (t) => {
  const body = Buffer.from(
    [
      `--${BOUNDARY}`,
      'content-disposition: FORM-DATA; Name="w"; filename="..\\evil.whl"',
      '',
      'x',
      `--${BOUNDARY}`,
      "Content-Disposition: form-data; name=v; filename*=UTF-8''na%C3%AFve-1.0.tar.gz",
      '',
      'y',
      `--${BOUNDARY}--`,
      '',
    ].join('\r\n'),
  );
  t.same(parse(body, () => 5), [
    { name: 'w', filename: '..\\evil.whl', data: 'x' },
    { name: 'v', filename: 'naïve-1.0.tar.gz', data: 'y' },
  ]);
  t.end();
});

t.test('Content-Type boundary', (t) => {
  t.equal(multipartBoundary('multipart/form-data; boundary=abc'), 'abc');
  t.equal(multipartBoundary('Multipart/Form-Data; charset=utf-8; boundary="a b;c"'), 'a b;c');
  t.equal(multipartBoundary('application/json'), undefined);
  t.equal(multipartBoundary(undefined), undefined);
  t.throws(() => multipartBoundary('multipart/form-data'), { code: 'E_UPLOAD_INVALID' });
  t.throws(() => multipartBoundary(`multipart/form-data; boundary=${'x'.repeat(71)}`), { code: 'E_UPLOAD_INVALID' });
  t.end();
});

t.test('limits: part count and header size fail while streaming', (t) => {
  const many = multipart(Array.from({ length: 5 }, (_, i): [string, string] => [`f${i}`, 'v']));
  const parser = new MultipartParser(BOUNDARY, { maxParts: 4 });
  t.throws(() => parser.write(many), { code: 'E_UPLOAD_INVALID', message: /more than 4 parts/ });
  const endless = new MultipartParser(BOUNDARY, { maxHeaderBytes: 100 });
  endless.write(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="`));
  t.throws(() => endless.write(Buffer.alloc(200, 0x61)), { code: 'E_UPLOAD_INVALID', message: /headers exceed 100 bytes/ });
  t.end();
});
