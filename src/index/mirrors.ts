/**
 * Mirrors of an index: several servers of the same simple tree. The client
 * asks the nearest healthy one and, for any single request that fails on it
 * (connection error, timeout, 5xx, a hash mismatch, a file it lacks), moves
 * to the next — the lock or fetch around it never restarts. A server that
 * keeps failing is set aside for the rest of the run and reported.
 *
 * No server is trusted: the bytes of a file count only when their sha256 is
 * the one the lock (fetch) or the listing (lock) names, which the callers
 * check inside the attempt (HttpRequestOptions.verify, the downloader), so a
 * mismatch is just another reason to ask the next server. Listings (pages)
 * are asked of the primary first, so while it answers the hashes a lock
 * pins are the primary's; only when it fails does a mirror's listing stand in.
 *
 * Everything outside this module sees PRIMARY URLs: a URL of any server is
 * rewritten onto each server by swapping its base (the root without a
 * trailing `simple/`: pyindex serve, mkindex and static trees keep files
 * under `<base>files/`), and answers are mapped back, so a lockfile's URL
 * hints never say which mirror served a file.
 *
 * "Nearest" is measured, not assumed (cf. pip/uv, which take mirrors in the
 * order given): one HEAD of each server's simple root, in parallel, on a
 * fresh connection, each waited for up to the probe timeout (2 s); the
 * result is kept on disk for PROBE_TTL_MS so a warm run does not probe
 * again (the first run pays for the slowest server's answer, once).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isPyindexError, PyindexError } from '../errors/index.js';
import { silent, type EventSink } from '../events/index.js';
import { nodeAtomicIo, writeFileAtomic } from '../util/atomic-write.js';
import { probeRoot, type ProbeResult } from './probe.js';
import { isServerFailure } from './http-errors.js';
import { withSlash } from '../util/url.js';

/** An index and its mirrors (the config's IndexConfig fits). */
export interface MirroredIndex {
  url: string;
  mirrors: readonly string[];
}

/** How the servers of an index are ordered: measured, as configured, or these URLs first. */
export type MirrorOrder = { kind: 'nearest' } | { kind: 'config' } | { kind: 'forced'; urls: readonly string[] };

export interface MirrorStatus {
  url: string;
  primary: boolean;
  /** The probe's round trip, or why it failed (absent when not probed). */
  rttMs?: number;
  probeError?: string;
  /** Requests sent to it, answered by it, and failed on it. */
  requests: number;
  served: number;
  failures: number;
  /** Why it was set aside, when it was. */
  setAside?: string;
}

export interface MirrorReport {
  index: string;
  /** Server URLs in the order they were tried. */
  order: string[];
  servers: MirrorStatus[];
}

export interface MirrorContext {
  cacheDir: string;
  userAgent: string;
  order?: MirrorOrder;
  offline?: boolean;
  onEvent?: EventSink;
  /** Extra rounds over all servers after every one failed a request. Default 3. */
  retries?: number;
  /** Delay before the second round, doubled each round. Default 250 ms. */
  retryDelayMs?: number;
  /** Consecutive failures after which a server is set aside. Default 3. */
  setAsideAfter?: number;
  /** The longest a probe is waited for. Default 2000 ms. */
  probeTimeoutMs?: number;
}

/** A probe result is reused this long (a mirror's distance changes slowly; a dead one fails over anyway). */
export const PROBE_TTL_MS = 10 * 60_000;

interface Server {
  root: string;
  base: string;
  status: MirrorStatus;
  consecutive: number;
}

/** Where an index's files live relative to: the root without a trailing `simple/`. */
export function baseOf(root: string): string {
  const r = withSlash(root);
  return r.endsWith('/simple/') ? r.slice(0, -'simple/'.length) : r;
}

export function sameServer(a: string, b: string): boolean {
  return withSlash(a) === withSlash(b);
}

/** Errors after which the next server is asked. A missing page is an answer, not a failure. */
function failsOver(err: PyindexError, kind: 'page' | 'file'): boolean {
  if (err.code === 'E_NOT_FOUND') return kind === 'file';
  return isServerFailure(err) || err.code === 'E_HASH_MISMATCH';
}

/** The servers of one index. */
export class MirrorSet {
  readonly index: string;
  private readonly servers: Server[];
  private ordering: Promise<Server[]> | undefined;
  private decided: Server[] | undefined;
  private readonly onEvent: EventSink;

  constructor(
    spec: MirroredIndex,
    private readonly ctx: MirrorContext,
  ) {
    this.index = withSlash(spec.url);
    this.onEvent = ctx.onEvent ?? silent;
    this.servers = [spec.url, ...spec.mirrors].map((url, i) => {
      const root = withSlash(url);
      return { root, base: baseOf(root), status: { url: root, primary: i === 0, requests: 0, served: 0, failures: 0 }, consecutive: 0 };
    });
  }

  get size(): number {
    return this.servers.length;
  }

  /** The server whose base holds `url` (the longest base wins), if any. */
  private owner(url: string): Server | undefined {
    let best: Server | undefined;
    for (const s of this.servers) if (url.startsWith(s.base) && (!best || s.base.length > best.base.length)) best = s;
    return best;
  }

  covers(url: string): boolean {
    return this.owner(url) !== undefined;
  }

  /** `url` as the primary server would have it (unchanged when no server's base holds it). */
  toPrimary(url: string): string {
    const from = this.owner(url);
    const primary = this.servers[0]!;
    return from && from !== primary ? primary.base + url.slice(from.base.length) : url;
  }

  /** Whether `url` is one of this index's server roots. */
  hasServer(url: string): boolean {
    return this.servers.some((s) => sameServer(s.root, url));
  }

  /** The servers in the order they are tried; decided once (probe, cached probe, config or forced). */
  order(): Promise<Server[]> {
    this.ordering ??= this.decide().then(({ order, how }) => {
      this.decided = order;
      this.onEvent({
        type: 'mirror:order',
        index: this.index,
        how,
        order: order.map((s) => ({ url: s.root, ...(s.status.rttMs !== undefined ? { rttMs: s.status.rttMs } : {}), ...(s.status.probeError ? { error: s.status.probeError } : {}) })),
      });
      return order;
    });
    return this.ordering;
  }

  private async decide(): Promise<{ order: Server[]; how: 'probe' | 'cached probe' | 'config' | 'forced' }> {
    const order = this.ctx.order ?? { kind: 'nearest' };
    if (order.kind === 'forced') {
      const listed = order.urls.flatMap((u) => this.servers.filter((s) => sameServer(s.root, u)));
      return { order: [...listed, ...this.servers.filter((s) => !listed.includes(s))], how: 'forced' };
    }
    if (order.kind === 'config' || this.ctx.offline) return { order: [...this.servers], how: 'config' };
    const cached = await this.readProbe();
    const results = cached ?? (await this.probeAll());
    for (const s of this.servers) {
      const r = results[s.root];
      if (r && 'rttMs' in r) s.status.rttMs = r.rttMs;
      else if (r) s.status.probeError = r.error;
    }
    // Answered, nearest first; then servers that had not answered yet; then unreachable ones. Ties keep the configured order.
    const rank = (s: Server): number => {
      const r = results[s.root];
      return !r ? 1 : 'rttMs' in r ? 0 : r.unreachable ? 2 : 1;
    };
    const sorted = [...this.servers].sort((a, b) => rank(a) - rank(b) || (a.status.rttMs ?? 0) - (b.status.rttMs ?? 0));
    return { order: sorted, how: cached ? 'cached probe' : 'probe' };
  }

  private probeFile(): string {
    const key = createHash('sha256').update(JSON.stringify(this.servers.map((s) => s.root))).digest('hex');
    return join(this.ctx.cacheDir, 'mirrors-v1', `${key.slice(0, 32)}.json`);
  }

  private async readProbe(): Promise<Record<string, ProbeResult> | undefined> {
    try {
      const saved = JSON.parse(await readFile(this.probeFile(), 'utf8')) as { probedAt: number; results: Record<string, ProbeResult> };
      const age = Date.now() - saved.probedAt;
      return age >= 0 && age < PROBE_TTL_MS ? saved.results : undefined;
    } catch {
      return undefined; // none yet, or unreadable: probe again
    }
  }

  /**
   * Probes every server at once and waits for all of them, up to the probe
   * timeout: a server that has not answered by then is ordered after the
   * ones that did (it is at best far), before the unreachable ones.
   */
  private async probeAll(): Promise<Record<string, ProbeResult>> {
    const limit = this.ctx.probeTimeoutMs ?? 2000;
    const results: Record<string, ProbeResult> = {};
    await Promise.all(this.servers.map(async (s) => (results[s.root] = await probeRoot(s.root, { userAgent: this.ctx.userAgent, timeoutMs: limit }))));
    const file = this.probeFile();
    // Best effort: a cache that cannot be written only means probing again next run.
    await mkdir(dirname(file), { recursive: true })
      .then(() => writeFileAtomic(file, JSON.stringify({ probedAt: Date.now(), results }), nodeAtomicIo, { syncDirectory: false }))
      .catch(() => undefined);
    return results;
  }

  /** `url` (of any server) rewritten onto `server`. */
  private onto(url: string, server: Server): string {
    const from = this.owner(url);
    return from ? server.base + url.slice(from.base.length) : url;
  }

  private failed(server: Server, err: PyindexError): void {
    server.status.failures++;
    // A file one server lacks (a mirror still syncing) is worth another server, not a strike.
    if (err.code === 'E_NOT_FOUND') return;
    server.consecutive++;
    if (server.status.setAside === undefined && server.consecutive >= (this.ctx.setAsideAfter ?? 3)) {
      server.status.setAside = err.message;
      this.onEvent({ type: 'mirror:set-aside', index: this.index, mirror: server.root, failures: server.consecutive, reason: err.message });
    }
  }

  /**
   * Runs `attempt` with `url` rewritten onto each server in order until one
   * succeeds. Servers set aside are skipped while another remains. After a
   * round where every server failed, waits and tries another round, up to
   * `retries` more; then throws the last failure, naming the servers tried.
   */
  async run<T>(url: string, kind: 'page' | 'file', attempt: (serverUrl: string) => Promise<T>): Promise<T> {
    await this.order();
    const retries = this.ctx.retries ?? 3;
    let last: PyindexError | undefined;
    const tried = new Set<string>();
    for (let round = 0; round <= retries; round++) {
      if (round > 0) {
        const delay = (this.ctx.retryDelayMs ?? 250) * 2 ** (round - 1);
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      }
      const ordered = this.decided ?? this.servers;
      // Listings come from the primary while it answers: the hashes a lock pins are the primary's,
      // and files and metadata (the bulk of the bytes, nearest first) are checked against them.
      const primary = this.servers[0]!;
      const all = kind === 'page' ? [primary, ...ordered.filter((s) => s !== primary)] : ordered;
      const active = all.filter((s) => s.status.setAside === undefined);
      const candidates = active.length ? active : all;
      for (const [i, server] of candidates.entries()) {
        server.status.requests++;
        tried.add(server.root);
        try {
          const result = await attempt(this.onto(url, server));
          server.consecutive = 0;
          server.status.served++;
          return result;
        } catch (err) {
          if (!isPyindexError(err) || !failsOver(err, kind)) throw err;
          last = err;
          this.failed(server, err);
          this.onEvent({ type: 'mirror:failover', index: this.index, url, from: server.root, to: candidates[i + 1]?.root, reason: err.message });
        }
      }
      // A page or file every server lacks is missing, not failing: another round will not find it.
      if (last?.code === 'E_NOT_FOUND') break;
    }
    const error = last!;
    throw new PyindexError(error.code, `${error.message} (tried ${tried.size} server(s) of ${this.index}: ${[...tried].join(', ')})`, {
      hint: error.hint,
      cause: error,
      details: { ...error.details, servers: [...tried] },
    });
  }

  report(): MirrorReport {
    const order = this.decided ?? this.servers;
    return { index: this.index, order: order.map((s) => s.root), servers: this.servers.map((s) => ({ ...s.status })) };
  }
}

/** The mirror sets of every index that has mirrors; requests for other URLs pass by. */
export class MirrorRouter {
  readonly sets: MirrorSet[];

  constructor(indexes: readonly MirroredIndex[], ctx: MirrorContext) {
    this.sets = indexes.filter((ix) => ix.mirrors.length > 0).map((ix) => new MirrorSet(ix, ctx));
    if (ctx.order?.kind === 'forced') {
      for (const url of ctx.order.urls) {
        if (!this.sets.some((s) => s.hasServer(url))) {
          const known = this.sets.flatMap((s) => s.report().servers.map((m) => m.url));
          throw new PyindexError('E_USAGE', `--mirror-order names ${url}, which is not a server of any index with mirrors`, {
            hint: known.length ? `Servers are: ${known.join(', ')}.` : 'No index of the config has mirrors: give one as index: { url: …, mirrors: […] }.',
            details: { url, servers: known },
          });
        }
      }
    }
  }

  setFor(url: string): MirrorSet | undefined {
    return this.sets.find((s) => s.covers(url));
  }

  /** `url` as its index's primary server would have it. */
  toPrimary(url: string): string {
    return this.setFor(url)?.toPrimary(url) ?? url;
  }

  report(): MirrorReport[] {
    return this.sets.map((s) => s.report());
  }
}

/** `--mirror-order`: "nearest" (default), "config", or comma-separated server URLs to try first. */
export function parseMirrorOrder(text: string | undefined): MirrorOrder {
  if (text === undefined || text === 'nearest') return { kind: 'nearest' };
  if (text === 'config') return { kind: 'config' };
  const urls = text.split(',').map((u) => u.trim()).filter(Boolean);
  const bad = urls.find((u) => !/^https?:\/\/[^/]/i.test(u));
  if (!urls.length || bad !== undefined) {
    throw new PyindexError('E_USAGE', `--mirror-order must be "nearest", "config" or comma-separated http(s) URLs of index servers, got ${JSON.stringify(text)}`, {
      hint: 'e.g. --mirror-order http://mirror2.internal/simple/,http://pypi.internal/simple/ (servers not named follow in config order).',
    });
  }
  return { kind: 'forced', urls };
}
