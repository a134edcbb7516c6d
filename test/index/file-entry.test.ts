/**
 * linkResolver (the per-page URL resolution fast path) against WHATWG URL
 * parsing itself: for generated links of every shape — plain filenames,
 * dot segments, escapes, queries, fragments, absolute and scheme-relative
 * URLs, odd characters — the result must be exactly `new URL(href, base)`
 * without its fragment.
 */
import t from 'tap';
import { linkResolver } from '../../src/index/file-entry.js';
import { prng } from '../helpers/pep440-corpus.js';

const BASES = ['http://127.0.0.1:8080/simple/pkg/', 'https://idx.example/simple/pkg/?format=json', 'http://h/simple/pkg', 'file:///srv/index/simple/pkg/index.html', 'https://h:8443/a/b/c/'];
const PIECES = ['..', '.', '', 'files', 'pkg-1.0-py3-none-any.whl', 'a%20b.whl', 'a b.whl', '%zz.whl', 'x?y=1', 'x#sha256=ab', 'é.whl', 'a:b.whl', 'C:', '\\\\w', '~u', 'a+b!c.tar.gz', '...', '.whl', '%2e%2e', 'https:', '', 'h', 'q;p=1'];

function expected(href: string, base: string): string {
  const u = new URL(href, base);
  u.hash = '';
  return u.href;
}

function actual(resolve: (h: string) => URL | string, href: string): string {
  const r = resolve(href);
  if (typeof r === 'string') return r;
  r.hash = '';
  return r.href;
}

t.test('linkResolver equals new URL(href, base) without the fragment', async (t) => {
  const rand = prng(7);
  const fixed = ['pkg-1.0.whl', '../../files/pkg-1.0.whl', '../../files/pkg-1.0.whl#sha256=00', './x.whl', 'sub/x.whl', '/abs/x.whl', '//other.host/p/x.whl', 'https://files.example/p/ab/x.whl', 'https://files.example', '../../files/', '..', '.', ''];
  const hrefs = [...fixed];
  for (let i = 0; i < 5000; i++) {
    const n = 1 + Math.floor(rand() * 4);
    hrefs.push(Array.from({ length: n }, () => PIECES[Math.floor(rand() * PIECES.length)]!).join('/'));
  }
  let compared = 0;
  const mismatches: string[] = [];
  for (const base of BASES) {
    const resolve = linkResolver(base);
    for (const href of hrefs) {
      let want: string | undefined;
      try {
        want = expected(href, base);
      } catch {
        t.throws(() => actual(resolve, href), `${href} on ${base}: both refuse`);
        continue;
      }
      compared++;
      const got = actual(resolve, href);
      if (got !== want) mismatches.push(`${JSON.stringify(href)} on ${base}: ${got} ≠ ${want}`);
    }
  }
  t.same(mismatches, [], `${compared} resolutions equal`);
  t.ok(compared > 20000);
});
