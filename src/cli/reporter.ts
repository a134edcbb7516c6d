/**
 * Renders the library's progress events (src/events): listr2 on a TTY, plain
 * lines when stdout is not a TTY (build logs), JSON lines on stderr with --json.
 */
import { Listr } from 'listr2';
import type { EventSink, PyindexEvent } from '../events/index.js';

export type ReporterMode = 'tty' | 'plain' | 'json' | 'silent';

export interface Reporter {
  readonly mode: ReporterMode;
  onEvent: EventSink;
  /** Runs `fn` as a titled task; on a TTY a listr2 spinner shows its latest progress. */
  task<T>(title: string, fn: (onEvent: EventSink) => Promise<T>): Promise<T>;
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
    default:
      return undefined; // request-level chatter is for --json only
  }
}

export function createReporter(mode: ReporterMode, stderr: NodeJS.WritableStream): Reporter {
  const plainSink: EventSink = (e) => {
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
  };
}
