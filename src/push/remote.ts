/**
 * What runs on the remote side, as shell text (ssh hands its command to the
 * remote user's login shell, so every value is quoted for a POSIX shell), and
 * how its output is read back.
 */
import { MANIFEST_FILENAME } from '../bundle/manifest.js';

/** POSIX shell single-quoting: the only character that needs care is ' itself. */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Quoting for rsync's `-e` string, which rsync splits itself (main.c
 * do_cmd): inside quotes a doubled quote character is a literal quote.
 */
export function rsyncQuote(value: string): string {
  return /^[A-Za-z0-9_./=:@%+,-]+$/.test(value) ? value : `'${value.replace(/'/g, "''")}'`;
}

/** Marker the remote guard prints, so a refusal is told apart from a connection failure. */
export const REFUSAL_MARKER = 'pyindex-push-refused:';

/**
 * rsync's `--rsync-path` runs through the remote shell, so it can prepare the
 * directory first: create it (older rsyncs lack --mkpath) and refuse a
 * non-empty directory that is not a wheelhouse, because --delete-after would
 * empty it (a mistyped `--to host:/srv` must not wipe /srv).
 */
export function remoteRsyncPath(dir: string): string {
  const d = shQuote(dir);
  const manifest = shQuote(`${dir}/${MANIFEST_FILENAME}`);
  return (
    `mkdir -p -- ${d} && ` +
    `{ test -e ${manifest} || test -z "$(ls -A -- ${d})" || { echo ${shQuote(`${REFUSAL_MARKER} ${dir} is not empty and holds no ${MANIFEST_FILENAME}; refusing to replace its contents`)} >&2; exit 1; }; } && ` +
    'rsync'
  );
}

/**
 * Hashes every visible regular file of the remote directory. sha256sum is
 * GNU coreutils; BSD and macOS have `shasum -a 256` with the same output
 * format ("<hex>  <name>"). Dot-files (rsync's temp files) are not part of a
 * wheelhouse: pip's --find-links does not read them either.
 */
export function remoteHashCommand(dir: string): string {
  return (
    `cd -- ${shQuote(dir)} && ` +
    'if command -v sha256sum >/dev/null 2>&1; then h=sha256sum; else h="shasum -a 256"; fi && ' +
    "LC_ALL=C find . -maxdepth 1 -type f ! -name '.*' -exec $h {} +"
  );
}

/**
 * Parses `<hex>  ./<name>` lines. A line starting with a backslash is
 * sha256sum's escaping of an odd name (newline, backslash): such a name is
 * not a wheelhouse file, so it is reported under its escaped form.
 */
export function parseRemoteHashes(output: string): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const line of output.split('\n')) {
    if (!line) continue;
    const m = /^(\\?)([0-9a-f]{64}) [ *]\.\/(.+)$/.exec(line);
    if (m) hashes.set(m[1] ? `\\${m[3]}` : m[3]!, m[2]!);
  }
  return hashes;
}

export interface RemoteComparison {
  missing: string[];
  mismatched: string[];
  unexpected: string[];
  verified: number;
}

/** Remote files against the expected `filename → sha256` (manifest included). */
export function compareRemote(expected: Map<string, string>, remote: Map<string, string>): RemoteComparison {
  const out: RemoteComparison = { missing: [], mismatched: [], unexpected: [], verified: 0 };
  for (const [name, sha] of expected) {
    const got = remote.get(name);
    if (got === undefined) out.missing.push(name);
    else if (got !== sha) out.mismatched.push(name);
    else out.verified++;
  }
  for (const name of remote.keys()) if (!expected.has(name)) out.unexpected.push(name);
  return out;
}
