#!/usr/bin/env node
// Runs the bundled CLI (`npm run build` writes dist/bundle/ from src/cli/bin.ts).
import module from 'node:module';

// Node >= 22.1 keeps V8's compiled code between runs (a CLI started thousands
// of times a day pays the bundle's parse once); Node 20 has no such API.
module.enableCompileCache?.();
// The bundle is minified (scripts/bundle.mjs): a debug run maps its stack
// traces back to src/ through the bundle's source maps.
if (process.env.PYINDEX_DEBUG) process.setSourceMapsEnabled(true);
await import('../dist/bundle/pyindex.js');
