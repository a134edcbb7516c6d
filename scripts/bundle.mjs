// Bundles the CLI with esbuild into dist/bundle/ (ES modules, code-split so
// modules loaded on demand — execa, listr2, tar-stream, htmlparser2 — are separate
// chunks). One file to load instead of hundreds is most of a command's
// start-up time. `tsc` still type-checks and emits dist/src for library use.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry content hashes: clear the old ones so the package ships only what the entry imports.
rmSync('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: { pyindex: 'src/cli/bin.ts' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.18',
  sourcemap: 'linked',
  // Minified: V8 parses every module a command loads on each start (Node 20
  // keeps no compile cache for ES modules), and comments with non-ASCII
  // characters made whole chunks two-byte strings. Importing the lock
  // command's modules: median 64.7 -> 56.9 ms (25 alternating runs). Stack
  // traces map back to src/ through the source maps when PYINDEX_DEBUG is
  // set (bin/pyindex.js).
  minify: true,
  logLevel: 'warning',
  // Some dependencies are CommonJS and call require(); give the ES bundle one.
  banner: { js: "import { createRequire as __pyindexRequire } from 'node:module'; const require = __pyindexRequire(import.meta.url);" },
});
