// Bundles the CLI with esbuild into dist/bundle/ (ES modules, code-split so
// modules loaded on demand — undici, execa, listr2, tar-stream — are separate
// chunks). One file to load instead of hundreds is most of a command's
// start-up time. `tsc` still type-checks and emits dist/src for library use.
import { build } from 'esbuild';

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
