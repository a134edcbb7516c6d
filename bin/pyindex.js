#!/usr/bin/env node
// Runs the compiled CLI (npm run build writes dist/).
import { run } from '../dist/src/cli/main.js';

process.exitCode = await run(process.argv.slice(2));
