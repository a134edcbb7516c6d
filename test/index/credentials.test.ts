/**
 * Index credentials (src/index/credentials.ts): userinfo split off a URL and
 * kept for its origin only; netrc(5) by host with `default`, comments and
 * macdef blocks; the URL's own credentials before netrc's.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { authorizationFor, forgetCredentials, parseNetrc, takeCredentials } from '../../src/index/credentials.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

t.afterEach(() => forgetCredentials());

t.test('userinfo is taken off the URL and sent to that origin only', async (t) => {
  const env = { NETRC: '/nonexistent/netrc' };
  t.equal(takeCredentials('https://al%40ice:p%3Ass@Index.Example:8443/simple/?x=1'), 'https://Index.Example:8443/simple/?x=1', 'the rest of the URL kept as written');
  t.equal(authorizationFor(new URL('https://index.example:8443/files/a.whl'), env), basic('al@ice', 'p:ss'), 'percent-decoded, same origin');
  t.equal(authorizationFor(new URL('http://index.example:8443/files/a.whl'), env), undefined, 'not over another scheme');
  t.equal(authorizationFor(new URL('https://index.example/files/a.whl'), env), undefined, 'not to another port');
  t.equal(authorizationFor(new URL('https://cdn.example:8443/a.whl'), env), undefined, 'not to another host');
  t.equal(takeCredentials('http://plain.example/simple/'), 'http://plain.example/simple/');
  t.equal(takeCredentials('/srv/pypi'), '/srv/pypi', 'paths untouched');
  t.equal(takeCredentials('file:///srv/pypi'), 'file:///srv/pypi');
});

t.test('netrc: machines by host, default, comments, macdef, first entry wins', async (t) => {
  const parsed = parseNetrc('# build machines\nmachine Index.Example login u1 password p1\nmachine index.example login u2 password p2\n\nmacdef init\nmachine evil login x password y\n\nmachine other account a login u3 password p3\ndefault login anon password anon-pw\n');
  t.same(parsed.machines.get('index.example'), { login: 'u1', password: 'p1' }, 'case-insensitive host, first entry');
  t.notOk(parsed.machines.has('evil'), 'lines of a macdef are not entries');
  t.same(parsed.machines.get('other'), { login: 'u3', password: 'p3' }, 'account skipped');
  t.same(parsed.fallback, { login: 'anon', password: 'anon-pw' });

  const dir = t.testdir({});
  const file = join(dir, 'netrc');
  writeFileSync(file, 'machine index.example login u1 password p1\n');
  const env = { NETRC: file };
  t.equal(authorizationFor(new URL('http://index.example/simple/'), env), basic('u1', 'p1'));
  t.equal(authorizationFor(new URL('http://elsewhere.example/simple/'), env), undefined, 'no default: nothing for other hosts');
  takeCredentials('http://url-user:url-pw@index.example/simple/');
  t.equal(authorizationFor(new URL('http://index.example/simple/'), env), basic('url-user', 'url-pw'), "the URL's own credentials first");
  t.equal(authorizationFor(new URL('http://index.example/simple/'), { NETRC: join(dir, 'missing') }), basic('url-user', 'url-pw'));
  forgetCredentials();
  t.equal(authorizationFor(new URL('http://index.example/simple/'), { NETRC: join(dir, 'missing') }), undefined, 'no netrc file: no credentials');
});
