#!/usr/bin/env node
// Runs the bundled CLI: `npm run build` writes dist/cli/ (scripts/bundle.mjs);
// the launcher loads it with a V8 code cache (src/cli/launch.ts).
await import('../dist/cli/pyindex.mjs');
