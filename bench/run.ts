/**
 * `npm run bench [-- NAME...]`: runs every bench/*.bench.ts (or those whose
 * file name contains one of NAME) in one process and prints their tables.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { formatRows, type Bench } from './lib.js';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((n) => f.includes(n)))
  .sort();

let failed = 0;
for (const file of files) {
  const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default: Bench };
  try {
    const rows = await mod.default.run();
    console.log(formatRows(mod.default.title, rows));
    console.log('');
  } catch (err) {
    failed++;
    console.log(`## ${mod.default.title}\n- failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
