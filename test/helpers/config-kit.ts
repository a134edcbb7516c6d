/**
 * Config-loader test kit: write a config (and its requirements files) into a
 * tap testdir, load it, and capture the PyindexError a bad one raises.
 */
import { join } from 'node:path';
import type { Test } from 'tap';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { isPyindexError } from '../../src/errors/index.js';

/** A directory tree: file name -> text, or sub-directory. */
export interface Fixture {
  [name: string]: string | Fixture;
}

export interface CaughtError {
  code: string;
  message: string;
  hint: string | undefined;
  details: Record<string, unknown>;
}

/** Writes `files` into a fresh testdir; `config` is the config file's path inside it. */
export function writeConfig(t: Test, files: Fixture, config = 'pyindex.yaml'): { dir: string; file: string } {
  const dir = t.testdir(files);
  return { dir, file: join(dir, config) };
}

/** Writes `files` and loads the config at `config` (a path inside them). */
export function loadFrom(t: Test, files: Fixture, config = 'pyindex.yaml'): Config {
  return loadConfig(writeConfig(t, files, config).file);
}

/** Runs `f`, expecting a PyindexError; fails the test (and returns an empty record) if none. */
export function caught(t: Test, f: () => unknown): CaughtError {
  try {
    f();
  } catch (err) {
    if (isPyindexError(err)) return { code: err.code, message: err.message, hint: err.hint, details: err.details };
    throw err;
  }
  t.fail('expected a PyindexError');
  return { code: '', message: '', hint: undefined, details: {} };
}
