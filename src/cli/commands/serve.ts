/**
 * `pyindex serve --root DIR`: the internal package index over a static tree
 * (src/serve). Prints the URL once it listens (with `--port 0`, the port it
 * was given), heals stale pages first, and stops gracefully on SIGTERM or
 * SIGINT: no new connections, in-flight downloads finish (up to
 * --grace seconds), the download log is flushed.
 */
import { join, resolve } from 'node:path';
import { PyindexError } from '../../errors/index.js';
import { loadServeConfig, type ServeFileConfig } from '../../serve/config.js';
import { startServer } from '../../serve/server.js';
import { sweepUploadTemps, uploadServeOptions } from '../../serve/upload/index.js';
import { booleanOption, stringOption, type Command } from '../command.js';

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** "512M", "2g", "1048576" → bytes. */
function sizeOption(text: string): number {
  const m = /^(\d+)\s*([kmg]?)i?b?$/i.exec(text.trim());
  const bytes = m ? Number(m[1]) * (SIZE_UNITS[(m[2] ?? '').toLowerCase()] ?? 1) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new PyindexError('E_USAGE', `--max-upload-size must be a size like 512M or 2G, got ${JSON.stringify(text)}`, { hint: 'Units: K, M, G (powers of 1024); a bare number is bytes.' });
  }
  return bytes;
}

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
  usage: 'serve --root DIR [--host 127.0.0.1] [--port 8080] [--config F] [--read-auth] [--max-upload-size 512M] [--mirror-id ID] [--no-download-log] [--grace S]',
  options: {
    root: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    config: { type: 'string' },
    'mirror-id': { type: 'string' },
    'no-download-log': { type: 'boolean' },
    grace: { type: 'string' },
    'read-auth': { type: 'boolean' },
    'max-upload-size': { type: 'string' },
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

    const maxUploadText = stringOption(ctx, 'max-upload-size');
    const maxBodyBytes = maxUploadText !== undefined ? sizeOption(maxUploadText) : file.maxUploadSize;
    const upload = uploadServeOptions(root, {
      readAuth: booleanOption(ctx, 'read-auth') || file.readAuth === true,
      ...(maxBodyBytes !== undefined ? { limits: { maxBodyBytes } } : {}),
    });
    // Temp files of uploads cut short by a killed server: never visible, only space to reclaim.
    const swept = await sweepUploadTemps(join(root, '.pyindex', 'tmp'));
    if (swept.length > 0) ctx.out.warn(`removed ${swept.length} temp file(s) of interrupted uploads`);

    const server = await startServer({
      root,
      routes: upload.routes,
      ...(upload.readGate ? { readGate: upload.readGate } : {}),
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
