/**
 * `pyindex serve --config F`: the server's settings in a YAML (or JSON)
 * file, either at the top level or under a `serve:` key (so they can sit in
 * a larger file). Command-line options override the file.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PyindexError } from '../errors/index.js';
import { yamlLib } from '../util/yaml-source.js';

export interface ServeFileConfig {
  /** Resolved against the config file's directory. */
  root?: string;
  host?: string;
  port?: number;
  mirrorId?: string;
  /** Record downloads (default true). */
  downloadLog?: boolean;
  readAuth?: boolean;
  /** Largest accepted upload body, bytes. */
  maxUploadSize?: number;
}

const KEYS: Record<keyof ServeFileConfig, 'string' | 'number' | 'boolean'> = {
  root: 'string',
  host: 'string',
  port: 'number',
  mirrorId: 'string',
  downloadLog: 'boolean',
  readAuth: 'boolean',
  maxUploadSize: 'number',
};

function invalid(file: string, what: string): PyindexError {
  return new PyindexError('E_CONFIG_INVALID', `${file}: ${what}`, {
    hint: `The serve config takes ${Object.keys(KEYS).join(', ')} (at the top level or under "serve:").`,
    details: { file },
  });
}

export function loadServeConfig(file: string): ServeFileConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PyindexError('E_FILE_NOT_FOUND', `cannot read the serve config ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { hint: 'Check the --config path.', cause: err });
  }
  let data: unknown;
  try {
    data = yamlLib().parse(text);
  } catch (err) {
    throw invalid(file, `not YAML: ${(err as Error).message}`);
  }
  if (data !== null && typeof data === 'object' && 'serve' in data) data = (data as { serve: unknown }).serve;
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw invalid(file, 'expected a mapping of settings');
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    const type = KEYS[key as keyof ServeFileConfig];
    if (type === undefined) throw invalid(file, `unknown setting ${JSON.stringify(key)}`);
    if (typeof value !== type) throw invalid(file, `${key} must be a ${type}, got ${JSON.stringify(value)}`);
    out[key] = value;
  }
  const config = out as ServeFileConfig;
  if (config.root !== undefined) config.root = resolve(dirname(file), config.root);
  return config;
}
