#!/usr/bin/env node
// Runs the bundled CLI (`npm run build` writes dist/bundle/ from src/cli/bin.ts).
import '../dist/bundle/pyindex.js';
