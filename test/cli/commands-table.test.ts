/**
 * The lazy command table (src/cli/commands/index.ts) names exactly the
 * commands the modules in src/cli/commands/ export, each under its own path:
 * a command added to a module but not to the table (or listed under the
 * wrong words) fails here, not in a user's terminal.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import t from 'tap';
import type { Command } from '../../src/cli/command.js';
import { commandTable, loadAllCommands } from '../../src/cli/commands/index.js';
import { usageText } from '../../src/cli/main.js';

function isCommand(x: unknown): x is Command {
  return typeof x === 'object' && x !== null && Array.isArray((x as Command).path) && typeof (x as Command).run === 'function';
}

t.test('every entry loads the command with its path', async (t) => {
  for (const entry of commandTable) {
    const command = await entry.load();
    t.same(command.path, entry.path, entry.path.join(' '));
  }
  const paths = commandTable.map((e) => e.path.join(' '));
  t.equal(new Set(paths).size, paths.length, 'no path listed twice');
});

t.test('the table lists every command the modules export', async (t) => {
  const dir = fileURLToPath(new URL('../../src/cli/commands/', import.meta.url));
  const exported = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts')) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as Record<string, unknown>;
    for (const value of Object.values(mod)) {
      for (const c of Array.isArray(value) ? value : [value]) if (isCommand(c)) exported.add(c.path.join(' '));
    }
  }
  t.ok(exported.size >= 10, `commands found in the modules (${exported.size})`);
  t.same([...exported].sort(), commandTable.map((e) => e.path.join(' ')).sort());
  t.equal((await loadAllCommands()).length, commandTable.length);
});

t.test('--help lists every command in table order', async (t) => {
  const text = await usageText();
  let last = -1;
  for (const entry of commandTable) {
    const at = text.indexOf(`\n  ${entry.path.join(' ')} `);
    t.ok(at > last, `${entry.path.join(' ')} listed after the one before`);
    last = at;
  }
});
