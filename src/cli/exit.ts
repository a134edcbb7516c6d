/**
 * Every command has awaited its own work (cache writes, downloads, servers)
 * when run() returns. Exiting then, once stdout and stderr have taken what
 * was written, skips what a natural exit would still do: wait for V8's
 * background jobs (compilers, GC) and tear the heap down — 10–40 ms of a
 * command that build machines run thousands of times a day.
 */
export async function exitWhenFlushed(code: number): Promise<never> {
  await Promise.all([process.stdout, process.stderr].map((s) => new Promise<void>((done) => s.write('', () => done()))));
  process.exit(code);
}
