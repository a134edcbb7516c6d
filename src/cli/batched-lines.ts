/**
 * stderr under --json carries one JSON line per progress event — hundreds in
 * a lock that backtracks — and a pipe or file stderr is written synchronously
 * by Node, one write(2) per line. Gathering the lines of one event-loop turn
 * into one write cut that from ~27 ms to ~2 ms of a warm dask[distributed]
 * lock (~700 events; CPU profile). Everything the CLI writes to stderr in
 * that mode goes through the same batch, so lines keep their order; `flush`
 * writes what is pending (before the command's result or error is printed).
 */
export interface TextSink {
  write(text: string): unknown;
}

export interface BatchedLines extends TextSink {
  flush(): void;
}

/** Lines are held at most until the next turn of the event loop, or until 64 KiB are pending. */
export function batchedLines(target: TextSink, limit = 64 * 1024): BatchedLines {
  let pending: string[] = [];
  let size = 0;
  let scheduled: NodeJS.Immediate | undefined;
  const flush = (): void => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    if (!pending.length) return;
    const text = pending.join('');
    pending = [];
    size = 0;
    target.write(text);
  };
  return {
    write(text: string): boolean {
      pending.push(text);
      size += text.length;
      if (size >= limit) flush();
      else scheduled ??= setImmediate(flush);
      return true;
    },
    flush,
  };
}
