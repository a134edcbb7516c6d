/**
 * `pyindex push`: make a profile's wheelhouse exist, exactly, on machines.
 *
 * Per host: rsync over ssh, then proof. rsync's default quick check (size +
 * mtime) is what makes a re-push of an unchanged wheelhouse cheap, but it
 * trusts a remote file whose size and mtime happen to match; so the remote
 * files are then hashed over ssh and compared with the lock, and only if that
 * finds a difference does a second rsync run with --checksum (which reads
 * every file on both sides) to repair it, followed by a second verification.
 *
 * Hosts run in parallel and independently: one failing is reported in its
 * result and the others carry on.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MANIFEST_FILENAME, serializeManifest } from '../bundle/manifest.js';
import { manifestFor, type WheelhouseFile } from '../bundle/wheelhouse-files.js';
import type { ErrorCode } from '../errors/index.js';
import { isPyindexError, PyindexError } from '../errors/index.js';
import { silent, type EventSink } from '../events/index.js';
import { compareRemote, parseRemoteHashes, REFUSAL_MARKER, remoteHashCommand, remoteRsyncPath, rsyncQuote, type RemoteComparison } from './remote.js';
import { rsyncDestination, sshDestination, type PushTarget } from './target.js';

export interface PushOptions {
  wheelhouse: string;
  /** The checked files to send (bundle/wheelhouse-files.ts selectWheelhouseFiles). */
  files: WheelhouseFile[];
  targets: PushTarget[];
  /** ssh `-o` options, KEY=VALUE (Port=2222, IdentityFile=…). */
  sshOptions?: string[];
  /** Hosts at once (default 8). */
  concurrency?: number;
  onEvent?: EventSink;
  /** Programs, for tests and unusual installs. */
  rsync?: string;
  ssh?: string;
}

export interface HostResult {
  target: string;
  ok: boolean;
  /** Files rsync transferred (0 when the host was already up to date). */
  sent: number;
  /** Remote files whose sha256 matched. */
  verified: number;
  /** A second, --checksum rsync was needed after the first verification. */
  repaired: boolean;
  error?: { code: ErrorCode; message: string; hint?: string };
}

export interface PushResult {
  files: number;
  bytes: number;
  hosts: HostResult[];
  failed: number;
}

/** ssh options every push uses: never prompt (hosts run in parallel, unattended), give up on a dead host. */
function sshArgs(user: string[]): string[] {
  const given = new Set(user.map((o) => o.split('=')[0]!.trim().toLowerCase()));
  const defaults = ['BatchMode=yes', 'ConnectTimeout=20'].filter((o) => !given.has(o.split('=')[0]!.toLowerCase()));
  return [...defaults, ...user].flatMap((o) => ['-o', o]);
}

function tail(text: string, lines = 5): string {
  return text.replace(/\r/g, '').trim().split('\n').slice(-lines).join('\n');
}

interface Staged {
  dir: string;
  expected: Map<string, string>;
}

/**
 * A directory of symlinks to the chosen files plus their manifest: rsync sends
 * it with --copy-links, so the remote gets exactly these files even when the
 * local wheelhouse holds other profiles' files too.
 */
async function stage(wheelhouse: string, files: WheelhouseFile[]): Promise<Staged> {
  const dir = join(tmpdir(), `pyindex-push-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(dir, { recursive: true });
  const expected = new Map<string, string>();
  for (const f of files) {
    await symlink(resolve(wheelhouse, f.filename), join(dir, f.filename));
    expected.set(f.filename, f.sha256);
  }
  const manifest = serializeManifest(manifestFor(files));
  const sha256 = createHash('sha256').update(manifest).digest('hex');
  await writeFile(join(dir, MANIFEST_FILENAME), manifest);
  // An mtime derived from the content: an unchanged manifest passes rsync's quick check (nothing is
  // sent to an up-to-date host), a changed one almost surely does not — and verification catches the rest.
  const mtime = 1_000_000_000 + parseInt(sha256.slice(0, 7), 16);
  await utimes(join(dir, MANIFEST_FILENAME), mtime, mtime);
  expected.set(MANIFEST_FILENAME, sha256);
  return { dir, expected };
}

type Run = (file: string, args: string[], onLine?: (line: string) => void) => Promise<{ exitCode: number | undefined; stdout: string; stderr: string; failed: boolean }>;

async function runner(): Promise<Run> {
  const { execa } = await import('execa');
  return async (file, args, onLine) => {
    // execa runs generator transforms line by line: rsync's --out-format lines become progress as they come.
    const progress = function* (line: unknown): Generator<unknown> {
      if (onLine && typeof line === 'string') onLine(line);
      yield line;
    };
    const child = execa(file, args, { reject: false, stdin: 'ignore', stdout: progress, env: { LC_ALL: 'C' } });
    const r = await child;
    return { exitCode: r.exitCode, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), failed: r.failed };
  };
}

function failure(target: PushTarget, code: ErrorCode, message: string, hint: string): PyindexError {
  return new PyindexError(code, `${target.spec}: ${message}`, { hint, details: { target: target.spec } });
}

function describeComparison(c: RemoteComparison): string {
  const parts: string[] = [];
  const list = (names: string[]) => (names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', '));
  if (c.mismatched.length) parts.push(`${c.mismatched.length} with the wrong sha256 (${list(c.mismatched)})`);
  if (c.missing.length) parts.push(`${c.missing.length} missing (${list(c.missing)})`);
  if (c.unexpected.length) parts.push(`${c.unexpected.length} not in the wheelhouse (${list(c.unexpected)})`);
  return parts.join('; ');
}

async function pushHost(target: PushTarget, staged: Staged, options: PushOptions, run: Run, onEvent: EventSink): Promise<HostResult> {
  const id = target.spec;
  const total = staged.expected.size;
  const ssh = options.ssh ?? 'ssh';
  const sshOpts = sshArgs(options.sshOptions ?? []);
  const result: HostResult = { target: target.spec, ok: false, sent: 0, verified: 0, repaired: false };
  onEvent({ type: 'task:start', id, title: `push to ${target.spec}`, total });

  const rsync = async (checksum: boolean): Promise<void> => {
    const args = [
      // -a for recursion, times and links semantics; owners and modes are not the sender's business:
      // every build user must read the files, so they arrive 0644 in a 0755 directory.
      '--archive',
      '--no-owner',
      '--no-group',
      '--chmod=D0755,F0644',
      '--copy-links',
      ...(checksum ? ['--checksum'] : []),
      // Files land together at the end and stale ones go only after that: a build reading the
      // wheelhouse mid-push sees the old set or the new one, not a mix missing files.
      '--delay-updates',
      '--delete-after',
      '--out-format=%n',
      '-e',
      [ssh, ...sshOpts].map(rsyncQuote).join(' '),
      `--rsync-path=${remoteRsyncPath(target.dir)}`,
      `${staged.dir}/`,
      rsyncDestination(target),
    ];
    const r = await run(options.rsync ?? 'rsync', args, (line) => {
      if (!staged.expected.has(line)) return;
      result.sent++;
      onEvent({ type: 'task:progress', id, done: result.sent, total, detail: `sent ${line}` });
    });
    if (r.exitCode !== 0) {
      const refusal = r.stderr.split('\n').find((l) => l.includes(REFUSAL_MARKER));
      if (refusal) throw failure(target, 'E_PUSH_FAILED', refusal.slice(refusal.indexOf(REFUSAL_MARKER) + REFUSAL_MARKER.length).trim(), 'Push to an empty or dedicated directory, or delete its contents first.');
      const how = r.exitCode === undefined ? 'could not be started' : `exited with status ${r.exitCode}`;
      throw failure(target, 'E_PUSH_FAILED', `rsync ${how}: ${tail(r.stderr) || '(no output)'}`, r.exitCode === 255 || r.exitCode === 12
        ? 'Check that the host is reachable with ssh (same --ssh-option values), that rsync is installed there, and that the key is accepted.'
        : 'See rsync\'s message; check free space and permissions on the remote directory.');
    }
  };

  const verify = async (): Promise<RemoteComparison> => {
    onEvent({ type: 'task:progress', id, done: result.sent, total, detail: 'verifying remote sha256' });
    const r = await run(ssh, [...sshOpts, '--', sshDestination(target), remoteHashCommand(target.dir)]);
    if (r.exitCode !== 0) {
      throw failure(target, 'E_PUSH_FAILED', `remote verification failed (ssh status ${r.exitCode ?? 'none'}): ${tail(r.stderr) || '(no output)'}`, 'The host needs sha256sum (coreutils) or shasum, and find.');
    }
    return compareRemote(staged.expected, parseRemoteHashes(r.stdout));
  };

  try {
    await rsync(false);
    let check = await verify();
    if (check.verified !== total || check.unexpected.length) {
      // Same size and mtime but other bytes (or a file changed behind rsync's back): compare contents.
      onEvent({ type: 'warning', message: `${target.spec}: ${describeComparison(check)} after rsync; re-syncing with --checksum` });
      result.repaired = true;
      await rsync(true);
      check = await verify();
    }
    result.verified = check.verified;
    if (check.verified !== total || check.unexpected.length) {
      throw failure(target, 'E_HASH_MISMATCH', `the remote wheelhouse ${target.dir} does not match the lock: ${describeComparison(check)}`, 'Something on the host changes the directory (another push, a cleanup job?); make it dedicated to this wheelhouse and push again.');
    }
    result.ok = true;
    onEvent({ type: 'task:end', id, ok: true, detail: `${result.sent} sent, ${result.verified} verified` });
  } catch (err) {
    const e = isPyindexError(err) ? err : failure(target, 'E_PUSH_FAILED', err instanceof Error ? err.message : String(err), 'See the message.');
    result.error = { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
    onEvent({ type: 'task:end', id, ok: false, detail: e.message });
  }
  return result;
}

export async function pushWheelhouse(options: PushOptions): Promise<PushResult> {
  const onEvent = options.onEvent ?? silent;
  const run = await runner();
  const staged = await stage(options.wheelhouse, options.files);
  try {
    const results: HostResult[] = new Array<HostResult>(options.targets.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < options.targets.length) {
        const i = next++;
        results[i] = await pushHost(options.targets[i]!, staged, options, run, onEvent);
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, options.targets.length) }, worker));
    return {
      files: options.files.length,
      bytes: options.files.reduce((n, f) => n + f.size, 0),
      hosts: results,
      failed: results.filter((r) => !r.ok).length,
    };
  } finally {
    await rm(staged.dir, { recursive: true, force: true });
  }
}
