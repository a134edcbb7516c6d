/**
 * Every CLI command, by the words that select it. A command's module is
 * imported only when that command runs (or for --help): `pyindex fetch` and
 * `provision`, run on every build, then load neither the resolver, the
 * server nor the push and bundle code (esbuild makes each dynamic import its
 * own chunk). test/cli/commands-table.test.ts checks this table against the
 * modules' commands.
 */
import { PyindexError } from '../../errors/index.js';
import type { Command } from '../command.js';

export interface CommandEntry {
  path: readonly string[];
  load(): Promise<Command>;
}

/** The command with `path` among a module's several. */
function pick(commands: readonly Command[], path: readonly string[]): Command {
  const found = commands.find((c) => c.path.join(' ') === path.join(' '));
  if (!found) throw new PyindexError('E_INTERNAL', `no command "${path.join(' ')}" in its module`);
  return found;
}

function many(paths: readonly (readonly string[])[], load: () => Promise<readonly Command[]>): CommandEntry[] {
  return paths.map((path) => ({ path, load: async () => pick(await load(), path) }));
}

export const commandTable: readonly CommandEntry[] = [
  { path: ['demo'], load: async () => (await import('./demo.js')).demoCommand },
  { path: ['lock'], load: async () => (await import('./lock.js')).lockCommand },
  { path: ['export'], load: async () => (await import('./export.js')).exportCommand },
  { path: ['why'], load: async () => (await import('./export.js')).whyCommand },
  { path: ['fetch'], load: async () => (await import('./fetch.js')).fetchCommand },
  { path: ['provision'], load: async () => (await import('./provision.js')).provisionCommand },
  { path: ['bundle'], load: async () => (await import('./bundle.js')).bundleCommand },
  { path: ['push'], load: async () => (await import('./push.js')).pushCommand },
  { path: ['mirror'], load: async () => (await import('./mirror.js')).mirrorCommand },
  { path: ['serve'], load: async () => (await import('./serve.js')).serveCommand },
  { path: ['stats'], load: async () => (await import('./stats.js')).statsCommand },
  ...many(
    [
      ['user', 'add'],
      ['user', 'remove'],
      ['user', 'list'],
      ['token', 'create'],
      ['token', 'revoke'],
    ],
    async () => (await import('./user.js')).userCommands,
  ),
  ...many([['yank'], ['unyank'], ['remove']], async () => (await import('./yank.js')).adminCommands),
  ...many(
    [
      ['profile', 'list'],
      ['profile', 'show'],
      ['profile', 'detect'],
    ],
    async () => (await import('./profile.js')).profileCommands,
  ),
  { path: ['codes'], load: async () => (await import('./codes.js')).codesCommand },
];

/** Every command, loaded (for --help and tests). */
export function loadAllCommands(): Promise<Command[]> {
  return Promise.all(commandTable.map((e) => e.load()));
}
