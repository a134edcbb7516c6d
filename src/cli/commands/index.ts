/**
 * Every CLI command, by the words that select it. A command's module (and
 * through it the libraries it drives) is loaded only when that command runs:
 * `pyindex lock` never compiles the server, the provisioner or the YAML
 * emitter of another command — start-up is most of a short command's time.
 */
import type { Command } from '../command.js';

export interface CommandEntry {
  path: readonly string[];
  load(): Promise<Command>;
}

/** The command among `list` whose path is `path` (a module may export several). */
function pick(path: readonly string[], list: Promise<Command | readonly Command[]>): Promise<Command> {
  return list.then((found) => {
    const command = (Array.isArray(found) ? found : [found]).find((c: Command) => c.path.join(' ') === path.join(' '));
    if (!command) throw new Error(`pyindex: no command "${path.join(' ')}" in its module`);
    return command;
  });
}

function entry(path: readonly string[], load: () => Promise<Command | readonly Command[]>): CommandEntry {
  return { path, load: () => pick(path, load()) };
}

export const commandEntries: readonly CommandEntry[] = [
  entry(['demo'], async () => (await import('./demo.js')).demoCommand),
  entry(['lock'], async () => (await import('./lock.js')).lockCommand),
  entry(['export'], async () => (await import('./export.js')).exportCommand),
  entry(['why'], async () => (await import('./export.js')).whyCommand),
  entry(['fetch'], async () => (await import('./fetch.js')).fetchCommand),
  entry(['provision'], async () => (await import('./provision.js')).provisionCommand),
  entry(['bundle'], async () => (await import('./bundle.js')).bundleCommand),
  entry(['push'], async () => (await import('./push.js')).pushCommand),
  entry(['serve'], async () => (await import('./serve.js')).serveCommand),
  entry(['stats'], async () => (await import('./stats.js')).statsCommand),
  ...[['user', 'add'], ['user', 'remove'], ['user', 'list'], ['token', 'create'], ['token', 'revoke']].map((p) => entry(p, async () => (await import('./user.js')).userCommands)),
  ...[['yank'], ['unyank'], ['remove']].map((p) => entry(p, async () => (await import('./yank.js')).adminCommands)),
  ...[['profile', 'list'], ['profile', 'show'], ['profile', 'detect']].map((p) => entry(p, async () => (await import('./profile.js')).profileCommands)),
  entry(['codes'], async () => (await import('./codes.js')).codesCommand),
];

/** Every command, loaded (for --help, which lists them all). */
export function loadAllCommands(): Promise<Command[]> {
  return Promise.all(commandEntries.map((e) => e.load()));
}
