/**
 * `--to [USER@]HOST:DIR`, rsync's remote-shell syntax (rsync(1), "USAGE"):
 * one colon, so the transfer goes over ssh; `HOST::MODULE` and `rsync://`
 * (the rsync daemon) are refused, since only ssh authenticates the host.
 */
import { PyindexError } from '../errors/index.js';

export interface PushTarget {
  /** As given on the command line; names the host in progress and results. */
  spec: string;
  user: string | undefined;
  /** Hostname, address, or [IPv6] in brackets. */
  host: string;
  /** Remote directory (relative to the remote home when not absolute). */
  dir: string;
}

const USAGE_HINT = 'Write the target as [USER@]HOST:DIR, e.g. buildbot@builder-07:/srv/wheelhouse/linux.';

function bad(spec: string, fact: string): PyindexError {
  return new PyindexError('E_USAGE', `--to ${JSON.stringify(spec)}: ${fact}`, { hint: USAGE_HINT, details: { target: spec } });
}

export function parsePushTarget(spec: string): PushTarget {
  if (spec.startsWith('rsync://') || /^[^/[]*::/.test(spec)) throw bad(spec, 'rsync daemon targets are not supported (the wheelhouse is pushed over ssh)');
  let rest = spec;
  let user: string | undefined;
  const at = rest.indexOf('@');
  const colonBeforeAt = rest.indexOf(':');
  if (at !== -1 && (colonBeforeAt === -1 || at < colonBeforeAt)) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!user) throw bad(spec, 'the user before "@" is empty');
  }
  let host: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1 || rest[close + 1] !== ':') throw bad(spec, 'an IPv6 address must be written [ADDRESS]:DIR');
    host = rest.slice(0, close + 1);
    rest = rest.slice(close + 2);
  } else {
    const colon = rest.indexOf(':');
    if (colon === -1) throw bad(spec, 'no ":" — a local path is not a push target (copy the wheelhouse, or name a host)');
    host = rest.slice(0, colon);
    rest = rest.slice(colon + 1);
  }
  const dir = rest;
  if (!host) throw bad(spec, 'the host is empty');
  // ssh would read a leading "-" as an option (CVE-2017-1000117 style injection).
  if (host.startsWith('-') || user?.startsWith('-')) throw bad(spec, 'a host or user starting with "-" is refused');
  if (/[\s'"\\`$;&|<>]/.test(host) || (user !== undefined && /[\s'"\\`$;&|<>:]/.test(user))) throw bad(spec, 'the host or user contains a space or shell character');
  if (!dir) throw bad(spec, 'the directory after ":" is empty (that would be the remote home, which push would then empty)');
  if (/[\0\n\r]/.test(dir)) throw bad(spec, 'the directory contains a NUL or newline');
  const plain = dir.replace(/\/+$/, '');
  if (plain === '' || plain === '~' || plain === '.' || plain === '..' || plain.split('/').includes('..')) {
    throw bad(spec, `refusing ${JSON.stringify(dir)}: push deletes what the wheelhouse does not hold, so it needs a dedicated directory`);
  }
  return { spec, user, host, dir: plain };
}

/** The ssh destination: `user@host` (IPv6 without brackets, as ssh wants it). */
export function sshDestination(target: PushTarget): string {
  const host = target.host.startsWith('[') ? target.host.slice(1, -1) : target.host;
  return target.user ? `${target.user}@${host}` : host;
}

/** The rsync destination `[user@]host:dir/` (trailing slash: the directory itself is the wheelhouse). */
export function rsyncDestination(target: PushTarget): string {
  return `${target.user ? `${target.user}@` : ''}${target.host}:${target.dir}/`;
}
