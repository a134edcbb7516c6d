// Bundles the CLI with esbuild into dist/cli/:
// - pyindex.cjs: the whole CLI (src/cli/bundle-entry.ts), one CommonJS file,
//   so that src/cli/launch.ts can run it as a node:vm Script with a V8 code
//   cache (Node 20 has none for ES modules; see launch.ts for the figures);
// - pyindex.cjs.id: its sha256, the code cache's key (V8 checks only the
//   source's length);
// - pyindex.mjs: the launcher, what bin/pyindex.js imports;
// - vendor/<package>.cjs: the dependencies only some runs need (execa to run
//   Python, listr2 on a TTY, htmlparser2 for HTML pages, tar-stream for
//   sdists and bundles), each in its own file, required on first use. Every
//   start reads and decodes the main file whole, code cache or not: inside
//   it these took ~300 KB of the 960 (yaml another 115 KB, now required
//   from node_modules like ajv, as yaml-source.ts does).
// `tsc` still type-checks and emits dist/src for library use.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

// Old layouts and outputs go: the package ships only what the launcher loads.
rmSync('dist/bundle', { recursive: true, force: true });
rmSync('dist/cli', { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20.18',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Minified: fewer bytes to read and to hash into the cache key, and a
  // first run (no code cache yet) parses less. PYINDEX_DEBUG maps stack
  // traces back to src/ through the source maps (launch.ts).
  minify: true,
};

const VENDOR = ['execa', 'listr2', 'htmlparser2', 'tar-stream'];

/** `import … from 'execa'` in the sources becomes require('./vendor/execa.cjs'), run when first imported. */
const vendorPlugin = {
  name: 'vendor',
  setup(build) {
    const names = new RegExp(`^(${VENDOR.join('|')})$`);
    build.onResolve({ filter: names }, (args) => ({ path: args.path, namespace: 'vendor' }));
    build.onLoad({ filter: /.*/, namespace: 'vendor' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(`./vendor/${args.path}.cjs`)});`, loader: 'js' }));
    build.onResolve({ filter: /^\.\/vendor\// }, (args) => ({ path: args.path, external: true }));
  },
};

await build({
  ...common,
  plugins: [vendorPlugin],
  entryPoints: { pyindex: 'src/cli/bundle-entry.ts' },
  outdir: 'dist/cli',
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  // The sources are ES modules that find their package and dependencies from import.meta.url.
  define: { 'import.meta.url': '__pyindexImportMetaUrl' },
  banner: { js: "var __pyindexImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});

await build({
  ...common,
  entryPoints: { pyindex: 'src/cli/launch.ts' },
  outdir: 'dist/cli',
  outExtension: { '.js': '.mjs' },
  format: 'esm',
});

await build({
  ...common,
  entryPoints: Object.fromEntries(VENDOR.map((name) => [`vendor/${name}`, name])),
  outdir: 'dist/cli',
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
});

// launch.ts runs the bundle as a node:vm Script, where a dynamic import() would throw
// ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING: esbuild turns imports of bundled modules into
// require()s, but keeps import() of anything external (a built-in: use process.getBuiltinModule).
const cli = readFileSync('dist/cli/pyindex.cjs', 'utf8');
const dynamic = /\bimport\(\s*["'`][^"'`]*["'`]\s*\)/.exec(cli);
if (dynamic) throw new Error(`dist/cli/pyindex.cjs contains ${dynamic[0]}, which fails inside launch.ts's vm Script; load it with process.getBuiltinModule or a static import`);

const id = createHash('sha256').update(cli).digest('hex').slice(0, 16);
writeFileSync('dist/cli/pyindex.cjs.id', `${id}\n`);
