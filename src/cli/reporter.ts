/**
 * Renders the library's progress events (src/events): listr2 on a TTY, plain
 * lines when stdout is not a TTY (build logs), JSON lines on stderr with --json.
 */
import type { EventSink, PyindexEvent } from '../events/index.js';
import type { TextSink } from './batched-lines.js';

export type ReporterMode = 'tty' | 'plain' | 'json' | 'silent';

export interface Reporter {
  readonly mode: ReporterMode;
  onEvent: EventSink;
  /** Runs `fn` as a titled task; on a TTY a listr2 spinner shows its latest progress. */
  task<T>(title: string, fn: (onEvent: EventSink) => Promise<T>): Promise<T>;
  /**
   * Runs `fn`, showing one listr2 task per item on a TTY: each item's line
   * follows the `task:progress`/`task:end` events carrying its id.
   */
  group<T>(items: { id: string; title: string }[], fn: (onEvent: EventSink) => Promise<T>): Promise<T>;
}

export function describeEvent(e: PyindexEvent): string | undefined {
  switch (e.type) {
    case 'task:start':
      return `${e.title}${e.total !== undefined ? ` (${e.total})` : ''}`;
    case 'task:progress':
      return `${e.id}: ${e.done}${e.total !== undefined ? `/${e.total}` : ''}${e.detail ? ` ${e.detail}` : ''}`;
    case 'task:end':
      return `${e.id}: ${e.ok ? 'done' : 'failed'}${e.detail ? ` — ${e.detail}` : ''}`;
    case 'index:retry':
      return `retrying ${e.url} (attempt ${e.attempt}: ${e.reason})`;
    case 'warning':
      return `warning: ${e.message}${e.hint ? ` (${e.hint})` : ''}`;
    case 'mirror:order':
      return `servers of ${e.index} (${e.how}): ${e.order.map((o) => `${o.url}${o.rttMs !== undefined ? ` ${o.rttMs.toFixed(1)} ms` : o.error ? ` (${o.error})` : ''}`).join(', ')}`;
    case 'mirror:set-aside':
      return `warning: ${e.mirror} set aside for the rest of the run after ${e.failures} failures (${e.reason})`;
    default:
      return undefined; // request-level chatter is for --json only
  }
}

export function createReporter(mode: ReporterMode, stderr: TextSink): Reporter {
  const plainSink: EventSink = (e) => {
    // Build logs want starts, ends and warnings, not a line per step.
    if (e.type === 'task:progress') return;
    const line = describeEvent(e);
    if (line) stderr.write(`${line}\n`);
  };
  const jsonSink: EventSink = (e) => stderr.write(`${JSON.stringify(e)}\n`);
  const base: EventSink = mode === 'json' ? jsonSink : mode === 'plain' ? plainSink : mode === 'tty' ? plainSink : () => {};

  return {
    mode,
    onEvent: base,
    async task<T>(title: string, fn: (onEvent: EventSink) => Promise<T>): Promise<T> {
      if (mode !== 'tty') {
        if (mode === 'plain') stderr.write(`${title}\n`);
        return fn(base);
      }
      let result: T | undefined;
      const { Listr } = await import('listr2');
      const list = new Listr(
        [
          {
            title,
            task: async (_ctx, task) => {
              result = await fn((e) => {
                const line = describeEvent(e);
                if (e.type === 'warning' && line) stderr.write(`${line}\n`);
                else if (line) task.output = line;
              });
            },
          },
        ],
        { renderer: 'default', exitOnError: true, rendererOptions: { collapseErrors: false } },
      );
      await list.run();
      return result as T;
    },
    async group<T>(items: { id: string; title: string }[], fn: (onEvent: EventSink) => Promise<T>): Promise<T> {
      if (mode !== 'tty') return fn(base);
      type Slot = { output: (text: string) => void; done: (ok: boolean, detail?: string) => void };
      const slots = new Map<string, Slot>();
      const settled = new Map<string, { ok: boolean; detail?: string }>();
      const { Listr } = await import('listr2');
      const list = new Listr(
        items.map((item) => ({
          title: item.title,
          task: (_ctx: unknown, task: { output: string; title: string }) =>
            new Promise<void>((resolve, reject) => {
              const finish = (ok: boolean, detail?: string) => {
                if (detail) task.title = `${item.title}: ${detail}`;
                if (ok) resolve();
                else reject(new Error(detail ?? 'failed'));
              };
              const early = settled.get(item.id);
              if (early) return finish(early.ok, early.detail);
              slots.set(item.id, { output: (text) => (task.output = text), done: finish });
            }),
        })),
        { concurrent: true, exitOnError: false, renderer: 'default', rendererOptions: { collapseErrors: false } },
      );
      const rendering = list.run().catch(() => {});
      const sink: EventSink = (e) => {
        if (e.type === 'task:progress') slots.get(e.id)?.output(describeEvent(e) ?? '');
        else if (e.type === 'task:end') {
          settled.set(e.id, { ok: e.ok, ...(e.detail ? { detail: e.detail } : {}) });
          slots.get(e.id)?.done(e.ok, e.detail);
        } else if (e.type === 'warning') stderr.write(`${describeEvent(e)}\n`);
      };
      try {
        return await fn(sink);
      } finally {
        // Items that never reported an end (an early failure elsewhere) are closed as failed.
        for (const item of items) if (!settled.has(item.id)) slots.get(item.id)?.done(false, 'not finished');
        await rendering;
      }
    },
  };
}
