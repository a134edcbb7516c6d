/**
 * Credentials for indexes that require them to read (`pyindex serve
 * --read-auth`, devpi, Artifactory …), sent as HTTP Basic (RFC 7617).
 *
 * Where they come from, first found:
 * 1. the index URL's own userinfo, `https://user:pass@host/simple/` (as pip
 *    takes it; in a committed pyindex.yaml it is a secret in git, so the
 *    README recommends 2);
 * 2. the netrc file — `$NETRC`, else `~/.netrc` — by host name, the file pip,
 *    curl and uv read (a buildbot worker gets one from its secrets).
 *
 * A URL with userinfo is split where it enters (config, --from): the URL
 * without it is what every other part sees — the lockfile's URL hints, the
 * cache keys, events and error messages — and the header is remembered for
 * that origin (scheme, host and port) only, so a redirect or a link to
 * another host never carries it.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What a 401/403 from an index asks for. */
export const CREDENTIALS_HINT =
  'The index wants credentials it accepts for reading: put them in ~/.netrc (or the file $NETRC names) as "machine HOST login USER password PASSWORD", or in the index URL as https://USER:PASSWORD@HOST/simple/.';

const byOrigin = new Map<string, string>();

/** An HTTP Basic Authorization value (RFC 7617, UTF-8). */
export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** The Authorization value for a URL's own userinfo (percent-decoded), if it has any. */
export function userinfoAuthorization(url: URL): string | undefined {
  return url.username === '' && url.password === '' ? undefined : basicAuthorization(decode(url.username), decode(url.password));
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * `url` without userinfo; the credentials it carried are remembered for its
 * origin. Anything not an http(s) URL is returned as it is.
 */
export function takeCredentials(url: string): string {
  if (!/^https?:\/\//i.test(url)) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const authorization = userinfoAuthorization(parsed);
  if (authorization === undefined) return url;
  byOrigin.set(parsed.origin, authorization);
  // Cut the userinfo out of the text as written (new URL().href would also normalise the rest).
  return url.replace(/^(https?:\/\/)[^/?#]*@/i, '$1');
}

interface NetrcEntry {
  login: string;
  password: string;
}

let netrc: { file: string; machines: Map<string, NetrcEntry>; fallback: NetrcEntry | undefined } | undefined;

/** The netrc file's entries (parsed once per process and file); none when there is no file. */
function netrcEntries(env: NodeJS.ProcessEnv = process.env): NonNullable<typeof netrc> {
  const file = env.NETRC || join(env.HOME || homedir(), '.netrc');
  if (netrc?.file === file) return netrc;
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // No netrc: nothing to add.
  }
  netrc = { file, ...parseNetrc(text) };
  return netrc;
}

/**
 * netrc(5): whitespace-separated tokens; `machine NAME` or `default` opens an
 * entry, `login`, `password`, `account` fill it, `macdef NAME` runs to the
 * next blank line. The first entry of a machine wins, as in ftp and curl.
 */
export function parseNetrc(text: string): { machines: Map<string, NetrcEntry>; fallback: NetrcEntry | undefined } {
  const machines = new Map<string, NetrcEntry>();
  let fallback: NetrcEntry | undefined;
  const lines = text.split(/\r?\n/);
  const tokens: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const words = (lines[i] ?? '').replace(/^\s*#.*$/, '').split(/\s+/).filter(Boolean);
    if (words[0] === 'macdef') {
      while (i + 1 < lines.length && (lines[i + 1] ?? '').trim() !== '') i++;
      continue;
    }
    tokens.push(...words);
  }
  let current: { name: string | undefined; entry: NetrcEntry } | undefined;
  const close = () => {
    if (!current) return;
    if (current.name === undefined) fallback ??= current.entry;
    else if (!machines.has(current.name)) machines.set(current.name, current.entry);
    current = undefined;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === 'machine') {
      close();
      current = { name: (tokens[++i] ?? '').toLowerCase(), entry: { login: '', password: '' } };
    } else if (token === 'default') {
      close();
      current = { name: undefined, entry: { login: '', password: '' } };
    } else if (current && token === 'login') current.entry.login = tokens[++i] ?? '';
    else if (current && token === 'password') current.entry.password = tokens[++i] ?? '';
    else if (current && token === 'account') i++;
  }
  close();
  return { machines, fallback };
}

/** The Authorization header for a request to `url`, if any credentials apply to it. */
export function authorizationFor(url: URL, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const remembered = byOrigin.get(url.origin);
  if (remembered) return remembered;
  const { machines, fallback } = netrcEntries(env);
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const entry = machines.get(host) ?? fallback;
  return entry && (entry.login !== '' || entry.password !== '') ? basicAuthorization(entry.login, entry.password) : undefined;
}

/** Forgets remembered credentials and the parsed netrc (tests; a long-running process whose config changed). */
export function forgetCredentials(): void {
  byOrigin.clear();
  netrc = undefined;
}
