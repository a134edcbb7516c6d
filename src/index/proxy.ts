/**
 * Which HTTP proxy a request goes through, from the environment variables
 * every HTTP tool on a build machine reads (curl, pip/requests, Go):
 * `https_proxy` for https URLs, `http_proxy` for http ones, `all_proxy` for
 * either, lower case first then upper case; `no_proxy` lists the hosts
 * reached directly. An internal index is usually one of those; a mirror at
 * another site, or an index in the cloud, may be reachable only through the
 * proxy — where pip works, pyindex must too.
 *
 * `no_proxy` entries (comma or space separated), as curl reads them: `*`
 * (no proxy at all); a host name, matching itself and its subdomains, with
 * or without a leading `.` or `*.`; an IP address or CIDR block
 * (`10.0.0.0/8`, `fd00::/8`); any of these with `:port`. As with curl and
 * pip (requests), and unlike Go, localhost is proxied too unless no_proxy
 * lists it: one rule for every host, the one those tools taught users.
 *
 * Only `http://` proxies (what corporate proxies speak): https targets go
 * through a CONNECT tunnel (RFC 9110 §9.3.6), http ones as absolute-form
 * requests (RFC 9112 §3.2.2). Credentials in the proxy URL are sent as
 * Basic `Proxy-Authorization`.
 */
import net from 'node:net';
import { bareHostname, portOf } from '../util/url.js';
import { userinfoAuthorization } from './credentials.js';

export interface HttpProxy {
  /** `http://host:port` of the proxy, without credentials (for messages). */
  origin: string;
  host: string;
  port: number;
  /** `Basic …` when the proxy URL carries user:password. */
  authorization?: string;
}

/** A proxy setting pyindex cannot use (https:// or socks proxies, a malformed URL). */
export class ProxyConfigError extends Error {
  readonly code = 'E_PROXY_UNSUPPORTED';
}

interface NoProxyRule {
  kind: 'all' | 'domain' | 'ip';
  domain?: string;
  ip?: net.BlockList;
  port?: number;
}

interface ProxySettings {
  http?: HttpProxy | ProxyConfigError;
  https?: HttpProxy | ProxyConfigError;
  noProxy: NoProxyRule[];
}

function pick(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name] ?? env[name.toUpperCase()];
  return value?.trim() ? value.trim() : undefined;
}

function parseProxy(text: string, variable: string): HttpProxy | ProxyConfigError {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return new ProxyConfigError(`${variable}=${text} is not a URL`);
  }
  if (url.protocol !== 'http:') return new ProxyConfigError(`${variable} names a ${url.protocol.slice(0, -1)}:// proxy; pyindex speaks to http:// proxies only`);
  const proxy: HttpProxy = { origin: `http://${url.host}`, host: bareHostname(url), port: portOf(url) };
  const authorization = userinfoAuthorization(url);
  if (authorization) proxy.authorization = authorization;
  return proxy;
}

function parseNoProxy(text: string | undefined): NoProxyRule[] {
  const rules: NoProxyRule[] = [];
  for (const raw of (text ?? '').split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') {
      rules.push({ kind: 'all' });
      continue;
    }
    let port: number | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      entry = bracketed[1]!;
      port = bracketed[2] ? Number(bracketed[2]) : undefined;
    } else if (!entry.includes('/') && (entry.match(/:/g) ?? []).length === 1) {
      const [host, p] = entry.split(':');
      entry = host!;
      port = Number(p);
    }
    const [address, prefix] = entry.split('/');
    const family = net.isIP(address ?? '');
    if (family) {
      const ip = new net.BlockList();
      const type = family === 6 ? 'ipv6' : 'ipv4';
      if (prefix !== undefined) ip.addSubnet(address!, Number(prefix), type);
      else ip.addAddress(address!, type);
      rules.push({ kind: 'ip', ip, port });
    } else {
      rules.push({ kind: 'domain', domain: entry.replace(/^\*?\./, ''), port });
    }
  }
  return rules;
}

function bypassed(url: URL, rules: NoProxyRule[]): boolean {
  const host = bareHostname(url).toLowerCase().replace(/\.$/, '');
  const port = portOf(url);
  const family = net.isIP(host);
  return rules.some((r) => {
    if (r.port !== undefined && r.port !== port) return false;
    if (r.kind === 'all') return true;
    if (r.kind === 'ip') return family !== 0 && r.ip!.check(host, family === 6 ? 'ipv6' : 'ipv4');
    return family === 0 && (host === r.domain || host.endsWith(`.${r.domain}`));
  });
}

/** Parsed once per environment object: every request asks, and reading process.env costs a call into C++ per name. */
const parsed = new WeakMap<NodeJS.ProcessEnv, ProxySettings>();

function settingsOf(env: NodeJS.ProcessEnv): ProxySettings {
  const known = parsed.get(env);
  if (known) return known;
  const all = pick(env, 'all_proxy');
  const http = pick(env, 'http_proxy');
  const https = pick(env, 'https_proxy');
  const settings: ProxySettings = {
    http: http ? parseProxy(http, 'http_proxy') : all ? parseProxy(all, 'all_proxy') : undefined,
    https: https ? parseProxy(https, 'https_proxy') : all ? parseProxy(all, 'all_proxy') : undefined,
    noProxy: parseNoProxy(pick(env, 'no_proxy')),
  };
  parsed.set(env, settings);
  return settings;
}

/**
 * The proxy for `url`, or undefined to connect directly; throws
 * ProxyConfigError when the variable that applies names a proxy pyindex
 * cannot use (rather than silently going direct).
 */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv = process.env): HttpProxy | undefined {
  const settings = settingsOf(env);
  const proxy = url.protocol === 'https:' ? settings.https : url.protocol === 'http:' ? settings.http : undefined;
  if (!proxy || bypassed(url, settings.noProxy)) return undefined;
  if (proxy instanceof ProxyConfigError) throw proxy;
  return proxy;
}
