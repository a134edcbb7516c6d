/**
 * Progress events. Library code never prints: it calls the `onEvent` sink it
 * was given with one of these, and the CLI's reporter renders them (listr2 on
 * a TTY, plain lines otherwise, JSON lines with `--json`).
 */
export type PyindexEvent =
  | { type: 'index:request'; url: string }
  | { type: 'index:response'; url: string; status: number; fromCache: 'miss' | 'hit' | 'revalidated'; bytes: number }
  | { type: 'index:retry'; url: string; attempt: number; reason: string }
  | { type: 'metadata:fetched'; project: string; filename: string; via: 'pep658' | 'range' | 'download' | 'pkg-info' | 'build-backend' | 'cache' }
  | { type: 'task:start'; id: string; title: string; total?: number }
  | { type: 'task:progress'; id: string; done: number; total?: number; detail?: string }
  | { type: 'task:end'; id: string; ok: boolean; detail?: string }
  | { type: 'warning'; message: string; hint?: string }
  /** Wheelhouse fetch: files and bytes placed so far of the plan, and bytes actually downloaded. */
  | { type: 'fetch:progress'; files: number; filesTotal: number; bytes: number; bytesTotal: number; downloaded: number }
  | { type: 'fetch:file'; filename: string; via: 'present' | 'cache' | 'download'; bytes: number }
  /** The order an index's servers (its URL and mirrors) are tried in: nearest first by a probe of each simple root, or as configured / forced. */
  | { type: 'mirror:order'; index: string; how: 'probe' | 'cached probe' | 'config' | 'forced'; order: { url: string; rttMs?: number; error?: string }[] }
  /** A request failed on one server of an index and moves to the next (`to` undefined: none left this round). */
  | { type: 'mirror:failover'; index: string; url: string; from: string; to: string | undefined; reason: string }
  /** A server that kept failing is not asked again this run (unless every server of the index is set aside). */
  | { type: 'mirror:set-aside'; index: string; mirror: string; failures: number; reason: string }
  /** `pyindex mirror`: files placed so far of the plan (copied or already present), and bytes downloaded. */
  | { type: 'mirror:progress'; files: number; filesTotal: number; bytes: number; bytesTotal: number; downloaded: number }
  | { type: 'mirror:file'; filename: string; via: 'present' | 'copied' | 'repaired'; bytes: number };

export type EventSink = (event: PyindexEvent) => void;

/** A sink that drops everything; the default for library callers that do not care. */
export const silent: EventSink = () => {};
