#!/usr/bin/env node
// The CLI from sources (tsx, tsc output); users run the bundle through src/cli/launch.ts.
import { exitWhenFlushed } from './exit.js';
import { run } from './main.js';

await exitWhenFlushed(await run(process.argv.slice(2)));
