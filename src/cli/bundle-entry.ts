/** The CLI bundle's face (scripts/bundle.mjs → dist/cli/pyindex.cjs), loaded by launch.ts. */
export { run } from './main.js';
