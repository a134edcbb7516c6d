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
  logLevel: 'warning',
  // Some dependencies are CommonJS and call require(); give the ES bundle one.
  banner: { js: "import { createRequire as __pyindexRequire } from 'node:module'; const require = __pyindexRequire(import.meta.url);" },
});
