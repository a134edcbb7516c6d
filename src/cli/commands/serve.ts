/**
 * `pyindex serve --root DIR`: the internal package index over a static tree
 * (src/serve). Prints the URL once it listens (with `--port 0`, the port it
 * was given), heals stale pages first, and stops gracefully on SIGTERM or
 * SIGINT: no new connections, in-flight downloads finish (up to
 * --grace seconds), the download log is flushed.
 */
import { resolve } from 'node:path';
import { PyindexError } from '../../errors/index.js';
import { loadServeConfig, type ServeFileConfig } from '../../serve/config.js';
import { startServer } from '../../serve/server.js';
import { booleanOption, stringOption, type Command } from '../command.js';

function portOption(text: string | undefined, fallback: number | undefined): number {
  if (text === undefined) return fallback ?? 8080;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new PyindexError('E_USAGE', `--port must be a whole number from 0 to 65535, got ${JSON.stringify(text)}`, { hint: '0 picks a free port.' });
  }
  return port;
}

export const serveCommand: Command = {
  path: ['serve'],
  summary: 'serve a package tree as a PEP 503/691 index (pip, pyindex lock and fetch read it; nginx can serve the same root)',
  usage: 'serve --root DIR [--host 127.0.0.1] [--port 8080] [--config F] [--mirror-id ID] [--no-download-log] [--grace S]',
  options: {
    root: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    config: { type: 'string' },
    'mirror-id': { type: 'string' },
    'no-download-log': { type: 'boolean' },
    grace: { type: 'string' },
  },
  async run(ctx) {
    const configFile = stringOption(ctx, 'config');
    const file: ServeFileConfig = configFile === undefined ? {} : loadServeConfig(resolve(ctx.cwd, configFile));
    const rootOption = stringOption(ctx, 'root');
    const root = rootOption !== undefined ? resolve(ctx.cwd, rootOption) : file.root;
    if (root === undefined) throw new PyindexError('E_USAGE', '--root is required', { hint: 'Name the tree directory (created when missing), e.g. --root /srv/pyindex.' });
    const graceText = stringOption(ctx, 'grace') ?? '10';
    const grace = Number(graceText);
    if (!Number.isFinite(grace) || grace < 0) throw new PyindexError('E_USAGE', `--grace must be a number of seconds, got ${JSON.stringify(graceText)}`);

    const server = await startServer({
      root,
      host: stringOption(ctx, 'host') ?? file.host ?? '127.0.0.1',
      port: portOption(stringOption(ctx, 'port'), file.port),
      mirrorId: stringOption(ctx, 'mirror-id') ?? file.mirrorId,
      downloadLog: booleanOption(ctx, 'no-download-log') ? false : (file.downloadLog ?? true),
      onError: (err, req) => ctx.out.warn(`error answering ${req.method ?? ''} ${req.url ?? ''}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
    });
    if (server.regenerated.length > 0) ctx.out.warn(`rebuilt stale pages of ${server.regenerated.length} project(s): ${server.regenerated.join(', ')}`);
    ctx.out.print(`serving ${root} at ${server.url}`);
    ctx.out.json({ root, url: server.url, port: server.port });

    const signal = await new Promise<NodeJS.Signals>((done) => {
      process.once('SIGTERM', done);
      process.once('SIGINT', done);
    });
    ctx.out.warn(`${signal}: finishing in-flight requests (up to ${grace}s)`);
    await server.close(grace * 1000);
    if (server.log?.lastError !== undefined) ctx.out.warn(`the download log could not be written: ${String(server.log.lastError)}`);
    return 0;
  },
};
